//===- Calibration.h - post-training quantization inside qcc ------*- C++ -*-===//
//
// qcc --quantize=int8 --calib=FILE.npz: runs the float model on the host with qcc's own
// compiled code (an in-process JIT of the host object), records the ranges of its
// tensors, measures per-layer sensitivities for --precision=mixed, and leaves the module
// in the QDQ form the usual pipeline folds into integer kernels.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_CALIBRATION_CALIBRATION_H
#define QCC_CALIBRATION_CALIBRATION_H

#include "qcc/Dialect/Qcc/Transforms/Quantize.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>
#include <vector>

namespace mlir::qcc {

/// An array of a .npy file, converted to f32.
struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// Reads a NumPy .npz archive (np.savez, stored or deflated; zip64 as NumPy writes it).
/// Arrays of float32/64 and (u)int8/16/32/64 are read, as f32. False with `error` set.
bool readNpz(llvm::StringRef path, std::map<std::string, NpyArray> &arrays, std::string &error);
/// The same from the archive's bytes (`path` names it in errors).
bool readNpzBuffer(llvm::StringRef bytes, llvm::StringRef path,
                   std::map<std::string, NpyArray> &arrays, std::string &error);

enum class CalibMethod { MinMax, Percentile, Entropy, MSE };

struct QuantizeOptions {
  std::string calibFile;          ///< --calib
  CalibMethod method = CalibMethod::MinMax;
  bool perChannel = true;         ///< --per-channel (default) / --per-tensor
  int64_t samples = 0;            ///< --calib-samples (0: all)
  bool mixed = false;             ///< --precision=mixed
  /// --accuracy-budget: sqnr>=X (dB) or top1>=Y (%).
  enum class Budget { Sqnr, Top1 } budget = Budget::Sqnr;
  double budgetValue = 30.0;
  Objective optimize = Objective::Latency; ///< --optimize
  /// --layer-precision NAME=PRECISION, forced.
  std::map<std::string, Precision> forced;
  bool verbose = false;
};

/// Parses "sqnr>=30dB" / "sqnr>=30" / "top1>=99%" / "top1>=99". False with `error` set.
bool parseAccuracyBudget(llvm::StringRef spec, QuantizeOptions &options, std::string &error);

/// Calibrates the imported float `module` and rewrites it into QDQ form (qcc-quantize),
/// with the precisions chosen by qcc-mixed-precision when options.mixed. Progress and, with
/// options.verbose, the per-layer table go to `log`. False with `error` set.
bool quantizeModel(ModuleOp module, const QuantizeOptions &options, std::string &error,
                   llvm::raw_ostream &log);

} // namespace mlir::qcc

#endif // QCC_CALIBRATION_CALIBRATION_H
