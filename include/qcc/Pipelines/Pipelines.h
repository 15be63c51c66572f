//===- Pipelines.h - qcc's pass pipelines and code generation ----*- C++ -*-===//
#ifndef QCC_PIPELINES_PIPELINES_H
#define QCC_PIPELINES_PIPELINES_H

#include "qcc/Target/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
}

namespace qcc {

struct CompileOptions {
  std::string name = "model"; ///< C identifier prefix of the generated symbols
  TargetDesc target;
  unsigned optLevel = 3;      ///< -O0..-O3
  int64_t arenaAlignment = 64;
  /// "float" (ONNX Runtime's MLAS arithmetic) or "fixed" (TFLite's integer-only arithmetic).
  std::string requantMode = "float";
  /// Threads each layer is split over (qcc_parallel_for in runtime/qcc_parallel.c); 1 is
  /// single-threaded code that needs no runtime.
  int64_t threads = 1;
};

/// qcc dialect to qcc dialect: canonicalization and the qcc-level passes. `--emit=mlir`
/// prints the module after this pipeline.
void buildQccPipeline(mlir::OpPassManager &pm, const CompileOptions &options);

/// qcc dialect to the LLVM dialect with the C entry point: linalg, bufferization, the arena
/// plan, loops, LLVM.
void buildLoweringPipeline(mlir::OpPassManager &pm, const CompileOptions &options);

/// Registers every dialect qcc's pipelines touch (qcc-opt and qcc share it).
void registerQccDialects(mlir::DialectRegistry &registry);

/// Registers qcc's passes and the named pipelines `qcc-pipeline` and `qcc-lower-to-llvm`.
void registerQccPasses();

enum class OutputKind { LLVMIR, Assembly, Object };

/// Translates an LLVM-dialect module, optimizes it at options.optLevel for options.target and
/// writes LLVM IR, assembly or an ELF relocatable object. `error` says why on failure.
bool emitCode(mlir::ModuleOp module, const CompileOptions &options, OutputKind kind,
              llvm::raw_pwrite_stream &os, std::string &error);

/// One tensor of the C interface.
struct TensorInfo {
  std::string name;   ///< ONNX name
  std::string dtype;  ///< ONNX dtype name: float32, uint8, int8, ...
  std::vector<int64_t> shape;
  int64_t bytes = 0;
  std::string quant;  ///< "scale=..., zero_point=..." when the tensor is quantized
};

struct ModelInterface {
  std::vector<TensorInfo> inputs, outputs;
  int64_t arenaSize = 0, arenaLowerBound = 0, arenaAlign = 64;
  /// Layers split over threads (qcc --threads), of how many.
  int64_t parallelLayers = 0, layers = 0;
};

/// Reads the interface off the imported (qcc dialect) module's entry function.
ModelInterface describeInterface(mlir::ModuleOp imported);

/// Writes the C99 header of the C ABI.
void writeCHeader(const ModelInterface &iface, const CompileOptions &options,
                  llvm::StringRef sourceName, llvm::raw_ostream &os);

/// The per-layer report of `qcc -v`: op, shapes, MACs.
void printLayerReport(mlir::ModuleOp imported, llvm::raw_ostream &os);

} // namespace qcc

#endif // QCC_PIPELINES_PIPELINES_H
