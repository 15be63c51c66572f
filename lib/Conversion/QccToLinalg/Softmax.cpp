//===- Softmax.cpp - qcc.softmax to linalg --------------------------------===//
//
// Float softmax, and TFLite's integer softmax (gemmlowp fixed point) in fixed mode.
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
  ::mlir::qcc::SoftmaxInputScaling scaling(static_cast<double>(qx.scales[0]));

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

} // namespace

void mlir::qcc::lowering::populateSoftmaxPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
    const LoweringOptions &o) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<SoftmaxLowering>(converter, ctx, o.fixed);
}
