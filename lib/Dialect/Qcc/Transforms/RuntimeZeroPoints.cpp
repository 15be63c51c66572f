//===- RuntimeZeroPoints.cpp - integer products with run-time zero points -===//
//
// qcc.conv_integer and qcc.matmul_integer take the zero point of their input at run time
// (the parameters qcc.dynamic_quantize computes). Their lowering is one plain loop nest; this
// pass gives them the static path's kernels instead: with a constant weight of one zero
// point zw, sum((x - z) * (w - zw)) = sum(x * (w - zw)) - z * sum(w - zw), so the product
// is the integer qcc.conv2d / qcc.matmul of the stored input values (zero point 0) and the
// weight (zero point zw), followed by a qcc.zero_point_correction with the constant sums
// of w - zw per output channel. A zero point known to be 0 (TFLite's symmetric scheme)
// needs no correction. Padding must read the input's zero point: a run-time one is padded
// in first (qcc.pad_with), and the convolution runs unpadded.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCRUNTIMEZEROPOINTS
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// The one zero point of a constant zero-point tensor, widened per its signedness.
std::optional<int64_t> constantZeroPoint(Value zp, bool isUnsigned) {
  DenseIntElementsAttr attr;
  if (!matchPattern(zp, m_Constant(&attr)))
    return std::nullopt;
  std::optional<int64_t> first;
  for (const APInt &v : attr.getValues<APInt>()) {
    int64_t x = isUnsigned ? static_cast<int64_t>(v.getZExtValue()) : v.getSExtValue();
    if (first && *first != x)
      return std::nullopt;
    first = x;
  }
  return first;
}

/// True when `zp` is always 0: a constant 0, or the zero point of a symmetric
/// qcc.dynamic_quantize.
bool alwaysZero(Value zp) {
  if (auto dq = zp.getDefiningOp<DynamicQuantizeOp>())
    return dq.getScheme() == "symmetric" && zp == dq.getZeroPoint();
  std::optional<int64_t> c = constantZeroPoint(zp, false);
  return c && *c == 0;
}

quant::UniformQuantizedType storedAs(Builder &b, bool isUnsigned, int64_t zeroPoint) {
  return quant::UniformQuantizedType::get(isUnsigned ? 0 : quant::QuantizationFlags::Signed,
                                          b.getI8Type(), b.getF32Type(), 1.0, zeroPoint,
                                          isUnsigned ? 0 : -128, isUnsigned ? 255 : 127);
}

Value viewAs(PatternRewriter &rewriter, Location loc, Value v, Type element) {
  auto t = cast<RankedTensorType>(v.getType());
  return rewriter.create<quant::StorageCastOp>(loc, RankedTensorType::get(t.getShape(), element),
                                               v);
}

/// sum over all but `outAxis` of (w - zw), per index of `outAxis`.
Value weightSums(PatternRewriter &rewriter, Location loc, DenseIntElementsAttr w,
                 bool isUnsigned, int64_t zw, int64_t outAxis) {
  auto shape = w.getType().getShape();
  int64_t inner = 1;
  for (int64_t d = outAxis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  int64_t channels = shape[outAxis];
  SmallVector<int32_t> sums(channels, 0);
  int64_t i = 0;
  for (const APInt &v : w.getValues<APInt>()) {
    int64_t c = (i / inner) % channels;
    int64_t value = isUnsigned ? static_cast<int64_t>(v.getZExtValue()) : v.getSExtValue();
    sums[c] += static_cast<int32_t>(value - zw);
    ++i;
  }
  auto type = RankedTensorType::get({channels}, rewriter.getI32Type());
  return rewriter.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, ArrayRef(sums)));
}

/// The accumulator `acc` (int32 of scale 1) as plain i32, corrected by the input's zero
/// point unless it is always 0.
Value corrected(PatternRewriter &rewriter, Location loc, Value acc, Value zp, bool zpUnsigned,
                Value sums, int64_t zpAxis, int64_t sumsAxis) {
  auto t = cast<RankedTensorType>(acc.getType());
  Value plain = rewriter.create<quant::StorageCastOp>(
      loc, RankedTensorType::get(t.getShape(), rewriter.getI32Type()), acc);
  if (alwaysZero(zp))
    return plain;
  return rewriter.create<ZeroPointCorrectionOp>(
      loc, plain.getType(), plain, zp, sums, rewriter.getI64IntegerAttr(zpAxis),
      rewriter.getI64IntegerAttr(sumsAxis), rewriter.getBoolAttr(zpUnsigned));
}

struct ConvIntegerToConv : OpRewritePattern<ConvIntegerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvIntegerOp op, PatternRewriter &rewriter) const override {
    DenseIntElementsAttr w;
    if (!matchPattern(op.getWeight(), m_Constant(&w)))
      return rewriter.notifyMatchFailure(op, "the weight is not a constant");
    bool xU = op.getInputUnsigned(), wU = op.getWeightUnsigned();
    std::optional<int64_t> zw = constantZeroPoint(op.getWeightZeroPoint(), wU);
    if (!zw)
      return rewriter.notifyMatchFailure(op, "the weight's zero points are not one constant");
    Location loc = op.getLoc();
    // Padding must read the zero point: a run-time one is padded in explicitly first.
    Value input = op.getInput();
    DenseI64ArrayAttr pads = op.getPadsAttr();
    bool padded = llvm::any_of(pads.asArrayRef(), [](int64_t p) { return p != 0; });
    if (padded && !alwaysZero(op.getInputZeroPoint())) {
      auto p = pads.asArrayRef();
      auto shape = op.getInput().getType().getShape();
      auto paddedType = RankedTensorType::get(
          {shape[0], shape[1], shape[2] + p[0] + p[2], shape[3] + p[1] + p[3]},
          rewriter.getI8Type());
      input = rewriter.create<PadWithOp>(
          loc, paddedType, input, op.getInputZeroPoint(),
          rewriter.getDenseI64ArrayAttr({0, 0, p[0], p[1], 0, 0, p[2], p[3]}));
      pads = rewriter.getDenseI64ArrayAttr({0, 0, 0, 0});
    }
    auto xt = storedAs(rewriter, xU, 0), wt = storedAs(rewriter, wU, *zw);
    Value x = viewAs(rewriter, loc, input, xt);
    Value wq = viewAs(rewriter, loc, op.getWeight(), wt);
    Type accElement = getAccumulatorType(xt, wt, 1);
    Value acc = rewriter.create<Conv2DOp>(
        loc, RankedTensorType::get(op.getType().getShape(), accElement), x, wq, Value(), op.getStridesAttr(),
        pads, op.getDilationsAttr(), op.getGroupAttr());
    Value sums = weightSums(rewriter, loc, w, wU, *zw, 0);
    rewriter.replaceOp(op, corrected(rewriter, loc, acc, op.getInputZeroPoint(), xU, sums, 0, 1));
    return success();
  }
};

struct MatMulIntegerToMatMul : OpRewritePattern<MatMulIntegerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulIntegerOp op, PatternRewriter &rewriter) const override {
    DenseIntElementsAttr w;
    if (!matchPattern(op.getRhs(), m_Constant(&w)))
      return rewriter.notifyMatchFailure(op, "the weight is not a constant");
    bool aU = op.getLhsUnsigned(), bU = op.getRhsUnsigned();
    std::optional<int64_t> zw = constantZeroPoint(op.getRhsZeroPoint(), bU);
    if (!zw)
      return rewriter.notifyMatchFailure(op, "the weight's zero points are not one constant");
    Location loc = op.getLoc();
    auto at = storedAs(rewriter, aU, 0), bt = storedAs(rewriter, bU, *zw);
    Value a = viewAs(rewriter, loc, op.getLhs(), at);
    Value bq = viewAs(rewriter, loc, op.getRhs(), bt);
    auto shape = op.getType().getShape();
    int64_t rank = static_cast<int64_t>(shape.size());
    Type accElement = getAccumulatorType(at, bt, rank - 1);
    Value acc = rewriter.create<MatMulOp>(loc, RankedTensorType::get(shape, accElement), a, bq);
    Value sums = weightSums(rewriter, loc, w, bU, *zw, 1);
    // A per-row zero point indexes the rows (lhs is 2-D then); a scalar any axis.
    rewriter.replaceOp(op, corrected(rewriter, loc, acc, op.getLhsZeroPoint(), aU, sums,
                                     rank - 2, rank - 1));
    return success();
  }
};

struct QccRuntimeZeroPointsPass
    : mlir::qcc::impl::QccRuntimeZeroPointsBase<QccRuntimeZeroPointsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvIntegerToConv, MatMulIntegerToMatMul>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
