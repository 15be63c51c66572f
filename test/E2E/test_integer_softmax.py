"""Integer softmax: quantize(softmax(dequantize(x))) with TFLite's output parameters (scale
1/256, zero point at the storage minimum) folds into an integer qcc.softmax.

--requant=fixed must equal TFLite Micro's integer-only kernel (gemmlowp exp and reciprocal)
bit for bit and contain no floating-point instruction; --requant=float computes what the
fake-quant graph computes and must equal ONNX Runtime on it.
"""
from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

import qcc
from qcc import models, tflm
from test_e2e import OUT, TARGETS, float_instructions


def softmax_model(shape, dtype, scale, zero_point, axis=-1):
    elem = TensorProto.UINT8 if dtype == np.uint8 else TensorProto.INT8
    out_zp = 0 if dtype == np.uint8 else -128
    nodes = [
        helper.make_node("DequantizeLinear", ["x", "sx", "zx"], ["xf"], name="dq"),
        helper.make_node("Softmax", ["xf"], ["p"], name="softmax", axis=axis),
        helper.make_node("QuantizeLinear", ["p", "sy", "zy"], ["y"], name="q"),
    ]
    inits = [
        helper.make_tensor("sx", TensorProto.FLOAT, [], [scale]),
        helper.make_tensor("zx", elem, [], [zero_point]),
        helper.make_tensor("sy", TensorProto.FLOAT, [], [1.0 / 256]),
        helper.make_tensor("zy", elem, [], [out_zp]),
    ]
    return models.make_model(nodes, [helper.make_tensor_value_info("x", elem, list(shape))],
                             [helper.make_tensor_value_info("y", elem, list(shape))], inits)


# (name, dtype, input scale, input zero point, shape, band): inputs lie within `band` steps
# below the type's maximum. Logits of a classifier (1001 classes as the trained
# MobileNetV2), rows of several widths, a small scale where many entries tie near the
# maximum, a large scale where most entries fall below diff_min and contribute 0, and many
# short rows where the fixed-point results differ from the float ones on some elements.
CASES = [
    ("u8_classifier", np.uint8, 0.0984, 58, (1, 1001), 256),
    ("i8_rows", np.int8, 0.05, -3, (4, 37), 256),
    ("i8_small_scale", np.int8, 0.0039, 0, (2, 64), 256),
    ("u8_large_scale", np.uint8, 0.8, 128, (3, 16), 256),
    ("i8_many_rows", np.int8, 0.02, 0, (4000, 3), 68),
]
# Where the integer kernel's rounding shows: TFLite Micro differs from the float softmax
# (ONNX Runtime) on some elements, so the fixed-mode comparison is not one a float
# softmax would also pass.
DISCRIMINATING = {"i8_many_rows"}


def inputs_for(dtype, shape, seed, band):
    r = np.random.default_rng(seed)
    top = np.iinfo(dtype).max
    x = top - r.integers(0, band, shape)
    x.reshape(-1)[:3] = top  # a tie at the maximum
    return x.astype(dtype)


def compiled(name, dtype, scale, zp, shape, target, mode):
    """The single-softmax model of a case, compiled with --requant=`mode` (and -v) and
    linked into a test program: (model path, artifacts, program)."""
    d = OUT / "softmax" / name
    d.mkdir(parents=True, exist_ok=True)
    path = d / "model.onnx"
    onnx.save(softmax_model(shape, dtype, scale, zp), path)
    art = qcc.compile_model(path, target, d / f"{target}-{mode}", name="m",
                            extra_args=[f"--requant={mode}", "-v"])
    return path, art, qcc.build_app(art, d / f"{target}-{mode}")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name,dtype,scale,zp,shape,band", CASES)
def test_fixed_softmax_equals_tflite_micro(name, dtype, scale, zp, shape, band, target):
    path, art, app = compiled(name, dtype, scale, zp, shape, target, "fixed")
    assert "softmax" in art.stderr and "fake-quant" not in art.stderr, art.stderr
    floats = float_instructions(art.obj, target)
    assert not floats, "floating-point instructions:\n" + "\n".join(floats[:10])
    differs_from_float = 0
    for seed in range(3):
        x = inputs_for(dtype, shape, seed, band)
        actual, _ = qcc.run_app(app, art, [x])
        expected = tflm.softmax(x, scale, zp)
        diff = np.abs(actual[0].astype(np.int32) - expected.astype(np.int32))
        differs_from_float += int(np.sum(expected != qcc.ort_run(path, [x])[0]))
        print(f"{name} {target}: max {diff.max()} LSB vs TFLite Micro, exact {np.mean(diff == 0):.1%}")
        assert diff.max() == 0
    if name in DISCRIMINATING:
        assert differs_from_float > 0


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name,dtype,scale,zp,shape,band", CASES)
def test_float_softmax_equals_onnxruntime(name, dtype, scale, zp, shape, band, target):
    path, art, app = compiled(name, dtype, scale, zp, shape, target, "float")
    for seed in range(3):
        x = inputs_for(dtype, shape, seed, band)
        actual, _ = qcc.run_app(app, art, [x])
        expected = qcc.ort_run(path, [x])
        diff = np.abs(actual[0].astype(np.int32) - expected[0].astype(np.int32))
        print(f"{name} {target}: max {diff.max()} LSB vs ONNX Runtime, exact {np.mean(diff == 0):.1%}")
        assert diff.max() == 0
