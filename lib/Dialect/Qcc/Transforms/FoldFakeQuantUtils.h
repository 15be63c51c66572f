//===- FoldFakeQuantUtils.h - shared by qcc-fold-fake-quant's files -*- C++ -*-===//
//
// Internal to lib/Dialect/Qcc/Transforms. qcc-fold-fake-quant is one pass in three files:
// FoldFakeQuant.cpp (the contractions, pools, add and mul, and the pass), FoldTables.cpp
// (256-entry tables, softmax) and FoldDataMovement.cpp (ops that move values).
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

/// FoldTables.cpp: table ops (TFLite's integer LEAKY_RELU with `fixed`) and softmax.
void populateTableFolds(RewritePatternSet &patterns, bool fixed);
/// FoldDataMovement.cpp.
void populateDataMovementFolds(RewritePatternSet &patterns);

} // namespace mlir::qcc::fold_fake_quant

#endif // QCC_LIB_DIALECT_QCC_TRANSFORMS_FOLDFAKEQUANTUTILS_H
