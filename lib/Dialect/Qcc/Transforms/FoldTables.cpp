//===- FoldTables.cpp - qcc-fold-fake-quant: tables and softmax ------------===//
//
// The folds of qcc-fold-fake-quant for elementwise functions of one 8-bit operand (256-entry
// tables) and the integer softmax.
//
//===----------------------------------------------------------------------===//

#include "FoldFakeQuantUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::fold_fake_quant;
using quant::UniformQuantizedType;

namespace {

/// Appends the 256 stored results of an 8-bit elementwise function to `table`:
/// `unsaturated(v)` maps the input's stored value minus its zero point to the result's
/// stored value before saturation to the result's storage range.
void appendTable(UniformQuantizedType xt, UniformQuantizedType out,
                 function_ref<int64_t(int32_t)> unsaturated, SmallVectorImpl<int32_t> &table) {
  for (int64_t s = xt.getStorageTypeMin(); s <= xt.getStorageTypeMax(); ++s)
    table.push_back(static_cast<int32_t>(
        std::clamp<int64_t>(unsaturated(static_cast<int32_t>(s - xt.getZeroPoint())),
                            out.getStorageTypeMin(), out.getStorageTypeMax())));
}

/// The fake-quant result of `f` for input v: dequantize, f in f32, quantize (a NaN, as
/// sqrt of a negative value gives, becomes 0.0: ONNX leaves QuantizeLinear(NaN) open).
int64_t fakeQuantEntry(UniformQuantizedType xt, UniformQuantizedType out,
                       function_ref<float(float)> f, int32_t v) {
  float value = f(static_cast<float>(v) * static_cast<float>(xt.getScale()));
  if (std::isnan(value))
    value = 0.f;
  return ::mlir::qcc::quantizeValue(value, static_cast<float>(out.getScale()),
                                    out.getZeroPoint(), out.getStorageTypeMin(),
                                    out.getStorageTypeMax());
}

/// TFLite's integer LEAKY_RELU and PRELU (reference_ops::QuantizeLeakyRelu,
/// BroadcastPrelu4DSlow): multipliers from doubles, then for input v and integer alpha a
/// (1 for LEAKY_RELU, whose alpha is in its multiplier) zp_out + MultiplyByQuantizedMultiplier
/// of v (v >= 0) or of v * a (v < 0).
struct IntegerPRelu {
  IntegerPRelu(double identity, double alpha) {
    ::mlir::qcc::quantizeMultiplier(identity, mId, shiftId);
    ::mlir::qcc::quantizeMultiplier(alpha, mAlpha, shiftAlpha);
  }
  int64_t operator()(int32_t v, int32_t a, int64_t zpOut) const {
    return zpOut + (v >= 0 ? ::mlir::qcc::multiplyByQuantizedMultiplier(v, mId, shiftId)
                           : ::mlir::qcc::multiplyByQuantizedMultiplier(v * a, mAlpha, shiftAlpha));
  }
  int32_t mId = 0, mAlpha = 0;
  int shiftId = 0, shiftAlpha = 0;
};

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
    if (auto leaky = dyn_cast<LeakyReluOp>(op); leaky && fixed) {
      IntegerPRelu integer(xt.getScale() / out.getScale(),
                           xt.getScale() * static_cast<double>(leaky.getAlpha().convertToFloat()) /
                               out.getScale());
      appendTable(xt, out, [&](int32_t v) { return integer(v, 1, out.getZeroPoint()); }, table);
    } else {
      appendTable(xt, out, [&](int32_t v) { return fakeQuantEntry(xt, out, f, v); }, table);
    }
    rewriter.replaceOpWithNewOp<TableOp>(q, q.getType(), x, rewriter.getDenseI32ArrayAttr(table),
                                         IntegerAttr());
    return success();
  }
};

/// A constant slope behind reshapes: its values in the slope's (broadcast-aligned) shape,
/// as the fake-quant graph computes them (f32 dequantization), and, when it is a
/// dequantized per-tensor constant, its stored integers and parameters.
struct ConstantSlope {
  SmallVector<float> real;
  SmallVector<int64_t> stored;
  quant::UniformQuantizedType type;
};
static std::optional<ConstantSlope> constantSlope(Value v) {
  while (auto r = v.getDefiningOp<ReshapeOp>())
    v = r.getInput();
  ConstantSlope c;
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)) && attr.getElementType().isF32()) {
    for (float f : attr.getValues<float>())
      c.real.push_back(f);
    return c;
  }
  Value q = dequantizedSource(v);
  auto cast = q ? q.getDefiningOp<quant::StorageCastOp>() : nullptr;
  auto qt = q ? dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(q)) : nullptr;
  if (!cast || !qt || !matchPattern(cast.getArg(), m_Constant(&attr)))
    return std::nullopt;
  c.type = qt;
  for (const APInt &i : attr.getValues<APInt>()) {
    int64_t s = qt.isSigned() ? i.getSExtValue() : static_cast<int64_t>(i.getZExtValue());
    c.stored.push_back(s);
    c.real.push_back(static_cast<float>(s - qt.getZeroPoint()) * static_cast<float>(qt.getScale()));
  }
  return c;
}

/// quantize(prelu(dequantize(x), constant slope)) -> table(x), one 256-entry table per
/// channel when the slope varies along one dimension. Default: the fake-quant arithmetic per
/// entry (dequantize, x >= 0 ? x : slope * x in f32, quantize). --requant=fixed with a
/// quantized slope: TFLite's integer PRELU (reference_ops::BroadcastPrelu4DSlow):
/// x - zx times the multiplier sx / sy when not negative, else (x - zx) (a - za) times
/// sx sa / sy (multipliers from doubles, MultiplyByQuantizedMultiplier), plus zy, saturated.
struct FoldPRelu : OpRewritePattern<QuantizeOp> {
  FoldPRelu(MLIRContext *ctx, bool fixed) : OpRewritePattern(ctx), fixed(fixed) {}
  bool fixed;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    auto prelu = q.getInput().getDefiningOp<PReluOp>();
    if (!out || !prelu || !q.getInput().hasOneUse())
      return failure();
    Value x = dequantizedSource(prelu.getInput());
    auto xt = x ? activation8(getElementTypeOrSelf(x)) : nullptr;
    std::optional<ConstantSlope> slope = constantSlope(prelu.getSlope());
    if (!xt || !slope)
      return failure();
    // The one dimension (of x) the slope varies along, if any.
    ArrayRef<int64_t> sshape = prelu.getSlope().getType().getShape();
    int64_t rank = prelu.getInput().getType().getRank(), lead = rank - sshape.size();
    std::optional<int64_t> axis;
    for (size_t d = 0; d < sshape.size(); ++d)
      if (sshape[d] != 1) {
        if (axis)
          return failure(); // varies along two dimensions: stays fake-quant
        axis = lead + static_cast<int64_t>(d);
      }
    int64_t channels = axis ? prelu.getInput().getType().getDimSize(*axis) : 1;
    bool integer = fixed && slope->type && slope->type.getStorageTypeIntegralWidth() == 8;
    std::optional<IntegerPRelu> tflite;
    if (integer)
      tflite.emplace(xt.getScale() / out.getScale(),
                     xt.getScale() * slope->type.getScale() / out.getScale());
    SmallVector<int32_t> table;
    for (int64_t c = 0; c < channels; ++c) {
      size_t k = slope->real.size() == 1 ? 0 : static_cast<size_t>(c);
      float a = slope->real[k];
      appendTable(xt, out, [&](int32_t v) -> int64_t {
        if (tflite)
          return (*tflite)(v, static_cast<int32_t>(slope->stored[k] - slope->type.getZeroPoint()),
                           out.getZeroPoint());
        return fakeQuantEntry(xt, out, [&](float r) { return r < 0.f ? a * r : r; }, v);
      }, table);
    }
    rewriter.replaceOpWithNewOp<TableOp>(
        q, q.getType(), x, rewriter.getDenseI32ArrayAttr(table),
        axis ? rewriter.getI64IntegerAttr(*axis) : IntegerAttr());
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
  patterns.add<FoldToTable, FoldPRelu>(patterns.getContext(), fixed);
  patterns.add<FoldSoftmax>(patterns.getContext());
}
