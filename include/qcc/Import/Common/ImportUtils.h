//===- ImportUtils.h - what every frontend needs -----------------*- C++ -*-===//
//
// Frontend-independent pieces of importing a quantized model into the qcc dialect, shared
// by the ONNX importer (lib/Import/ONNX) and the importers to come (TFLite): building the
// !quant.uniform element types from scales and zero points with the checks every format
// needs, constants from decoded tensor data, and the storage casts between a quantized
// tensor and its raw integers.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_IMPORT_COMMON_IMPORTUTILS_H
#define QCC_IMPORT_COMMON_IMPORTUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"

#include <optional>
#include <string>

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace mlir::qcc {

/// The integer storage of a quantized tensor.
struct QuantStorage {
  unsigned width = 8;
  bool isSigned = true;
  /// The full range of the storage type.
  int64_t min() const;
  int64_t max() const;
};

/// The !quant.uniform element type (f32 expressed values) for `storage`: per tensor when
/// `scales` has one entry, else per axis `axis` with one scale and zero point per index.
/// Scales must be positive and finite, and there must be as many zero points as scales;
/// a violation is reported through `error` (which prefixes it with the node or operator at
/// fault) and gives a null type. Zero points outside the storage range are reported by the
/// quant dialect's verifier at `loc`.
mlir::Type quantizedElementType(mlir::Location loc, QuantStorage storage,
                                llvm::ArrayRef<double> scales,
                                llvm::ArrayRef<int64_t> zeroPoints, int32_t axis,
                                llvm::function_ref<mlir::InFlightDiagnostic()> error);

/// A dense constant of `type` (f32 or an integer type) from decoded values; integers are
/// truncated to the element width.
mlir::DenseElementsAttr denseElements(mlir::RankedTensorType type,
                                      llvm::ArrayRef<double> values);

/// The raw integers of a quantized tensor (quant.scast); other values unchanged.
mlir::Value storageView(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v);

/// `v` (quantized or its storage integers) seen with the quantized element type
/// `quantElementType`.
mlir::Value quantizedView(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                          mlir::Type quantElementType);

/// `axis` counted from the end when negative (numpy / ONNX / TFLite convention), in
/// [0, rank); nullopt when it is out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// A graph input or output as the C header names it: its name in the model and its element
/// type in the model's words ("uint8", "float32", ...).
struct TensorLabel {
  std::string name;
  std::string dtype;
};

/// Ends the import of a graph into `func` (whose entry block ends with the values to return):
/// returns `results`, sets the function type, names each argument and result (qcc.name,
/// qcc.dtype) and marks the function as the model's entry (qcc.entry, qcc.num_inputs,
/// qcc.num_outputs).
void finishEntryFunction(mlir::OpBuilder &b, mlir::Location loc, mlir::func::FuncOp func,
                         mlir::ValueRange results, llvm::ArrayRef<TensorLabel> inputs,
                         llvm::ArrayRef<TensorLabel> outputs);

} // namespace mlir::qcc

#endif // QCC_IMPORT_COMMON_IMPORTUTILS_H
