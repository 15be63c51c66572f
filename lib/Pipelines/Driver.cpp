//===- Driver.cpp - what a command-line front end to compile() needs ------===//
#include "qcc/Pipelines/Pipelines.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

namespace mlir::qcc {

std::string makeCIdentifier(llvm::StringRef s) {
  std::string id;
  for (char c : s)
    id += llvm::isAlnum(c) || c == '_' ? c : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "m_" + id;
  return id;
}

bool isCIdentifier(llvm::StringRef s) {
  return !s.empty() && !llvm::isDigit(s[0]) &&
         llvm::all_of(s, [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

bool writeOutputFile(llvm::StringRef path, llvm::StringRef bytes, std::string &error) {
  std::error_code ec;
  if (path != "-") {
    llvm::StringRef dir = llvm::sys::path::parent_path(path);
    if (!dir.empty() && (ec = llvm::sys::fs::create_directories(dir))) {
      error = "cannot create '" + dir.str() + "': " + ec.message();
      return false;
    }
  }
  llvm::ToolOutputFile out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot open '" + path.str() + "': " + ec.message();
    return false;
  }
  out.os() << bytes;
  out.keep();
  return true;
}

void printDiagnostic(Diagnostic &diag, llvm::raw_ostream &os) {
  Location loc = diag.getLocation();
  if (auto name = dyn_cast<NameLoc>(loc))
    loc = name.getChildLoc();
  std::string where;
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    where = file.getFilename().str();
  const char *sev = diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
                    : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                                                                        : "note";
  os << (where.empty() ? "qcc" : where) << ": " << sev << ": " << diag.str() << "\n";
  for (auto &note : diag.getNotes())
    os << "  note: " << note.str() << "\n";
}

void printCompileSummary(const CompiledModel &model, const CompileOptions &options,
                         double seconds, llvm::raw_ostream &os) {
  const ModelInterface &iface = model.interface;
  os << "arena: " << iface.arenaSize << " bytes (lower bound " << iface.arenaLowerBound
     << " bytes";
  if (iface.arenaLowerBound > 0)
    os << llvm::format(", ratio %.3f", double(iface.arenaSize) / iface.arenaLowerBound);
  os << "), alignment " << iface.arenaAlign << "\n";
  if (options.threads > 1)
    os << "threads: " << options.threads << " (" << iface.parallelLayers << " of "
       << iface.layers << " layers split; the rest run on the calling thread)\n";
  const TargetDesc &t = options.target;
  os << "target: " << t.name << " (" << t.triple << ", " << t.cpu << ")\n";
  os << llvm::format("compile time: %.2f s\n", seconds);
}

} // namespace mlir::qcc
