//===- Target.cpp - the --target names qcc knows --------------------------===//
#include "qcc/Target/Target.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/TargetParser/Host.h"

#include <vector>

using namespace mlir::qcc;

/// The capabilities of `t`, from its triple, CPU and features: the one place that reads
/// them.
static void deriveCapabilities(TargetDesc &t) {
  llvm::StringRef triple(t.triple), cpu(t.cpu);
  llvm::SmallVector<llvm::StringRef> list;
  llvm::StringRef(t.features).split(list, ',', -1, /*KeepEmpty=*/false);
  auto has = [&](llvm::StringRef f) { return llvm::is_contained(list, "+" + f.str()); };
  t.arch = triple.starts_with("aarch64") ? Arch::AArch64
           : triple.starts_with("x86_64") ? Arch::X86_64
           : triple.starts_with("thumb")  ? Arch::CortexM
                                          : Arch::Unknown;
  bool v3 = cpu == "x86-64-v3", v4 = cpu == "x86-64-v4";
  t.hasFMA = t.isAArch64() || v3 || v4 || has("fma");
  t.hasDotProduct = t.isAArch64() && has("dotprod");
  t.hasVNNI = t.isX86() && has("avx512vnni");
  t.hasAVX512BW = t.isX86() && (v4 || has("avx512bw"));
  t.preRAScheduler = !t.isX86();
  t.hasDSP = t.isCortexM() && (cpu == "cortex-m4" || cpu == "cortex-m7" || cpu == "cortex-m33" ||
                               cpu == "cortex-m55" || has("dsp"));
}

static std::vector<TargetDesc> makeTargets() {
  std::vector<TargetDesc> targets = {
      {"x86_64", "x86_64-unknown-linux-gnu", "x86-64-v2", "",
       "x86-64-v2 (SSE4.2, POPCNT): any x86-64 server of the last decade", true, 128, 16},
      {"x86_64-v3", "x86_64-unknown-linux-gnu", "x86-64-v3", "",
       "x86-64-v3 (AVX2, FMA, BMI2): Haswell / Zen and later", true, 256, 16},
      {"x86_64-v4", "x86_64-unknown-linux-gnu", "x86-64-v4", "+avx512vnni",
       "x86-64-v4 (AVX-512) with AVX512-VNNI: Cascade Lake / Zen 4 and later", true, 512, 32},
      {"aarch64-rpi4", "aarch64-unknown-linux-gnu", "cortex-a72", "+neon",
       "Raspberry Pi 4: Cortex-A72, ARMv8.0-A, NEON, no dot product", true, 128, 32},
      {"aarch64-rpi5", "aarch64-unknown-linux-gnu", "cortex-a76", "+neon,+dotprod",
       "Raspberry Pi 5: Cortex-A76, ARMv8.2-A, NEON with SDOT/UDOT", true, 128, 32},
      {"aarch64", "aarch64-unknown-linux-gnu", "generic", "+neon",
       "generic AArch64 Linux (ARMv8.0-A, NEON)", true, 128, 32},
      // Microcontrollers: bare-metal Thumb objects (hard-float ABI where there is an FPU).
      // The M4/M7 have no SIMD register file (their DSP instructions work on 32-bit core
      // registers): their register blocks are sized as one "vector" of 4 lanes, i.e. 4
      // accumulators in core registers (scalar-blocks). The M55 has eight 128-bit MVE
      // registers (vector-bits 128 for the elementwise code), but its convolutions use the
      // same core-register blocks and DSP instructions (see Pipelines.cpp).
      {"cortex-m4", "thumbv7em-none-eabihf", "cortex-m4", "",
       "Arm Cortex-M4: ARMv7E-M, DSP (SMLAD), FPv4-SP; bare metal", true, 128, 2},
      {"cortex-m7", "thumbv7em-none-eabihf", "cortex-m7", "",
       "Arm Cortex-M7: ARMv7E-M, DSP (SMLAD), FPv5 (double precision); bare metal", true,
       128, 2},
      {"cortex-m55", "thumbv8.1m.main-none-eabihf", "cortex-m55", "",
       "Arm Cortex-M55: ARMv8.1-M, MVE (Helium) int8 and fp, FPv5; bare metal", true, 128, 2},
  };
  // `host`: this machine, as LLVM sees it.
  TargetDesc host{"host", llvm::sys::getDefaultTargetTriple(),
                  llvm::sys::getHostCPUName().str(), "", "the machine qcc runs on"};
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  for (auto &f : features)
    host.features += (host.features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") +
                     f.first().str();
  if (llvm::StringRef(host.triple).starts_with("aarch64")) {
    host.vectorRegisters = 32;
  } else if (features.lookup("avx512f")) {
    host.vectorBits = 512;
    host.vectorRegisters = 32;
  } else if (features.lookup("avx2")) {
    host.vectorBits = 256;
  }
  targets.push_back(host);
  for (TargetDesc &t : targets)
    deriveCapabilities(t);
  return targets;
}

llvm::ArrayRef<TargetDesc> mlir::qcc::knownTargets() {
  static const std::vector<TargetDesc> targets = makeTargets();
  return targets;
}

std::optional<TargetDesc> mlir::qcc::lookupTarget(llvm::StringRef name) {
  for (const TargetDesc &t : knownTargets())
    if (t.name == name)
      return t;
  return std::nullopt;
}

std::string mlir::qcc::knownTargetNames() {
  std::string s;
  for (const TargetDesc &t : knownTargets())
    s += (s.empty() ? "" : ", ") + t.name;
  return s;
}

void mlir::qcc::printTargetTable(llvm::raw_ostream &os) {
  os << llvm::left_justify("target", 15) << llvm::left_justify("triple", 29)
     << llvm::left_justify("cpu", 13) << llvm::left_justify("features", 17) << "description\n";
  for (const TargetDesc &t : knownTargets())
    os << llvm::format("%-14s %-28s %-12s %-16s %s\n", t.name.c_str(), t.triple.c_str(),
                       t.cpu.c_str(),
                       (t.name == "host" ? std::string("(host)") : t.features).c_str(),
                       t.description.c_str());
}
