//===- Quantize.h - helpers shared by post-training quantization --*- C++ -*-===//
//
// What qcc-quantize, qcc-mixed-precision and the calibration (lib/Calibration) agree on:
// which ops are layers, their precisions and names.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_DIALECT_QCC_TRANSFORMS_QUANTIZE_H
#define QCC_DIALECT_QCC_TRANSFORMS_QUANTIZE_H

#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Operation.h"

#include <optional>
#include <string>

namespace mlir::qcc {

/// The precisions a layer can run in (qcc.precision).
enum class Precision { Int8, Int16, Float };

/// A layer of post-training quantization: a conv2d, gemm (without trans_a) or matmul whose
/// weight (operand 1) is an f32 constant. Returns the weight's output-channel axis.
std::optional<int64_t> layerWeightAxis(Operation *op);

/// The layer's qcc.precision (int8 when unset).
Precision precisionOf(Operation *layer);
llvm::StringRef precisionName(Precision p);
/// "int8", "int16", "float" -> the precision; nullopt for any other name.
std::optional<Precision> parsePrecision(llvm::StringRef name);

/// The name a user gives a layer (--layer-precision): the ONNX node's name (or its first
/// output's), the TFLite operator's output tensor.
std::string layerName(Operation *op);

/// The activation type qcc-quantize gives a tensor of range [lo, hi]: asymmetric int8 over
/// the range widened to contain 0, or symmetric int16 (zero point 0).
quant::UniformQuantizedType activationType(MLIRContext *ctx, float lo, float hi, bool int16);

/// What qcc-mixed-precision minimises.
enum class Objective { Latency, Size };

/// A layer's estimated cost at a precision: latency in int8-MAC units (int16 activations
/// 1.5x, float 2.5x: qcc's kernels measured on x86, see qcc-mixed-precision), and its
/// weights' bytes.
struct LayerCost {
  double latency = 0;
  int64_t bytes = 0;
};
LayerCost layerCost(Operation *layer, Precision p);

/// Multiply-accumulates of a layer (conv2d, gemm, matmul).
int64_t layerMACs(Operation *layer);

} // namespace mlir::qcc

#endif // QCC_DIALECT_QCC_TRANSFORMS_QUANTIZE_H
