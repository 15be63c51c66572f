//===- Elementwise.cpp - elementwise qcc ops to linalg --------------------===//
//
// Binary ops (integer add and mul with ONNX Runtime's or TFLite's arithmetic, float ones),
// unary float ops, lookup tables, ReLU, clamp and batch normalization.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/ChannelBlocks.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

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

/// sigmoid, tanh, hard_swish, exp, sqrt and rsqrt on f32.
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
                                       } else if constexpr (std::is_same_v<QccOp, ExpOp>) {
                                         return nb.create<math::ExpOp>(nl, x);
                                       } else if constexpr (std::is_same_v<QccOp, SqrtOp>) {
                                         return nb.create<math::SqrtOp>(nl, x);
                                       } else if constexpr (std::is_same_v<QccOp, RsqrtOp>) {
                                         return nb.create<arith::DivFOp>(
                                             nl, f32Const(nb, nl, 1.f), nb.create<math::SqrtOp>(nl, x));
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

/// x >= 0 ? x : alpha * x on f32.
struct LeakyReluLowering : OpConversionPattern<LeakyReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(LeakyReluOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    float alpha = op.getAlpha().convertToFloat();
    b.replaceOp(op, buildElementwise(b, op.getLoc(), adaptor.getInput(), op.getType(),
                                     [alpha](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                       Value x = v[0];
                                       Value neg = nb.create<arith::MulFOp>(nl, x, f32Const(nb, nl, alpha));
                                       Value ge = nb.create<arith::CmpFOp>(
                                           nl, arith::CmpFPredicate::OGE, x, f32Const(nb, nl, 0.f));
                                       return nb.create<arith::SelectOp>(nl, ge, x, neg);
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
    auto tableType = RankedTensorType::get({static_cast<int64_t>(entries.size())},
                                           b.getIntegerType(8));
    Value table = b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(tableType, entries));
    std::optional<uint64_t> axis = op.getAxis();
    b.replaceOp(op, buildElementwise(
                        b, loc, adaptor.getInput(), outType,
                        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                          Value idx = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, v[0], in),
                                                               i32Const(nb, nl, in.qmin));
                          if (axis) { // the channel's table: 256 entries further per channel
                            Value c = nb.create<arith::IndexCastOp>(
                                nl, nb.getI32Type(), nb.create<linalg::IndexOp>(nl, *axis));
                            idx = nb.create<arith::AddIOp>(
                                nl, idx, nb.create<arith::MulIOp>(nl, c, i32Const(nb, nl, 256)));
                          }
                          Value index = nb.create<arith::IndexCastOp>(nl, nb.getIndexType(), idx);
                          return nb.create<tensor::ExtractOp>(nl, table, ValueRange{index});
                        }));
    return success();
  }
};

/// prelu on f32: select(x >= 0, x, slope * x), the slope broadcast.
struct PReluLowering : OpConversionPattern<PReluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PReluOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    b.replaceOp(op, buildElementwise(b, op.getLoc(), adaptor.getOperands(), op.getType(),
                                     [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                       Value neg = nb.create<arith::CmpFOp>(
                                           nl, arith::CmpFPredicate::OLT, v[0],
                                           f32Const(nb, nl, 0.f));
                                       Value scaled = nb.create<arith::MulFOp>(nl, v[1], v[0]);
                                       return nb.create<arith::SelectOp>(nl, neg, scaled, v[0]);
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

} // namespace

void mlir::qcc::lowering::populateElementwisePatterns(const TypeConverter &converter, RewritePatternSet &patterns,
    const LoweringOptions &o) {
  MLIRContext *ctx = patterns.getContext();
  // The integer forms come before the float ones of the same ops.
  patterns.add<QuantizedMulLowering>(converter, ctx, o.fixed);
  patterns.add<QuantizedAddLowering>(converter, ctx, o.fixed, o.hardwareFma);
  patterns.add<UnaryFloatLowering<ExpOp>, UnaryFloatLowering<SqrtOp>, UnaryFloatLowering<RsqrtOp>,
               LeakyReluLowering, BinaryLowering<MaxOp, arith::MaximumFOp>,
               BinaryLowering<MinOp, arith::MinimumFOp>>(converter, ctx);
  patterns.add<UnaryFloatLowering<SigmoidOp>, UnaryFloatLowering<TanhOp>,
               UnaryFloatLowering<HardSwishOp>, TableLowering>(converter, ctx);
  patterns.add<BinaryLowering<AddOp, arith::AddFOp>, BinaryLowering<SubOp, arith::SubFOp>,
               BinaryLowering<MulOp, arith::MulFOp>, BinaryLowering<DivOp, arith::DivFOp>,
               ReluLowering, PReluLowering, ClampLowering, BatchNormLowering>(converter, ctx);
}
