//===- FoldFakeQuant.cpp - DQ -> op -> Q groups to integer ops ------------===//
//
// Every pattern is rooted at a qcc.quantize and matches backwards through an optional
// ReLU/Clip to the float op and the qcc.dequantize ops that feed it. The float ops that die
// are erased by the greedy driver; dequantize ops with other float users stay.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <limits>
#include <optional>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCFOLDFAKEQUANT
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

using quant::QuantizedType;
using quant::UniformQuantizedPerAxisType;
using quant::UniformQuantizedType;

Type elementOf(Value v) { return cast<RankedTensorType>(v.getType()).getElementType(); }

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
UniformQuantizedType activation8(Type t) {
  auto u = dyn_cast_or_null<UniformQuantizedType>(t);
  return u && u.getStorageTypeIntegralWidth() == 8 ? u : nullptr;
}

/// True if `v` is a compile-time constant (a quant.scast of an arith.constant).
bool isConstantWeight(Value v) {
  if (auto cast = v.getDefiningOp<quant::StorageCastOp>())
    return cast.getArg().getDefiningOp<arith::ConstantOp>() != nullptr;
  return false;
}

/// Per-channel (or single) f32 scales of a quantized type.
SmallVector<float> scalesOf(QuantizedType t) {
  if (auto u = dyn_cast<UniformQuantizedType>(t))
    return {static_cast<float>(u.getScale())};
  SmallVector<float> s;
  for (double d : cast<UniformQuantizedPerAxisType>(t).getScales())
    s.push_back(static_cast<float>(d));
  return s;
}

/// An 8-bit weight usable by the integer kernels: per tensor, or per axis `axis` with one
/// zero point, and constant.
bool isFoldableWeight(Value w, int64_t axis) {
  auto qt = dyn_cast<QuantizedType>(elementOf(w));
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
  auto qt = dyn_cast<QuantizedType>(elementOf(q));
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
    int64_t q = ::qcc::quantizeValue(act.lo, scale, zp, qmin, qmax);
    if (q > qmin)
      lo = b.getI64IntegerAttr(q);
  }
  if (std::isfinite(act.hi)) {
    int64_t q = ::qcc::quantizeValue(act.hi, scale, zp, qmin, qmax);
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

/// The common shape of the conv / gemm / matmul folds.
struct ProductFold {
  Value x, w, bias;
  Type accType;
  SmallVector<float> multipliers;
};

/// Checks x, w (and the bias), and computes the accumulator type and the per-channel
/// multipliers (s_x * s_w[c]) / s_y.
std::optional<ProductFold> matchProduct(Value floatX, Value floatW, Value floatBias,
                                        int64_t weightAxis, int64_t accAxis,
                                        UniformQuantizedType out) {
  ProductFold f;
  f.x = dequantizedSource(floatX);
  f.w = dequantizedSource(floatW);
  if (!f.x || !f.w)
    return std::nullopt;
  auto xt = activation8(elementOf(f.x));
  if (!xt || !isFoldableWeight(f.w, weightAxis))
    return std::nullopt;
  auto wt = cast<QuantizedType>(elementOf(f.w));
  f.accType = getAccumulatorType(xt, wt, accAxis);
  if (floatBias) {
    f.bias = foldableBias(floatBias, f.accType);
    if (!f.bias)
      return std::nullopt;
  }
  auto sx = static_cast<float>(xt.getScale()), sy = static_cast<float>(out.getScale());
  for (float sw : scalesOf(wt))
    f.multipliers.push_back(::qcc::convRequantScale(sx, sw, sy));
  return f;
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// quantize(act?(conv2d(dq(x), dq(w), dq(b)?))) -> requantize(conv2d(x, w, b)).
struct FoldConv : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Activation act;
    auto conv = skipActivation(q.getInput(), act).getDefiningOp<Conv2DOp>();
    if (!out || !conv || !conv->hasOneUse() || !conv.getType().getElementType().isF32())
      return failure();
    auto f = matchProduct(conv.getInput(), conv.getWeight(), conv.getBias(), 0, 1, out);
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

/// quantize(act?(gemm(dq(a), dq(b), dq(c)?))) with alpha = beta = 1.
struct FoldGemm : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Activation act;
    auto gemm = skipActivation(q.getInput(), act).getDefiningOp<GemmOp>();
    if (!out || !gemm || !gemm->hasOneUse() || !gemm.getType().getElementType().isF32() ||
        gemm.getAlpha().convertToFloat() != 1.f || gemm.getBeta().convertToFloat() != 1.f ||
        gemm.getTransA())
      return failure();
    auto f = matchProduct(gemm.getA(), gemm.getB(), gemm.getC(), gemm.getTransB() ? 0 : 1, 1,
                          out);
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
struct FoldMatMul : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Activation act;
    auto mm = skipActivation(q.getInput(), act).getDefiningOp<MatMulOp>();
    if (!out || !mm || !mm->hasOneUse() || !mm.getType().getElementType().isF32())
      return failure();
    int64_t rhsRank = mm.getRhs().getType().getRank();
    auto f = matchProduct(mm.getLhs(), mm.getRhs(), Value(), rhsRank - 1,
                          mm.getType().getRank() - 1, out);
    if (!f)
      return rewriter.notifyMatchFailure(q, "matmul operands are not foldable");
    Value acc = rewriter.create<MatMulOp>(mm.getLoc(), withElement(mm.getResult(), f->accType),
                                          f->x, f->w);
    rewriter.replaceOp(q, buildRequantize(rewriter, q.getLoc(), acc, q.getType(),
                                          f->multipliers, act));
    return success();
  }
};

/// quantize(act?(global_avg_pool(dq(x)))) -> requantize(global_avg_pool(x)), multiplier
/// s_x / (s_y * H * W).
struct FoldGlobalAvgPool : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Activation act;
    auto gap = skipActivation(q.getInput(), act).getDefiningOp<GlobalAvgPoolOp>();
    if (!out || !gap || !gap->hasOneUse() || !gap.getType().getElementType().isF32())
      return failure();
    Value x = dequantizedSource(gap.getInput());
    auto xt = x ? activation8(elementOf(x)) : nullptr;
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
    float m = ::qcc::averageRequantScale(sx, static_cast<float>(out.getScale()), count);
    rewriter.replaceOp(q, buildRequantize(rewriter, q.getLoc(), acc, q.getType(), m, act));
    return success();
  }
};

/// quantize(act?(add(dq(a), dq(b)))) -> add(a, b) on 8-bit operands.
struct FoldAdd : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Activation act;
    auto add = skipActivation(q.getInput(), act).getDefiningOp<AddOp>();
    if (!out || !add || !add->hasOneUse() || !add.getType().getElementType().isF32())
      return failure();
    Value a = dequantizedSource(add.getLhs()), b = dequantizedSource(add.getRhs());
    if (!a || !b || !activation8(elementOf(a)) || !activation8(elementOf(b)))
      return failure();
    Value sum = rewriter.create<AddOp>(add.getLoc(), q.getType(), a, b);
    IntegerAttr lo, hi;
    clampBounds(act, out, lo, hi, rewriter);
    if (lo || hi) // the clamp of a ReLU/Clip that is not redundant
      sum = rewriter.create<RequantizeOp>(q.getLoc(), q.getType(), sum,
                                          rewriter.getDenseF32ArrayAttr({1.f}), lo, hi);
    rewriter.replaceOp(q, sum);
    return success();
  }
};

/// quantize(sigmoid|tanh|hard_swish(dequantize(x))) -> table(x): the 256 results computed
/// at compile time exactly as the fake-quant graph would (dequantize, f32 function,
/// quantize), which is how ONNX Runtime builds its QLinearSigmoid tables too.
struct FoldToTable : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Operation *op = q.getInput().getDefiningOp();
    if (!out || !op || !q.getInput().hasOneUse() || !isa<SigmoidOp, TanhOp, HardSwishOp>(op))
      return failure();
    Value x = dequantizedSource(op->getOperand(0));
    auto xt = x ? activation8(elementOf(x)) : nullptr;
    if (!xt)
      return failure();
    auto f = [&](float v) -> float {
      if (isa<SigmoidOp>(op))
        return 1.f / (1.f + std::exp(-v));
      if (isa<TanhOp>(op))
        return std::tanh(v);
      float t = std::min(std::max(v * (1.f / 6.f) + 0.5f, 0.f), 1.f);
      return v * t;
    };
    SmallVector<int32_t> table;
    auto sx = static_cast<float>(xt.getScale());
    for (int64_t s = xt.getStorageTypeMin(); s <= xt.getStorageTypeMax(); ++s) {
      float real = static_cast<float>(s - xt.getZeroPoint()) * sx;
      table.push_back(static_cast<int32_t>(::qcc::quantizeValue(
          f(real), static_cast<float>(out.getScale()), out.getZeroPoint(),
          out.getStorageTypeMin(), out.getStorageTypeMax())));
    }
    rewriter.replaceOpWithNewOp<TableOp>(q, q.getType(), x, rewriter.getDenseI32ArrayAttr(table));
    return success();
  }
};

/// Converts a quantized value to `type`: itself, or a requantize.
Value convertTo(PatternRewriter &rewriter, Location loc, Value v, Type elementType) {
  if (elementOf(v) == elementType)
    return v;
  return rewriter.create<RequantizeOp>(loc, withElement(v, elementType), v, DenseF32ArrayAttr(),
                                       IntegerAttr(), IntegerAttr());
}

/// quantize(op(dq(x))) for ops that only move or select values (max_pool, reshape,
/// transpose): the op runs on the stored integers, then converts to the output parameters.
struct FoldDataMovement : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Operation *op = q.getInput().getDefiningOp();
    if (!out || !op || !q.getInput().hasOneUse() ||
        !isa<MaxPoolOp, ReshapeOp, TransposeOp>(op))
      return failure();
    Value x = dequantizedSource(op->getOperand(0));
    auto xt = x ? activation8(elementOf(x)) : nullptr;
    if (!xt || xt.getScale() <= 0)
      return failure();
    OperationState state(op->getLoc(), op->getName());
    state.addOperands(x);
    state.addAttributes(op->getAttrs());
    state.addTypes(withElement(op->getResult(0), xt));
    Value moved = rewriter.create(state)->getResult(0);
    rewriter.replaceOp(q, convertTo(rewriter, q.getLoc(), moved, out));
    return success();
  }
};

/// quantize(concat(dq(x_i)...)): inputs converted to the output's parameters, then joined.
struct FoldConcat : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    auto concat = q.getInput().getDefiningOp<ConcatOp>();
    if (!out || !concat || !concat->hasOneUse())
      return failure();
    SmallVector<Value> inputs;
    for (Value in : concat.getInputs()) {
      Value x = dequantizedSource(in);
      if (!x || !activation8(elementOf(x)))
        return failure();
      inputs.push_back(convertTo(rewriter, concat.getLoc(), x, out));
    }
    rewriter.replaceOpWithNewOp<ConcatOp>(q, q.getType(), inputs, concat.getAxisAttr());
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
    if (!out || !x || !isa<UniformQuantizedType>(elementOf(x)))
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

struct QccFoldFakeQuantPass : mlir::qcc::impl::QccFoldFakeQuantBase<QccFoldFakeQuantPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldToTable, FoldConv, FoldGemm, FoldMatMul, FoldGlobalAvgPool, FoldAdd, FoldDataMovement,
                 FoldConcat, FoldQuantizeOfDequantize>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
