//===- FuzzImport.cpp - libFuzzer targets for the importers ---------------===//
//
// Built three times (tools/qcc-fuzz/CMakeLists.txt): qcc-fuzz-onnx feeds the bytes to the
// ONNX importer as they are (binary protobuf, or text syntax if they start with '<');
// qcc-fuzz-onnxtxt always as ONNX text syntax; qcc-fuzz-tflite to the TFLite importer, with
// the file identifier "TFL3" written into bytes 4-7 so that mutations reach the reader. Any input must give either a module that
// verifies or diagnostics; a crash, a sanitizer report, a hang or runaway memory is a bug.
// See scripts/fuzz.sh.
//
//===----------------------------------------------------------------------===//
#include "qcc/Import/ONNX/ONNXImporter.h"
#include "qcc/Import/TFLite/TFLiteImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"

#include <cstdint>
#include <memory>
#include <string>

namespace {

/// A context that is recreated every so often: attributes and types made from fuzzed data
/// are interned in it for its lifetime.
mlir::MLIRContext &context() {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static unsigned uses = 0;
  if (!ctx || ++uses % 2000 == 0) {
    ctx = std::make_unique<mlir::MLIRContext>(); // the importer loads its dialects
    ctx->printOpOnDiagnostic(false);
  }
  return *ctx;
}

/// An empty folder as the model's folder: external data may only name files inside it.
const std::string &emptyModelDir() {
  static std::string dir = [] {
    llvm::SmallString<128> path;
    if (llvm::sys::fs::createUniqueDirectory("qcc-fuzz", path))
      return std::string("/nonexistent-qcc-fuzz-dir");
    return std::string(path);
  }();
  return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string contents(reinterpret_cast<const char *>(data), size);
#if QCC_FUZZ_TEXT
  if (contents.empty() || contents[0] != '<')
    contents.insert(0, "<");
#endif
  mlir::MLIRContext &ctx = context();
  mlir::ScopedDiagnosticHandler quiet(&ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::qcc::ImportOptions opts;
  opts.modelDir = emptyModelDir();
  opts.fileName = "fuzz.onnx";
#if QCC_FUZZ_TFLITE
  if (contents.size() >= 8)
    contents.replace(4, 4, "TFL3");
  opts.fileName = "fuzz.tflite";
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::qcc::importTFLite(contents, opts, &ctx);
#else
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::qcc::importONNX(contents, opts, &ctx);
#endif
  if (module && mlir::failed(mlir::verify(*module)))
    __builtin_trap(); // the importer returned a module that does not verify
  return 0;
}
