//===- MicrosoftOps.cpp - com.microsoft QOperator ops ---------------------===//
//
// ONNX Runtime's contrib ops that quantize_static writes in QOperator format.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

using namespace mlir;

namespace mlir::qcc::onnx_import {

bool Importer::importMicrosoftOp(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  const std::string &op = n.op_type();
  auto outType = typeOf(n.output(0), &n);
  if (!outType)
    return false;
  int64_t rank = outType->getRank();
  auto resultQuant = [&](int scaleIdx, int zpIdx, Value like) -> std::optional<Type> {
    int32_t onnxType = hasInput(n, zpIdx) && constantTensor(n.input(zpIdx))
                           ? constantTensor(n.input(zpIdx))->data_type()
                           : rawOnnxType(like, n.input(0));
    return quantTypeFromParams(n, scaleIdx, zpIdx, 1, rank, 1, onnxType);
  };
  auto withElement = [&](Type e) { return RankedTensorType::get(outType->getShape(), e); };
  auto floatOf = [&](Value q) {
    return b.create<mlir::qcc::DequantizeOp>(
        loc, RankedTensorType::get(cast<RankedTensorType>(q.getType()).getShape(), b.getF32Type()), q);
  };

  if (op == "QLinearAdd" || op == "QLinearMul") {
    Value a = quantizedOperand(n, 0, 1, 2, 0), bq = quantizedOperand(n, 3, 4, 5, 0);
    if (!a || !bq)
      return false;
    auto yq = resultQuant(6, 7, a);
    if (!yq)
      return false;
    if (op == "QLinearAdd") {
      define(n, 0, b.create<mlir::qcc::AddOp>(loc, withElement(*yq), a, bq));
    } else {
      // dequantize, multiply, quantize: qcc-fold-fake-quant makes it an integer qcc.mul.
      Value prod = b.create<mlir::qcc::MulOp>(loc, withElement(b.getF32Type()), floatOf(a), floatOf(bq));
      define(n, 0, b.create<mlir::qcc::QuantizeOp>(loc, withElement(*yq), prod));
    }
    return true;
  }
  if (op == "QLinearSigmoid") {
    Value x = quantizedOperand(n, 0, 1, 2, 0);
    auto yq = x ? resultQuant(3, 4, x) : std::nullopt;
    if (!yq)
      return false;
    Value s = b.create<mlir::qcc::SigmoidOp>(loc, withElement(b.getF32Type()), floatOf(x));
    define(n, 0, b.create<mlir::qcc::QuantizeOp>(loc, withElement(*yq), s));
    return true;
  }
  // QLinearGlobalAveragePool and QLinearAveragePool: (x, x_scale, x_zp, y_scale, y_zp), NCHW.
  auto poolOperands = [&](Value &x) -> std::optional<Type> {
    if (attrInt(n, "channels_last", 0) != 0) {
      nodeError(n) << "channels_last=1 is not supported";
      return std::nullopt;
    }
    x = quantizedOperand(n, 0, 1, 2, 0);
    return x ? resultQuant(3, 4, x) : std::nullopt;
  };
  if (op == "QLinearGlobalAveragePool") {
    Value x;
    auto yq = poolOperands(x);
    if (!yq)
      return false;
    auto xt = cast<quant::UniformQuantizedType>(cast<RankedTensorType>(x.getType()).getElementType());
    auto shape = cast<RankedTensorType>(x.getType()).getShape();
    int64_t count = shape[2] * shape[3];
    auto accType = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, b.getI32Type(), b.getF32Type(),
        static_cast<double>(static_cast<float>(xt.getScale())) / static_cast<double>(count), 0,
        std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    Value acc = b.create<mlir::qcc::GlobalAvgPoolOp>(loc, withElement(accType), x);
    float m = ::mlir::qcc::averageRequantScale(static_cast<float>(xt.getScale()),
                                         static_cast<float>(cast<quant::UniformQuantizedType>(*yq).getScale()),
                                         count);
    define(n, 0, b.create<mlir::qcc::RequantizeOp>(loc, withElement(*yq), acc,
                                                   b.getDenseF32ArrayAttr({m}), IntegerAttr(),
                                                   IntegerAttr()));
    return true;
  }
  if (op == "QLinearAveragePool") {
    Value x;
    auto yq = poolOperands(x);
    if (!yq)
      return false;
    // dequantize, average, quantize: qcc-fold-fake-quant makes it an integer qcc.avg_pool.
    Value pool = buildPool(n, false, floatOf(x), outType->getShape());
    if (!pool)
      return false;
    define(n, 0, b.create<mlir::qcc::QuantizeOp>(loc, withElement(*yq), pool));
    return true;
  }
  if (op == "QLinearConcat") {
    SmallVector<Value> inputs;
    for (int i = 2; i < n.input_size(); i += 3) {
      Value x = quantizedOperand(n, i, i + 1, i + 2, 0);
      if (!x)
        return false;
      inputs.push_back(x);
    }
    if (inputs.empty()) {
      nodeError(n) << "has no inputs to concatenate";
      return false;
    }
    auto yq = resultQuant(0, 1, inputs[0]);
    if (!yq)
      return false;
    for (Value &x : inputs)
      if (cast<RankedTensorType>(x.getType()).getElementType() != *yq)
        x = b.create<mlir::qcc::RequantizeOp>(
            loc, RankedTensorType::get(cast<RankedTensorType>(x.getType()).getShape(), *yq), x,
            DenseF32ArrayAttr(), IntegerAttr(), IntegerAttr());
    int64_t axis = attrInt(n, "axis", 0);
    if (axis < 0)
      axis += rank;
    define(n, 0, b.create<mlir::qcc::ConcatOp>(loc, withElement(*yq), inputs, b.getI64IntegerAttr(axis)));
    return true;
  }
  if (op == "QGemm") {
    if (attrFloat(n, "alpha", 1.f) != 1.f || attrInt(n, "transA", 0) != 0) {
      nodeError(n) << "only alpha = 1 and transA = 0 are supported";
      return false;
    }
    bool transB = attrInt(n, "transB", 0) != 0;
    Value a = quantizedOperand(n, 0, 1, 2, 0);
    Value bq = quantizedOperand(n, 3, 4, 5, transB ? 0 : 1);
    if (!a || !bq)
      return false;
    auto at = dyn_cast<quant::UniformQuantizedType>(cast<RankedTensorType>(a.getType()).getElementType());
    if (!at) {
      nodeError(n) << "A must be quantized per tensor";
      return false;
    }
    Type accElement = mlir::qcc::getAccumulatorType(
        at, cast<quant::QuantizedType>(cast<RankedTensorType>(bq.getType()).getElementType()), 1);
    Value c;
    if (hasInput(n, 6)) {
      Value raw = lookup(n.input(6), n);
      if (!raw)
        return false;
      c = asQuant(raw, biasTypeFor(accElement, cast<RankedTensorType>(raw.getType()).getRank() - 1),
                  loc);
    }
    Value acc = b.create<mlir::qcc::GemmOp>(loc, withElement(accElement), a, bq, c,
                                            b.getBoolAttr(false), b.getBoolAttr(transB),
                                            b.getF32FloatAttr(1.f), b.getF32FloatAttr(1.f));
    if (!hasInput(n, 7)) { // float output
      define(n, 0, floatOf(acc));
      return true;
    }
    auto yq = resultQuant(7, 8, a);
    if (!yq)
      return false;
    define(n, 0, b.create<mlir::qcc::RequantizeOp>(loc, withElement(*yq), acc, DenseF32ArrayAttr(),
                                                   IntegerAttr(), IntegerAttr()));
    return true;
  }
  nodeError(n) << "unsupported com.microsoft op";
  return false;
}

} // namespace mlir::qcc::onnx_import
