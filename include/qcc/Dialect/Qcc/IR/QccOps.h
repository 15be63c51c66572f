//===- QccOps.h - qcc dialect operations ------------------------*- C++ -*-===//
#ifndef QCC_DIALECT_QCC_IR_QCCOPS_H
#define QCC_DIALECT_QCC_IR_QCCOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"

#include <optional>

namespace mlir::qcc {

/// Output extent of one spatial dimension of a convolution or pooling window, ONNX rules.
/// With `ceilMode`, a last window that would start inside the end padding is dropped
/// (the rule ONNX Runtime and PyTorch follow). Returns <= 0 for an empty output, -1 for a
/// non-positive kernel, stride or dilation.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t padBegin,
                         int64_t padEnd, int64_t dilation, bool ceilMode);

/// The int32 accumulator type of an 8-bit product x * w: scale s_x * s_w[c], zero point 0,
/// per axis `axis` of the result when the weight is per channel. The product is computed in
/// f32 (as ONNX Runtime computes its requantization scales, and TFLite for FULLY_CONNECTED
/// and uint8 convolutions), or with `exactProduct` kept exact in f64 (TFLite's int8
/// CONV_2D / DEPTHWISE_CONV_2D multipliers, PopulateConvolutionQuantizationParams). Read as
/// f32 (QuantParams::scales) both are the same f32 product, so only --requant=fixed, which
/// reads QuantParams::realScales, sees the difference.
Type getAccumulatorType(quant::UniformQuantizedType x, quant::QuantizedType w, int64_t axis,
                        bool exactProduct = false);

/// numpy broadcast of two shapes; std::nullopt when they do not broadcast.
std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b);

} // namespace mlir::qcc

#define GET_OP_CLASSES
#include "qcc/Dialect/Qcc/IR/QccOps.h.inc"

#endif // QCC_DIALECT_QCC_IR_QCCOPS_H
