"""Dynamic (run-time) quantization, as ONNX Runtime's quantize_dynamic writes it:
DynamicQuantizeLinear computes the input's uint8 scale and zero point at run time,
MatMulInteger / ConvInteger multiply with int8 or uint8 weights (per tensor or per column),
Cast, Mul by the scales' product, Add of the float bias. qcc compiles these op by op
(qcc.dynamic_quantize, qcc.matmul_integer, qcc.conv_integer) on x86_64 and aarch64-rpi4.

The reference is qcc.reference: every op as ONNX Runtime's CPU kernels compute it (the
quantization parameters by ONNX Runtime's GetQuantizationParameter in f32, integer products
exact); it is checked here against ONNX Runtime with graph optimizations off (its kernels op
by op), and qcc's float outputs must match it to float tolerance.
"""
from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import helper

import qcc
from qcc import models
from test_e2e import OUT, TARGETS, check


def mlp(seed=31):
    r = np.random.default_rng(seed)
    nodes, inits, x = [], [], "x"
    for i, (fin, fout) in enumerate([(24, 32), (32, 10)]):
        nodes += [helper.make_node("MatMul", [x, f"w{i}"], [f"m{i}"], name=f"matmul_{i}"),
                  helper.make_node("Add", [f"m{i}", f"b{i}"], [f"a{i}"], name=f"add_{i}")]
        inits += [models.init(f"w{i}", models.weights(r, fin, fout)),
                  models.init(f"b{i}", (r.standard_normal(fout) * 0.1).astype(np.float32))]
        x = f"a{i}"
        if i == 0:
            nodes.append(helper.make_node("Relu", [x], ["h"], name="relu_0"))
            x = "h"
    return models.make_model(nodes, [models.vi("x", (3, 24))], [models.vi(x, (3, 10))], inits)


def convnet(seed=32):
    r = np.random.default_rng(seed)
    nodes = [helper.make_node("Conv", ["x", "w0", "b0"], ["c0"], name="conv_0", pads=[1, 1, 1, 1],
                              strides=[2, 2]),
             helper.make_node("Relu", ["c0"], ["r0"], name="relu_0"),
             helper.make_node("Conv", ["r0", "w1", "b1"], ["y"], name="conv_1", group=2,
                              pads=[0, 1, 1, 0])]
    inits = [models.init("w0", models.weights(r, 8, 3, 3, 3)),
             models.init("b0", (r.standard_normal(8) * 0.1).astype(np.float32)),
             models.init("w1", models.weights(r, 6, 4, 2, 2)),
             models.init("b1", (r.standard_normal(6) * 0.1).astype(np.float32))]
    return models.make_model(nodes, [models.vi("x", (1, 3, 9, 9))], [models.vi("y", (1, 6, 5, 5))],
                             inits)


def quantize_dynamic(model, path, **kw):
    from onnxruntime.quantization import QuantType, quantize_dynamic as qd
    fp = path.with_name(path.stem + "_float.onnx")
    onnx.save(model, fp)
    kw["weight_type"] = getattr(QuantType, kw.get("weight_type", "QInt8"))
    qd(str(fp), str(path), **kw)
    return onnx.load(path)


CASES = {
    "mlp_s8": (mlp, {}),
    "mlp_u8": (mlp, {"weight_type": "QUInt8"}),
    "mlp_s8_per_column": (mlp, {"per_channel": True}),
    # ONNX Runtime's ConvInteger kernel takes uint8 weights.
    "convnet_u8": (convnet, {"weight_type": "QUInt8"}),
}


def inputs_for(model, seed):
    r = np.random.default_rng(seed)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = r.standard_normal(shape).astype(np.float32) * 2
    if seed % 2:
        x = np.abs(x)  # all positive: the zero point is 0
    return [x]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_quantize_dynamic_model(case, target):
    build, kw = CASES[case]
    d = OUT / "dynamic_quant" / case
    d.mkdir(parents=True, exist_ok=True)
    model = quantize_dynamic(build(), d / "model.onnx", **kw)
    ops = {n.op_type for n in model.graph.node}
    assert "DynamicQuantizeLinear" in ops and ops & {"MatMulInteger", "ConvInteger"}, ops
    for seed in (1, 2):
        x = inputs_for(model, seed)
        print(check(d / f"in{seed}", model, x, target))


@pytest.mark.parametrize("case", sorted(CASES))
def test_reference_matches_onnxruntime_op_by_op(case):
    """The exact reference against ONNX Runtime's kernels run op by op (no fusion into
    DynamicQuantizeMatMul / MatMulIntegerToFloat): equal outputs."""
    build, kw = CASES[case]
    d = OUT / "dynamic_quant" / case
    d.mkdir(parents=True, exist_ok=True)
    model = quantize_dynamic(build(), d / "model_ref.onnx", **kw)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    for seed in (1, 2, 3):
        x = inputs_for(model, seed)
        got = sess.run(None, {model.graph.input[0].name: x[0]})[0]
        want = qcc.reference.run(model, x)[0]
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
