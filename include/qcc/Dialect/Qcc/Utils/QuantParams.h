//===- QuantParams.h - the parameters of a quantized type ---------*- C++ -*-===//
//
// One way to read a !quant.uniform type's scales and zero points (per tensor or per axis)
// as the f32 and int32 values qcc's arithmetic uses: the lowering, qcc-fold-fake-quant and
// qcc-fuse-requantize all read them here.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_DIALECT_QCC_UTILS_QUANTPARAMS_H
#define QCC_DIALECT_QCC_UTILS_QUANTPARAMS_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace mlir::qcc {

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
