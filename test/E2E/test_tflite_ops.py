"""TFLite operators compiled from .tflite files (built here with TFLite's own schema,
python/qcc/tflite_builder.py) on x86_64 and aarch64-rpi4, with --requant=fixed, against
TFLite's kernels: TFLite Micro (integer-only reference kernels) for int8 models, LiteRT's
reference kernels (BUILTIN_REF) for uint8 and float32 ones (TFLite Micro has no uint8
kernels). Every integer output must be equal, element for element; float outputs (the
float bilinear resizes) within rtol 1e-5.
"""
from __future__ import annotations

import numpy as np
import pytest

import qcc
from qcc.tflite_builder import TFLiteBuilder, tflite_reference
from test_e2e import OUT, TARGETS

INFO = {"int8": np.iinfo(np.int8), "uint8": np.iinfo(np.uint8)}


def zp(r, dtype):
    return int(r.integers(-20, 21)) if dtype == "int8" else int(r.integers(100, 156))


def act(b, r, name, shape, dtype, scale=None):
    return b.tensor(name, shape, dtype, scale or float(r.uniform(0.02, 0.1)), zp(r, dtype))


def filt(b, r, name, shape, dtype, out_axis, per_channel):
    """Weights: int8 symmetric (per channel when asked), or uint8 with a zero point."""
    n = shape[out_axis] if per_channel else 1
    scales = r.uniform(0.002, 0.02, n)
    if dtype == "int8":
        return b.const(name, r.integers(-127, 128, shape).astype(np.int8), scales,
                       np.zeros(n, np.int64), axis=out_axis), scales
    return b.const(name, r.integers(0, 256, shape).astype(np.uint8), scales,
                   np.full(n, 128), axis=out_axis), scales


def bias(b, r, name, n, x_scale, w_scales):
    """int32 bias with the scales TFLite's converter gives it: s_x * s_w in f32."""
    s = (np.float32(x_scale) * np.asarray(w_scales, np.float32)).astype(np.float64)
    return b.const(name, r.integers(-2000, 2000, n).astype(np.int32), s,
                   np.zeros(s.size, np.int64))


def conv_model(dtype, depthwise=False, stride=1, padding="SAME", activation="RELU6", seed=0):
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    c, f = (8, 8) if depthwise else (5, 6)
    xs = float(r.uniform(0.02, 0.1))
    x = act(b, r, "x", (1, 9, 9, c), dtype, xs)
    per_channel = dtype == "int8"
    if depthwise:
        w, ws = filt(b, r, "w", (1, 3, 3, f), dtype, 3, per_channel)
    else:
        w, ws = filt(b, r, "w", (f, 3, 3, c), dtype, 0, per_channel)
    bb = bias(b, r, "b", f, xs, ws)
    o = (9 + stride - 1) // stride if padding == "SAME" else (9 - 3) // stride + 1
    y = act(b, r, "y", (1, o, o, f), dtype)
    if depthwise:
        b.op("DEPTHWISE_CONV_2D", [x, w, bb], [y], "DepthwiseConv2DOptions", padding=padding,
             stride_h=stride, stride_w=stride, depth_multiplier=1,
             fused_activation_function=activation)
    else:
        b.op("CONV_2D", [x, w, bb], [y], "Conv2DOptions", padding=padding, stride_h=stride,
             stride_w=stride, fused_activation_function=activation)
    return b, [x], [y]


def transpose_conv_model(dtype, padding="SAME", stride=2, out_hw=(10, 10), activation=None,
                         with_bias=True, seed=10):
    """TRANSPOSE_CONV (inputs: output_shape, OHWI filter, input, optional bias) from a
    5x5 input; out_hw is what output_shape asks for."""
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    c, f, k = 4, 3, 3
    xs = float(r.uniform(0.02, 0.1))
    x = act(b, r, "x", (1, 5, 5, c), dtype, xs)
    shape = b.const("output_shape", np.array([1, *out_hw, f], np.int32))
    w, ws = filt(b, r, "w", (f, k, k, c), dtype, 0, dtype == "int8")
    ins = [shape, w, x] + ([bias(b, r, "b", f, xs, ws)] if with_bias else [])
    y = act(b, r, "y", (1, *out_hw, f), dtype)
    opts = dict(padding=padding, stride_h=stride, stride_w=stride)
    if activation:
        opts["fused_activation_function"] = activation
    b.op("TRANSPOSE_CONV", ins, [y], "TransposeConvOptions", **opts)
    return b, [x], [y]


def float16_model(seed=12):
    """The converter's float16 quantization: float16 filters and biases, each widened by a
    DEQUANTIZE, feeding a CONV_2D, a DEPTHWISE_CONV_2D and a FULLY_CONNECTED on float32
    activations."""
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()

    def half(name, shape, scale=0.3):
        h = b.const(name + "_f16", (r.standard_normal(shape) * scale).astype(np.float16))
        f = b.tensor(name, shape, "float32")
        b.op("DEQUANTIZE", [h], [f])
        return f

    x = b.tensor("x", (1, 6, 6, 3), "float32")
    c = b.tensor("c", (1, 6, 6, 4), "float32")
    b.op("CONV_2D", [x, half("w1", (4, 3, 3, 3)), half("b1", (4,))], [c], "Conv2DOptions",
         padding="SAME", stride_h=1, stride_w=1, fused_activation_function="RELU")
    dw = b.tensor("dw", (1, 3, 3, 4), "float32")
    b.op("DEPTHWISE_CONV_2D", [c, half("w2", (1, 3, 3, 4)), half("b2", (4,))], [dw],
         "DepthwiseConv2DOptions", padding="SAME", stride_h=2, stride_w=2, depth_multiplier=1,
         fused_activation_function="NONE")
    y = b.tensor("y", (1, 5), "float32")
    b.op("FULLY_CONNECTED", [dw, half("w3", (5, 36)), half("b3", (5,))], [y],
         "FullyConnectedOptions", fused_activation_function="NONE")
    return b, [x], [y]


def mean_model(axes, keep_dims, seed=13):
    """MEAN of a float NHWC tensor over `axes` (not only the spatial ones)."""
    b = TFLiteBuilder()
    x = b.tensor("x", (2, 3, 4, 5), "float32")
    ax = b.const("axes", np.array(axes, np.int32))
    shape = [d for k, d in enumerate((2, 3, 4, 5)) if k not in [a % 4 for a in axes]]
    if keep_dims:
        shape = [1 if k in [a % 4 for a in axes] else d for k, d in enumerate((2, 3, 4, 5))]
    y = b.tensor("y", shape, "float32")
    b.op("MEAN", [x, ax], [y], "ReducerOptions", keep_dims=keep_dims)
    return b, [x], [y]


def fc_model(dtype, seed=1):
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    xs = float(r.uniform(0.02, 0.1))
    x = act(b, r, "x", (1, 2, 2, 16), dtype, xs)
    w, ws = filt(b, r, "w", (10, 64), dtype, 0, False)
    bb = bias(b, r, "b", 10, xs, ws)
    y = act(b, r, "y", (1, 10), dtype)
    b.op("FULLY_CONNECTED", [x, w, bb], [y], "FullyConnectedOptions",
         fused_activation_function="RELU")
    return b, [x], [y]


def binary_model(dtype, op, seed=2):
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x0 = act(b, r, "a", (1, 6, 6, 4), dtype)
    x1 = act(b, r, "b", (1, 6, 6, 4), dtype)
    y = act(b, r, "y", (1, 6, 6, 4), dtype)
    opts = {"ADD": "AddOptions", "MUL": "MulOptions", "SUB": "SubOptions"}[op]
    b.op(op, [x0, x1], [y], opts, fused_activation_function="NONE")
    return b, [x0, x1], [y]


def pool_model(dtype, op, seed=3):
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x = act(b, r, "x", (1, 9, 9, 4), dtype)
    # TFLite's pooling keeps the input's parameters.
    q = b.tensors[x].quantization
    y = b.tensor("y", (1, 5, 5, 4), dtype, q.scale[0], q.zeroPoint[0])
    b.op(op, [x], [y], "Pool2DOptions", padding="SAME", stride_h=2, stride_w=2, filter_height=3,
         filter_width=3)
    return b, [x], [y]


def softmax_model(dtype, seed=4):
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x = act(b, r, "x", (1, 100), dtype, 0.1)
    y = b.tensor("y", (1, 100), dtype, 1 / 256, -128 if dtype == "int8" else 0)
    b.op("SOFTMAX", [x], [y], "SoftmaxOptions", beta=1.0)
    return b, [x], [y]


def reshape_concat_model(dtype, seed=5):
    """CONCATENATION on channels, then RESHAPE of the NHWC tensor: element order matters."""
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x0 = act(b, r, "a", (1, 3, 3, 2), dtype, 0.05)
    q = b.tensors[x0].quantization
    x1 = b.tensor("b", (1, 3, 3, 3), dtype, q.scale[0], q.zeroPoint[0])
    c = b.tensor("c", (1, 3, 3, 5), dtype, q.scale[0], q.zeroPoint[0])
    shape = b.const("shape", np.array([1, 45], np.int32))
    y = b.tensor("y", (1, 45), dtype, q.scale[0], q.zeroPoint[0])
    b.op("CONCATENATION", [x0, x1], [c], "ConcatenationOptions", axis=3)
    b.op("RESHAPE", [c, shape], [y], "ReshapeOptions", new_shape=[1, 45])
    return b, [x0, x1], [y]


def quantize_model(seed=6):
    """uint8 input requantized to int8 (TF2's uint8 I/O), a conv, back to uint8."""
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x = b.tensor("x", (1, 6, 6, 3), "uint8", 0.04, 128)
    xi = b.tensor("xi", (1, 6, 6, 3), "int8", 0.04, 0)
    w, ws = filt(b, r, "w", (4, 1, 1, 3), "int8", 0, True)
    bb = bias(b, r, "bias", 4, 0.04, ws)
    yi = b.tensor("yi", (1, 6, 6, 4), "int8", 0.03, -5)
    y = b.tensor("y", (1, 6, 6, 4), "uint8", 0.03, 123)
    b.op("QUANTIZE", [x], [xi])
    b.op("CONV_2D", [xi, w, bb], [yi], "Conv2DOptions", padding="VALID", stride_h=1, stride_w=1)
    b.op("QUANTIZE", [yi], [y])
    return b, [x], [y]


def elementwise_model(dtype, op, seed=7):
    """A unary or binary elementwise operator on NHWC tensors (MAXIMUM and MINIMUM with the
    parameters TFLite requires: the same on operands and result)."""
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x0 = act(b, r, "a", (1, 5, 5, 4), dtype, 0.05)
    q = b.tensors[x0].quantization
    if op in ("MAXIMUM", "MINIMUM"):
        x1 = b.tensor("b", (1, 5, 5, 4), dtype, q.scale[0], q.zeroPoint[0])
        y = b.tensor("y", (1, 5, 5, 4), dtype, q.scale[0], q.zeroPoint[0])
        b.op(op, [x0, x1], [y])
        return b, [x0, x1], [y]
    y = act(b, r, "y", (1, 5, 5, 4), dtype, 0.04)
    if op == "PRELU":  # a quantized alpha per channel (what the converter writes), some > 1
        info = INFO[dtype]
        zpa = 0 if dtype == "int8" else 128
        alpha = b.const("alpha", r.integers(info.min, info.max + 1, (1, 1, 4)).astype(dtype),
                        [0.01], [zpa])
        b.op(op, [x0, alpha], [y])
    elif op == "LEAKY_RELU":
        b.op(op, [x0], [y], "LeakyReluOptions", alpha=0.2)
    else:
        b.op(op, [x0], [y])
    return b, [x0], [y]


def data_movement_model(dtype, op, seed=8):
    """PAD / PADV2, SLICE / STRIDED_SLICE, SPLIT / SPLIT_V, ARG_MAX on an NHWC tensor, their
    parameters in TFLite's NHWC order."""
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    x = act(b, r, "x", (1, 6, 5, 8), dtype, 0.05)
    q = b.tensors[x].quantization
    same = lambda name, shape: b.tensor(name, shape, dtype, q.scale[0], q.zeroPoint[0])  # noqa
    if op == "PAD":
        y = same("y", (1, 7, 8, 9))
        b.op("PAD", [x, b.const("p", np.array([[0, 0], [1, 0], [1, 2], [0, 1]], np.int32))], [y])
    elif op == "PADV2":
        y = same("y", (1, 8, 5, 8))
        v = b.const("v", np.array([int(q.zeroPoint[0]) + 7], np.dtype(dtype)), q.scale[0],
                    q.zeroPoint[0])
        b.op("PADV2", [x, b.const("p", np.array([[0, 0], [2, 0], [0, 0], [0, 0]], np.int32)), v],
             [y])
    elif op == "SLICE":
        y = same("y", (1, 3, 2, 8))
        b.op("SLICE", [x, b.const("begin", np.array([0, 2, 1, 0], np.int32)),
                       b.const("size", np.array([1, 3, 2, -1], np.int32))], [y], "SliceOptions")
    elif op == "STRIDED_SLICE":
        # Rows 1, 3, 5 (stride 2, end masked), columns -4..-1, channel 2 shrunk away.
        y = same("y", (1, 3, 3))
        b.op("STRIDED_SLICE", [x, b.const("begin", np.array([0, 1, -4, 2], np.int32)),
                               b.const("end", np.array([1, 0, -1, 3], np.int32)),
                               b.const("strides", np.array([1, 2, 1, 1], np.int32))], [y],
             "StridedSliceOptions", end_mask=2, shrink_axis_mask=8)
    elif op == "SPLIT":
        outs = [same(f"y{k}", (1, 6, 5, 4)) for k in range(2)]
        b.op("SPLIT", [b.const("axis", np.array([3], np.int32)), x], outs, "SplitOptions",
             num_splits=2)
        return b, [x], outs
    elif op == "SPLIT_V":
        outs = [same(f"y{k}", (1, n, 5, 8)) for k, n in enumerate((1, 4, 1))]
        b.op("SPLIT_V", [x, b.const("sizes", np.array([1, -1, 1], np.int32)),
                         b.const("axis", np.array([1], np.int32))], outs, "SplitVOptions",
             num_splits=3)
        return b, [x], outs
    elif op == "TOPK_V2":  # the 3 largest channels (u8/s8 values keep their parameters)
        y = same("y", (1, 6, 5, 3))
        idx = b.tensor("idx", (1, 6, 5, 3), "int32")
        b.op("TOPK_V2", [x, b.const("k", np.array([3], np.int32))], [y, idx])
        return b, [x], [y, idx]
    elif op == "GATHER":  # columns 4, 0, 4, 2 (a repeat), then channels by a 2-D index
        g = same("g", (1, 6, 4, 8))
        b.op("GATHER", [x, b.const("cols", np.array([4, 0, 4, 2], np.int32))], [g],
             "GatherOptions", axis=2)
        y = same("y", (1, 6, 4, 3))
        # int64 positions too (LiteRT has them; TFLite Micro, the int8 reference, does not).
        wide = np.int64 if dtype == "uint8" else np.int32
        b.op("GATHER", [g, b.const("chans", np.array([7, 1, 3], wide))], [y],
             "GatherOptions", axis=-1)
    elif op == "GATHER_ND":  # (n, row) pairs and a full (n, row, col, channel) tuple
        y = same("y", (3, 5, 8))
        b.op("GATHER_ND", [x, b.const("rows", np.array([[0, 5], [0, 0], [0, 2]], np.int32))],
             [y])
        y2 = same("y2", (2,))
        b.op("GATHER_ND", [x, b.const("points", np.array([[0, 1, 2, 3], [0, 5, 4, 7]],
                                                         np.int32))], [y2])
        return b, [x], [y, y2]
    else:  # ARG_MAX over the channels and over the rows
        y = b.tensor("y", (1, 6, 5), "int32")
        b.op("ARG_MAX", [x, b.const("axis", np.array([3], np.int32))], [y], "ArgMaxOptions",
             output_type=2)
        # int64 indices too (LiteRT has them; TFLite Micro, the int8 reference, does not).
        wide = dtype == "uint8"
        y2 = b.tensor("y2", (1, 5, 8), "int64" if wide else "int32")
        b.op("ARG_MAX", [x, b.const("axis2", np.array([1], np.int32))], [y2], "ArgMaxOptions",
             output_type=4 if wide else 2)
        return b, [x], [y, y2]
    return b, [x], [y]


def conv_multiplier_model():
    """An int8 1x1 convolution whose requantization TFLite computes from the exact (f64)
    product s_x * s_w: with these scales (found by search) that multiplier's Q31 value
    differs from the one of the f32 product (1263776225 vs 1263776196, shift -5), and for
    the accumulator 6769 (input -67 plus bias 6836) the two round to 125 and 124. Every
    input value occurs once, so the test fails unless qcc uses TFLite's rule."""
    b = TFLiteBuilder()
    sx, sw, sy = 0.09693995118141174, 0.013334110379219055, 0.07028724253177643
    x = b.tensor("x", (1, 16, 16, 1), "int8", sx, 0)
    w = b.const("w", np.ones((1, 1, 1, 1), np.int8), [sw], [0], axis=0)
    bb = b.const("b", np.array([6836], np.int32),
                 [float(np.float32(sx) * np.float32(sw))], [0])
    y = b.tensor("y", (1, 16, 16, 1), "int8", sy, 0)
    b.op("CONV_2D", [x, w, bb], [y], "Conv2DOptions", padding="VALID", stride_h=1, stride_w=1)
    return b, [x], [y]


def resize_model(dtype, op, align=False, half_pixel=False, out_hw=(7, 10), seed=9):
    """RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR with TFLite's coordinate flags."""
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    if dtype == "float32":
        x = b.tensor("x", (1, 4, 5, 3), "float32")
        y = b.tensor("y", (1, *out_hw, 3), "float32")
    else:
        x = act(b, r, "x", (1, 4, 5, 3), dtype, 0.05)
        q = b.tensors[x].quantization
        y = b.tensor("y", (1, *out_hw, 3), dtype, q.scale[0], q.zeroPoint[0])
    options = "ResizeBilinearOptions" if op == "RESIZE_BILINEAR" else "ResizeNearestNeighborOptions"
    b.op(op, [x, b.const("size", np.array(out_hw, np.int32))], [y], options,
         align_corners=align, half_pixel_centers=half_pixel)
    return b, [x], [y]


def gather_cast_model():
    """Float GATHER with run-time int32 indices, then CAST float -> int32 (truncation) and
    int32 -> float, and uint8 -> float32."""
    b = TFLiteBuilder()
    x = b.tensor("x", (4, 6), "float32")
    idx = b.tensor("idx", (3,), "int32")
    g = b.tensor("g", (3, 6), "float32")
    b.op("GATHER", [x, idx], [g], "GatherOptions", axis=0)
    gi = b.tensor("gi", (3, 6), "int32")
    b.op("CAST", [g], [gi], "CastOptions", in_data_type=0, out_data_type=2)
    gf = b.tensor("gf", (3, 6), "float32")
    b.op("CAST", [gi], [gf], "CastOptions", in_data_type=2, out_data_type=0)
    u = b.tensor("u", (2, 4), "uint8")
    uf = b.tensor("uf", (2, 4), "float32")
    b.op("CAST", [u], [uf], "CastOptions", in_data_type=3, out_data_type=0)
    return b, [x, idx, u], [gi, gf, uf]


CASES = {
    "conv_s8_same_relu6": lambda: conv_model("int8"),
    "conv_s8_valid_stride2": lambda: conv_model("int8", stride=2, padding="VALID", activation="NONE"),
    "conv_u8_same": lambda: conv_model("uint8", activation="RELU"),
    "conv_s8_exact_product_multiplier": conv_multiplier_model,
    "depthwise_s8": lambda: conv_model("int8", depthwise=True),
    "depthwise_u8_stride2": lambda: conv_model("uint8", depthwise=True, stride=2),
    "transpose_conv_s8_same_s2": lambda: transpose_conv_model("int8"),
    "transpose_conv_s8_valid_relu": lambda: transpose_conv_model("int8", "VALID", out_hw=(11, 11),
                                                                 activation="RELU"),
    "transpose_conv_u8_same_s1_nobias": lambda: transpose_conv_model(
        "uint8", stride=1, out_hw=(5, 5), with_bias=False),
    "transpose_conv_s8_same_s2_odd": lambda: transpose_conv_model("int8", out_hw=(9, 9)),
    "float16_weights_f32": float16_model,
    "mean_channels_f32": lambda: mean_model([3], False),
    "mean_batch_width_keep_f32": lambda: mean_model([0, -2], True),
    "fully_connected_s8": lambda: fc_model("int8"),
    "fully_connected_u8": lambda: fc_model("uint8"),
    "add_s8": lambda: binary_model("int8", "ADD"),
    "add_u8": lambda: binary_model("uint8", "ADD"),
    "mul_s8": lambda: binary_model("int8", "MUL"),
    "average_pool_s8": lambda: pool_model("int8", "AVERAGE_POOL_2D"),
    "max_pool_u8": lambda: pool_model("uint8", "MAX_POOL_2D"),
    "softmax_s8": lambda: softmax_model("int8"),
    "concat_reshape_s8": lambda: reshape_concat_model("int8"),
    "quantize_u8_s8": quantize_model,
    "maximum_s8": lambda: elementwise_model("int8", "MAXIMUM"),
    "minimum_u8": lambda: elementwise_model("uint8", "MINIMUM"),
    "leaky_relu_s8": lambda: elementwise_model("int8", "LEAKY_RELU"),
    "prelu_s8": lambda: elementwise_model("int8", "PRELU"),
    "prelu_u8": lambda: elementwise_model("uint8", "PRELU"),
    "pad_s8": lambda: data_movement_model("int8", "PAD"),
    "padv2_u8": lambda: data_movement_model("uint8", "PADV2"),
    "slice_s8": lambda: data_movement_model("int8", "SLICE"),
    "strided_slice_u8": lambda: data_movement_model("uint8", "STRIDED_SLICE"),
    "split_s8": lambda: data_movement_model("int8", "SPLIT"),
    "split_v_u8": lambda: data_movement_model("uint8", "SPLIT_V"),
    "topk_u8": lambda: data_movement_model("uint8", "TOPK_V2"),
    "gather_s8": lambda: data_movement_model("int8", "GATHER"),
    "gather_u8": lambda: data_movement_model("uint8", "GATHER"),
    "gather_nd_s8": lambda: data_movement_model("int8", "GATHER_ND"),
    "gather_cast_f32": gather_cast_model,
    "arg_max_s8": lambda: data_movement_model("int8", "ARG_MAX"),
    "arg_max_u8": lambda: data_movement_model("uint8", "ARG_MAX"),
    "resize_nearest_s8": lambda: resize_model("int8", "RESIZE_NEAREST_NEIGHBOR"),
    "resize_nearest_u8_half_pixel": lambda: resize_model("uint8", "RESIZE_NEAREST_NEIGHBOR",
                                                         half_pixel=True, out_hw=(3, 9)),
    "resize_nearest_s8_align": lambda: resize_model("int8", "RESIZE_NEAREST_NEIGHBOR", align=True),
    # 8-bit bilinear resizes: TFLite's integer kernel (int8, 10-bit weights) and its float
    # kernel on the stored values (uint8, + 0.5 and truncated).
    "resize_bilinear_s8": lambda: resize_model("int8", "RESIZE_BILINEAR"),
    "resize_bilinear_s8_half_pixel": lambda: resize_model("int8", "RESIZE_BILINEAR",
                                                          half_pixel=True, out_hw=(3, 9)),
    "resize_bilinear_s8_align": lambda: resize_model("int8", "RESIZE_BILINEAR", align=True),
    "resize_bilinear_u8": lambda: resize_model("uint8", "RESIZE_BILINEAR"),
    "resize_bilinear_u8_half_pixel": lambda: resize_model("uint8", "RESIZE_BILINEAR",
                                                          half_pixel=True),
    "resize_bilinear_u8_align": lambda: resize_model("uint8", "RESIZE_BILINEAR", align=True,
                                                     out_hw=(3, 8)),
    "resize_bilinear_f32": lambda: resize_model("float32", "RESIZE_BILINEAR"),
    "resize_bilinear_f32_half_pixel": lambda: resize_model("float32", "RESIZE_BILINEAR",
                                                           half_pixel=True, out_hw=(3, 8)),
    "resize_bilinear_f32_align": lambda: resize_model("float32", "RESIZE_BILINEAR", align=True),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_tflite_op_fixed(case, target):
    builder, ins, outs = CASES[case]()
    d = OUT / "tflite_ops" / case
    path = builder.save(d / "model.tflite", ins, outs)
    r = np.random.default_rng(100)
    inputs = []
    if case == "conv_s8_exact_product_multiplier":  # every int8 value once
        inputs = [np.arange(-128, 128, dtype=np.int8).reshape(1, 16, 16, 1)]
    if case == "gather_cast_f32":  # values to truncate both ways, indices from the end too
        inputs = [(r.standard_normal((4, 6)) * 20).astype(np.float32),
                  np.array([3, 0, 3], np.int32), r.integers(0, 256, (2, 4)).astype(np.uint8)]
    for t in ins[len(inputs):]:
        if builder.tensors[t].type == 0:  # float32
            inputs.append(r.standard_normal(builder.tensors[t].shape).astype(np.float32))
            continue
        dtype = {9: "int8", 3: "uint8"}[builder.tensors[t].type]
        inputs.append(r.integers(INFO[dtype].min, INFO[dtype].max + 1,
                                 builder.tensors[t].shape).astype(dtype))
    integer_only = all(builder.tensors[t].type in (2, 4, 9) for t in [*ins, *outs])
    expected = tflite_reference(path, inputs, "micro" if integer_only else "reference")
    art = qcc.compile_model(path, target, d / target, name="m", extra_args=["--requant=fixed"])
    app = qcc.build_app(art, d / target)
    actual, _ = qcc.run_app(app, art, inputs)
    for a, e in zip(actual, expected):
        assert a.shape == e.shape
        if a.dtype == np.float32:  # float models: LiteRT's reference kernels, f32 tolerance
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)
            continue
        diff = np.abs(a.astype(np.int64) - e.astype(np.int64))
        assert diff.max() == 0, f"{(diff > 0).sum()} of {diff.size} differ (max {diff.max()} LSB)"


def detection_model(dtype, n=300, classes=5, max_det=10, seed=21, regular=False, per_class=100):
    """An SSD head's end: class logits through LOGISTIC, then TFLite_Detection_PostProcess
    on box encodings and a constant anchor grid (the TF Object Detection API's export: y, x,
    h, w scales 10, 10, 5, 5, fast NMS, one class per detection; or the regular, per-class
    NMS with `per_class` detections per class)."""
    r = np.random.default_rng(seed)
    b = TFLiteBuilder()
    side = int(np.ceil(np.sqrt(n)))
    cy, cx = np.divmod(np.arange(n), side)
    anchors = np.stack([(cy + 0.5) / side, (cx + 0.5) / side,
                        np.full(n, 2.5 / side), np.full(n, 2.5 / side)], 1).astype(np.float32)
    if dtype == "float32":
        boxes = b.tensor("boxes", (1, n, 4), "float32")
        logits = b.tensor("logits", (1, n, classes + 1), "float32")
        scores = b.tensor("scores", (1, n, classes + 1), "float32")
        a = b.const("anchors", anchors)
    else:
        boxes = b.tensor("boxes", (1, n, 4), "uint8", 0.08, 128)
        logits = b.tensor("logits", (1, n, classes + 1), "uint8", 0.06, 150)
        scores = b.tensor("scores", (1, n, classes + 1), "uint8", 1 / 256, 0)
        a = b.const("anchors", np.round(anchors / 0.005).astype(np.uint8), [0.005], [0])
    b.op("LOGISTIC", [logits], [scores])
    outs = [b.tensor("det_boxes", (1, max_det, 4), "float32"),
            b.tensor("det_classes", (1, max_det), "float32"),
            b.tensor("det_scores", (1, max_det), "float32"),
            b.tensor("num_det", (1,), "float32")]
    b.op("CUSTOM:TFLite_Detection_PostProcess", [boxes, scores, a], outs,
         custom_options={"max_detections": max_det, "max_classes_per_detection": 1,
                         "detections_per_class": per_class, "use_regular_nms": regular,
                         "nms_score_threshold": 0.3, "nms_iou_threshold": 0.5,
                         "num_classes": classes, "y_scale": 10.0, "x_scale": 10.0,
                         "h_scale": 5.0, "w_scale": 5.0})
    return b, [boxes, logits], outs


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("dtype,scene,nms", [
    ("uint8", "many", "fast"), ("uint8", "few", "fast"), ("float32", "many", "fast"),
    ("float32", "multiclass", "fast"), ("float32", "multiclass", "regular"),
    ("float32", "multiclass", "regular_3_per_class"), ("uint8", "few", "regular")])
def test_detection_postprocess(dtype, scene, nms, target):
    """Against LiteRT's reference kernels: the same number of detections, the same anchors'
    boxes in the same order with the same classes and scores. Boxes within 1e-5 (qcc's
    exponential is f32, TFLite's f64); slots past the count are not compared (TFLite leaves
    them unwritten, qcc writes zeros). The regular NMS is compared on scores without ties
    between classes (float32), whose order TFLite's partial sort leaves open."""
    builder, ins, outs = detection_model(dtype, regular=nms != "fast",
                                         per_class=3 if nms.endswith("3_per_class") else 100)
    d = OUT / "tflite_ops" / f"detection_{dtype}_{scene}_{nms}"
    path = builder.save(d / "model.tflite", ins, outs)
    r = np.random.default_rng(7)
    if dtype == "float32" and scene == "multiclass":
        # Five far-apart anchors confident in class 1 (logit 5) and nearly in class 2 (4.5),
        # the rest below sigmoid(1.5): the fast NMS keeps one class per anchor, the regular
        # one both, the 3-per-class one three of each.
        logits = (r.standard_normal((1, 300, 6)) - 2.5).astype(np.float32)
        for a in (20, 80, 150, 210, 270):
            logits[0, a, 2], logits[0, a, 3] = 5.0, 4.5
        inputs = [(r.standard_normal((1, 300, 4)) * 1.5).astype(np.float32), logits]
    elif dtype == "float32":
        inputs = [(r.standard_normal((1, 300, 4)) * 1.5).astype(np.float32),
                  (r.standard_normal((1, 300, 6)) * 2 - 1).astype(np.float32)]
    elif scene == "many":  # scores from 0.05 to 0.99, many equal (u8): ties in the order
        inputs = [r.integers(100, 156, (1, 300, 4)).astype(np.uint8),
                  r.integers(100, 230, (1, 300, 6)).astype(np.uint8)]
    else:  # six confident anchors, two of them overlapping neighbours: fewer than 10 kept
        logits = np.full((1, 300, 6), 60, np.uint8)
        for a, cls in [(40, 2), (41, 2), (120, 5), (200, 1), (201, 3), (290, 4)]:
            logits[0, a, cls] = 250
        inputs = [np.full((1, 300, 4), 128, np.uint8), logits]
    expected = tflite_reference(path, inputs, "reference")
    art = qcc.compile_model(path, target, d / target, name="m", extra_args=["--requant=fixed"])
    actual, _ = qcc.run_app(qcc.build_app(art, d / target), art, inputs)
    count = int(expected[3][0])
    assert (count == 10) if scene in ("many", "multiclass") else (2 <= count < 10), count
    if scene == "multiclass" and nms != "fast":  # the case tells the two NMS apart
        fast, fast_ins, fast_outs = detection_model(dtype)
        fast_path = fast.save(d / "fast.tflite", fast_ins, fast_outs)
        assert not np.array_equal(tflite_reference(fast_path, inputs, "reference")[1],
                                  expected[1])
    assert int(actual[3][0]) == count
    np.testing.assert_array_equal(actual[1][0, :count], expected[1][0, :count])
    np.testing.assert_array_equal(actual[2][0, :count], expected[2][0, :count])
    np.testing.assert_allclose(actual[0][0, :count], expected[0][0, :count], rtol=1e-5,
                               atol=1e-6)
    assert not actual[0][0, count:].any() and not actual[2][0, count:].any()
