//===- FoldTables.cpp - qcc-fold-fake-quant: tables and softmax ------------===//
//
// The folds of qcc-fold-fake-quant for elementwise functions of one 8-bit operand (256-entry
// tables) and the integer softmax.
//
//===----------------------------------------------------------------------===//

#include "FoldFakeQuantUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::fold_fake_quant;
using quant::UniformQuantizedType;

namespace {

/// quantize(sigmoid|tanh|hard_swish|exp|sqrt|rsqrt|leaky_relu(dequantize(x))) -> table(x): the 256 results computed
/// at compile time exactly as the fake-quant graph would (dequantize, f32 function,
/// quantize), which is how ONNX Runtime builds its QLinearSigmoid tables too.
struct FoldToTable : OpRewritePattern<QuantizeOp> {
  FoldToTable(MLIRContext *ctx, bool fixed) : OpRewritePattern(ctx), fixed(fixed) {}
  bool fixed;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Operation *op = q.getInput().getDefiningOp();
    if (!out || !op || !q.getInput().hasOneUse() || !isa<SigmoidOp, TanhOp, HardSwishOp, ExpOp, SqrtOp, RsqrtOp, LeakyReluOp>(op))
      return failure();
    Value x = dequantizedSource(op->getOperand(0));
    auto xt = x ? activation8(getElementTypeOrSelf(x)) : nullptr;
    if (!xt)
      return failure();
    auto f = [&](float v) -> float {
      if (isa<SigmoidOp>(op))
        return 1.f / (1.f + std::exp(-v));
      if (isa<TanhOp>(op))
        return std::tanh(v);
      if (isa<ExpOp>(op))
        return std::exp(v);
      if (isa<SqrtOp>(op))
        return std::sqrt(v);
      if (isa<RsqrtOp>(op))
        return 1.f / std::sqrt(v);
      if (auto leaky = dyn_cast<LeakyReluOp>(op))
        return v >= 0.f ? v : leaky.getAlpha().convertToFloat() * v;
      float t = std::min(std::max(v * (1.f / 6.f) + 0.5f, 0.f), 1.f);
      return v * t;
    };
    SmallVector<int32_t> table;
    auto sx = static_cast<float>(xt.getScale());
    if (auto leaky = dyn_cast<LeakyReluOp>(op); leaky && fixed) {
      // TFLite's integer LEAKY_RELU (reference_ops::QuantizeLeakyRelu): multipliers in
      // double from the f32 parameters, MultiplyByQuantizedMultiplier, saturation.
      double ratio = xt.getScale() / out.getScale();
      int32_t mId, mAlpha;
      int shiftId, shiftAlpha;
      ::mlir::qcc::quantizeMultiplier(ratio, mId, shiftId);
      ::mlir::qcc::quantizeMultiplier(
          xt.getScale() * static_cast<double>(leaky.getAlpha().convertToFloat()) / out.getScale(),
          mAlpha, shiftAlpha);
      for (int64_t s = xt.getStorageTypeMin(); s <= xt.getStorageTypeMax(); ++s) {
        auto v = static_cast<int32_t>(s - xt.getZeroPoint());
        int64_t y = out.getZeroPoint() +
                    (v >= 0 ? ::mlir::qcc::multiplyByQuantizedMultiplier(v, mId, shiftId)
                            : ::mlir::qcc::multiplyByQuantizedMultiplier(v, mAlpha, shiftAlpha));
        table.push_back(static_cast<int32_t>(
            std::min<int64_t>(std::max<int64_t>(y, out.getStorageTypeMin()), out.getStorageTypeMax())));
      }
      rewriter.replaceOpWithNewOp<TableOp>(q, q.getType(), x, rewriter.getDenseI32ArrayAttr(table));
      return success();
    }
    for (int64_t s = xt.getStorageTypeMin(); s <= xt.getStorageTypeMax(); ++s) {
      float real = static_cast<float>(s - xt.getZeroPoint()) * sx;
      // sqrt of a negative value: ONNX leaves QuantizeLinear(NaN) unspecified; the table
      // gives the zero point (0.0) rather than an undefined conversion.
      float value = f(real);
      if (std::isnan(value))
        value = 0.f;
      table.push_back(static_cast<int32_t>(::mlir::qcc::quantizeValue(
          value, static_cast<float>(out.getScale()), out.getZeroPoint(),
          out.getStorageTypeMin(), out.getStorageTypeMax())));
    }
    rewriter.replaceOpWithNewOp<TableOp>(q, q.getType(), x, rewriter.getDenseI32ArrayAttr(table));
    return success();
  }
};

/// quantize(softmax(dequantize(x))) -> softmax(x) on 8-bit values when the result has
/// TFLite's softmax parameters (scale 1/256, the storage minimum as zero point): the
/// integer op computes the fake-quant value with --requant=float and TFLite Micro's
/// integer-only softmax with --requant=fixed. Other result parameters stay fake-quant.
struct FoldSoftmax : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    auto softmax = q.getInput().getDefiningOp<SoftmaxOp>();
    if (!out || !softmax || !q.getInput().hasOneUse() || out.getScale() != 1.0 / 256 ||
        out.getZeroPoint() != out.getStorageTypeMin())
      return failure();
    Value x = dequantizedSource(softmax.getInput());
    if (!x || !activation8(getElementTypeOrSelf(x)))
      return failure();
    rewriter.replaceOpWithNewOp<SoftmaxOp>(q, q.getType(), x, softmax.getAxisAttr());
    return success();
  }
};

} // namespace

void mlir::qcc::fold_fake_quant::populateTableFolds(RewritePatternSet &patterns, bool fixed) {
  patterns.add<FoldToTable>(patterns.getContext(), fixed);
  patterns.add<FoldSoftmax>(patterns.getContext());
}
