//===- Importer.h - the TFLite importer's state and steps ---------*- C++ -*-===//
//
// Internal to lib/Import/TFLite. One Importer reads one flatbuffer:
//   TFLiteImporter.cpp  verification, tensors and constants, layouts, graph inputs and
//                       outputs, the driver (run, importTFLite)
//   Operators.cpp       the operator table (builtin code -> import function) and the
//                       arithmetic operators' import
//   DataMovement.cpp    RESHAPE, SQUEEZE, CONCATENATION, TRANSPOSE, PAD, SLICE, SPLIT,
//                       ARG_MAX
//
// Layout: TFLite activations are NHWC. qcc's ops are NCHW, so every rank-4 tensor is held
// in NCHW ("physical" order); its TFLite ("logical") axes map through kLogicalToPhysical.
// Operators whose meaning depends on the order of elements (RESHAPE, FULLY_CONNECTED's
// flattening, TRANSPOSE) first view their rank-4 operand in NHWC again.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_LIB_IMPORT_TFLITE_IMPORTER_H
#define QCC_LIB_IMPORT_TFLITE_IMPORTER_H

#include "qcc/Import/TFLite/TFLiteImporter.h"

#include "tflite_generated.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::qcc::tflite_import {

using namespace mlir;
namespace tfl = ::qcc::tflite;

/// The builtin code of an operator code (TFLite keeps codes below 127 in the deprecated
/// byte field of older files and the larger of the two is the code).
tfl::BuiltinOperator builtinCode(const tfl::OperatorCode &code);
/// "CONV_2D", or "builtin code N" for a code this schema does not name.
std::string builtinName(tfl::BuiltinOperator code);
/// "float32", "int8", ... for a TFLite tensor type.
const char *tensorTypeName(tfl::TensorType t);

/// The operator's options table of type T, or null when it has none (defaults apply).
template <typename T>
const T *options(const tfl::Operator &o) {
  return o.builtin_options_as<T>();
}

/// Logical (NHWC) axis -> physical (NCHW) axis of a rank-4 tensor.
inline int64_t physicalAxis(int64_t axis, int64_t rank) {
  static const int64_t kLogicalToPhysical[4] = {0, 2, 3, 1};
  return rank == 4 ? kLogicalToPhysical[axis] : axis;
}
/// The physical shape of a tensor whose TFLite (logical) shape is `shape`.
SmallVector<int64_t> physicalShape(ArrayRef<int64_t> shape);

/// The custom operator qcc imports (TFLite's SSD post-processing).
inline constexpr const char *kDetectionPostProcess = "TFLite_Detection_PostProcess";

class Importer {
public:
  Importer(MLIRContext *ctx, const ImportOptions &opts)
      : ctx(ctx), opts(opts), b(ctx), fileLoc(FileLineColLoc::get(ctx, opts.fileName, 0, 0)) {}

  OwningOpRef<ModuleOp> run(llvm::StringRef contents);

  // --- reporting -----------------------------------------------------------
  InFlightDiagnostic error() { ++numErrors; return emitError(fileLoc); }
  /// "operator #3 (CONV_2D, version 2): ..."
  InFlightDiagnostic opError(int opIndex);
  InFlightDiagnostic tensorError(int tensor);
  Location opLoc(int opIndex);

  // --- model-level steps (TFLiteImporter.cpp) --------------------------------
  bool verify(llvm::StringRef contents);
  bool checkTensors();
  bool checkOperators();
  /// The operators the importer has no import function for, all reported at once.
  bool checkSupportedOps();

  // --- tensors ---------------------------------------------------------------
  const tfl::Tensor &tensor(int i) const { return *graph->tensors()->Get(i); }
  int numTensors() const { return graph->tensors() ? graph->tensors()->size() : 0; }
  /// The TFLite (NHWC) shape.
  SmallVector<int64_t> shapeOf(int i) const;
  /// The constant bytes of a tensor (its buffer), or null when it has none.
  const flatbuffers::Vector<uint8_t> *constantData(int i) const;
  bool isConstant(int i) const { return constantData(i) != nullptr; }
  /// The constant tensor behind `i`: `i` itself, or the float16 constant a DEQUANTIZE
  /// widened into `i` (the converter's float16 weights); -1 when there is none.
  int constantSource(int i) const {
    if (isConstant(i))
      return i;
    auto it = widenedFrom.find(i);
    return it == widenedFrom.end() ? -1 : it->second;
  }
  /// The !quant.uniform element type of a quantized tensor, or null for a float or plain
  /// integer tensor (reported when its parameters are unusable: see checkTensors).
  Type quantType(int i, int64_t physicalAxisOfChannels = -1);
  /// Storage (i8, i32, ...) or f32 element type of a tensor; null if unsupported.
  Type storageElementType(tfl::TensorType t);
  /// The tensor's value in qcc (physical layout; quantized tensors as !quant.uniform).
  Value value(int i);
  /// The tensor seen as f32 (a qcc.dequantize of a quantized tensor).
  Value floatValue(int i);
  /// A constant of the tensor's data with dimensions permuted (`perm[i]` = source dimension
  /// of result dimension i), its storage type and, if quantized, seen as `quant`.
  Value permutedConstant(int i, ArrayRef<int64_t> perm, Type quant);
  /// An int32/int64 constant tensor's values (shapes, axes, permutations).
  std::optional<SmallVector<int64_t>> intValues(int i);
  /// Records the result of operator `op` for its output `tensor`: quantized to the
  /// tensor's type when it has one, after checking the computed shape is the model's.
  bool define(int op, int tensor, Value floatResult);

  // --- layouts ---------------------------------------------------------------
  /// Rank-4 physical (NCHW) value viewed in NHWC; other ranks unchanged.
  Value toLogical(Value v, Location loc);
  /// Rank-4 NHWC value in qcc's NCHW; other ranks unchanged.
  Value toPhysical(Value v, Location loc);
  /// Dimensions permuted: a reshape when only unit dimensions move, else a transpose.
  Value permute(Value v, ArrayRef<int64_t> perm, Location loc);
  /// `v` (physical) broadcast-aligned to a rank-`rank` operand in TFLite's right-aligned
  /// broadcasting: leading unit dimensions added in logical order, then made physical.
  Value alignForBroadcast(Value v, int64_t rank, Location loc);
  Value reshape(Value v, ArrayRef<int64_t> shape, Location loc);

  // --- operators (Operators.cpp) ---------------------------------------------
  bool importOperator(int op);
  const tfl::Operator &op(int i) const { return *graph->operators()->Get(i); }
  int numInputs(int opIndex) const;
  /// Input `k` of the operator, or -1 when it is absent (optional input).
  int input(int opIndex, int k) const;
  int output(int opIndex, int k) const;
  Value fusedActivation(int opIndex, tfl::ActivationFunctionType act, Value v);
  std::optional<SmallVector<int64_t>> windowPads(int opIndex, tfl::Padding padding,
                                                 ArrayRef<int64_t> in, ArrayRef<int64_t> kernel,
                                                 ArrayRef<int64_t> strides,
                                                 ArrayRef<int64_t> dilations);
  bool importConv(int op, bool depthwise);
  // --- hybrid (dynamic-range) kernels (Hybrid.cpp) ---------------------------
  /// A float32 input with an int8 quantized filter: one of TFLite's hybrid kernels.
  bool isHybrid(int inputTensor, int filterTensor);
  SmallVector<float> filterScales(int filterTensor);
  /// FULLY_CONNECTED's hybrid form on `x` (batch x inputs, float); float result.
  Value hybridFullyConnected(int op, Value x, int filterTensor, Value bias, bool asymmetric);
  /// CONV_2D / DEPTHWISE_CONV_2D's hybrid form; `w` the quantized OIHW filter.
  Value hybridConv(int op, Value x, int filterTensor, Value w, Value bias,
                   RankedTensorType outType, ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                   ArrayRef<int64_t> dilations, int64_t group, bool depthwise);
  bool importTransposeConv(int op);
  Value channelBias(int op, int biasTensor, int64_t channels);
  bool importFullyConnected(int op);
  bool importBinary(int op, tfl::BuiltinOperator code);
  bool importPool(int op, bool isMax);
  bool importReshape(int op);
  bool importSoftmax(int op);
  bool importConcatenation(int op);
  bool importQuantize(int op);
  bool importUnary(int op, tfl::BuiltinOperator code);
  bool importTranspose(int op);
  bool importMean(int op);
  bool importPad(int op, bool withValue);
  bool importSlice(int op, bool strided);
  bool importSplit(int op, bool sizes);
  bool importArgMax(int op);
  bool importResize(int op, bool bilinear);
  bool importGather(int op, bool nd);
  bool importCast(int op);
  bool importTopK(int op);
  bool importDetectionPostProcess(int op); // Detection.cpp
  /// The value of a plain integer or a float/quantized tensor in TFLite's dimension order:
  /// a data-movement op's source (quantized tensors seen as f32 for the fake-quant form).
  Value movedValue(int tensor, Location loc);
  /// A box of a tensor given in TFLite's (logical) dimension order, on the physical value.
  Value sliceLogical(Value physical, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                     ArrayRef<int64_t> strides, Location loc);
  /// Records a plain integer result (ARG_MAX's indices) after checking its shape.
  bool defineInteger(int op, int tensor, Value result);

  MLIRContext *ctx;
  const ImportOptions &opts;
  OpBuilder b;
  Location fileLoc;
  int numErrors = 0;

  /// The flatbuffer, copied to 16-byte aligned storage (its buffers' alignment).
  struct alignas(16) Chunk { unsigned char bytes[16]; };
  std::vector<Chunk> storage;
  size_t size = 0;
  const tfl::Model *model = nullptr;
  const tfl::SubGraph *graph = nullptr;
  std::vector<Value> values;
  /// DEQUANTIZE outputs of float16 constants -> those constants (constantSource).
  llvm::DenseMap<int, int> widenedFrom;
  std::vector<bool> failedTensors; // outputs of operators that could not be imported
};

} // namespace mlir::qcc::tflite_import

#endif // QCC_LIB_IMPORT_TFLITE_IMPORTER_H
