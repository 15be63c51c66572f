"""End to end: ONNX model -> qcc -> object -> linked C program (x86-64 natively, AArch64 under
qemu-aarch64 -cpu cortex-a72) -> outputs compared with a host-independent reference on the
same inputs: ONNX Runtime for float models, qcc.reference's exact integer evaluation for
quantized (QDQ / QOperator) ones, whose verdicts do not depend on which integer kernels
ONNX Runtime happens to pick on this CPU (qcc.reference_run; how far ONNX Runtime's native
kernels are from it on this host is printed in each report).

Float models: every element within 1e-4 absolute or relative. QDQ models: within 1 LSB of the
output's quantization step, with the same argmax.
"""
from __future__ import annotations

import collections
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from qcc import models
import qcc

OUT = Path(os.environ.get("QCC_E2E_OUT", Path(__file__).resolve().parent / "out"))
TARGETS = ["x86_64", "aarch64-rpi4"]


def _host_has(*flags):
    try:
        cpu = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False
    return all(f in cpu for f in flags)


# Quantized models also run as aarch64-rpi5 objects (Cortex-A76 under qemu: SDOT
# convolutions) and as x86_64-v4 objects (AVX-512 VNNI: VPDPWSSD convolutions), natively,
# where this CPU can execute them.
INT8_TARGETS = TARGETS + ["aarch64-rpi5", pytest.param(
    "x86_64-v4", marks=pytest.mark.skipif(
        not _host_has("avx512f", "avx512bw", "avx512vl", "avx512_vnni"),
        reason="this CPU lacks AVX-512 VNNI, so x86_64-v4 objects cannot run here"))]


# Float convolutions run on channel blocks of one register (NCHWc) on x86: 4 lanes on
# x86_64 (SSE), 8 on x86_64-v3 (AVX2), 16 on x86_64-v4 (AVX-512); the operator cases and
# the float MobileNetV2 also run with the wider blocks, natively where this CPU can.
X86_V4 = pytest.param("x86_64-v4", marks=pytest.mark.skipif(
    not _host_has("avx512f", "avx512bw", "avx512vl", "avx512_vnni"),
    reason="this CPU lacks AVX-512 (VNNI), so x86_64-v4 objects cannot run here"))
X86_V3 = pytest.param("x86_64-v3", marks=pytest.mark.skipif(
    not _host_has("avx2", "fma", "bmi2"),
    reason="this CPU lacks AVX2/FMA/BMI2, so x86_64-v3 objects cannot run here"))


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


# QDQ models: at least this share of output elements equal to ONNX Runtime's exactly.
MIN_EXACT = 0.999


def check(case_dir: Path, model: onnx.ModelProto, inputs, target, quantized=False, name="m",
          min_exact=None):
    case_dir.mkdir(parents=True, exist_ok=True)
    path = case_dir / "model.onnx"
    onnx.save(model, path)
    expected, reference = qcc.reference_run(path, inputs)
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
            if min_exact is not None:
                ok = ok and exact >= min_exact
        else:
            ok, maxabs, maxrel = qcc.compare_float(a, e)
            report.append(f"out{i}: max abs {maxabs:.3g}, max rel {maxrel:.3g}")
        assert ok, f"{case_dir.name} on {target} vs the {reference}: " + "; ".join(report)
    if reference == qcc.EXACT_REFERENCE:
        report.append(qcc.ort_native_deviation(path, inputs, expected, lsb))
    return report


OP_CASES = models.op_cases()


@pytest.mark.parametrize("target", TARGETS + [X86_V4])
@pytest.mark.parametrize("case", OP_CASES, ids=[c.name for c in OP_CASES])
def test_op(case, target):
    check(OUT / "ops" / case.name, case.model, case.inputs, target, case.quantized)


def blocked_chain_model():
    """x -> Conv(20) / Conv(20) -> Relu(Conv(20)) + Conv(20) -> Conv(6): 20 channels, which
    blocks of 16 (or 8) pad to 32 (24). The division's inputs are blocked convolutions; on
    the padded channels it would compute 0 / 0 = NaN, which the last convolution's weight
    0 for those channels does not cancel (0 x NaN = NaN): qcc must keep it in NCHW. The
    Relu and the Add run on the blocks."""
    from onnx import TensorProto, helper, numpy_helper
    r = np.random.default_rng(7)

    def conv(name, x, cin, cout, k=1, bias=0.0, positive=False):
        w = models.weights(r, cout, cin, k, k)
        if positive:
            w = np.abs(w)
        b = (r.standard_normal(cout) * 0.1 + bias).astype(np.float32)
        inits.append(numpy_helper.from_array(w, name + "_w"))
        inits.append(numpy_helper.from_array(b, name + "_b"))
        return helper.make_node("Conv", [x, name + "_w", name + "_b"], [name], name=name,
                                pads=[k // 2] * 4, kernel_shape=[k, k])

    inits = []
    # b: positive weights over sigmoid(x), bias about 3: no division by ~0.
    nodes = [conv("a", "x", 8, 20, 3), helper.make_node("Sigmoid", ["x"], ["xs"], name="sigmoid"),
             conv("b", "xs", 8, 20, 1, bias=3.0, positive=True),helper.make_node("Div", ["a", "b"], ["q"], name="div"),
              conv("c", "q", 20, 20, 3), helper.make_node("Relu", ["c"], ["cr"], name="relu"),
              conv("d", "cr", 20, 20, 1), helper.make_node("Add", ["cr", "d"], ["s"], name="add"),
              conv("e", "s", 20, 6, 1)]
    graph = helper.make_graph(
        nodes, "blocked_chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 10, 10])],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, [1, 6, 10, 10])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)


def blocked_pool_concat_model():
    """Conv(16) -> Relu -> MaxPool(3x3 s2 p1) -> [Conv1x1(32), Conv3x3(20)] -> Concat(52)
    -> AveragePool(3x3 p1, pads counted out) -> Conv(24) -> Relu -> MaxPool(2x2) -> Conv(8):
    poolings and a concatenation whose pieces start on block boundaries (32 = 2 blocks of
    16, 4 of 8, 8 of 4) run on the blocks."""
    from onnx import TensorProto, helper, numpy_helper
    r = np.random.default_rng(3)
    inits = []

    def conv(name, x, cin, cout, k=1):
        inits.append(numpy_helper.from_array(models.weights(r, cout, cin, k, k), name + "_w"))
        inits.append(numpy_helper.from_array((r.standard_normal(cout) * 0.1).astype(np.float32),
                                             name + "_b"))
        return helper.make_node("Conv", [x, name + "_w", name + "_b"], [name], name=name,
                                pads=[k // 2] * 4, kernel_shape=[k, k])

    nodes = [conv("a", "x", 3, 16, 3), helper.make_node("Relu", ["a"], ["ar"], name="r1"),
             helper.make_node("MaxPool", ["ar"], ["mp"], name="mp", kernel_shape=[3, 3],
                              strides=[2, 2], pads=[1, 1, 1, 1]),
             conv("b", "mp", 16, 32, 1), conv("c", "mp", 16, 20, 3),
             helper.make_node("Concat", ["b", "c"], ["cat"], name="cat", axis=1),
             helper.make_node("AveragePool", ["cat"], ["ap"], name="ap", kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             conv("d", "ap", 52, 24, 1), helper.make_node("Relu", ["d"], ["dr"], name="r2"),
             helper.make_node("MaxPool", ["dr"], ["mp2"], name="mp2", kernel_shape=[2, 2],
                              strides=[2, 2]),
             conv("e", "mp2", 24, 8, 3)]
    graph = helper.make_graph(
        nodes, "blocked_pool_concat",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 20, 20])],
        [helper.make_tensor_value_info("e", TensorProto.FLOAT, [1, 8, 5, 5])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)


@pytest.mark.parametrize("target", TARGETS + [X86_V3, X86_V4])
def test_squeezenet_like(target):
    x = np.random.default_rng(6).random((1, 3, 64, 64)).astype(np.float32)
    print(check(OUT / "squeezenet_like", models.squeezenet_like(64, classes=10), [x], target))


@pytest.mark.parametrize("target", TARGETS + [X86_V3, X86_V4])
def test_blocked_pool_concat(target):
    x = np.random.default_rng(4).standard_normal((1, 3, 20, 20)).astype(np.float32)
    print(check(OUT / "blocked_pool_concat", blocked_pool_concat_model(), [x], target))


@pytest.mark.parametrize("target", TARGETS + [X86_V3, X86_V4])
def test_blocked_layout_chain(target):
    x = np.random.default_rng(8).standard_normal((1, 8, 10, 10)).astype(np.float32)
    print(check(OUT / "blocked_chain", blocked_chain_model(), [x], target))


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


@pytest.mark.parametrize("target", TARGETS + [X86_V3, X86_V4])
def test_mobilenet_v2_float(mobilenet_models, target):
    fp, _ = mobilenet_models
    inputs = models.image_like_inputs((1, 3, 224, 224), 1, seed=21)
    for k, x in enumerate(inputs):
        print(check(OUT / "mobilenet_v2" / f"float_{k}", onnx.load(fp), [x], target))


@pytest.mark.parametrize("target", INT8_TARGETS)
def test_mobilenet_v2_qdq(mobilenet_models, target):
    _, qdq = mobilenet_models
    inputs = models.image_like_inputs((1, 3, 224, 224), 2, seed=22)
    for k, x in enumerate(inputs):
        print(check(OUT / "mobilenet_v2" / f"qdq_{k}", onnx.load(qdq), [x], target,
                    min_exact=MIN_EXACT))


def integer_only(model_path: Path):
    """The qcc dialect after the pipeline: op name -> count; a contraction whose
    requantization qcc-fuse-requantize moved into its epilogue counts as "<op>+requantize"."""
    out = subprocess.run([str(qcc.find_qcc()), str(model_path), "--emit=mlir",
                          "--mlir-elide-elementsattrs-if-larger=8"],
                         capture_output=True, text=True, check=True).stdout
    ops = collections.Counter(re.findall(r"= (qcc\.[a-z_0-9]+)", out))
    ops.update(m + "+requantize" for m in
               re.findall(r"= (qcc\.(?:conv2d|matmul|gemm)) [^\n]*accumulator = ", out))
    return ops


def qdq_conv_model(name, w, wz, q, ys, pads, group=1):
    """QuantizeLinear/DequantizeLinear of the input (scale 0.02, zero point 128), a Conv with
    the DequantizeLinear of the integer weights `w` (scale 0.01, zero point `wz`), and the
    output quantized (scale `ys`, zero point 128); with the input whose quantized values are
    `q` (0..255)."""
    from onnx import TensorProto, helper
    xs, ws = 0.02, 0.01
    f, c, hw = w.shape[0], q.shape[1], q.shape[2]
    inits = [numpy_helper.from_array(np.array(xs, np.float32), "xs"),
             numpy_helper.from_array(np.array(128, np.uint8), "xz"),
             numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(np.array(ws, np.float32), "ws"),
             numpy_helper.from_array(wz, "wz"),
             numpy_helper.from_array(np.array(ys, np.float32), "ys"),
             numpy_helper.from_array(np.array(128, np.uint8), "yz")]
    nodes = [helper.make_node("QuantizeLinear", ["X", "xs", "xz"], ["xq"]),
             helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xf"]),
             helper.make_node("DequantizeLinear", ["w", "ws", "wz"], ["wf"]),
             helper.make_node("Conv", ["xf", "wf"], ["y"], pads=[pads] * 4, group=group),
             helper.make_node("QuantizeLinear", ["y", "ys", "yz"], ["yq"]),
             helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["Y"])]
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, c, hw, hw])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, f, hw, hw])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    return model, [((q - 128) * xs).astype(np.float32)]


def bound_conv_model(kernel, min_weight, unsigned_weights=False, hw=8):
    """A QDQ convolution (u8 input of zero point 128, s8 weights) whose products sit at the
    bounds of the 16-bit partial sums: weights of magnitude 127 (or `min_weight` = -128)
    in runs of four of one sign, inputs 0 or 255 (x - 128 = -128 or 127), so each pair of
    products is up to 2 * 128 * 127 = 32512 in magnitude (32768 for the pair of -128
    weights, which must not be summed in 16 bits)."""
    c, f = 32, 16
    sign = np.where((np.arange(f * c * kernel * kernel) // 4) % 3 == 1, -1, 1)
    w = (127 * sign).astype(np.int8).reshape(f, c, kernel, kernel)
    w.reshape(-1)[4:6] = min_weight  # one pair of channels: 2 * 128 * 128 = 2^15 if -128
    wz = np.array(0, np.int8)
    if unsigned_weights:
        # TFLite's uint8 weights (zero point 9): AArch64 shifts them to w - 128, so a raw
        # 0 is the -128 that must not meet another in a pair.
        w = (w.astype(np.int32) + 128).astype(np.uint8)
        wz = np.array(9, np.uint8)
    q = np.where(np.random.default_rng(kernel).random((1, c, hw, hw)) < 0.5, 0, 255)
    # Half the pixels all 0 or all 255 across the channels: every pair at the bound.
    q[..., : hw // 2] = np.where(np.arange(hw // 2) % 2, 0, 255)
    ys = c * kernel * kernel * 128 * 127 * 0.02 * 0.01 / 100.0
    return qdq_conv_model("bounds", w, wz, q, ys, pads=kernel // 2)


# Cortex-A72 sums pairs of byte products in 16 bits (SMULL, ADDP, SADALP); x86 PMADDWD sums
# pairs of 16-bit products. Both must be exact at the bounds of their 16-bit sums, and a
# layer with a weight of -128 must take the path that needs no such bound.
@pytest.mark.parametrize("target", INT8_TARGETS + [X86_V3])
@pytest.mark.parametrize("kernel", [1, 3])
@pytest.mark.parametrize("min_weight", [-127, -128])
@pytest.mark.parametrize("weights", ["s8", "u8"])
def test_product_sum_bounds(tmp_path, target, kernel, min_weight, weights):
    model, inputs = bound_conv_model(kernel, min_weight, unsigned_weights=weights == "u8")
    check(tmp_path, model, inputs, target, quantized=True, min_exact=1.0)


# A 1x1 convolution on a 9x9 plane (no block of 4-8 columns divides 9): its 81 pixels run
# as one row of the register blocks (the flattened plane of Conv2DLowering).
@pytest.mark.parametrize("target", INT8_TARGETS + [X86_V3])
@pytest.mark.parametrize("weights", ["s8", "u8"])
def test_flattened_plane(tmp_path, target, weights):
    model, inputs = bound_conv_model(1, -127, unsigned_weights=weights == "u8", hw=9)
    check(tmp_path, model, inputs, target, quantized=True, min_exact=1.0)


def depthwise_bound_model(weights, over):
    """A QDQ 3x3 depthwise convolution (u8 input of zero point 128, inputs 0 or 255) whose
    kernel columns 0 and 1 carry centered weights of magnitudes summing to 255 (the bound
    of the Cortex-A72's 16-bit pair sums: 128 * 255 < 2^15) or, with `over`, to 256 in one
    channel (which must take the 32-bit path)."""
    c, hw = 16, 10
    if weights == "s8":
        w = np.full((c, 1, 3, 3), 127, np.int32)  # pairs of one sign: 254
        w[::2] *= -1
        if over:  # a pair of -128: 256
            w[3, 0, 1, 0] = w[3, 0, 1, 1] = -128
        wq, wz = w.astype(np.int8), np.array(0, np.int8)
    else:
        zw = 200
        w = np.full((c, 1, 3, 3), zw + 55, np.int32)  # w - zw = 55
        w[:, :, :, 0] = 0   # -200
        w[:, :, :, 1] = 255  # +55: |-200| + |55| = 255, the bound
        if over:
            w[5, 0, 2, 1] = 0  # -200 and -200: 400
        wq, wz = w.astype(np.uint8), np.array(zw, np.uint8)
    q = np.where(np.random.default_rng(3).random((1, c, hw, hw)) < 0.5, 0, 255)
    q[:, :, : hw // 2] = 0  # whole rows of x - 128 = -128: every pair at its bound
    ys = 9 * 128 * 255 * 0.02 * 0.01 / 100.0
    return qdq_conv_model("dw_bounds", wq, wz, q, ys, pads=1, group=c)


# The Cortex-A72 sums a depthwise convolution's kernel columns by pairs in 16 bits (MUL +
# MLA, SADDW): exact at the bound, and a layer past it takes the 32-bit path.
@pytest.mark.parametrize("target", INT8_TARGETS + [X86_V3])
@pytest.mark.parametrize("weights", ["s8", "u8"])
@pytest.mark.parametrize("over", [False, True], ids=["at_bound", "over_bound"])
def test_depthwise_pair_bounds(tmp_path, target, weights, over):
    model, inputs = depthwise_bound_model(weights, over)
    check(tmp_path, model, inputs, target, quantized=True, min_exact=1.0)


def test_mobilenet_v2_qdq_is_integer(mobilenet_models):
    """After qcc's pipeline the QDQ MobileNetV2 computes in integers: one quantize of the
    float input, one dequantize of the logits, nothing in between."""
    _, qdq = mobilenet_models
    ops = integer_only(qdq)
    assert ops["qcc.quantize"] == 1 and ops["qcc.dequantize"] == 1, ops
    # Every conv and the classifier carry their requantization as a fused epilogue; the one
    # requantize left is the global average pool's.
    assert ops["qcc.conv2d"] == 52 and ops["qcc.conv2d+requantize"] == 52, ops
    assert ops["qcc.gemm+requantize"] == 1 and ops["qcc.requantize"] == 1, ops


# ResNet-style net quantized four ways: u8/s8 activations, per-channel/per-tensor weights.
RESNET_VARIANTS = [("u8_per_channel", "QUInt8", True, "QDQ"),
                   ("u8_per_tensor", "QUInt8", False, "QDQ"),
                   ("s8_per_channel", "QInt8", True, "QDQ"),
                   ("s8_per_tensor", "QInt8", False, "QDQ"),
                   # QOperator format: QLinearConv and com.microsoft QLinearAdd, QLinearConcat,
                   # QLinearGlobalAveragePool, QGemm.
                   ("u8_per_channel_qoperator", "QUInt8", True, "QOperator")]


@pytest.fixture(scope="module")
def resnet_models():
    d = OUT / "resnet_style"
    d.mkdir(parents=True, exist_ok=True)
    fp = d / "resnet_float.onnx"
    onnx.save(models.resnet_style(), fp)
    calib = models.image_like_inputs((1, 3, 32, 32), 8, seed=31)
    out = {"float": fp}
    for name, act, per_channel, fmt in RESNET_VARIANTS:
        path = d / f"resnet_{name}.onnx"
        if not path.exists():
            models.quantize_qdq(fp, path, calib, per_channel=per_channel, activation_type=act,
                                quant_format=fmt)
        out[name] = path
    return out


@pytest.mark.parametrize("target", INT8_TARGETS)
@pytest.mark.parametrize("variant", ["float"] + [v[0] for v in RESNET_VARIANTS])
def test_resnet_style(resnet_models, variant, target):
    model = onnx.load(resnet_models[variant])
    inputs = models.image_like_inputs((1, 3, 32, 32), 3, seed=32)
    for k, x in enumerate(inputs):
        print(check(OUT / "resnet_style" / f"{variant}_{k}", model, [x], target,
                    min_exact=None if variant == "float" else MIN_EXACT))


@pytest.mark.parametrize("variant", [v[0] for v in RESNET_VARIANTS])
def test_resnet_style_is_integer(resnet_models, variant):
    ops = integer_only(resnet_models[variant])
    assert ops["qcc.quantize"] == 1 and ops["qcc.dequantize"] == 1, ops


@pytest.mark.parametrize("variant", ["float"] + [v[0] for v in RESNET_VARIANTS])
def test_resnet_style_arena_near_lower_bound(resnet_models, variant):
    """The planned arena is within 5% of the lower bound (the most bytes live at one step):
    residual branches keep several buffers alive at once, which greedy placement alone
    leaves ~14% above the bound."""
    d = OUT / "resnet_style" / f"{variant}_arena"
    art = qcc.compile_model(resnet_models[variant], "x86_64", d, name="m", extra_args=["-v"])
    m = re.search(r"arena: (\d+) bytes \(lower bound (\d+) bytes", art.stderr)
    assert m, art.stderr
    arena, bound = int(m.group(1)), int(m.group(2))
    assert arena == art.arena_size
    assert bound <= arena <= 1.05 * bound, f"arena {arena} vs lower bound {bound}"


# Floating-point arithmetic and conversions, by mnemonic: AArch64 (fadd, fmul, fmadd,
# scvtf, fcvtzs, frintn, fcmp, ...; not fmov, a plain register move the register allocator
# also uses for integer spills) and x86 (scalar/packed single/double arithmetic and
# conversions).
FLOAT_MNEMONIC = {
    "aarch64-rpi4": re.compile(r"^\s*[0-9a-f]+:\s+(f(?!mov\b)[a-z0-9]+|[su]cvtf)\b"),
    "x86_64": re.compile(r"\t(v?(add|sub|mul|div|max|min|sqrt|round|rcp|rsqrt|fmadd\w*)[sp][sd]"
                         r"|v?cvt\w*(ss|sd|ps|pd)\w*)\b"),
}


def float_instructions(obj: Path, target: str):
    args = ["-d", "--no-show-raw-insn"]
    disasm = subprocess.run(["/usr/lib/llvm-19/bin/llvm-objdump", *args, str(obj)],
                            capture_output=True, text=True, check=True).stdout
    return [l for l in disasm.splitlines() if FLOAT_MNEMONIC[target].search(l)]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("variant", ["u8_per_channel", "s8_per_tensor"])
def test_fixed_point_integer_only(resnet_models, variant, target):
    """--requant=fixed on a model with integer inputs and outputs: the object contains no
    floating-point instruction, and its outputs stay within 1 LSB of the exact reference's
    (which computes the float requantization: fixed point may round differently)."""
    model = models.strip_boundary_qdq(onnx.load(resnet_models[variant]))
    d = OUT / "fixed_point" / variant
    d.mkdir(parents=True, exist_ok=True)
    path = d / "model.onnx"
    onnx.save(model, path)
    art = qcc.compile_model(path, target, d / target, name="m", extra_args=["--requant=fixed"])
    floats = float_instructions(art.obj, target)
    assert not floats, "floating-point instructions in a --requant=fixed object:\n" + "\n".join(floats[:10])
    # The detector itself finds the float requantization of the default mode.
    float_art = qcc.compile_model(path, target, d / f"{target}-float", name="m")
    assert float_instructions(float_art.obj, target)
    app = qcc.build_app(art, d / target)
    x = np.random.default_rng(3).integers(0, 256, (1, 3, 32, 32))
    x = x.astype(np.uint8) if art.inputs[0].dtype == "uint8" else (x - 128).astype(np.int8)
    actual, _ = qcc.run_app(app, art, [x])
    expected, _ = qcc.reference_run(path, [x])
    ok, maxd, exact, top1 = qcc.compare_quantized(actual[0], expected[0])
    print(f"fixed {variant} {target}: max {maxd} LSB, exact {exact:.1%}, same top-1 {top1}")
    assert maxd <= 1 and top1


@pytest.mark.parametrize("target", INT8_TARGETS)
@pytest.mark.parametrize("activation,quant_format", [("QUInt8", "QDQ"), ("QInt8", "QDQ"),
                                                     ("QUInt8", "QOperator")])
def test_mul_and_average_pool(activation, quant_format, target):
    """Mul of two feature maps, AveragePool (3x3 padded and 2x2 strided) and a
    squeeze-and-excitation gate (Mul broadcast over H and W): integer qcc.mul and
    qcc.avg_pool reproducing ONNX Runtime's QLinearMul and QLinearAveragePool exactly.
    The exact reference evaluates every group of this net with those integer kernels'
    arithmetic, and qcc must match it bit for bit, with u8 and s8 activations, in QDQ and in
    QOperator form (com.microsoft QLinearMul and QLinearAveragePool import as
    dequantize/op/quantize and fold to the same kernels)."""
    d = OUT / "elementwise" / f"{activation}_{quant_format}"
    d.mkdir(parents=True, exist_ok=True)
    fp, qdq = d / "float.onnx", d / "qdq.onnx"
    onnx.save(models.elementwise_net(), fp)
    if not qdq.exists():
        models.quantize_qdq(fp, qdq, models.image_like_inputs((1, 3, 16, 16), 8, seed=41),
                            activation_type=activation, quant_format=quant_format)
    ops = integer_only(qdq)
    assert ops["qcc.mul"] == 2 and ops["qcc.avg_pool"] == 2, ops
    assert ops["qcc.quantize"] == 1 and ops["qcc.dequantize"] == 1, ops
    exact = True
    for k, x in enumerate(models.image_like_inputs((1, 3, 16, 16), 3, seed=42)):
        report = check(d / f"qdq_{k}", onnx.load(qdq), [x], target,
                       min_exact=1.0 if exact else None)
        print(report)
        if exact:
            assert "max 0 LSB" in report[0], report


@pytest.mark.parametrize("target", INT8_TARGETS)
@pytest.mark.parametrize("per_channel", [True, False], ids=["per_channel", "per_tensor"])
def test_conv_transpose_qdq(per_channel, target):
    """A decoder with two ConvTranspose upsamplings quantized by ONNX Runtime (QDQ, weights
    per output channel: axis 1): after qcc's pipeline every transposed convolution is an
    integer qcc.conv2d on the zero-spread stored integers (no float op, one quantize of the
    input, one dequantize of the output), within 1 LSB of the exact reference, which
    evaluates each ConvTranspose from its definition (not from qcc's decomposition)."""
    d = OUT / "conv_transpose" / ("per_channel" if per_channel else "per_tensor")
    d.mkdir(parents=True, exist_ok=True)
    fp, qdq = d / "float.onnx", d / "qdq.onnx"
    onnx.save(models.decoder_net(), fp)
    if not qdq.exists():
        models.quantize_qdq(fp, qdq, models.image_like_inputs((1, 3, 8, 8), 8, seed=51),
                            per_channel=per_channel)
    ops = integer_only(qdq)
    assert ops["qcc.conv2d"] == 4 and ops["qcc.quantize"] == 1 and ops["qcc.dequantize"] == 1, ops
    for k, x in enumerate(models.image_like_inputs((1, 3, 8, 8), 2, seed=52)):
        print(check(d / f"float_{k}", onnx.load(fp), [x], target))
        print(check(d / f"qdq_{k}", onnx.load(qdq), [x], target, min_exact=MIN_EXACT))


@pytest.mark.parametrize("target", INT8_TARGETS)
def test_conv1d_qdq(target):
    """A 1-D convolutional net (PyTorch Conv1d's export: N x C x W) quantized by ONNX Runtime
    (QDQ, per-channel weights): its convolutions run as integer 2-D ones over N x C x 1 x W
    (weights reshaped at compile time, so they fold like any), no float op left, within 1 LSB
    of the exact reference; the float net within float tolerance of ONNX Runtime."""
    d = OUT / "conv1d"
    d.mkdir(parents=True, exist_ok=True)
    fp, qdq = d / "float.onnx", d / "qdq.onnx"
    onnx.save(models.audio_net(), fp)
    if not qdq.exists():
        models.quantize_qdq(fp, qdq, models.image_like_inputs((1, 2, 64), 8, seed=53))
    ops = integer_only(qdq)
    assert ops["qcc.conv2d"] == 3 and ops["qcc.quantize"] == 1 and ops["qcc.dequantize"] == 1, ops
    for k, x in enumerate(models.image_like_inputs((1, 2, 64), 2, seed=54)):
        print(check(d / f"float_{k}", onnx.load(fp), [x], target))
        print(check(d / f"qdq_{k}", onnx.load(qdq), [x], target, min_exact=MIN_EXACT))


@pytest.mark.parametrize("target", INT8_TARGETS)
def test_activation_tables(target):
    """Sigmoid, Tanh and HardSwish in a QDQ model become 256-entry tables."""
    d = OUT / "activations"
    d.mkdir(parents=True, exist_ok=True)
    fp, qdq = d / "float.onnx", d / "qdq.onnx"
    onnx.save(models.activations_net(), fp)
    if not qdq.exists():
        models.quantize_qdq(fp, qdq, models.image_like_inputs((1, 3, 16, 16), 8, seed=41))
    ops = integer_only(qdq)
    assert ops["qcc.table"] == 3 and ops["qcc.quantize"] == 1, ops
    for k, x in enumerate(models.image_like_inputs((1, 3, 16, 16), 2, seed=42)):
        print(check(d / f"float_{k}", onnx.load(fp), [x], target))
        print(check(d / f"qdq_{k}", onnx.load(qdq), [x], target, min_exact=MIN_EXACT))


def depthwise_net(channels=16, size=30):
    """Depthwise 3x3 convolutions, unit stride and stride 2, on an input with a nonzero zero
    point (no ReLU before: asymmetric u8 parameters) and after a ReLU (zero point 0)."""
    from onnx import TensorProto, helper
    rng = np.random.default_rng(51)

    def dw(name, x, y, stride):
        w = helper.make_tensor(f"{name}_w", TensorProto.FLOAT, [channels, 1, 3, 3],
                               rng.normal(0, 0.4, (channels, 1, 3, 3)).astype(np.float32).ravel())
        b = helper.make_tensor(f"{name}_b", TensorProto.FLOAT, [channels],
                               rng.normal(0, 0.1, channels).astype(np.float32))
        node = helper.make_node("Conv", [x, f"{name}_w", f"{name}_b"], [y], name=name,
                                group=channels, kernel_shape=[3, 3], pads=[1, 1, 1, 1],
                                strides=[stride, stride])
        return node, [w, b]

    nodes, inits = [], []
    for name, x, y, stride in [("dw1", "x", "a", 1), ("dw2", "a", "b", 2)]:
        node, params = dw(name, x, y, stride)
        nodes.append(node)
        inits += params
    nodes.append(helper.make_node("Relu", ["b"], ["c"]))
    for name, x, y, stride in [("dw3", "c", "d", 1), ("dw4", "d", "e", 2)]:
        node, params = dw(name, x, y, stride)
        nodes.append(node)
        inits += params
    # A 1x1 projection to 24 channels (on x86 VNNI with u8 weights: swapped quads).
    inits += [helper.make_tensor("pw_w", TensorProto.FLOAT, [24, channels, 1, 1],
                                 rng.normal(0, 0.3, (24, channels, 1, 1)).astype(np.float32).ravel()),
              helper.make_tensor("pw_b", TensorProto.FLOAT, [24],
                                 rng.normal(0, 0.1, 24).astype(np.float32))]
    nodes.append(helper.make_node("Conv", ["e", "pw_w", "pw_b"], ["f"], name="pw"))
    out = (size + 1) // 2
    out = (out + 1) // 2
    graph = helper.make_graph(
        nodes, "depthwise",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, size, size])],
        [helper.make_tensor_value_info("f", TensorProto.FLOAT, [1, 24, out, out])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)


@pytest.mark.parametrize("target", INT8_TARGETS)
@pytest.mark.parametrize("size,weights", [(30, "s8"), (56, "s8"), (30, "u8")])
def test_depthwise_int8(target, size, weights):
    """Depthwise 3x3 (unit stride and stride 2; input zero point nonzero and zero; s8
    per-channel weights, or u8 per-tensor weights with a zero point) and a 1x1 projection:
    on x86-64-v4 each kernel row is one VPDPBUSD (two for u8 weights) per output row
    (qcc-x86-dot-products' window products), and the projection's u8 weights run as
    swapped quads (raw weight bytes unsigned, input signed, the zero point's term from the
    pixel sums); every target matches ONNX Runtime."""
    d = OUT / f"depthwise_{size}_{weights}"
    d.mkdir(parents=True, exist_ok=True)
    fp, qdq = d / "float.onnx", d / "qdq.onnx"
    onnx.save(depthwise_net(size=size), fp)
    models.quantize_qdq(fp, qdq, [np.random.default_rng(52 + k).normal(0.3, 1, (1, 16, size, size))
                                  .astype(np.float32) for k in range(8)],
                        per_channel=weights == "s8",
                        weight_type="QInt8" if weights == "s8" else "QUInt8")
    for k in range(2):
        x = np.random.default_rng(60 + k).normal(0.3, 1, (1, 16, size, size)).astype(np.float32)
        print(check(d / f"qdq_{k}", onnx.load(qdq), [x], target, min_exact=MIN_EXACT))


def alias_cases():
    """Graphs whose outputs alias their inputs or each other (ONNX node tests test_identity,
    test_dropout_default, test_clip_default_inbounds, test_transpose_all_permutations_0 and
    a tensor listed twice as output): each crashed qcc in bufferization before
    qcc-distinct-results."""
    from onnx import TensorProto, helper, numpy_helper
    f = TensorProto.FLOAT
    vi = helper.make_tensor_value_info

    def model(nodes, ins, outs, inits=()):
        g = helper.make_graph(nodes, "alias", ins, outs, list(inits))
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)

    x = vi("x", f, [2, 3, 4])
    return {
        "identity": model([helper.make_node("Identity", ["x"], ["y"])], [x], [vi("y", f, [2, 3, 4])]),
        "dropout": model([helper.make_node("Dropout", ["x"], ["y"])], [x], [vi("y", f, [2, 3, 4])]),
        "clip_no_bounds": model([helper.make_node("Clip", ["x"], ["y"])], [x], [vi("y", f, [2, 3, 4])]),
        "transpose_identity_perm": model([helper.make_node("Transpose", ["x"], ["y"], perm=[0, 1, 2])],
                                         [x], [vi("y", f, [2, 3, 4])]),
        "output_twice": model([helper.make_node("Relu", ["x"], ["y"])], [x],
                              [vi("y", f, [2, 3, 4]), vi("y", f, [2, 3, 4])]),
        "input_is_output": model([helper.make_node("Relu", ["x"], ["y"])], [x],
                                 [vi("x", f, [2, 3, 4]), vi("y", f, [2, 3, 4])]),
        "reshaped_input": model([helper.make_node("Reshape", ["x", "s"], ["y"])], [x],
                                [vi("y", f, [6, 4])],
                                [numpy_helper.from_array(np.array([6, 4], np.int64), "s")]),
        "constant_output": model([helper.make_node("Relu", ["x"], ["y"]),
                                  helper.make_node("Constant", [], ["k"], value=numpy_helper.from_array(
                                      np.arange(3, dtype=np.float32), "k"))],
                                 [x], [vi("y", f, [2, 3, 4]), vi("k", f, [3])]),
    }


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", list(alias_cases()))
def test_outputs_alias_inputs_or_each_other(name, target):
    x = np.random.default_rng(5).standard_normal((2, 3, 4)).astype(np.float32)
    print(check(OUT / "alias" / name, alias_cases()[name], [x], target))


HOSTILE_NAMES = ['x*/\n#error injected from a tensor name\n/*', 'y??/\n', '"q" \\ /*nested*/ \u00e9\t\x7f',
                 '*/ int oops; /*']


def test_hostile_names_make_a_clean_header(tmp_path):
    """Tensor names (and the model's path) reach the header only escaped: a name holding
    "*/" and a newline used to put its own preprocessor lines into model.h. The header of a
    model with such names compiles with -Wall -Werror -pedantic (C11, where trigraphs are
    on, and C++), declares nothing but qcc's, and the model still runs."""
    from onnx import TensorProto, helper
    f = TensorProto.FLOAT
    a, b, c, d = HOSTILE_NAMES
    g = helper.make_graph([helper.make_node("Relu", [a], [b]), helper.make_node("Relu", [b], [c]),
                           helper.make_node("Relu", [a], [d])], "g",
                          [helper.make_tensor_value_info(a, f, [4])],
                          [helper.make_tensor_value_info(c, f, [4]), helper.make_tensor_value_info(d, f, [4])])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    weird_dir = tmp_path / "dir*?? name"
    weird_dir.mkdir()
    path = weird_dir / "m*/x.onnx".replace("/", "_")
    onnx.save(model, path)
    art = qcc.compile_model(path, "x86_64", tmp_path / "out", name="m")
    text = art.header.read_text()
    assert "x*\\/\\x0a#error injected" in text, text  # the name, escaped
    for line in text.splitlines():
        assert not line.lstrip().startswith("#error") and "int oops" not in line.split("/*")[0]
    src = tmp_path / "use.c"
    src.write_text('#include "m.h"\nint main(void) { return M_NUM_INPUTS + M_NUM_OUTPUTS - 3; }\n')
    for std, lang in [("-std=c11", "c"), ("-std=c++17", "c++")]:
        proc = subprocess.run(["cc" if lang == "c" else "c++", "-x", lang, std, "-Wall", "-Wextra",
                               "-Werror", "-pedantic", "-fsyntax-only", f"-I{art.header.parent}",
                               str(src)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    x = np.array([-1, 2, -3, 4], np.float32)
    app = qcc.build_app(art, tmp_path / "out")
    outs, _ = qcc.run_app(app, art, [x])
    assert np.array_equal(outs[0], np.maximum(x, 0)) and np.array_equal(outs[1], np.maximum(x, 0))


@pytest.mark.parametrize("target", ["x86_64", "aarch64-rpi4"])
def test_compiling_twice_gives_identical_bytes(resnet_models, target):
    """The same model and flags give byte-identical objects and headers."""
    d = OUT / "deterministic" / target
    arts = [qcc.compile_model(resnet_models["s8_per_channel"], target, d / str(k), name="m")
            for k in range(2)]
    assert arts[0].obj.read_bytes() == arts[1].obj.read_bytes()
    assert arts[0].header.read_text() == arts[1].header.read_text()


ARENA_FILL = r"""/* Runs the model twice, with the arena filled with two different byte patterns first;
 * usage: app input.bin out_a.bin out_b.bin */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "m.h"
int main(int argc, char **argv) {
  static unsigned char in[M_INPUT0_SIZE], out[2][M_OUTPUT0_SIZE];
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(in, 1, sizeof in, f) != sizeof in) return 2;
  fclose(f);
  size_t bytes = (M_ARENA_SIZE + M_ARENA_ALIGN) / M_ARENA_ALIGN * M_ARENA_ALIGN;
  unsigned char *arena = aligned_alloc(M_ARENA_ALIGN, bytes);
  const int fill[2] = {0x00, 0xA5};
  for (int k = 0; k < 2; ++k) {
    memset(arena, fill[k], bytes);
    memset(out[k], 0x5A ^ fill[k], sizeof out[k]);
    const void *ins[1] = {in};
    void *outs[1] = {out[k]};
    if (m_run(ins, outs, arena) != 0) return 3;
    f = fopen(argv[2 + k], "wb");
    fwrite(out[k], 1, sizeof out[k], f);
    fclose(f);
  }
  return 0;
}
"""


@pytest.mark.parametrize("target", ["x86_64", "aarch64-rpi4"])
def test_results_do_not_depend_on_arena_contents(mobilenet_models, target):
    """The arena holds no state: arenas (and output buffers) filled with 0x00 or 0xA5
    before the call give the same outputs."""
    d = OUT / "arena_contents" / target
    art = qcc.compile_model(mobilenet_models[1], target, d, name="m")
    src = d / "fill.c"
    src.write_text(ARENA_FILL)
    app = qcc.build_app(art, d, sources=[src])
    x = models.image_like_inputs((1, 3, 224, 224), 1, seed=23)[0]
    x.tofile(d / "in.bin")
    subprocess.run([*qcc.toolchain.runner_prefix(target), str(app), str(d / "in.bin"),
                    str(d / "a.bin"), str(d / "b.bin")], check=True, timeout=900)
    a, b = (d / "a.bin").read_bytes(), (d / "b.bin").read_bytes()
    assert len(a) == art.outputs[0].size and a == b


FAULTY_MODEL = r"""#include <string.h>
#include "m.h"
/* Stands in for a compiled model that touches memory it must not: KIND selects what. */
int m_run(const void *const inputs[], void *const outputs[], void *arena) {
  memcpy(outputs[0], inputs[0], M_OUTPUT0_SIZE < M_INPUT0_SIZE ? M_OUTPUT0_SIZE : M_INPUT0_SIZE);
#if KIND == 1
  ((volatile unsigned char *)outputs[0])[M_OUTPUT0_SIZE] = 1;   /* one byte past the output */
#elif KIND == 2
  ((volatile unsigned char *)inputs[0])[0] = 1;                 /* a write into an input */
#elif KIND == 3
  return ((volatile const unsigned char *)inputs[0])[M_INPUT0_SIZE]; /* a read past an input */
#elif KIND == 4
  ((volatile unsigned char *)outputs[0])[-1] = 1;                 /* a write before the output */
#endif
  (void)arena;
  return 0;
}
"""


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("kind", [0, 1, 2, 3, 4], ids=["clean", "write-past-output",
                                                       "write-input", "read-past-input",
                                                       "write-before-output"])
def test_checked_harness_catches_stray_accesses(tmp_path, target, kind, monkeypatch):
    """The checked harness (guard pages around every buffer, read-only inputs) turns a stray
    access of a model into a crash: shown with a stand-in object that makes one. The
    buffers end at the upper guard page, or (QCC_GUARD_LOW=1, for the write before the
    output) start at the lower one."""
    monkeypatch.setenv("QCC_GUARD_LOW", "1" if kind == 4 else "0")
    from onnx import TensorProto, helper
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [5])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [5])])
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=8), path)
    art = qcc.compile_model(path, target, tmp_path, name="m")
    src = tmp_path / "faulty.c"
    src.write_text(FAULTY_MODEL)
    fake = tmp_path / "faulty.o"
    cc = qcc.toolchain.c_compiler(target)[0]
    subprocess.run([cc, "-O1", "-c", f"-DKIND={kind}", f"-I{tmp_path}", str(src), "-o", str(fake)],
                   check=True)
    import dataclasses
    app = qcc.build_app(dataclasses.replace(art, obj=fake), tmp_path)
    x = np.arange(5, dtype=np.float32)
    if kind == 0:
        outs, _ = qcc.run_app(app, art, [x])
        assert np.array_equal(outs[0], x)
    else:
        with pytest.raises(RuntimeError, match="run failed"):
            qcc.run_app(app, art, [x])


def relu_chain(n):
    from onnx import TensorProto, helper
    nodes = [helper.make_node("Relu", [f"t{i}"], [f"t{i + 1}"], name=f"r{i}") for i in range(n)]
    g = helper.make_graph(nodes, "chain",
                          [helper.make_tensor_value_info("t0", TensorProto.FLOAT, [1, 16, 8, 8])],
                          [helper.make_tensor_value_info(f"t{n}", TensorProto.FLOAT, [1, 16, 8, 8])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)


@pytest.mark.parametrize("target", ["x86_64", "aarch64-rpi4"])
def test_scalar_layers_stay_small(tmp_path, target):
    """Layers qcc leaves as scalar loops are compiled for size (CodeGen.cpp): each Relu of a
    1x16x8x8 chain costs at most 256 bytes of .text (LLVM's full unrolling made it 630-700
    bytes, and compile time grew with it: 40 s for 1,000 layers on aarch64-rpi4). The code
    size is measured, not the time; 100 more layers, 100 times the per-layer cost."""
    sizes = []
    for n in (100, 200):
        onnx.save(relu_chain(n), tmp_path / f"chain{n}.onnx")
        art = qcc.compile_model(tmp_path / f"chain{n}.onnx", target, tmp_path / str(n), name="m")
        out = subprocess.run(["/usr/lib/llvm-19/bin/llvm-size", str(art.obj)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[-1]
        sizes.append(int(out.split()[0]))
    per_layer = (sizes[1] - sizes[0]) / 100
    print(f"{target}: {per_layer:.0f} bytes of .text per Relu layer")
    assert per_layer <= 256, per_layer
    x = np.random.default_rng(2).standard_normal((1, 16, 8, 8)).astype(np.float32)
    print(check(tmp_path / "run", relu_chain(100), [x], target))
