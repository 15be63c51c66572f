//===- VerifyUtils.h - helpers shared by the op verifiers ------------------===//
//
// Internal to lib/Dialect/Qcc/IR: QccOps.cpp and QccOpsIndexing.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef QCC_LIB_DIALECT_QCC_IR_VERIFYUTILS_H
#define QCC_LIB_DIALECT_QCC_IR_VERIFYUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/STLExtras.h"

#include <string>

namespace mlir::qcc {

/// "2x3x4" (empty for a scalar).
inline std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? "x" : "") + std::to_string(d);
  return s;
}

/// Fails, naming both shapes, when result 0 does not have `expected`.
inline LogicalResult verifyExpectedShape(Operation *op, ArrayRef<int64_t> expected) {
  auto actual = cast<RankedTensorType>(op->getResult(0).getType()).getShape();
  if (actual != expected)
    return op->emitOpError("result shape ")
           << shapeStr(actual) << " does not match the expected " << shapeStr(expected);
  return success();
}

} // namespace mlir::qcc

#endif // QCC_LIB_DIALECT_QCC_IR_VERIFYUTILS_H
