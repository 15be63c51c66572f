//===- ElidePadCopies.cpp - producers write into padded buffers -----------===//
#include "qcc/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCELIDEPADCOPIES
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// True if every use of `v` (through subviews) only addresses its elements and comes
/// before `limit` in `block`, `except` aside.
bool onlyAddressed(Value v, Operation *limit, Operation *except) {
  for (Operation *user : v.getUsers()) {
    if (user == except)
      continue;
    Operation *top = limit->getBlock()->findAncestorOpInBlock(*user);
    if (!top || !top->isBeforeInBlock(limit))
      return false;
    if (isa<memref::SubViewOp, memref::ExpandShapeOp>(user)) {
      if (!onlyAddressed(user->getResult(0), limit, nullptr))
        return false;
      continue;
    }
    if (!isa<vector::TransferReadOp, vector::TransferWriteOp, vector::MaskedStoreOp,
             vector::MaskedLoadOp, vector::LoadOp, vector::StoreOp, memref::LoadOp,
             memref::StoreOp, linalg::LinalgOp>(user))
      return false;
  }
  return true;
}

/// The layout an expand_shape of a view of type `from` gets, if it has one.
FailureOr<MemRefType> expandedType(memref::ExpandShapeOp expand, MemRefType from) {
  return memref::ExpandShapeOp::computeExpandedType(from, expand.getType().getShape(),
                                                    expand.getReassociationIndices());
}

/// True if every expand_shape reached from `v` through subviews and expand_shapes still
/// has a layout once `v` has type `type`.
bool propagatable(Value v, MemRefType type) {
  for (Operation *user : v.getUsers()) {
    if (auto sv = dyn_cast<memref::SubViewOp>(user)) {
      auto t = cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
          sv.getType().getShape(), type, sv.getMixedOffsets(), sv.getMixedSizes(),
          sv.getMixedStrides()));
      if (!propagatable(sv.getResult(), t))
        return false;
    } else if (auto expand = dyn_cast<memref::ExpandShapeOp>(user)) {
      FailureOr<MemRefType> t = expandedType(expand, type);
      if (failed(t) || !propagatable(expand.getResult(), *t))
        return false;
    }
  }
  return true;
}

/// Replaces `old` by `repl` (same shape, another layout), rebuilding subviews and
/// expand_shapes with the layout they get from `repl` (propagatable() holds); other
/// users take any layout.
void replaceAndPropagate(RewriterBase &rewriter, Value old, Value repl) {
  for (OpOperand &use : llvm::make_early_inc_range(old.getUses())) {
    Operation *user = use.getOwner();
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(user)) {
      rewriter.setInsertionPoint(expand);
      auto rebuilt = rewriter.create<memref::ExpandShapeOp>(
          expand.getLoc(), *expandedType(expand, cast<MemRefType>(repl.getType())), repl,
          expand.getReassociationIndices());
      replaceAndPropagate(rewriter, expand.getResult(), rebuilt.getResult());
      rewriter.eraseOp(expand);
    } else if (auto sv = dyn_cast<memref::SubViewOp>(user)) {
      rewriter.setInsertionPoint(sv);
      auto type = cast<MemRefType>(memref::SubViewOp::inferRankReducedResultType(
          sv.getType().getShape(), cast<MemRefType>(repl.getType()), sv.getMixedOffsets(),
          sv.getMixedSizes(), sv.getMixedStrides()));
      auto rebuilt = rewriter.create<memref::SubViewOp>(sv.getLoc(), type, repl,
                                                        sv.getMixedOffsets(),
                                                        sv.getMixedSizes(),
                                                        sv.getMixedStrides());
      replaceAndPropagate(rewriter, sv.getResult(), rebuilt.getResult());
      rewriter.eraseOp(sv);
    } else {
      rewriter.modifyOpInPlace(user, [&] { use.set(repl); });
    }
  }
}

LogicalResult elide(RewriterBase &rewriter, DominanceInfo &dom, linalg::CopyOp copy) {
  Value src = copy.getInputs()[0], dst = copy.getOutputs()[0];
  auto interior = dst.getDefiningOp<memref::SubViewOp>();
  auto collapse = src.getDefiningOp<memref::CollapseShapeOp>();
  auto a = (collapse ? collapse.getSrc() : src).getDefiningOp<memref::AllocOp>();
  if (!interior || !a || (collapse && !collapse->hasOneUse()) || !interior->hasOneUse())
    return failure();
  auto b = interior.getSource().getDefiningOp<memref::AllocOp>();
  Block *block = copy->getBlock();
  if (!b || b == a || a->getBlock() != block || b->getBlock() != block ||
      (collapse && collapse->getBlock() != block) || interior->getBlock() != block)
    return failure();
  if (!a.getType().getLayout().isIdentity() || !b.getType().getLayout().isIdentity())
    return failure();
  // A static, unit-stride, full-rank interior.
  if (interior.getType().getRank() != b.getType().getRank() ||
      !llvm::all_of(interior.getStaticStrides(), [](int64_t s) { return s == 1; }) ||
      ShapedType::isDynamicShape(interior.getStaticOffsets()) ||
      ShapedType::isDynamicShape(interior.getStaticSizes()))
    return failure();
  // B: one fill before the copy, nothing else before it but the interior.
  Operation *fill = nullptr;
  for (Operation *user : b->getUsers()) {
    if (user == interior)
      continue;
    Operation *top = block->findAncestorOpInBlock(*user);
    if (!top)
      return failure();
    if (!top->isBeforeInBlock(copy))
      continue; // the consumers
    auto linalgOp = dyn_cast<linalg::LinalgOp>(user);
    if (fill || top != user || !linalgOp ||
        linalgOp.getNumDpsInputs() != (isa<linalg::FillOp>(user) ? 1 : 0) ||
        linalgOp.getDpsInitOperand(0)->get() != b.getResult())
      return failure();
    fill = user;
  }
  // A: addressed only, before the copy.
  if (!onlyAddressed(a.getResult(), copy, collapse ? collapse.getOperation() : copy))
    return failure();
  // The fill must be movable before A: whatever it uses is defined before A.
  if (fill) {
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(fill->getRegions(), used);
    for (Value v : fill->getOperands())
      if (v != b.getResult())
        used.insert(v);
    for (Value v : used)
      if (!dom.properlyDominates(v, a))
        return failure();
  }

  // A's shape over B's interior.
  FailureOr<MemRefType> viewType = interior.getType();
  if (collapse)
    viewType = memref::ExpandShapeOp::computeExpandedType(
        interior.getType(), a.getType().getShape(), collapse.getReassociationIndices());
  if (failed(viewType) || !propagatable(a.getResult(), *viewType))
    return failure();

  rewriter.moveOpBefore(b, a);
  if (fill) {
    // The producer writes the whole interior (it held all of A's value): fill the border
    // only, slab by slab (dimension d below and above the interior, the dimensions before
    // d restricted to the interior).
    rewriter.setInsertionPointAfter(b);
    ArrayRef<int64_t> shape = b.getType().getShape();
    ArrayRef<int64_t> lo = interior.getStaticOffsets(), size = interior.getStaticSizes();
    for (int64_t d = 0; d < int64_t(shape.size()); ++d) {
      for (auto [begin, extent] : {std::pair<int64_t, int64_t>{0, lo[d]},
                                   {lo[d] + size[d], shape[d] - lo[d] - size[d]}}) {
        if (extent <= 0)
          continue;
        SmallVector<int64_t> offsets, sizes, ones(shape.size(), 1);
        for (int64_t j = 0; j < int64_t(shape.size()); ++j) {
          offsets.push_back(j < d ? lo[j] : j == d ? begin : 0);
          sizes.push_back(j < d ? size[j] : j == d ? extent : shape[j]);
        }
        Value slab = rewriter.create<memref::SubViewOp>(fill->getLoc(), b.getResult(), offsets,
                                                        sizes, ones);
        Operation *part = rewriter.clone(*fill);
        auto linalgPart = cast<linalg::LinalgOp>(part);
        rewriter.modifyOpInPlace(part, [&] { linalgPart.getDpsInitOperand(0)->set(slab); });
      }
    }
    rewriter.eraseOp(fill);
  }
  rewriter.setInsertionPoint(a);
  Value view = rewriter.create<memref::SubViewOp>(
      interior.getLoc(), interior.getType(), b.getResult(), interior.getMixedOffsets(),
      interior.getMixedSizes(), interior.getMixedStrides());
  if (collapse)
    view = rewriter.create<memref::ExpandShapeOp>(a.getLoc(), *viewType, view,
                                                  collapse.getReassociationIndices());
  rewriter.eraseOp(copy);
  if (collapse)
    rewriter.eraseOp(collapse);
  rewriter.eraseOp(interior);
  replaceAndPropagate(rewriter, a.getResult(), view);
  rewriter.eraseOp(a);
  return success();
}

struct QccElidePadCopiesPass : mlir::qcc::impl::QccElidePadCopiesBase<QccElidePadCopiesPass> {
  void runOnOperation() override {
    SmallVector<linalg::CopyOp> copies;
    getOperation().walk([&](linalg::CopyOp copy) { copies.push_back(copy); });
    IRRewriter rewriter(&getContext());
    // Valid throughout: the rewrites only move operations within their block, and
    // dominance inside a block follows the (maintained) operation order.
    DominanceInfo dom(getOperation());
    for (linalg::CopyOp copy : copies)
      (void)elide(rewriter, dom, copy);
  }
};

} // namespace
