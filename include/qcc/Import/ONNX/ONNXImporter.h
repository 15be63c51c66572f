//===- ONNXImporter.h - ONNX model to qcc dialect ----------------*- C++ -*-===//
//
// Structural import only: every ONNX node becomes the qcc op with the same semantics (or a
// view of one), with ONNX's attributes and shapes resolved. Nothing is fused or folded here;
// that is the passes' job.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_IMPORT_ONNX_ONNXIMPORTER_H
#define QCC_IMPORT_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "qcc/Import/Common/ImportOptions.h"

#include <map>
#include <string>
#include <vector>

namespace mlir::qcc {

/// Imports a binary (protobuf) or textual ONNX model. On failure returns null after
/// reporting every problem found through the context's diagnostic engine.
mlir::OwningOpRef<mlir::ModuleOp> importONNX(llvm::StringRef contents,
                                             const ImportOptions &options,
                                             mlir::MLIRContext *context);

/// Writes the ONNX model `contents` (the one imported with options.recordTensorNames) with
/// the quantization qcc-quantize put in `quantized`: QuantizeLinear/DequantizeLinear pairs on
/// the quantized tensors, int8 weights behind DequantizeLinear (lib/Import/ONNX/ExportQDQ.cpp).
/// False with `error` set.
bool exportQDQModel(llvm::StringRef contents, const ImportOptions &options,
                    mlir::ModuleOp quantized, std::string &bytes, std::string &error);

/// Parses "NAME:1x3x224x224"; false on a malformed spec.
bool parseInputShape(llvm::StringRef spec, std::string &name, std::vector<int64_t> &shape);

} // namespace mlir::qcc

#endif // QCC_IMPORT_ONNX_ONNXIMPORTER_H
