"""qcc's Python package: compile ONNX models with qcc, run them (natively or under
qemu-aarch64), and compare them with their references (ONNX Runtime for float models,
qcc.reference's exact evaluation for quantized ones).

    import qcc
    art = qcc.compile_model("m.onnx", "aarch64-rpi4", "out/")
    app = qcc.build_app(art, "out/")
    outputs, seconds = qcc.run_app(app, [x])
"""
from .toolchain import (Artifacts, TargetKind, build_app, compile_model, find_qcc, run_app,
                        target_kind)
from .compare import (EXACT_REFERENCE, compare_float, compare_quantized, ort_native_deviation,
                      ort_run, reference_run)

__all__ = ["Artifacts", "TargetKind", "build_app", "compile_model", "find_qcc", "run_app",
           "target_kind", "compare_float", "compare_quantized", "ort_run", "reference_run",
           "ort_native_deviation", "EXACT_REFERENCE"]
