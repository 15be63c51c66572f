//===- Passes.h - qcc code generation passes --------------------*- C++ -*-===//
#ifndef QCC_CODEGEN_PASSES_H
#define QCC_CODEGEN_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::qcc {

/// The x86 instruction set qcc-x86-dot-products targets.
enum class X86DotIsa { SSE2, AVX2, VNNI };

#define GEN_PASS_DECL
#include "qcc/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "qcc/Codegen/Passes.h.inc"

} // namespace mlir::qcc

#endif // QCC_CODEGEN_PASSES_H
