"""qcc.reference, the exact reference of quantized models, checked against what it claims:

- its arithmetic helpers against hand-derived values and exact rational arithmetic;
- against ONNX Runtime where ONNX Runtime's kernels are exact: every quantized tensor of a
  u8-weight net equals ONNX Runtime's on an emulated Haswell (qemu-x86_64 -cpu Haswell,
  whose u8 x u8 AVX2 kernel widens to int16 and uses VPMADDWD: exact), and every quantized
  tensor of single-layer models is within 1 LSB of ONNX Runtime's unfused evaluation of the
  QDQ graph (the ONNX semantics, DequantizeLinear -> f32 op -> QuantizeLinear);
- host independence: computed under the emulated Haswell it gives the same bytes as natively.

The Haswell run also shows why ONNX Runtime's native kernels cannot be the reference: with
s8 weights its AVX2 u8 x s8 kernel (VPMADDUBSW, saturating pairwise sums) is tens of LSB off
(printed, and required to differ, so that the test notices if that ever changes).
"""
from __future__ import annotations

import shutil
from fractions import Fraction

import numpy as np
import onnx
import pytest
from onnx import helper, shape_inference

import qcc
from qcc import models, reference, references
from test_e2e import OUT, depthwise_net

F32 = np.float32


def exact_f32(q: Fraction) -> np.float32:
    """The f32 nearest to a rational (ties to even), by exact integer arithmetic."""
    if q == 0:
        return F32(0)
    sign = -1 if q < 0 else 1
    q = abs(q)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    e = max(e, -126)  # subnormals share the smallest exponent
    scaled = q / Fraction(2) ** (e - 23)  # 24 significant bits left of the point
    m, rem = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rem
    if twice > scaled.denominator or (twice == scaled.denominator and m % 2 == 1):
        m += 1
    return F32(sign * float(Fraction(m) * Fraction(2) ** (e - 23)))


def test_fma_f32_rounds_once():
    # x = 1 + 2^-12: x * x = 1 + 2^-11 + 2^-24 rounds (a tie, to even) to 1 + 2^-11; the fused
    # x * x - (1 + 2^-11) keeps the 2^-24 that the unfused one loses.
    x = F32(1 + 2.0 ** -12)
    p = F32(x * x)
    assert p == F32(1 + 2.0 ** -11)
    assert F32(x * x - p) == 0
    assert reference.fma_f32(x, x, -p) == F32(2.0 ** -24)
    # Random 8-bit x f32 + f32 against exact rational arithmetic, including sums that
    # cancel and addends far apart in magnitude (where rounding twice would go wrong).
    r = np.random.default_rng(0)
    a = r.integers(-128, 256, 4000).astype(F32)
    b = (r.standard_normal(4000) * 10.0 ** r.integers(-6, 3, 4000)).astype(F32)
    c = np.where(r.random(4000) < 0.5, -(a * b).astype(F32),
                 (r.standard_normal(4000) * 10.0 ** r.integers(-12, 6, 4000))).astype(F32)
    got = reference.fma_f32(a, b, c)
    want = np.array([exact_f32(Fraction(float(ai)) * Fraction(float(bi)) + Fraction(float(ci)))
                     for ai, bi, ci in zip(a, b, c)], F32)
    assert np.array_equal(got, want)


def test_requantize_and_quantize_hand_derived():
    # 2.5 -> 2 and 3.5 -> 4 (half to even), + zero point 3.
    assert list(reference.requantize(np.array([5, 7]), 0.5, 3, np.uint8)) == [5, 7]
    # float(acc) rounds above 2^24 as MLAS's conversion does: 2^24 + 1 -> 2^24.
    assert reference.requantize(np.array([2 ** 24 + 1]), F32(2.0 ** -24), 0, np.int8)[0] == 1
    # A fused ReLU6 clamp, saturation at the storage range.
    assert list(reference.requantize(np.array([-50, 50, 900]), 1.0, 0, np.uint8, 0, 60)) == \
        [0, 50, 60]
    # QuantizeLinear divides by the scale: 0.3 / 0.1 = 2.9999998 in f32 -> 3, and 0.25 / 0.1
    # = 2.5 -> 2.
    assert list(reference.quantize(np.array([0.3, 0.25], F32), F32(0.1), np.uint8(0),
                                   np.uint8)) == [3, 2]


def with_all_quantized_outputs(path, out):
    """The model with every QuantizeLinear result also a graph output."""
    m = shape_inference.infer_shapes(onnx.load(path))
    info = {v.name: v for v in m.graph.value_info}
    have = {o.name for o in m.graph.output}
    for n in m.graph.node:
        if n.op_type == "QuantizeLinear" and n.output[0] not in have:
            m.graph.output.append(info[n.output[0]])
    onnx.save(m, out)
    return out, [o.name for o in m.graph.output]


def depthwise_qdq(weights):
    d = OUT / "reference" / f"depthwise_{weights}"
    d.mkdir(parents=True, exist_ok=True)
    fp, qdq = d / "float.onnx", d / "qdq.onnx"
    onnx.save(depthwise_net(size=30), fp)
    models.quantize_qdq(fp, qdq, [np.random.default_rng(52 + k).normal(0.3, 1, (1, 16, 30, 30))
                                  .astype(F32) for k in range(8)],
                        per_channel=weights == "s8",
                        weight_type="QInt8" if weights == "s8" else "QUInt8")
    return with_all_quantized_outputs(qdq, d / "all.onnx")


needs_qemu = pytest.mark.skipif(not shutil.which("qemu-x86_64"),
                                reason="qemu-x86_64 (Debian's qemu-user) is not installed: no "
                                       "other CPU to emulate")


@needs_qemu
@pytest.mark.parametrize("weights", ["u8", "s8"])
def test_reference_on_emulated_haswell(weights):
    path, names = depthwise_qdq(weights)
    x = np.random.default_rng(60).normal(0.3, 1, (1, 16, 30, 30)).astype(F32)
    native = reference.run(path, [x])
    emulated = references.emulated_run("reference", path, [x], cpu="Haswell")
    ort_haswell = references.emulated_run("ort", path, [x], cpu="Haswell")
    worst = 0
    for name, a, b, o in zip(names, native, emulated, ort_haswell):
        assert np.array_equal(a, b), f"{name}: the reference differs on the emulated Haswell"
        if np.issubdtype(a.dtype, np.integer):
            d = int(np.abs(a.astype(np.int64) - o.astype(np.int64)).max())
            print(f"{weights} {name}: ONNX Runtime (Haswell) vs reference max {d} LSB")
            worst = max(worst, d)
            if weights == "u8":
                assert d == 0, f"{name}: ONNX Runtime's exact u8 x u8 kernels differ by {d} LSB"
    if weights == "s8":
        # ONNX Runtime's AVX2 u8 x s8 kernel saturates on this net's 1x1 projection.
        assert worst > 1, "ONNX Runtime's AVX2 u8 x s8 kernels are exact here now"


@pytest.mark.parametrize("case", [c for c in models.op_cases() if c.quantized or
                                  reference.is_quantized(c.model)],
                         ids=lambda c: c.name)
def test_reference_within_one_lsb_of_onnx_semantics(case):
    """Single-layer quantized cases: the reference within 1 LSB of ONNX Runtime's unfused
    evaluation of the graph (the ONNX semantics)."""
    d = OUT / "reference" / case.name
    d.mkdir(parents=True, exist_ok=True)
    path = d / "model.onnx"
    onnx.save(case.model, path)
    got = reference.run(path, case.inputs)
    want = qcc.ort_run(path, case.inputs, optimize=False)
    for a, e in zip(got, want):
        assert a.shape == e.shape and a.dtype == e.dtype
        if np.issubdtype(a.dtype, np.integer):
            d = np.abs(a.astype(np.int64) - e.astype(np.int64))
            print(f"{case.name}: max {d.max()} LSB, exact {np.mean(d == 0):.4%}")
            assert d.max() <= 1 and np.mean(d == 0) >= 0.99
        else:
            ok, maxabs, _ = qcc.compare_float(a, e, atol=1e-5, rtol=1e-5)
            scale = compare_lsb(case.model)
            assert ok or (scale is not None and maxabs <= scale * 1.0001), maxabs


def compare_lsb(model):
    from test_e2e import output_lsb
    return output_lsb(model)


def test_unknown_op_is_named():
    g = helper.make_graph([helper.make_node("Erf", ["x"], ["y"], name="erf_1")], "g",
                          [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2])],
                          [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    with pytest.raises(reference.Unsupported, match="erf_1.*Erf"):
        reference.run(m, [np.zeros(2, F32)])
