"""End to end: ONNX model -> qcc -> object -> linked C program (x86-64 natively, AArch64 under
qemu-aarch64 -cpu cortex-a72) -> outputs compared with ONNX Runtime on the same inputs.

Float models: every element within 1e-4 absolute or relative. QDQ models: within 1 LSB of the
output's quantization step, with the same argmax.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from qcc import models
import qcc

OUT = Path(os.environ.get("QCC_E2E_OUT", Path(__file__).resolve().parent / "out"))
TARGETS = ["x86_64", "aarch64-rpi4"]


def output_lsb(model: onnx.ModelProto, output_index=0):
    """Quantization step of a graph output produced by DequantizeLinear (per tensor)."""
    name = model.graph.output[output_index].name
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    for node in model.graph.node:
        if name in node.output and node.op_type == "DequantizeLinear":
            scale = inits.get(node.input[1])
            if scale is not None and scale.size == 1:
                return float(scale.reshape(-1)[0])
    return None


def check(case_dir: Path, model: onnx.ModelProto, inputs, target, quantized=False, name="m"):
    case_dir.mkdir(parents=True, exist_ok=True)
    path = case_dir / "model.onnx"
    onnx.save(model, path)
    expected = qcc.ort_run(path, inputs)
    art = qcc.compile_model(path, target, case_dir / target, name=name)
    app = qcc.build_app(art, case_dir / target)
    actual, _ = qcc.run_app(app, art, inputs)
    lsb = output_lsb(model)
    report = []
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert a.shape == e.shape, f"output {i}: shape {a.shape} vs {e.shape}"
        if quantized:
            ok, maxd, exact, top1 = qcc.compare_quantized(a, e)
            report.append(f"out{i}: max {maxd} LSB, exact {exact:.4%}, same top-1 {top1}")
        elif lsb is not None and i == 0:
            steps_a, steps_e = np.rint(a / lsb), np.rint(e / lsb)
            ok, maxd, exact, top1 = qcc.compare_quantized(steps_a, steps_e)
            report.append(f"out{i}: max {maxd} LSB (scale {lsb:g}), exact {exact:.4%}, "
                          f"same top-1 {top1}")
        else:
            ok, maxabs, maxrel = qcc.compare_float(a, e)
            report.append(f"out{i}: max abs {maxabs:.3g}, max rel {maxrel:.3g}")
        assert ok, f"{case_dir.name} on {target}: " + "; ".join(report)
    return report


OP_CASES = models.op_cases()


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", OP_CASES, ids=[c.name for c in OP_CASES])
def test_op(case, target):
    check(OUT / "ops" / case.name, case.model, case.inputs, target, case.quantized)


@pytest.fixture(scope="module")
def mobilenet_models():
    d = OUT / "mobilenet_v2"
    d.mkdir(parents=True, exist_ok=True)
    fp = d / "mobilenet_v2_float.onnx"
    qdq = d / "mobilenet_v2_qdq.onnx"
    if not fp.exists() or not qdq.exists():
        onnx.save(models.mobilenet_v2(), fp)
        calib = models.image_like_inputs((1, 3, 224, 224), 8, seed=11)
        models.quantize_qdq(fp, qdq, calib)
    return fp, qdq


@pytest.mark.parametrize("target", TARGETS)
def test_mobilenet_v2_float(mobilenet_models, target):
    fp, _ = mobilenet_models
    inputs = models.image_like_inputs((1, 3, 224, 224), 1, seed=21)
    for k, x in enumerate(inputs):
        print(check(OUT / "mobilenet_v2" / f"float_{k}", onnx.load(fp), [x], target))


@pytest.mark.parametrize("target", TARGETS)
def test_mobilenet_v2_qdq(mobilenet_models, target):
    _, qdq = mobilenet_models
    inputs = models.image_like_inputs((1, 3, 224, 224), 2, seed=22)
    for k, x in enumerate(inputs):
        print(check(OUT / "mobilenet_v2" / f"qdq_{k}", onnx.load(qdq), [x], target))
