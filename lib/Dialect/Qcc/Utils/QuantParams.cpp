//===- QuantParams.cpp - the parameters of a quantized type ---------------===//
#include "qcc/Dialect/Qcc/Utils/QuantParams.h"

#include "mlir/Dialect/Quant/QuantTypes.h"

namespace mlir::qcc {

QuantParams getQuantParams(Type elementType) {
  auto qt = cast<quant::QuantizedType>(elementType);
  QuantParams p;
  p.qmin = qt.getStorageTypeMin();
  p.qmax = qt.getStorageTypeMax();
  p.isSigned = qt.isSigned();
  p.width = qt.getStorageTypeIntegralWidth();
  if (auto u = dyn_cast<quant::UniformQuantizedType>(qt)) {
    p.scales.push_back(static_cast<float>(u.getScale()));
    p.realScales.push_back(u.getScale());
    p.zeroPoints.push_back(static_cast<int32_t>(u.getZeroPoint()));
  } else {
    auto pa = cast<quant::UniformQuantizedPerAxisType>(qt);
    p.axis = pa.getQuantizedDimension();
    for (double s : pa.getScales()) {
      p.scales.push_back(static_cast<float>(s));
      p.realScales.push_back(s);
    }
    for (int64_t z : pa.getZeroPoints())
      p.zeroPoints.push_back(static_cast<int32_t>(z));
  }
  return p;
}

} // namespace mlir::qcc
