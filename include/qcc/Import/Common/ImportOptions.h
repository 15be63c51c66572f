//===- ImportOptions.h - what the driver tells every importer ----*- C++ -*-===//
#ifndef QCC_IMPORT_COMMON_IMPORTOPTIONS_H
#define QCC_IMPORT_COMMON_IMPORTOPTIONS_H

#include <map>
#include <string>
#include <vector>

namespace mlir::qcc {

struct ImportOptions {
  /// --input-shape=NAME:1x3x224x224 pins (dynamic) input dimensions.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Folder that external-data initializers must live in (the model's folder).
  std::string modelDir = ".";
  /// Name used in locations (the model's path).
  std::string fileName = "model.onnx";
  /// Put on each op the name of the model's tensor its first result is (qcc.tensor): what
  /// --emit=onnx needs to write qcc's quantization back into the model.
  bool recordTensorNames = false;
};

} // namespace mlir::qcc

#endif // QCC_IMPORT_COMMON_IMPORTOPTIONS_H
