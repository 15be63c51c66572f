//===- VerifyUtils.h - helpers shared by the op verifiers ------------------===//
//
// Internal to lib/Dialect/Qcc/IR: QccOps.cpp, QccOpsIndexing.cpp and QccOpsDynamicQuant.cpp.
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

/// The window attributes of a 2-D convolution: 2 positive strides and dilations, 4
/// non-negative pads.
inline LogicalResult verifyWindowAttrs(Operation *op, ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  if (strides.size() != 2 || llvm::any_of(strides, [](int64_t s) { return s <= 0; }))
    return op->emitOpError("expects 2 positive strides");
  if (pads.size() != 4 || llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return op->emitOpError("expects 4 non-negative pads [top, left, bottom, right]");
  if (dilations.size() != 2 || llvm::any_of(dilations, [](int64_t d) { return d <= 0; }))
    return op->emitOpError("expects 2 positive dilations");
  return success();
}

/// Every operand and result statically shaped.
inline LogicalResult verifyStatic(Operation *op) {
  auto isDynamic = [](Type t) {
    auto rt = dyn_cast<RankedTensorType>(t);
    return rt && !rt.hasStaticShape();
  };
  if (llvm::any_of(op->getOperandTypes(), isDynamic) ||
      llvm::any_of(op->getResultTypes(), isDynamic))
    return op->emitOpError("requires statically shaped tensors");
  return success();
}

/// The shape `in` has after `pads` (all begins, then all ends; non-negative, two per
/// dimension); fails after reporting otherwise.
inline FailureOr<SmallVector<int64_t>> paddedShape(Operation *op, ArrayRef<int64_t> pads,
                                                    RankedTensorType in) {
  int64_t rank = in.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return op->emitOpError("pads has ") << pads.size() << " entries for rank " << rank;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    if (pads[d] < 0 || pads[d + rank] < 0)
      return op->emitOpError("pads must be non-negative");
    shape.push_back(in.getDimSize(d) + pads[d] + pads[d + rank]);
  }
  return shape;
}

} // namespace mlir::qcc

#endif // QCC_LIB_DIALECT_QCC_IR_VERIFYUTILS_H
