"""A host-independent reference for quantized ONNX models: an exact evaluation in numpy.

Why: ONNX Runtime's integer kernels are not right on every CPU. On x86 without AVX-512
VNNI its u8 x s8 GEMM multiplies with VPMADDUBSW, whose pairwise int16 sums saturate (its
own documentation recommends reduce_range for that reason); on CPUs with AVX-512 VNNI its
u8 x u8 QLinearConv returns wrong accumulators for some positions (see
test/E2E/test_trained_mobilenet.py). A comparison with ONNX Runtime's native kernels
therefore gives different verdicts on different hosts. This module computes what those
kernels are specified to compute, with arithmetic whose result does not depend on the
host:

- integer accumulations are exact (float64 products and sums of integers below 2^53,
  which BLAS computes exactly in any order);
- requantization, QLinearAdd, QLinearMul, QLinearAveragePool and the activation tables
  follow ONNX Runtime's (MLAS) documented f32 arithmetic, spelled out in
  docs/quantization.md: every f32 operation is one IEEE operation in numpy, and each fused
  multiply-add is rounded once (computed in f64 rounded to odd, then to f32);
- everything else follows the ONNX operator specification in f32 (QuantizeLinear,
  DequantizeLinear, and the float ops between them), convolutions and matrix products
  accumulated in f64.

Groups `Q(act?(op(DQ x, ...)))` are evaluated as one integer kernel where ONNX Runtime's
QDQ fusion (and qcc's qcc-fold-fake-quant) would: the op's result used only by the
QuantizeLinear (through at most one single-use Relu/Clip), 8-bit per-tensor activations,
constant 8-bit weights with one zero point. Everything else is evaluated as the ONNX graph
says (DequantizeLinear -> f32 op -> QuantizeLinear). The integer and the f32 forms agree
except where an exact result lies within f32 rounding of a rounding tie.

QOperator models (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger and ONNX
Runtime's com.microsoft QGemm, QLinearAdd, QLinearMul, QLinearAveragePool,
QLinearGlobalAveragePool, QLinearConcat, QLinearSigmoid) use the same integer kernels.

`run(model, inputs)` returns the outputs in graph order; an op it does not know raises
`Unsupported` naming the node.
"""
from __future__ import annotations

import math
from pathlib import Path

import functools

import numpy as np
import onnx
from onnx import numpy_helper

F32, F64 = np.float32, np.float64


class Unsupported(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Scalar arithmetic

def fma_f32(a, b, c):
    """f32 fused multiply-add a * b + c, rounded once. Requires a * b to be exact in f64
    (here: one factor an 8-bit integer, the other an f32). The sum is computed in f64 and
    rounded to odd (the error of the f64 sum, from TwoSum, decides the last bit), which
    makes the final rounding to f32 correct (53 >= 24 + 2 bits)."""
    p = np.asarray(a, F64) * np.asarray(b, F64)
    c = np.asarray(c, F64)
    p, c = np.broadcast_arrays(p, c)
    s = p + c
    bb = s - p
    err = (p - (s - bb)) + (c - bb)
    s = np.array(s, F64, copy=True)
    bits = s.view(np.int64)
    fix = (err != 0) & ((bits & 1) == 0)
    if np.any(fix):
        s[fix] = np.nextafter(s[fix], np.where(err[fix] > 0, np.inf, -np.inf))
    return s.astype(F32)


def storage_range(dtype):
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def quantize(x, scale, zp, dtype, axis=1):
    """ONNX QuantizeLinear: saturate(round_half_even(x / scale) + zp), f32 division."""
    x = np.asarray(x, F32)
    scale = np.asarray(scale, F32)
    zp = np.asarray(zp)
    if scale.size > 1:
        shape = [1] * x.ndim
        shape[axis] = scale.size
        scale, zp = scale.reshape(shape), zp.reshape(shape)
    lo, hi = storage_range(dtype)
    y = np.rint(x / scale).astype(F64) + zp.astype(F64)
    return np.clip(y, lo, hi).astype(dtype)


def dequantize(q, scale, zp, axis=1):
    """ONNX DequantizeLinear: (x - zp) * scale in f32."""
    q = np.asarray(q)
    scale = np.asarray(scale, F32)
    zp = np.zeros((), np.int64) if zp is None else np.asarray(zp).astype(np.int64)
    if scale.size > 1:
        shape = [1] * q.ndim
        shape[axis] = scale.size
        scale = scale.reshape(shape)
        if zp.size > 1:
            zp = zp.reshape(shape)
    return ((q.astype(np.int64) - zp).astype(F32) * scale).astype(F32)


def requantize(acc, multiplier, zp, dtype, lo=None, hi=None, channel_axis=1):
    """MLAS requantization: sat(round_half_even(float(acc) * m) + zp), f32; float(acc)
    rounds above 2^24 as MLAS's conversion does. `lo`/`hi`: a fused activation's clamp."""
    m = np.asarray(multiplier, F32)
    if m.size > 1:
        shape = [1] * np.ndim(acc)
        shape[channel_axis] = m.size
        m = m.reshape(shape)
    f = np.asarray(acc).astype(np.int64).astype(F32) * m
    return saturate(np.rint(f).astype(F64) + zp, dtype, lo, hi)


def saturate(f, dtype, lo=None, hi=None):
    """Round half to even, then clamp to the storage range narrowed by a fused activation's
    [lo, hi]."""
    qmin, qmax = storage_range(dtype)
    lo = qmin if lo is None else max(lo, qmin)
    hi = qmax if hi is None else min(hi, qmax)
    return np.clip(np.rint(f).astype(F64), lo, hi).astype(dtype)


def conv_requant_scale(sx, sw, sy):
    """(s_x * s_w) / s_y in f32, in that order (MLAS)."""
    return (F32(sx) * np.asarray(sw, F32)).astype(F32) / F32(sy)


# ---------------------------------------------------------------------------------------
# Array kernels (f64 accumulation: exact for integer operands)

def lift_1d(a):
    """1-D window attributes as 2-D ones over 1 x W: strides/dilations/kernel [v] -> [1, v],
    pads [b, e] -> [0, b, 0, e]; 2-D ones unchanged."""
    a = dict(a)
    for k in ("strides", "dilations", "kernel"):
        if k in a and len(a[k]) == 1:
            a[k] = [1, a[k][0]]
    if "pads" in a and len(a["pads"]) == 2:
        a["pads"] = [0, a["pads"][0], 0, a["pads"][1]]
    return a


def conv_f64(x, w, group=1, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), pad_value=0.0):
    """2-D convolution of f64 arrays (NCHW, FCKK), accumulated in f64; 1-D (NCW, FCK) as
    2-D over 1 x W."""
    if x.ndim == 3:
        a = lift_1d(dict(strides=strides, pads=pads, dilations=dilations))
        return conv_f64(x[:, :, None], w[:, :, None], group, a["strides"], a["pads"],
                        a["dilations"], pad_value)[:, :, 0]
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    if c != cg * group or f % group:
        raise Unsupported(f"Conv: {c} input channels, weights {w.shape}, group {group}")
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
                constant_values=pad_value)
    oh = (xp.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (xp.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    fg = f // group
    xg = xp.reshape(n, group, cg, xp.shape[2], xp.shape[3])
    wg = w.reshape(group, fg, cg, kh, kw)
    out = np.zeros((n, group, fg, oh, ow), F64)
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dilations[0], j * dilations[1]
            xs = xg[:, :, :, y0:y0 + strides[0] * (oh - 1) + 1:strides[0],
                    x0:x0 + strides[1] * (ow - 1) + 1:strides[1]]
            if cg == 1 and fg == 1:
                out += xs * wg[:, 0, 0, i, j][None, :, None, None, None]
            else:
                out += np.einsum("ngchw,gfc->ngfhw", xs, wg[:, :, :, i, j], optimize=True)
    return out.reshape(n, f, oh, ow)


def conv_attrs(node, x_shape, w_shape):
    a = attrs(node)
    if len(x_shape) == 3:  # 1-D: as 2-D over 1 x W
        x_shape, w_shape = (*x_shape[:2], 1, x_shape[2]), (*w_shape[:2], 1, w_shape[2])
        a = lift_1d({**a, **{k: a[k] for k in ("strides", "dilations", "pads") if k in a},
                     "kernel": a.get("kernel_shape", [w_shape[3]])})
        a["kernel_shape"] = a.pop("kernel")
    kernel = a.get("kernel_shape", list(w_shape[2:]))
    strides = a.get("strides", [1, 1])
    dil = a.get("dilations", [1, 1])
    pads = list(a.get("pads", [0, 0, 0, 0]))
    auto_pad = a.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        pads = [0, 0, 0, 0]
        for i in range(2):
            out = -(-x_shape[2 + i] // strides[i])
            total = max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - x_shape[2 + i])
            small, big = total // 2, total - total // 2
            pads[i], pads[i + 2] = (small, big) if auto_pad == "SAME_UPPER" else (big, small)
    elif auto_pad == "VALID":
        pads = [0, 0, 0, 0]
    return dict(group=a.get("group", 1), strides=strides, pads=pads, dilations=dil)


def conv_transpose_attrs(node, x_shape, w_shape):
    """Strides, dilations, group, begin pads and output size of a 2-D ConvTranspose: an
    explicit output_shape as ONNX Runtime reads it (padding at least 0, the odd element at
    the end, for SAME_UPPER at the beginning); auto_pad SAME_* alone targets in * stride as
    the ONNX specification says."""
    a = attrs(node)
    strides = a.get("strides", [1, 1])
    dil = a.get("dilations", [1, 1])
    opad = a.get("output_padding", [0, 0])
    pads = list(a.get("pads", [0, 0, 0, 0]))
    oshape = a.get("output_shape")
    auto_pad = a.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    out = []
    for i in range(2):
        full = strides[i] * (x_shape[2 + i] - 1) + opad[i] + (w_shape[2 + i] - 1) * dil[i] + 1
        if oshape is not None:
            target = oshape[len(oshape) - 2 + i]
            total = max(0, full - target)
            pads[i] = total - total // 2 if auto_pad == "SAME_UPPER" else total // 2
            out.append(target)
            continue
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            total = full - x_shape[2 + i] * strides[i]
            pads[i] = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
            out.append(x_shape[2 + i] * strides[i])
            continue
        if auto_pad == "VALID":
            pads = [0, 0, 0, 0]
        out.append(full - pads[i] - pads[i + 2])
    return dict(group=a.get("group", 1), strides=strides, begin=pads[:2], dilations=dil,
                out=out)


def conv_transpose_f64(x, w, group, strides, begin, dilations, out):
    """2-D transposed convolution of f64 arrays (NCHW input, C x F/g x KH x KW weight),
    straight from its definition: input (c, ih, iw) times weight (c, f, kh, kw) adds to
    output (g * F/g + f, ih * s - pad + kh * d, ...), accumulated in f64."""
    n, c, h, wd = x.shape
    _, fg, kh, kw = w.shape
    cg = c // group
    y = np.zeros((n, group * fg, out[0], out[1]), F64)
    for g in range(group):
        xg, wg = x[:, g * cg:(g + 1) * cg], w[g * cg:(g + 1) * cg]
        for i in range(kh):
            rows = np.arange(h) * strides[0] - begin[0] + i * dilations[0]
            rk = (rows >= 0) & (rows < out[0])
            for j in range(kw):
                cols = np.arange(wd) * strides[1] - begin[1] + j * dilations[1]
                ck = (cols >= 0) & (cols < out[1])
                part = np.einsum("nchw,cf->nfhw", xg, wg[:, :, i, j])[:, :, rk][:, :, :, ck]
                y[:, g * fg:(g + 1) * fg, rows[rk][:, None], cols[ck][None, :]] += part
    return y


def pool_windows(x, kernel, strides, pads, ceil_mode, dilations=(1, 1), pad_value=0.0):
    """The windows of a 2-D pooling: (list of (valid-mask, values) per kernel position in
    window order, output shape). Padded positions are marked invalid."""
    n, c, h, w = x.shape
    out = []
    for i in range(2):
        size = (x.shape[2 + i] + pads[i] + pads[i + 2] - dilations[i] * (kernel[i] - 1) - 1)
        o = (-(-size // strides[i]) if ceil_mode else size // strides[i]) + 1
        # ceil mode: a window must start inside the input or its left padding
        if ceil_mode and (o - 1) * strides[i] >= x.shape[2 + i] + pads[i]:
            o -= 1
        out.append(o)
    oh, ow = out
    ph = max(pads[2], (oh - 1) * strides[0] + dilations[0] * (kernel[0] - 1) + 1 - h - pads[0])
    pw = max(pads[3], (ow - 1) * strides[1] + dilations[1] * (kernel[1] - 1) + 1 - w - pads[1])
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], ph), (pads[1], pw)), constant_values=pad_value)
    valid = np.zeros((h + pads[0] + ph, w + pads[1] + pw), bool)
    valid[pads[0]:pads[0] + h, pads[1]:pads[1] + w] = True
    # count_include_pad counts the declared padding, not ceil mode's extra
    declared = np.zeros_like(valid)
    declared[:h + pads[0] + pads[2], :w + pads[1] + pads[3]] = True
    wins = []
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            y0, x0 = i * dilations[0], j * dilations[1]
            sl = (slice(y0, y0 + strides[0] * (oh - 1) + 1, strides[0]),
                  slice(x0, x0 + strides[1] * (ow - 1) + 1, strides[1]))
            wins.append((valid[sl], declared[sl], xp[(slice(None), slice(None)) + sl]))
    return wins, (n, c, oh, ow)


def pool_attrs(node):
    a = attrs(node)
    kernel = a["kernel_shape"]
    auto_pad = a.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if auto_pad not in ("NOTSET", "VALID"):
        raise Unsupported(f"{node.op_type} '{node.name}': auto_pad {auto_pad}")
    return dict(kernel=kernel, strides=a.get("strides", [1, 1]),
                pads=a.get("pads", [0, 0, 0, 0]) if auto_pad == "NOTSET" else [0, 0, 0, 0],
                ceil_mode=bool(a.get("ceil_mode", 0)), dilations=a.get("dilations", [1, 1]),
                count_include_pad=bool(a.get("count_include_pad", 0)))


def max_pool(x, p):
    wins, _ = pool_windows(x.astype(F64), p["kernel"], p["strides"], p["pads"], p["ceil_mode"],
                           p["dilations"], pad_value=-np.inf)
    out = None
    for valid, _, v in wins:
        v = np.where(valid, v, -np.inf)
        out = v if out is None else np.maximum(out, v)
    return out.astype(x.dtype)


def avg_pool_f32(values, p):
    """f32 average pool of f32 values: summed in window order, divided by the count."""
    wins, shape = pool_windows(values, p["kernel"], p["strides"], p["pads"], p["ceil_mode"],
                               p["dilations"])
    acc = np.zeros(shape, F32)
    count = np.zeros(shape[2:], F32)
    for valid, declared, v in wins:
        acc = (acc + np.where(valid, v, F32(0))).astype(F32)
        count += declared if p["count_include_pad"] else valid
    return (acc / count).astype(F32)


# ---------------------------------------------------------------------------------------
# Graph evaluation

def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class _Quantized:
    """A DequantizeLinear's source: stored integers and their parameters."""

    def __init__(self, q, scale, zp, axis):
        self.q, self.axis = q, axis
        self.scale = np.asarray(scale, F32).reshape(-1)
        self.zp = (np.zeros(self.scale.shape, np.int64) if zp is None
                   else np.asarray(zp).astype(np.int64).reshape(-1))
        self.dtype = np.asarray(q).dtype

    @property
    def per_tensor(self):
        return self.scale.size == 1

    @property
    def eight_bit(self):
        return self.dtype in (np.uint8, np.int8)

    def one_zero_point(self):
        return bool(np.all(self.zp == self.zp[0]))


class Evaluator:
    def __init__(self, model: onnx.ModelProto):
        self.model = model
        g = model.graph
        self.consts = {i.name: numpy_helper.to_array(i) for i in g.initializer}
        self.consumers = {}
        for n in g.node:
            for i in n.input:
                if i:
                    self.consumers.setdefault(i, []).append(n)
        self.graph_outputs = {o.name for o in g.output}
        self.producer = {o: n for n in g.node for o in n.output}
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)

    # -- helpers
    def uses(self, name):
        return len(self.consumers.get(name, [])) + (name in self.graph_outputs)

    def const(self, name):
        if name in self.consts:
            return self.consts[name]
        n = self.producer.get(name)
        if n is not None and n.op_type == "Constant":
            return self.vals[name]
        if n is not None and n.op_type == "Identity":
            return self.const(n.input[0])
        return None

    def quantized_source(self, name):
        """The stored integers a float value was dequantized from (DequantizeLinear, or
        an Identity of one), or None."""
        n = self.producer.get(name)
        if n is None:
            return None
        if n.op_type == "DequantizeLinear":
            return self.dq_sources.get(name)
        return None

    def inp(self, n, i):
        return self.vals[n.input[i]] if len(n.input) > i and n.input[i] else None

    # -- the run
    def run(self, inputs):
        g = self.model.graph
        init_names = set(self.consts)
        real_inputs = [i for i in g.input if i.name not in init_names]
        if len(inputs) != len(real_inputs):
            raise ValueError(f"{len(real_inputs)} inputs expected, {len(inputs)} given")
        self.vals = dict(self.consts)
        self.dq_sources = {}
        for vi, x in zip(real_inputs, inputs):
            self.vals[vi.name] = np.asarray(x)
        for n in g.node:
            outs = self.eval_node(n)
            for name, v in zip(n.output, outs):
                if name:
                    self.vals[name] = v
        return [self.vals[o.name] for o in g.output]

    def eval_node(self, n):
        op = n.op_type
        if n.domain not in ("", "ai.onnx", "com.microsoft"):
            raise Unsupported(f"node '{n.name}': domain {n.domain}")
        fn = getattr(self, "op_" + op, None)
        if fn is None:
            raise Unsupported(f"node '{n.name}': op {op} has no reference implementation")
        out = fn(n)
        return out if isinstance(out, list) else [out]

    # -- quantization
    def op_DequantizeLinear(self, n):
        x, s = self.inp(n, 0), self.inp(n, 1)
        zp = self.inp(n, 2)
        axis = attrs(n).get("axis", 1)
        if axis < 0:
            axis += x.ndim
        self.dq_sources[n.output[0]] = _Quantized(x, s, zp, axis)
        return dequantize(x, s, zp, axis)

    def op_QuantizeLinear(self, n):
        s = self.inp(n, 1)
        zp = self.inp(n, 2)
        dtype = zp.dtype if zp is not None else np.uint8
        zp = zp if zp is not None else np.zeros((), np.uint8)
        if np.asarray(s).size == 1 and dtype in (np.uint8, np.int8):
            folded = self.fold(n, float(np.asarray(s, F32).reshape(-1)[0]),
                               int(np.asarray(zp).reshape(-1)[0]), dtype)
            if folded is not None:
                return folded
        axis = attrs(n).get("axis", 1)
        x = self.inp(n, 0)
        return quantize(x, s, zp, dtype, axis + x.ndim if axis < 0 else axis)

    # -- integer groups Q(act?(op(DQ ...)))
    def activation_range(self, name, sy, zy, dtype):
        """A single-use Relu/Clip producing `name`: (its input, clamp lo, clamp hi) in the
        quantized domain; else (name, None, None)."""
        p = self.producer.get(name)
        if p is None or self.uses(name) != 1 or p.op_type not in ("Relu", "Clip"):
            return name, None, None
        if p.op_type == "Relu":
            lo, hi = 0.0, None
        else:
            a = attrs(p)
            lo, hi = a.get("min"), a.get("max")
            if len(p.input) > 1 and p.input[1]:
                c = self.const(p.input[1])
                if c is None:
                    return name, None, None
                lo = float(c)
            if len(p.input) > 2 and p.input[2]:
                c = self.const(p.input[2])
                if c is None:
                    return name, None, None
                hi = float(c)
        ql = None if lo is None else int(quantize(F32(lo), sy, zy, dtype))
        qh = None if hi is None else int(quantize(F32(hi), sy, zy, dtype))
        return p.input[0], ql, qh

    def fold(self, q, sy, zy, dtype):
        src, lo, hi = self.activation_range(q.input[0], sy, zy, dtype)
        p = self.producer.get(src)
        if p is None:
            return None
        if p.op_type == "DequantizeLinear":
            x = self.dq_sources.get(src)
            if x is None or not (x.eight_bit and x.per_tensor):
                return None
            return requantize(x.q.astype(np.int64) - x.zp[0], F32(x.scale[0]) / F32(sy), zy,
                              dtype, lo, hi)
        if self.uses(src) != 1:
            return None
        rule = {"Conv": self.fold_conv, "ConvTranspose": self.fold_conv_transpose, "Gemm": self.fold_gemm, "MatMul": self.fold_matmul,
                "GlobalAveragePool": self.fold_gap, "Add": self.fold_binary, "Mul": self.fold_binary,
                "AveragePool": self.fold_avg_pool, "Concat": self.fold_concat,
                "MaxPool": self.fold_data_movement, "Reshape": self.fold_data_movement,
                "Transpose": self.fold_data_movement}.get(p.op_type)
        if p.op_type in TABLE_OPS and lo is None and hi is None:
            rule = self.fold_table
        if rule is None:
            return None
        return rule(p, sy, zy, dtype, lo, hi)

    def activation8(self, name):
        x = self.quantized_source(name)
        return x if x is not None and x.eight_bit and x.per_tensor else None

    def weight8(self, name, channel_axis):
        """A constant 8-bit weight: per tensor, or per axis along the output channel, with
        one zero point."""
        x = self.quantized_source(name)
        dq = self.producer.get(name)
        if x is None or not x.eight_bit or self.const(dq.input[0]) is None:
            return None
        if not x.per_tensor and (x.axis != channel_axis or not x.one_zero_point()):
            return None
        return x

    def bias_accumulator(self, name, acc_scale):
        """An int32 bias in accumulator units: a DequantizeLinear of an int32 constant whose
        scale equals s_x * s_w[c] (ONNX Runtime's quantizer), or any other constant bias
        re-expressed at compile time as round(bias / acc_scale) (qcc's rule)."""
        if not name:
            return np.zeros(acc_scale.shape, np.int64)
        x = self.quantized_source(name)
        if x is not None and x.dtype == np.int32 and np.all(x.zp == 0) and \
                np.array_equal(np.broadcast_to(x.scale, acc_scale.shape), acc_scale) and \
                self.const(self.producer[name].input[0]) is not None:
            return x.q.astype(np.int64).reshape(-1) * np.ones(acc_scale.shape, np.int64)
        if x is None and self.const(name) is None:
            return None
        real = self.vals[name].astype(F64).reshape(-1)
        return np.rint(real / acc_scale.astype(F64)).astype(np.int64)

    def centered(self, x, shape_axis=None):
        zp = x.zp[0]
        return x.q.astype(F64) - F64(zp)

    def contraction(self, p, a, w, sy, zy, dtype, lo, hi, compute, bias_name, channel_axis_out):
        acc_scale = (F32(a.scale[0]) * w.scale.astype(F32)).astype(F32)
        bias = self.bias_accumulator(bias_name, acc_scale)
        if bias is None:
            return None
        acc = compute(self.centered(a), self.centered(w))
        bshape = [1] * acc.ndim
        bshape[channel_axis_out] = -1
        acc = acc + (bias.reshape(bshape) if bias.size > 1 else bias.reshape(-1)[0])
        acc = np.rint(acc).astype(np.int64)
        m = conv_requant_scale(a.scale[0], w.scale, sy)
        return requantize(acc, m, zy, dtype, lo, hi, channel_axis=channel_axis_out)

    def fold_conv(self, p, sy, zy, dtype, lo, hi):
        x, w = self.activation8(p.input[0]), self.weight8(p.input[1], 0)
        if x is None or w is None or x.q.ndim not in (3, 4):
            return None
        ca = conv_attrs(p, x.q.shape, w.q.shape)
        bias = p.input[2] if len(p.input) > 2 else ""
        return self.contraction(p, x, w, sy, zy, dtype, lo, hi,
                                lambda xc, wc: conv_f64(xc, wc, **ca), bias, 1)

    def fold_conv_transpose(self, p, sy, zy, dtype, lo, hi):
        x, w = self.activation8(p.input[0]), self.weight8(p.input[1], 1)
        if x is None or w is None or x.q.ndim != 4 or \
                (not w.per_tensor and attrs(p).get("group", 1) != 1):
            return None
        ca = conv_transpose_attrs(p, x.q.shape, w.q.shape)
        bias = p.input[2] if len(p.input) > 2 else ""
        return self.contraction(p, x, w, sy, zy, dtype, lo, hi,
                                lambda xc, wc: conv_transpose_f64(xc, wc, **ca), bias, 1)

    def fold_gemm(self, p, sy, zy, dtype, lo, hi):
        a_ = attrs(p)
        if a_.get("alpha", 1.0) != 1.0 or a_.get("beta", 1.0) != 1.0:
            return None
        ta, tb = a_.get("transA", 0), a_.get("transB", 0)
        a, b = self.activation8(p.input[0]), self.weight8(p.input[1], 0 if tb else 1)
        if a is None or b is None:
            return None
        bias = p.input[2] if len(p.input) > 2 else ""

        def compute(ac, bc):
            return (ac.T if ta else ac) @ (bc.T if tb else bc)
        return self.contraction(p, a, b, sy, zy, dtype, lo, hi, compute, bias, 1)

    def fold_matmul(self, p, sy, zy, dtype, lo, hi):
        a = self.activation8(p.input[0])
        bq = self.quantized_source(p.input[1])
        if a is None or bq is None:
            return None
        b = self.weight8(p.input[1], bq.q.ndim - 1)
        if b is None:
            return None
        out_axis = max(a.q.ndim, b.q.ndim) - 1
        return self.contraction(p, a, b, sy, zy, dtype, lo, hi, lambda ac, bc: ac @ bc, "",
                                out_axis)

    def fold_gap(self, p, sy, zy, dtype, lo, hi):
        x = self.activation8(p.input[0])
        if x is None or x.q.ndim != 4:
            return None
        return self.global_average(x, sy, zy, dtype, lo, hi)

    @staticmethod
    def global_average(x, sy, zy, dtype, lo=None, hi=None):
        """QLinearGlobalAveragePool: int32 sum(x) - zp_x * n, requantized by
        s_x / (s_y * n) (f32, that order)."""
        count = x.q.shape[2] * x.q.shape[3]
        acc = x.q.astype(np.int64).sum(axis=(2, 3), keepdims=True) - int(x.zp[0]) * count
        m = F32(x.scale[0]) / (F32(sy) * F32(count))
        return requantize(acc, m, zy, dtype, lo, hi)

    def fold_binary(self, p, sy, zy, dtype, lo, hi):
        """Q(act?(Add|Mul(DQ a, DQ b))) with 8-bit per-tensor a and b."""
        a, b = self.activation8(p.input[0]), self.activation8(p.input[1])
        if a is None or b is None:
            return None
        kernel = self.integer_add if p.op_type == "Add" else self.integer_mul
        return kernel(a, b, sy, zy, dtype, lo, hi)

    @staticmethod
    def integer_add(a, b, sy, zy, dtype, lo=None, hi=None):
        """ONNX Runtime's x86 QLinearAdd (MLAS, AVX2 build with FMA contraction):
        rA = s_a / s_c, rB = s_b / s_c, fixed = zp_c - fma(rA, zp_a, rB * zp_b),
        c = sat(round(fma(a, rA, fma(b, rB, fixed))))."""
        ra, rb = F32(a.scale[0]) / F32(sy), F32(b.scale[0]) / F32(sy)
        zero_terms = fma_f32(ra, F32(a.zp[0]), F32(rb * F32(b.zp[0])))
        fixed = F32(F32(zy) - zero_terms)
        t = fma_f32(b.q.astype(F32), rb, fixed)
        r = fma_f32(a.q.astype(F32), ra, t)
        return saturate(r, dtype, lo, hi)

    @staticmethod
    def integer_mul(a, b, sy, zy, dtype, lo=None, hi=None):
        """ONNX Runtime's QLinearMul: r = (s_a * s_b) / s_c in f32,
        c = sat(round(float((a - zp_a)(b - zp_b)) * r + float(zp_c)))."""
        r = F32(F32(a.scale[0]) * F32(b.scale[0])) / F32(sy)
        prod = (a.q.astype(np.int64) - a.zp[0]) * (b.q.astype(np.int64) - b.zp[0])
        f = (prod.astype(F32) * r).astype(F32) + F32(zy)
        return saturate(f, dtype, lo, hi)

    def fold_avg_pool(self, p, sy, zy, dtype, lo, hi):
        x = self.activation8(p.input[0])
        if x is None or x.q.ndim not in (3, 4):
            return None
        if x.q.ndim == 3:
            lifted = _Quantized(x.q[:, :, None], x.scale, x.zp, x.axis)
            return self.integer_avg_pool(lifted, lift_1d(pool_attrs(p)), sy, zy, dtype, lo,
                                         hi)[:, :, 0]
        return self.integer_avg_pool(x, pool_attrs(p), sy, zy, dtype, lo, hi)

    @classmethod
    def integer_avg_pool(cls, x, pa, sy, zy, dtype, lo=None, hi=None):
        """ONNX Runtime's QLinearAveragePool: inputs dequantized in f32, summed in window
        order, divided by the count, c = sat(round(avg / s_y + float(zp_y))); a window
        covering the whole unpadded plane runs as QLinearGlobalAveragePool."""
        h, w = x.q.shape[2:]
        if list(pa["kernel"]) == [h, w] and not any(pa["pads"]) and pa["dilations"] == [1, 1]:
            return cls.global_average(x, sy, zy, dtype, lo, hi)
        values = ((x.q.astype(np.int64) - x.zp[0]).astype(F32) * F32(x.scale[0])).astype(F32)
        avg = avg_pool_f32(values, pa)
        y = (avg / F32(sy)).astype(F32) + F32(zy)
        return saturate(y, dtype, lo, hi)

    def fold_concat(self, p, sy, zy, dtype, lo, hi):
        parts = [self.activation8(i) for i in p.input]
        if any(x is None for x in parts) or lo is not None or hi is not None:
            return None
        axis = attrs(p)["axis"]
        return self.integer_concat(parts, axis, sy, zy, dtype)

    @staticmethod
    def integer_concat(parts, axis, sy, zy, dtype):
        """Each input requantized to the output's parameters (s_x / s_y), then joined."""
        conv = []
        for x in parts:
            if F32(x.scale[0]) == F32(sy) and x.zp[0] == zy and x.dtype == dtype:
                conv.append(x.q)
            else:
                conv.append(requantize(x.q.astype(np.int64) - x.zp[0],
                                       F32(x.scale[0]) / F32(sy), zy, dtype))
        return np.concatenate(conv, axis=axis)

    def fold_data_movement(self, p, sy, zy, dtype, lo, hi):
        x = self.activation8(p.input[0])
        if x is None or x.scale[0] <= 0:
            return None
        fn = getattr(self, "op_" + p.op_type)
        saved = self.vals[p.input[0]]
        self.vals[p.input[0]] = x.q
        try:
            moved = fn(p)
        finally:
            self.vals[p.input[0]] = saved
        if F32(x.scale[0]) == F32(sy) and x.zp[0] == zy and x.dtype == dtype and \
                lo is None and hi is None:
            return moved.astype(dtype)
        return requantize(moved.astype(np.int64) - x.zp[0], F32(x.scale[0]) / F32(sy), zy,
                          dtype, lo, hi)

    def fold_table(self, p, sy, zy, dtype, lo, hi):
        x = self.activation8(p.input[0])
        if x is None:
            return None
        alpha = attrs(p).get("alpha", 0.01)
        table = self.activation_table(p.op_type, x, sy, zy, dtype, alpha)
        return table[x.q.astype(np.int64) - storage_range(x.dtype)[0]]

    @staticmethod
    def activation_table(op, x, sy, zy, dtype, alpha=0.01):
        """The 256 results of Q(f(DQ(v))) for every stored v, f in f32."""
        lo, hi = storage_range(x.dtype)
        v = np.arange(lo, hi + 1, dtype=np.int64)
        real = ((v - x.zp[0]).astype(F32) * F32(x.scale[0])).astype(F32)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            f = float_activation(op, real, alpha)
        # qcc's choice where ONNX leaves QuantizeLinear(NaN) open (sqrt of a negative value):
        # the zero point.
        return quantize(np.where(np.isnan(f), F32(0), f), sy, zy, dtype)

    # -- float ops (ONNX semantics)
    def binary(self, n, fn):
        return fn(self.inp(n, 0), self.inp(n, 1))

    def op_Add(self, n):
        return self.binary(n, np.add)

    def op_Sub(self, n):
        return self.binary(n, np.subtract)

    def op_Mul(self, n):
        return self.binary(n, np.multiply)

    def op_Div(self, n):
        a, b = self.inp(n, 0), self.inp(n, 1)
        if np.issubdtype(a.dtype, np.integer):
            return (a // b).astype(a.dtype)
        return np.divide(a, b)

    def op_Relu(self, n):
        x = self.inp(n, 0)
        return np.maximum(x, np.zeros((), x.dtype))

    def op_Clip(self, n):
        x = self.inp(n, 0)
        a = attrs(n)
        lo, hi = a.get("min"), a.get("max")
        if len(n.input) > 1 and n.input[1]:
            lo = self.vals[n.input[1]]
        if len(n.input) > 2 and n.input[2]:
            hi = self.vals[n.input[2]]
        if lo is not None:
            x = np.maximum(x, np.asarray(lo, x.dtype))
        if hi is not None:
            x = np.minimum(x, np.asarray(hi, x.dtype))
        return x

    def op_Sigmoid(self, n):
        return float_activation("Sigmoid", self.inp(n, 0))

    def op_Tanh(self, n):
        return float_activation("Tanh", self.inp(n, 0))

    def op_HardSwish(self, n):
        return float_activation("HardSwish", self.inp(n, 0))

    def op_Exp(self, n):
        return float_activation("Exp", self.inp(n, 0))

    def op_Sqrt(self, n):
        return float_activation("Sqrt", self.inp(n, 0))

    def op_LeakyRelu(self, n):
        return float_activation("LeakyRelu", self.inp(n, 0), attrs(n).get("alpha", 0.01))

    def op_Max(self, n):
        return functools.reduce(np.maximum, [self.inp(n, i) for i in range(len(n.input))])

    def op_Min(self, n):
        return functools.reduce(np.minimum, [self.inp(n, i) for i in range(len(n.input))])

    def op_Softmax(self, n):
        x = self.inp(n, 0).astype(F64)
        axis = attrs(n).get("axis", -1 if self.opset >= 13 else 1)
        if self.opset < 13:
            shape = x.shape
            x = x.reshape(int(np.prod(shape[:axis])), -1)
            e = np.exp(x - x.max(axis=1, keepdims=True))
            return (e / e.sum(axis=1, keepdims=True)).reshape(shape).astype(F32)
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return (e / e.sum(axis=axis, keepdims=True)).astype(F32)

    def op_Conv(self, n):
        x, w = self.inp(n, 0), self.inp(n, 1)
        b = self.inp(n, 2)
        y = conv_f64(x.astype(F64), w.astype(F64), **conv_attrs(n, x.shape, w.shape))
        if b is not None:
            y = y + b.astype(F64)[None, :, None, None]
        return y.astype(F32)

    def op_ConvTranspose(self, n):
        x, w = self.inp(n, 0), self.inp(n, 1)
        b = self.inp(n, 2)
        y = conv_transpose_f64(x.astype(F64), w.astype(F64),
                               **conv_transpose_attrs(n, x.shape, w.shape))
        if b is not None:
            y = y + b.astype(F64)[None, :, None, None]
        return y.astype(F32)

    def op_Gemm(self, n):
        a_ = attrs(n)
        A, B = self.inp(n, 0).astype(F64), self.inp(n, 1).astype(F64)
        A = A.T if a_.get("transA", 0) else A
        B = B.T if a_.get("transB", 0) else B
        y = a_.get("alpha", 1.0) * (A @ B)
        c = self.inp(n, 2)
        if c is not None:
            y = y + a_.get("beta", 1.0) * c.astype(F64)
        return y.astype(F32)

    def op_MatMul(self, n):
        return (self.inp(n, 0).astype(F64) @ self.inp(n, 1).astype(F64)).astype(F32)

    def op_BatchNormalization(self, n):
        x, s, b, mean, var = (self.inp(n, i) for i in range(5))
        eps = attrs(n).get("epsilon", 1e-5)
        shape = [1, -1] + [1] * (x.ndim - 2)
        r = lambda v: v.reshape(shape)  # noqa: E731
        return ((x - r(mean)) / np.sqrt(r(var) + F32(eps)) * r(s) + r(b)).astype(F32)

    def op_MaxPool(self, n):
        x = self.inp(n, 0)
        if x.ndim == 3:
            return max_pool(x[:, :, None], lift_1d(pool_attrs(n)))[:, :, 0]
        return max_pool(x, pool_attrs(n))

    def op_AveragePool(self, n):
        x = self.inp(n, 0).astype(F32)
        if x.ndim == 3:
            return avg_pool_f32(x[:, :, None], lift_1d(pool_attrs(n)))[:, :, 0]
        return avg_pool_f32(x, pool_attrs(n))

    def op_GlobalAveragePool(self, n):
        x = self.inp(n, 0)
        return x.astype(F64).mean(axis=tuple(range(2, x.ndim)), keepdims=True).astype(F32)

    def op_Pad(self, n):
        x = self.inp(n, 0)
        pads = [int(v) for v in self.inp(n, 1)]
        axes = list(range(x.ndim)) if self.inp(n, 3) is None else \
            [int(a) % x.ndim for a in self.inp(n, 3)]
        value = 0 if self.inp(n, 2) is None else self.inp(n, 2).reshape(-1)[0]
        width = [(0, 0)] * x.ndim
        for j, a in enumerate(axes):
            width[a] = (pads[j], pads[j + len(axes)])
        return np.pad(x, width, constant_values=value)

    def op_Slice(self, n):
        x = self.inp(n, 0)
        starts, ends = self.inp(n, 1), self.inp(n, 2)
        axes = range(len(starts)) if self.inp(n, 3) is None else self.inp(n, 3)
        steps = [1] * len(starts) if self.inp(n, 4) is None else self.inp(n, 4)
        index = [slice(None)] * x.ndim
        for s_, e, a, st in zip(starts, ends, axes, steps):
            index[int(a)] = slice(int(s_), int(min(max(e, -2**62), 2**62)), int(st))
        return x[tuple(index)]

    def op_Split(self, n):
        x = self.inp(n, 0)
        axis = attrs(n).get("axis", 0)
        if self.inp(n, 1) is not None:
            sizes = [int(v) for v in self.inp(n, 1)]
        else:
            sizes = [x.shape[axis] // len(n.output)] * len(n.output)
        return list(np.split(x, np.cumsum(sizes)[:-1], axis=axis))

    def op_Resize(self, n):
        """Nearest only (what the QDQ tests use), ONNX's default half_pixel /
        round_prefer_floor rules."""
        x = self.inp(n, 0)
        a = {k: v.decode() if isinstance(v, bytes) else v for k, v in attrs(n).items()}
        if a.get("mode", "nearest") != "nearest" or a.get(
                "coordinate_transformation_mode", "half_pixel") != "half_pixel":
            raise Unsupported(f"node '{n.name}': Resize variant")
        scales = self.inp(n, 2)
        idx = []
        for axis in (2, 3):
            s_ = F32(scales[axis])
            out = int(np.floor(x.shape[axis] * scales[axis]))
            src = ((np.arange(out, dtype=F32) + F32(0.5)) / s_ - F32(0.5)).astype(F32)
            f = np.floor(src)
            r = np.where(src == f + F32(0.5), f, np.round(src))
            idx.append(np.clip(r.astype(np.int64), 0, x.shape[axis] - 1))
        return x[:, :, idx[0]][:, :, :, idx[1]]

    def op_ArgMax(self, n):
        x, a = self.inp(n, 0), attrs(n)
        axis, keep = a.get("axis", 0), a.get("keepdims", 1)
        if a.get("select_last_index", 0):
            r = x.shape[axis] - 1 - np.argmax(np.flip(x, axis), axis=axis)
        else:
            r = np.argmax(x, axis=axis)
        return (np.expand_dims(r, axis) if keep else r).astype(np.int64)

    def op_PRelu(self, n):
        x, slope = self.inp(n, 0), self.inp(n, 1)
        return np.where(x < 0, (slope * x).astype(F32), x).astype(F32)

    def op_TopK(self, n):
        x, k = self.inp(n, 0), int(self.inp(n, 1).reshape(-1)[0])
        a = attrs(n)
        axis, largest = a.get("axis", -1) % x.ndim, a.get("largest", 1)
        order = np.argsort(-x if largest else x, axis=axis, kind="stable")
        idx = np.take(order, np.arange(k), axis=axis)
        return [np.take_along_axis(x, idx, axis=axis), idx.astype(np.int64)]

    def op_Gather(self, n):
        x, i = self.inp(n, 0), self.inp(n, 1).astype(np.int64)
        return np.take(x, i, axis=attrs(n).get("axis", 0))

    def op_GatherND(self, n):
        x, i = self.inp(n, 0), self.inp(n, 1).astype(np.int64)
        bd = attrs(n).get("batch_dims", 0)
        k = i.shape[-1]
        lead = i.shape[:-1]
        out = np.empty(lead + x.shape[bd + k:], x.dtype)
        for pos in np.ndindex(*lead):
            out[pos] = x[tuple(pos[:bd]) + tuple(int(v) for v in i[pos])]
        return out

    def op_Cast(self, n):
        to = attrs(n)["to"]
        dtype = {1: F32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64}.get(to)
        if dtype is None:
            raise Unsupported(f"node '{n.name}': Cast to type {to}")
        return self.inp(n, 0).astype(dtype)

    def op_ReduceMean(self, n):
        a = attrs(n)
        axes = tuple(a["axes"]) if "axes" in a else tuple(int(v) for v in self.inp(n, 1))
        return np.mean(self.inp(n, 0), axis=axes, keepdims=bool(a.get("keepdims", 1)),
                       dtype=F32).astype(F32)

    def op_Concat(self, n):
        return np.concatenate([self.vals[i] for i in n.input], axis=attrs(n)["axis"])

    def op_Reshape(self, n):
        x, shape = self.inp(n, 0), [int(d) for d in self.inp(n, 1)]
        allowzero = attrs(n).get("allowzero", 0)
        shape = [x.shape[i] if d == 0 and not allowzero else d for i, d in enumerate(shape)]
        return x.reshape(shape)

    def op_Flatten(self, n):
        x = self.inp(n, 0)
        axis = attrs(n).get("axis", 1)
        axis = axis + x.ndim if axis < 0 else axis
        return x.reshape(int(np.prod(x.shape[:axis])), -1)

    def op_Transpose(self, n):
        x = self.inp(n, 0)
        perm = attrs(n).get("perm")
        return np.transpose(x, perm)

    def axes(self, n):
        if len(n.input) > 1 and n.input[1]:
            return [int(a) for a in self.vals[n.input[1]]]
        return attrs(n).get("axes")

    def op_Squeeze(self, n):
        x = self.inp(n, 0)
        ax = self.axes(n)
        return np.squeeze(x, axis=None if ax is None else tuple(a % x.ndim for a in ax))

    def op_Unsqueeze(self, n):
        x = self.inp(n, 0)
        ax = sorted(a % (x.ndim + len(self.axes(n))) for a in self.axes(n))
        for a in ax:
            x = np.expand_dims(x, a)
        return x

    def op_Identity(self, n):
        return self.inp(n, 0)

    def op_Dropout(self, n):
        x = self.inp(n, 0)
        return [x, np.ones(x.shape, bool)][:len(n.output)]

    def op_Constant(self, n):
        a = n.attribute[0]
        v = onnx.helper.get_attribute_value(a)
        if a.name == "value":
            return numpy_helper.to_array(v)
        kinds = {"value_float": F32, "value_floats": F32, "value_int": np.int64,
                 "value_ints": np.int64}
        if a.name not in kinds:
            raise Unsupported(f"Constant '{n.name}': attribute {a.name}")
        return np.asarray(v, kinds[a.name])

    # -- QOperator ops (integer kernels)
    def q_operand(self, n, i_q, i_s, i_z, axis=1):
        zp = self.inp(n, i_z) if len(n.input) > i_z and n.input[i_z] else None
        return _Quantized(self.inp(n, i_q), self.inp(n, i_s), zp, axis)

    def qout(self, n, i_s, i_z):
        zp = self.inp(n, i_z) if len(n.input) > i_z and n.input[i_z] else np.zeros((), np.uint8)
        return float(np.asarray(self.inp(n, i_s), F32).reshape(-1)[0]), \
            int(np.asarray(zp).reshape(-1)[0]), np.asarray(zp).dtype

    def int_bias(self, n, i):
        return self.inp(n, i).astype(np.int64) if len(n.input) > i and n.input[i] else None

    def op_QLinearConv(self, n):
        x = self.q_operand(n, 0, 1, 2)
        w = self.q_operand(n, 3, 4, 5, axis=0)
        sy, zy, dt = self.qout(n, 6, 7)
        acc = self.conv_acc(n, x, w)
        b = self.int_bias(n, 8)
        if b is not None:
            acc = acc + b[None, :, None, None]
        return requantize(acc, conv_requant_scale(x.scale[0], w.scale, sy), zy, dt)

    def conv_acc(self, n, x, w):
        zw = w.zp.reshape(-1, 1, 1, 1) if w.zp.size > 1 else w.zp[0]
        ca = conv_attrs(n, x.q.shape, w.q.shape)
        return np.rint(conv_f64(x.q.astype(F64) - x.zp[0], w.q.astype(F64) - zw, **ca)
                       ).astype(np.int64)

    def op_ConvInteger(self, n):
        x = self.q_operand(n, 0, 0, 2)
        w = self.q_operand(n, 1, 1, 3, axis=0)
        x.zp = np.zeros(1, np.int64) if len(n.input) <= 2 or not n.input[2] else \
            np.asarray(self.inp(n, 2)).astype(np.int64).reshape(-1)
        w.zp = np.zeros(1, np.int64) if len(n.input) <= 3 or not n.input[3] else \
            np.asarray(self.inp(n, 3)).astype(np.int64).reshape(-1)
        return self.conv_acc(n, x, w).astype(np.int32)

    def op_DynamicQuantizeLinear(self, n):
        """ONNX Runtime's uint8 parameters (GetQuantizationParameter), every step one f32
        operation: lo = min(0, min x), hi = max(0, max x), scale = (hi - lo) / 255 (1 when
        hi == lo), zero point round_half_even(clamp(0 - lo / scale, 0, 255)), then
        QuantizeLinear with a true division."""
        x = np.asarray(self.inp(n, 0), F32)
        lo = min(F32(x.min()), F32(0)) if x.size else F32(0)
        hi = max(F32(x.max()), F32(0)) if x.size else F32(0)
        scale = F32(1) if hi == lo else F32(F32(hi - lo) / F32(255))
        zp = np.rint(np.clip(F32(F32(0) - F32(lo / scale)), F32(0), F32(255))).astype(F32)
        y = np.clip(np.rint((x / scale).astype(F32)) + zp, 0, 255).astype(np.uint8)
        return [y, np.array(scale, F32), np.array(zp, F32).astype(np.uint8)]

    def op_MatMulInteger(self, n):
        a, b = self.inp(n, 0), self.inp(n, 1)
        za = self.inp(n, 2).astype(np.int64) if len(n.input) > 2 and n.input[2] else 0
        zb = self.inp(n, 3).astype(np.int64) if len(n.input) > 3 and n.input[3] else 0
        acc = (a.astype(F64) - za) @ (b.astype(F64) - zb)
        return np.rint(acc).astype(np.int64).astype(np.int32)

    def op_QLinearMatMul(self, n):
        a = self.q_operand(n, 0, 1, 2)
        b = self.q_operand(n, 3, 4, 5, axis=self.inp(n, 3).ndim - 1)
        sy, zy, dt = self.qout(n, 6, 7)
        zb = b.zp if b.zp.size > 1 else b.zp[0]
        acc = np.rint((a.q.astype(F64) - a.zp[0]) @ (b.q.astype(F64) - zb)).astype(np.int64)
        return requantize(acc, conv_requant_scale(a.scale[0], b.scale, sy), zy, dt,
                          channel_axis=acc.ndim - 1)

    def op_QGemm(self, n):
        a_ = attrs(n)
        ta, tb = a_.get("transA", 0), a_.get("transB", 0)
        a = self.q_operand(n, 0, 1, 2)
        b = self.q_operand(n, 3, 4, 5, axis=0 if tb else 1)
        if a_.get("alpha", 1.0) != 1.0 or len(n.input) < 8 or not n.input[7]:
            raise Unsupported(f"QGemm '{n.name}': alpha != 1 or a float output")
        sy, zy, dt = self.qout(n, 7, 8)
        A = a.q.astype(F64) - a.zp[0]
        zb = b.zp[0]
        B = b.q.astype(F64) - zb
        acc = np.rint((A.T if ta else A) @ (B.T if tb else B)).astype(np.int64)
        c = self.int_bias(n, 6)
        if c is not None:
            acc = acc + c
        return requantize(acc, conv_requant_scale(a.scale[0], b.scale, sy), zy, dt)

    def op_QLinearAdd(self, n):
        a, b = self.q_operand(n, 0, 1, 2), self.q_operand(n, 3, 4, 5)
        sy, zy, dt = self.qout(n, 6, 7)
        return self.integer_add(a, b, sy, zy, dt)

    def op_QLinearMul(self, n):
        a, b = self.q_operand(n, 0, 1, 2), self.q_operand(n, 3, 4, 5)
        sy, zy, dt = self.qout(n, 6, 7)
        return self.integer_mul(a, b, sy, zy, dt)

    def op_QLinearAveragePool(self, n):
        x = self.q_operand(n, 0, 1, 2)
        sy, zy, dt = self.qout(n, 3, 4)
        if attrs(n).get("channels_last", 0):
            raise Unsupported(f"QLinearAveragePool '{n.name}': channels_last")
        return self.integer_avg_pool(x, pool_attrs(n), sy, zy, dt)

    def op_QLinearGlobalAveragePool(self, n):
        x = self.q_operand(n, 0, 1, 2)
        sy, zy, dt = self.qout(n, 3, 4)
        if attrs(n).get("channels_last", 0):
            raise Unsupported(f"QLinearGlobalAveragePool '{n.name}': channels_last")
        return self.global_average(x, sy, zy, dt)

    def op_QLinearConcat(self, n):
        sy, zy, dt = self.qout(n, 0, 1)
        parts = [self.q_operand(n, i, i + 1, i + 2) for i in range(2, len(n.input), 3)]
        return self.integer_concat(parts, attrs(n)["axis"], sy, zy, dt)

    def op_QLinearSigmoid(self, n):
        x = self.q_operand(n, 0, 1, 2)
        sy, zy, dt = self.qout(n, 3, 4)
        table = self.activation_table("Sigmoid", x, sy, zy, dt)
        return table[x.q.astype(np.int64) - storage_range(x.dtype)[0]]


# The elementwise ops qcc folds into 256-entry tables on 8-bit operands.
TABLE_OPS = ("Sigmoid", "Tanh", "HardSwish", "Exp", "Sqrt", "LeakyRelu")


def float_activation(op, x, alpha=0.01):
    """The table ops in f32 (ONNX: HardSwish = x * max(0, min(1, x/6 + 1/2)))."""
    x = np.asarray(x, F32)
    if op == "Exp":
        return np.exp(x).astype(F32)
    if op == "Sqrt":
        return np.sqrt(x).astype(F32)
    if op == "LeakyRelu":
        return np.where(x >= 0, x, (x * F32(alpha)).astype(F32)).astype(F32)
    if op == "Sigmoid":
        return (F32(1) / (F32(1) + np.exp(-x))).astype(F32)
    if op == "Tanh":
        return np.tanh(x).astype(F32)
    t = np.clip((x * F32(1 / 6)).astype(F32) + F32(0.5), F32(0), F32(1)).astype(F32)
    return (x * t).astype(F32)


def is_quantized(model: onnx.ModelProto) -> bool:
    quant_ops = {"QuantizeLinear", "DequantizeLinear", "QLinearConv", "QLinearMatMul",
                 "ConvInteger", "MatMulInteger", "QGemm", "QLinearAdd", "QLinearMul",
                 "QLinearAveragePool", "QLinearGlobalAveragePool", "QLinearConcat",
                 "QLinearSigmoid", "DynamicQuantizeLinear"}
    return any(n.op_type in quant_ops for n in model.graph.node)


def run(model, inputs):
    """The exact reference outputs of a (quantized) ONNX model for `inputs`."""
    if not isinstance(model, onnx.ModelProto):
        model = onnx.load(str(model))
    return Evaluator(model).run(inputs)
