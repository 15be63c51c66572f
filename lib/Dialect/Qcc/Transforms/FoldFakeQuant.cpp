//===- FoldFakeQuant.cpp - DQ -> op -> Q groups to integer ops ------------===//
//
// Every pattern is rooted at a qcc.quantize and matches backwards through an optional
// ReLU/Clip to the float op and the qcc.dequantize ops that feed it. The float ops that die
// are erased by the greedy driver; dequantize ops with other float users stay.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"
#include "FoldFakeQuantUtils.h"
#include "qcc/Dialect/Qcc/Utils/QuantParams.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <type_traits>
#include <limits>
#include <optional>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCFOLDFAKEQUANT
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::fold_fake_quant;

namespace mlir::qcc::fold_fake_quant {

RankedTensorType withElement(Value v, Type element) {
  return RankedTensorType::get(cast<RankedTensorType>(v.getType()).getShape(), element);
}

/// The quantized value a float value was dequantized from, if it was.
Value dequantizedSource(Value floatValue) {
  if (auto dq = floatValue.getDefiningOp<DequantizeOp>())
    return dq.getInput();
  return {};
}

/// An 8-bit per-tensor quantized type, or null.
quant::UniformQuantizedType activation8(Type t) {
  auto u = dyn_cast_or_null<quant::UniformQuantizedType>(t);
  return u && u.getStorageTypeIntegralWidth() == 8 ? u : nullptr;
}

/// True if an int32 accumulator of `x` (16-bit) times the constant weight `w` plus a bias
/// cannot overflow: per output channel, sum |w - zp_w| * 32768 + 2^30 < 2^31 (the bias
/// itself is kept below 2^30 by qcc-quantize's scales, and is checked again later).
bool fitsInt32Accumulator(Value w, int64_t axis) {
  auto scast = w.getDefiningOp<quant::StorageCastOp>();
  DenseElementsAttr attr;
  if (!scast || !matchPattern(scast.getArg(), m_Constant(&attr)))
    return false;
  QuantParams q = getQuantParams(getElementTypeOrSelf(w));
  ArrayRef<int64_t> shape = attr.getType().getShape();
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  SmallVector<int64_t> sums(shape[axis], 0);
  int64_t i = 0;
  for (APInt v : attr.getValues<APInt>()) {
    int64_t c = (i / inner) % shape[axis];
    int64_t zp = q.zeroPoints[q.zeroPoints.size() == 1 ? 0 : c];
    int64_t value = q.isSigned ? v.getSExtValue() : static_cast<int64_t>(v.getZExtValue());
    sums[c] += std::abs(value - zp);
    ++i;
  }
  for (int64_t s : sums)
    if (s * 32768 + (int64_t(1) << 30) >= (int64_t(1) << 31))
      return false;
  return true;
}

/// Converts a quantized value to `type`: itself, or a requantize.
Value convertTo(PatternRewriter &rewriter, Location loc, Value v, Type elementType) {
  if (getElementTypeOrSelf(v) == elementType)
    return v;
  return rewriter.create<RequantizeOp>(loc, withElement(v, elementType), v, DenseF32ArrayAttr(),
                                       IntegerAttr(), IntegerAttr());
}

} // namespace mlir::qcc::fold_fake_quant

namespace {

using quant::QuantizedType;
using quant::UniformQuantizedPerAxisType;
using quant::UniformQuantizedType;



/// True if `v` is a compile-time constant (a quant.scast of an arith.constant).
bool isConstantWeight(Value v) {
  if (auto cast = v.getDefiningOp<quant::StorageCastOp>())
    return cast.getArg().getDefiningOp<arith::ConstantOp>() != nullptr;
  return false;
}

/// Per-channel (or single) f32 scales of a quantized type.
SmallVector<float> scalesOf(QuantizedType t) { return getQuantParams(t).scales; }

/// An 8-bit weight usable by the integer kernels: per tensor, or per axis `axis` with one
/// zero point, and constant.
bool isFoldableWeight(Value w, int64_t axis) {
  auto qt = dyn_cast<QuantizedType>(getElementTypeOrSelf(w));
  if (!qt || qt.getStorageTypeIntegralWidth() != 8 || !isConstantWeight(w))
    return false;
  if (auto pa = dyn_cast<UniformQuantizedPerAxisType>(qt))
    return pa.getQuantizedDimension() == axis &&
           llvm::all_of(pa.getZeroPoints(), [&](int64_t z) { return z == pa.getZeroPoints()[0]; });
  return true;
}

/// A bias dequantized from int32 whose scale matches the accumulator's (ONNX Runtime's
/// quantizer writes bias = round(b / (s_x * s_w[c]))). Returns the quantized value.
Value foldableBias(Value floatBias, Type accType) {
  if (!floatBias)
    return {};
  Value q = dequantizedSource(floatBias);
  if (!q)
    return {};
  auto qt = dyn_cast<QuantizedType>(getElementTypeOrSelf(q));
  if (!qt || qt.getStorageTypeIntegralWidth() != 32)
    return {};
  SmallVector<float> bias = scalesOf(qt), acc = scalesOf(cast<QuantizedType>(accType));
  if (bias.size() != acc.size() && bias.size() != 1)
    return {};
  for (size_t i = 0; i < acc.size(); ++i) {
    float b = bias[bias.size() == 1 ? 0 : i];
    if (std::fabs(b - acc[i]) > 1e-6f * acc[i])
      return {};
  }
  return q;
}

/// A ReLU or Clip between the op and the quantize, absorbed as a clamp range.
struct Activation {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

/// Walks from the quantize's input through at most one ReLU/Clip with a single use.
Value skipActivation(Value v, Activation &act) {
  Operation *def = v.getDefiningOp();
  if (!def || !v.hasOneUse())
    return v;
  if (auto relu = dyn_cast<ReluOp>(def)) {
    act.lo = 0.f;
    return relu.getInput();
  }
  if (auto clamp = dyn_cast<ClampOp>(def)) {
    act.lo = clamp.getMin().convertToFloat();
    act.hi = clamp.getMax().convertToFloat();
    return clamp.getInput();
  }
  return v;
}

/// The requantize attributes that absorb `act` for an output type `out`; unset where the
/// activation clamps nothing.
void clampBounds(const Activation &act, UniformQuantizedType out, IntegerAttr &lo,
                 IntegerAttr &hi, Builder &b) {
  auto scale = static_cast<float>(out.getScale());
  int64_t zp = out.getZeroPoint(), qmin = out.getStorageTypeMin(), qmax = out.getStorageTypeMax();
  if (std::isfinite(act.lo)) {
    int64_t q = ::mlir::qcc::quantizeValue(act.lo, scale, zp, qmin, qmax);
    if (q > qmin)
      lo = b.getI64IntegerAttr(q);
  }
  if (std::isfinite(act.hi)) {
    int64_t q = ::mlir::qcc::quantizeValue(act.hi, scale, zp, qmin, qmax);
    if (q < qmax)
      hi = b.getI64IntegerAttr(q);
  }
}

/// requantize(acc) -> out with the given multipliers and the activation's clamp.
Value buildRequantize(PatternRewriter &rewriter, Location loc, Value acc,
                      RankedTensorType outType, ArrayRef<float> multipliers,
                      const Activation &act) {
  IntegerAttr lo, hi;
  clampBounds(act, cast<UniformQuantizedType>(outType.getElementType()), lo, hi, rewriter);
  DenseF32ArrayAttr mult = multipliers.empty() ? DenseF32ArrayAttr()
                                               : rewriter.getDenseF32ArrayAttr(multipliers);
  return rewriter.create<RequantizeOp>(loc, outType, acc, mult, lo, hi);
}

/// Replaces `q` by `result` (an integer op already producing q's type), clamped by a
/// requantize with multiplier 1 when the absorbed ReLU/Clip is not redundant.
void replaceWithClamped(PatternRewriter &rewriter, QuantizeOp q, Value result,
                        const Activation &act, UniformQuantizedType out) {
  IntegerAttr lo, hi;
  clampBounds(act, out, lo, hi, rewriter);
  if (lo || hi)
    result = rewriter.create<RequantizeOp>(q.getLoc(), q.getType(), result,
                                           rewriter.getDenseF32ArrayAttr({1.f}), lo, hi);
  rewriter.replaceOp(q, result);
}

/// The common shape of the conv / gemm / matmul folds.
struct ProductFold {
  Value x, w, bias;
  Type accType;
  SmallVector<float> multipliers;
};

/// Checks x and w and computes the accumulator type, the int32 bias and the per-channel
/// multipliers. Without a per-channel affine after the op and with an int32 bias from
/// ONNX Runtime's quantizer this is exactly ONNX Runtime's arithmetic: multipliers
/// (s_x * s_w[c]) / s_y and the bias as given. A float bias, or an affine y = a[c] v + b[c]
/// (PyTorch QAT's Div and BatchNormalization), is folded at compile time: multipliers
/// (s_x * s_w[c] * a[c]) / s_y and bias round((bias[c] * a[c] + b[c]) / (s_acc[c] * a[c])).
std::optional<ProductFold> matchProduct(PatternRewriter &rewriter, Location loc, Value floatX,
                                        Value floatW, Value floatBias, int64_t weightAxis,
                                        int64_t accAxis, int64_t channels,
                                        UniformQuantizedType out, const Affine &affine,
                                        bool isConv = false) {
  ProductFold f;
  f.x = dequantizedSource(floatX);
  f.w = dequantizedSource(floatW);
  if (!f.x || !f.w)
    return std::nullopt;
  auto xt = productActivationType(getElementTypeOrSelf(f.x));
  if (!xt || !isFoldableWeight(f.w, weightAxis))
    return std::nullopt;
  // 16-bit activations (int16x8): int32 accumulation only where it provably cannot overflow.
  if (xt.getStorageTypeIntegralWidth() == 16 && !fitsInt32Accumulator(f.w, weightAxis))
    return std::nullopt;
  auto wt = cast<QuantizedType>(getElementTypeOrSelf(f.w));
  // A convolution of int8 activations keeps s_x * s_w exact: TFLite's int8 CONV_2D and
  // DEPTHWISE_CONV_2D derive their fixed-point multipliers from it (f32 readers see the
  // same f32 product either way).
  f.accType = getAccumulatorType(xt, wt, accAxis,
                                 /*exactProduct=*/isConv && xt.isSigned() && affine.isIdentity());
  auto sx = static_cast<float>(xt.getScale()), sy = static_cast<float>(out.getScale());
  SmallVector<float> sw = scalesOf(wt);
  auto swAt = [&](int64_t c) { return sw[sw.size() == 1 ? 0 : c]; };

  if (affine.isIdentity()) {
    if (floatBias)
      f.bias = foldableBias(floatBias, f.accType);
    for (float s : sw)
      f.multipliers.push_back(::mlir::qcc::convRequantScale(sx, s, sy));
    if (f.bias || !floatBias)
      return f;
  } else {
    f.multipliers.clear();
    for (int64_t c = 0; c < channels; ++c) {
      if (!(affine.a[c] > 0))
        return std::nullopt; // a negative scale would flip the order of values
      float product = sx * swAt(c);
      f.multipliers.push_back(static_cast<float>(product * affine.a[c]) / sy);
    }
  }
  // Fold the bias (and the affine's offset) into int32 at compile time.
  SmallVector<double> bias = realBias(floatBias, channels);
  if (bias.empty())
    return std::nullopt;
  SmallVector<int32_t> ints;
  for (int64_t c = 0; c < channels; ++c) {
    double a = affine.isIdentity() ? 1.0 : affine.a[c];
    double b = affine.isIdentity() ? 0.0 : affine.b[c];
    double acc = static_cast<double>(sx * swAt(c));
    double v = std::nearbyint((bias[c] * a + b) / (acc * a));
    if (std::fabs(v) > 2147483647.0)
      return std::nullopt;
    ints.push_back(static_cast<int32_t>(v));
  }
  if (affine.isIdentity() && sw.size() == 1 && channels > 1) {
    // keep per-tensor accumulator; the bias is still per channel
  }
  // The accumulator becomes per channel when the affine makes the multipliers differ.
  if (!affine.isIdentity() && isa<UniformQuantizedType>(f.accType)) {
    SmallVector<double> scales(channels, static_cast<double>(sx * sw[0]));
    SmallVector<int64_t> zps(channels, 0);
    f.accType = UniformQuantizedPerAxisType::get(
        quant::QuantizationFlags::Signed, rewriter.getI32Type(), rewriter.getF32Type(), scales,
        zps, static_cast<int32_t>(accAxis), std::numeric_limits<int32_t>::min(),
        std::numeric_limits<int32_t>::max());
  }
  auto biasStorage = RankedTensorType::get({channels}, rewriter.getI32Type());
  Value raw = rewriter.create<arith::ConstantOp>(loc, DenseElementsAttr::get(biasStorage, ArrayRef(ints)));
  Type biasElement = f.accType;
  if (auto pa = dyn_cast<UniformQuantizedPerAxisType>(f.accType))
    biasElement = UniformQuantizedPerAxisType::get(
        pa.getFlags(), pa.getStorageType(), pa.getExpressedType(), pa.getScales(),
        pa.getZeroPoints(), 0, pa.getStorageTypeMin(), pa.getStorageTypeMax());
  f.bias = rewriter.create<quant::StorageCastOp>(
      loc, RankedTensorType::get({channels}, biasElement), raw);
  return f;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// quantize(act?(conv2d(dq(x), dq(w), dq(b)?))) -> requantize(conv2d(x, w, b)).
struct FoldConv : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = productActivationType(q.getType().getElementType());
    Activation act;
    Affine affine;
    Value v = skipActivation(q.getInput(), act);
    auto shape = cast<RankedTensorType>(v.getType()).getShape();
    if (shape.size() != 4)
      return failure();
    auto conv = skipAffine(v, shape[1], affine).getDefiningOp<Conv2DOp>();
    if (!out || !conv || !conv->hasOneUse() || !conv.getType().getElementType().isF32())
      return failure();
    auto f = matchProduct(rewriter, conv.getLoc(), conv.getInput(), conv.getWeight(),
                          conv.getBias(), 0, 1, shape[1], out, affine, /*isConv=*/true);
    if (!f)
      return rewriter.notifyMatchFailure(q, "conv operands are not foldable");
    Value acc = rewriter.create<Conv2DOp>(
        conv.getLoc(), withElement(conv.getResult(), f->accType), f->x, f->w, f->bias,
        conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.replaceOp(q, buildRequantize(rewriter, q.getLoc(), acc, q.getType(),
                                          f->multipliers, act));
    return success();
  }
};

/// The common front of the folds of quantize(act?(OpT(dq(...)))): the quantize has an
/// 8-bit output type, an optional ReLU/Clip sits between, and the OpT computes in f32 for
/// this quantize only. `Derived` builds the integer form:
///   LogicalResult fold(QuantizeOp q, OpT op, UniformQuantizedType out,
///                      const Activation &act, PatternRewriter &rewriter) const;
template <typename OpT, typename Derived>
struct FoldQuantizedResult : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern<QuantizeOp>::OpRewritePattern;
  /// A product (gemm, matmul): 16-bit symmetric outputs too (int16x8).
  static constexpr bool kProduct = false;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = Derived::kProduct ? productActivationType(q.getType().getElementType())
                                 : activation8(q.getType().getElementType());
    Activation act;
    auto op = skipActivation(q.getInput(), act).template getDefiningOp<OpT>();
    if (!out || !op || !op->hasOneUse() || !op.getType().getElementType().isF32())
      return failure();
    return static_cast<const Derived *>(this)->fold(q, op, out, act, rewriter);
  }
};

/// quantize(act?(gemm(dq(a), dq(b), dq(c)?))) with alpha = beta = 1.
struct FoldGemm : FoldQuantizedResult<GemmOp, FoldGemm> {
  using FoldQuantizedResult::FoldQuantizedResult;
  static constexpr bool kProduct = true;
  LogicalResult fold(QuantizeOp q, GemmOp gemm, UniformQuantizedType out, const Activation &act,
                     PatternRewriter &rewriter) const {
    if (gemm.getAlpha().convertToFloat() != 1.f || gemm.getBeta().convertToFloat() != 1.f ||
        gemm.getTransA())
      return failure();
    auto f = matchProduct(rewriter, gemm.getLoc(), gemm.getA(), gemm.getB(), gemm.getC(),
                          gemm.getTransB() ? 0 : 1, 1, gemm.getType().getShape()[1], out,
                          Affine());
    if (!f)
      return rewriter.notifyMatchFailure(q, "gemm operands are not foldable");
    Value acc = rewriter.create<GemmOp>(gemm.getLoc(), withElement(gemm.getResult(), f->accType),
                                        f->x, f->w, f->bias, gemm.getTransAAttr(),
                                        gemm.getTransBAttr(), gemm.getAlphaAttr(),
                                        gemm.getBetaAttr());
    rewriter.replaceOp(q, buildRequantize(rewriter, q.getLoc(), acc, q.getType(),
                                          f->multipliers, act));
    return success();
  }
};

/// quantize(act?(matmul(dq(a), dq(b)))).
struct FoldMatMul : FoldQuantizedResult<MatMulOp, FoldMatMul> {
  using FoldQuantizedResult::FoldQuantizedResult;
  static constexpr bool kProduct = true;
  LogicalResult fold(QuantizeOp q, MatMulOp mm, UniformQuantizedType out, const Activation &act,
                     PatternRewriter &rewriter) const {
    int64_t rhsRank = mm.getRhs().getType().getRank();
    auto f = matchProduct(rewriter, mm.getLoc(), mm.getLhs(), mm.getRhs(), Value(), rhsRank - 1,
                          mm.getType().getRank() - 1, mm.getType().getShape().back(), out,
                          Affine());
    if (!f)
      return rewriter.notifyMatchFailure(q, "matmul operands are not foldable");
    Value acc = rewriter.create<MatMulOp>(mm.getLoc(), withElement(mm.getResult(), f->accType),
                                          f->x, f->w);
    rewriter.replaceOp(q, buildRequantize(rewriter, q.getLoc(), acc, q.getType(),
                                          f->multipliers, act));
    return success();
  }
};

/// quantize(act?(add(matmul(dq(a), dq(b)), bias))) with 2-D a and b and a constant bias of
/// one value per column (an int32 DequantizeLinear, or f32): the fully-connected layer as
/// tf2onnx writes TFLite's FULLY_CONNECTED. It becomes the integer gemm with that bias, so
/// the layer is one integer kernel instead of an int32 product and a float Add.
struct FoldMatMulBias : FoldQuantizedResult<AddOp, FoldMatMulBias> {
  using FoldQuantizedResult::FoldQuantizedResult;
  static constexpr bool kProduct = true;
  LogicalResult fold(QuantizeOp q, AddOp add, UniformQuantizedType out, const Activation &act,
                     PatternRewriter &rewriter) const {
    for (int k = 0; k < 2; ++k) {
      auto mm = add->getOperand(k).getDefiningOp<MatMulOp>();
      Value bias = add->getOperand(1 - k);
      if (!mm || !mm->hasOneUse() || mm.getLhs().getType().getRank() != 2 ||
          mm.getRhs().getType().getRank() != 2 || mm.getType() != add.getType())
        continue;
      int64_t n = mm.getType().getShape()[1];
      auto bt = cast<RankedTensorType>(bias.getType());
      if (bt.getNumElements() != n || (bt.getRank() == 2 && bt.getShape()[0] != 1) ||
          bt.getRank() > 2)
        continue;
      auto f = matchProduct(rewriter, mm.getLoc(), mm.getLhs(), mm.getRhs(), bias, 1, 1, n, out,
                            Affine());
      if (!f || !f->bias)
        continue;
      Value acc = rewriter.create<GemmOp>(
          mm.getLoc(), withElement(mm.getResult(), f->accType), f->x, f->w, f->bias,
          rewriter.getBoolAttr(false), rewriter.getBoolAttr(false), rewriter.getF32FloatAttr(1.f),
          rewriter.getF32FloatAttr(1.f));
      rewriter.replaceOp(q, buildRequantize(rewriter, q.getLoc(), acc, q.getType(),
                                            f->multipliers, act));
      return success();
    }
    return failure();
  }
};

/// quantize(act?(global_avg_pool(dq(x)))) -> requantize(global_avg_pool(x)), multiplier
/// s_x / (s_y * H * W).
struct FoldGlobalAvgPool : FoldQuantizedResult<GlobalAvgPoolOp, FoldGlobalAvgPool> {
  using FoldQuantizedResult::FoldQuantizedResult;
  LogicalResult fold(QuantizeOp q, GlobalAvgPoolOp gap, UniformQuantizedType out,
                     const Activation &act, PatternRewriter &rewriter) const {
    Value x = dequantizedSource(gap.getInput());
    auto xt = x ? activation8(getElementTypeOrSelf(x)) : nullptr;
    if (!xt)
      return failure();
    auto shape = gap.getInput().getType().getShape();
    int64_t count = shape[2] * shape[3];
    auto sx = static_cast<float>(xt.getScale());
    Type i32 = rewriter.getI32Type();
    auto accType = UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, i32, rewriter.getF32Type(),
        static_cast<double>(sx) / static_cast<double>(count), 0,
        std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    Value acc = rewriter.create<GlobalAvgPoolOp>(gap.getLoc(),
                                                 withElement(gap.getResult(), accType), x);
    float m = ::mlir::qcc::averageRequantScale(sx, static_cast<float>(out.getScale()), count);
    rewriter.replaceOp(q, buildRequantize(rewriter, q.getLoc(), acc, q.getType(), m, act));
    return success();
  }
};

/// quantize(act?(add|mul(dq(a), dq(b)))) -> add|mul(a, b) on 8-bit operands: the
/// integer forms of qcc.add and qcc.mul requantize internally.
template <typename OpT>
struct FoldBinary : FoldQuantizedResult<OpT, FoldBinary<OpT>> {
  using FoldQuantizedResult<OpT, FoldBinary<OpT>>::FoldQuantizedResult;
  LogicalResult fold(QuantizeOp q, OpT op, UniformQuantizedType out, const Activation &act,
                     PatternRewriter &rewriter) const {
    Value a = dequantizedSource(op.getLhs()), b = dequantizedSource(op.getRhs());
    if (!a || !b || !activation8(getElementTypeOrSelf(a)) || !activation8(getElementTypeOrSelf(b)))
      return failure();
    replaceWithClamped(rewriter, q, rewriter.create<OpT>(op.getLoc(), q.getType(), a, b), act,
                       out);
    return success();
  }
};
using FoldAdd = FoldBinary<AddOp>;
using FoldMul = FoldBinary<MulOp>;

/// quantize(act?(avg_pool(dq(x)))) -> avg_pool(x) on 8-bit values; the integer form
/// requantizes internally.
struct FoldAvgPool : FoldQuantizedResult<AvgPoolOp, FoldAvgPool> {
  using FoldQuantizedResult::FoldQuantizedResult;
  LogicalResult fold(QuantizeOp q, AvgPoolOp pool, UniformQuantizedType out,
                     const Activation &act, PatternRewriter &rewriter) const {
    Value x = dequantizedSource(pool.getInput());
    if (!x || !activation8(getElementTypeOrSelf(x)))
      return failure();
    Value result = rewriter.create<AvgPoolOp>(
        pool.getLoc(), q.getType(), x, pool.getKernelShapeAttr(), pool.getStridesAttr(),
        pool.getPadsAttr(), pool.getCeilModeAttr(), pool.getCountIncludePadAttr());
    replaceWithClamped(rewriter, q, result, act, out);
    return success();
  }
};


/// quantize(act?(dequantize(x))): x itself, or one requantize (with the activation's clamp).
struct FoldQuantizeOfDequantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Activation act;
    Value x = dequantizedSource(skipActivation(q.getInput(), act));
    if (!out || !x || !isa<UniformQuantizedType>(getElementTypeOrSelf(x)))
      return failure();
    IntegerAttr lo, hi;
    clampBounds(act, out, lo, hi, rewriter);
    if (!lo && !hi) {
      rewriter.replaceOp(q, convertTo(rewriter, q.getLoc(), x, out));
      return success();
    }
    rewriter.replaceOpWithNewOp<RequantizeOp>(q, q.getType(), x, DenseF32ArrayAttr(), lo, hi);
    return success();
  }
};

/// quantize(constant) -> the quantized constant, computed at compile time (weights that a
/// QAT export stores in float and quantizes in the graph).
struct FoldQuantizeOfConstant : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    DenseElementsAttr attr;
    if (!matchPattern(q.getInput(), m_Constant(&attr)))
      return failure();
    auto qt = cast<QuantizedType>(q.getType().getElementType());
    SmallVector<float> scales = scalesOf(qt);
    SmallVector<int64_t> zps;
    int64_t axis = -1;
    if (auto u = dyn_cast<UniformQuantizedType>(qt)) {
      zps.push_back(u.getZeroPoint());
    } else {
      auto pa = cast<UniformQuantizedPerAxisType>(qt);
      zps.assign(pa.getZeroPoints().begin(), pa.getZeroPoints().end());
      axis = pa.getQuantizedDimension();
    }
    auto shape = q.getType().getShape();
    int64_t inner = 1;
    for (int64_t d = axis + 1; axis >= 0 && d < (int64_t)shape.size(); ++d)
      inner *= shape[d];
    unsigned width = qt.getStorageTypeIntegralWidth();
    SmallVector<APInt> values;
    int64_t i = 0;
    for (float x : attr.getValues<float>()) {
      int64_t c = axis >= 0 ? (i / inner) % shape[axis] : 0;
      int64_t v = ::mlir::qcc::quantizeValue(x, scales[c], zps[c], qt.getStorageTypeMin(),
                                       qt.getStorageTypeMax());
      values.push_back(APInt(64, static_cast<uint64_t>(v), true).trunc(width));
      ++i;
    }
    auto storage = RankedTensorType::get(shape, rewriter.getIntegerType(width));
    Value raw = rewriter.create<arith::ConstantOp>(q.getLoc(), DenseElementsAttr::get(storage, values));
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(q, q.getType(), raw);
    return success();
  }
};

/// reshape/transpose/slice/zero pad(dequantize(x)) -> dequantize(the same op on x): data
/// movement runs on the stored integers, so the dequantize can reach a later integer op
/// (the zero-spread input of a decomposed qcc.conv_transpose, a Pad before a Conv).
template <typename MoveOp>
struct SinkDequantize : OpRewritePattern<MoveOp> {
  using OpRewritePattern<MoveOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(MoveOp op, PatternRewriter &rewriter) const override {
    Value x = dequantizedSource(op->getOperand(0));
    if (!x || !isa<UniformQuantizedType>(getElementTypeOrSelf(x)))
      return failure();
    if constexpr (std::is_same_v<MoveOp, PadOp>) {
      // Zeros are the zero point's value: dq(pad(x, zp)) = pad(dq(x), 0). A pad whose one
      // user is a quantize is left to FoldPad, which pads in the output's parameters.
      if (!op.getValue().isZero() ||
          (op->hasOneUse() && isa<QuantizeOp>(*op->getUsers().begin())))
        return failure();
    }
    if constexpr (std::is_same_v<MoveOp, SliceOp>) {
      if (op->hasOneUse() && isa<QuantizeOp>(*op->getUsers().begin()))
        return failure(); // FoldDataMovement's
    }
    OperationState state(op.getLoc(), op->getName());
    state.addOperands(x);
    state.addAttributes(op->getAttrs());
    state.addTypes(withElement(op->getResult(0), getElementTypeOrSelf(x)));
    Value moved = rewriter.create(state)->getResult(0);
    rewriter.replaceOpWithNewOp<DequantizeOp>(op, op->getResult(0).getType(), moved);
    return success();
  }
};

/// quantize(reshape(v)) -> reshape(quantize(v)) for a per-tensor quantize: the quantize then
/// meets the op that computed v (a 1-D convolution's lifted 2-D result, reshaped back).
struct HoistQuantizeAboveReshape : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto reshape = q.getInput().getDefiningOp<ReshapeOp>();
    auto out = dyn_cast<UniformQuantizedType>(q.getType().getElementType());
    if (!reshape || !out || !reshape->hasOneUse())
      return failure();
    Value src = reshape.getInput();
    Value quantized = rewriter.create<QuantizeOp>(q.getLoc(), withElement(src, out), src);
    rewriter.replaceOpWithNewOp<ReshapeOp>(q, q.getType(), quantized);
    return success();
  }
};

/// relu/clamp(reshape(v)) -> reshape(relu/clamp(v)): the activation moves next to the op
/// that computed v, where the folds absorb it.
template <typename ActOp>
struct SinkReshapeBelowActivation : OpRewritePattern<ActOp> {
  using OpRewritePattern<ActOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(ActOp act, PatternRewriter &rewriter) const override {
    auto reshape = act->getOperand(0).template getDefiningOp<ReshapeOp>();
    if (!reshape || !reshape->hasOneUse() ||
        !getElementTypeOrSelf(reshape.getInput()).isF32())
      return failure();
    Value src = reshape.getInput();
    OperationState state(act.getLoc(), act->getName());
    state.addOperands(src);
    state.addAttributes(act->getAttrs());
    state.addTypes(src.getType());
    Value moved = rewriter.create(state)->getResult(0);
    rewriter.replaceOpWithNewOp<ReshapeOp>(act, act.getType(), moved);
    return success();
  }
};

/// Constant u8 weights with zero points (TFLite's uint8 models, ONNX Runtime's u8 weight
/// quantization), re-encoded as the s8 values w - zp with zero point 0 when every one fits:
/// the products (x - zp_x) * (w - zp_w) are the same integers, and the dot-product kernels
/// (VPDPBUSD, SDOT, the depthwise windows) take signed weights of zero point 0. Only for
/// weight operands of conv2d, gemm and matmul.
struct SignedWeights : OpRewritePattern<quant::StorageCastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(quant::StorageCastOp cast,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(cast.getType());
    auto qt = type ? dyn_cast<QuantizedType>(type.getElementType()) : nullptr;
    DenseIntElementsAttr values;
    if (!qt || qt.isSigned() || qt.getStorageTypeIntegralWidth() != 8 || !type.hasStaticShape() ||
        !matchPattern(cast.getArg(), m_Constant(&values)) || cast->use_empty() ||
        !llvm::all_of(cast->getUses(), [](OpOperand &use) {
          return isa<Conv2DOp, GemmOp, MatMulOp>(use.getOwner()) && use.getOperandNumber() == 1;
        }))
      return failure();
    SmallVector<int64_t> zeroPoints;
    int64_t axis = -1, inner = 1, dim = 1;
    if (auto t = dyn_cast<UniformQuantizedType>(qt)) {
      zeroPoints.push_back(t.getZeroPoint());
    } else if (auto t = dyn_cast<UniformQuantizedPerAxisType>(qt)) {
      zeroPoints.assign(t.getZeroPoints().begin(), t.getZeroPoints().end());
      axis = t.getQuantizedDimension();
      dim = type.getShape()[axis];
      for (int64_t d : type.getShape().drop_front(axis + 1))
        inner *= d;
    } else {
      return failure();
    }
    SmallVector<int8_t> centered;
    centered.reserve(type.getNumElements());
    int64_t i = 0;
    for (const APInt &v : values.getValues<APInt>()) {
      int64_t zp = axis < 0 ? zeroPoints[0] : zeroPoints[(i / inner) % dim];
      int64_t w = (int64_t)v.getZExtValue() - zp;
      if (w < -128 || w > 127)
        return failure();
      centered.push_back((int8_t)w);
      ++i;
    }
    Type i8 = rewriter.getI8Type(), expressed = qt.getExpressedType();
    unsigned flags = quant::QuantizationFlags::Signed;
    QuantizedType signedType;
    if (auto perTensor = dyn_cast<UniformQuantizedType>(qt)) {
      signedType =
          UniformQuantizedType::get(flags, i8, expressed, perTensor.getScale(), 0, -128, 127);
    } else {
      auto perAxis = llvm::cast<UniformQuantizedPerAxisType>(qt);
      signedType = UniformQuantizedPerAxisType::get(
          flags, i8, expressed, perAxis.getScales(), SmallVector<int64_t>(zeroPoints.size(), 0),
          perAxis.getQuantizedDimension(), -128, 127);
    }
    auto storage = RankedTensorType::get(type.getShape(), i8);
    Value c = rewriter.create<arith::ConstantOp>(
        cast.getLoc(), DenseElementsAttr::get(storage, ArrayRef<int8_t>(centered)));
    rewriter.replaceOpWithNewOp<quant::StorageCastOp>(
        cast, RankedTensorType::get(type.getShape(), signedType), c);
    return success();
  }
};

struct QccFoldFakeQuantPass : mlir::qcc::impl::QccFoldFakeQuantBase<QccFoldFakeQuantPass> {
  using QccFoldFakeQuantBase::QccFoldFakeQuantBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateTableFolds(patterns, requantMode == ::mlir::qcc::RequantMode::Fixed);
    populateDataMovementFolds(patterns);
    patterns.add<FoldQuantizeOfConstant, SinkDequantize<ReshapeOp>, SinkDequantize<TransposeOp>,
                 SinkDequantize<SliceOp>, SinkDequantize<PadOp>, HoistQuantizeAboveReshape,
                 SinkReshapeBelowActivation<ReluOp>, SinkReshapeBelowActivation<ClampOp>,
                 FoldConv, FoldGemm, FoldMatMul, FoldMatMulBias, FoldGlobalAvgPool, FoldAdd, FoldMul, FoldAvgPool,
                 FoldQuantizeOfDequantize, SignedWeights>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
