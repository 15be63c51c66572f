//===- Passes.h - transformations of the qcc dialect --------------*- C++ -*-===//
#ifndef QCC_DIALECT_QCC_TRANSFORMS_PASSES_H
#define QCC_DIALECT_QCC_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "qcc/Dialect/Qcc/Transforms/Quantize.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

namespace mlir::qcc {

#define GEN_PASS_DECL
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"

} // namespace mlir::qcc

#endif // QCC_DIALECT_QCC_TRANSFORMS_PASSES_H
