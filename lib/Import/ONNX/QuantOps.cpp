//===- QuantOps.cpp - QuantizeLinear, DequantizeLinear and the integer ops ---===//
//
// QuantizeLinear / DequantizeLinear, QLinearConv / QLinearMatMul and ConvInteger /
// MatMulInteger.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

using namespace mlir;

namespace mlir::qcc::onnx_import {

bool Importer::importQuantizeLinear(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  if (attrInt(n, "block_size", 0) != 0) {
    nodeError(n) << "blocked quantization (block_size) is not supported";
    return false;
  }
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  if (!x)
    return false;
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank(), axis = attrInt(n, "axis", 1);
  if (axis < 0)
    axis += rank;
  int64_t axisDim = (axis >= 0 && axis < rank) ? xType.getDimSize(axis) : 1;
  auto qt = quantTypeFromParams(n, 1, 2, axis, rank, axisDim, onnx::TensorProto::UINT8);
  if (!qt)
    return false;
  if (cast<quant::QuantizedType>(*qt).getStorageTypeIntegralWidth() != 8) {
    nodeError(n) << "QuantizeLinear to " << cast<quant::QuantizedType>(*qt).getStorageTypeIntegralWidth()
                 << "-bit integers is not supported; supported: uint8, int8";
    return false;
  }
  define(n, 0,
         b.create<mlir::qcc::QuantizeOp>(loc, RankedTensorType::get(xType.getShape(), *qt), x));
  return true;
}

bool Importer::importDequantizeLinear(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  if (attrInt(n, "block_size", 0) != 0) {
    nodeError(n) << "blocked quantization (block_size) is not supported";
    return false;
  }
  Value x = lookup(n.input(0), n);
  if (!x)
    return false;
  auto xType = cast<RankedTensorType>(x.getType());
  int32_t onnxType = rawOnnxType(x, n.input(0));
  if (onnxType != onnx::TensorProto::UINT8 && onnxType != onnx::TensorProto::INT8 &&
      onnxType != onnx::TensorProto::INT32) {
    nodeError(n) << "input must be uint8, int8 or int32, not " << onnxTypeName(onnxType);
    return false;
  }
  int64_t rank = xType.getRank(), axis = attrInt(n, "axis", 1);
  if (axis < 0)
    axis += rank;
  int64_t axisDim = (axis >= 0 && axis < rank) ? xType.getDimSize(axis) : 1;
  auto qt = quantTypeFromParams(n, 1, 2, axis, rank, axisDim, onnxType);
  if (!qt)
    return false;
  Value q = asQuant(x, *qt, loc);
  define(n, 0,
         b.create<mlir::qcc::DequantizeOp>(loc, RankedTensorType::get(xType.getShape(), b.getF32Type()),
                                     q));
  return true;
}

/// QLinearConv / QLinearMatMul: the integer op (int32 accumulator, plus the int32 bias of
/// QLinearConv) and a requantize to y's parameters.
bool Importer::importQLinearConvOrMatMul(const onnx::NodeProto &n, bool isConv) {
  Location loc = nodeLoc(n);
  auto outType = typeOf(n.output(0), &n);
  if (!outType)
    return false;
  Value x = quantizedOperand(n, 0, 1, 2, 1);
  Value wRaw = lookup(n.input(3), n);
  if (!x || !wRaw)
    return false;
  int64_t wRank = cast<RankedTensorType>(wRaw.getType()).getRank();
  Value w = quantizedOperand(n, 3, 4, 5, isConv ? 0 : wRank - 1);
  if (!w)
    return false;
  auto xt = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(x.getType()).getElementType());
  if (!xt) {
    nodeError(n) << "per-axis quantization of the first input is not supported";
    return false;
  }
  int32_t yOnnxType = rawOnnxType(x, n.input(0));
  if (hasInput(n, 7))
    if (const onnx::TensorProto *t = constantTensor(n.input(7)))
      yOnnxType = t->data_type();
  int64_t outRank = outType->getRank();
  auto yq = quantTypeFromParams(n, 6, 7, 1, outRank, 1, yOnnxType);
  if (!yq)
    return false;
  if (!isa<quant::UniformQuantizedType>(*yq)) {
    nodeError(n) << "the output must be quantized per tensor";
    return false;
  }
  auto wqt = cast<quant::QuantizedType>(cast<RankedTensorType>(w.getType()).getElementType());
  Type accElement = mlir::qcc::getAccumulatorType(xt, wqt, isConv ? 1 : outRank - 1);
  auto accType = RankedTensorType::get(outType->getShape(), accElement);
  Value acc;
  if (isConv) {
    Value bias;
    if (hasInput(n, 8)) {
      Value raw = lookup(n.input(8), n);
      if (!raw)
        return false;
      bias = asQuant(raw, biasTypeFor(accElement, 0), loc);
    }
    acc = buildConv(n, accType, x, w, bias);
    if (!acc)
      return false;
  } else {
    acc = b.create<mlir::qcc::MatMulOp>(loc, accType, x, w);
  }
  define(n, 0,
         b.create<mlir::qcc::RequantizeOp>(loc, RankedTensorType::get(outType->getShape(), *yq),
                                           acc, DenseF32ArrayAttr(), IntegerAttr(), IntegerAttr()));
  return true;
}

/// DynamicQuantizeLinear: qcc.dynamic_quantize (uint8 values, scale, zero point).
bool Importer::importDynamicQuantizeLinear(const onnx::NodeProto &n) {
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  if (!x)
    return false;
  auto shape = cast<RankedTensorType>(x.getType()).getShape();
  auto q = b.create<mlir::qcc::DynamicQuantizeOp>(
      nodeLoc(n), RankedTensorType::get(shape, b.getI8Type()),
      RankedTensorType::get({}, b.getF32Type()), RankedTensorType::get({}, b.getI8Type()), x);
  for (int i = 0; i < 3 && i < n.output_size(); ++i)
    if (!n.output(i).empty())
      define(n, i, q->getResult(i));
  return true;
}

/// ConvInteger / MatMulInteger whose zero points are not all constants (the run-time
/// zero point of a DynamicQuantizeLinear): qcc.conv_integer / qcc.matmul_integer on the
/// stored 8-bit values.
bool Importer::importIntegerWithRuntimeZeroPoints(const onnx::NodeProto &n, bool isConv,
                                                  RankedTensorType outType) {
  Location loc = nodeLoc(n);
  SmallVector<Value> operands;
  SmallVector<bool> unsignedness;
  for (int i = 0; i < 4; ++i) {
    Value v;
    int32_t type = onnx::TensorProto::UINT8;
    if (hasInput(n, i)) {
      v = lookup(n.input(i), n);
      if (!v)
        return false;
      type = rawOnnxType(v, n.input(i));
      v = asStorage(v, loc);
    } else {
      // An absent zero point is 0, of its data's type.
      type = rawOnnxType(operands[i - 2], n.input(i - 2));
      v = b.create<arith::ConstantOp>(
          loc, DenseElementsAttr::get(RankedTensorType::get({}, b.getI8Type()), int8_t(0)));
    }
    if ((type != onnx::TensorProto::UINT8 && type != onnx::TensorProto::INT8) ||
        !cast<RankedTensorType>(v.getType()).getElementType().isInteger(8)) {
      nodeError(n) << "input " << i << " ('" << (hasInput(n, i) ? n.input(i) : "")
                   << "') must be uint8 or int8, not " << onnxTypeName(type);
      return false;
    }
    operands.push_back(v);
    unsignedness.push_back(type == onnx::TensorProto::UINT8);
  }
  auto accType = RankedTensorType::get(outType.getShape(), b.getI32Type());
  Value acc;
  if (isConv) {
    auto xShape = cast<RankedTensorType>(operands[0].getType()).getShape();
    auto wShape = cast<RankedTensorType>(operands[1].getType()).getShape();
    if (xShape.size() != 4 || wShape.size() != 4) {
      nodeError(n) << "only 2-D convolution (rank-4 NCHW input) is supported; input has rank "
                   << xShape.size();
      return false;
    }
    auto strides = attrInts(n, "strides", {1, 1});
    auto dilations = attrInts(n, "dilations", {1, 1});
    auto pads = resolvePads(n, xShape.drop_front(2), wShape.drop_front(2), strides, dilations);
    if (!pads) {
      nodeError(n) << "unsupported auto_pad '" << attrString(n, "auto_pad", "") << "'";
      return false;
    }
    acc = b.create<mlir::qcc::ConvIntegerOp>(
        loc, accType, operands[0], operands[1], operands[2], operands[3],
        b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
        b.getDenseI64ArrayAttr(dilations), b.getI64IntegerAttr(attrInt(n, "group", 1)),
        b.getBoolAttr(unsignedness[0]), b.getBoolAttr(unsignedness[1]));
  } else {
    if (cast<RankedTensorType>(operands[1].getType()).getRank() != 2) {
      nodeError(n) << "with a run-time zero point, B must be a matrix (rank 2)";
      return false;
    }
    acc = b.create<mlir::qcc::MatMulIntegerOp>(loc, accType, operands[0], operands[1],
                                               operands[2], operands[3],
                                               b.getBoolAttr(unsignedness[0]),
                                               b.getBoolAttr(unsignedness[1]));
  }
  define(n, 0, acc);
  return true;
}

/// ConvInteger / MatMulInteger: the int32 accumulator itself (scale 1), wrapping on
/// overflow like the ONNX reference.
bool Importer::importIntegerConvOrMatMul(const onnx::NodeProto &n, bool isConv) {
  Location loc = nodeLoc(n);
  auto outType = typeOf(n.output(0), &n);
  if (!outType)
    return false;
  for (int i : {2, 3})
    if (hasInput(n, i) && !constantTensor(n.input(i)))
      return importIntegerWithRuntimeZeroPoints(n, isConv, *outType);
  Value x = quantizedOperand(n, 0, -1, 2, 1);
  Value wRaw = lookup(n.input(1), n);
  if (!x || !wRaw)
    return false;
  int64_t wRank = cast<RankedTensorType>(wRaw.getType()).getRank();
  Value w = quantizedOperand(n, 1, -1, 3, isConv ? 0 : wRank - 1);
  if (!w)
    return false;
  auto xt = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(x.getType()).getElementType());
  if (!xt) {
    nodeError(n) << "a per-row zero point for the first input is not supported";
    return false;
  }
  auto wqt = cast<quant::QuantizedType>(cast<RankedTensorType>(w.getType()).getElementType());
  auto accType = RankedTensorType::get(
      outType->getShape(), mlir::qcc::getAccumulatorType(xt, wqt, isConv ? 1 : outType->getRank() - 1));
  if (isConv) {
    Value conv = buildConv(n, accType, x, w, Value());
    if (!conv)
      return false;
    define(n, 0, conv);
  } else {
    define(n, 0, b.create<mlir::qcc::MatMulOp>(loc, accType, x, w));
  }
  return true;
}

} // namespace mlir::qcc::onnx_import
