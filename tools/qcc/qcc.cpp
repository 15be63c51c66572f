//===- qcc.cpp - the qcc compiler driver ----------------------------------===//
//
//   qcc model.onnx --target=aarch64-rpi4 -o model.o     # writes model.o and model.h
//
// Thin: parses options, then calls the importer, the pipelines and the code generator.
//
//===----------------------------------------------------------------------===//
#include "qcc/Import/ONNX/ONNXImporter.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Pipelines/Pipelines.h"
#include "qcc/Target/Target.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

using namespace llvm;

namespace {

cl::OptionCategory qccCategory("qcc options");

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"), cl::cat(qccCategory));
cl::opt<std::string> outputFile("o", cl::desc("Output file (object: NAME.o, with NAME.h beside it)"),
                                cl::value_desc("file"), cl::cat(qccCategory));
cl::opt<std::string> targetName("target", cl::desc("Target to compile for (see --list-targets)"),
                                cl::init("host"), cl::cat(qccCategory));
cl::opt<std::string> modelName("name", cl::desc("C identifier of the model (default: output file name)"),
                               cl::value_desc("id"), cl::cat(qccCategory));
cl::opt<std::string> headerFile("header", cl::desc("Where to write the C header (default: beside the object)"),
                                cl::value_desc("path"), cl::cat(qccCategory));
enum class Emit { Import, Mlir, Llvm, Asm, Obj };
cl::opt<Emit> emitKind(
    "emit", cl::desc("What to write"), cl::init(Emit::Obj),
    cl::values(clEnumValN(Emit::Import, "import", "qcc dialect as imported, before any pass"),
               clEnumValN(Emit::Mlir, "mlir", "qcc dialect after the qcc pipeline"),
               clEnumValN(Emit::Llvm, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "target assembly"),
               clEnumValN(Emit::Obj, "obj", "ELF relocatable object + C header (default)")),
    cl::cat(qccCategory));
cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3 (default 3)"), cl::Prefix,
                           cl::init(3), cl::cat(qccCategory));
cl::list<std::string> inputShapes("input-shape", cl::desc("Pin an input's shape: NAME:1x3x224x224"),
                                  cl::value_desc("name:shape"), cl::cat(qccCategory));
enum class Requant { Float, Fixed };
cl::opt<Requant> requantMode(
    "requant", cl::desc("Integer requantization arithmetic"), cl::init(Requant::Float),
    cl::values(clEnumValN(Requant::Float, "float",
                          "f32 multiplier, round half to even (ONNX Runtime's MLAS; default)"),
               clEnumValN(Requant::Fixed, "fixed",
                          "Q31 multiplier and shift, TFLite/gemmlowp rounding (no FPU needed)")),
    cl::cat(qccCategory));
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
      cl::value_desc("N"), cl::init(1), cl::cat(qccCategory));
  return threads;
}
cl::opt<bool> listTargets("list-targets", cl::desc("List the known targets and exit"),
                          cl::cat(qccCategory));
cl::opt<bool> verbose("v", cl::desc("Print the per-layer table and the arena plan"),
                      cl::cat(qccCategory));

std::string makeCIdentifier(StringRef s) {
  std::string id;
  for (char c : s)
    id += isAlnum(c) || c == '_' ? c : '_';
  if (id.empty() || isDigit(id[0]))
    id = "m_" + id;
  return id;
}

bool isCIdentifier(StringRef s) {
  return !s.empty() && !isDigit(s[0]) && llvm::all_of(s, [](char c) { return isAlnum(c) || c == '_'; });
}

int fail(const Twine &msg) {
  errs() << "qcc: error: " << msg << "\n";
  return 1;
}

bool writeFile(StringRef path, function_ref<void(raw_ostream &)> write, std::string &err) {
  std::error_code ec;
  if (path != "-") {
    StringRef dir = sys::path::parent_path(path);
    if (!dir.empty() && (ec = sys::fs::create_directories(dir))) {
      err = "cannot create '" + dir.str() + "': " + ec.message();
      return false;
    }
  }
  ToolOutputFile out(path, ec, sys::fs::OF_None);
  if (ec) {
    err = "cannot open '" + path.str() + "': " + ec.message();
    return false;
  }
  write(out.os());
  out.keep();
  return true;
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::opt<int> &threads = threadsOption();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  // Pass names first, so that --mlir-print-ir-after=qcc-outline-layers (and friends) work.
  qcc::registerQccPasses();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  cl::SetVersionPrinter([](raw_ostream &os) {
    os << "qcc " << QCC_VERSION << " (LLVM/MLIR " << LLVM_VERSION_STRING << ")\n";
  });
  // --help lists qcc's options and MLIR's (--mlir-*); LLVM's backend flags stay in
  // --help-hidden.
  for (auto &entry : cl::getRegisteredOptions()) {
    cl::Option *opt = entry.second;
    bool ours = llvm::is_contained(opt->Categories, &qccCategory);
    StringRef name = entry.first();
    if (!ours && !name.starts_with("mlir-") && name != "help" && name != "version")
      opt->setHiddenFlag(cl::ReallyHidden);
  }
  if (!cl::ParseCommandLineOptions(argc, argv, "qcc: ahead-of-time compiler for quantized neural networks\n\n"
                                               "  qcc model.onnx --target=aarch64-rpi4 -o model.o\n"))
    return 1;

  if (listTargets) {
    outs() << left_justify("target", 15) << left_justify("triple", 29) << left_justify("cpu", 13)
           << left_justify("features", 17) << "description\n";
    for (const qcc::TargetDesc &t : qcc::knownTargets())
      outs() << format("%-14s %-28s %-12s %-16s %s\n", t.name.c_str(), t.triple.c_str(),
                       t.cpu.c_str(),
                       (t.name == "host" ? std::string("(host)") : t.features).c_str(),
                       t.description.c_str());
    return 0;
  }
  if (inputFile.empty())
    return fail("no input model; usage: qcc model.onnx --target=T -o model.o (see --help)");
  auto target = qcc::lookupTarget(targetName);
  if (!target)
    return fail("unknown target '" + targetName + "'; known targets: " + qcc::knownTargetNames());
  if (optLevel > 3)
    return fail("invalid optimization level -O" + Twine(optLevel) + "; use -O0, -O1, -O2 or -O3");
  if (threads < 1 || threads > 64)
    return fail("invalid --threads=" + Twine(threads) + "; use 1 (single-threaded) to 64");

  qcc::ImportOptions importOpts;
  for (const std::string &spec : inputShapes) {
    std::string name;
    std::vector<int64_t> shape;
    if (!qcc::parseInputShape(spec, name, shape))
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
    name = makeCIdentifier(toStdout ? sys::path::stem(inputFile) : sys::path::stem(out));
  else if (!isCIdentifier(name))
    return fail("--name='" + name + "' is not a valid C identifier");

  auto file = MemoryBuffer::getFile(inputFile, /*IsText=*/false);
  if (!file)
    return fail("cannot read '" + inputFile + "': " + file.getError().message());
  importOpts.fileName = inputFile;
  importOpts.modelDir = sys::path::parent_path(inputFile).str();
  if (importOpts.modelDir.empty())
    importOpts.modelDir = ".";

  mlir::DialectRegistry registry;
  qcc::registerQccDialects(registry);
  mlir::MLIRContext context(registry);
  context.allowUnregisteredDialects(false);
  // Diagnostics as "model.onnx: error: node 'x' (Conv, ...): ...", the way compilers print.
  mlir::ScopedDiagnosticHandler diagHandler(&context, [](mlir::Diagnostic &diag) {
    mlir::Location loc = diag.getLocation();
    if (auto name = dyn_cast<mlir::NameLoc>(loc))
      loc = name.getChildLoc();
    std::string where;
    if (auto file = dyn_cast<mlir::FileLineColLoc>(loc))
      where = file.getFilename().str();
    const char *sev = diag.getSeverity() == mlir::DiagnosticSeverity::Error     ? "error"
                      : diag.getSeverity() == mlir::DiagnosticSeverity::Warning ? "warning"
                                                                                : "note";
    errs() << (where.empty() ? "qcc" : where) << ": " << sev << ": " << diag.str() << "\n";
    for (auto &note : diag.getNotes())
      errs() << "  note: " << note.str() << "\n";
    return mlir::success();
  });

  auto start = std::chrono::steady_clock::now();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      qcc::importONNX((*file)->getBuffer(), importOpts, &context);
  if (!module)
    return fail("could not import '" + inputFile + "' (see the errors above)");

  auto writeText = [&](function_ref<void(raw_ostream &)> write) {
    std::string err;
    if (!writeFile(toStdout ? "-" : out, write, err))
      return fail(err);
    return 0;
  };
  if (emitKind == Emit::Import)
    return writeText([&](raw_ostream &os) { module->print(os); });

  qcc::CompileOptions options;
  options.name = name;
  options.target = *target;
  options.optLevel = optLevel;
  options.requantMode = requantMode == Requant::Fixed ? "fixed" : "float";
  options.threads = threads;

  mlir::DefaultTimingManager tm;
  mlir::applyDefaultTimingManagerCLOptions(tm);
  mlir::TimingScope timing = tm.getRootScope();

  mlir::PassManager qccPm(&context);
  if (failed(mlir::applyPassManagerCLOptions(qccPm)))
    return fail("invalid pass manager options");
  qccPm.enableTiming(timing);
  qcc::buildQccPipeline(qccPm, options);
  if (failed(qccPm.run(*module)))
    return fail("the qcc pipeline failed");
  if (emitKind == Emit::Mlir)
    return writeText([&](raw_ostream &os) { module->print(os); });

  qcc::ModelInterface iface = qcc::describeInterface(*module);
  if (verbose)
    qcc::printLayerReport(*module, errs());

  mlir::PassManager lowerPm(&context);
  if (failed(mlir::applyPassManagerCLOptions(lowerPm)))
    return fail("invalid pass manager options");
  lowerPm.enableTiming(timing);
  qcc::buildLoweringPipeline(lowerPm, options);
  if (failed(lowerPm.run(*module)))
    return fail("lowering to LLVM failed");
  if (auto a = (*module)->getAttrOfType<mlir::IntegerAttr>(mlir::qcc::kArenaSizeAttrName))
    iface.arenaSize = a.getInt();
  if (auto a = (*module)->getAttrOfType<mlir::IntegerAttr>(mlir::qcc::kArenaLowerBoundAttrName))
    iface.arenaLowerBound = a.getInt();
  if (auto a = (*module)->getAttrOfType<mlir::IntegerAttr>(mlir::qcc::kArenaAlignmentAttrName))
    iface.arenaAlign = a.getInt();
  if (auto a = (*module)->getAttrOfType<mlir::IntegerAttr>(mlir::qcc::kParallelLayersAttrName))
    iface.parallelLayers = a.getInt();
  if (auto a = (*module)->getAttrOfType<mlir::IntegerAttr>(mlir::qcc::kLayersAttrName))
    iface.layers = a.getInt();

  qcc::OutputKind kind = emitKind == Emit::Llvm  ? qcc::OutputKind::LLVMIR
                         : emitKind == Emit::Asm ? qcc::OutputKind::Assembly
                                                 : qcc::OutputKind::Object;
  std::string err;
  {
    mlir::TimingScope cg = timing.nest("LLVM optimization and code generation");
    std::error_code ec;
    ToolOutputFile outFile(toStdout ? "-" : out, ec,
                           kind == qcc::OutputKind::Object ? sys::fs::OF_None : sys::fs::OF_Text);
    if (ec)
      return fail("cannot open '" + out + "': " + ec.message());
    if (!qcc::emitCode(*module, options, kind, outFile.os(), err))
      return fail(err);
    outFile.keep();
  }
  if (emitKind == Emit::Obj) {
    std::string header = headerFile;
    if (header.empty()) {
      SmallString<256> h(out);
      sys::path::replace_extension(h, ".h");
      header = h.str().str();
    }
    if (!writeFile(header,
                   [&](raw_ostream &os) { qcc::writeCHeader(iface, options, inputFile, os); },
                   err))
      return fail(err);
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (verbose) {
    errs() << "arena: " << iface.arenaSize << " bytes (lower bound " << iface.arenaLowerBound
           << " bytes";
    if (iface.arenaLowerBound > 0)
      errs() << format(", ratio %.3f", double(iface.arenaSize) / iface.arenaLowerBound);
    errs() << "), alignment " << iface.arenaAlign << "\n";
    if (threads > 1)
      errs() << "threads: " << threads << " (" << iface.parallelLayers << " of " << iface.layers
             << " layers split; the rest run on the calling thread)\n";
    errs() << "target: " << target->name << " (" << target->triple << ", " << target->cpu << ")\n";
    errs() << format("compile time: %.2f s\n", seconds);
  }
  return 0;
}
