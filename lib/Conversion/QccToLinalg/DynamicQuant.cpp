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

struct DynamicQuantizeLowering : OpConversionPattern<DynamicQuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(DynamicQuantizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    Type f32 = b.getF32Type();
    auto scalarType = RankedTensorType::get({}, f32);
    float inf = std::numeric_limits<float>::infinity();
    Value lo0 = b.create<linalg::FillOp>(loc, f32Const(b, loc, inf), emptyTensor(b, loc, {}, f32))
                    .getResult(0);
    Value hi0 = b.create<linalg::FillOp>(loc, f32Const(b, loc, -inf), emptyTensor(b, loc, {}, f32))
                    .getResult(0);
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank), AffineMap::get(rank, 0, ctx),
                                   AffineMap::get(rank, 0, ctx)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::reduction);
    auto range = b.create<linalg::GenericOp>(
        loc, TypeRange{scalarType, scalarType}, ValueRange{x}, ValueRange{lo0, hi0}, maps,
        iterators, [&](OpBuilder &nb, Location nl, ValueRange a) {
          nb.create<linalg::YieldOp>(
              nl, ValueRange{minOf(nb, nl, a[0], a[1]), maxOf(nb, nl, a[0], a[2])});
        });
    // ONNX Runtime's GetQuantizationParameter, in f32.
    Value zero = f32Const(b, loc, 0.f);
    Value lo = minOf(b, loc, scalarOf(b, loc, range.getResult(0)), zero);
    Value hi = maxOf(b, loc, scalarOf(b, loc, range.getResult(1)), zero);
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
    b.replaceOp(op, {out, b.create<tensor::FromElementsOp>(loc, scalarType, scale),
                     b.create<tensor::FromElementsOp>(
                         loc, RankedTensorType::get({}, b.getI8Type()), zp8)});
    return success();
  }
};

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
          Value zbv = zb.perChannel ? widen(nb, nl, v[2], bU) : zb.scalar;
          nb.create<linalg::YieldOp>(
              nl, integerMac(nb, nl, v.back(), v[0], aU, za.scalar, v[1], bU, zbv));
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
    // Padding reads the input's zero point, which contributes 0.
    Value zx8 = scalarOf(b, loc, adaptor.getInputZeroPoint());
    ZeroPoint zx = {widen(b, loc, zx8, xU), Value()};
    ZeroPoint zw = zeroPointOf(b, loc, adaptor.getWeightZeroPoint(), wU);
    auto p = op.getPads();
    Value x = adaptor.getInput();
    if (llvm::any_of(p, [](int64_t v) { return v != 0; })) {
      auto xs = op.getInput().getType().getShape();
      auto padded = RankedTensorType::get({xs[0], xs[1], xs[2] + p[0] + p[2], xs[3] + p[1] + p[3]},
                                          b.getI8Type());
      SmallVector<OpFoldResult> lo = {b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(p[0]),
                                      b.getIndexAttr(p[1])};
      SmallVector<OpFoldResult> hi = {b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(p[2]),
                                      b.getIndexAttr(p[3])};
      x = b.create<tensor::PadOp>(loc, padded, x, lo, hi, zx8);
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
          nb.create<linalg::YieldOp>(
              nl, integerMac(nb, nl, v.back(), v[0], xU, zx.scalar, v[1], wU, zwv));
        });
    b.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::qcc::lowering::populateDynamicQuantPatterns(const TypeConverter &converter,
                                                       RewritePatternSet &patterns) {
  patterns.add<DynamicQuantizeLowering, MatMulIntegerLowering, ConvIntegerLowering>(
      converter, patterns.getContext());
}
