//===- FuzzNpz.cpp - libFuzzer target for the .npz reader -----------------===//
//
// qcc-fuzz-npz: the bytes as a calibration set (qcc --calib=FILE.npz). Any input must give
// arrays or an error; a crash, a sanitizer report, a hang or runaway memory is a bug. See
// scripts/fuzz.sh.
//
//===----------------------------------------------------------------------===//
#include "qcc/Calibration/Calibration.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::map<std::string, mlir::qcc::NpyArray> arrays;
  std::string error;
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  if (!mlir::qcc::readNpzBuffer(bytes, "fuzz.npz", arrays, error) && error.empty())
    __builtin_trap(); // a failure must say why
  return 0;
}
