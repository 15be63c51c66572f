"""qcc's Python package: compile ONNX and TFLite models with the qcc binary, run them from
Python, and compare them with their frameworks.

    import qcc
    m = qcc.compile("model.tflite", target="host", requant="fixed")
    outputs = m.run({"input": x})              # or m.run([x]): a list of arrays
    report = qcc.compare("model.tflite", [x])  # per output: max LSB apart, exact-match rate

The lower-level pieces the tests use: compile_model / build_app / run_app (a C harness,
natively or under qemu-aarch64) and the references (ONNX Runtime, qcc.reference's exact
integer evaluation, TFLite's kernels through qcc.tflite_builder.tflite_reference).
"""
from .toolchain import (Artifacts, TargetKind, build_app, compile_model, find_qcc, run_app,
                        target_kind)
from .references import (EXACT_REFERENCE, compare_float, compare_quantized,
                         ort_native_deviation, ort_run, reference_run)
from .api import CompiledModel, compare, compile  # noqa: A004 - qcc.compile is the API

__all__ = ["CompiledModel", "compile", "compare", "Artifacts", "TargetKind", "build_app",
           "compile_model", "find_qcc", "run_app", "target_kind", "compare_float",
           "compare_quantized", "ort_run", "reference_run", "ort_native_deviation",
           "EXACT_REFERENCE"]
