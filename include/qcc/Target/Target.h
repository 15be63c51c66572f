//===- Target.h - the --target names qcc knows -------------------*- C++ -*-===//
#ifndef QCC_TARGET_TARGET_H
#define QCC_TARGET_TARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <optional>
#include <string>

namespace qcc {

/// One entry of `qcc --list-targets`: what LLVM is told for a --target name.
struct TargetDesc {
  std::string name;
  std::string triple;
  std::string cpu;
  std::string features; // LLVM feature string, "+neon,+dotprod"
  std::string description;
  bool hasFPU = true;
  /// The SIMD register file the kernels' register blocks are sized for.
  unsigned vectorBits = 128;
  unsigned vectorRegisters = 16;
};

/// The known targets, `host` last (resolved for this machine).
llvm::ArrayRef<TargetDesc> knownTargets();

/// Looks up a --target name; std::nullopt when unknown.
std::optional<TargetDesc> lookupTarget(llvm::StringRef name);

/// "x86_64, x86_64-v3, ..." for error messages.
std::string knownTargetNames();

} // namespace qcc

#endif // QCC_TARGET_TARGET_H
