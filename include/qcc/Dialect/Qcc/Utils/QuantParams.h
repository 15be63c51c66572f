//===- QuantParams.h - the parameters of a quantized type ---------*- C++ -*-===//
//
// One way to read a !quant.uniform type's scales and zero points (per tensor or per axis)
// as the f32 and int32 values qcc's arithmetic uses: the lowering, qcc-fold-fake-quant and
// qcc-fuse-requantize all read them here.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_DIALECT_QCC_UTILS_QUANTPARAMS_H
#define QCC_DIALECT_QCC_UTILS_QUANTPARAMS_H

#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Types.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace mlir::qcc {

/// The per-tensor activation types the integer products (conv2d, gemm, matmul) read and
/// write: 8-bit, or 16-bit signed with zero point 0 (int16 activations with int8 weights,
/// "int16x8"); null for any other type. The ops' verifiers, qcc-fold-fake-quant and
/// qcc-fuse-requantize all ask here.
inline quant::UniformQuantizedType productActivationType(Type t) {
  auto u = llvm::dyn_cast_or_null<quant::UniformQuantizedType>(t);
  if (!u)
    return nullptr;
  unsigned w = u.getStorageTypeIntegralWidth();
  return w == 8 || (w == 16 && u.isSigned() && u.getZeroPoint() == 0) ? u : nullptr;
}

/// Quantization parameters of a !quant.uniform type, per tensor (axis == -1) or per axis.
struct QuantParams {
  SmallVector<float> scales;
  /// The scales as the type holds them (f64). They differ from `scales` only for an int32
  /// accumulator whose scale is the exact product s_x * s_w (see getAccumulatorType): the
  /// --requant=fixed multipliers are computed from these, as TFLite does.
  SmallVector<double> realScales;
  SmallVector<int32_t> zeroPoints;
  int64_t axis = -1;
  int64_t qmin = 0, qmax = 0;
  bool isSigned = true;
  unsigned width = 8;
};

QuantParams getQuantParams(Type elementType);

} // namespace mlir::qcc

#endif // QCC_DIALECT_QCC_UTILS_QUANTPARAMS_H
