//===- HoistAccumulators.cpp - vector accumulators kept in registers ------===//
#include "qcc/Codegen/Passes.h"
#include "qcc/Codegen/VectorUtils.h"


#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <deque>
#include <numeric>


namespace mlir::qcc {
#define GEN_PASS_DEF_QCCHOISTACCUMULATORS
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// An accumulator block with unit dimensions (a 1x1 output plane: the classifier) is read
/// and written through a collapse_shape, a view, which linalg's transfer hoisting does not
/// see through: allocate such a block collapsed, and copy its initial value in collapsed.
/// Applies to an allocation used only by collapse_shapes of one identity-layout type and
/// at most one copy of its initial value.
static void allocateCollapsed(RewriterBase &rewriter, memref::AllocOp alloc) {
  memref::CollapseShapeOp collapse;
  linalg::CopyOp init;
  for (Operation *user : alloc->getUsers()) {
    auto c = dyn_cast<memref::CollapseShapeOp>(user);
    auto copy = dyn_cast<linalg::CopyOp>(user);
    if (c && (!collapse || c.getType() == collapse.getType()))
      collapse = c;
    else if (copy && !init && copy.getOutputs()[0] == alloc.getResult() &&
             copy.getInputs()[0] != alloc.getResult())
      init = copy;
    else
      return;
  }
  if (!collapse || !collapse.getType().getLayout().isIdentity() ||
      (init && !memref::CollapseShapeOp::isGuaranteedCollapsible(
                   cast<MemRefType>(init.getInputs()[0].getType()),
                   collapse.getReassociationIndices())))
    return;
  rewriter.setInsertionPoint(alloc);
  auto flat = rewriter.create<memref::AllocOp>(alloc.getLoc(), collapse.getType(),
                                               alloc.getAlignmentAttr());
  if (init) {
    rewriter.setInsertionPoint(init);
    Value flatSrc = rewriter.create<memref::CollapseShapeOp>(
        init.getLoc(), init.getInputs()[0], collapse.getReassociationIndices());
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(init, flatSrc, flat.getResult());
  }
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    rewriter.replaceOp(user, flat.getResult());
  rewriter.eraseOp(alloc);
}

struct QccHoistAccumulatorsPass
    : mlir::qcc::impl::QccHoistAccumulatorsBase<QccHoistAccumulatorsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
    for (memref::AllocOp alloc : allocs)
      allocateCollapsed(rewriter, alloc);
    // Subviews of the accumulator are loop invariant in the reduction loops: move them out
    // first, so that the transfers on them are recognized as invariant too.
    getOperation().walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    linalg::hoistRedundantVectorTransfers(getOperation());
    // A fused epilogue reads the accumulator block right where the reduction wrote it,
    // and the reduction reads the block its initial value was just written to: forward
    // those transfers and drop the dead writes, so the block buffer disappears.
    vector::transferOpflowOpt(rewriter, getOperation());
    // An accumulator block initialized by copying a constant (a bias the canonicalizer
    // folded into a constant) is read right after the copy: read the constant instead.
    getOperation().walk([&](linalg::CopyOp copy) {
      Value dst = copy.getOutputs()[0];
      Value src = copy.getInputs()[0];
      auto alloc = dst.getDefiningOp<memref::AllocOp>();
      Value base = src;
      while (auto view = base.getDefiningOp<memref::SubViewOp>())
        base = view.getSource();
      auto global = base.getDefiningOp<memref::GetGlobalOp>();
      if (!alloc || !global ||
          cast<MemRefType>(src.getType()).getShape() != cast<MemRefType>(dst.getType()).getShape())
        return;
      auto def = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(global,
                                                                        global.getNameAttr());
      if (!def || !def.getConstant())
        return;
      auto read = dyn_cast_or_null<vector::TransferReadOp>(copy->getNextNode());
      if (!read || read.getSource() != dst)
        return;
      rewriter.modifyOpInPlace(read, [&] { read.getSourceMutable().assign(src); });
    });
    // A buffer that is only ever written (the block, once every read was forwarded) is dead.
    SmallVector<memref::AllocOp> writeOnly;
    getOperation().walk([&](memref::AllocOp alloc) {
      if (llvm::all_of(alloc->getUsers(), [&](Operation *user) {
            if (auto write = dyn_cast<vector::TransferWriteOp>(user))
              return write.getSource() == alloc.getResult();
            if (auto copy = dyn_cast<linalg::CopyOp>(user))
              return copy.getOutputs()[0] == alloc.getResult() &&
                     copy.getInputs()[0] != alloc.getResult();
            return false;
          }))
        writeOnly.push_back(alloc);
    });
    for (memref::AllocOp alloc : writeOnly) {
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        rewriter.eraseOp(user);
      rewriter.eraseOp(alloc);
    }
  }
};

} // namespace
