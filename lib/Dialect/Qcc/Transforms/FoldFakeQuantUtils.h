//===- FoldFakeQuantUtils.h - shared by qcc-fold-fake-quant's files -*- C++ -*-===//
//
// Internal to lib/Dialect/Qcc/Transforms. qcc-fold-fake-quant is one pass in four files:
// FoldFakeQuant.cpp (the contractions, pools, add and mul, and the pass), FoldAffine.cpp
// (per-channel affine ops folded into a convolution), FoldTables.cpp (256-entry tables,
// softmax) and FoldDataMovement.cpp (ops that move values).
//
//===----------------------------------------------------------------------===//
#ifndef QCC_LIB_DIALECT_QCC_TRANSFORMS_FOLDFAKEQUANTUTILS_H
#define QCC_LIB_DIALECT_QCC_TRANSFORMS_FOLDFAKEQUANTUTILS_H

#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::qcc::fold_fake_quant {

/// `v`'s shape with another element type.
RankedTensorType withElement(Value v, Type element);
/// The quantized value a float value was dequantized from, if it was.
Value dequantizedSource(Value floatValue);
/// An 8-bit per-tensor quantized type, or null.
quant::UniformQuantizedType activation8(Type t);
/// Converts a quantized value to `elementType`: itself, or a requantize.
Value convertTo(PatternRewriter &rewriter, Location loc, Value v, Type elementType);

/// FoldAffine.cpp: per-channel values of a constant that broadcasts along dimension 1 of
/// an N x C (x ...) tensor (shapes [], [1], [C], [C,1,...], [1,C,...]); empty when it
/// does not.
SmallVector<double> perChannelConstant(Value v, int64_t channels);
/// y = a[c] * x + b[c], composed from the per-channel affine ops (BatchNormalization with
/// constant parameters; Mul, Div, Add, Sub by constants) that PyTorch's QAT exports put
/// between a convolution and its quantize.
struct Affine {
  SmallVector<double> a, b;
  bool isIdentity() const { return a.empty(); }
};
/// Walks back from `v` through single-use per-channel affine ops; returns the value they
/// start from and their composition.
Value skipAffine(Value v, int64_t channels, Affine &affine);
/// The real value of a conv/gemm bias per channel: a dequantized int32 constant or a float
/// constant. Empty when it is neither.
SmallVector<double> realBias(Value floatBias, int64_t channels);

/// FoldTables.cpp: table ops (TFLite's integer LEAKY_RELU with `fixed`) and softmax.
void populateTableFolds(RewritePatternSet &patterns, bool fixed);
/// FoldDataMovement.cpp.
void populateDataMovementFolds(RewritePatternSet &patterns);

} // namespace mlir::qcc::fold_fake_quant

#endif // QCC_LIB_DIALECT_QCC_TRANSFORMS_FOLDFAKEQUANTUTILS_H
