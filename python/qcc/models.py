"""Test models built with onnx.helper: one per supported op and attribute variant, a
MobileNetV2-style network, and QDQ versions quantized by onnxruntime.quantization.

Weights and inputs come from seeded generators, so every run builds the same models.
Reference outputs are never stored: the tests ask ONNX Runtime each time.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
FLOAT = TensorProto.FLOAT


@dataclasses.dataclass
class Case:
    name: str
    model: onnx.ModelProto
    inputs: list
    quantized: bool = False  # outputs compared in LSBs instead of float tolerance


def make_model(nodes, inputs, outputs, initializers=(), name="g", opset=OPSET):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def vi(name, shape, dtype=FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def rng(seed):
    return np.random.default_rng(seed)


def single_op(name, op, in_shapes, out_shape, attrs=None, consts=None, seed=0, opset=OPSET,
              **kw):
    """One node; extra constant inputs (weights) come from `consts` (name -> array)."""
    r = rng(seed)
    consts = consts or {}
    in_names = [f"x{i}" for i in range(len(in_shapes))]
    node = helper.make_node(op, in_names + list(consts), ["y"], name=f"{op.lower()}_0",
                            **(attrs or {}))
    model = make_model([node], [vi(n, s) for n, s in zip(in_names, in_shapes)],
                       [vi("y", out_shape)], [init(k, v) for k, v in consts.items()], opset=opset)
    inputs = [r.standard_normal(s).astype(np.float32) for s in in_shapes]
    return Case(name, model, inputs, **kw)


def weights(r, *shape, scale=None):
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    scale = scale if scale is not None else np.sqrt(2.0 / fan_in)
    return (r.standard_normal(shape) * scale).astype(np.float32)


def op_cases() -> list:
    r = rng(1)
    c = []
    # Conv: groups (depthwise), strides, pads, dilations, auto_pad, bias or not.
    c.append(single_op("conv_3x3_pad1_bias", "Conv", [(1, 3, 8, 8)], (1, 4, 8, 8),
                       {"pads": [1, 1, 1, 1], "kernel_shape": [3, 3]},
                       {"w": weights(r, 4, 3, 3, 3), "b": r.standard_normal(4).astype(np.float32)}))
    c.append(single_op("conv_stride2_nobias", "Conv", [(1, 4, 9, 9)], (1, 6, 4, 4),
                       {"strides": [2, 2]}, {"w": weights(r, 6, 4, 3, 3)}))
    c.append(single_op("conv_dilation2_asym_pads", "Conv", [(1, 2, 10, 9)], (1, 3, 8, 8),
                       {"dilations": [2, 2], "pads": [1, 0, 1, 3]},
                       {"w": weights(r, 3, 2, 3, 3), "b": r.standard_normal(3).astype(np.float32)}))
    c.append(single_op("conv_group2", "Conv", [(1, 4, 6, 6)], (1, 6, 6, 6),
                       {"group": 2, "pads": [1, 1, 1, 1]},
                       {"w": weights(r, 6, 2, 3, 3), "b": r.standard_normal(6).astype(np.float32)}))
    c.append(single_op("conv_depthwise_s2", "Conv", [(1, 8, 10, 10)], (1, 8, 5, 5),
                       {"group": 8, "strides": [2, 2], "pads": [1, 1, 1, 1]},
                       {"w": weights(r, 8, 1, 3, 3), "b": r.standard_normal(8).astype(np.float32)}))
    c.append(single_op("conv_same_upper_s2", "Conv", [(1, 3, 7, 7)], (1, 2, 4, 4),
                       {"auto_pad": "SAME_UPPER", "strides": [2, 2]}, {"w": weights(r, 2, 3, 3, 3)}))
    c.append(single_op("conv_1x1_batch2", "Conv", [(2, 5, 3, 3)], (2, 7, 3, 3), {},
                       {"w": weights(r, 7, 5, 1, 1), "b": r.standard_normal(7).astype(np.float32)}))
    # MatMul with batch broadcasting; Gemm with transA/transB/alpha/beta.
    c.append(single_op("matmul_2d", "MatMul", [(3, 4)], (3, 5), {}, {"w": weights(r, 4, 5)}))
    c.append(single_op("matmul_batched", "MatMul", [(2, 3, 4), (2, 4, 5)], (2, 3, 5)))
    c.append(single_op("matmul_broadcast", "MatMul", [(2, 1, 3, 4), (3, 4, 2)], (2, 3, 3, 2)))
    c.append(single_op("gemm_transb_bias", "Gemm", [(2, 6)], (2, 5), {"transB": 1},
                       {"w": weights(r, 5, 6), "b": r.standard_normal(5).astype(np.float32)}))
    c.append(single_op("gemm_transa_alpha_beta", "Gemm", [(6, 3)], (3, 4),
                       {"transA": 1, "alpha": 0.5, "beta": 2.0},
                       {"w": weights(r, 6, 4), "c": r.standard_normal((1, 4)).astype(np.float32)}))
    c.append(single_op("gemm_no_c", "Gemm", [(2, 3), (3, 4)], (2, 4), {"alpha": 1.5}))
    # Elementwise with broadcasting.
    c.append(single_op("add_broadcast", "Add", [(1, 4, 3, 3), (4, 1, 1)], (1, 4, 3, 3)))
    c.append(single_op("sub_broadcast", "Sub", [(2, 3), (3,)], (2, 3)))
    c.append(single_op("mul_broadcast", "Mul", [(1, 4, 3, 3)], (1, 4, 3, 3), {},
                       {"s": r.standard_normal((1, 4, 1, 1)).astype(np.float32)}))
    c.append(single_op("div", "Div", [(2, 3)], (2, 3), {},
                       {"d": (r.uniform(0.5, 2.0, (2, 3)) * np.sign(r.standard_normal((2, 3)))).astype(np.float32)}))
    c.append(single_op("relu", "Relu", [(1, 3, 4, 4)], (1, 3, 4, 4)))
    c.append(single_op("clip_relu6", "Clip", [(1, 3, 4, 4)], (1, 3, 4, 4), {},
                       {"lo": np.array(0, np.float32), "hi": np.array(6, np.float32)}))
    # Clip with only min: the empty input name skips min... here max is absent.
    c.append(single_op("clip_min_only", "Clip", [(2, 5)], (2, 5), {},
                       {"lo": np.array(-0.5, np.float32)}))
    # Pooling.
    c.append(single_op("maxpool_3x3_s2_p1", "MaxPool", [(1, 3, 9, 9)], (1, 3, 5, 5),
                       {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}))
    c.append(single_op("maxpool_ceil", "MaxPool", [(1, 2, 6, 6)], (1, 2, 3, 3),
                       {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}))
    c.append(single_op("maxpool_dilation2", "MaxPool", [(1, 2, 7, 7)], (1, 2, 3, 3),
                       {"kernel_shape": [2, 2], "strides": [2, 2], "dilations": [2, 2]}))
    c.append(single_op("avgpool_2x2", "AveragePool", [(1, 3, 8, 8)], (1, 3, 4, 4),
                       {"kernel_shape": [2, 2], "strides": [2, 2]}))
    c.append(single_op("avgpool_pad_include", "AveragePool", [(1, 2, 5, 5)], (1, 2, 5, 5),
                       {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": 1}))
    c.append(single_op("avgpool_pad_exclude", "AveragePool", [(1, 2, 5, 5)], (1, 2, 3, 3),
                       {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}))
    c.append(single_op("avgpool_ceil", "AveragePool", [(1, 2, 6, 6)], (1, 2, 3, 3),
                       {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1}))
    c.append(single_op("global_avgpool", "GlobalAveragePool", [(2, 4, 5, 3)], (2, 4, 1, 1)))
    # Shapes and data movement.
    c.append(single_op("reshape", "Reshape", [(1, 2, 3, 4)], (6, 4), {},
                       {"shape": np.array([-1, 4], np.int64)}))
    c.append(single_op("flatten", "Flatten", [(2, 3, 2, 2)], (2, 12), {"axis": 1}))
    c.append(single_op("squeeze", "Squeeze", [(1, 3, 1, 2)], (3, 2), {},
                       {"axes": np.array([0, 2], np.int64)}))
    c.append(single_op("unsqueeze", "Unsqueeze", [(3, 2)], (1, 3, 2, 1), {},
                       {"axes": np.array([0, -1], np.int64)}))
    c.append(single_op("transpose_nhwc", "Transpose", [(1, 3, 4, 5)], (1, 4, 5, 3),
                       {"perm": [0, 2, 3, 1]}))
    c.append(single_op("transpose_default", "Transpose", [(2, 3, 4)], (4, 3, 2)))
    c.append(single_op("concat_axis1", "Concat", [(1, 2, 3, 3), (1, 3, 3, 3)], (1, 5, 3, 3),
                       {"axis": 1}))
    c.append(single_op("concat_neg_axis", "Concat", [(2, 3), (2, 1), (2, 2)], (2, 6),
                       {"axis": -1}))
    c.append(single_op("sigmoid", "Sigmoid", [(2, 3, 4)], (2, 3, 4)))
    c.append(single_op("tanh", "Tanh", [(2, 3, 4)], (2, 3, 4)))
    hs = single_op("hard_swish", "HardSwish", [(2, 3, 4)], (2, 3, 4), opset=14)
    hs.inputs[0] = hs.inputs[0] * 4  # reach both flat parts
    c.append(hs)
    c.append(single_op("exp", "Exp", [(2, 3, 4)], (2, 3, 4)))
    sq = single_op("sqrt", "Sqrt", [(2, 3, 4)], (2, 3, 4))
    sq.inputs[0] = np.abs(sq.inputs[0])
    c.append(sq)
    c.append(single_op("leaky_relu", "LeakyRelu", [(2, 3, 4)], (2, 3, 4), {"alpha": 0.2}))
    c.append(single_op("prelu_per_channel", "PRelu", [(1, 3, 4, 4)], (1, 3, 4, 4), {},
                       {"slope": np.array([0.1, -0.5, 2.0], np.float32).reshape(3, 1, 1)}))
    c.append(single_op("prelu_scalar_slope", "PRelu", [(2, 5)], (2, 5), {},
                       {"slope": np.array([0.25], np.float32)}))
    c.append(single_op("max_3_broadcast", "Max", [(2, 3, 4), (3, 1), (4,)], (2, 3, 4)))
    c.append(single_op("min_2", "Min", [(2, 3, 4), (2, 3, 4)], (2, 3, 4)))
    # Pad, Slice, Split, ArgMax, ReduceMean with their parameters as constants.
    c.append(single_op("pad_constant_value", "Pad", [(1, 2, 3, 4)], (1, 2, 5, 7), {},
                       {"pads": np.array([0, 0, 1, 2, 0, 0, 1, 1], np.int64),
                        "value": np.array(1.5, np.float32)}))
    c.append(single_op("slice_steps_negative_start", "Slice", [(2, 6, 8)], (2, 2, 3), {},
                       {"starts": np.array([-5, 1], np.int64),
                        "ends": np.array([np.iinfo(np.int64).max, 8], np.int64),
                        "axes": np.array([1, 2], np.int64), "steps": np.array([3, 3], np.int64)}))
    split = make_model(
        [helper.make_node("Split", ["x0", "sizes"], ["a", "b", "c"], name="split_0", axis=1)],
        [vi("x0", (1, 7, 2))], [vi("a", (1, 2, 2)), vi("b", (1, 4, 2)), vi("c", (1, 1, 2))],
        [init("sizes", np.array([2, 4, 1], np.int64))])
    c.append(Case("split_sizes", split, [rng(4).standard_normal((1, 7, 2)).astype(np.float32)]))
    am = single_op("argmax_axis1", "ArgMax", [(2, 5, 3)], (2, 3), {"axis": 1, "keepdims": 0})
    am.model.graph.output[0].type.tensor_type.elem_type = TensorProto.INT64
    c.append(am)
    ties = single_op("argmax_last_ties_keepdims", "ArgMax", [(3, 4)], (3, 1),
                     {"axis": -1, "select_last_index": 1})
    ties.model.graph.output[0].type.tensor_type.elem_type = TensorProto.INT64
    ties.inputs[0] = np.round(ties.inputs[0]).astype(np.float32)  # ties
    c.append(ties)
    c.append(single_op("reduce_mean_spatial", "ReduceMean", [(1, 3, 4, 5)], (1, 3, 1, 1),
                       {"axes": [2, 3]}))
    c.append(single_op("reduce_mean_axis1_drop", "ReduceMean", [(2, 5, 3)], (2, 3),
                       {"axes": [-2], "keepdims": 0}))
    c.append(single_op("reduce_mean_all_keepdims", "ReduceMean", [(2, 3, 4)], (1, 1, 1)))

    # Resize: nearest and linear, scales or sizes, ONNX's coordinate modes.
    for name, attrs_, scales, sizes, in_shape, out_shape in [
        ("resize_nearest_asymmetric_floor", {"mode": "nearest", "nearest_mode": "floor",
         "coordinate_transformation_mode": "asymmetric"}, [1, 1, 2, 2], None, (1, 2, 3, 4),
         (1, 2, 6, 8)),
        ("resize_nearest_half_pixel_sizes", {"mode": "nearest"}, None, [1, 2, 5, 7],
         (1, 2, 3, 4), (1, 2, 5, 7)),
        ("resize_linear_half_pixel", {"mode": "linear"}, [1, 1, 2, 2], None, (1, 3, 4, 5),
         (1, 3, 8, 10)),
        ("resize_linear_align_corners_down", {"mode": "linear",
         "coordinate_transformation_mode": "align_corners"}, None, [1, 2, 3, 4], (1, 2, 7, 9),
         (1, 2, 3, 4)),
        ("resize_linear_pytorch_half_pixel", {"mode": "linear",
         "coordinate_transformation_mode": "pytorch_half_pixel"}, [1, 1, 1.5, 0.5], None,
         (1, 2, 4, 6), (1, 2, 6, 3))]:
        inits_ = [init("scales", np.array(scales, np.float32))] if scales else \
            [init("sizes", np.array(sizes, np.int64))]
        node = helper.make_node("Resize", ["x0", "", "scales" if scales else "", *(
            [] if scales else ["sizes"])], ["y"], name="resize_0", **attrs_)
        c.append(Case(name, make_model([node], [vi("x0", in_shape)], [vi("y", out_shape)], inits_),
                      [rng(6).standard_normal(in_shape).astype(np.float32)]))
    # Gather, GatherND (constant and run-time indices, negative ones from the end), Cast.
    c.append(single_op("gather_axis1_neg_indices", "Gather", [(2, 5, 3)], (2, 2, 2, 3),
                       {"axis": 1}, {"idx": np.array([[0, -1], [3, 2]], np.int64)}))
    g = make_model([helper.make_node("Gather", ["x0", "i"], ["y"], name="gather_0", axis=-1)],
                   [vi("x0", (3, 6)), vi("i", (4,), TensorProto.INT32)], [vi("y", (3, 4))])
    c.append(Case("gather_runtime_indices", g,
                  [rng(7).standard_normal((3, 6)).astype(np.float32),
                   np.array([5, 0, -2, 5], np.int32)]))
    c.append(single_op("gathernd_batch_dims1", "GatherND", [(2, 3, 4)], (2, 2, 4),
                       {"batch_dims": 1}, {"idx": np.array([[[2], [0]], [[1], [-1]]], np.int64)}))
    c.append(single_op("gathernd_full_tuples", "GatherND", [(3, 4, 5)], (2,), {},
                       {"idx": np.array([[2, 3, 4], [0, -1, 1]], np.int64)}))
    gnd = make_model([helper.make_node("GatherND", ["x0", "i"], ["y"], name="gathernd_0")],
                     [vi("x0", (4, 5, 2)), vi("i", (3, 2), TensorProto.INT64)],
                     [vi("y", (3, 2))])
    c.append(Case("gathernd_runtime_indices", gnd,
                  [rng(8).standard_normal((4, 5, 2)).astype(np.float32),
                   np.array([[3, 4], [0, 0], [1, -3]], np.int64)]))
    ci = single_op("cast_f32_to_int32_truncates", "Cast", [(2, 3, 4)], (2, 3, 4),
                   {"to": TensorProto.INT32})
    ci.model.graph.output[0].type.tensor_type.elem_type = TensorProto.INT32
    ci.inputs[0] = ci.inputs[0] * 50
    c.append(ci)
    cf = make_model([helper.make_node("Cast", ["x0"], ["y"], name="cast_0", to=FLOAT)],
                    [vi("x0", (2, 5), TensorProto.INT64)], [vi("y", (2, 5))])
    c.append(Case("cast_int64_to_f32", cf,
                  [np.array([[-3, 0, 7, 1 << 40, -(1 << 33)], [1, 2, 3, 4, 5]], np.int64)]))
    cu = make_model([helper.make_node("Cast", ["x0"], ["y"], name="cast_0", to=FLOAT)],
                    [vi("x0", (2, 4), TensorProto.UINT8)], [vi("y", (2, 4))])
    c.append(Case("cast_uint8_to_f32", cu,
                  [np.array([[0, 1, 127, 128], [200, 255, 3, 64]], np.uint8)]))
    # ArgMax -> Cast -> arithmetic, as pose heads decode keypoint positions.
    ac = make_model([helper.make_node("ArgMax", ["x0"], ["a"], name="argmax_0", axis=1,
                                      keepdims=0),
                     helper.make_node("Cast", ["a"], ["af"], name="cast_0", to=FLOAT),
                     helper.make_node("Mul", ["af", "k"], ["y"], name="mul_0")],
                    [vi("x0", (2, 7))], [vi("y", (2,))], [init("k", np.float32(0.5))])
    c.append(Case("argmax_cast_mul", ac, [rng(9).standard_normal((2, 7)).astype(np.float32)]))
    # Shape computations as PyTorch exports them, evaluated at compile time: flatten by
    # Shape -> Gather -> Unsqueeze -> Concat -> Reshape, Resize sizes from Shape -> Slice ->
    # Concat, and a ConstantOfShape fill added to the result.
    i64 = lambda name, v: init(name, np.array(v, np.int64))  # noqa: E731
    sh = make_model(
        [helper.make_node("Shape", ["x0"], ["s"], name="shape_0"),
         helper.make_node("Gather", ["s", "zero"], ["n"], name="gather_0", axis=0),
         helper.make_node("Unsqueeze", ["n", "ax0"], ["nu"], name="unsqueeze_0"),
         helper.make_node("Concat", ["nu", "minus1"], ["target"], name="concat_0", axis=0),
         helper.make_node("Reshape", ["x0", "target"], ["flat"], name="reshape_0"),
         helper.make_node("Shape", ["x0"], ["s2"], name="shape_1", start=0, end=2),
         helper.make_node("Concat", ["s2", "hw"], ["sizes"], name="concat_1", axis=0),
         helper.make_node("Resize", ["x0", "", "", "sizes"], ["big"], name="resize_0",
                          mode="nearest"),
         helper.make_node("Shape", ["big"], ["s3"], name="shape_2"),
         helper.make_node("Cast", ["s3"], ["s3f"], name="cast_0", to=TensorProto.FLOAT),
         helper.make_node("ConstantOfShape", ["s3"], ["fill"], name="fill_0",
                          value=numpy_helper.from_array(np.array([0.25], np.float32))),
         helper.make_node("Add", ["big", "fill"], ["y"], name="add_0"),
         helper.make_node("Size", ["big"], ["sz"], name="size_0"),
         helper.make_node("Range", ["zero_s", "sz_lim", "three"], ["r"], name="range_0")],
        [vi("x0", (2, 3, 4, 4))],
        [vi("flat", (2, 48)), vi("y", (2, 3, 8, 6)), vi("s3f", (4,)),
         vi("r", (4,), TensorProto.INT64), vi("sz", (), TensorProto.INT64)],
        [i64("zero", 0), i64("ax0", [0]), i64("minus1", [-1]), i64("hw", [8, 6]),
         i64("zero_s", 0), i64("sz_lim", 10), i64("three", 3)], opset=15)
    c.append(Case("shape_computations_folded", sh,
                  [rng(10).standard_normal((2, 3, 4, 4)).astype(np.float32)]))
    # TopK: largest along the last axis, smallest along axis 1, ties (lower index first).
    for name, attrs_, shape, k, out in [("topk_largest_last", {}, (2, 3, 10), 4, (2, 3, 4)),
                                        ("topk_smallest_axis1", {"axis": 1, "largest": 0},
                                         (2, 6, 3), 2, (2, 2, 3))]:
        tk = make_model([helper.make_node("TopK", ["x0", "k"], ["v", "i"], name="topk_0",
                                          **attrs_)],
                        [vi("x0", shape)], [vi("v", out), vi("i", out, TensorProto.INT64)],
                        [init("k", np.array([k], np.int64))])
        x = rng(11).standard_normal(shape).astype(np.float32)
        if name == "topk_largest_last":
            x = np.round(x * 2).astype(np.float32)  # many equal values
        c.append(Case(name, tk, [x]))
    c.append(single_op("softmax_last", "Softmax", [(2, 10)], (2, 10)))
    c.append(single_op("softmax_axis1", "Softmax", [(2, 3, 4)], (2, 3, 4), {"axis": 1}))
    c.append(single_op("batchnorm", "BatchNormalization", [(1, 3, 4, 4)], (1, 3, 4, 4),
                       {"epsilon": 1e-3},
                       {"scale": r.uniform(0.5, 1.5, 3).astype(np.float32),
                        "bias": r.standard_normal(3).astype(np.float32),
                        "mean": r.standard_normal(3).astype(np.float32),
                        "var": r.uniform(0.5, 2, 3).astype(np.float32)}))
    # Identity and Constant.
    const = helper.make_node("Constant", [], ["k"], name="const_0",
                             value=numpy_helper.from_array(r.standard_normal((2, 3)).astype(np.float32)))
    c.append(Case("constant_identity_add", make_model(
        [const, helper.make_node("Identity", ["x0"], ["i"], name="identity_0"),
         helper.make_node("Add", ["i", "k"], ["y"], name="add_0")],
        [vi("x0", (2, 3))], [vi("y", (2, 3))]), [rng(2).standard_normal((2, 3)).astype(np.float32)]))
    c.extend(conv_transpose_cases())
    c.extend(one_d_cases())
    c.extend(quant_cases())
    return c


def one_d_cases() -> list:
    """1-D Conv (strides, dilations, groups, SAME_UPPER, bias or not), ConvTranspose,
    MaxPool and AveragePool on N x C x W inputs."""
    r = rng(23)
    c = []
    c.append(single_op("conv1d_k5_s2_pad2_bias", "Conv", [(2, 3, 20)], (2, 6, 10),
                       {"strides": [2], "pads": [2, 2]},
                       {"w": weights(r, 6, 3, 5), "b": r.standard_normal(6).astype(np.float32)},
                       seed=24))
    c.append(single_op("conv1d_dilation2_group2", "Conv", [(1, 4, 16)], (1, 6, 12),
                       {"dilations": [2], "group": 2}, {"w": weights(r, 6, 2, 3)}, seed=24))
    c.append(single_op("conv1d_same_upper_depthwise", "Conv", [(1, 5, 9)], (1, 5, 5),
                       {"auto_pad": "SAME_UPPER", "strides": [2], "group": 5},
                       {"w": weights(r, 5, 1, 4)}, seed=24))
    c.append(single_op("convt1d_s2_outpad1", "ConvTranspose", [(1, 3, 7)], (1, 2, 16),
                       {"strides": [2], "pads": [1, 0], "output_padding": [1]},
                       {"w": weights(r, 3, 2, 4), "b": r.standard_normal(2).astype(np.float32)},
                       seed=24))
    c.append(single_op("maxpool1d_k3_s2_p1", "MaxPool", [(1, 4, 11)], (1, 4, 6),
                       {"kernel_shape": [3], "strides": [2], "pads": [1, 1]}, seed=24))
    c.append(single_op("avgpool1d_k4_ceil", "AveragePool", [(2, 3, 10)], (2, 3, 3),
                       {"kernel_shape": [4], "strides": [3], "ceil_mode": 1}, seed=24))
    return c


def conv_transpose_cases() -> list:
    """ConvTranspose: strides, pads, output_padding, output_shape, SAME_UPPER/LOWER,
    dilations, groups (also depthwise), bias or not, batch 2."""
    r = rng(21)
    c = []
    for name, x_shape, cin, fg, k, attrs_, out_hw in [
        ("convt_s2_k3_pad1_outpad1", (1, 4, 5, 5), 4, 3, 3,
         {"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]}, (10, 10)),
        ("convt_s2_k4_pad1", (1, 3, 4, 6), 3, 5, 4, {"strides": [2, 2], "pads": [1, 1, 1, 1]},
         (8, 12)),
        ("convt_s1_k3_asym_pads", (2, 2, 5, 4), 2, 3, 3, {"pads": [0, 2, 1, 0]}, (6, 4)),
        ("convt_s3x2_output_shape", (1, 2, 3, 3), 2, 2, 3,
         {"strides": [3, 2], "output_shape": [10, 8]}, (10, 8)),
        ("convt_same_upper_s2", (1, 2, 3, 3), 2, 2, 3,
         {"strides": [2, 2], "auto_pad": "SAME_UPPER"}, (6, 6)),
        ("convt_same_lower_s2", (1, 2, 3, 4), 2, 3, 2,
         {"strides": [2, 2], "auto_pad": "SAME_LOWER"}, (6, 8)),
        ("convt_dilation2", (1, 3, 4, 4), 3, 2, 3, {"dilations": [2, 2], "pads": [1, 1, 2, 2]},
         (5, 5)),
        ("convt_group2_s2", (1, 4, 3, 3), 4, 3, 3, {"group": 2, "strides": [2, 2]}, (7, 7)),
        ("convt_depthwise_s2", (1, 6, 4, 4), 6, 1, 2, {"group": 6, "strides": [2, 2]}, (8, 8)),
        ("convt_crop_pads_s2", (1, 2, 4, 4), 2, 2, 3, {"strides": [2, 2], "pads": [3, 0, 2, 3]},
         (4, 6)),
    ]:
        group = attrs_.get("group", 1)
        consts = {"w": weights(r, cin, fg, k, k)}
        if name != "convt_s2_k4_pad1":
            consts["b"] = r.standard_normal(fg * group).astype(np.float32)
        c.append(single_op(name, "ConvTranspose", [x_shape], (x_shape[0], fg * group) + out_hw,
                           attrs_, consts, seed=22))
    return c


def quant_cases() -> list:
    r = rng(3)
    c = []
    x = (r.standard_normal((1, 4, 5, 5)) * 3).astype(np.float32)
    # QuantizeLinear: u8 per tensor (default zero point type), s8 per axis.
    c.append(Case("quantize_u8", make_model(
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q_0")],
        [vi("x", x.shape)], [vi("y", x.shape, TensorProto.UINT8)],
        [init("s", np.float32(0.05)), init("z", np.uint8(128))]), [x], quantized=True))
    # Values that land exactly on .5 steps exercise round-half-to-even.
    ties = (np.arange(-20, 20, dtype=np.float32) * 0.25).reshape(1, 4, 10)
    c.append(Case("quantize_s8_per_axis_ties", make_model(
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["y"], name="q_0", axis=1)],
        [vi("x", ties.shape)], [vi("y", ties.shape, TensorProto.INT8)],
        [init("s", np.array([0.5, 0.25, 1.0, 0.125], np.float32)),
         init("z", np.array([0, -3, 5, 0], np.int8))]), [ties], quantized=True))
    q = r.integers(0, 256, (1, 4, 5, 5)).astype(np.uint8)
    c.append(Case("dequantize_u8", make_model(
        [helper.make_node("DequantizeLinear", ["x", "s", "z"], ["y"], name="dq_0")],
        [vi("x", q.shape, TensorProto.UINT8)], [vi("y", q.shape)],
        [init("s", np.float32(0.02)), init("z", np.uint8(120))]), [q]))
    # DQ -> Q with other parameters (what qcc.requantize computes after folding).
    c.append(Case("dequantize_quantize_requant", make_model(
        [helper.make_node("DequantizeLinear", ["x", "s1", "z1"], ["f"], name="dq_0"),
         helper.make_node("QuantizeLinear", ["f", "s2", "z2"], ["y"], name="q_0")],
        [vi("x", q.shape, TensorProto.UINT8)], [vi("y", q.shape, TensorProto.INT8)],
        [init("s1", np.float32(0.02)), init("z1", np.uint8(120)),
         init("s2", np.float32(0.03)), init("z2", np.int8(-5))]), [q], quantized=True))
    # DQ -> elementwise op -> Q: the ops qcc folds into 256-entry tables, and Max/Min,
    # which stay fake-quant (exact with equal parameters).
    for op, attrs_, scale_out, zp_out in [("Exp", {}, 0.2, 0), ("Sqrt", {}, 0.01, 0),
                                         ("LeakyRelu", {"alpha": 0.1}, 0.02, 100)]:
        c.append(Case(f"qdq_{op.lower()}_table", make_model(
            [helper.make_node("DequantizeLinear", ["x", "s1", "z1"], ["f"], name="dq_0"),
             helper.make_node(op, ["f"], ["g"], name=f"{op.lower()}_0", **attrs_),
             helper.make_node("QuantizeLinear", ["g", "s2", "z2"], ["y"], name="q_0")],
            [vi("x", q.shape, TensorProto.UINT8)], [vi("y", q.shape, TensorProto.UINT8)],
            [init("s1", np.float32(0.02)), init("z1", np.uint8(0 if op == "Sqrt" else 120)),
             init("s2", np.float32(scale_out)), init("z2", np.uint8(zp_out))]), [q],
            quantized=True))
    # Data movement on QDQ tensors: integer Pad (the pad value quantized), Slice, and ArgMax
    # of the stored integers.
    c.append(Case("qdq_pad_slice", make_model(
        [helper.make_node("DequantizeLinear", ["x", "s1", "z1"], ["f"], name="dq_0"),
         helper.make_node("Pad", ["f", "pads", "v"], ["p"], name="pad_0"),
         helper.make_node("QuantizeLinear", ["p", "s2", "z2"], ["pq"], name="q_0"),
         helper.make_node("DequantizeLinear", ["pq", "s2", "z2"], ["pf"], name="dq_1"),
         helper.make_node("Slice", ["pf", "st", "en", "ax"], ["sl"], name="slice_0"),
         helper.make_node("QuantizeLinear", ["sl", "s2", "z2"], ["y"], name="q_1")],
        [vi("x", q.shape, TensorProto.UINT8)], [vi("y", (1, 4, 3, 6), TensorProto.UINT8)],
        [init("s1", np.float32(0.02)), init("z1", np.uint8(120)), init("s2", np.float32(0.03)),
         init("z2", np.uint8(100)), init("pads", np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)),
         init("v", np.array(0.7, np.float32)), init("st", np.array([1, 0], np.int64)),
         init("en", np.array([4, 6], np.int64)), init("ax", np.array([2, 3], np.int64))]),
        [q], quantized=True))
    # PRelu with a quantized per-channel slope: one 256-entry table per channel.
    c.append(Case("qdq_prelu_per_channel", make_model(
        [helper.make_node("DequantizeLinear", ["x", "s1", "z1"], ["f"], name="dq_0"),
         helper.make_node("DequantizeLinear", ["a", "sa", "za"], ["af"], name="dq_a"),
         helper.make_node("PRelu", ["f", "af"], ["p"], name="prelu_0"),
         helper.make_node("QuantizeLinear", ["p", "s2", "z2"], ["y"], name="q_0")],
        [vi("x", q.shape, TensorProto.UINT8)], [vi("y", q.shape, TensorProto.UINT8)],
        [init("s1", np.float32(0.02)), init("z1", np.uint8(120)),
         init("a", np.array([10, -40, 90, 127], np.int8).reshape(4, 1, 1)),
         init("sa", np.float32(0.01)), init("za", np.int8(0)),
         init("s2", np.float32(0.015)), init("z2", np.uint8(110))]), [q], quantized=True))
    c.append(Case("qdq_topk", make_model(
        [helper.make_node("DequantizeLinear", ["x", "s1", "z1"], ["f"], name="dq_0"),
         helper.make_node("TopK", ["f", "k"], ["v", "i"], name="topk_0", axis=1),
         helper.make_node("QuantizeLinear", ["v", "s1", "z1"], ["y"], name="q_0")],
        [vi("x", q.shape, TensorProto.UINT8)],
        [vi("y", (1, 2, 5, 5), TensorProto.UINT8), vi("i", (1, 2, 5, 5), TensorProto.INT64)],
        [init("s1", np.float32(0.02)), init("z1", np.uint8(120)),
         init("k", np.array([2], np.int64))]), [q], quantized=True))
    c.append(Case("qdq_gather_gathernd", make_model(
        [helper.make_node("DequantizeLinear", ["x", "s1", "z1"], ["f"], name="dq_0"),
         helper.make_node("Gather", ["f", "gi"], ["g"], name="gather_0", axis=2),
         helper.make_node("QuantizeLinear", ["g", "s2", "z2"], ["gq"], name="q_0"),
         helper.make_node("DequantizeLinear", ["gq", "s2", "z2"], ["gf"], name="dq_1"),
         helper.make_node("GatherND", ["gf", "ni"], ["n"], name="gathernd_0"),
         helper.make_node("QuantizeLinear", ["n", "s2", "z2"], ["y"], name="q_1")],
        [vi("x", q.shape, TensorProto.UINT8)], [vi("y", (2, 3, 5), TensorProto.UINT8)],
        [init("s1", np.float32(0.02)), init("z1", np.uint8(120)), init("s2", np.float32(0.03)),
         init("z2", np.uint8(100)), init("gi", np.array([4, 0, 2], np.int64)),
         init("ni", np.array([[0, 1], [0, 3]], np.int64))]), [q], quantized=True))
    c.append(Case("qdq_argmax", make_model(
        [helper.make_node("DequantizeLinear", ["x", "s1", "z1"], ["f"], name="dq_0"),
         helper.make_node("ArgMax", ["f"], ["y"], name="argmax_0", axis=1, keepdims=0)],
        [vi("x", q.shape, TensorProto.UINT8)], [vi("y", (1, 5, 5), TensorProto.INT64)],
        [init("s1", np.float32(0.02)), init("z1", np.uint8(120))]), [q]))
    # The fully-connected layer as tf2onnx writes TFLite's FULLY_CONNECTED: MatMul, then Add
    # of a DequantizeLinear int32 bias (scale s_x * s_w), Relu, QuantizeLinear.
    xa = r.integers(0, 256, (1, 16)).astype(np.uint8)
    wi = r.integers(-127, 128, (16, 6)).astype(np.int8)
    sx, sw = np.float32(0.05), np.float32(0.01)
    c.append(Case("qdq_matmul_add_bias_relu", make_model(
        [helper.make_node("DequantizeLinear", ["x", "sx", "zx"], ["xf"], name="dq_x"),
         helper.make_node("DequantizeLinear", ["w", "sw", "zw"], ["wf"], name="dq_w"),
         helper.make_node("DequantizeLinear", ["b", "sb", "zb"], ["bf"], name="dq_b"),
         helper.make_node("MatMul", ["xf", "wf"], ["mm"], name="matmul_0"),
         helper.make_node("Add", ["mm", "bf"], ["ad"], name="bias_add"),
         helper.make_node("Relu", ["ad"], ["re"], name="relu_0"),
         helper.make_node("QuantizeLinear", ["re", "sy", "zy"], ["y"], name="q_y")],
        [vi("x", xa.shape, TensorProto.UINT8)], [vi("y", (1, 6), TensorProto.UINT8)],
        [init("sx", sx), init("zx", np.uint8(128)), init("w", wi), init("sw", sw),
         init("zw", np.int8(0)), init("b", r.integers(-3000, 3000, 6).astype(np.int32)),
         init("sb", np.float32(sx * sw)), init("zb", np.int32(0)), init("sy", np.float32(0.04)),
         init("zy", np.uint8(0))]), [xa], quantized=True))
    # Nearest resize of a QDQ tensor: the stored integers move.
    c.append(Case("qdq_resize_nearest", make_model(
        [helper.make_node("DequantizeLinear", ["x", "s1", "z1"], ["f"], name="dq_0"),
         helper.make_node("Resize", ["f", "", "sc"], ["g"], name="resize_0", mode="nearest"),
         helper.make_node("QuantizeLinear", ["g", "s1", "z1"], ["y"], name="q_0")],
        [vi("x", q.shape, TensorProto.UINT8)], [vi("y", (1, 4, 10, 10), TensorProto.UINT8)],
        [init("s1", np.float32(0.02)), init("z1", np.uint8(120)),
         init("sc", np.array([1, 1, 2, 2], np.float32))]), [q], quantized=True))
    q2 = r.integers(0, 256, (1, 4, 5, 5)).astype(np.uint8)
    for op in ("Max", "Min"):
        c.append(Case(f"qdq_{op.lower()}", make_model(
            [helper.make_node("DequantizeLinear", ["a", "s", "z"], ["fa"], name="dq_a"),
             helper.make_node("DequantizeLinear", ["b", "s", "z"], ["fb"], name="dq_b"),
             helper.make_node(op, ["fa", "fb"], ["g"], name=f"{op.lower()}_0"),
             helper.make_node("QuantizeLinear", ["g", "s", "z"], ["y"], name="q_0")],
            [vi("a", q.shape, TensorProto.UINT8), vi("b", q.shape, TensorProto.UINT8)],
            [vi("y", q.shape, TensorProto.UINT8)],
            [init("s", np.float32(0.05)), init("z", np.uint8(128))]), [q, q2], quantized=True))
    # A QDQ conv: per-channel int8 weights and int32 bias through DequantizeLinear.
    w = r.integers(-127, 128, (6, 4, 3, 3)).astype(np.int8)
    ws = r.uniform(0.001, 0.01, 6).astype(np.float32)
    bias = r.integers(-2000, 2000, 6).astype(np.int32)
    xs = np.float32(0.05)
    nodes = [
        helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"], name="q_in"),
        helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xf"], name="dq_in"),
        helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wf"], name="dq_w", axis=0),
        helper.make_node("DequantizeLinear", ["b", "bs"], ["bf"], name="dq_b", axis=0),
        helper.make_node("Conv", ["xf", "wf", "bf"], ["yf"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["yq"], name="q_out"),
        helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"], name="dq_out"),
    ]
    c.append(Case("qdq_conv_per_channel", make_model(
        nodes, [vi("x", x.shape)], [vi("y", (1, 6, 5, 5))],
        [init("xs", xs), init("xz", np.uint8(128)), init("w", w), init("ws", ws),
         init("wz", np.zeros(6, np.int8)), init("b", bias), init("bs", (xs * ws).astype(np.float32)),
         init("ys", np.float32(0.1)), init("yz", np.uint8(100))]), [x]))
    return c


# ---------------------------------------------------------------------------------------
# MobileNetV2-style network (the real 1.0 architecture, seeded random weights)
# ---------------------------------------------------------------------------------------

class GraphBuilder:
    def __init__(self, seed):
        self.r = rng(seed)
        self.nodes, self.inits, self.n = [], [], 0

    def fresh(self, prefix):
        self.n += 1
        return f"{prefix}_{self.n}"

    def conv(self, x, cin, cout, k, stride=1, group=1, act="relu6"):
        name = self.fresh("conv")
        w = weights(self.r, cout, cin // group, k, k)
        b = (self.r.standard_normal(cout) * 0.05).astype(np.float32)
        self.inits += [init(name + "_w", w), init(name + "_b", b)]
        y = name + "_out"
        pad = k // 2
        self.nodes.append(helper.make_node("Conv", [x, name + "_w", name + "_b"], [y], name=name,
                                           kernel_shape=[k, k], strides=[stride, stride],
                                           pads=[pad] * 4, group=group))
        if act == "relu6":
            z = self.fresh("relu6")
            if not any(i.name == "six" for i in self.inits):
                self.inits += [init("zero", np.float32(0)), init("six", np.float32(6))]
            self.nodes.append(helper.make_node("Clip", [y, "zero", "six"], [z], name=z))
            return z
        return y

    def add(self, a, b):
        y = self.fresh("add")
        self.nodes.append(helper.make_node("Add", [a, b], [y], name=y))
        return y

    def relu(self, x):
        y = self.fresh("relu")
        self.nodes.append(helper.make_node("Relu", [x], [y], name=y))
        return y

    def conv_relu(self, x, cin, cout, k, stride=1):
        return self.relu(self.conv(x, cin, cout, k, stride, act=None))


def mobilenet_v2(resolution=224, width=1.0, classes=1000, seed=7) -> onnx.ModelProto:
    g = GraphBuilder(seed)

    def ch(c):
        return max(8, int(c * width + 4) // 8 * 8)

    x = g.conv("input", 3, ch(32), 3, stride=2)
    cin = ch(32)
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]
    for t, c, n, s in settings:
        cout = ch(c)
        for i in range(n):
            stride = s if i == 0 else 1
            hidden = cin * t
            y = x
            if t != 1:
                y = g.conv(y, cin, hidden, 1)
            y = g.conv(y, hidden, hidden, 3, stride=stride, group=hidden)
            y = g.conv(y, hidden, cout, 1, act=None)
            if stride == 1 and cin == cout:
                y = g.add(x, y)
            x, cin = y, cout
    last = 1280 if width <= 1.0 else ch(1280)
    x = g.conv(x, cin, last, 1)
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"], name="gap"))
    g.nodes.append(helper.make_node("Flatten", ["pool"], ["flat"], name="flatten", axis=1))
    g.inits += [init("fc_w", weights(g.r, classes, last)),
                init("fc_b", (g.r.standard_normal(classes) * 0.01).astype(np.float32))]
    g.nodes.append(helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc",
                                    transB=1))
    return make_model(g.nodes, [vi("input", (1, 3, resolution, resolution))],
                      [vi("logits", (1, classes))], g.inits, name="mobilenet_v2_style")


def resnet_style(resolution=32, classes=10, seed=9) -> onnx.ModelProto:
    """Small ResNet-style net: residual blocks (Add, then ReLU), a two-branch Concat,
    MaxPool, a strided conv, global average pool and a fully connected layer."""
    g = GraphBuilder(seed)
    x = g.conv_relu("input", 3, 16, 3)
    for _ in range(2):
        y = g.conv_relu(x, 16, 16, 3)
        y = g.conv(y, 16, 16, 3, act=None)
        x = g.relu(g.add(x, y))
    a = g.conv_relu(x, 16, 8, 1)
    b = g.conv_relu(x, 16, 8, 3)
    g.nodes.append(helper.make_node("Concat", [a, b], ["cat"], name="concat", axis=1))
    g.nodes.append(helper.make_node("MaxPool", ["cat"], ["mp"], name="maxpool",
                                    kernel_shape=[2, 2], strides=[2, 2]))
    x = g.conv_relu("mp", 16, 32, 3, stride=2)
    g.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"], name="gap"))
    g.nodes.append(helper.make_node("Flatten", ["pool"], ["flat"], name="flatten", axis=1))
    g.inits += [init("fc_w", weights(g.r, classes, 32)),
                init("fc_b", (g.r.standard_normal(classes) * 0.01).astype(np.float32))]
    g.nodes.append(helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], name="fc",
                                    transB=1))
    return make_model(g.nodes, [vi("input", (1, 3, resolution, resolution))],
                      [vi("logits", (1, classes))], g.inits, name="resnet_style")


def squeezenet_like(resolution=224, classes=100, seed=5) -> onnx.ModelProto:
    """SqueezeNet-style net: a valid stride-2 3x3 convolution (odd widths: 111 at 224, 31
    at 64), ceil-mode 3x3/2 max pooling, fire modules (squeeze 1x1, expand 1x1 and 3x3,
    concatenated along the channels), a 1x1 classifier convolution, GlobalAveragePool and
    Flatten."""
    r = rng(seed)
    inits, nodes = [], []

    def conv(x, cin, cout, k=1, s=1, p=None):
        name = f"c{len(nodes)}"
        inits.append(init(name + "_w", weights(r, cout, cin, k, k)))
        inits.append(init(name + "_b", (r.standard_normal(cout) * 0.05).astype(np.float32)))
        p = k // 2 if p is None else p
        nodes.append(helper.make_node("Conv", [x, name + "_w", name + "_b"], [name], name=name,
                                      pads=[p] * 4, kernel_shape=[k, k], strides=[s, s]))
        nodes.append(helper.make_node("Relu", [name], [name + "r"], name=name + "r"))
        return name + "r"

    def pool(x):
        name = f"p{len(nodes)}"
        nodes.append(helper.make_node("MaxPool", [x], [name], name=name, kernel_shape=[3, 3],
                                      strides=[2, 2], ceil_mode=1))
        return name

    def fire(x, cin, squeeze, expand):
        s = conv(x, cin, squeeze)
        a, b = conv(s, squeeze, expand), conv(s, squeeze, expand, 3)
        name = f"cat{len(nodes)}"
        nodes.append(helper.make_node("Concat", [a, b], [name], name=name, axis=1))
        return name

    x = pool(conv("input", 3, 64, 3, 2, 0))
    x = pool(fire(fire(x, 64, 16, 64), 128, 16, 64))
    x = pool(fire(fire(x, 128, 32, 128), 256, 32, 128))
    x = fire(fire(x, 256, 48, 192), 384, 48, 192)
    x = conv(fire(fire(x, 384, 64, 256), 512, 64, 256), 512, classes)
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["gap"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap"], ["logits"], name="flatten"))
    return make_model(nodes, [vi("input", (1, 3, resolution, resolution))],
                      [vi("logits", (1, classes))], inits, name="squeezenet_like")


def activations_net(resolution=16, seed=13) -> onnx.ModelProto:
    """Convs followed by Sigmoid, Tanh and HardSwish: the ops qcc folds into tables."""
    g = GraphBuilder(seed)
    x = g.conv("input", 3, 8, 3, act=None)
    outs = []
    for i, op in enumerate(["Sigmoid", "Tanh", "HardSwish"]):
        y = g.conv(x, 8, 8, 3, act=None)
        z = f"{op.lower()}_{i}"
        g.nodes.append(helper.make_node(op, [y], [z], name=z))
        outs.append(z)
    g.nodes.append(helper.make_node("Concat", outs, ["cat"], name="concat", axis=1))
    g.nodes.append(helper.make_node("GlobalAveragePool", ["cat"], ["pool"], name="gap"))
    return make_model(g.nodes, [vi("input", (1, 3, resolution, resolution))],
                      [vi("pool", (1, 24, 1, 1))], g.inits, name="activations", opset=14)


def elementwise_net(resolution=16, seed=17) -> onnx.ModelProto:
    """Mul of two feature maps, AveragePool, and a squeeze-and-excitation style channel gate
    (GlobalAveragePool -> Conv -> Sigmoid -> Mul broadcast over H and W)."""
    g = GraphBuilder(seed)
    x = g.conv("input", 3, 8, 3, act=None)
    a = g.conv(x, 8, 8, 3, act=None)
    b = g.conv(x, 8, 8, 1, act=None)
    g.nodes.append(helper.make_node("Mul", [a, b], ["prod"], name="mul_maps"))
    g.nodes.append(helper.make_node("AveragePool", ["prod"], ["avg"], name="avg_pool",
                                    kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]))
    g.nodes.append(helper.make_node("GlobalAveragePool", ["avg"], ["squeeze"], name="gap"))
    gate = g.conv("squeeze", 8, 8, 1, act=None)
    g.nodes.append(helper.make_node("Sigmoid", [gate], ["gate"], name="sigmoid"))
    g.nodes.append(helper.make_node("Mul", ["avg", "gate"], ["scaled"], name="mul_gate"))
    g.nodes.append(helper.make_node("AveragePool", ["scaled"], ["down"], name="avg_pool_2",
                                    kernel_shape=[2, 2], strides=[2, 2]))
    y = g.conv("down", 8, 4, 3, act=None)
    return make_model(g.nodes, [vi("input", (1, 3, resolution, resolution))],
                      [vi(y, (1, 4, resolution // 2, resolution // 2))], g.inits,
                      name="elementwise", opset=13)


def audio_net(length=64, seed=29) -> onnx.ModelProto:
    """A 1-D convolutional net, as PyTorch's Conv1d exports it: Conv(k5, s2) -> Relu ->
    MaxPool(k2) -> depthwise Conv(k3) -> Relu -> Conv(k1) -> AveragePool(k4)."""
    r = rng(seed)
    inits = [init("w0", weights(r, 8, 2, 5)), init("b0", (r.standard_normal(8) * 0.05).astype(np.float32)),
             init("w1", weights(r, 8, 1, 3)), init("b1", (r.standard_normal(8) * 0.05).astype(np.float32)),
             init("w2", weights(r, 6, 8, 1)), init("b2", (r.standard_normal(6) * 0.05).astype(np.float32))]
    nodes = [helper.make_node("Conv", ["input", "w0", "b0"], ["c0"], name="conv_0", strides=[2],
                              pads=[2, 2]),
             helper.make_node("Relu", ["c0"], ["r0"], name="relu_0"),
             helper.make_node("MaxPool", ["r0"], ["p0"], name="pool_0", kernel_shape=[2],
                              strides=[2]),
             helper.make_node("Conv", ["p0", "w1", "b1"], ["c1"], name="conv_1", group=8,
                              pads=[1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu_1"),
             helper.make_node("Conv", ["r1", "w2", "b2"], ["c2"], name="conv_2"),
             helper.make_node("AveragePool", ["c2"], ["y"], name="pool_1", kernel_shape=[4],
                              strides=[4])]
    return make_model(nodes, [vi("input", (1, 2, length))], [vi("y", (1, 6, length // 16))],
                      inits, name="audio", opset=13)


def decoder_net(resolution=8, seed=19) -> onnx.ModelProto:
    """A segmentation-style decoder: Conv, then two ConvTranspose upsamplings (kernel 4
    stride 2 pad 1, and kernel 3 stride 2 pad 1 output_padding 1, each followed by Relu),
    then a 1x1 Conv to 3 classes."""
    g = GraphBuilder(seed)
    x = g.conv_relu("input", 3, 8, 3)

    def up(x, cin, cout, k, **attrs_):
        name = g.fresh("convt")
        g.inits += [init(name + "_w", weights(g.r, cin, cout, k, k)),
                    init(name + "_b", (g.r.standard_normal(cout) * 0.05).astype(np.float32))]
        g.nodes.append(helper.make_node("ConvTranspose", [x, name + "_w", name + "_b"],
                                        [name + "_out"], name=name, strides=[2, 2], **attrs_))
        return g.relu(name + "_out")

    x = up(x, 8, 6, 4, pads=[1, 1, 1, 1])
    x = up(x, 6, 4, 3, pads=[1, 1, 1, 1], output_padding=[1, 1])
    y = g.conv(x, 4, 3, 1, act=None)
    return make_model(g.nodes, [vi("input", (1, 3, resolution, resolution))],
                      [vi(y, (1, 3, 4 * resolution, 4 * resolution))], g.inits,
                      name="decoder", opset=13)


def mlp(inputs=256, hidden=(512, 256), classes=10, seed=15) -> onnx.ModelProto:
    """A small multilayer perceptron: Gemm + ReLU layers."""
    r = rng(seed)
    nodes, inits, x, fan_in = [], [], "input", inputs
    for i, h in enumerate(list(hidden) + [classes]):
        inits += [init(f"w{i}", weights(r, h, fan_in)), init(f"b{i}", (r.standard_normal(h) * 0.01).astype(np.float32))]
        y = f"fc{i}"
        nodes.append(helper.make_node("Gemm", [x, f"w{i}", f"b{i}"], [y], name=y, transB=1))
        if i < len(hidden):
            nodes.append(helper.make_node("Relu", [y], [y + "_relu"], name=y + "_relu"))
            y += "_relu"
        x, fan_in = y, h
    return make_model(nodes, [vi("input", (1, inputs))], [vi(x, (1, classes))], inits, name="mlp")


def image_like_inputs(shape, count, seed):
    """Inputs in the range a normalized image has."""
    r = rng(seed)
    return [r.uniform(-1.0, 1.0, shape).astype(np.float32) for _ in range(count)]


def quantize_qdq(model_path: Path, out_path: Path, calibration, per_channel=True,
                 activation_type="QUInt8", weight_type="QInt8", quant_format="QDQ"):
    """Post-training static quantization by ONNX Runtime, QDQ format (or QOperator:
    QLinearConv, com.microsoft QLinearAdd/QLinearConcat/QLinearGlobalAveragePool/QGemm)."""
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self, name, data):
            self.it = iter([{name: d} for d in data])

        def get_next(self):
            return next(self.it, None)

    name = onnx.load(str(model_path)).graph.input[0].name
    quantize_static(str(model_path), str(out_path), Reader(name, calibration),
                    quant_format=getattr(QuantFormat, quant_format), per_channel=per_channel,
                    activation_type=getattr(QuantType, activation_type),
                    weight_type=getattr(QuantType, weight_type))


def strip_boundary_qdq(model: onnx.ModelProto) -> onnx.ModelProto:
    """A QDQ model with integer I/O: the QuantizeLinear of each float graph input and the
    DequantizeLinear of each graph output are removed, so the graph takes and returns the
    quantized tensors themselves."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    for gi in g.input:
        q = next(n for n in g.node if n.op_type == "QuantizeLinear" and n.input[0] == gi.name)
        zp = inits[q.input[2]].data_type if len(q.input) > 2 else TensorProto.UINT8
        for n in g.node:
            for i, name in enumerate(n.input):
                if name == q.output[0]:
                    n.input[i] = gi.name
        gi.type.tensor_type.elem_type = zp
        g.node.remove(q)
    for go in g.output:
        dq = next(n for n in g.node if n.op_type == "DequantizeLinear" and n.output[0] == go.name)
        zp = inits[dq.input[2]].data_type if len(dq.input) > 2 else TensorProto.UINT8
        producer = next(n for n in g.node if dq.input[0] in n.output)
        producer.output[list(producer.output).index(dq.input[0])] = go.name
        go.type.tensor_type.elem_type = zp
        g.node.remove(dq)
    return m
