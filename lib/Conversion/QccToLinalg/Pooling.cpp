//===- Pooling.cpp - pooling qcc ops to linalg ----------------------------===//
//
// Max, average (ONNX Runtime's or TFLite's integer rounding) and global average pooling.
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

/// Sliding-window reduction over a padded NCHW input. Loops: n, c, oh, ow | kh, kw.
Value poolWindow(OpBuilder &b, Location loc, Value padded, ArrayRef<int64_t> outShape,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dilations, Value init,
                 function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  Value window = emptyTensor(b, loc, kernel, init.getType());
  Value acc = filledWith(b, loc, outShape, init);
  SmallVector<AffineMap> maps = {
      AffineMap::get(6, 0,
                     {d(0), d(1), d(2) * strides[0] + d(4) * dilations[0],
                      d(3) * strides[1] + d(5) * dilations[1]},
                     ctx),
      AffineMap::get(6, 0, {d(4), d(5)}, ctx), AffineMap::get(6, 0, {d(0), d(1), d(2), d(3)}, ctx)};
  using IT = utils::IteratorType;
  SmallVector<IT> iters = {IT::parallel, IT::parallel,  IT::parallel,
                           IT::parallel, IT::reduction, IT::reduction};
  return b
      .create<linalg::GenericOp>(loc, TypeRange{acc.getType()}, ValueRange{padded, window}, acc,
                                 maps, iters,
                                 [&](OpBuilder &nb, Location nl, ValueRange v) {
                                   nb.create<linalg::YieldOp>(nl, combine(nb, nl, v[2], v[0]));
                                 })
      .getResult(0);
}

/// Pads a pooling input: the declared pads, plus what ceil_mode's last window reads.
Value padForPool(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> outShape,
                 ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                 ArrayRef<int64_t> dilations, Value value) {
  auto in = cast<RankedTensorType>(input.getType()).getShape();
  SmallVector<int64_t> high = {pads[2], pads[3]};
  for (int i = 0; i < 2; ++i)
    high[i] += extraEndPad(in[2 + i], outShape[2 + i], kernel[i], strides[i], pads[i],
                           pads[2 + i], dilations[i]);
  return padSpatial(b, loc, input, pads.take_front(2), high, value);
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outShape = op.getType().getShape();
    // Padding never wins: -inf, or the smallest stored integer (the maximum of quantized
    // values with a positive scale is taken on the integers).
    Type element = op.getType().getElementType();
    std::optional<QuantParams> q;
    Value lowest;
    if (isa<quant::QuantizedType>(element)) {
      q = getQuantParams(element);
      lowest = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(b.getIntegerType(q->width), q->qmin));
    } else {
      lowest = f32Const(b, loc, -std::numeric_limits<float>::infinity());
    }
    Value padded = padForPool(b, loc, adaptor.getInput(), outShape, op.getKernelShape(),
                              op.getStrides(), op.getPads(), op.getDilations(), lowest);
    b.replaceOp(op, poolWindow(b, loc, padded, outShape, op.getKernelShape(), op.getStrides(),
                               op.getDilations(), lowest,
                               [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                                 if (!q)
                                   return nb.create<arith::MaximumFOp>(nl, acc, v);
                                 if (q->isSigned)
                                   return nb.create<arith::MaxSIOp>(nl, acc, v);
                                 return nb.create<arith::MaxUIOp>(nl, acc, v);
                               }));
    return success();
  }
};

/// Average pooling. The float form sums in f32 and divides by the window's element count.
/// The integer form (8-bit input and result):
///  - float mode, ONNX Runtime's QLinearAveragePool: each input dequantized in f32
///    (s_x * float(x - zp_x)), summed in window order, divided by the count, then
///    y = saturate(round_half_even(avg / s_y + float(zp_y)));
///  - fixed mode, TFLite's int8 AVERAGE_POOL_2D: with equal input and output parameters
///    the stored integers are summed and divided by the count rounding half away from zero;
///    otherwise the same rounded average of x - zp_x is requantized by s_x / s_y (Q31).
struct AvgPoolLowering : ModeAwareLowering<AvgPoolOp> {
  using ModeAwareLowering::ModeAwareLowering;

  LogicalResult matchAndRewrite(AvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto inShape = op.getInput().getType().getShape();
    auto outShape = op.getType().getShape();
    auto k = op.getKernelShape(), s = op.getStrides(), p = op.getPads();
    int64_t ones[] = {1, 1};
    // Divisor per output position, as ONNX Runtime counts it: the window clipped to the
    // padded extent (count_include_pad) or to the real input.
    int64_t oh = outShape[2], ow = outShape[3];
    SmallVector<int32_t> counts;
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t x = 0; x < ow; ++x) {
        int64_t count = 1;
        for (int i = 0; i < 2; ++i) {
          int64_t o = i == 0 ? y : x;
          int64_t start = o * s[i] - p[i];
          int64_t end = std::min(start + k[i], inShape[2 + i] + p[2 + i]);
          int64_t len = end - start;
          if (!op.getCountIncludePad())
            len = std::min(end, inShape[2 + i]) - std::max<int64_t>(start, 0);
          count *= len;
        }
        counts.push_back(static_cast<int32_t>(count));
      }
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(4),
                                   AffineMap::get(4, 0, {d(2), d(3)}, ctx)};
    Value countTensor;
    auto constant = [&](Type element, auto values) {
      auto type = RankedTensorType::get({oh, ow}, element);
      return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, ArrayRef(values)));
    };

    Type element = op.getInput().getType().getElementType();
    if (!isa<quant::QuantizedType>(element)) {
      Value zero = f32Const(b, loc, 0.f);
      Value padded = padForPool(b, loc, adaptor.getInput(), outShape, k, s, p, ones, zero);
      Value sum = poolWindow(b, loc, padded, outShape, k, s, ones, zero,
                             [](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                               return nb.create<arith::AddFOp>(nl, acc, v);
                             });
      SmallVector<float> divisor(counts.begin(), counts.end());
      b.replaceOp(op, buildElementwise(
                          b, loc, ValueRange{sum, constant(b.getF32Type(), divisor)},
                          op.getType(),
                          [](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                            return nb.create<arith::DivFOp>(nl, v[0], v[1]);
                          },
                          maps));
      return success();
    }

    QuantParams qx = getQuantParams(element), qy = getQuantParams(op.getType().getElementType());
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Type storage = b.getIntegerType(qx.width);
    bool global = oh == 1 && ow == 1 && k[0] == inShape[2] && k[1] == inShape[3] &&
                  llvm::all_of(p, [](int64_t v) { return v == 0; });
    if (!fixed && global) {
      // ONNX Runtime runs a window covering the whole unpadded plane as
      // QLinearGlobalAveragePool: int32 sum(x) - zp_x * n, then
      // round_half_even(float(sum) * (s_x / (s_y * n))) + zp_y, saturated.
      int64_t n = k[0] * k[1];
      Value sum = poolWindow(b, loc, adaptor.getInput(), outShape, k, s, ones,
                             i32Const(b, loc, -qx.zeroPoints[0] * n),
                             [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                               return nb.create<arith::AddIOp>(nl, acc, widenToI32(nb, nl, v, qx));
                             });
      float m = ::mlir::qcc::averageRequantScale(qx.scales[0], qy.scales[0], n);
      QuantParams sumParams; // the int32 sum: zero point 0, scale s_x / n
      sumParams.scales = {qx.scales[0] / static_cast<float>(n)};
      sumParams.zeroPoints = {0};
      sumParams.width = 32;
      b.replaceOp(op, buildRequantization(b, loc, sum, sumParams, qy, ArrayRef<float>{m},
                                          std::nullopt, std::nullopt, /*fixed=*/false, outType,
                                          ChannelLayout{}));
      return success();
    }
    if (!fixed) {
      // Padding stores zp_x, whose dequantized value 0.0 leaves the f32 sum unchanged.
      Value padded = padForPool(b, loc, adaptor.getInput(), outShape, k, s, p, ones,
                                storageZeroPoint(b, loc, qx));
      Value sum = poolWindow(
          b, loc, padded, outShape, k, s, ones, f32Const(b, loc, 0.f),
          [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
            Value real = dequantizeElement(nb, nl, v, qx, f32Const(nb, nl, qx.scales[0]),
                                           i32Const(nb, nl, qx.zeroPoints[0]));
            return nb.create<arith::AddFOp>(nl, acc, real);
          });
      SmallVector<float> divisor(counts.begin(), counts.end());
      b.replaceOp(op, buildElementwise(
                          b, loc, ValueRange{sum, constant(b.getF32Type(), divisor)}, outType,
                          [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                            Value avg = nb.create<arith::DivFOp>(nl, v[0], v[1]);
                            Value y = nb.create<arith::DivFOp>(nl, avg,
                                                               f32Const(nb, nl, qy.scales[0]));
                            y = nb.create<arith::AddFOp>(
                                nl, y, f32Const(nb, nl, static_cast<float>(qy.zeroPoints[0])));
                            return saturateToStorage(nb, nl, nb.create<math::RoundEvenOp>(nl, y),
                                                     qy);
                          },
                          maps));
      return success();
    }
    // Fixed point. Equal parameters: TFLite sums the stored integers (padding adds 0).
    bool same = qx.scales[0] == qy.scales[0] && qx.zeroPoints[0] == qy.zeroPoints[0];
    int64_t padStored = same ? 0 : qx.zeroPoints[0];
    Value padded = padForPool(b, loc, adaptor.getInput(), outShape, k, s, p, ones,
                              b.create<arith::ConstantOp>(loc, b.getIntegerAttr(storage, padStored)));
    Value sum = poolWindow(b, loc, padded, outShape, k, s, ones, i32Const(b, loc, 0),
                           [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                             Value x = widenToI32(nb, nl, v, qx);
                             if (!same)
                               x = nb.create<arith::SubIOp>(nl, x,
                                                            i32Const(nb, nl, qx.zeroPoints[0]));
                             return nb.create<arith::AddIOp>(nl, acc, x);
                           });
    FixedMultiplier m(static_cast<double>(qx.scales[0]) / static_cast<double>(qy.scales[0]));
    b.replaceOp(op, buildElementwise(
                        b, loc, ValueRange{sum, constant(b.getI32Type(), counts)}, outType,
                        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                          // (acc +- n/2) / n, the division truncating toward zero.
                          Value half = nb.create<arith::DivSIOp>(nl, v[1], i32Const(nb, nl, 2));
                          Value positive = nb.create<arith::CmpIOp>(
                              nl, arith::CmpIPredicate::sgt, v[0], i32Const(nb, nl, 0));
                          Value nudged = nb.create<arith::SelectOp>(
                              nl, positive, nb.create<arith::AddIOp>(nl, v[0], half),
                              nb.create<arith::SubIOp>(nl, v[0], half));
                          Value y = nb.create<arith::DivSIOp>(nl, nudged, v[1]);
                          if (!same) {
                            y = fixedMultiply(nb, nl, y, m);
                            y = nb.create<arith::AddIOp>(nl, y,
                                                         i32Const(nb, nl, qy.zeroPoints[0]));
                          }
                          return narrowToStorage(nb, nl, y, qy);
                        },
                        maps));
    return success();
  }
};

struct GlobalAvgPoolLowering : OpConversionPattern<GlobalAvgPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GlobalAvgPoolOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto in = op.getInput().getType().getShape();
    Type element = op.getInput().getType().getElementType();
    if (isa<quant::QuantizedType>(element)) {
      // Integer form: sum(x) - zp * H * W in int32.
      QuantParams q = getQuantParams(element);
      int32_t bias = -q.zeroPoints[0] * static_cast<int32_t>(in[2] * in[3]);
      Value init = b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(bias));
      Value sum = reduceDims(b, loc, adaptor.getInput(), {2, 3}, init,
                             [&](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                               return nb.create<arith::AddIOp>(nl, acc, widenToI32(nb, nl, v, q));
                             });
      b.replaceOp(op, expand(b, loc, sum, op.getType().getShape(), {{0}, {1, 2, 3}}));
      return success();
    }
    Value sum = reduceDims(b, loc, adaptor.getInput(), {2, 3}, f32Const(b, loc, 0.f),
                           [](OpBuilder &nb, Location nl, Value acc, Value v) -> Value {
                             return nb.create<arith::AddFOp>(nl, acc, v);
                           });
    float count = static_cast<float>(in[2] * in[3]);
    auto sumType = RankedTensorType::get({in[0], in[1]}, b.getF32Type());
    Value mean = buildElementwise(b, loc, sum, sumType,
                                  [count](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                    return nb.create<arith::DivFOp>(nl, v[0],
                                                                    f32Const(nb, nl, count));
                                  });
    b.replaceOp(op, expand(b, loc, mean, op.getType().getShape(), {{0}, {1, 2, 3}}));
    return success();
  }
};

} // namespace

namespace {
/// reduce_mean: an f32 sum over the axes, then one multiply by 1 / count.
struct ReduceMeanLowering : OpConversionPattern<ReduceMeanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ReduceMeanOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto in = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t count = 1;
    for (int64_t a : op.getAxes())
      count *= in.getDimSize(a);
    Value sum = reduceDims(b, loc, adaptor.getInput(), op.getAxes(), f32Const(b, loc, 0.f),
                           [](OpBuilder &nb, Location nl, Value acc, Value x) -> Value {
                             return nb.create<arith::AddFOp>(nl, acc, x);
                           });
    float inv = 1.f / static_cast<float>(count);
    b.replaceOp(op, buildElementwise(b, loc, ValueRange{sum}, op.getType(),
                                     [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                       return nb.create<arith::MulFOp>(nl, v[0],
                                                                       f32Const(nb, nl, inv));
                                     }));
    return success();
  }
};
} // namespace

void mlir::qcc::lowering::populatePoolingPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
    const LoweringOptions &o) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<AvgPoolLowering>(converter, ctx, o.fixed);
  patterns.add<MaxPoolLowering, GlobalAvgPoolLowering, ReduceMeanLowering>(converter, ctx);
}
