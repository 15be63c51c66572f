"""TFLite dynamic-range (hybrid) models: float32 activations, int8 weights, as the
converter writes them for `optimizations = [tf.lite.Optimize.DEFAULT]` without a
representative dataset. FULLY_CONNECTED (symmetric or asymmetric input quantization,
per-tensor or per-channel weights), CONV_2D (per-tensor: TFLite's EvalHybrid; per-channel:
EvalHybridPerChannel) and DEPTHWISE_CONV_2D, built with TFLite's schema
(python/qcc/tflite_builder.py), compiled for x86_64 and aarch64-rpi4 and compared with
LiteRT's reference kernels (BUILTIN_REF), which quantize the input at run time per batch
index exactly as qcc's qcc.dynamic_quantize does: the float outputs must agree to float
tolerance, which a single input value quantized one step apart would exceed.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import qcc
from qcc.tflite_builder import TFLiteBuilder, tflite_reference
from test_e2e import OUT, TARGETS


def int8_weights(b, r, name, shape, axis, per_channel):
    n = shape[axis] if per_channel else 1
    scales = r.uniform(0.002, 0.02, n).astype(np.float32)
    return b.const(name, r.integers(-127, 128, shape).astype(np.int8), scales,
                   np.zeros(n, np.int64), axis=axis)


def fc_model(per_channel, asymmetric, activation="RELU", batch=3, seed=61):
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x = b.tensor("x", (batch, 20), "float32")
    w = int8_weights(b, r, "w", (12, 20), 0, per_channel)
    bias = b.const("b", r.standard_normal(12).astype(np.float32) * 0.1)
    y = b.tensor("y", (batch, 12), "float32")
    b.op("FULLY_CONNECTED", [x, w, bias], [y], "FullyConnectedOptions",
         fused_activation_function=activation, asymmetric_quantize_inputs=asymmetric)
    return b, [x], [y]


def conv_model(per_channel, depthwise=False, stride=1, padding="SAME", activation="RELU6",
               batch=2, seed=62):
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x = b.tensor("x", (batch, 7, 7, 4), "float32")
    if depthwise:
        w = int8_weights(b, r, "w", (1, 3, 3, 8), 3, per_channel)
        f = 8
    else:
        w = int8_weights(b, r, "w", (6, 3, 3, 4), 0, per_channel)
        f = 6
    bias = b.const("b", r.standard_normal(f).astype(np.float32) * 0.1)
    o = (7 + stride - 1) // stride if padding == "SAME" else (7 - 3) // stride + 1
    y = b.tensor("y", (batch, o, o, f), "float32")
    opts = dict(padding=padding, stride_h=stride, stride_w=stride,
                fused_activation_function=activation)
    if depthwise:
        b.op("DEPTHWISE_CONV_2D", [x, w, bias], [y], "DepthwiseConv2DOptions",
             depth_multiplier=2, **opts)
    else:
        b.op("CONV_2D", [x, w, bias], [y], "Conv2DOptions", **opts)
    return b, [x], [y]


CASES = {
    "fc_symmetric_per_tensor": lambda: fc_model(False, False),
    "fc_asymmetric_per_tensor": lambda: fc_model(False, True, activation="NONE"),
    "fc_asymmetric_per_channel": lambda: fc_model(True, True),
    "fc_symmetric_per_channel_batch1": lambda: fc_model(True, False, batch=1),
    "conv_per_channel_same": lambda: conv_model(True),
    "conv_per_tensor_valid_s2": lambda: conv_model(False, stride=2, padding="VALID",
                                                   activation="NONE"),
    "depthwise_per_channel_s2": lambda: conv_model(True, depthwise=True, stride=2),
}


def inputs_for(builder, ins, seed):
    r = np.random.default_rng(seed)
    shape = builder.tensors[ins[0]].shape
    x = (r.standard_normal(shape) * 3).astype(np.float32)
    if seed == 2:
        x = np.abs(x)  # all positive: the asymmetric zero point at -128
    if seed == 3:
        x[0] = 0.0  # a batch index of zeros: scale 0 (asymmetric) or 1 (symmetric)
    return [x]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_tflite_hybrid(case, target):
    builder, ins, outs = CASES[case]()
    d = OUT / "tflite_hybrid" / case
    path = builder.save(d / "model.tflite", ins, outs)
    art = qcc.compile_model(path, target, d / target, name="m")
    app = qcc.build_app(art, d / target)
    for seed in (1, 2, 3):
        inputs = inputs_for(builder, ins, seed)
        expected = tflite_reference(path, inputs, "reference")
        actual, _ = qcc.run_app(app, art, inputs)
        for a, e in zip(actual, expected):
            assert a.shape == e.shape
            # The same f32 operations in the same order as LiteRT: equal but for an FMA
            # contraction a compiler may make (one rounding).
            np.testing.assert_allclose(a, e, rtol=2e-6, atol=2e-6 * float(np.abs(e).max()))


def test_hybrid_is_not_float():
    """The hybrid FULLY_CONNECTED really quantizes its input at run time: its outputs differ
    from the float product with dequantized weights by far more than the tolerance above
    (so that comparison could not pass with a float kernel)."""
    builder, ins, outs = fc_model(False, False, activation="NONE")
    path = builder.save(OUT / "tflite_hybrid" / "float_check" / "model.tflite", ins, outs)
    x = inputs_for(builder, ins, 1)[0]
    w = builder.data(builder.index_of("w")).astype(np.float32) * builder.tensors[
        builder.index_of("w")].quantization.scale[0]
    bias = builder.data(builder.index_of("b"))
    exact = x @ w.T + bias
    hybrid = tflite_reference(path, [x], "reference")[0]
    assert np.abs(hybrid - exact).max() > 100 * 2e-6 * np.abs(hybrid).max()


@pytest.mark.parametrize("target", TARGETS)
def test_hybrid_mobilenet_v2(target):
    """The bundled MobileNetV2 (Coral, uint8) in dynamic-range form (qcc.tflite_builder's
    hybrid_from_quantized: float activations, int8 per-channel filters re-quantized from its
    weights, 36 hybrid CONV_2D and 17 DEPTHWISE_CONV_2D): on the 224x224 cat photo and a
    random image, the same top-1 as LiteRT's reference kernels and probabilities within
    1e-5. Every layer before the final average pool runs the same f32 operations in the
    same order as LiteRT, so only the pool's and the softmax's summation orders differ."""
    from qcc.images import read_bmp
    from qcc.tflite_builder import hybrid_from_quantized
    root = Path(__file__).resolve().parents[2]
    d = OUT / "tflite_hybrid" / "mobilenet_v2"
    builder, ins, outs = hybrid_from_quantized(
        root / "examples" / "models" / "mobilenet_v2_1.0_224_quant.tflite")
    path = builder.save(d / "model.tflite", ins, outs)
    art = qcc.compile_model(path, target, d / target, name="m")
    app = qcc.build_app(art, d / target)
    cat = read_bmp(root / "examples" / "images" / "resized_cat.bmp").astype(np.float32)
    images = [(cat[None] - 128.0) / 128.0,
              np.random.default_rng(5).uniform(-1, 1, (1, 224, 224, 3)).astype(np.float32)]
    for x in images:
        expected = tflite_reference(path, [x], "reference")[0]
        actual = qcc.run_app(app, art, [x])[0][0]
        print(f"{target}: top-1 {actual.argmax()} (LiteRT {expected.argmax()}), "
              f"max diff {np.abs(actual - expected).max():.2e}")
        assert actual.argmax() == expected.argmax()
        np.testing.assert_allclose(actual, expected, atol=1e-5)
