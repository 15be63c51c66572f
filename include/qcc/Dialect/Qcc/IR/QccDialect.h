//===- QccDialect.h - the qcc dialect ----------------------------*- C++ -*-===//
#ifndef QCC_DIALECT_QCC_IR_QCCDIALECT_H
#define QCC_DIALECT_QCC_IR_QCCDIALECT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"

#include "qcc/Dialect/Qcc/IR/QccOpsDialect.h.inc"

namespace mlir::qcc {

/// The names of the attributes declared in QccDialect.td (discardableAttrs), for code that
/// sets or reads them on an op, argument or result; QccDialect::<Name>AttrHelper has the
/// typed accessors and QccDialect::verifyOperationAttribute their rules.
inline constexpr llvm::StringLiteral kEntryAttrName =
    QccDialect::EntryAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kNumInputsAttrName =
    QccDialect::NumInputsAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kNumOutputsAttrName =
    QccDialect::NumOutputsAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kNameAttrName =
    QccDialect::NameAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kDtypeAttrName =
    QccDialect::DtypeAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kOpsetAttrName =
    QccDialect::OpsetAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kDistinctAttrName =
    QccDialect::DistinctAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kEpilogueAttrName =
    QccDialect::EpilogueAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kTileSizesAttrName =
    QccDialect::TileSizesAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kTileInterchangeAttrName =
    QccDialect::TileInterchangeAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kArenaAttrName =
    QccDialect::ArenaAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kArenaSizeAttrName =
    QccDialect::ArenaSizeAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kArenaLowerBoundAttrName =
    QccDialect::ArenaLowerBoundAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kArenaAlignmentAttrName =
    QccDialect::ArenaAlignmentAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kLayersAttrName =
    QccDialect::LayersAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kParallelLayersAttrName =
    QccDialect::ParallelLayersAttrHelper::getNameStr();
inline constexpr llvm::StringLiteral kParallelTripsAttrName =
    QccDialect::ParallelTripsAttrHelper::getNameStr();

/// The function of `module` marked `qcc.entry` (the model's body), or null: a
/// func::FuncOp before the LLVM lowering, an LLVM::LLVMFuncOp after it.
template <typename FuncT = func::FuncOp>
FuncT getEntryFunction(ModuleOp module) {
  FuncT entry;
  module.walk([&](FuncT f) {
    if (f->hasAttr(kEntryAttrName))
      entry = f;
  });
  return entry;
}

} // namespace mlir::qcc

#endif // QCC_DIALECT_QCC_IR_QCCDIALECT_H
