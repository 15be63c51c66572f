//===- Pipelines.h - qcc's pass pipelines and code generation ----*- C++ -*-===//
#ifndef QCC_PIPELINES_PIPELINES_H
#define QCC_PIPELINES_PIPELINES_H

#include "qcc/Dialect/Qcc/Utils/QuantMath.h"
#include "qcc/Target/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
}

namespace mlir::qcc {

struct CompileOptions {
  std::string name = "model"; ///< C identifier prefix of the generated symbols
  TargetDesc target;
  unsigned optLevel = 3;      ///< -O0..-O3
  int64_t arenaAlignment = 64;
  RequantMode requantMode = RequantMode::Float;
  /// Threads each layer is split over (qcc_parallel_for in runtime/qcc_parallel.c); 1 is
  /// single-threaded code that needs no runtime.
  int64_t threads = 1;
};

/// The requantization arithmetic a target gets when none is asked for: the fixed-point one
/// on the Cortex-M targets (TFLite Micro's, and no FPU instruction in an integer model),
/// ONNX Runtime's float one elsewhere. The driver and qcc-lower-to-llvm both ask here.
RequantMode defaultRequantMode(const TargetDesc &target);

/// Why `options` cannot be compiled for its target (empty if they can): --threads on a
/// bare-metal target.
std::string checkCompileOptions(const CompileOptions &options);

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

/// `s` made a C identifier: other characters become '_', a leading digit gets "m_".
std::string makeCIdentifier(llvm::StringRef s);
/// `s` is a C identifier.
bool isCIdentifier(llvm::StringRef s);

/// Writes `bytes` to `path` ("-": stdout), creating its folder; false with `error` set.
bool writeOutputFile(llvm::StringRef path, llvm::StringRef bytes, std::string &error);

/// A diagnostic as compilers print it: "model.onnx: error: node 'x' (Conv, ...): ...",
/// its notes indented below.
void printDiagnostic(mlir::Diagnostic &diag, llvm::raw_ostream &os);

/// What `qcc -v` prints after compiling: the arena plan and its lower bound, the threads,
/// the target and the compile time.
struct CompiledModel;
void printCompileSummary(const CompiledModel &model, const CompileOptions &options,
                         double seconds, llvm::raw_ostream &os);

/// What `compile` stops after and returns.
enum class EmitKind {
  Mlir,     ///< the qcc dialect after the qcc pipeline (text)
  LLVMIR,   ///< optimized LLVM IR (text)
  Assembly, ///< target assembly (text)
  Object,   ///< an ELF relocatable object and its C header
};

/// A compiled model: what the driver writes, and what it reports.
struct CompiledModel {
  /// The object's bytes, or the text `EmitKind` asked for.
  std::string code;
  /// The C header (EmitKind::Object).
  std::string header;
  /// Tensors of the C interface, the arena plan and the layer counts.
  ModelInterface interface;
  /// The per-layer table of `qcc -v` (printLayerReport).
  std::string layerReport;
};

/// Compiles an imported module (the qcc dialect, as importONNX made it) for
/// options.target: the qcc pipeline, the lowering and LLVM's code generation. `sourceName`
/// (the model's path) is quoted in the header. `configure`, when given, is applied to each
/// pass manager before it runs (the driver's --mlir-* pass-manager options); with `timing`
/// the passes and LLVM's code generation are timed under it.
/// Diagnostics go to the module's context; on failure, `error` says which stage failed.
mlir::FailureOr<CompiledModel>
compile(mlir::ModuleOp module, const CompileOptions &options, EmitKind emit,
        llvm::StringRef sourceName, std::string &error,
        llvm::function_ref<mlir::LogicalResult(mlir::PassManager &)> configure = {},
        mlir::TimingScope *timing = nullptr);

} // namespace mlir::qcc

#endif // QCC_PIPELINES_PIPELINES_H
