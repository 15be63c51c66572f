"""The ONNX backend node tests shipped in the onnx wheel (onnx/backend/test/data/node) for
QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger and MatMulInteger:
model, inputs and expected outputs written by the ONNX project. Each variant is compiled for
x86_64 and aarch64-rpi4 and its outputs must equal the expected ones exactly (integers) or
within 1e-6 (floats).

qcc compiles quantization parameters as constants, so graph inputs that carry scales, zero
points, weights or biases are turned into initializers holding the test's own values; the
data input (the node's input 0) stays an input. A variant qcc does not support (float16
scales, 4/16-bit and float8 types, blocked quantization) is skipped with qcc's own error
message as the reason; any other failure fails.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import qcc
from test_e2e import OUT, TARGETS

BACKEND = Path(onnx.__file__).parent / "backend" / "test" / "data" / "node"
PREFIXES = ("test_quantizelinear", "test_dequantizelinear", "test_qlinearconv",
            "test_qlinearmatmul", "test_convinteger", "test_matmulinteger")
CASES = sorted(d.name for d in BACKEND.iterdir() if d.name.startswith(PREFIXES))
# Messages of qcc's that mean "this variant's types are outside what qcc supports".
UNSUPPORTED = ("which is not supported; supported:", "blocked quantization (block_size) is not supported",
               "the last version qcc's ONNX schemas have (opset 17); it is not supported")


# The int8 QLinearMatMul files in the wheel expect values that do not saturate where the
# spec's arithmetic saturates (e.g. an exact -236 stored as 20 instead of -128); ONNX
# Runtime saturates, like qcc. For these, the reference is the spec's formula computed
# here in numpy (int64 accumulation, f32 scale, round half to even, saturation), and the
# wheel's file must agree with it everywhere the exact result is inside the int8 range.
SATURATION_DISAGREES = {"test_qlinearmatmul_2D_int8_float32", "test_qlinearmatmul_3D_int8_float32"}


def qlinear_matmul_reference(a, a_s, a_zp, b, b_s, b_zp, y_s, y_zp):
    acc = np.matmul(a.astype(np.int64) - a_zp.astype(np.int64),
                    b.astype(np.int64) - b_zp.astype(np.int64))
    scale = np.float32(np.float32(a_s.item() * b_s.item()) / np.float32(y_s.item()))
    exact = np.rint(acc.astype(np.float32) * scale) + y_zp.astype(np.int64)
    info = np.iinfo(y_zp.dtype)
    return np.clip(exact, info.min, info.max).astype(y_zp.dtype), exact


def load_case(name):
    d = BACKEND / name
    model = onnx.load(d / "model.onnx")
    data = d / "test_data_set_0"
    read = lambda p: numpy_helper.to_array(onnx.load_tensor(str(p)))
    inputs = [read(p) for p in sorted(data.glob("input_*.pb"))]
    outputs = [read(p) for p in sorted(data.glob("output_*.pb"))]
    return model, inputs, outputs


def freeze_parameters(model: onnx.ModelProto, inputs):
    """Graph inputs other than the node's data input become initializers."""
    node = model.graph.node[0]
    keep = node.input[0]
    runtime = []
    graph_inputs = list(model.graph.input)
    del model.graph.input[:]
    for vi, value in zip(graph_inputs, inputs):
        if vi.name == keep:
            model.graph.input.append(vi)
            runtime.append(value)
        else:
            model.graph.initializer.append(numpy_helper.from_array(value, vi.name))
    return model, runtime


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CASES)
def test_backend_node(case, target):
    model, inputs, expected = load_case(case)
    if case in SATURATION_DISAGREES:
        reference, exact = qlinear_matmul_reference(*inputs)
        info = np.iinfo(expected[0].dtype)
        in_range = (exact >= info.min) & (exact <= info.max)
        np.testing.assert_array_equal(reference[in_range], expected[0][in_range])
        expected = [reference]
    model, runtime = freeze_parameters(model, inputs)
    d = OUT / "onnx_backend" / case
    d.mkdir(parents=True, exist_ok=True)
    onnx.save(model, d / "model.onnx")
    try:
        art = qcc.compile_model(d / "model.onnx", target, d / target, name="m")
    except RuntimeError as e:
        errors = [l for l in str(e).splitlines() if "error:" in l]
        details = [l for l in errors if not l.startswith("qcc: error: could not import")]
        if details and all(any(u in l for u in UNSUPPORTED) for l in details):
            pytest.skip("unsupported by qcc: " + details[0].split("error: ", 1)[-1])
        raise
    app = qcc.build_app(art, d / target)
    actual, _ = qcc.run_app(app, art, runtime)
    for a, e in zip(actual, expected):
        assert a.shape == e.shape
        if np.issubdtype(e.dtype, np.integer):
            np.testing.assert_array_equal(a, e)
        else:
            np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-6)
