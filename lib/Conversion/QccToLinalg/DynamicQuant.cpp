//===- DynamicQuant.cpp - run-time quantization and its integer products ---===//
//
// ONNX Runtime's quantize_dynamic output: qcc.dynamic_quantize (DynamicQuantizeLinear)
// computes the input's uint8 parameters at run time; qcc.matmul_integer and
// qcc.conv_integer (MatMulInteger, ConvInteger) multiply with those run-time zero points.
// Each is one linalg.generic (two for the quantization: a min/max reduction, then the
// elementwise quantization) in exact integer arithmetic.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineExpr.h"

#include <limits>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

Value scalarOf(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(type.getRank(), b.create<arith::ConstantIndexOp>(loc, 0));
  return b.create<tensor::ExtractOp>(loc, t, zeros);
}

Value widen(OpBuilder &b, Location loc, Value v, bool isUnsigned) {
  Type i32 = b.getI32Type();
  return isUnsigned ? b.create<arith::ExtUIOp>(loc, i32, v).getResult()
                    : b.create<arith::ExtSIOp>(loc, i32, v).getResult();
}

/// x < y ? x : y (and the max): plain compares, no NaN rules.
Value minOf(OpBuilder &b, Location loc, Value x, Value y) {
  Value lt = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, y);
  return b.create<arith::SelectOp>(loc, lt, x, y);
}
Value maxOf(OpBuilder &b, Location loc, Value x, Value y) {
  Value gt = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, y);
  return b.create<arith::SelectOp>(loc, gt, x, y);
}

/// round(v) half away from zero (C's round, TfLiteRound) as an i32, for |v| < 2^31:
/// the truncation, corrected by one where the remainder is at least one half. No libm.
Value roundAwayToI32(OpBuilder &b, Location loc, Value v) {
  Type i32 = b.getI32Type();
  Value t = b.create<arith::FPToSIOp>(loc, i32, v);
  Value rest = b.create<arith::SubFOp>(loc, v, b.create<arith::SIToFPOp>(loc, v.getType(), t));
  auto constant = [&](double c) {
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(v.getType(), c));
  };
  Value up = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGE, rest, constant(0.5));
  Value down = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLE, rest, constant(-0.5));
  t = b.create<arith::AddIOp>(loc, t, b.create<arith::ExtUIOp>(loc, i32, up));
  return b.create<arith::SubIOp>(loc, t, b.create<arith::ExtUIOp>(loc, i32, down));
}

struct DynamicQuantizeLowering : OpConversionPattern<DynamicQuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(DynamicQuantizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    Type f32 = b.getF32Type(), i8 = b.getI8Type();
    bool perBatch = op.getScheme() != "onnx";
    SmallVector<int64_t> paramShape;
    if (perBatch)
      paramShape.push_back(xt.getDimSize(0));
    auto paramType = RankedTensorType::get(paramShape, f32);
    // min and max: over everything (onnx) or over each batch index's elements.
    float inf = std::numeric_limits<float>::infinity();
    Value lo0 = filledWith(b, loc, paramShape, f32Const(b, loc, inf));
    Value hi0 = filledWith(b, loc, paramShape, f32Const(b, loc, -inf));
    AffineMap paramMap = perBatch ? AffineMap::get(rank, 0, {b.getAffineDimExpr(0)}, ctx)
                                  : AffineMap::get(rank, 0, ctx);
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank), paramMap, paramMap};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::reduction);
    if (perBatch)
      iterators[0] = utils::IteratorType::parallel;
    auto range = b.create<linalg::GenericOp>(
        loc, TypeRange{paramType, paramType}, ValueRange{x}, ValueRange{lo0, hi0}, maps,
        iterators, [&](OpBuilder &nb, Location nl, ValueRange a) {
          nb.create<linalg::YieldOp>(
              nl, ValueRange{minOf(nb, nl, a[0], a[1]), maxOf(nb, nl, a[0], a[2])});
        });
    if (!perBatch)
      return lowerOnnx(op, b, x, range.getResult(0), range.getResult(1));

    // Per batch index: scale, 1 / scale (as TFLite multiplies), zero point.
    bool symmetric = op.getScheme() == "symmetric";
    auto i8Type = RankedTensorType::get(paramShape, i8);
    AffineMap id1 = b.getMultiDimIdentityMap(1);
    auto params = b.create<linalg::GenericOp>(
        loc, TypeRange{paramType, paramType, i8Type},
        ValueRange{range.getResult(0), range.getResult(1)},
        ValueRange{emptyTensor(b, loc, paramShape, f32), emptyTensor(b, loc, paramShape, f32),
                   emptyTensor(b, loc, paramShape, i8)},
        SmallVector<AffineMap>(5, id1), SmallVector<utils::IteratorType>(1, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          auto [scale, inv, zp] = symmetric ? symmetricParams(nb, nl, a[0], a[1])
                                            : asymmetricParams(nb, nl, a[0], a[1]);
          Value zp8 = nb.create<arith::TruncIOp>(nl, nb.getI8Type(), zp);
          nb.create<linalg::YieldOp>(nl, ValueRange{scale, inv, zp8});
        });
    Value inv = params.getResult(1), zp = params.getResult(2);
    int32_t qmin = symmetric ? -127 : -128;
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    SmallVector<AffineMap> qmaps = {b.getMultiDimIdentityMap(rank),
                                    AffineMap::get(rank, 0, {b.getAffineDimExpr(0)}, ctx),
                                    AffineMap::get(rank, 0, {b.getAffineDimExpr(0)}, ctx),
                                    b.getMultiDimIdentityMap(rank)};
    auto quantized = b.create<linalg::GenericOp>(
        loc, TypeRange{outType}, ValueRange{x, inv, zp},
        ValueRange{emptyTensor(b, loc, outType.getShape(), i8)}, qmaps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          // round(x * inv), then the zero point added as an integer: what LiteRT's
          // AsymmetricQuantizeFloats computes (rounding zp + x * inv instead differs where
          // x * inv ends in exactly one half).
          Value r = roundAwayToI32(nb, nl, nb.create<arith::MulFOp>(nl, a[0], a[1]));
          if (!symmetric)
            r = nb.create<arith::AddIOp>(nl, r, nb.create<arith::ExtSIOp>(nl, nb.getI32Type(), a[2]));
          Value q = clampInt(nb, nl, r, qmin, 127);
          nb.create<linalg::YieldOp>(nl, ValueRange{nb.create<arith::TruncIOp>(nl, nb.getI8Type(), q)});
        });
    b.replaceOp(op, {quantized.getResult(0), params.getResult(0), params.getResult(2)});
    return success();
  }

  /// TFLite's SymmetricQuantizeFloats: range = max(|min|, |max|); scale range / 127 and
  /// its inverse 127 / range (1 and 0 when the range is 0), zero point 0.
  static std::tuple<Value, Value, Value> symmetricParams(OpBuilder &b, Location loc, Value mn,
                                                         Value mx) {
    Value am = b.create<math::AbsFOp>(loc, mn), ax = b.create<math::AbsFOp>(loc, mx);
    Value range = maxOf(b, loc, ax, am);
    Value zero = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, range, f32Const(b, loc, 0.f));
    Value k = f32Const(b, loc, 127.f);
    Value scale = b.create<arith::SelectOp>(loc, zero, f32Const(b, loc, 1.f),
                                            b.create<arith::DivFOp>(loc, range, k));
    Value inv = b.create<arith::SelectOp>(loc, zero, f32Const(b, loc, 0.f),
                                          b.create<arith::DivFOp>(loc, k, range));
    return {scale, inv, i32Const(b, loc, 0)};
  }

  /// TFLite's AsymmetricQuantizeFloats: the range including 0 in f32, scale and zero point
  /// in f64 (the end whose zero point loses less), the scale stored as f32 and the inverse
  /// f32(1.0 / f64(scale)); all 0 when the range is empty.
  static std::tuple<Value, Value, Value> asymmetricParams(OpBuilder &b, Location loc, Value mn,
                                                          Value mx) {
    Type f64 = b.getF64Type(), f32 = b.getF32Type();
    Value zero = f32Const(b, loc, 0.f);
    Value rmin = minOf(b, loc, zero, mn), rmax = maxOf(b, loc, zero, mx);
    Value empty = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, rmin, rmax);
    auto d = [&](double v) { return b.create<arith::ConstantOp>(loc, b.getF64FloatAttr(v)); };
    Value scaleD = b.create<arith::DivFOp>(
        loc, b.create<arith::ExtFOp>(loc, f64, b.create<arith::SubFOp>(loc, rmax, rmin).getResult()),
        d(255.0));
    Value lo = b.create<arith::DivFOp>(loc, b.create<arith::ExtFOp>(loc, f64, rmin), scaleD);
    Value hi = b.create<arith::DivFOp>(loc, b.create<arith::ExtFOp>(loc, f64, rmax), scaleD);
    Value fromMin = b.create<arith::SubFOp>(loc, d(-128.0), lo);
    Value fromMax = b.create<arith::SubFOp>(loc, d(127.0), hi);
    Value errMin = b.create<arith::AddFOp>(loc, d(128.0), b.create<math::AbsFOp>(loc, lo));
    Value errMax = b.create<arith::AddFOp>(loc, d(127.0), b.create<math::AbsFOp>(loc, hi));
    Value zpD = b.create<arith::SelectOp>(
        loc, b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, errMin, errMax), fromMin,
        fromMax);
    // Below -128 or above 127: the end; else rounded half away from zero.
    zpD = maxOf(b, loc, minOf(b, loc, zpD, d(127.0)), d(-128.0));
    Value zp = roundAwayToI32(b, loc, zpD);
    Value scale = b.create<arith::TruncFOp>(loc, f32, scaleD);
    Value inv = b.create<arith::TruncFOp>(
        loc, f32, b.create<arith::DivFOp>(loc, d(1.0), b.create<arith::ExtFOp>(loc, f64, scale)));
    scale = b.create<arith::SelectOp>(loc, empty, zero, scale);
    inv = b.create<arith::SelectOp>(loc, empty, zero, inv);
    zp = b.create<arith::SelectOp>(loc, empty, i32Const(b, loc, 0), zp);
    return {scale, inv, zp};
  }

  /// ONNX Runtime's GetQuantizationParameter in f32, then QuantizeLinear.
  static LogicalResult lowerOnnx(DynamicQuantizeOp op, ConversionPatternRewriter &b, Value x,
                                 Value minT, Value maxT) {
    Location loc = op.getLoc();
    Value zero = f32Const(b, loc, 0.f);
    Value lo = minOf(b, loc, scalarOf(b, loc, minT), zero);
    Value hi = maxOf(b, loc, scalarOf(b, loc, maxT), zero);
    Value same = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, hi, lo);
    Value scale = b.create<arith::SelectOp>(
        loc, same, f32Const(b, loc, 1.f),
        b.create<arith::DivFOp>(loc, b.create<arith::SubFOp>(loc, hi, lo), f32Const(b, loc, 255.f)));
    Value initial = b.create<arith::SubFOp>(loc, zero, b.create<arith::DivFOp>(loc, lo, scale));
    Value zp = b.create<math::RoundEvenOp>(
        loc, minOf(b, loc, maxOf(b, loc, initial, zero), f32Const(b, loc, 255.f)));
    QuantParams q;
    q.qmin = 0;
    q.qmax = 255;
    q.isSigned = false;
    q.width = 8;
    Value out = buildElementwise(b, loc, ValueRange{x}, op.getOutput().getType(),
                                 [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                   return quantizeElement(nb, nl, v[0], q, scale, zp);
                                 });
    Value zp8 = b.create<arith::TruncIOp>(
        loc, b.getI8Type(), b.create<arith::FPToSIOp>(loc, b.getI32Type(), zp));
    b.replaceOp(op, {out, b.create<tensor::FromElementsOp>(loc, RankedTensorType::get({}, b.getF32Type()), scale),
                     b.create<tensor::FromElementsOp>(
                         loc, RankedTensorType::get({}, b.getI8Type()), zp8)});
    return success();
  }
};

/// The indexing map, over a rank-`rank` iteration space whose dimension 0 has `batch`
/// indices, of a value that is a scalar (rank 0 or one element) or has one entry per index
/// of dimension 0.
AffineMap perBatchMap(RankedTensorType value, int64_t rank, int64_t batch, MLIRContext *ctx) {
  if (value.getRank() == 0)
    return AffineMap::get(rank, 0, ctx);
  if (value.getNumElements() == 1 && batch != 1)
    return AffineMap::get(rank, 0, {getAffineConstantExpr(0, ctx)}, ctx);
  return AffineMap::get(rank, 0, {getAffineDimExpr(0, ctx)}, ctx);
}

/// A zero point as an i32 scalar and, when it has one value per output channel, the
/// tensor to read it from (indexed by that channel).
struct ZeroPoint {
  Value scalar, perChannel;
};

ZeroPoint zeroPointOf(OpBuilder &b, Location loc, Value zp, bool isUnsigned) {
  auto t = cast<RankedTensorType>(zp.getType());
  if (t.getNumElements() == 1)
    return {widen(b, loc, scalarOf(b, loc, zp), isUnsigned), Value()};
  return {Value(), zp};
}

/// acc + (x - zx) * (w - zw), the operands widened to i32.
Value integerMac(OpBuilder &b, Location loc, Value acc, Value x, bool xUnsigned, Value zx,
                 Value w, bool wUnsigned, Value zw) {
  Value xc = b.create<arith::SubIOp>(loc, widen(b, loc, x, xUnsigned), zx);
  Value wc = b.create<arith::SubIOp>(loc, widen(b, loc, w, wUnsigned), zw);
  return b.create<arith::AddIOp>(loc, acc, b.create<arith::MulIOp>(loc, xc, wc));
}

struct MatMulIntegerLowering : OpConversionPattern<MatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MatMulIntegerOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto outType = op.getOutput().getType();
    int64_t rank = outType.getRank(); // loops: the result's dimensions, then k
    bool aU = op.getLhsUnsigned(), bU = op.getRhsUnsigned();
    ZeroPoint za = zeroPointOf(b, loc, adaptor.getLhsZeroPoint(), aU);
    int64_t m = rank - 2; // the row dimension of the loops
    ZeroPoint zb = zeroPointOf(b, loc, adaptor.getRhsZeroPoint(), bU);
    SmallVector<AffineExpr> aIdx, out;
    for (int64_t d = 0; d < rank - 1; ++d)
      aIdx.push_back(getAffineDimExpr(d, ctx));
    aIdx.push_back(getAffineDimExpr(rank, ctx));
    for (int64_t d = 0; d < rank; ++d)
      out.push_back(getAffineDimExpr(d, ctx));
    AffineExpr n = getAffineDimExpr(rank - 1, ctx), k = getAffineDimExpr(rank, ctx);
    SmallVector<Value> inputs = {adaptor.getLhs(), adaptor.getRhs()};
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, aIdx, ctx),
                                   AffineMap::get(rank + 1, 0, {k, n}, ctx)};
    if (za.perChannel) {
      inputs.push_back(za.perChannel);
      maps.push_back(AffineMap::get(rank + 1, 0, {getAffineDimExpr(m, ctx)}, ctx));
    }
    if (zb.perChannel) {
      inputs.push_back(zb.perChannel);
      maps.push_back(AffineMap::get(rank + 1, 0, {n}, ctx));
    }
    maps.push_back(AffineMap::get(rank + 1, 0, out, ctx));
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value init = filledWith(b, loc, outType.getShape(), i32Const(b, loc, 0));
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{outType}, inputs, ValueRange{init}, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange v) {
          int next = 2;
          Value zav = za.perChannel ? widen(nb, nl, v[next++], aU) : za.scalar;
          Value zbv = zb.perChannel ? widen(nb, nl, v[next++], bU) : zb.scalar;
          nb.create<linalg::YieldOp>(
              nl, integerMac(nb, nl, v.back(), v[0], aU, zav, v[1], bU, zbv));
        });
    b.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ConvIntegerLowering : OpConversionPattern<ConvIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConvIntegerOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto outType = op.getOutput().getType();
    auto wShape = op.getWeight().getType().getShape();
    bool xU = op.getInputUnsigned(), wU = op.getWeightUnsigned();
    // The input minus its zero point (one, or one per batch index) in i16, padded with 0:
    // padding contributes nothing, as ONNX Runtime pads with the zero point and TFLite's
    // hybrid kernels skip the positions.
    auto xs = op.getInput().getType().getShape();
    Value zx = adaptor.getInputZeroPoint();
    auto zt = cast<RankedTensorType>(zx.getType());
    AffineMap zmap = perBatchMap(zt, 4, xs[0], ctx);
    Type i16 = b.getI16Type();
    auto centeredType = RankedTensorType::get(xs, i16);
    Value x = b.create<linalg::GenericOp>(
                   loc, TypeRange{centeredType}, ValueRange{adaptor.getInput(), zx},
                   ValueRange{emptyTensor(b, loc, xs, i16)},
                   SmallVector<AffineMap>{b.getMultiDimIdentityMap(4), zmap,
                                          b.getMultiDimIdentityMap(4)},
                   SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
                   [&](OpBuilder &nb, Location nl, ValueRange v) {
                     Value c = nb.create<arith::SubIOp>(nl, widen(nb, nl, v[0], xU),
                                                        widen(nb, nl, v[1], xU));
                     nb.create<linalg::YieldOp>(nl, ValueRange{nb.create<arith::TruncIOp>(nl, nb.getI16Type(), c)});
                   })
                  .getResult(0);
    ZeroPoint zw = zeroPointOf(b, loc, adaptor.getWeightZeroPoint(), wU);
    auto p = op.getPads();
    if (llvm::any_of(p, [](int64_t v) { return v != 0; })) {
      auto padded = RankedTensorType::get({xs[0], xs[1], xs[2] + p[0] + p[2], xs[3] + p[1] + p[3]},
                                          i16);
      SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(p[0]),
                                      b.getIndexAttr(p[1])};
      SmallVector<OpFoldResult> hi = {b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(p[2]),
                                      b.getIndexAttr(p[3])};
      Value zero16 = b.create<arith::ConstantOp>(loc, b.getI16IntegerAttr(0));
      x = b.create<tensor::PadOp>(loc, padded, x, lo, hi, zero16);
    }
    // Loops (n, f, oh, ow, c, kh, kw); c runs over one group's input channels.
    int64_t group = op.getGroup(), fg = wShape[0] / group, cg = wShape[1];
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    auto s = op.getStrides(), dil = op.getDilations();
    AffineExpr channel = d(1).floorDiv(fg) * cg + d(4);
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0, {d(0), channel, d(2) * s[0] + d(5) * dil[0], d(3) * s[1] + d(6) * dil[1]},
                       ctx),
        AffineMap::get(7, 0, {d(1), d(4), d(5), d(6)}, ctx)};
    SmallVector<Value> inputs = {x, adaptor.getWeight()};
    if (zw.perChannel) {
      inputs.push_back(zw.perChannel);
      maps.push_back(AffineMap::get(7, 0, {d(1)}, ctx));
    }
    maps.push_back(AffineMap::get(7, 0, {d(0), d(1), d(2), d(3)}, ctx));
    SmallVector<utils::IteratorType> iterators(4, utils::IteratorType::parallel);
    iterators.append(3, utils::IteratorType::reduction);
    Value init = filledWith(b, loc, outType.getShape(), i32Const(b, loc, 0));
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{outType}, inputs, ValueRange{init}, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange v) {
          Value zwv = zw.perChannel ? widen(nb, nl, v[2], wU) : zw.scalar;
          Value xc = nb.create<arith::ExtSIOp>(nl, nb.getI32Type(), v[0]);
          Value wc = nb.create<arith::SubIOp>(nl, widen(nb, nl, v[1], wU), zwv);
          nb.create<linalg::YieldOp>(
              nl, ValueRange{nb.create<arith::AddIOp>(nl, v.back(),
                                                      nb.create<arith::MulIOp>(nl, xc, wc))});
        });
    b.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// The padded tensor filled with the value (per index of dimension 0, or one), then the
/// input inserted into it.
struct PadWithLowering : OpConversionPattern<PadWithOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PadWithOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = op.getOutput().getType();
    int64_t rank = type.getRank();
    Value value = adaptor.getValue();
    auto vt = cast<RankedTensorType>(value.getType());
    AffineMap vmap = perBatchMap(vt, rank, type.getDimSize(0), ctx);
    Value filled =
        b.create<linalg::GenericOp>(
             loc, TypeRange{type}, ValueRange{value},
             ValueRange{emptyTensor(b, loc, type.getShape(), b.getI8Type())},
             SmallVector<AffineMap>{vmap, b.getMultiDimIdentityMap(rank)},
             SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
             [](OpBuilder &nb, Location nl, ValueRange v) {
               nb.create<linalg::YieldOp>(nl, ValueRange{v[0]});
             })
            .getResult(0);
    auto inShape = op.getInput().getType().getShape();
    SmallVector<OpFoldResult> offsets, sizes, strides(rank, b.getIndexAttr(1));
    for (int64_t d = 0; d < rank; ++d) {
      offsets.push_back(b.getIndexAttr(op.getPads()[d]));
      sizes.push_back(b.getIndexAttr(inShape[d]));
    }
    b.replaceOpWithNewOp<tensor::InsertSliceOp>(op, adaptor.getInput(), filled, offsets, sizes,
                                                strides);
    return success();
  }
};

struct ZeroPointCorrectionLowering : OpConversionPattern<ZeroPointCorrectionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ZeroPointCorrectionOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = op.getOutput().getType();
    int64_t rank = type.getRank();
    bool zU = op.getZeroPointUnsigned();
    ZeroPoint z = zeroPointOf(b, loc, adaptor.getZeroPoint(), zU);
    SmallVector<Value> inputs = {adaptor.getAcc(), adaptor.getSums()};
    SmallVector<AffineMap> maps = {
        b.getMultiDimIdentityMap(rank),
        AffineMap::get(rank, 0, {getAffineDimExpr(op.getSumsAxis(), ctx)}, ctx)};
    if (z.perChannel) {
      inputs.push_back(z.perChannel);
      maps.push_back(AffineMap::get(rank, 0, {getAffineDimExpr(op.getZeroPointAxis(), ctx)}, ctx));
    }
    maps.push_back(b.getMultiDimIdentityMap(rank));
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{type}, inputs, ValueRange{emptyTensor(b, loc, type.getShape(), b.getI32Type())},
        maps, SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nl, ValueRange v) {
          Value zv = z.perChannel ? widen(nb, nl, v[2], zU) : z.scalar;
          Value product = nb.create<arith::MulIOp>(nl, zv, v[1]);
          nb.create<linalg::YieldOp>(nl, ValueRange{nb.create<arith::SubIOp>(nl, v[0], product)});
        });
    b.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::qcc::lowering::populateDynamicQuantPatterns(const TypeConverter &converter,
                                                       RewritePatternSet &patterns) {
  patterns.add<DynamicQuantizeLowering, MatMulIntegerLowering, ConvIntegerLowering,
               ZeroPointCorrectionLowering, PadWithLowering>(converter, patterns.getContext());
}
