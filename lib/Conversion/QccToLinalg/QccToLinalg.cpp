//===- QccToLinalg.cpp - lower qcc ops to linalg on tensors ---------------===//
//
// Every qcc op becomes linalg.generic (or linalg.transpose / tensor ops) on tensors.
// Quantized element types become their integer storage types here; their scales and zero
// points become constants in the bodies that need them.
//
//===----------------------------------------------------------------------===//

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/ChannelBlocks.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Matchers.h"

#include <cstring>
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/IR/TypeUtilities.h"

#include <atomic>
#include <cmath>
#include <limits>

namespace mlir::qcc {
#define GEN_PASS_DEF_CONVERTQCCTOLINALG
#include "qcc/Conversion/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// Quantization parameters of a !quant.uniform type, per tensor (axis == -1) or per axis.
struct QuantParams {
  SmallVector<float> scales;
  SmallVector<int32_t> zeroPoints;
  int64_t axis = -1;
  int64_t qmin = 0, qmax = 0;
  bool isSigned = true;
  unsigned width = 8;
};

QuantParams getQuantParams(Type elementType) {
  auto qt = cast<quant::QuantizedType>(elementType);
  QuantParams p;
  p.qmin = qt.getStorageTypeMin();
  p.qmax = qt.getStorageTypeMax();
  p.isSigned = qt.isSigned();
  p.width = qt.getStorageTypeIntegralWidth();
  if (auto u = dyn_cast<quant::UniformQuantizedType>(qt)) {
    p.scales.push_back(static_cast<float>(u.getScale()));
    p.zeroPoints.push_back(static_cast<int32_t>(u.getZeroPoint()));
  } else {
    auto pa = cast<quant::UniformQuantizedPerAxisType>(qt);
    p.axis = pa.getQuantizedDimension();
    for (double s : pa.getScales())
      p.scales.push_back(static_cast<float>(s));
    for (int64_t z : pa.getZeroPoints())
      p.zeroPoints.push_back(static_cast<int32_t>(z));
  }
  return p;
}

/// A new tensor of undefined contents for an op's result. Each carries a distinct
/// `qcc.distinct` number: CSE would otherwise merge identical tensor.empty ops, and
/// bufferization would then have unrelated ops write one shared buffer, which keeps
/// qcc-elide-pad-copies from making each result a view of the buffer its consumer reads.
/// (bufferization.alloc_tensor is never merged either, but slices of it do not fold away
/// the way slices of tensor.empty do, and the tiled kernels then read their outputs.)
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elementType) {
  static std::atomic<int64_t> counter{0};
  auto empty = b.create<tensor::EmptyOp>(loc, shape, elementType);
  empty->setAttr("qcc.distinct", b.getI64IntegerAttr(counter++));
  return empty;
}

Value f32Const(OpBuilder &b, Location loc, float v) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(v));
}

/// fma(x, y, z) on f32 with one rounding: math.fma where the target has the instruction
/// (`hardware`); else computed in f64: x * y is exact in f64 for the 8-bit-integer x used
/// here, and so is the sum, so rounding to f32 once equals a fused multiply-add, without
/// an fmaf call on targets that lack the instruction.
Value fusedMulAddF32(OpBuilder &b, Location loc, Value x, float y, Value z, bool hardware) {
  if (hardware)
    return b.create<math::FmaOp>(loc, x, f32Const(b, loc, y), z);
  Type f64 = b.getF64Type();
  Value xd = b.create<arith::ExtFOp>(loc, f64, x);
  Value zd = b.create<arith::ExtFOp>(loc, f64, z);
  Value yd = b.create<arith::ConstantOp>(loc, b.getF64FloatAttr(static_cast<double>(y)));
  Value sum = b.create<arith::AddFOp>(loc, b.create<arith::MulFOp>(loc, xd, yd), zd);
  return b.create<arith::TruncFOp>(loc, b.getF32Type(), sum);
}

//===----------------------------------------------------------------------===//
// Fixed-point arithmetic (requant-mode=fixed), as TFLite / gemmlowp
//===----------------------------------------------------------------------===//

Value i32Const(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(static_cast<int32_t>(v)));
}

/// SaturatingRoundingDoublingHighMul(x, m) for a positive multiplier m (which excludes the
/// single saturating case x = m = INT32_MIN).
Value fixedHighMul(OpBuilder &b, Location loc, Value x, Value m) {
  Type i64 = b.getI64Type();
  Value ab = b.create<arith::MulIOp>(loc, b.create<arith::ExtSIOp>(loc, i64, x),
                                     b.create<arith::ExtSIOp>(loc, i64, m));
  Value zero = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(0));
  Value nonNegative = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, ab, zero);
  Value nudge = b.create<arith::SelectOp>(
      loc, nonNegative, b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(1LL << 30)),
      b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(1 - (1LL << 30))));
  Value q = b.create<arith::DivSIOp>(loc, b.create<arith::AddIOp>(loc, ab, nudge),
                                     b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(1LL << 31)));
  return b.create<arith::TruncIOp>(loc, b.getI32Type(), q);
}

/// RoundingDivideByPOT(x, e): x / 2^e rounded half away from zero, 0 <= e < bit width of
/// x (i32, or i64 where e may pass 31), with mask = 2^e - 1 given (a per-channel constant
/// where e varies: a variable `1 << e` on vectors would make SSE2 code go through the FPU).
Value fixedDivideByPOT(OpBuilder &b, Location loc, Value x, Value e, Value mask) {
  Type type = getElementTypeOrSelf(x.getType());
  auto constant = [&](int64_t v) {
    return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, v)).getResult();
  };
  Value remainder = b.create<arith::AndIOp>(loc, x, mask);
  Value negative = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x, constant(0));
  Value threshold = b.create<arith::AddIOp>(loc, b.create<arith::ShRSIOp>(loc, mask, constant(1)),
                                            b.create<arith::ExtUIOp>(loc, type, negative));
  Value up = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt, remainder, threshold);
  return b.create<arith::AddIOp>(loc, b.create<arith::ShRSIOp>(loc, x, e),
                                 b.create<arith::ExtUIOp>(loc, type, up));
}

/// MultiplyByQuantizedMultiplier(x, m, shift) with the shift split at compile time into a
/// left factor 2^left and a right shift (with its mask 2^right - 1), as TFLite computes it:
/// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^left, m), right).
Value fixedMultiplyWith(OpBuilder &b, Location loc, Value x, Value m, Value leftFactor,
                        Value rightShift, Value rightMask) {
  Value shifted = b.create<arith::MulIOp>(loc, x, leftFactor);
  return fixedDivideByPOT(b, loc, fixedHighMul(b, loc, shifted, m), rightShift, rightMask);
}

/// A real multiplier as TFLite's (m, left shift, right shift).
struct FixedMultiplier {
  int32_t m = 0, left = 0, right = 0;
  explicit FixedMultiplier(double real) {
    int shift;
    ::qcc::quantizeMultiplier(real, m, shift);
    left = shift > 0 ? shift : 0;
    right = shift > 0 ? 0 : -shift;
  }
};

/// The same with a compile-time multiplier: every operand a constant.
Value fixedMultiply(OpBuilder &b, Location loc, Value x, const FixedMultiplier &m) {
  return fixedMultiplyWith(b, loc, x, i32Const(b, loc, m.m), i32Const(b, loc, int64_t(1) << m.left),
                           i32Const(b, loc, m.right), i32Const(b, loc, (int64_t(1) << m.right) - 1));
}

Value clampInt(OpBuilder &b, Location loc, Value v, int64_t lo, int64_t hi) {
  v = b.create<arith::MaxSIOp>(loc, v, i32Const(b, loc, lo));
  return b.create<arith::MinSIOp>(loc, v, i32Const(b, loc, hi));
}

/// An int32 result in `q`'s storage: clamped to [qmin, qmax] (which a fused activation may
/// narrow) and truncated to the storage width. The integer counterpart of
/// saturateToStorage.
Value narrowToStorage(OpBuilder &b, Location loc, Value v, const QuantParams &q) {
  v = clampInt(b, loc, v, q.qmin, q.qmax);
  if (q.width == 32)
    return v;
  return b.create<arith::TruncIOp>(loc, b.getIntegerType(q.width), v);
}

Value clampValue(OpBuilder &b, Location loc, Value v, std::optional<float> lo,
                 std::optional<float> hi) {
  if (lo)
    v = b.create<arith::MaximumFOp>(loc, v, f32Const(b, loc, *lo));
  if (hi)
    v = b.create<arith::MinimumFOp>(loc, v, f32Const(b, loc, *hi));
  return v;
}

Value saturateToStorage(OpBuilder &b, Location loc, Value rounded, const QuantParams &q) {
  // No NaN-propagating select: a NaN here would make the conversion below poison anyway
  // (fptosi of NaN), so `nnan` loses nothing and lets x86 use plain VMAXPS / VMINPS.
  auto nnan = arith::FastMathFlagsAttr::get(b.getContext(), arith::FastMathFlags::nnan);
  Value v = b.create<arith::MaximumFOp>(loc, rounded, f32Const(b, loc, q.qmin), nnan);
  v = b.create<arith::MinimumFOp>(loc, v, f32Const(b, loc, q.qmax), nnan);
  Value i32 = b.create<arith::FPToSIOp>(loc, b.getI32Type(), v);
  if (q.width == 32)
    return i32;
  return b.create<arith::TruncIOp>(loc, b.getIntegerType(q.width), i32);
}

Value widenToI32(OpBuilder &b, Location loc, Value v, const QuantParams &q) {
  if (q.width == 32)
    return v;
  if (q.isSigned)
    return b.create<arith::ExtSIOp>(loc, b.getI32Type(), v);
  return b.create<arith::ExtUIOp>(loc, b.getI32Type(), v);
}

/// ONNX QuantizeLinear of one f32 value: saturate(round_half_even(x / scale) + zp), a true
/// division (scale and zp as f32 values).
Value quantizeElement(OpBuilder &b, Location loc, Value x, const QuantParams &q, Value scale,
                      Value zp) {
  Value r = b.create<math::RoundEvenOp>(loc, b.create<arith::DivFOp>(loc, x, scale));
  return saturateToStorage(b, loc, b.create<arith::AddFOp>(loc, r, zp), q);
}

/// ONNX DequantizeLinear of one stored value: float(q - zp) * scale, the subtraction in
/// int32 as ONNX Runtime does (zp as an i32 value).
Value dequantizeElement(OpBuilder &b, Location loc, Value v, const QuantParams &q, Value scale,
                        Value zp) {
  Value centered = b.create<arith::SubIOp>(loc, widenToI32(b, loc, v, q), zp);
  Value f = b.create<arith::SIToFPOp>(loc, b.getF32Type(), centered);
  return b.create<arith::MulFOp>(loc, f, scale);
}

/// Integer or float multiply-accumulate for the contraction ops: the float form computes
/// acc + x * w; the integer form acc + (x - zp_x) * (w - zp_w) in int32.
struct Mac {
  std::optional<QuantParams> x, w; // set for the integer form
  float alpha = 1.f;

  bool isInteger() const { return x.has_value(); }
  Type accType(OpBuilder &b) const {
    return isInteger() ? Type(b.getI32Type()) : Type(b.getF32Type());
  }
  Value zero(OpBuilder &b, Location loc) const {
    return isInteger() ? b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(0)).getResult()
                       : f32Const(b, loc, 0.f);
  }
  Value operator()(OpBuilder &b, Location loc, Value xv, Value wv, Value acc) const {
    if (!isInteger()) {
      // `contract`: LLVM may fuse the multiply and the add into one FMA where the target
      // has one (x86-64-v3 and up, AArch64), as ONNX Runtime's kernels do.
      auto contract =
          arith::FastMathFlagsAttr::get(b.getContext(), arith::FastMathFlags::contract);
      Value prod = b.create<arith::MulFOp>(loc, xv, wv, contract);
      if (alpha != 1.f)
        prod = b.create<arith::MulFOp>(loc, f32Const(b, loc, alpha), prod, contract);
      return b.create<arith::AddFOp>(loc, acc, prod, contract);
    }
    // 8-bit operands are centered in 16 bits (q - zp lies in [-255, 255]) and the product
    // is formed from their sign extensions: the widening multiply-accumulate shape that
    // instruction selection maps to SMULL/SMLAL on AArch64 and VPMADDWD/VPDPWSSD on x86.
    auto centered = [&](Value v, const QuantParams &q) -> Value {
      if (q.width != 8) {
        Value wide = widenToI32(b, loc, v, q);
        return q.zeroPoints[0] == 0 ? wide
                                    : b.create<arith::SubIOp>(loc, wide,
                                                              i32Const(b, loc, q.zeroPoints[0]))
                                          .getResult();
      }
      Type i16 = b.getI16Type();
      Value narrow = q.isSigned ? b.create<arith::ExtSIOp>(loc, i16, v).getResult()
                                : b.create<arith::ExtUIOp>(loc, i16, v).getResult();
      if (q.zeroPoints[0] != 0)
        narrow = b.create<arith::SubIOp>(
            loc, narrow, b.create<arith::ConstantOp>(loc, b.getI16IntegerAttr(q.zeroPoints[0])));
      return b.create<arith::ExtSIOp>(loc, b.getI32Type(), narrow);
    };
    Value xc = centered(xv, *x);
    Value wc = centered(wv, *w);
    Value prod = b.create<arith::MulIOp>(loc, xc, wc);
    return b.create<arith::AddIOp>(loc, acc, prod);
  }
};

/// The float or integer form of a contraction, from its input and weight operands.
Mac macFor(Value input, Value weight, float alpha = 1.f) {
  Mac m;
  m.alpha = alpha;
  if (isa<quant::QuantizedType>(getElementTypeOrSelf(input))) {
    m.x = getQuantParams(getElementTypeOrSelf(input));
    m.w = getQuantParams(getElementTypeOrSelf(weight));
  }
  return m;
}

/// A tensor of `shape` filled with the constant `value`.
Value filledWith(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value value) {
  Value init = emptyTensor(b, loc, shape, value.getType());
  return b.create<linalg::FillOp>(loc, value, init).getResult(0);
}

/// The storage-domain constant of a quantized type's zero point (the "real 0").
Value storageZeroPoint(OpBuilder &b, Location loc, const QuantParams &q) {
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(b.getIntegerType(q.width), q.zeroPoints[0]));
}

/// Map from the loops of an `out`-shaped iteration space to an operand of shape `in` under
/// numpy broadcasting: shapes align on the right, and a size-1 dimension reads index 0.
AffineMap broadcastMap(ArrayRef<int64_t> in, ArrayRef<int64_t> out, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  size_t off = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i)
    exprs.push_back(in[i] == 1 && out[off + i] != 1 ? getAffineConstantExpr(0, ctx)
                                                    : getAffineDimExpr(off + i, ctx));
  return AffineMap::get(out.size(), 0, exprs, ctx);
}

/// An all-parallel generic producing a tensor of `outType`. Inputs broadcast to the output
/// shape unless `maps` gives their indexing maps explicitly.
Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       RankedTensorType outType, BodyFn body,
                       ArrayRef<AffineMap> maps = {}) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> indexing;
  for (auto [i, v] : llvm::enumerate(inputs))
    indexing.push_back(i < maps.size()
                           ? maps[i]
                           : broadcastMap(cast<RankedTensorType>(v.getType()).getShape(),
                                          outType.getShape(), ctx));
  indexing.push_back(b.getMultiDimIdentityMap(outType.getRank()));
  SmallVector<utils::IteratorType> iters(outType.getRank(), utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, outType.getShape(), outType.getElementType());
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{outType}, inputs, ValueRange{init}, indexing, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        nb.create<linalg::YieldOp>(nl, body(nb, nl, args.drop_back()));
      });
  return generic.getResult(0);
}

/// Pads the spatial dimensions (2 and 3) of an NCHW or NCHWc tensor with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> lo(shape.size(), b.getIndexAttr(0)),
      hi(shape.size(), b.getIndexAttr(0));
  for (int i = 0; i < 2; ++i) {
    shape[2 + i] += low[i] + high[i];
    lo[2 + i] = b.getIndexAttr(low[i]);
    hi[2 + i] = b.getIndexAttr(high[i]);
  }
  auto padType = RankedTensorType::get(shape, type.getElementType());
  return b.create<tensor::PadOp>(loc, padType, input, lo, hi, padValue);
}

/// The leading `shape` corner of `v` (zero offsets, unit strides): what remains of a
/// result computed over extra (padded) columns or channels.
Value leadingSlice(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> zeros(shape.size(), 0), ones(shape.size(), 1);
  return b.create<tensor::ExtractSliceOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), v, ValueRange{}, ValueRange{},
      ValueRange{}, b.getDenseI64ArrayAttr(zeros), b.getDenseI64ArrayAttr(shape),
      b.getDenseI64ArrayAttr(ones));
}

Value expand(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape,
             ArrayRef<ReassociationIndices> reassoc) {
  auto type = RankedTensorType::get(shape, cast<RankedTensorType>(v.getType()).getElementType());
  return b.create<tensor::ExpandShapeOp>(loc, type, v, reassoc);
}

/// The dense constant behind a value, looking through conversion casts and quant.scast.
DenseElementsAttr constantBehind(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    DenseElementsAttr attr;
    if (matchPattern(v, m_Constant(&attr)))
      return attr;
    if (isa<UnrealizedConversionCastOp, quant::StorageCastOp>(def) && def->getNumOperands() == 1) {
      v = def->getOperand(0);
      continue;
    }
    break;
  }
  return {};
}

/// Packs an F x C/G x KH x KW weight (F = G * F/G) as G x C/G x KH x KW x F/G at compile time:
/// the filters of a group become contiguous, one vector per (c, kh, kw).
DenseElementsAttr packFiltersLast(DenseElementsAttr w, int64_t g, Type storage) {
  auto shape = w.getType().getShape();
  int64_t f = shape[0], cg = shape[1], kh = shape[2], kw = shape[3], fg = f / g;
  auto packedType = RankedTensorType::get({g, cg, kh, kw, fg}, storage);
  if (w.isSplat())
    return DenseElementsAttr::get(packedType, w.getSplatValue<Attribute>());
  ArrayRef<char> raw = w.getRawData();
  size_t bytes = storage.getIntOrFloatBitWidth() / 8;
  std::vector<char> packed(raw.size());
  for (int64_t fi = 0; fi < f; ++fi)
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          int64_t src = ((fi * cg + ci) * kh + y) * kw + x;
          int64_t gi = fi / fg, fl = fi % fg;
          int64_t dst = (((gi * cg + ci) * kh + y) * kw + x) * fg + fl;
          std::memcpy(&packed[dst * bytes], &raw[src * bytes], bytes);
        }
  return DenseElementsAttr::getFromRawBuffer(packedType, packed);
}

/// Packs an integer F x C/G x KH x KW weight for the paired (perWord = 2: 16-bit halves)
/// or quad (perWord = 4: bytes) product kernels: G x ceil(C/G / perWord) x KH x KW x F/G
/// int32 words, lane k holding the centered weight w - zp of input channel perWord * q + k
/// (zp per filter or per tensor), or 0 past the last channel.
DenseElementsAttr packFilterWords(DenseElementsAttr w, int64_t g, const QuantParams &q,
                                  int64_t perWord, Type i32) {
  auto shape = w.getType().getShape();
  int64_t f = shape[0], cg = shape[1], kh = shape[2], kw = shape[3], fg = f / g;
  int64_t words = (cg + perWord - 1) / perWord, bits = 32 / perWord;
  uint32_t mask = perWord == 2 ? 0xFFFFu : 0xFFu;
  SmallVector<int64_t> values;
  values.reserve(w.getNumElements());
  for (const APInt &v : w.getValues<APInt>())
    values.push_back(q.isSigned ? v.getSExtValue() : int64_t(v.getZExtValue()));
  SmallVector<int32_t> packed(g * words * kh * kw * fg);
  for (int64_t fi = 0; fi < f; ++fi) {
    int64_t zp = q.zeroPoints[q.zeroPoints.size() == 1 ? 0 : fi];
    for (int64_t p = 0; p < words; ++p)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          uint32_t word = 0;
          for (int64_t k = 0; k < perWord; ++k) {
            int64_t ci = perWord * p + k;
            if (ci < cg) // channels past C/G (padding to whole words) weigh 0
              word |= (uint32_t(values[((fi * cg + ci) * kh + y) * kw + x] - zp) & mask)
                      << (bits * k);
          }
          int64_t gi = fi / fg, fl = fi % fg;
          packed[(((gi * words + p) * kh + y) * kw + x) * fg + fl] = static_cast<int32_t>(word);
        }
  }
  return DenseElementsAttr::get(RankedTensorType::get({g, words, kh, kw, fg}, i32),
                                ArrayRef(packed));
}

/// The int32 bias vector of `f` filters (a constant `bias`, or zeros without one) plus
/// `term(filter)`, as a constant; null if the bias is not a constant or a sum leaves int32.
Value biasPlusTerms(OpBuilder &b, Location loc, Value bias, int64_t f,
                    function_ref<int64_t(int64_t)> term) {
  SmallVector<int64_t> values(f, 0);
  if (bias) {
    DenseElementsAttr attr = constantBehind(bias);
    if (!attr)
      return nullptr;
    int64_t j = 0;
    for (const APInt &v : attr.getValues<APInt>())
      values[j++] = v.getSExtValue();
  }
  SmallVector<int32_t> init;
  for (int64_t fi = 0; fi < f; ++fi) {
    int64_t v = values[fi] + term(fi);
    if (v < INT32_MIN || v > INT32_MAX)
      return nullptr;
    init.push_back(static_cast<int32_t>(v));
  }
  return b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(RankedTensorType::get({f}, b.getI32Type()), ArrayRef(init)));
}

/// sum over k of lane_k(a) * lane_k(w) for two words of `perWord` packed lanes (2: signed
/// 16-bit halves, the PMADDWD / VPDPWSSD product; 4: bytes, the SDOT product, or VPDPBUSD's
/// with `unsignedA`), in int32 — exact for the centered 8-bit values packed here. Lane k is
/// `(v << (32 - bits * (k + 1))) >> (32 - bits)` (qcc-x86/arm-dot-products match this).
Value packedProduct(OpBuilder &b, Location loc, Value a, Value w, int64_t perWord,
                    bool unsignedA) {
  int64_t bits = 32 / perWord;
  Value right = i32Const(b, loc, 32 - bits);
  auto lane = [&](Value v, int64_t k, bool isUnsigned) -> Value {
    int64_t left = 32 - bits * (k + 1);
    Value up = left ? b.create<arith::ShLIOp>(loc, v, i32Const(b, loc, left)).getResult() : v;
    if (isUnsigned)
      return b.create<arith::ShRUIOp>(loc, up, right);
    return b.create<arith::ShRSIOp>(loc, up, right);
  };
  Value sum;
  for (int64_t k = 0; k < perWord; ++k) {
    Value p = b.create<arith::MulIOp>(loc, lane(a, k, unsignedA), lane(w, k, false));
    sum = k ? b.create<arith::AddIOp>(loc, sum, p).getResult() : p;
  }
  return sum;
}

/// The padded N x G x C/G x H x W input as N x G x C/G/perWord x H x W words for the packed
/// products: lane k of word p holds x[perWord * p + k] - offset in 32 / perWord bits.
Value packInputWords(OpBuilder &b, Location loc, Value x, const QuantParams &qx,
                     int64_t perWord, int64_t offset) {
  MLIRContext *ctx = b.getContext();
  auto shape = cast<RankedTensorType>(x.getType()).getShape();
  auto type = RankedTensorType::get({shape[0], shape[1], shape[2] / perWord, shape[3], shape[4]},
                                    b.getI32Type());
  auto e = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<Value> inputs(perWord, x);
  SmallVector<AffineMap> maps;
  for (int64_t k = 0; k < perWord; ++k)
    maps.push_back(AffineMap::get(5, 0, {e(0), e(1), e(2) * perWord + k, e(3), e(4)}, ctx));
  int64_t bits = 32 / perWord;
  return buildElementwise(
      b, loc, inputs, type,
      [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        Value word;
        for (int64_t k = 0; k < perWord; ++k) {
          Value lane = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, v[k], qx),
                                                i32Const(nb, nl, offset));
          lane = nb.create<arith::AndIOp>(nl, lane, i32Const(nb, nl, (int64_t(1) << bits) - 1));
          if (k)
            lane = nb.create<arith::ShLIOp>(nl, lane, i32Const(nb, nl, bits * k));
          word = k ? nb.create<arith::OrIOp>(nl, word, lane).getResult() : lane;
        }
        return word;
      },
      maps);
}

/// The first of `candidates` (largest first) that divides n and is at most `limit`, or 1:
/// a register block size along a dimension of extent n.
int64_t largestDivisor(int64_t n, ArrayRef<int64_t> candidates,
                       int64_t limit = std::numeric_limits<int64_t>::max()) {
  for (int64_t c : candidates)
    if (n % c == 0 && c <= limit)
      return c;
  return 1;
}

/// How far a window reads past the end of an input of extent `in` (beyond `padEnd`);
/// ceil_mode can make the last window run past the declared padding.
int64_t extraEndPad(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                    int64_t padBegin, int64_t padEnd, int64_t dilation) {
  int64_t needed = (out - 1) * stride + dilation * (kernel - 1) + 1;
  return std::max<int64_t>(0, needed - (in + padBegin + padEnd));
}

//===----------------------------------------------------------------------===//
// Convolution and matrix products
//===----------------------------------------------------------------------===//

/// A lowering whose arithmetic depends on --requant: `fixed` selects TFLite's integer-only
/// forms, otherwise ONNX Runtime's f32 requantization.
template <typename OpT>
struct ModeAwareLowering : OpConversionPattern<OpT> {
  ModeAwareLowering(const TypeConverter &converter, MLIRContext *ctx, bool fixed)
      : OpConversionPattern<OpT>(converter, ctx), fixed(fixed) {}
  bool fixed;
};

/// How an elementwise op over a tensor reads a per-channel parameter vector: the vector is
/// laid out as a constant of `shape` (the channel count, or groups x filters for a grouped
/// convolution's accumulator) indexed by `map`.
struct ChannelLayout {
  SmallVector<int64_t> shape;
  AffineMap map;
  /// One value per index of dimension `axis` of a rank-`rank` tensor.
  static ChannelLayout ofAxis(MLIRContext *ctx, int64_t rank, int64_t axis, int64_t count) {
    return {{count}, AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx))};
  }
};

/// The operands of an elementwise op that reads per-channel parameters: the value itself
/// (identity map), then one constant per parameter laid out as a ChannelLayout says.
struct ParamOperands {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  ParamOperands(OpBuilder &b, Value input)
      : inputs{input},
        maps{b.getMultiDimIdentityMap(cast<RankedTensorType>(input.getType()).getRank())} {}
  template <typename T>
  void add(OpBuilder &b, Location loc, const ChannelLayout &layout, Type element,
           ArrayRef<T> values) {
    auto type = RankedTensorType::get(layout.shape, element);
    inputs.push_back(b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, values)));
    maps.push_back(layout.map);
  }
};

/// A requantization as qcc.requantize defines it, built elementwise over `input` (any rank;
/// `channels` says how to index per-channel parameters when `in` is per axis):
///  - float mode: y = saturate(round_half_even(float(q - zp_in) * m) + zp_out), the
///    multipliers m as given (precomputed by the pass that made the op) or
///    scale_in / scale_out in f32;
///  - fixed mode: TFLite's MultiplyByQuantizedMultiplier with M = double(scale_in) /
///    double(scale_out) per channel, multiplier and shift computed here at compile time.
/// `clampMin` / `clampMax` narrow the result's storage range (a fused ReLU or Clip).
Value buildRequantization(OpBuilder &b, Location loc, Value input, const QuantParams &in,
                          QuantParams out, std::optional<ArrayRef<float>> multiplier,
                          std::optional<int64_t> clampMin, std::optional<int64_t> clampMax,
                          bool fixed, RankedTensorType outType, const ChannelLayout &channels) {
  out.qmin = clampMin.value_or(out.qmin);
  out.qmax = clampMax.value_or(out.qmax);
  bool perAxis = in.axis >= 0;
  // Per-axis input zero points are passed per channel only when they differ (an int32
  // accumulator's are all 0: a subtraction of a constant then folds away).
  bool zpPerAxis = perAxis && llvm::any_of(in.zeroPoints, [&](int32_t z) {
                     return z != in.zeroPoints[0];
                   });
  ParamOperands params(b, input);
  if (fixed) {
    // Per channel: the Q31 multiplier, 2^left, the right shift and its mask, all computed
    // here, so that the kernel only multiplies, masks and shifts.
    SmallVector<int32_t> ms, leftFactors, rights, masks;
    for (float scale : in.scales) {
      FixedMultiplier m(static_cast<double>(scale) / static_cast<double>(out.scales[0]));
      ms.push_back(m.m);
      leftFactors.push_back(static_cast<int32_t>(1u << m.left));
      rights.push_back(m.right);
      masks.push_back(static_cast<int32_t>((uint64_t(1) << m.right) - 1));
    }
    if (perAxis)
      for (ArrayRef<int32_t> values :
           {ArrayRef<int32_t>(ms), ArrayRef<int32_t>(leftFactors), ArrayRef<int32_t>(rights),
            ArrayRef<int32_t>(masks)})
        params.add(b, loc, channels, b.getI32Type(), values);
    if (zpPerAxis)
      params.add(b, loc, channels, b.getI32Type(), ArrayRef<int32_t>(in.zeroPoints));
    return buildElementwise(
        b, loc, params.inputs, outType,
        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
          auto param = [&](int i, int32_t scalar) -> Value {
            return perAxis ? v[1 + i] : i32Const(nb, nl, scalar);
          };
          Value zpIn = zpPerAxis ? v[5] : i32Const(nb, nl, in.zeroPoints[0]);
          Value x = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, v[0], in), zpIn);
          Value y = fixedMultiplyWith(nb, nl, x, param(0, ms[0]), param(1, leftFactors[0]),
                                      param(2, rights[0]), param(3, masks[0]));
          y = nb.create<arith::AddIOp>(nl, y, i32Const(nb, nl, out.zeroPoints[0]));
          return narrowToStorage(nb, nl, y, out);
        },
        params.maps);
  }
  SmallVector<float> mult;
  if (multiplier)
    mult.assign(multiplier->begin(), multiplier->end());
  else
    for (float scale : in.scales)
      mult.push_back(scale / out.scales[0]);
  if (perAxis) {
    if (mult.size() == 1)
      mult.assign(in.scales.size(), mult[0]);
    params.add(b, loc, channels, b.getF32Type(), ArrayRef<float>(mult));
    if (zpPerAxis)
      params.add(b, loc, channels, b.getI32Type(), ArrayRef<int32_t>(in.zeroPoints));
  }
  return buildElementwise(
      b, loc, params.inputs, outType,
      [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        Value m = perAxis ? v[1] : f32Const(nb, nl, mult[0]);
        Value zpIn = zpPerAxis ? v[2] : i32Const(nb, nl, in.zeroPoints[0]);
        Value centered = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, v[0], in), zpIn);
        Value f = nb.create<arith::MulFOp>(
            nl, nb.create<arith::SIToFPOp>(nl, nb.getF32Type(), centered), m);
        Value r = nb.create<math::RoundEvenOp>(nl, f);
        Value shifted = nb.create<arith::AddFOp>(
            nl, r, f32Const(nb, nl, static_cast<float>(out.zeroPoints[0])));
        return saturateToStorage(nb, nl, shifted, out);
      },
      params.maps);
}

/// The fused requantization of a contraction (`accumulator` set by qcc-fuse-requantize)
/// over its int32 accumulator `acc`, marked `qcc.epilogue` so that qcc-vectorize-conv
/// computes it on each register block of the accumulator. Returns `acc` when not fused.
template <typename OpT>
Value buildEpilogue(OpBuilder &b, OpT op, Value acc, bool fixed, const ChannelLayout &channels) {
  auto accType = op.getAccumulator();
  if (!accType)
    return acc;
  QuantParams in = getQuantParams(*accType);
  QuantParams out = getQuantParams(op.getType().getElementType());
  auto shape = cast<RankedTensorType>(acc.getType()).getShape();
  auto type = RankedTensorType::get(shape, b.getIntegerType(out.width));
  Value y = buildRequantization(b, op.getLoc(), acc, in, out, op.getMultiplier(),
                                op.getClampMin(), op.getClampMax(), fixed, type, channels);
  y.getDefiningOp()->setAttr("qcc.epilogue", b.getUnitAttr());
  return y;
}

struct Conv2DLowering : ModeAwareLowering<Conv2DOp> {
  Conv2DLowering(const TypeConverter &converter, MLIRContext *ctx, bool fixed,
                 int64_t vectorLanes, int64_t blockLanes, bool pairProducts,
                 bool quadProducts, bool quadUnsignedInput, bool depthwiseRowBlocks,
                 int64_t blockedLanes)
      : ModeAwareLowering(converter, ctx, fixed), vectorLanes(vectorLanes),
        blockLanes(blockLanes), pairProducts(pairProducts), quadProducts(quadProducts),
        quadUnsignedInput(quadUnsignedInput), depthwiseRowBlocks(depthwiseRowBlocks),
        blockedLanes(blockedLanes) {}
  /// 32-bit lanes of one SIMD register.
  int64_t vectorLanes;
  /// 32-bit accumulator lanes a register block may hold: about half the target's SIMD
  /// registers (so the block never spills).
  int64_t blockLanes;
  /// Integer filters-on-lanes convolutions multiply pairs of channels packed as 16-bit
  /// halves (PMADDWD / VPDPWSSD on x86) ...
  bool pairProducts;
  /// ... or quads of channels packed as bytes (SDOT on AArch64 with the dot product,
  /// VPDPBUSD on x86 with VNNI) ...
  bool quadProducts;
  /// ... the input's bytes unsigned (VPDPBUSD) instead of signed (SDOT).
  bool quadUnsignedInput;
  /// Unit-stride depthwise convolutions in blocks of one channel x rows x columns.
  bool depthwiseRowBlocks;
  /// Float convolutions on channel-blocked (NCHWc) activations with this many channels per
  /// block (0: NCHW).
  int64_t blockedLanes = 0;

  /// True if qcc-x86-dot-products will turn each row of this depthwise convolution's
  /// kernel columns into one VPDPBUSD (x86 VNNI; two for u8 weights): u8 input bytes, s8
  /// weights of zero point 0 or u8 weights with one zero point, at most 4 kernel columns,
  /// column stride 1 or 2.
  bool windowProducts(const Mac &mac, Conv2DOp op) const {
    auto wShape = op.getWeight().getType().getShape();
    bool weights = mac.isInteger() &&
                   (mac.w->isSigned
                        ? llvm::all_of(mac.w->zeroPoints, [](int32_t z) { return z == 0; })
                        : mac.w->zeroPoints.size() == 1);
    return quadProducts && quadUnsignedInput && weights && !mac.x->isSigned && wShape[3] <= 4 &&
           op.getStrides()[1] <= 2 && op.getDilations()[1] == 1;
  }

  /// A float convolution (regular or depthwise, constant weights) on NCHWc activations of
  /// L = blockedLanes channels per block: the output is N x ceil(F/L) x OH x OW x L, the
  /// register block a row of output columns x the L filters of 1-3 blocks (L channels of
  /// one block when depthwise), so each column's results are contiguous vectors (no
  /// transposed stores) and each reduction step reads contiguous weight vectors. The
  /// input is packed with
  /// tensor.pack (unless it has fewer than L/2 channels, as an image: read from NCHW as
  /// broadcast scalars) and the result unpacked with tensor.unpack;
  /// qcc-propagate-channel-blocks then removes the unpack/pack pairs between blocked
  /// layers. Padded channels have weight 0 and bias 0, so they hold 0 (or what an
  /// elementwise op makes of 0) and contribute nothing downstream.
  LogicalResult lowerBlocked(Conv2DOp op, OpAdaptor adaptor, ConversionPatternRewriter &b,
                             const Mac &mac, ArrayRef<int64_t> inShape,
                             ArrayRef<int64_t> wShape, ArrayRef<int64_t> outShape) const {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    int64_t g = op.getGroup(), n = inShape[0], c = inShape[1], f = wShape[0];
    int64_t kh = wShape[2], kw = wShape[3], oh = outShape[2], ow = outShape[3];
    int64_t lanes = blockedLanes;
    bool depthwise = g > 1 && g == c && g == f;
    DenseElementsAttr wConst = constantBehind(adaptor.getWeight());
    if ((g != 1 && !depthwise) || !wConst || !wConst.getElementType().isF32() ||
        mac.alpha != 1.f)
      return failure();
    DenseElementsAttr biasConst;
    if (adaptor.getBias()) {
      biasConst = constantBehind(adaptor.getBias());
      if (!biasConst || !biasConst.getElementType().isF32())
        return failure();
    }
    bool blockedIn = depthwise || 2 * c >= lanes;
    int64_t fo = (f + lanes - 1) / lanes, co = (c + lanes - 1) / lanes;
    Type f32 = b.getF32Type();

    // Weights, zero-padded to whole blocks: depthwise Co x KH x KW x L; from a blocked
    // input Fo x Co x KH x KW x L(c) x L(f); from NCHW Fo x C x KH x KW x L(f).
    SmallVector<float> wv(wConst.getValues<float>().begin(), wConst.getValues<float>().end());
    auto wAt = [&](int64_t fi, int64_t ci, int64_t y, int64_t x) -> float {
      if (fi >= f || ci >= wShape[1])
        return 0.f;
      return wv[((fi * wShape[1] + ci) * kh + y) * kw + x];
    };
    SmallVector<int64_t> wPackedShape;
    SmallVector<float> packed;
    if (depthwise) {
      wPackedShape = {co, kh, kw, lanes};
      for (int64_t cb = 0; cb < co; ++cb)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            for (int64_t l = 0; l < lanes; ++l)
              packed.push_back(wAt(cb * lanes + l, 0, y, x));
    } else if (blockedIn) {
      wPackedShape = {fo, co, kh, kw, lanes, lanes};
      for (int64_t fb = 0; fb < fo; ++fb)
        for (int64_t cb = 0; cb < co; ++cb)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              for (int64_t ci = 0; ci < lanes; ++ci)
                for (int64_t fi = 0; fi < lanes; ++fi)
                  packed.push_back(wAt(fb * lanes + fi, cb * lanes + ci, y, x));
    } else {
      wPackedShape = {fo, c, kh, kw, lanes};
      for (int64_t fb = 0; fb < fo; ++fb)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              for (int64_t fi = 0; fi < lanes; ++fi)
                packed.push_back(wAt(fb * lanes + fi, ci, y, x));
    }
    Value w = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get(wPackedShape, f32), ArrayRef(packed)));

    // The input: packed (or NCHW), then padded spatially.
    Value x = adaptor.getInput();
    if (blockedIn)
      x = ::qcc::packChannels(b, loc, x, lanes);
    auto pads = op.getPads();
    auto strides = op.getStrides(), dil = op.getDilations();
    // Register block: a row of up to 16 columns x the L channels of one block; regular
    // convolutions take 2 (or 3) filter blocks per column, so that each broadcast input
    // value feeds 2 (3) FMAs (measured: float MobileNetV2-style 7.0 -> 6.5 ms with 2, and
    // its 24 -> 144 expansions 13 % faster with 3 than with 1).
    int64_t fob = depthwise ? 1 : largestDivisor(fo, {2, 3});
    const int64_t columns[] = {16, 14, 12, 8, 7, 6, 5, 4, 3, 2};
    int64_t maxColumns = blockLanes / lanes / fob;
    int64_t owb = largestDivisor(ow, columns, maxColumns);
    // Widths without a good divisor (13, 27, 111: valid convolutions, ceil-mode pooling)
    // would make blocks of 1-3 columns: compute up to 3 more columns over extra input
    // padding if that allows blocks half as large again, and slice them off. (Not for
    // blocks of 4 or more: the slice costs a copy where a concatenation or a padded input
    // reads the result; the SqueezeNet-style net ran 5.61 -> 5.53 ms when its 55-wide
    // layers kept blocks of 5.)
    int64_t owExtra = 0;
    for (int64_t e = 1; e <= 3 && owb < ow && owb <= 3 && owb < maxColumns; ++e)
      if (int64_t wider = largestDivisor(ow + e, columns, maxColumns); 2 * wider > 3 * owb) {
        owExtra = e;
        owb = wider;
        break;
      }
    int64_t padHigh[] = {pads[2], pads[3] + owExtra * strides[1]};
    x = padSpatial(b, loc, x, pads.take_front(2), padHigh, f32Const(b, loc, 0.f));

    // The accumulator starts as the bias (0 in padded channels), broadcast over N, H, W.
    SmallVector<float> bias(fo * lanes, 0.f);
    if (biasConst)
      llvm::copy(biasConst.getValues<float>(), bias.begin());
    Value biasBlocks = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get({fo, lanes}, f32), ArrayRef(bias)));
    auto accType = RankedTensorType::get({n, fo, oh, ow + owExtra, lanes}, f32);
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value acc = buildElementwise(
        b, loc, biasBlocks, accType, [](OpBuilder &, Location, ValueRange a) { return a[0]; },
        AffineMap::get(5, 0, {d(1), d(4)}, ctx));

    // Loops n, fo, oh, ow, l | reductions. Summation order per output: (c blocks,) kh, kw,
    // (c within the block).
    unsigned loops = depthwise ? 7 : blockedIn ? 9 : 8;
    auto row = [&](unsigned khDim) { return d(2) * strides[0] + d(khDim) * dil[0]; };
    auto col = [&](unsigned kwDim) { return d(3) * strides[1] + d(kwDim) * dil[1]; };
    AffineMap xMap, wMap;
    if (depthwise) {
      xMap = AffineMap::get(loops, 0, {d(0), d(1), row(5), col(6), d(4)}, ctx);
      wMap = AffineMap::get(loops, 0, {d(1), d(5), d(6), d(4)}, ctx);
    } else if (blockedIn) {
      xMap = AffineMap::get(loops, 0, {d(0), d(5), row(6), col(7), d(8)}, ctx);
      wMap = AffineMap::get(loops, 0, {d(1), d(5), d(6), d(7), d(8), d(4)}, ctx);
    } else {
      xMap = AffineMap::get(loops, 0, {d(0), d(5), row(6), col(7)}, ctx);
      wMap = AffineMap::get(loops, 0, {d(1), d(5), d(6), d(7), d(4)}, ctx);
    }
    AffineMap oMap = AffineMap::get(loops, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx);
    using IT = utils::IteratorType;
    SmallVector<IT> iters(loops, IT::reduction);
    for (unsigned i = 0; i < 5; ++i)
      iters[i] = IT::parallel;
    auto conv = b.create<linalg::GenericOp>(
        loc, TypeRange{accType}, ValueRange{x, w}, ValueRange{acc},
        ArrayRef<AffineMap>{xMap, wMap, oMap}, iters,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          nb.create<linalg::YieldOp>(nl, mac(nb, nl, a[0], a[1], a[2]));
        });
    SmallVector<int64_t> sizes(loops, 1);
    sizes[1] = fob;
    sizes[3] = owb;
    sizes[4] = lanes;
    conv->setAttr("qcc.tile_sizes", b.getDenseI64ArrayAttr(sizes));
    // Weights smaller than the input plane (the expansions on large maps): rows outside
    // the filter blocks, so a row of input is read from cache by every block.
    if (!depthwise && f * c * kh * kw < c * inShape[2] * inShape[3]) {
      SmallVector<int64_t> order = {0, 2, 3, 1};
      for (unsigned i = 4; i < loops; ++i)
        order.push_back(i);
      conv->setAttr("qcc.tile_interchange", b.getDenseI64ArrayAttr(order));
    }
    Value result = conv.getResult(0);
    if (owExtra)
      result = leadingSlice(b, loc, result, {n, fo, oh, ow, lanes});
    b.replaceOp(op, ::qcc::unpackChannels(b, loc, result, f));
    return success();
  }

  LogicalResult matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto inShape = op.getInput().getType().getShape();
    auto wShape = op.getWeight().getType().getShape();
    auto outShape = op.getOutput().getType().getShape();
    int64_t g = op.getGroup(), n = inShape[0], c = inShape[1], f = wShape[0];
    int64_t cg = c / g, fg = f / g, oh = outShape[2], ow = outShape[3];
    auto pads = op.getPads();

    Mac mac = macFor(op.getInput(), op.getWeight());
    if (blockedLanes > 0 && !mac.isInteger() && !op.getAccumulator() &&
        succeeded(lowerBlocked(op, adaptor, b, mac, inShape, wShape, outShape)))
      return success();
    // Depthwise rows whose width is not a multiple of the register's lanes (56, 28, 14 and 7
    // in a MobileNet, with 16 lanes) would be partial or odd vectors (7 lanes, assembled lane
    // by lane): compute a few extra columns over extra input padding instead, and keep the
    // first ow. Up to a quarter more columns for full registers (unit stride: a strided
    // row would widen its padded input, the largest buffer live there, by twice as much);
    // else to a multiple of 8.
    int64_t owExtra = 0;
    if (fg == 1 && ow > 4) {
      int64_t lanes = op.getStrides()[1] == 1 ? std::max<int64_t>(vectorLanes, 8) : 8;
      owExtra = (lanes - ow % lanes) % lanes;
      if (owExtra * 4 > ow)
        owExtra = (8 - ow % 8) % 8;
    }
    // Padding reads the real value 0: 0.0, or the input's zero point.
    Value padValue = mac.isInteger() ? storageZeroPoint(b, loc, *mac.x) : f32Const(b, loc, 0.f);
    int64_t padHigh[] = {pads[2], pads[3] + owExtra * op.getStrides()[1]};
    Value x = padSpatial(b, loc, adaptor.getInput(), pads.take_front(2), padHigh, padValue);
    ow += owExtra;
    auto xShape = cast<RankedTensorType>(x.getType()).getShape();
    // N x C x H x W -> N x G x C/G x H x W, and F x C/G x KH x KW -> G x F/G x C/G x KH x KW.
    x = expand(b, loc, x, {n, g, cg, xShape[2], xShape[3]}, {{0}, {1, 2}, {3}, {4}});
    // Filters on the vector lanes: with 8+ filters per group and constant weights, the
    // weights are packed filters-last at compile time and the register block is (output
    // columns) x (filters): one contiguous weight vector per (c, kh, kw), the input read as
    // broadcast scalars (so any stride works).
    DenseElementsAttr wConst = constantBehind(adaptor.getWeight());
    bool filterLanes = wConst && fg % 8 == 0; // any stride: x is read as broadcast scalars
    // Output columns on the lanes instead over wide unit-stride rows (the 1x1 expansions
    // early in a MobileNet): each step multiplies a row of inputs (or packed input words)
    // by one broadcast weight (word) per filter, and the block's results are contiguous
    // output rows, stored as they are instead of transposed from filter lanes.
    bool rowLanes = filterLanes && (!mac.isInteger() || pairProducts || quadProducts) &&
                    op.getStrides()[1] == 1 && ow >= 16 && ow % 8 == 0;
    if (rowLanes)
      filterLanes = false;
    // Paired products: the weights are packed as pairs of centered 16-bit values of two
    // consecutive input channels, and so is the input (one pass that also subtracts its zero
    // point), so each step of the channel loop does two multiply-adds per lane.
    // A channel count that is not a whole number of words (the 3 channels of an image
    // input) is padded: the extra weights are 0, the extra input channels hold zp_x.
    bool pairs = pairProducts && mac.isInteger() && (filterLanes || rowLanes);
    // Quad products: four channels as signed bytes per word (s8 weights of zero point 0;
    // the input shifted to s8 by `offset`, whose term (offset - zp_x) * sum(w) joins the
    // bias at compile time).
    bool quads = quadProducts && mac.isInteger() && (filterLanes || rowLanes) &&
                 mac.w->isSigned && mac.w->width == 8 && mac.x->width == 8 &&
                 llvm::all_of(mac.w->zeroPoints, [](int32_t z) { return z == 0; });
    // The input's bytes in the quads: x - offset, signed (SDOT) or unsigned (VPDPBUSD).
    int64_t offset = 0;
    if (mac.isInteger())
      offset = quadUnsignedInput ? (mac.x->isSigned ? -128 : 0) : (mac.x->isSigned ? 0 : 128);
    // The weights' per-filter sums (as stored: signed or unsigned bytes), for the
    // zero-point terms that quads fold into the bias at compile time.
    auto filterSums = [&]() {
      SmallVector<int64_t> sums(f, 0);
      int64_t perFilter = cg * wShape[2] * wShape[3], i = 0;
      for (const APInt &v : wConst.getValues<APInt>())
        sums[i++ / perFilter] += mac.w->isSigned ? v.getSExtValue() : int64_t(v.getZExtValue());
      return sums;
    };
    Value quadBias;
    if (quads) {
      SmallVector<int64_t> sums = filterSums();
      int64_t scale = offset - mac.x->zeroPoints[0];
      quadBias = biasPlusTerms(b, loc, adaptor.getBias(), f,
                               [&](int64_t fi) { return scale * sums[fi]; });
      quads = quadBias != nullptr;
    }
    // Unsigned weights with one zero point zw (TFLite's uint8 models) in 1x1 convolutions
    // on VNNI: VPDPBUSD with the roles swapped, the raw weight bytes unsigned and the input
    // signed, x' = x - 128. With S = sum_c x'_c per pixel (one pass over the input):
    //   sum_c (x_c - zx)(w_c - zw) = sum_c w_c x'_c - zw * S + (128 - zx) (sum_c w_c - C zw),
    // the last term joining the bias at compile time and zw * S the initial accumulator.
    bool swappedQuads = !quads && quadProducts && quadUnsignedInput && mac.isInteger() &&
                        (filterLanes || rowLanes) && wConst && !mac.w->isSigned &&
                        mac.w->width == 8 && !mac.x->isSigned && mac.x->width == 8 &&
                        mac.w->zeroPoints.size() == 1 && wShape[2] == 1 && wShape[3] == 1 &&
                        op.getStrides()[0] == 1 && op.getStrides()[1] == 1 &&
                        llvm::all_of(pads, [](int64_t p) { return p == 0; }) && cg % 4 == 0;
    Value pixelSums;
    if (swappedQuads) {
      int64_t zw = mac.w->zeroPoints[0], zx = mac.x->zeroPoints[0];
      SmallVector<int64_t> sums = filterSums();
      quadBias = biasPlusTerms(b, loc, adaptor.getBias(), f, [&](int64_t fi) {
        return (128 - zx) * (sums[fi] - cg * zw);
      });
      swappedQuads = quadBias != nullptr;
    }
    if (swappedQuads) {
      // zw * S per pixel: N x G x H x W, channels outside the rows (contiguous rows).
      int64_t zw = mac.w->zeroPoints[0];
      auto xShape5 = cast<RankedTensorType>(x.getType()).getShape();
      SmallVector<int64_t> sShape = {xShape5[0], xShape5[1], xShape5[3], xShape5[4]};
      Value zero = filledWith(b, loc, sShape, i32Const(b, loc, 0));
      auto e = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
      using IT = utils::IteratorType;
      auto sums = b.create<linalg::GenericOp>(
          loc, TypeRange{zero.getType()}, ValueRange{x}, ValueRange{zero},
          ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(5, ctx),
                              AffineMap::get(5, 0, {e(0), e(1), e(3), e(4)}, ctx)},
          ArrayRef<IT>{IT::parallel, IT::parallel, IT::reduction, IT::parallel, IT::parallel},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value centered = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, a[0], *mac.x),
                                                      i32Const(nb, nl, 128));
            Value term = nb.create<arith::MulIOp>(nl, centered, i32Const(nb, nl, zw));
            nb.create<linalg::YieldOp>(nl, nb.create<arith::AddIOp>(nl, a[1], term).getResult());
          });
      // One input row per step, vectorized by qcc-vectorize-conv (LLVM would fully unroll
      // the small planes' loops into kilobytes of code).
      sums->setAttr("qcc.tile_sizes", b.getDenseI64ArrayAttr({1, 1, 1, 1, xShape5[4]}));
      pixelSums = sums.getResult(0);
    }
    // Channels per packed word: 4 (quads), 2 (pairs) or 1 (one channel per step).
    int64_t perWord = quads || swappedQuads ? 4 : pairs ? 2 : 1;
    Value w;
    if (perWord > 1) {
      QuantParams wParams = *mac.w;
      if (swappedQuads)
        wParams.zeroPoints = {0}; // the raw weight bytes
      w = b.create<arith::ConstantOp>(
          loc, packFilterWords(wConst, g, wParams, perWord, b.getI32Type()));
      if (int64_t extra = (perWord - cg % perWord) % perWord) {
        auto xt = cast<RankedTensorType>(x.getType());
        SmallVector<int64_t> padded(xt.getShape());
        padded[2] += extra;
        SmallVector<OpFoldResult> lo(5, b.getIndexAttr(0)), hi(5, b.getIndexAttr(0));
        hi[2] = b.getIndexAttr(extra);
        x = b.create<tensor::PadOp>(loc, RankedTensorType::get(padded, xt.getElementType()), x,
                                    lo, hi, storageZeroPoint(b, loc, *mac.x));
      }
      // Pairs hold x - zp_x; quads x - offset (the offset's term is in quadBias); swapped
      // quads x - 128 (signed bytes).
      x = packInputWords(b, loc, x, *mac.x, perWord,
                         swappedQuads ? 128 : quads ? offset : mac.x->zeroPoints[0]);
    } else if (filterLanes) {
      Type storage = cast<RankedTensorType>(adaptor.getWeight().getType()).getElementType();
      w = b.create<arith::ConstantOp>(loc, packFiltersLast(wConst, g, storage));
    } else {
      w = expand(b, loc, adaptor.getWeight(), {g, fg, cg, wShape[2], wShape[3]},
                 {{0, 1}, {2}, {3}, {4}});
    }

    SmallVector<int64_t> accShape = {n, g, fg, oh, ow};
    auto accType = RankedTensorType::get(accShape, mac.accType(b));
    Value acc;
    if (swappedQuads) {
      // Start from the bias minus zw * S of the pixel.
      Value b2 = expand(b, loc, quadBias, {g, fg}, {{0, 1}});
      auto e = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
      acc = buildElementwise(
          b, loc, ValueRange{b2, pixelSums}, accType,
          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            return nb.create<arith::SubIOp>(nl, a[0], a[1]);
          },
          {AffineMap::get(5, 0, {e(1), e(2)}, ctx), AffineMap::get(5, 0, {e(0), e(1), e(3), e(4)}, ctx)});
    } else if (Value bias = quads ? quadBias : adaptor.getBias()) {
      // Start from the bias, broadcast over N, H and W.
      Value b2 = expand(b, loc, bias, {g, fg}, {{0, 1}});
      auto map = AffineMap::get(5, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
      acc = buildElementwise(
          b, loc, b2, accType, [](OpBuilder &, Location, ValueRange a) { return a[0]; }, map);
    } else {
      acc = filledWith(b, loc, accShape, mac.zero(b, loc));
    }

    // Two loop orders, both summing each output element's terms in the order c, kh, kw:
    //  - planes of at least kMinPlane outputs: n, g, f | c, kh, kw | oh, ow, the output row
    //    innermost, so the nest streams contiguous rows (a weight broadcast against an input
    //    row), which LLVM vectorizes;
    //  - small planes: n, g, f, oh, ow | c, kh, kw, a dot product per output element, which
    //    avoids re-reading a tiny plane once per input channel.
    //  - filter lanes, depthwise, or unit stride along W: the dot-product order, marked for
    //    qcc-vectorize-conv, which tiles it into register blocks (slicing strided inputs).
    constexpr int64_t kMinPlane = 256;
    bool vectorize = filterLanes || fg == 1 || op.getStrides()[1] == 1;
    bool rowInner = !vectorize && oh * ow >= kMinPlane;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    unsigned dn = 0, dg = 1, df = 2, dc = rowInner ? 3 : 5, dkh = rowInner ? 4 : 6,
             dkw = rowInner ? 5 : 7, doh = rowInner ? 6 : 3, dow = rowInner ? 7 : 4;
    if (filterLanes) { // n, g, oh, ow, f | c, kh, kw
      doh = 2;
      dow = 3;
      df = 4;
    }
    auto strides = op.getStrides(), dil = op.getDilations();
    AffineMap xMap = AffineMap::get(8, 0,
                                    {d(dn), d(dg), d(dc), d(doh) * strides[0] + d(dkh) * dil[0],
                                     d(dow) * strides[1] + d(dkw) * dil[1]},
                                    ctx);
    AffineMap wMap = filterLanes || perWord > 1
                         ? AffineMap::get(8, 0, {d(dg), d(dc), d(dkh), d(dkw), d(df)}, ctx)
                         : AffineMap::get(8, 0, {d(dg), d(df), d(dc), d(dkh), d(dkw)}, ctx);
    AffineMap oMap = AffineMap::get(8, 0, {d(dn), d(dg), d(df), d(doh), d(dow)}, ctx);
    using IT = utils::IteratorType;
    SmallVector<IT> iters(8, IT::parallel);
    for (unsigned r : {dc, dkh, dkw})
      iters[r] = IT::reduction;
    auto conv = b.create<linalg::GenericOp>(
        loc, TypeRange{accType}, ValueRange{x, w}, ValueRange{acc},
        ArrayRef<AffineMap>{xMap, wMap, oMap}, iters,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value next = perWord == 1
                           ? mac(nb, nl, a[0], a[1], a[2])
                           : nb.create<arith::AddIOp>(
                                   nl, a[2],
                                   swappedQuads
                                       ? packedProduct(nb, nl, a[1], a[0], 4, true)
                                       : packedProduct(nb, nl, a[0], a[1], perWord,
                                                       quads && quadUnsignedInput))
                                 .getResult();
          nb.create<linalg::YieldOp>(nl, next);
        });
    if (vectorize) {
      // The largest candidate dividing n whose block (times `other`) fits the register
      // budget.
      auto blockSize = [&](int64_t n, ArrayRef<int64_t> candidates, int64_t other = 1) {
        return largestDivisor(n, candidates, blockLanes / other);
      };
      // Depthwise: a block of groups; otherwise a block of filters. Blocks of output columns.
      if (filterLanes) {
        // Loops n, g, oh, ow, f: a block of up to 8 columns x 16 (or 8) filters. Float
        // with 16-lane registers (AVX-512): two registers of filters per column, so that
        // each broadcast input feeds two FMAs (7 x 32 on the 7x7 planes: the float
        // MobileNetV2-style net 12.1 -> 10.6 ms; the integer kernels ran 3x slower so).
        int64_t fb = vectorLanes >= 16 && !mac.isInteger() ? blockSize(fg, {32, 16, 8}, 2)
                                                           : blockSize(fg, {16, 8}, 2);
        int64_t owb = blockSize(ow, {8, 7, 6, 5, 4, 3, 2}, fb);
        conv->setAttr("qcc.tile_sizes", b.getDenseI64ArrayAttr({1, 1, 1, owb, fb, 1, 1, 1}));
        // Weights larger than the input plane (the wide 1x1 convolutions on 7x7 maps): loop
        // over filter blocks outside the rows, so each block's weights are read once while
        // they are in cache, rather than once per output row.
        if (f * cg * wShape[2] * wShape[3] > cg * xShape[2] * xShape[3])
          conv->setAttr("qcc.tile_interchange",
                        b.getDenseI64ArrayAttr({0, 1, 4, 2, 3, 5, 6, 7}));
      } else if (depthwiseRowBlocks && fg == 1 && cg == 1 &&
                 (op.getStrides()[0] == 1 || windowProducts(mac, op))) {
        // Depthwise, unit stride along H: one channel per block, a few output rows x a row
        // of columns (independent accumulators that share input rows), so the channel's
        // KH x KW weights are loop invariant and stay in registers across its blocks.
        // Strided depthwise keeps blocks of channels (one channel per block gained nothing)
        // unless each row's kernel columns become one VPDPBUSD (see windowProducts).
        // At most half the usual block: the weights need registers too.
        int64_t owb = blockSize(ow, {16, 8, 7, 4, 2}, 2);
        int64_t ohb = blockSize(oh, {4, 2}, owb * 2);
        conv->setAttr("qcc.tile_sizes", b.getDenseI64ArrayAttr({1, 1, 1, ohb, owb, 1, 1, 1}));
      } else {
        int64_t gb = fg == 1 ? blockSize(g, {8, 4, 2}, 2) : 1;
        int64_t fb = fg == 1 ? 1 : blockSize(fg, {8, 4, 2}, 2);
        int64_t owb = blockSize(ow, {16, 8, 7, 4, 2}, gb * fb);
        conv->setAttr("qcc.tile_sizes", b.getDenseI64ArrayAttr({1, gb, fb, 1, owb, 1, 1, 1}));
      }
    }
    // A fused requantization runs on the N x G x F/G x OH x OW accumulator, per-channel
    // parameters laid out G x F/G.
    Value result = buildEpilogue(b, op, conv.getResult(0), fixed,
                                 ChannelLayout{{g, fg}, AffineMap::get(5, 0, {d(1), d(2)}, ctx)});
    if (owExtra) {
      SmallVector<int64_t> kept(cast<RankedTensorType>(result.getType()).getShape());
      kept[4] = outShape[3];
      result = leadingSlice(b, loc, result, kept);
    }
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    b.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, outType, result, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
    return success();
  }
};

struct MatMulLowering : ModeAwareLowering<MatMulOp> {
  using ModeAwareLowering::ModeAwareLowering;

  LogicalResult matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto a = op.getLhs().getType().getShape(), bs = op.getRhs().getType().getShape();
    auto out = op.getOutput().getType().getShape();
    unsigned rank = out.size(), batch = rank - 2, loops = rank + 1;
    // Loops: batch..., m, n | k. Batch dimensions broadcast as in numpy.
    auto operandMap = [&](ArrayRef<int64_t> shape, AffineExpr row, AffineExpr col) {
      SmallVector<AffineExpr> exprs;
      unsigned off = batch - (shape.size() - 2);
      for (unsigned i = 0; i + 2 < shape.size(); ++i)
        exprs.push_back(shape[i] == 1 && out[off + i] != 1 ? getAffineConstantExpr(0, ctx)
                                                           : getAffineDimExpr(off + i, ctx));
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    auto m = getAffineDimExpr(batch, ctx), n = getAffineDimExpr(batch + 1, ctx),
         k = getAffineDimExpr(batch + 2, ctx);
    SmallVector<AffineMap> maps = {operandMap(a, m, k), operandMap(bs, k, n),
                                   AffineMap::getMultiDimIdentityMap(loops, ctx).dropResult(
                                       loops - 1)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Mac mac = macFor(op.getLhs(), op.getRhs());
    Value acc = filledWith(b, loc, out, mac.zero(b, loc));
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{acc.getType()}, ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        ValueRange{acc}, maps, iters, [&](OpBuilder &nb, Location nl, ValueRange v) {
          nb.create<linalg::YieldOp>(nl, mac(nb, nl, v[0], v[1], v[2]));
        });
    // A register block of output columns for qcc-vectorize-conv.
    int64_t cols = out.back(), nb = largestDivisor(cols, {16, 8, 4, 2});
    if (nb > 1) {
      SmallVector<int64_t> tiles(loops, 1);
      tiles[batch + 1] = nb;
      generic->setAttr("qcc.tile_sizes", b.getDenseI64ArrayAttr(tiles));
    }
    b.replaceOp(op, buildEpilogue(b, op, generic.getResult(0), fixed,
                                  ChannelLayout{{cols}, AffineMap::get(rank, 0, n)}));
    return success();
  }
};

struct GemmLowering : ModeAwareLowering<GemmOp> {
  GemmLowering(const TypeConverter &converter, MLIRContext *ctx, bool fixed, int64_t rowLanes)
      : ModeAwareLowering(converter, ctx, fixed), rowLanes(rowLanes) {}
  /// Output columns per register block of a float fully connected layer (a few vector
  /// registers: several independent FMA chains).
  int64_t rowLanes;

  /// A float fully connected layer with constant weights B^T (N x K, `bt`), A not
  /// transposed: B packed in blocks of nb output columns, N'/nb x K x nb (N' = N rounded up
  /// to the block, the extra columns' weights 0), so that each block streams one
  /// contiguous stretch of weights, and the block is several vector registers wide, so
  /// that several FMA chains run at once (one 8-lane chain ran at the FMA's latency: 2
  /// multiply-adds per ns). Loops m, j (block), n (in block) | k, accumulating into `acc`
  /// padded to N'; the first N columns are kept. Null when B is not such a constant.
  Value blockedFloatGemm(OpBuilder &b, GemmOp op, Value a, Value bt, Value acc,
                         const Mac &mac) const {
    DenseElementsAttr wConst = constantBehind(bt);
    if (!wConst || wConst.isSplat() || !wConst.getElementType().isF32())
      return nullptr;
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    auto shape = op.getType().getShape();
    int64_t cols = shape[1], k = op.getA().getType().getShape()[1];
    int64_t nb = std::min<int64_t>(rowLanes, llvm::alignTo(cols, 16));
    int64_t padded = llvm::alignTo(cols, nb);
    SmallVector<float> weights(padded * k, 0.f);
    llvm::copy(wConst.getValues<float>(), weights.begin());
    DenseElementsAttr packed = packFiltersLast(
        DenseElementsAttr::get(RankedTensorType::get({padded, k, 1, 1}, f32),
                               ArrayRef<float>(weights)),
        padded / nb, f32); // N'/nb x K x 1 x 1 x nb
    Value w = b.create<arith::ConstantOp>(
        loc, packed.reshape(RankedTensorType::get({padded / nb, k, nb}, f32)));
    if (padded != cols) {
      SmallVector<OpFoldResult> lo(2, b.getIndexAttr(0)), hi(2, b.getIndexAttr(0));
      hi[1] = b.getIndexAttr(padded - cols);
      acc = b.create<tensor::PadOp>(loc, RankedTensorType::get({shape[0], padded}, f32), acc,
                                    lo, hi, f32Const(b, loc, 0.f));
    }
    Value acc3 = expand(b, loc, acc, {shape[0], padded / nb, nb}, {{0}, {1, 2}});
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    using IT = utils::IteratorType;
    auto blocked = b.create<linalg::GenericOp>(
        loc, TypeRange{acc3.getType()}, ValueRange{a, w}, ValueRange{acc3},
        ArrayRef<AffineMap>{AffineMap::get(4, 0, {d(0), d(3)}, ctx),
                            AffineMap::get(4, 0, {d(1), d(3), d(2)}, ctx),
                            AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
        ArrayRef<IT>{IT::parallel, IT::parallel, IT::parallel, IT::reduction},
        [&](OpBuilder &nb2, Location nl, ValueRange v) {
          nb2.create<linalg::YieldOp>(nl, mac(nb2, nl, v[0], v[1], v[2]));
        });
    blocked->setAttr("qcc.tile_sizes", b.getDenseI64ArrayAttr({1, 1, nb, 1}));
    Value flat = b.create<tensor::CollapseShapeOp>(loc, blocked.getResult(0),
                                                   ArrayRef<ReassociationIndices>{{0}, {1, 2}});
    return padded == cols ? flat : leadingSlice(b, loc, flat, shape);
  }

  LogicalResult matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
    Mac mac = macFor(op.getA(), op.getB(), alpha);
    auto outType = RankedTensorType::get(op.getType().getShape(), mac.accType(b));
    Value acc;
    if (Value c = adaptor.getC(); c && beta != 0.f) {
      acc = buildElementwise(b, loc, c, outType, [&](OpBuilder &nb, Location nl, ValueRange v) {
        return beta == 1.f ? v[0] : nb.create<arith::MulFOp>(nl, v[0], f32Const(nb, nl, beta));
      });
    } else {
      acc = filledWith(b, loc, outType.getShape(), mac.zero(b, loc));
    }
    auto m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx), k = getAffineDimExpr(2, ctx);
    // A constant B^T (a fully connected layer's weights) is transposed at compile time, so
    // that a block of output columns reads one contiguous row of B per k.
    Value bValue = adaptor.getB();
    bool transB = op.getTransB();
    if (transB && !mac.isInteger() && !op.getTransA()) {
      if (Value blocked = blockedFloatGemm(b, op, adaptor.getA(), bValue, acc, mac)) {
        b.replaceOp(op, blocked);
        return success();
      }
    }
    if (transB) {
      if (DenseElementsAttr wConst = constantBehind(bValue)) {
        auto shape = wConst.getType().getShape(); // N x K, viewed as N filters of K x 1 x 1
        Type storage = cast<RankedTensorType>(bValue.getType()).getElementType();
        DenseElementsAttr asFilters =
            wConst.reshape(RankedTensorType::get({shape[0], shape[1], 1, 1}, storage));
        DenseElementsAttr packed = packFiltersLast(asFilters, 1, storage); // 1 x K x 1 x 1 x N
        bValue = b.create<arith::ConstantOp>(
            loc, packed.reshape(RankedTensorType::get({shape[1], shape[0]}, storage)));
        transB = false;
      }
    }
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m} : ArrayRef<AffineExpr>{m, k}, ctx),
        AffineMap::get(3, 0, transB ? ArrayRef<AffineExpr>{n, k} : ArrayRef<AffineExpr>{k, n}, ctx),
        AffineMap::get(3, 0, {m, n}, ctx)};
    using IT = utils::IteratorType;
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{acc.getType()}, ValueRange{adaptor.getA(), bValue}, ValueRange{acc}, maps,
        ArrayRef<IT>{IT::parallel, IT::parallel, IT::reduction},
        [&](OpBuilder &nb, Location nl, ValueRange v) {
          nb.create<linalg::YieldOp>(nl, mac(nb, nl, v[0], v[1], v[2]));
        });
    // Row-major B: a register block of output columns for qcc-vectorize-conv.
    if (!transB) {
      int64_t nb = largestDivisor(op.getType().getShape()[1], {16, 8, 4, 2});
      if (nb > 1)
        generic->setAttr("qcc.tile_sizes", b.getDenseI64ArrayAttr({1, nb, 1}));
    }
    auto cols = op.getType().getShape()[1];
    b.replaceOp(op, buildEpilogue(b, op, generic.getResult(0), fixed,
                                  ChannelLayout{{cols}, AffineMap::get(2, 0, n)}));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// The integer form of a binary qcc op (add, mul): matches it and hands the operands' and
/// the result's quantization parameters to `lower`; the float form is another pattern's.
template <typename OpT>
struct QuantizedBinaryLowering : ModeAwareLowering<OpT> {
  using ModeAwareLowering<OpT>::ModeAwareLowering;
  using OpAdaptor = typename OpT::Adaptor;

  LogicalResult matchAndRewrite(OpT op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const final {
    if (!isa<quant::QuantizedType>(op.getType().getElementType()))
      return failure();
    return lower(op, adaptor, b, getQuantParams(op.getLhs().getType().getElementType()),
                 getQuantParams(op.getRhs().getType().getElementType()),
                 getQuantParams(op.getType().getElementType()));
  }
  virtual LogicalResult lower(OpT op, OpAdaptor adaptor, ConversionPatternRewriter &b,
                              const QuantParams &qa, const QuantParams &qb,
                              const QuantParams &qc) const = 0;
};

/// The integer form of qcc.add follows ONNX Runtime's x86 QLinearAdd (MLAS, AVX2):
///   rA = sA / sC, rB = sB / sC, fixed = zC - (rA * zA + rB * zB)   (f32, at compile time)
///   c = saturate(round_half_even(fma(a, rA, fma(b, rB, fixed))))
/// where a and b are the stored integers.
struct QuantizedAddLowering : QuantizedBinaryLowering<AddOp> {
  QuantizedAddLowering(const TypeConverter &converter, MLIRContext *ctx, bool fixed,
                       bool hardwareFma)
      : QuantizedBinaryLowering(converter, ctx, fixed), hardwareFma(hardwareFma) {}
  bool hardwareFma;

  /// TFLite's int8 ADD: both inputs shifted left by 20, rescaled to twice the larger input
  /// scale, summed, and rescaled to the output.
  Value buildFixed(ConversionPatternRewriter &b, AddOp op, OpAdaptor adaptor,
                   const QuantParams &qa, const QuantParams &qb, const QuantParams &qc) const {
    constexpr int kLeftShift = 20;
    double twiceMax = 2.0 * static_cast<double>(std::max(qa.scales[0], qb.scales[0]));
    FixedMultiplier ma(static_cast<double>(qa.scales[0]) / twiceMax);
    FixedMultiplier mb(static_cast<double>(qb.scales[0]) / twiceMax);
    FixedMultiplier mo(twiceMax / (static_cast<double>(1 << kLeftShift) *
                                   static_cast<double>(qc.scales[0])));
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    return buildElementwise(
        b, op.getLoc(), adaptor.getOperands(), outType,
        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
          auto scaled = [&](Value x, const QuantParams &q, const FixedMultiplier &m) {
            Value centered = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, x, q),
                                                      i32Const(nb, nl, q.zeroPoints[0]));
            Value shifted = nb.create<arith::ShLIOp>(nl, centered, i32Const(nb, nl, kLeftShift));
            return fixedMultiply(nb, nl, shifted, m);
          };
          Value sum = nb.create<arith::AddIOp>(nl, scaled(v[0], qa, ma), scaled(v[1], qb, mb));
          Value out = fixedMultiply(nb, nl, sum, mo);
          out = nb.create<arith::AddIOp>(nl, out, i32Const(nb, nl, qc.zeroPoints[0]));
          return narrowToStorage(nb, nl, out, qc);
        });
  }

  LogicalResult lower(AddOp op, OpAdaptor adaptor, ConversionPatternRewriter &b,
                      const QuantParams &qa, const QuantParams &qb,
                      const QuantParams &qc) const override {
    if (fixed) {
      b.replaceOp(op, buildFixed(b, op, adaptor, qa, qb, qc));
      return success();
    }
    float rA = qa.scales[0] / qc.scales[0];
    float rB = qb.scales[0] / qc.scales[0];
    // MLAS is built with FMA contraction: rA * zA + rB * zB becomes fma(rA, zA, rB * zB).
    float zeroTerms = std::fma(rA, static_cast<float>(qa.zeroPoints[0]),
                               rB * static_cast<float>(qb.zeroPoints[0]));
    float fixed = static_cast<float>(qc.zeroPoints[0]) - zeroTerms;
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    b.replaceOp(op, buildElementwise(
                        b, op.getLoc(), adaptor.getOperands(), outType,
                        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                          auto toFloat = [&](Value x, const QuantParams &q) -> Value {
                            return nb.create<arith::SIToFPOp>(nl, nb.getF32Type(),
                                                              widenToI32(nb, nl, x, q));
                          };
                          Value t = fusedMulAddF32(nb, nl, toFloat(v[1], qb), rB,
                                                   f32Const(nb, nl, fixed), hardwareFma);
                          Value r =
                              fusedMulAddF32(nb, nl, toFloat(v[0], qa), rA, t, hardwareFma);
                          return saturateToStorage(nb, nl, nb.create<math::RoundEvenOp>(nl, r), qc);
                        }));
    return success();
  }
};

/// The integer form of qcc.mul.
///  - float: ONNX Runtime's QLinearMul (MLAS, SSE2 and NEON alike), with r = sA * sB / sC
///    in f32 at compile time: c = saturate(round_half_even(float((a - zA) * (b - zB)) * r
///    + float(zC))), the multiply and the add rounded separately.
///  - fixed: TFLite's int8 MUL: c = clamp(zC + MultiplyByQuantizedMultiplier((a - zA) *
///    (b - zB), M)) with M = double(sA) * double(sB) / double(sC).
struct QuantizedMulLowering : QuantizedBinaryLowering<MulOp> {
  using QuantizedBinaryLowering::QuantizedBinaryLowering;

  LogicalResult lower(MulOp op, OpAdaptor adaptor, ConversionPatternRewriter &b,
                      const QuantParams &qa, const QuantParams &qb,
                      const QuantParams &qc) const override {
    float ratio = qa.scales[0] * qb.scales[0] / qc.scales[0];
    FixedMultiplier m(static_cast<double>(qa.scales[0]) * static_cast<double>(qb.scales[0]) /
                      static_cast<double>(qc.scales[0]));
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    b.replaceOp(op, buildElementwise(
                        b, op.getLoc(), adaptor.getOperands(), outType,
                        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                          auto centered = [&](Value x, const QuantParams &q) -> Value {
                            return nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, x, q),
                                                            i32Const(nb, nl, q.zeroPoints[0]));
                          };
                          Value prod = nb.create<arith::MulIOp>(nl, centered(v[0], qa),
                                                                centered(v[1], qb));
                          if (fixed) {
                            Value y = fixedMultiply(nb, nl, prod, m);
                            y = nb.create<arith::AddIOp>(nl, y, i32Const(nb, nl, qc.zeroPoints[0]));
                            return narrowToStorage(nb, nl, y, qc);
                          }
                          Value f = nb.create<arith::MulFOp>(
                              nl, nb.create<arith::SIToFPOp>(nl, nb.getF32Type(), prod),
                              f32Const(nb, nl, ratio));
                          f = nb.create<arith::AddFOp>(
                              nl, f, f32Const(nb, nl, static_cast<float>(qc.zeroPoints[0])));
                          return saturateToStorage(nb, nl, nb.create<math::RoundEvenOp>(nl, f), qc);
                        }));
    return success();
  }
};

template <typename QccOp, typename ArithOp>
struct BinaryLowering : OpConversionPattern<QccOp> {
  using OpConversionPattern<QccOp>::OpConversionPattern;
  using OpAdaptor = typename QccOp::Adaptor;
  LogicalResult matchAndRewrite(QccOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    if (!op.getType().getElementType().isF32())
      return failure();
    b.replaceOp(op, buildElementwise(b, op.getLoc(), adaptor.getOperands(), op.getType(),
                                     [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                       return nb.create<ArithOp>(nl, v[0], v[1]);
                                     }));
    return success();
  }
};

/// sigmoid, tanh and hard_swish on f32.
template <typename QccOp>
struct UnaryFloatLowering : OpConversionPattern<QccOp> {
  using OpConversionPattern<QccOp>::OpConversionPattern;
  using OpAdaptor = typename QccOp::Adaptor;
  LogicalResult matchAndRewrite(QccOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    b.replaceOp(op, buildElementwise(b, op.getLoc(), adaptor.getInput(), op.getType(),
                                     [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                       Value x = v[0];
                                       if constexpr (std::is_same_v<QccOp, SigmoidOp>) {
                                         Value e = nb.create<math::ExpOp>(
                                             nl, nb.create<arith::NegFOp>(nl, x));
                                         return nb.create<arith::DivFOp>(
                                             nl, f32Const(nb, nl, 1.f),
                                             nb.create<arith::AddFOp>(nl, f32Const(nb, nl, 1.f), e));
                                       } else if constexpr (std::is_same_v<QccOp, TanhOp>) {
                                         return nb.create<math::TanhOp>(nl, x);
                                       } else {
                                         // ONNX HardSwish: x * max(0, min(1, x / 6 + 0.5)).
                                         Value t = nb.create<arith::AddFOp>(
                                             nl, nb.create<arith::MulFOp>(nl, x, f32Const(nb, nl, 1.f / 6.f)),
                                             f32Const(nb, nl, 0.5f));
                                         return nb.create<arith::MulFOp>(nl, x,
                                                                         clampValue(nb, nl, t, 0.f, 1.f));
                                       }
                                     }));
    return success();
  }
};

/// y = table[x - storage_min]: the table is a constant read with tensor.extract.
struct TableLowering : OpConversionPattern<TableOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TableOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    QuantParams in = getQuantParams(op.getInput().getType().getElementType());
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    SmallVector<APInt> entries;
    for (int32_t v : op.getTable())
      entries.push_back(APInt(8, static_cast<uint64_t>(v), /*isSigned=*/true));
    auto tableType = RankedTensorType::get({256}, b.getIntegerType(8));
    Value table = b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(tableType, entries));
    b.replaceOp(op, buildElementwise(
                        b, loc, adaptor.getInput(), outType,
                        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                          Value idx = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, v[0], in),
                                                               i32Const(nb, nl, in.qmin));
                          Value index = nb.create<arith::IndexCastOp>(nl, nb.getIndexType(), idx);
                          return nb.create<tensor::ExtractOp>(nl, table, ValueRange{index});
                        }));
    return success();
  }
};

struct ReluLowering : OpConversionPattern<ReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ReluOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    b.replaceOp(op, buildElementwise(b, op.getLoc(), adaptor.getInput(), op.getType(),
                                     [](OpBuilder &nb, Location nl, ValueRange v) {
                                       return clampValue(nb, nl, v[0], 0.f, std::nullopt);
                                     }));
    return success();
  }
};

struct ClampLowering : OpConversionPattern<ClampOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ClampOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    float lo = op.getMin().convertToFloat(), hi = op.getMax().convertToFloat();
    std::optional<float> loOpt, hiOpt;
    if (lo != -std::numeric_limits<float>::infinity())
      loOpt = lo;
    if (hi != std::numeric_limits<float>::infinity())
      hiOpt = hi;
    b.replaceOp(op, buildElementwise(b, op.getLoc(), adaptor.getInput(), op.getType(),
                                     [&](OpBuilder &nb, Location nl, ValueRange v) {
                                       return clampValue(nb, nl, v[0], loOpt, hiOpt);
                                     }));
    return success();
  }
};

struct BatchNormLowering : OpConversionPattern<BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(BatchNormOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    MLIRContext *ctx = b.getContext();
    auto type = op.getType();
    // Per-channel parameters index dimension 1.
    AffineMap chan = AffineMap::get(type.getRank(), 0, getAffineDimExpr(1, ctx));
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(type.getRank()), chan, chan, chan,
                                   chan};
    float eps = op.getEpsilon().convertToFloat();
    b.replaceOp(op, buildElementwise(
                        b, op.getLoc(),
                        ValueRange{adaptor.getInput(), adaptor.getScale(), adaptor.getBias(),
                                   adaptor.getMean(), adaptor.getVariance()},
                        type,
                        [eps](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                          Value centered = nb.create<arith::SubFOp>(nl, v[0], v[3]);
                          Value var = nb.create<arith::AddFOp>(nl, v[4], f32Const(nb, nl, eps));
                          Value norm = nb.create<arith::DivFOp>(
                              nl, centered, nb.create<math::SqrtOp>(nl, var));
                          return nb.create<arith::AddFOp>(
                              nl, nb.create<arith::MulFOp>(nl, norm, v[1]), v[2]);
                        },
                        maps));
    return success();
  }
};

/// A reduction over `reduced` loops of `input` into a tensor of the remaining dimensions;
/// `combine(acc, x)` folds one element in.
Value reduceDims(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> reduced,
                 Value init, function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto shape = cast<RankedTensorType>(input.getType()).getShape();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < (int64_t)shape.size(); ++i) {
    bool red = llvm::is_contained(reduced, i);
    iters.push_back(red ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (!red) {
      outShape.push_back(shape[i]);
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  Value acc = filledWith(b, loc, outShape, init);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(shape.size()),
                                 AffineMap::get(shape.size(), 0, outExprs, ctx)};
  return b
      .create<linalg::GenericOp>(loc, TypeRange{acc.getType()}, input, acc, maps, iters,
                                 [&](OpBuilder &nb, Location nl, ValueRange v) {
                                   nb.create<linalg::YieldOp>(nl, combine(nb, nl, v[1], v[0]));
                                 })
      .getResult(0);
}

/// The maps of an elementwise op over a rank-`rank` tensor that also reads a value reduced
/// along `axis` (a row's max or sum): the identity, and the identity without `axis`.
std::pair<AffineMap, AffineMap> rowMaps(OpBuilder &b, int64_t rank, int64_t axis) {
  SmallVector<AffineExpr> keep;
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      keep.push_back(b.getAffineDimExpr(i));
  return {b.getMultiDimIdentityMap(rank), AffineMap::get(rank, 0, keep, b.getContext())};
}

/// f32 softmax of `x` along `axis`: exp(x - max) / sum(exp(x - max)).
Value buildFloatSoftmax(OpBuilder &b, Location loc, Value x, int64_t axis) {
  auto type = cast<RankedTensorType>(x.getType());
  auto [id, reducedMap] = rowMaps(b, type.getRank(), axis);
  Value max = reduceDims(b, loc, x, axis, f32Const(b, loc, -std::numeric_limits<float>::infinity()),
                         [](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                           return nb.create<arith::MaximumFOp>(nl, acc, v);
                         });
  Value e = buildElementwise(
      b, loc, ValueRange{x, max}, type,
      [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        return nb.create<math::ExpOp>(nl, nb.create<arith::SubFOp>(nl, v[0], v[1]));
      },
      {id, reducedMap});
  Value sum = reduceDims(b, loc, e, axis, f32Const(b, loc, 0.f),
                         [](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                           return nb.create<arith::AddFOp>(nl, acc, v);
                         });
  return buildElementwise(
      b, loc, ValueRange{e, sum}, type,
      [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        return nb.create<arith::DivFOp>(nl, v[0], v[1]);
      },
      {id, reducedMap});
}

/// gemmlowp's FixedPoint<int32_t, I> arithmetic on raw int32 values, as TFLite Micro's
/// quantized softmax uses it. A product of two fixed-point values is
/// SaturatingRoundingDoublingHighMul (fixedHighMul: no operand pair here is the saturating
/// INT32_MIN * INT32_MIN); sums are plain wrapping int32 adds, as in gemmlowp.
struct GemmlowpBuilder {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return i32Const(b, loc, v); }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubIOp>(loc, x, y); }
  Value mul(Value x, Value y) { return fixedHighMul(b, loc, x, y); }
  Value select(Value cond, Value x, Value y) { return b.create<arith::SelectOp>(loc, cond, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) { return b.create<arith::CmpIOp>(loc, p, x, y); }
  /// RoundingDivideByPOT(x, e), 1 <= e <= 30.
  Value divPOT(Value x, int e) { return fixedDivideByPOT(b, loc, x, c(e), c((1 << e) - 1)); }
  /// SaturatingRoundingMultiplyByPOT<e> for e > 0: a left shift saturated to int32.
  Value satShl(Value x, int e) {
    int32_t threshold = (1 << (31 - e)) - 1;
    Value shifted = b.create<arith::ShLIOp>(loc, x, c(e));
    shifted = select(cmp(arith::CmpIPredicate::sgt, x, c(threshold)), c(INT32_MAX), shifted);
    return select(cmp(arith::CmpIPredicate::slt, x, c(-threshold)), c(INT32_MIN), shifted);
  }

  /// exp(a) for a in [-1/4, 0), a and the result in Q0.31
  /// (exp_on_interval_between_negative_one_quarter_and_0_excl: Taylor series around -1/8).
  Value expOnQuarter(Value a) {
    Value x = add(a, c(1 << 28));
    Value x2 = mul(x, x), x3 = mul(x2, x), x4 = mul(x2, x2);
    Value x4Over4 = divPOT(x4, 2);
    Value poly = divPOT(add(mul(add(x4Over4, x3), c(715827883)), x2), 1); // 1/3 in Q0.31
    Value expMinusEighth = c(1895147668);                                 // exp(-1/8)
    return add(expMinusEighth, mul(expMinusEighth, add(x, poly)));
  }

  /// exp(a) for a <= 0 in Q5.26 (gemmlowp exp_on_negative_values<int32_t, 5>), in Q0.31.
  Value expOnNegativeValues(Value a) {
    constexpr int kFractionalBits = 26;
    Value quarter = c(1 << 24);
    Value modQuarterMinusQuarter =
        sub(b.create<arith::AndIOp>(loc, a, c((1 << 24) - 1)), quarter);
    Value result = expOnQuarter(satShl(modQuarterMinusQuarter, 5));
    Value remainder = sub(modQuarterMinusQuarter, a);
    // exp(-2^k) for k = -2 .. 4, applied for each set bit of the remainder.
    const std::pair<int, int32_t> barrel[] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084},
                                              {1, 290630308},   {2, 39332535},    {3, 720401},
                                              {4, 242}};
    for (auto [exponent, multiplier] : barrel) {
      Value bit = b.create<arith::AndIOp>(loc, remainder, c(1 << (kFractionalBits + exponent)));
      result = select(cmp(arith::CmpIPredicate::ne, bit, c(0)), mul(result, c(multiplier)), result);
    }
    return select(cmp(arith::CmpIPredicate::eq, a, c(0)), c(INT32_MAX), result);
  }

  /// 1 / (1 + a) for a in [0, 1) in Q0.31 (one_over_one_plus_x_for_x_in_0_1:
  /// Newton-Raphson in Q2.29, three iterations).
  Value oneOverOnePlusX(Value a) {
    Type i64 = b.getI64Type();
    // RoundingHalfSum(a, 1.0): (a + INT32_MAX + sign) / 2 in int64, truncating.
    Value sum = b.create<arith::AddIOp>(loc, b.create<arith::ExtSIOp>(loc, i64, a),
                                        b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(INT32_MAX)));
    Value sign = b.create<arith::SelectOp>(
        loc,
        b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, sum,
                                b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(0))),
        b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(1)),
        b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(-1)));
    Value halfDenominator = b.create<arith::TruncIOp>(
        loc, b.getI32Type(),
        b.create<arith::DivSIOp>(loc, b.create<arith::AddIOp>(loc, sum, sign),
                                 b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(2))));
    // x = 48/17 - 32/17 * d, then x += x * (1 - d * x), all in Q2.29.
    Value x = add(c(1515870810), mul(halfDenominator, c(-1010580540)));
    for (int i = 0; i < 3; ++i) {
      Value oneMinus = sub(c(1 << 29), mul(halfDenominator, x));
      x = add(x, satShl(mul(x, oneMinus), 2));
    }
    return satShl(x, 1); // x / 2 as Q1.30, rescaled to Q0.31
  }
};

/// TFLite Micro's quantized softmax (reference_ops::Softmax for int8/uint8 input and
/// output) along `axis` of the stored 8-bit values `x`; see qcc.softmax's description.
Value buildFixedSoftmax(OpBuilder &b, Location loc, Value x, int64_t axis, const QuantParams &qx,
                        const QuantParams &qy, RankedTensorType outType) {
  auto [id, reducedMap] = rowMaps(b, outType.getRank(), axis);
  auto i32Type = RankedTensorType::get(outType.getShape(), b.getI32Type());

  constexpr int kAccumulationIntegerBits = 12;
  ::qcc::SoftmaxInputScaling scaling(static_cast<double>(qx.scales[0]));

  Value max = reduceDims(b, loc, x, axis, i32Const(b, loc, INT32_MIN),
                         [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                           return nb.create<arith::MaxSIOp>(nl, acc, widenToI32(nb, nl, v, qx));
                         });
  // exp(s_x * (x - max)) in Q0.31, 0 where x - max < diff_min.
  Value e = buildElementwise(
      b, loc, ValueRange{x, max}, i32Type,
      [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        GemmlowpBuilder g{nb, nl};
        Value diff = g.sub(widenToI32(nb, nl, v[0], qx), v[1]);
        Value scaled = g.mul(nb.create<arith::MulIOp>(nl, diff, g.c(1LL << scaling.leftShift)),
                             g.c(scaling.multiplier));
        return g.select(g.cmp(arith::CmpIPredicate::sge, diff, g.c(scaling.diffMin)),
                        g.expOnNegativeValues(scaled), g.c(0));
      },
      {id, reducedMap});
  // The sum in Q12.19.
  Value sum = reduceDims(b, loc, e, axis, i32Const(b, loc, 0),
                         [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                           GemmlowpBuilder g{nb, nl};
                           return g.add(acc, g.divPOT(v, kAccumulationIntegerBits));
                         });
  // GetReciprocal: sum = 2^(12 - clz) * (1 + f), f in [0, 1); recip = 1 / (1 + f) in Q0.31.
  auto reducedType = cast<RankedTensorType>(sum.getType());
  Value recip = buildElementwise(
      b, loc, ValueRange{sum}, reducedType, [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        GemmlowpBuilder g{nb, nl};
        Value clz = nb.create<math::CountLeadingZerosOp>(nl, v[0]);
        Value f = g.sub(nb.create<arith::ShLIOp>(nl, v[0], clz), g.c(INT32_MIN));
        return g.oneOverOnePlusX(f);
      });
  // RoundingDivideByPOT(recip * e, bits_over_unit + 31 - 8) + storage minimum, saturated. The
  // exponent (35 - clz) can exceed 31 when the sum passes 2^8 (TFLite Micro rejects that
  // case; the quotient is then 0): the division is done in int64.
  return buildElementwise(
      b, loc, ValueRange{e, sum, recip}, outType,
      [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        GemmlowpBuilder g{nb, nl};
        Type i64 = nb.getI64Type();
        auto c64 = [&](int64_t k) {
          return nb.create<arith::ConstantOp>(nl, nb.getI64IntegerAttr(k)).getResult();
        };
        Value prod = nb.create<arith::ExtSIOp>(nl, i64, g.mul(v[2], v[0]));
        Value clz = nb.create<arith::ExtUIOp>(
            nl, i64, nb.create<math::CountLeadingZerosOp>(nl, v[1]));
        Value exponent = nb.create<arith::SubIOp>(
            nl, c64(kAccumulationIntegerBits + 31 - 8), clz);
        Value mask = nb.create<arith::SubIOp>(nl, nb.create<arith::ShLIOp>(nl, c64(1), exponent),
                                              c64(1));
        Value q = fixedDivideByPOT(nb, nl, prod, exponent, mask);
        Value out = g.add(nb.create<arith::TruncIOp>(nl, nb.getI32Type(), q), g.c(qy.qmin));
        return narrowToStorage(nb, nl, out, qy);
      },
      {id, reducedMap, reducedMap});
}

/// Float softmax; integer softmax as the fake-quant graph (--requant=float) or as TFLite
/// Micro's fixed-point kernel (--requant=fixed).
struct SoftmaxLowering : ModeAwareLowering<SoftmaxOp> {
  using ModeAwareLowering::ModeAwareLowering;
  LogicalResult matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    int64_t rank = op.getType().getRank();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    if (axis < 0)
      axis += rank;
    Type element = op.getInput().getType().getElementType();
    if (!isa<quant::QuantizedType>(element)) {
      b.replaceOp(op, buildFloatSoftmax(b, loc, adaptor.getInput(), axis));
      return success();
    }
    QuantParams qx = getQuantParams(element), qy = getQuantParams(op.getType().getElementType());
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    if (fixed) {
      b.replaceOp(op, buildFixedSoftmax(b, loc, adaptor.getInput(), axis, qx, qy, outType));
      return success();
    }
    auto floatType = RankedTensorType::get(outType.getShape(), b.getF32Type());
    Value real = buildElementwise(b, loc, ValueRange{adaptor.getInput()}, floatType,
                                  [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                    return dequantizeElement(nb, nl, v[0], qx,
                                                             f32Const(nb, nl, qx.scales[0]),
                                                             i32Const(nb, nl, qx.zeroPoints[0]));
                                  });
    Value probabilities = buildFloatSoftmax(b, loc, real, axis);
    b.replaceOp(op, buildElementwise(b, loc, ValueRange{probabilities}, outType,
                                     [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                       return quantizeElement(
                                           nb, nl, v[0], qy, f32Const(nb, nl, qy.scales[0]),
                                           f32Const(nb, nl, qy.zeroPoints[0]));
                                     }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/// Sliding-window reduction over a padded NCHW input. Loops: n, c, oh, ow | kh, kw.
Value poolWindow(OpBuilder &b, Location loc, Value padded, ArrayRef<int64_t> outShape,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dilations, Value init,
                 function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Value window = emptyTensor(b, loc, kernel, init.getType());
  Value acc = filledWith(b, loc, outShape, init);
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0,
                     {d(0), d(1), d(2) * strides[0] + d(4) * dilations[0],
                      d(3) * strides[1] + d(5) * dilations[1]},
                     ctx),
      AffineMap::get(6, 0, {d(4), d(5)}, ctx), AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  using IT = utils::IteratorType;
  SmallVector<IT> iters = {IT::parallel, IT::parallel,  IT::parallel,
                           IT::parallel, IT::reduction, IT::reduction};
  return b
      .create<linalg::GenericOp>(loc, TypeRange{acc.getType()}, ValueRange{padded, window}, acc,
                                 maps, iters,
                                 [&](OpBuilder &nb, Location nl, ValueRange v) {
                                   nb.create<linalg::YieldOp>(nl, combine(nb, nl, v[2], v[0]));
                                 })
      .getResult(0);
}

/// Pads a pooling input: the declared pads, plus what ceil_mode's last window reads.
Value padForPool(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> outShape,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                 ArrayRef<int64_t> dilations, Value value) {
  auto in = cast<RankedTensorType>(input.getType()).getShape();
  SmallVector<int64_t> high = {pads[2], pads[3]};
  for (int i = 0; i < 2; ++i)
    high[i] += extraEndPad(in[2 + i], outShape[2 + i], kernel[i], strides[i], pads[i],
                           pads[2 + i], dilations[i]);
  return padSpatial(b, loc, input, pads.take_front(2), high, value);
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outShape = op.getType().getShape();
    // Padding never wins: -inf, or the smallest stored integer (the maximum of quantized
    // values with a positive scale is taken on the integers).
    Type element = op.getType().getElementType();
    std::optional<QuantParams> q;
    Value lowest;
    if (isa<quant::QuantizedType>(element)) {
      q = getQuantParams(element);
      lowest = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(b.getIntegerType(q->width), q->qmin));
    } else {
      lowest = f32Const(b, loc, -std::numeric_limits<float>::infinity());
    }
    Value padded = padForPool(b, loc, adaptor.getInput(), outShape, op.getKernelShape(),
                              op.getStrides(), op.getPads(), op.getDilations(), lowest);
    b.replaceOp(op, poolWindow(b, loc, padded, outShape, op.getKernelShape(), op.getStrides(),
                               op.getDilations(), lowest,
                               [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                                 if (!q)
                                   return nb.create<arith::MaximumFOp>(nl, acc, v);
                                 if (q->isSigned)
                                   return nb.create<arith::MaxSIOp>(nl, acc, v);
                                 return nb.create<arith::MaxUIOp>(nl, acc, v);
                               }));
    return success();
  }
};

/// Average pooling. The float form sums in f32 and divides by the window's element count.
/// The integer form (8-bit input and result):
///  - float mode, ONNX Runtime's QLinearAveragePool: each input dequantized in f32
///    (s_x * float(x - zp_x)), summed in window order, divided by the count, then
///    y = saturate(round_half_even(avg / s_y + float(zp_y)));
///  - fixed mode, TFLite's int8 AVERAGE_POOL_2D: with equal input and output parameters
///    the stored integers are summed and divided by the count rounding half away from zero;
///    otherwise the same rounded average of x - zp_x is requantized by s_x / s_y (Q31).
struct AvgPoolLowering : ModeAwareLowering<AvgPoolOp> {
  using ModeAwareLowering::ModeAwareLowering;

  LogicalResult matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto inShape = op.getInput().getType().getShape();
    auto outShape = op.getType().getShape();
    auto k = op.getKernelShape(), s = op.getStrides(), p = op.getPads();
    int64_t ones[] = {1, 1};
    // Divisor per output position, as ONNX Runtime counts it: the window clipped to the
    // padded extent (count_include_pad) or to the real input.
    int64_t oh = outShape[2], ow = outShape[3];
    SmallVector<int32_t> counts;
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t count = 1;
        for (int i = 0; i < 2; ++i) {
          int64_t o = i == 0 ? y : x;
          int64_t start = o * s[i] - p[i];
          int64_t end = std::min(start + k[i], inShape[2 + i] + p[2 + i]);
          int64_t len = end - start;
          if (!op.getCountIncludePad())
            len = std::min(end, inShape[2 + i]) - std::max<int64_t>(start, 0);
          count *= len;
        }
        counts.push_back(static_cast<int32_t>(count));
      }
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(4),
                                   AffineMap::get(4, 0, {d(2), d(3)}, ctx)};
    Value countTensor;
    auto constant = [&](Type element, auto values) {
      auto type = RankedTensorType::get({oh, ow}, element);
      return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, ArrayRef(values)));
    };

    Type element = op.getInput().getType().getElementType();
    if (!isa<quant::QuantizedType>(element)) {
      Value zero = f32Const(b, loc, 0.f);
      Value padded = padForPool(b, loc, adaptor.getInput(), outShape, k, s, p, ones, zero);
      Value sum = poolWindow(b, loc, padded, outShape, k, s, ones, zero,
                             [](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                               return nb.create<arith::AddFOp>(nl, acc, v);
                             });
      SmallVector<float> divisor(counts.begin(), counts.end());
      b.replaceOp(op, buildElementwise(
                          b, loc, ValueRange{sum, constant(b.getF32Type(), divisor)},
                          op.getType(),
                          [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                            return nb.create<arith::DivFOp>(nl, v[0], v[1]);
                          },
                          maps));
      return success();
    }

    QuantParams qx = getQuantParams(element), qy = getQuantParams(op.getType().getElementType());
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type storage = b.getIntegerType(qx.width);
    bool global = oh == 1 && ow == 1 && k[0] == inShape[2] && k[1] == inShape[3] &&
                  llvm::all_of(p, [](int64_t v) { return v == 0; });
    if (!fixed && global) {
      // ONNX Runtime runs a window covering the whole unpadded plane as
      // QLinearGlobalAveragePool: int32 sum(x) - zp_x * n, then
      // round_half_even(float(sum) * (s_x / (s_y * n))) + zp_y, saturated.
      int64_t n = k[0] * k[1];
      Value sum = poolWindow(b, loc, adaptor.getInput(), outShape, k, s, ones,
                             i32Const(b, loc, -qx.zeroPoints[0] * n),
                             [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                               return nb.create<arith::AddIOp>(nl, acc, widenToI32(nb, nl, v, qx));
                             });
      float m = ::qcc::averageRequantScale(qx.scales[0], qy.scales[0], n);
      QuantParams sumParams; // the int32 sum: zero point 0, scale s_x / n
      sumParams.scales = {qx.scales[0] / static_cast<float>(n)};
      sumParams.zeroPoints = {0};
      sumParams.width = 32;
      b.replaceOp(op, buildRequantization(b, loc, sum, sumParams, qy, ArrayRef<float>{m},
                                          std::nullopt, std::nullopt, /*fixed=*/false, outType,
                                          ChannelLayout{}));
      return success();
    }
    if (!fixed) {
      // Padding stores zp_x, whose dequantized value 0.0 leaves the f32 sum unchanged.
      Value padded = padForPool(b, loc, adaptor.getInput(), outShape, k, s, p, ones,
                                storageZeroPoint(b, loc, qx));
      Value sum = poolWindow(
          b, loc, padded, outShape, k, s, ones, f32Const(b, loc, 0.f),
          [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
            Value real = dequantizeElement(nb, nl, v, qx, f32Const(nb, nl, qx.scales[0]),
                                           i32Const(nb, nl, qx.zeroPoints[0]));
            return nb.create<arith::AddFOp>(nl, acc, real);
          });
      SmallVector<float> divisor(counts.begin(), counts.end());
      b.replaceOp(op, buildElementwise(
                          b, loc, ValueRange{sum, constant(b.getF32Type(), divisor)}, outType,
                          [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                            Value avg = nb.create<arith::DivFOp>(nl, v[0], v[1]);
                            Value y = nb.create<arith::DivFOp>(nl, avg,
                                                               f32Const(nb, nl, qy.scales[0]));
                            y = nb.create<arith::AddFOp>(
                                nl, y, f32Const(nb, nl, static_cast<float>(qy.zeroPoints[0])));
                            return saturateToStorage(nb, nl, nb.create<math::RoundEvenOp>(nl, y),
                                                     qy);
                          },
                          maps));
      return success();
    }
    // Fixed point. Equal parameters: TFLite sums the stored integers (padding adds 0).
    bool same = qx.scales[0] == qy.scales[0] && qx.zeroPoints[0] == qy.zeroPoints[0];
    int64_t padStored = same ? 0 : qx.zeroPoints[0];
    Value padded = padForPool(b, loc, adaptor.getInput(), outShape, k, s, p, ones,
                              b.create<arith::ConstantOp>(loc, b.getIntegerAttr(storage, padStored)));
    Value sum = poolWindow(b, loc, padded, outShape, k, s, ones, i32Const(b, loc, 0),
                           [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                             Value x = widenToI32(nb, nl, v, qx);
                             if (!same)
                               x = nb.create<arith::SubIOp>(nl, x,
                                                            i32Const(nb, nl, qx.zeroPoints[0]));
                             return nb.create<arith::AddIOp>(nl, acc, x);
                           });
    FixedMultiplier m(static_cast<double>(qx.scales[0]) / static_cast<double>(qy.scales[0]));
    b.replaceOp(op, buildElementwise(
                        b, loc, ValueRange{sum, constant(b.getI32Type(), counts)}, outType,
                        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                          // (acc +- n/2) / n, the division truncating toward zero.
                          Value half = nb.create<arith::DivSIOp>(nl, v[1], i32Const(nb, nl, 2));
                          Value positive = nb.create<arith::CmpIOp>(
                              nl, arith::CmpIPredicate::sgt, v[0], i32Const(nb, nl, 0));
                          Value nudged = nb.create<arith::SelectOp>(
                              nl, positive, nb.create<arith::AddIOp>(nl, v[0], half),
                              nb.create<arith::SubIOp>(nl, v[0], half));
                          Value y = nb.create<arith::DivSIOp>(nl, nudged, v[1]);
                          if (!same) {
                            y = fixedMultiply(nb, nl, y, m);
                            y = nb.create<arith::AddIOp>(nl, y,
                                                         i32Const(nb, nl, qy.zeroPoints[0]));
                          }
                          return narrowToStorage(nb, nl, y, qy);
                        },
                        maps));
    return success();
  }
};

struct GlobalAvgPoolLowering : OpConversionPattern<GlobalAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GlobalAvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto in = op.getInput().getType().getShape();
    Type element = op.getInput().getType().getElementType();
    if (isa<quant::QuantizedType>(element)) {
      // Integer form: sum(x) - zp * H * W in int32.
      QuantParams q = getQuantParams(element);
      int32_t bias = -q.zeroPoints[0] * static_cast<int32_t>(in[2] * in[3]);
      Value init = b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(bias));
      Value sum = reduceDims(b, loc, adaptor.getInput(), {2, 3}, init,
                             [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                               return nb.create<arith::AddIOp>(nl, acc, widenToI32(nb, nl, v, q));
                             });
      b.replaceOp(op, expand(b, loc, sum, op.getType().getShape(), {{0}, {1, 2, 3}}));
      return success();
    }
    Value sum = reduceDims(b, loc, adaptor.getInput(), {2, 3}, f32Const(b, loc, 0.f),
                           [](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                             return nb.create<arith::AddFOp>(nl, acc, v);
                           });
    float count = static_cast<float>(in[2] * in[3]);
    auto sumType = RankedTensorType::get({in[0], in[1]}, b.getF32Type());
    Value mean = buildElementwise(b, loc, sum, sumType,
                                  [count](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                    return nb.create<arith::DivFOp>(nl, v[0],
                                                                    f32Const(nb, nl, count));
                                  });
    b.replaceOp(op, expand(b, loc, mean, op.getType().getShape(), {{0}, {1, 2, 3}}));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value v = adaptor.getInput();
    auto inType = cast<RankedTensorType>(v.getType());
    if (inType == outType) {
      b.replaceOp(op, v);
      return success();
    }
    // Through a 1-D view: both steps are pure views once bufferized.
    auto flatType = RankedTensorType::get({inType.getNumElements()}, inType.getElementType());
    auto all = [](int64_t rank) {
      ReassociationIndices r;
      for (int64_t i = 0; i < rank; ++i)
        r.push_back(i);
      return SmallVector<ReassociationIndices>{r};
    };
    if (inType.getRank() != 1)
      v = b.create<tensor::CollapseShapeOp>(
          loc, flatType, v,
          inType.getRank() == 0 ? SmallVector<ReassociationIndices>{} : all(inType.getRank()));
    if (outType.getRank() != 1)
      v = b.create<tensor::ExpandShapeOp>(
          loc, outType, v,
          outType.getRank() == 0 ? SmallVector<ReassociationIndices>{} : all(outType.getRank()));
    b.replaceOp(op, v);
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value init = emptyTensor(b, op.getLoc(), outType.getShape(), outType.getElementType());
    b.replaceOp(op, b.create<linalg::TransposeOp>(op.getLoc(), adaptor.getInput(), init,
                                                  op.getPerm())
                        .getResult());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    int64_t axis = static_cast<int64_t>(op.getAxis()), rank = outType.getRank(), offset = 0;
    // Each operand is written into its slice of the result; bufferization then lets the
    // producers write there directly where it can.
    Value result = emptyTensor(b, loc, outType.getShape(), outType.getElementType());
    for (Value v : adaptor.getInputs()) {
      auto shape = cast<RankedTensorType>(v.getType()).getShape();
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes, strides(rank, b.getIndexAttr(1));
      offsets[axis] = b.getIndexAttr(offset);
      for (int64_t dim : shape)
        sizes.push_back(b.getIndexAttr(dim));
      result = b.create<tensor::InsertSliceOp>(loc, v, result, offsets, sizes, strides);
      offset += shape[axis];
    }
    b.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

/// Scalar parameters inside a generic body: per-tensor ones are constants, per-axis ones
/// arrive as extra inputs indexed by the quantized dimension.
struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    QuantParams q = getQuantParams(op.getType().getElementType());
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    ParamOperands params(b, adaptor.getInput());
    if (q.axis >= 0) {
      auto layout = ChannelLayout::ofAxis(b.getContext(), outType.getRank(), q.axis,
                                          static_cast<int64_t>(q.scales.size()));
      SmallVector<float> zps(q.zeroPoints.begin(), q.zeroPoints.end());
      params.add(b, loc, layout, b.getF32Type(), ArrayRef<float>(q.scales));
      params.add(b, loc, layout, b.getF32Type(), ArrayRef<float>(zps));
    }
    b.replaceOp(op, buildElementwise(
                        b, loc, params.inputs, outType,
                        [&](OpBuilder &nb, Location nl, ValueRange v) {
                          Value scale = q.axis >= 0 ? v[1] : f32Const(nb, nl, q.scales[0]);
                          Value zp = q.axis >= 0 ? v[2] : f32Const(nb, nl, q.zeroPoints[0]);
                          return quantizeElement(nb, nl, v[0], q, scale, zp);
                        },
                        params.maps));
    return success();
  }
};

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    QuantParams q = getQuantParams(op.getInput().getType().getElementType());
    auto outType = op.getType();
    ParamOperands params(b, adaptor.getInput());
    if (q.axis >= 0) {
      auto layout = ChannelLayout::ofAxis(b.getContext(), outType.getRank(), q.axis,
                                          static_cast<int64_t>(q.scales.size()));
      params.add(b, loc, layout, b.getF32Type(), ArrayRef<float>(q.scales));
      params.add(b, loc, layout, b.getI32Type(), ArrayRef<int32_t>(q.zeroPoints));
    }
    b.replaceOp(op, buildElementwise(
                        b, loc, params.inputs, outType,
                        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                          Value scale = q.axis >= 0 ? v[1] : f32Const(nb, nl, q.scales[0]);
                          Value zp = q.axis >= 0 ? v[2] : i32Const(nb, nl, q.zeroPoints[0]);
                          return dequantizeElement(nb, nl, v[0], q, scale, zp);
                        },
                        params.maps));
    return success();
  }
};

struct RequantizeLowering : ModeAwareLowering<RequantizeOp> {
  using ModeAwareLowering::ModeAwareLowering;

  LogicalResult matchAndRewrite(RequantizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    QuantParams in = getQuantParams(op.getInput().getType().getElementType());
    QuantParams out = getQuantParams(op.getType().getElementType());
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    ChannelLayout channels;
    if (in.axis >= 0)
      channels = ChannelLayout::ofAxis(b.getContext(), outType.getRank(), in.axis,
                                       static_cast<int64_t>(in.scales.size()));
    b.replaceOp(op, buildRequantization(b, op.getLoc(), adaptor.getInput(), in, out,
                                        op.getMultiplier(), op.getClampMin(), op.getClampMax(),
                                        fixed, outType, channels));
    return success();
  }
};

/// quant.scast only reinterprets storage: after type conversion it is the identity.
struct StorageCastLowering : OpConversionPattern<quant::StorageCastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(quant::StorageCastOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    b.replaceOp(op, adaptor.getArg());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct QccTypeConverter : TypeConverter {
  QccTypeConverter() {
    addConversion([](Type t) { return t; });
    addConversion([](quant::QuantizedType t) -> Type {
      return IntegerType::get(t.getContext(), t.getStorageTypeIntegralWidth());
    });
    addConversion([this](RankedTensorType t) -> Type {
      return RankedTensorType::get(t.getShape(), convertType(t.getElementType()));
    });
  }
};

/// An integer fully connected layer (qcc.gemm, A not transposed, constant B) is a 1x1
/// convolution of an M x K x 1 x 1 input with N filters: rewriting it as one gives it the
/// convolution's packed-word kernels (VPDPBUSD / VPDPWSSD / SDOT, weights packed at compile
/// time, filters on the vector lanes) and its fused epilogue. Same arithmetic, same result.
struct IntegerGemmAsConv : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op, PatternRewriter &b) const override {
    auto bType = op.getB().getType();
    if (!isa<quant::QuantizedType>(op.getA().getType().getElementType()) || op.getTransA())
      return failure();
    DenseElementsAttr w = constantBehind(op.getB());
    if (!w)
      return failure();
    auto c = cast_or_null<TypedValue<RankedTensorType>>(op.getC());
    int64_t m = op.getType().getShape()[0], n = op.getType().getShape()[1];
    int64_t k = op.getA().getType().getShape()[1];
    if (c) {
      auto cShape = c.getType().getShape();
      if (!(cShape.size() == 1 && cShape[0] == n) &&
          !(cShape.size() == 2 && cShape[0] == 1 && cShape[1] == n))
        return failure(); // a bias per row and column is no convolution bias
    }
    Location loc = op.getLoc();
    // The weights as N x K x 1 x 1 (transposed at compile time when B is K x N).
    Type storage = w.getElementType();
    auto filterType = RankedTensorType::get({n, k, 1, 1}, storage);
    DenseElementsAttr filters;
    if (op.getTransB()) {
      filters = w.reshape(filterType);
    } else {
      SmallVector<APInt> values(w.getValues<APInt>());
      SmallVector<APInt> transposed;
      transposed.reserve(values.size());
      for (int64_t f = 0; f < n; ++f)
        for (int64_t i = 0; i < k; ++i)
          transposed.push_back(values[i * n + f]);
      filters = DenseElementsAttr::get(filterType, transposed);
    }
    Type wElement = bType.getElementType();
    if (auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(wElement))
      wElement = quant::UniformQuantizedPerAxisType::get(
          axis.getFlags(), axis.getStorageType(), axis.getExpressedType(), axis.getScales(),
          axis.getZeroPoints(), /*quantizedDimension=*/0, axis.getStorageTypeMin(),
          axis.getStorageTypeMax());
    Value wConst = b.create<arith::ConstantOp>(loc, filters);
    Value weight = b.create<quant::StorageCastOp>(
        loc, RankedTensorType::get({n, k, 1, 1}, wElement), wConst);
    Value input = b.create<ReshapeOp>(
        loc, RankedTensorType::get({m, k, 1, 1}, op.getA().getType().getElementType()), op.getA());
    Value bias;
    if (c)
      bias = c.getType().getRank() == 1
                 ? c
                 : b.create<ReshapeOp>(
                       loc, RankedTensorType::get({n}, c.getType().getElementType()), c)
                       .getResult();
    auto convType = RankedTensorType::get({m, n, 1, 1}, op.getType().getElementType());
    auto conv = b.create<Conv2DOp>(loc, convType, input, weight, bias,
                                   b.getDenseI64ArrayAttr({1, 1}),
                                   b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                                   b.getDenseI64ArrayAttr({1, 1}), b.getI64IntegerAttr(1),
                                   op.getAccumulatorAttr(), op.getMultiplierAttr(),
                                   op.getClampMinAttr(), op.getClampMaxAttr());
    b.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), conv.getResult());
    return success();
  }
};

struct ConvertQccToLinalgPass
    : mlir::qcc::impl::ConvertQccToLinalgBase<ConvertQccToLinalgPass> {
  using ConvertQccToLinalgBase::ConvertQccToLinalgBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    QccTypeConverter converter;
    ConversionTarget target(*ctx);
    target.addIllegalDialect<QccDialect, quant::QuantizationDialect>();
    target.addLegalOp<ModuleOp>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect,
                           math::MathDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return converter.isSignatureLegal(f.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp r) { return converter.isLegal(r.getOperandTypes()); });
    target.addDynamicallyLegalOp<arith::ConstantOp>(
        [&](arith::ConstantOp c) { return converter.isLegal(c.getType()); });

    {
      RewritePatternSet prepare(ctx);
      prepare.add<IntegerGemmAsConv>(ctx);
      if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(prepare))))
        return signalPassFailure();
    }
    RewritePatternSet patterns(ctx);
    if (requantMode != "float" && requantMode != "fixed") {
      getOperation().emitError("convert-qcc-to-linalg: requant-mode must be 'float' or 'fixed', not '")
          << requantMode << "'";
      return signalPassFailure();
    }
    bool fixed = requantMode == "fixed";
    int64_t blockLanes = int64_t(vectorBits / 32) * int64_t(std::max(vectorRegisters / 2, 1u));
    patterns.add<Conv2DLowering>(converter, ctx, fixed, int64_t(vectorBits / 32), blockLanes,
                                 pairProducts, quadProducts, quadUnsignedInput,
                                 depthwiseRowBlocks, int64_t(blockedLanes));
    patterns.add<MatMulLowering, QuantizedMulLowering, AvgPoolLowering, RequantizeLowering,
                 SoftmaxLowering>(converter, ctx, fixed);
    patterns.add<QuantizedAddLowering>(converter, ctx, fixed, hardwareFma);
    patterns.add<GemmLowering>(converter, ctx, fixed, std::max<int64_t>(blockLanes / 4, 8));
    patterns.add<UnaryFloatLowering<SigmoidOp>, UnaryFloatLowering<TanhOp>,
                 UnaryFloatLowering<HardSwishOp>, TableLowering>(converter, ctx);
    patterns.add<BinaryLowering<AddOp, arith::AddFOp>,
                 BinaryLowering<SubOp, arith::SubFOp>, BinaryLowering<MulOp, arith::MulFOp>,
                 BinaryLowering<DivOp, arith::DivFOp>, ReluLowering, ClampLowering,
                 BatchNormLowering, MaxPoolLowering,
                 GlobalAvgPoolLowering, ReshapeLowering, TransposeLowering, ConcatLowering,
                 QuantizeLowering, DequantizeLowering, StorageCastLowering>(
        converter, ctx);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    if (failed(applyFullConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
