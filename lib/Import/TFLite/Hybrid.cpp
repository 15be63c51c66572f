//===- Hybrid.cpp - TFLite's dynamic-range (hybrid) kernels ---------------===//
//
// A FULLY_CONNECTED, CONV_2D or DEPTHWISE_CONV_2D with a float32 input and an int8 filter is
// one of TFLite's hybrid kernels (what the converter writes for `optimizations = [DEFAULT]`
// without a representative dataset): the input is quantized at run time per batch index,
// the product accumulates in int32, and the accumulator is scaled back to float by the
// input's and the filter's scales, the float bias added. The import writes that as qcc ops:
// qcc.dynamic_quantize (TFLite's symmetric or asymmetric scheme), qcc.matmul_integer /
// qcc.conv_integer with the per-batch input offsets, then the float scaling in TFLite's
// order of operations.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Import/Common/ImportUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace mlir::qcc::tflite_import {

bool Importer::isHybrid(int inputTensor, int filterTensor) {
  const tfl::Tensor &f = tensor(filterTensor);
  return tensor(inputTensor).type() == tfl::TensorType_FLOAT32 &&
         f.type() == tfl::TensorType_INT8 && f.quantization() && f.quantization()->scale() &&
         f.quantization()->scale()->size() > 0;
}

SmallVector<float> Importer::filterScales(int filterTensor) {
  SmallVector<float> scales;
  for (float s : *tensor(filterTensor).quantization()->scale())
    scales.push_back(s);
  return scales;
}

namespace {

Value f32Constant(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ArrayRef<float> values) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, values));
}

Value mul(OpBuilder &b, Location loc, Value lhs, Value rhs, ArrayRef<int64_t> shape) {
  return b.create<mlir::qcc::MulOp>(loc, RankedTensorType::get(shape, b.getF32Type()), lhs, rhs);
}

} // namespace

Value Importer::hybridFullyConnected(int i, Value x, int wi, Value bias, bool asymmetric) {
  Location loc = opLoc(i);
  auto xs = cast<RankedTensorType>(x.getType()).getShape(); // [batch, inputs]
  SmallVector<int64_t> ws = shapeOf(wi);                     // [units, inputs]
  int64_t batch = xs[0], units = ws[0];
  Type i8 = b.getI8Type();
  auto q = b.create<mlir::qcc::DynamicQuantizeOp>(
      loc, RankedTensorType::get(xs, i8), RankedTensorType::get({batch}, b.getF32Type()),
      RankedTensorType::get({batch}, i8), x,
      b.getStringAttr(asymmetric ? "asymmetric" : "symmetric"));
  Value w = permutedConstant(wi, {1, 0}, Type()); // inputs x units, int8
  if (!w)
    return {};
  Value zeroW = b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(RankedTensorType::get({}, i8), int8_t(0)));
  Value acc = b.create<mlir::qcc::MatMulIntegerOp>(
      loc, RankedTensorType::get({batch, units}, b.getI32Type()), q.getOutput(), w,
      q.getZeroPoint(), zeroW, b.getBoolAttr(false), b.getBoolAttr(false));
  Value y = b.create<mlir::qcc::CastOp>(
      loc, RankedTensorType::get({batch, units}, b.getF32Type()), acc, b.getBoolAttr(false),
      b.getBoolAttr(false));
  // Per tensor: scaling_factor[b] *= filter scale, then dot * scaling_factor. Per channel:
  // dot * (scaling_factor[b] * per_channel_scale[unit]) (LiteRT 2.3's reference kernels).
  SmallVector<float> scales = filterScales(wi);
  Value sf = reshape(q.getScale(), {batch, 1}, loc);
  if (scales.size() > 1) {
    Value s = mul(b, loc, sf, f32Constant(b, loc, {units}, scales), {batch, units});
    y = mul(b, loc, y, s, {batch, units});
  } else {
    sf = mul(b, loc, sf, f32Constant(b, loc, {}, scales[0]), {batch, 1});
    y = mul(b, loc, y, sf, {batch, units});
  }
  if (bias)
    y = b.create<mlir::qcc::AddOp>(loc, y.getType(), y, bias);
  return y;
}

Value Importer::hybridConv(int i, Value x, int wi, Value w, Value bias, RankedTensorType outType,
                           ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                           ArrayRef<int64_t> dilations, int64_t group, bool depthwise) {
  Location loc = opLoc(i);
  auto xs = cast<RankedTensorType>(x.getType()).getShape(); // NCHW
  int64_t n = xs[0], channels = outType.getDimSize(1);
  Type i8 = b.getI8Type();
  SmallVector<float> scales = filterScales(wi);
  // Per-channel filters (and every depthwise one): TFLite's EvalHybridPerChannel, the input
  // quantized asymmetrically per batch index; a per-tensor CONV_2D filter: EvalHybrid,
  // symmetric, the filter's scale folded into the batch's scaling factor.
  bool perChannel = depthwise || scales.size() > 1 || group != 1;
  auto q = b.create<mlir::qcc::DynamicQuantizeOp>(
      loc, RankedTensorType::get(xs, i8), RankedTensorType::get({n}, b.getF32Type()),
      RankedTensorType::get({n}, i8), x, b.getStringAttr(perChannel ? "asymmetric" : "symmetric"));
  Value zeroW = b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(RankedTensorType::get({}, i8), int8_t(0)));
  auto shape = outType.getShape();
  Value acc = b.create<mlir::qcc::ConvIntegerOp>(
      loc, RankedTensorType::get(shape, b.getI32Type()), q.getOutput(), storageView(b, loc, w),
      q.getZeroPoint(), zeroW, b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(pads),
      b.getDenseI64ArrayAttr(dilations), b.getI64IntegerAttr(group), b.getBoolAttr(false),
      b.getBoolAttr(false));
  Value y = b.create<mlir::qcc::CastOp>(loc, RankedTensorType::get(shape, b.getF32Type()), acc,
                                        b.getBoolAttr(false), b.getBoolAttr(false));
  Value sf = reshape(q.getScale(), {n, 1, 1, 1}, loc);
  if (perChannel) {
    if (scales.size() == 1)
      scales.assign(channels, scales[0]);
    Value pcs = f32Constant(b, loc, {1, channels, 1, 1}, scales);
    if (depthwise) {
      // DEPTHWISE_CONV_2D: acc * (per_channel_scale[c] * scaling_factor[b]).
      y = mul(b, loc, y, mul(b, loc, pcs, sf, {n, channels, 1, 1}), shape);
    } else {
      // CONV_2D: acc * per_channel_scale[c] * scaling_factor[b], left to right.
      y = mul(b, loc, y, pcs, shape);
      y = mul(b, loc, y, sf, shape);
    }
  } else {
    sf = mul(b, loc, sf, f32Constant(b, loc, {}, scales[0]), {n, 1, 1, 1});
    y = mul(b, loc, y, sf, shape);
  }
  if (bias)
    y = b.create<mlir::qcc::AddOp>(loc, y.getType(), y, reshape(bias, {1, channels, 1, 1}, loc));
  return y;
}

} // namespace mlir::qcc::tflite_import
