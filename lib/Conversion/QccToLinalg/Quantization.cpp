//===- Quantization.cpp - quantize, dequantize and requantize to linalg ---===//
//
// qcc.requantize's arithmetic (also the epilogue of fused contractions), and the
// conversions between float and quantized tensors.
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

namespace mlir::qcc::lowering {

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
    for (auto [k, scale] : llvm::enumerate(in.realScales)) {
      // TFLite's multiplier: the real scales' quotient in f64. A multiplier that is not
      // the f32 quotient qcc would use by default was folded from an affine after the
      // product (PyTorch QAT's Div / BatchNormalization): it is taken as given.
      double real = scale / static_cast<double>(out.scales[0]);
      if (multiplier && !multiplier->empty()) {
        float given = (*multiplier)[multiplier->size() == 1 ? 0 : k];
        if (given != in.scales[k] / out.scales[0])
          real = given;
      }
      FixedMultiplier m(real);
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

} // namespace mlir::qcc::lowering

namespace {

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

} // namespace

void mlir::qcc::lowering::populateQuantizationPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
    const LoweringOptions &o) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<RequantizeLowering>(converter, ctx, o.fixed);
  patterns.add<QuantizeLowering, DequantizeLowering, StorageCastLowering>(converter, ctx);
}
