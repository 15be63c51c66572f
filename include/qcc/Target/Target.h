//===- Target.h - the --target names qcc knows -------------------*- C++ -*-===//
#ifndef QCC_TARGET_TARGET_H
#define QCC_TARGET_TARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>
#include <string>

namespace mlir::qcc {

/// The instruction-set family of a target (Unknown: no target-specific code, as the
/// pipelines run without a --target, e.g. qcc-opt's default).
enum class Arch { Unknown, X86_64, AArch64, CortexM };

/// One entry of `qcc --list-targets`: what LLVM is told for a --target name, and what the
/// target can do. The pipelines ask the capabilities below; only Target.cpp looks at
/// triples, CPU names and feature strings.
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
  // Derived from the above by Target.cpp:
  Arch arch = Arch::Unknown;
  /// Fused multiply-add instructions (x86 FMA3, every AArch64).
  bool hasFMA = false;
  /// AArch64 SDOT/UDOT (ARMv8.2 dot product).
  bool hasDotProduct = false;
  /// x86 AVX512-VNNI (VPDPBUSD, VPDPWSSD).
  bool hasVNNI = false;
  /// x86 AVX-512BW (byte-masked stores, VMOVDQU8 with a mask register).
  bool hasAVX512BW = false;
  /// LLVM's pre-register-allocation machine scheduler pays off: kept on the narrow in-order
  /// and small out-of-order ARM cores, off on x86 (see CodeGen.cpp).
  bool preRAScheduler = true;

  /// Arm Cortex-M DSP extension (SXTB16, SMLAD: two 16-bit MACs per instruction).
  bool hasDSP = false;

  bool isX86() const { return arch == Arch::X86_64; }
  bool isAArch64() const { return arch == Arch::AArch64; }
  /// A bare-metal microcontroller target (Thumb, no OS): static code, 32-bit pointers, the
  /// object references nothing but memcpy/memset.
  bool isCortexM() const { return arch == Arch::CortexM; }
  /// Pointer and index width in bits.
  unsigned pointerBits() const { return isCortexM() ? 32 : 64; }
};

/// The known targets, `host` last (resolved for this machine).
llvm::ArrayRef<TargetDesc> knownTargets();

/// Looks up a --target name; std::nullopt when unknown.
std::optional<TargetDesc> lookupTarget(llvm::StringRef name);

/// The table of `qcc --list-targets`.
void printTargetTable(llvm::raw_ostream &os);

/// "x86_64, x86_64-v3, ..." for error messages.
std::string knownTargetNames();

} // namespace mlir::qcc

#endif // QCC_TARGET_TARGET_H
