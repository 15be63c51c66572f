//===- qcc.cpp - the qcc compiler driver ----------------------------------===//
//
//   qcc model.onnx --target=aarch64-rpi4 -o model.o     # writes model.o and model.h
//
// Thin: parses options, then calls importONNX and mlir::qcc::compile (lib/Pipelines/Compile.cpp)
// and writes what they return.
//
//===----------------------------------------------------------------------===//
#include "qcc/Calibration/Calibration.h"
#include "qcc/Import/ONNX/ONNXImporter.h"
#include "qcc/Import/TFLite/TFLiteImporter.h"
#include "qcc/Pipelines/Pipelines.h"
#include "qcc/Target/Target.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <chrono>

using namespace llvm;

namespace {

// --help lists qcc's options first, by category (LLVM sorts categories by name: these come
// before "Generic Options"), then MLIR's own in a category of their own.
cl::OptionCategory ioCategory("Compile: input and output");
cl::OptionCategory targetCategory("Compile: target and code generation");
cl::OptionCategory quantCategory("Quantize a float model (post-training quantization)");
cl::OptionCategory diagCategory("Diagnostics");
cl::OptionCategory mlirCategory("MLIR: pass manager, IR printing and timing (--mlir-*)");
const cl::OptionCategory *qccCategories[] = {&ioCategory, &targetCategory, &quantCategory,
                                             &diagCategory};

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"), cl::cat(ioCategory));
cl::opt<std::string> outputFile("o", cl::desc("Output file (object: NAME.o, with NAME.h beside it)"),
                                cl::value_desc("file"), cl::cat(ioCategory));
cl::opt<std::string> targetName("target", cl::desc("Target to compile for (see --list-targets)"),
                                cl::init("host"), cl::cat(targetCategory));
cl::opt<std::string> modelName("name", cl::desc("C identifier of the model (default: output file name)"),
                               cl::value_desc("id"), cl::cat(ioCategory));
cl::opt<std::string> headerFile("header", cl::desc("Where to write the C header (default: beside the object)"),
                                cl::value_desc("path"), cl::cat(ioCategory));
enum class Emit { Import, Mlir, Llvm, Asm, Obj, Onnx };
cl::opt<Emit> emitKind(
    "emit", cl::desc("What to write"), cl::init(Emit::Obj),
    cl::values(clEnumValN(Emit::Import, "import",
                          "qcc dialect as imported, before any pass (with --quantize: in its "
                          "QDQ form, after qcc-quantize)"),
               clEnumValN(Emit::Mlir, "mlir", "qcc dialect after the qcc pipeline"),
               clEnumValN(Emit::Llvm, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "target assembly"),
               clEnumValN(Emit::Obj, "obj", "ELF relocatable object + C header (default)"),
               clEnumValN(Emit::Onnx, "onnx",
                          "with --quantize: the QDQ ONNX model qcc chose (ONNX input only)")),
    cl::cat(ioCategory));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 (default 3)"), cl::Prefix,
                           cl::init(3), cl::cat(targetCategory));
cl::list<std::string> inputShapes("input-shape", cl::desc("Pin an input's shape: NAME:1x3x224x224"),
                                  cl::value_desc("name:shape"), cl::cat(ioCategory));
cl::opt<mlir::qcc::RequantMode> requantMode(
    "requant", cl::desc("Integer requantization arithmetic"), cl::init(mlir::qcc::RequantMode::Float),
    cl::values(clEnumValN(mlir::qcc::RequantMode::Float, "float",
                          "f32 multiplier, round half to even (ONNX Runtime's MLAS; default, "
                          "except on Cortex-M targets)"),
               clEnumValN(mlir::qcc::RequantMode::Fixed, "fixed",
                          "Q31 multiplier and shift, TFLite/gemmlowp rounding (no FPU needed; "
                          "default on Cortex-M targets)")),
    cl::cat(targetCategory));
/// --threads. libLLVM registers a hidden "threads" option of its own at load time, so ours
/// is created in main, after that one is renamed out of the way.
cl::opt<int> &threadsOption() {
  auto &registered = cl::getRegisteredOptions();
  if (auto it = registered.find("threads"); it != registered.end())
    it->second->setArgStr("llvm-threads");
  static cl::opt<int> threads(
      "threads",
      cl::desc("Split each layer over N threads (a pthread pool: link runtime/qcc_parallel.c "
               "and -pthread); 1 (default) is single-threaded code needing no runtime"),
      cl::value_desc("N"), cl::init(1), cl::cat(targetCategory));
  return threads;
}
enum class QuantizeKind { None, Int8 };
cl::opt<QuantizeKind> quantizeKind(
    "quantize", cl::desc("Quantize a float model after calibrating it on --calib"),
    cl::init(QuantizeKind::None),
    cl::values(clEnumValN(QuantizeKind::Int8, "int8",
                          "int8 weights (symmetric) and activations (asymmetric); with "
                          "--precision=mixed, int16 activations or float where needed")),
    cl::cat(quantCategory));
cl::opt<std::string> calibFile(
    "calib", cl::desc("Calibration set: a NumPy .npz with one array per model input, named "
                      "after it, samples along a leading dimension"),
    cl::value_desc("file.npz"), cl::cat(quantCategory));
cl::opt<mlir::qcc::CalibMethod> calibMethod(
    "calib-method", cl::desc("How each tensor's range is chosen"),
    cl::init(mlir::qcc::CalibMethod::MinMax),
    cl::values(clEnumValN(mlir::qcc::CalibMethod::MinMax, "minmax",
                          "the observed minimum and maximum (default)"),
               clEnumValN(mlir::qcc::CalibMethod::Percentile, "percentile",
                          "clip 0.01 % of the values at each end"),
               clEnumValN(mlir::qcc::CalibMethod::Entropy, "entropy",
                          "least KL divergence of the quantized distribution (TensorRT's)"),
               clEnumValN(mlir::qcc::CalibMethod::MSE, "mse",
                          "least mean squared quantization error")),
    cl::cat(quantCategory));
cl::opt<bool> perChannel("per-channel",
                         cl::desc("One weight scale per output channel (default)"),
                         cl::cat(quantCategory));
cl::opt<bool> perTensor("per-tensor", cl::desc("One weight scale per layer"),
                        cl::cat(quantCategory));
cl::opt<int64_t> calibSamples("calib-samples",
                              cl::desc("Use the first N samples of --calib (default: all)"),
                              cl::value_desc("N"), cl::init(0), cl::cat(quantCategory));
enum class PrecisionKind { Int8, Mixed };
cl::opt<PrecisionKind> precisionKind(
    "precision", cl::desc("Per-layer precision"), cl::init(PrecisionKind::Int8),
    cl::values(clEnumValN(PrecisionKind::Int8, "int8", "every layer int8 (default)"),
               clEnumValN(PrecisionKind::Mixed, "mixed",
                          "int8, int16 activations or float per layer, measured against "
                          "--accuracy-budget (qcc-mixed-precision)")),
    cl::cat(quantCategory));
cl::opt<std::string> accuracyBudget(
    "accuracy-budget",
    cl::desc("With --precision=mixed: sqnr>=DB (output SQNR against float, default "
             "sqnr>=30dB) or top1>=PERCENT (top-1 agreement with float on --calib)"),
    cl::value_desc("budget"), cl::cat(quantCategory));
cl::opt<mlir::qcc::Objective> optimizeFor(
    "optimize", cl::desc("With --precision=mixed: what to minimise"),
    cl::init(mlir::qcc::Objective::Latency),
    cl::values(clEnumValN(mlir::qcc::Objective::Latency, "latency",
                          "estimated latency (default)"),
               clEnumValN(mlir::qcc::Objective::Size, "size", "weight bytes")),
    cl::cat(quantCategory));
cl::list<std::string> layerPrecisions(
    "layer-precision",
    cl::desc("Force layers' precisions: NAME=int8|int16|float (the ONNX node's name), "
             "comma-separated or repeated"),
    cl::value_desc("name=precision"), cl::CommaSeparated, cl::cat(quantCategory));
cl::opt<bool> listTargets("list-targets", cl::desc("List the known targets and exit"),
                          cl::cat(targetCategory));
cl::opt<bool> verbose("v", cl::desc("Print the per-layer table and the arena plan"),
                      cl::cat(diagCategory));

int fail(const Twine &msg) {
  errs() << "qcc: error: " << msg << "\n";
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::opt<int> &threads = threadsOption();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  // Pass names first, so that --mlir-print-ir-after=qcc-outline-layers (and friends) work.
  mlir::qcc::registerQccPasses();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  cl::SetVersionPrinter([](raw_ostream &os) {
    os << "qcc " << QCC_VERSION << " (LLVM/MLIR " << LLVM_VERSION_STRING << ")\n";
  });
  // --help lists qcc's options, then MLIR's (--mlir-*) in their own category; LLVM's
  // backend flags are not listed.
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *opt = entry.second;
    bool ours = llvm::any_of(opt->Categories, [](const cl::OptionCategory *c) {
      return llvm::is_contained(qccCategories, c);
    });
    StringRef name = entry.first();
    if (name.starts_with("mlir-"))
      opt->addCategory(mlirCategory);
    else if (!ours && name != "help" && name != "version")
      opt->setHiddenFlag(cl::ReallyHidden);
  }
  if (!cl::ParseCommandLineOptions(argc, argv, "qcc: ahead-of-time compiler for quantized neural networks\n\n"
                                               "  qcc model.onnx --target=aarch64-rpi4 -o model.o\n"))
    return 1;

  if (listTargets) {
    mlir::qcc::printTargetTable(outs());
    return 0;
  }
  if (inputFile.empty())
    return fail("no input model; usage: qcc model.onnx --target=T -o model.o (see --help)");
  auto target = mlir::qcc::lookupTarget(targetName);
  if (!target)
    return fail("unknown target '" + targetName + "'; known targets: " + mlir::qcc::knownTargetNames());
  if (optLevel > 3)
    return fail("invalid optimization level -O" + Twine(optLevel) + "; use -O0, -O1, -O2 or -O3");
  if (threads < 1 || threads > 64)
    return fail("invalid --threads=" + Twine(threads) + "; use 1 (single-threaded) to 64");

  mlir::qcc::ImportOptions importOpts;
  for (const std::string &spec : inputShapes) {
    std::string name;
    std::vector<int64_t> shape;
    if (!mlir::qcc::parseInputShape(spec, name, shape))
      return fail("malformed --input-shape '" + spec + "'; expected NAME:D0xD1x... (e.g. input:1x3x224x224)");
    importOpts.inputShapes[name] = shape;
  }

  // Output names: -o DIR/NAME.o gives NAME.h and the C identifier NAME.
  std::string out = outputFile;
  bool toStdout = out == "-" || (out.empty() && emitKind != Emit::Obj);
  if (out.empty() && emitKind == Emit::Obj)
    out = sys::path::stem(inputFile).str() + ".o";
  std::string name = modelName;
  if (name.empty())
    name = mlir::qcc::makeCIdentifier(toStdout ? sys::path::stem(inputFile) : sys::path::stem(out));
  else if (!mlir::qcc::isCIdentifier(name))
    return fail("--name='" + name + "' is not a valid C identifier");

  // Quantization flags need --quantize, and it needs a calibration set.
  if (quantizeKind == QuantizeKind::None) {
    cl::Option *const quantOptions[] = {&calibFile,     &calibMethod,    &perChannel,
                                        &perTensor,     &calibSamples,   &precisionKind,
                                        &accuracyBudget, &optimizeFor,
                                        static_cast<cl::Option *>(std::addressof(layerPrecisions))};
    for (cl::Option *o : quantOptions)
      if (o->getNumOccurrences())
        return fail("--" + o->ArgStr + " needs --quantize=int8 (it quantizes a float model)");
  } else {
    if (calibFile.empty())
      return fail("--quantize needs a calibration set: --calib=FILE.npz (one array per model "
                  "input, named after it, samples along a leading dimension)");
    if (perChannel && perTensor)
      return fail("--per-channel and --per-tensor exclude each other");
    if (calibSamples < 0)
      return fail("invalid --calib-samples=" + Twine(calibSamples) + "; use N >= 1");
    if (precisionKind != PrecisionKind::Mixed)
      for (cl::Option *o : {static_cast<cl::Option *>(&accuracyBudget),
                            static_cast<cl::Option *>(&optimizeFor)})
        if (o->getNumOccurrences())
          return fail("--" + o->ArgStr + " needs --precision=mixed");
  }

  if (emitKind == Emit::Onnx && quantizeKind == QuantizeKind::None)
    return fail("--emit=onnx writes the model qcc quantized; it needs --quantize=int8");

  auto file = MemoryBuffer::getFile(inputFile, /*IsText=*/false);
  if (!file)
    return fail("cannot read '" + inputFile + "': " + file.getError().message());
  importOpts.fileName = inputFile;
  importOpts.modelDir = sys::path::parent_path(inputFile).str();
  if (importOpts.modelDir.empty())
    importOpts.modelDir = ".";

  mlir::DialectRegistry registry;
  mlir::qcc::registerQccDialects(registry);
  mlir::MLIRContext context(registry);
  context.allowUnregisteredDialects(false);
  // Diagnostics as "model.onnx: error: node 'x' (Conv, ...): ...", the way compilers print.
  mlir::ScopedDiagnosticHandler diagHandler(&context, [](mlir::Diagnostic &diag) {
    mlir::qcc::printDiagnostic(diag, errs());
    return mlir::success();
  });

  auto start = std::chrono::steady_clock::now();
  // The format is the file's, whatever its name: a TFLite flatbuffer says so in its
  // identifier; anything else is read as ONNX (binary or text syntax).
  llvm::StringRef contents = (*file)->getBuffer();
  if (emitKind == Emit::Onnx && mlir::qcc::isTFLiteModel(contents))
    return fail("--emit=onnx writes ONNX models, and '" + inputFile +
                "' is a TFLite model; use --emit=mlir to see what qcc chose");
  importOpts.recordTensorNames = emitKind == Emit::Onnx;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::qcc::isTFLiteModel(contents)
          ? mlir::qcc::importTFLite(contents, importOpts, &context)
          : mlir::qcc::importONNX(contents, importOpts, &context);
  if (!module)
    return fail("could not import '" + inputFile + "' (see the errors above)");

  if (quantizeKind != QuantizeKind::None) {
    mlir::qcc::QuantizeOptions q;
    q.calibFile = calibFile;
    q.method = calibMethod;
    q.perChannel = !perTensor;
    q.samples = calibSamples;
    q.mixed = precisionKind == PrecisionKind::Mixed;
    q.optimize = optimizeFor;
    q.verbose = verbose;
    std::string err;
    if (!accuracyBudget.empty() && !mlir::qcc::parseAccuracyBudget(accuracyBudget, q, err))
      return fail(err);
    for (const std::string &spec : layerPrecisions) {
      auto [layer, p] = StringRef(spec).rsplit('=');
      std::optional<mlir::qcc::Precision> precision = mlir::qcc::parsePrecision(p);
      if (layer.empty() || !precision)
        return fail("malformed --layer-precision '" + spec +
                    "'; expected NAME=int8, NAME=int16 or NAME=float");
      q.forced[layer.str()] = *precision;
    }
    if (!mlir::qcc::quantizeModel(*module, q, err, errs()))
      return fail(err);
  }

  auto writeOut = [&](StringRef path, StringRef bytes) {
    std::string err;
    if (!mlir::qcc::writeOutputFile(path, bytes, err))
      return fail(err);
    return 0;
  };
  if (emitKind == Emit::Onnx) {
    std::string bytes, err;
    if (!mlir::qcc::exportQDQModel(contents, importOpts, *module, bytes, err))
      return fail(err);
    if (out.empty() || toStdout)
      return fail("--emit=onnx needs -o FILE.onnx");
    return writeOut(out, bytes);
  }
  if (emitKind == Emit::Import) {
    std::string text;
    raw_string_ostream os(text);
    module->print(os);
    return writeOut(toStdout ? "-" : out, text);
  }

  mlir::qcc::CompileOptions options;
  options.name = name;
  options.target = *target;
  options.optLevel = optLevel;
  options.requantMode = requantMode.getNumOccurrences()
                            ? requantMode
                            : mlir::qcc::defaultRequantMode(*target);
  options.threads = threads;
  mlir::qcc::EmitKind emit = emitKind == Emit::Mlir   ? mlir::qcc::EmitKind::Mlir
                       : emitKind == Emit::Llvm ? mlir::qcc::EmitKind::LLVMIR
                       : emitKind == Emit::Asm  ? mlir::qcc::EmitKind::Assembly
                                                : mlir::qcc::EmitKind::Object;
  mlir::DefaultTimingManager tm;
  mlir::applyDefaultTimingManagerCLOptions(tm);
  mlir::TimingScope timing = tm.getRootScope();
  std::string err;
  mlir::FailureOr<mlir::qcc::CompiledModel> compiled =
      mlir::qcc::compile(*module, options, emit, inputFile, err, mlir::applyPassManagerCLOptions,
                   &timing);
  if (failed(compiled))
    return fail(err);
  if (verbose && emit != mlir::qcc::EmitKind::Mlir)
    errs() << compiled->layerReport;
  if (int rc = writeOut(toStdout ? "-" : out, compiled->code))
    return rc;
  if (emit == mlir::qcc::EmitKind::Mlir)
    return 0;
  if (emit == mlir::qcc::EmitKind::Object) {
    std::string header = headerFile;
    if (header.empty()) {
      SmallString<256> h(out);
      sys::path::replace_extension(h, ".h");
      header = h.str().str();
    }
    if (int rc = writeOut(header, compiled->header))
      return rc;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (verbose)
    mlir::qcc::printCompileSummary(*compiled, options, seconds, errs());
  return 0;
}
