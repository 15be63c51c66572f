//===- ImportUtils.cpp - what every frontend needs ------------------------===//
#include "qcc/Import/Common/ImportUtils.h"

#include "qcc/Dialect/Qcc/IR/QccDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Quant/QuantTypes.h"

#include <cmath>

using namespace mlir;

namespace mlir::qcc {

int64_t QuantStorage::min() const {
  return isSigned ? -(int64_t(1) << (width - 1)) : 0;
}

int64_t QuantStorage::max() const {
  return isSigned ? (int64_t(1) << (width - 1)) - 1 : (int64_t(1) << width) - 1;
}

Type quantizedElementType(Location loc, QuantStorage storage, ArrayRef<double> scales,
                          ArrayRef<int64_t> zeroPoints, int32_t axis,
                          function_ref<InFlightDiagnostic()> error) {
  if (zeroPoints.size() != scales.size()) {
    error() << "scale and zero point have different sizes (" << scales.size() << " vs "
            << zeroPoints.size() << ")";
    return {};
  }
  for (double s : scales)
    if (!(s > 0) || !std::isfinite(s)) {
      error() << "scales must be positive and finite, found " << s;
      return {};
    }
  MLIRContext *ctx = loc.getContext();
  unsigned flags = storage.isSigned ? quant::QuantizationFlags::Signed : 0;
  Type integer = IntegerType::get(ctx, storage.width);
  Type f32 = Float32Type::get(ctx);
  if (scales.size() == 1)
    return quant::UniformQuantizedType::getChecked(loc, flags, integer, f32, scales[0],
                                                   zeroPoints[0], storage.min(),
                                                   storage.max());
  return quant::UniformQuantizedPerAxisType::getChecked(loc, flags, integer, f32, scales,
                                                        zeroPoints, axis, storage.min(),
                                                        storage.max());
}

DenseElementsAttr denseElements(RankedTensorType type, ArrayRef<double> values) {
  Type et = type.getElementType();
  if (et.isF32()) {
    std::vector<float> f(values.begin(), values.end());
    return DenseElementsAttr::get(type, llvm::ArrayRef(f));
  }
  unsigned width = et.getIntOrFloatBitWidth();
  std::vector<APInt> ints;
  ints.reserve(values.size());
  for (double v : values)
    ints.push_back(APInt(64, static_cast<uint64_t>(static_cast<int64_t>(v)), /*isSigned=*/true)
                       .trunc(width));
  return DenseElementsAttr::get(type, ints);
}

Value storageView(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  auto qt = dyn_cast<quant::QuantizedType>(t.getElementType());
  if (!qt)
    return v;
  auto st = RankedTensorType::get(t.getShape(), b.getIntegerType(qt.getStorageTypeIntegralWidth()));
  return b.create<quant::StorageCastOp>(loc, st, v);
}

Value quantizedView(OpBuilder &b, Location loc, Value v, Type quantElementType) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == quantElementType)
    return v;
  v = storageView(b, loc, v);
  return b.create<quant::StorageCastOp>(
      loc, RankedTensorType::get(t.getShape(), quantElementType), v);
}

std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

void finishEntryFunction(OpBuilder &b, Location loc, func::FuncOp func, ValueRange results,
                         ArrayRef<TensorLabel> inputs, ArrayRef<TensorLabel> outputs) {
  b.create<func::ReturnOp>(loc, results);
  func.setType(b.getFunctionType(func.getArgumentTypes(), results.getTypes()));
  for (auto [i, label] : llvm::enumerate(inputs)) {
    func.setArgAttr(i, kNameAttrName, b.getStringAttr(label.name));
    func.setArgAttr(i, kDtypeAttrName, b.getStringAttr(label.dtype));
  }
  for (auto [i, label] : llvm::enumerate(outputs)) {
    func.setResultAttr(i, kNameAttrName, b.getStringAttr(label.name));
    func.setResultAttr(i, kDtypeAttrName, b.getStringAttr(label.dtype));
  }
  func->setAttr(kEntryAttrName, b.getUnitAttr());
  func->setAttr(kNumInputsAttrName, b.getI64IntegerAttr(inputs.size()));
  func->setAttr(kNumOutputsAttrName, b.getI64IntegerAttr(outputs.size()));
}

} // namespace mlir::qcc
