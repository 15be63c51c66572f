//===- TFLiteImporter.h - TensorFlow Lite model to qcc dialect ---*- C++ -*-===//
//
// Structural import, like the ONNX importer: every TFLite operator becomes the qcc ops with
// its semantics, quantized tensors as !quant.uniform values seen through
// qcc.dequantize / qcc.quantize (the fake-quant form qcc-fold-fake-quant turns into integer
// kernels). TFLite's NHWC activations are carried in qcc's NCHW layout: rank-4 graph
// inputs and outputs are transposed at the boundary, filters are permuted at import.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_IMPORT_TFLITE_TFLITEIMPORTER_H
#define QCC_IMPORT_TFLITE_TFLITEIMPORTER_H

#include "qcc/Import/Common/ImportOptions.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir::qcc {

/// The bytes are a TFLite flatbuffer: its file identifier "TFL3" sits at offset 4.
bool isTFLiteModel(llvm::StringRef contents);

/// Imports a TFLite flatbuffer (schema version 3). On failure returns null after reporting
/// every problem found through the context's diagnostic engine.
mlir::OwningOpRef<mlir::ModuleOp> importTFLite(llvm::StringRef contents,
                                               const ImportOptions &options,
                                               mlir::MLIRContext *context);

/// "ADD, AVERAGE_POOL_2D, ...": the builtin operators the importer supports, sorted.
std::string supportedTFLiteOpList();

} // namespace mlir::qcc

#endif // QCC_IMPORT_TFLITE_TFLITEIMPORTER_H
