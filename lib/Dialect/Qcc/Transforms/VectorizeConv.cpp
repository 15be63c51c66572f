//===- VectorizeConv.cpp - register-blocked vector convolutions -----------===//
#include "qcc/Dialect/Qcc/Transforms/Passes.h"

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

#include <numeric>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCVECTORIZECONV
#define GEN_PASS_DEF_QCCHOISTACCUMULATORS
#define GEN_PASS_DEF_QCCX86DOTPRODUCTS
#define GEN_PASS_DEF_QCCARMDOTPRODUCTS
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

#define DEBUG_TYPE "qcc-vectorize-conv"

namespace {

/// The linalg vectorizer only accepts projected-permutation indexing maps. A strided
/// convolution tile reads its input through `d * s` (and, once unit dimensions are folded,
/// through constant 0 results): take that operand as a strided, rank-reduced
/// tensor.extract_slice instead, so that its map becomes a plain projection. Returns
/// failure (leaving the op unchanged) when some map result has another form.
static LogicalResult projectStridedOperands(RewriterBase &rewriter, linalg::GenericOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  struct Plan {
    unsigned operand;
    SmallVector<int64_t> offsets, sizes, strides;
    SmallVector<int64_t> kept;         // the slice's shape once size-1 fixed indices drop
    SmallVector<AffineExpr> results;   // the operand's new map: one loop dim per kept dim
  };
  SmallVector<Plan, 2> plans;
  MLIRContext *ctx = op.getContext();
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    if (map.isProjectedPermutation())
      continue;
    auto type = dyn_cast<RankedTensorType>(in->get().getType());
    if (!type || !type.hasStaticShape())
      return failure();
    Plan plan{in->getOperandNumber(), {}, {}, {}, {}, {}};
    for (AffineExpr e : map.getResults()) {
      int64_t dim = -1, stride = 1;
      if (auto d = dyn_cast<AffineDimExpr>(e)) {
        dim = d.getPosition();
      } else if (auto c = dyn_cast<AffineConstantExpr>(e)) {
        // A fixed index: a size-1 slice that the rank reduction drops.
        plan.offsets.push_back(c.getValue());
        plan.sizes.push_back(1);
        plan.strides.push_back(1);
        continue;
      } else if (auto m = dyn_cast<AffineBinaryOpExpr>(e);
                 m && m.getKind() == AffineExprKind::Mul) {
        auto d = dyn_cast<AffineDimExpr>(m.getLHS());
        auto c = dyn_cast<AffineConstantExpr>(m.getRHS());
        if (!d || !c || c.getValue() < 1)
          return failure();
        dim = d.getPosition();
        stride = c.getValue();
      } else {
        return failure();
      }
      plan.offsets.push_back(0);
      plan.sizes.push_back(ranges[dim]);
      plan.strides.push_back(stride);
      plan.kept.push_back(ranges[dim]);
      plan.results.push_back(getAffineDimExpr(dim, ctx));
    }
    plans.push_back(std::move(plan));
  }
  if (plans.empty())
    return success();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  rewriter.setInsertionPoint(op);
  for (Plan &plan : plans) {
    Value src = op->getOperand(plan.operand);
    auto resultType = RankedTensorType::get(plan.kept, getElementTypeOrSelf(src.getType()));
    Value slice = rewriter.create<tensor::ExtractSliceOp>(
        op.getLoc(), resultType, src, ValueRange{}, ValueRange{}, ValueRange{},
        rewriter.getDenseI64ArrayAttr(plan.offsets), rewriter.getDenseI64ArrayAttr(plan.sizes),
        rewriter.getDenseI64ArrayAttr(plan.strides));
    maps[plan.operand] = AffineMap::get(maps[plan.operand].getNumDims(), 0, plan.results, ctx);
    rewriter.modifyOpInPlace(op, [&] { op->setOperand(plan.operand, slice); });
  }
  rewriter.modifyOpInPlace(op, [&] { op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps)); });
  return success();
}

struct QccVectorizeConvPass : mlir::qcc::impl::QccVectorizeConvBase<QccVectorizeConvPass> {
  /// A contraction whose only user is its requantization epilogue (a `qcc.epilogue`
  /// elementwise op, see qcc-fuse-requantize): tile the epilogue into the contraction's
  /// register blocks and fuse the contraction (and the producer of its initial
  /// accumulator: the bias broadcast or the zero fill) into each block, then tile the
  /// fused block's reduction loops. The int32 accumulator then only ever exists as one
  /// block, which vectorization keeps in registers. Fails (changing nothing) when there is
  /// no such epilogue.
  LogicalResult tileWithEpilogue(RewriterBase &rewriter, linalg::GenericOp op,
                                 ArrayRef<int64_t> sizes) {
    if (!op->hasOneUse())
      return failure();
    auto epilogue = dyn_cast<linalg::GenericOp>(*op->user_begin());
    if (!epilogue || !epilogue->hasAttr("qcc.epilogue") ||
        epilogue.getDpsInputOperand(0)->get() != op->getResult(0))
      return failure();
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (!outMap.isProjectedPermutation() ||
        !epilogue.getMatchingIndexingMap(epilogue.getDpsInputOperand(0)).isIdentity())
      return failure();
    // Iterate the epilogue (and the elementwise op that makes the initial accumulator) in
    // the contraction's parallel loop order, so that all three vectorize to the same vector
    // shape and layout: each transfer_read of the accumulator block then folds with the
    // transfer_write before it and the block never leaves registers.
    unsigned rank = outMap.getNumResults();
    SmallVector<unsigned> order(rank);
    std::iota(order.begin(), order.end(), 0);
    llvm::sort(order, [&](unsigned a, unsigned b) {
      return outMap.getDimPosition(a) < outMap.getDimPosition(b);
    });
    Operation *init = op.getDpsInitOperand(0)->get().getDefiningOp();
    if (!llvm::equal(order, llvm::seq<unsigned>(0, rank))) {
      rewriter.setInsertionPoint(epilogue);
      FailureOr<linalg::GenericOp> swapped = linalg::interchangeGenericOp(rewriter, epilogue, order);
      if (failed(swapped))
        return failure();
      epilogue = *swapped;
      auto initOp = dyn_cast_or_null<linalg::GenericOp>(init);
      if (initOp && initOp.getNumLoops() == rank &&
          initOp.getNumParallelLoops() == rank && initOp->hasOneUse()) {
        rewriter.setInsertionPoint(initOp);
        if (succeeded(linalg::interchangeGenericOp(rewriter, initOp, order)))
          init = initOp;
      }
    }
    SmallVector<OpFoldResult> blockSizes;
    for (unsigned dim : order)
      blockSizes.push_back(rewriter.getIndexAttr(sizes[outMap.getDimPosition(dim)]));
    scf::SCFTileAndFuseOptions options;
    options.tilingOptions.setTileSizes(blockSizes);
    options.setFusionControlFn([&](tensor::ExtractSliceOp, OpResult producer, bool) {
      Operation *owner = producer.getOwner();
      bool fuse = owner == op.getOperation() || (init && owner == init && isa<linalg::LinalgOp>(init));
      return std::make_tuple(fuse, false);
    });
    rewriter.setInsertionPoint(epilogue);
    FailureOr<scf::SCFTileAndFuseResult> fused = scf::tileConsumerAndFuseProducersUsingSCF(
        rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
    if (failed(fused)) {
      LLVM_DEBUG(epilogue.emitRemark("qcc-vectorize-conv: epilogue fusion failed"));
      return failure();
    }
    linalg::GenericOp block;
    for (Operation *t : fused->tiledAndFusedOps)
      if (auto g = dyn_cast<linalg::GenericOp>(t); g && g.getNumReductionLoops() > 0)
        block = g;
    for (OpResult r : epilogue->getResults())
      rewriter.replaceAllUsesWith(r, fused->replacements.lookup(r));
    // The untiled contraction and its initial accumulator die with the epilogue's slices;
    // the greedy rewrites below erase them.
    rewriter.eraseOp(epilogue);
    if (!block)
      return success();
    // The block's parallel extents are the block sizes already; tile its reductions.
    SmallVector<OpFoldResult> reductionSizes;
    for (auto [i, it] : llvm::enumerate(block.getIteratorTypesArray()))
      reductionSizes.push_back(rewriter.getIndexAttr(
          it == utils::IteratorType::reduction ? sizes[i] : 0));
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(reductionSizes);
    rewriter.setInsertionPoint(block);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(block.getOperation()), tiling);
    if (succeeded(tiled))
      rewriter.replaceOp(block, tiled->replacements);
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<linalg::GenericOp> convs;
    func.walk([&](linalg::GenericOp op) {
      if (op->hasAttr("qcc.tile_sizes"))
        convs.push_back(op);
    });
    IRRewriter rewriter(ctx);
    SmallVector<Operation *> tiles;
    for (linalg::GenericOp op : convs) {
      auto sizes = op->getAttrOfType<DenseI64ArrayAttr>("qcc.tile_sizes");
      op->removeAttr("qcc.tile_sizes");
      if (succeeded(tileWithEpilogue(rewriter, op, sizes.asArrayRef())))
        continue;
      SmallVector<OpFoldResult> tileSizes;
      for (int64_t s : sizes.asArrayRef())
        tileSizes.push_back(rewriter.getIndexAttr(s));
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitWarning("qcc-vectorize-conv: tiling failed; the convolution stays scalar");
        continue;
      }
      rewriter.replaceOp(op, tiled->replacements);
      tiles.append(tiled->tiledOps.begin(), tiled->tiledOps.end());
    }
    // Fold the unit dimensions of each tile, so that it is a plain 2-D elementwise
    // multiply-accumulate, then vectorize it.
    {
      RewritePatternSet patterns(ctx);
      linalg::ControlDropUnitDims control;
      linalg::populateFoldUnitExtentDimsPatterns(patterns, control);
      tensor::populateFoldTensorEmptyPatterns(patterns);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> toVectorize;
    func.walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<scf::ForOp>() && op.hasPureTensorSemantics() &&
          op.getNumParallelLoops() == op.getNumLoops())
        toVectorize.push_back(op);
    });
    for (linalg::GenericOp op : toVectorize) {
      // A tile whose every dimension was a unit one has nothing to vectorize.
      if (op.getNumLoops() == 0)
        continue;
      if (failed(projectStridedOperands(rewriter, op))) {
        LLVM_DEBUG(op.emitRemark("qcc-vectorize-conv: unsupported indexing map; stays scalar"));
        continue;
      }
      rewriter.setInsertionPoint(op);
      if (failed(linalg::vectorize(rewriter, op)))
        LLVM_DEBUG(op.emitRemark("qcc-vectorize-conv: vectorization failed; stays scalar"));
    }
    RewritePatternSet cleanup(ctx);
    vector::populateVectorTransferDropUnitDimsPatterns(cleanup);
    vector::TransferReadOp::getCanonicalizationPatterns(cleanup, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(cleanup, ctx);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(cleanup))))
      return signalPassFailure();
    // The accumulator tile (extract_slice + transfer_read ... transfer_write + insert_slice)
    // is invariant in the c, kh, kw loops: carry it as a vector iter_arg instead.
    SmallVector<LoopLikeOpInterface> loops;
    func.walk([&](LoopLikeOpInterface loop) { loops.push_back(loop); }); // innermost first
    for (LoopLikeOpInterface loop : loops)
      (void)hoistLoopInvariantSubsets(rewriter, loop);
  }
};

struct QccHoistAccumulatorsPass
    : mlir::qcc::impl::QccHoistAccumulatorsBase<QccHoistAccumulatorsPass> {
  void runOnOperation() override {
    // Subviews of the accumulator are loop invariant in the reduction loops: move them out
    // first, so that the transfers on them are recognized as invariant too.
    getOperation().walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    linalg::hoistRedundantVectorTransfers(getOperation());
    // A fused epilogue reads the accumulator block right where the reduction wrote it,
    // and the reduction reads the block its initial value was just written to: forward
    // those transfers and drop the dead writes, so the block buffer disappears.
    IRRewriter rewriter(&getContext());
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

/// `v` is `(x << 16) >> 16` (low = true) or `x >> 16` (arithmetic), for a splat 16.
static Value halfOf(Value v, bool low) {
  auto isSixteen = [](Value c) {
    APInt value;
    return matchPattern(c, m_ConstantInt(&value)) && value == 16;
  };
  auto shr = v.getDefiningOp<arith::ShRSIOp>();
  if (!shr || !isSixteen(shr.getRhs()))
    return {};
  if (!low)
    return shr.getLhs();
  auto shl = shr.getLhs().getDefiningOp<arith::ShLIOp>();
  if (!shl || !isSixteen(shl.getRhs()))
    return {};
  return shl.getLhs();
}

/// `s` is lo(a) * lo(w) + hi(a) * hi(w); sets a and w.
static bool matchPairedProduct(Value s, Value &a, Value &w) {
  auto add = s.getDefiningOp<arith::AddIOp>();
  if (!add)
    return false;
  auto factors = [](Value p, bool low, Value &x, Value &y) {
    auto mul = p.getDefiningOp<arith::MulIOp>();
    if (!mul)
      return false;
    x = halfOf(mul.getLhs(), low);
    y = halfOf(mul.getRhs(), low);
    return x && y;
  };
  for (auto [first, second] : {std::pair(add.getLhs(), add.getRhs()),
                               std::pair(add.getRhs(), add.getLhs())}) {
    Value a0, w0, a1, w1;
    if (!factors(first, true, a0, w0) || !factors(second, false, a1, w1))
      continue;
    if (a0 == a1 && w0 == w1) {
      a = a0, w = w0;
      return true;
    }
    if (a0 == w1 && w0 == a1) {
      a = a0, w = w0;
      return true;
    }
  }
  return false;
}

static bool matchQuadProduct(Value s, Value &a, Value &w, bool unsignedA);

struct QccX86DotProductsPass
    : mlir::qcc::impl::QccX86DotProductsBase<QccX86DotProductsPass> {
  using QccX86DotProductsBase::QccX86DotProductsBase;
  void runOnOperation() override {
    if (isa != "vnni" && isa != "avx2" && isa != "sse2") {
      getOperation().emitError("qcc-x86-dot-products: isa must be vnni, avx2 or sse2, not '")
          << isa << "'";
      return signalPassFailure();
    }
    // Lanes of one instruction: VPDPWSSD takes 4, 8 or 16; PMADDWD 8 (AVX2) or 4 (SSE2).
    int64_t chunk = isa == "avx2" ? 8 : isa == "sse2" ? 4 : 0;
    SmallVector<arith::AddIOp> candidates;
    getOperation().walk([&](arith::AddIOp op) {
      auto type = dyn_cast<VectorType>(op.getType());
      if (!type || !type.getElementType().isInteger(32) || type.getRank() < 1 ||
          type.getRank() > 2 || type.isScalable())
        return;
      int64_t lanes = type.getShape().back();
      if (chunk ? lanes % chunk == 0 : llvm::is_contained({4, 8, 16}, lanes))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (arith::AddIOp op : candidates) {
      Value acc, a, w;
      bool quad = false;
      if (!chunk) { // VNNI: unsigned x signed byte quads -> VPDPBUSD
        for (auto [sum, other] : {std::pair(op.getRhs(), op.getLhs()),
                                  std::pair(op.getLhs(), op.getRhs())}) {
          a = w = Value();
          if (matchQuadProduct(sum, a, w, /*unsignedA=*/true)) {
            acc = other, quad = true;
            break;
          }
        }
      }
      if (!quad) {
        a = w = Value();
        if (matchPairedProduct(op.getRhs(), a, w))
          acc = op.getLhs();
        else if (matchPairedProduct(op.getLhs(), a, w))
          acc = op.getRhs();
        else
          continue;
      }
      auto type = cast<VectorType>(op.getType());
      int64_t lanes = type.getShape().back();
      rewriter.setInsertionPoint(op);
      Location loc = op.getLoc();
      Type i32 = rewriter.getI32Type();
      // acc + paired product on one row of `lanes` words.
      auto dot = [&](Value acc1, Value a1, Value w1) -> Value {
        if (!chunk) {
          std::string name = std::string(quad ? "llvm.x86.avx512.vpdpbusd."
                                              : "llvm.x86.avx512.vpdpwssd.") +
                             std::to_string(lanes * 32);
          return rewriter
              .create<LLVM::CallIntrinsicOp>(loc, TypeRange{VectorType::get({lanes}, i32)},
                                             rewriter.getStringAttr(name),
                                             ValueRange{acc1, a1, w1})
              .getResult(0);
        }
        std::string name = isa == "avx2" ? "llvm.x86.avx2.pmadd.wd" : "llvm.x86.sse2.pmadd.wd";
        auto words = VectorType::get({chunk}, i32);
        auto halves = VectorType::get({2 * chunk}, rewriter.getI16Type());
        Value row = acc1;
        for (int64_t offset = 0; offset < lanes; offset += chunk) {
          auto slice = [&](Value v) -> Value {
            Value part = rewriter.create<vector::ExtractStridedSliceOp>(
                loc, v, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{chunk},
                ArrayRef<int64_t>{1});
            return rewriter.create<vector::BitCastOp>(loc, halves, part);
          };
          Value product = rewriter
                              .create<LLVM::CallIntrinsicOp>(loc, TypeRange{words},
                                                             rewriter.getStringAttr(name),
                                                             ValueRange{slice(a1), slice(w1)})
                              .getResult(0);
          Value accPart = rewriter.create<vector::ExtractStridedSliceOp>(
              loc, acc1, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{chunk}, ArrayRef<int64_t>{1});
          Value sum = rewriter.create<arith::AddIOp>(loc, accPart, product);
          row = rewriter.create<vector::InsertStridedSliceOp>(loc, sum, row,
                                                              ArrayRef<int64_t>{offset},
                                                              ArrayRef<int64_t>{1});
        }
        return row;
      };
      Value result;
      if (type.getRank() == 1) {
        result = dot(acc, a, w);
      } else {
        result = rewriter.create<arith::ConstantOp>(loc, type, rewriter.getZeroAttr(type));
        for (int64_t row = 0; row < type.getShape()[0]; ++row) {
          auto extract = [&](Value v) {
            return rewriter.create<vector::ExtractOp>(loc, v, ArrayRef<int64_t>{row});
          };
          result = rewriter.create<vector::InsertOp>(
              loc, dot(extract(acc), extract(a), extract(w)), result, ArrayRef<int64_t>{row});
        }
      }
      rewriter.replaceOp(op, result);
    }
  }
};

/// `v` is byte k (0..3) of a word, (x << (24 - 8k)) >> 24, the shift arithmetic (a signed
/// byte) or, with `isUnsigned`, logical; sets k and x.
static bool byteOf(Value v, int64_t &k, Value &x, bool isUnsigned = false) {
  auto constant = [](Value c) -> std::optional<int64_t> {
    APInt value;
    if (matchPattern(c, m_ConstantInt(&value)))
      return value.getSExtValue();
    return std::nullopt;
  };
  Value shifted, amount;
  if (isUnsigned) {
    auto shr = v.getDefiningOp<arith::ShRUIOp>();
    if (!shr)
      return false;
    shifted = shr.getLhs(), amount = shr.getRhs();
  } else {
    auto shr = v.getDefiningOp<arith::ShRSIOp>();
    if (!shr)
      return false;
    shifted = shr.getLhs(), amount = shr.getRhs();
  }
  if (constant(amount) != 24)
    return false;
  if (auto shl = shifted.getDefiningOp<arith::ShLIOp>()) {
    auto amount = constant(shl.getRhs());
    if (!amount || (*amount != 24 && *amount != 16 && *amount != 8))
      return false;
    k = (24 - *amount) / 8;
    x = shl.getLhs();
    return true;
  }
  k = 3;
  x = shifted;
  return true;
}

/// `s` is sum_k byte_k(a) * byte_k(w) over k = 0..3 (any association); sets a and w. With
/// `unsignedA`, a's bytes are unsigned and w's signed (VPDPBUSD), else both signed (SDOT).
static bool matchQuadProduct(Value s, Value &a, Value &w, bool unsignedA) {
  SmallVector<Value, 4> terms, stack = {s};
  while (!stack.empty()) {
    Value v = stack.pop_back_val();
    if (auto add = v.getDefiningOp<arith::AddIOp>(); add && terms.size() + stack.size() < 4) {
      stack.push_back(add.getLhs());
      stack.push_back(add.getRhs());
    } else {
      terms.push_back(v);
    }
  }
  if (terms.size() != 4)
    return false;
  unsigned seen = 0;
  for (Value t : terms) {
    auto mul = t.getDefiningOp<arith::MulIOp>();
    int64_t k0, k1;
    Value x0, x1;
    if (!mul)
      return false;
    if (unsignedA) {
      // The unsigned factor is a's byte, the signed one w's, in either operand order.
      Value lhs = mul.getLhs(), rhs = mul.getRhs();
      if (!byteOf(lhs, k0, x0, true))
        std::swap(lhs, rhs);
      if (!byteOf(lhs, k0, x0, true) || !byteOf(rhs, k1, x1) || k0 != k1)
        return false;
      if (!a)
        a = x0, w = x1;
      else if (x0 != a || x1 != w)
        return false;
      seen |= 1u << k0;
      continue;
    }
    if (!byteOf(mul.getLhs(), k0, x0) || !byteOf(mul.getRhs(), k1, x1) || k0 != k1)
      return false;
    if (!a) {
      a = x0, w = x1;
    } else if (!((x0 == a && x1 == w) || (x0 == w && x1 == a))) {
      return false;
    }
    seen |= 1u << k0;
  }
  return seen == 0xF;
}

struct QccArmDotProductsPass
    : mlir::qcc::impl::QccArmDotProductsBase<QccArmDotProductsPass> {
  void runOnOperation() override {
    SmallVector<arith::AddIOp> candidates;
    getOperation().walk([&](arith::AddIOp op) {
      auto type = dyn_cast<VectorType>(op.getType());
      if (type && type.getElementType().isInteger(32) && type.getRank() >= 1 &&
          type.getRank() <= 2 && !type.isScalable() && type.getShape().back() % 4 == 0)
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (arith::AddIOp op : candidates) {
      Value acc, a, w;
      if (matchQuadProduct(op.getRhs(), a, w, false)) {
        acc = op.getLhs();
      } else {
        a = w = Value();
        if (!matchQuadProduct(op.getLhs(), a, w, false))
          continue;
        acc = op.getRhs();
      }
      auto type = cast<VectorType>(op.getType());
      int64_t lanes = type.getShape().back();
      rewriter.setInsertionPoint(op);
      Location loc = op.getLoc();
      auto words = VectorType::get({4}, rewriter.getI32Type());
      auto bytes = VectorType::get({16}, rewriter.getI8Type());
      auto row = [&](Value acc1, Value a1, Value w1) -> Value {
        Value result = acc1;
        for (int64_t offset = 0; offset < lanes; offset += 4) {
          auto slice = [&](Value v) -> Value {
            return rewriter.create<vector::ExtractStridedSliceOp>(
                loc, v, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{4}, ArrayRef<int64_t>{1});
          };
          Value dot = rewriter
                          .create<LLVM::CallIntrinsicOp>(
                              loc, TypeRange{words},
                              rewriter.getStringAttr("llvm.aarch64.neon.sdot.v4i32.v16i8"),
                              ValueRange{slice(acc1),
                                         rewriter.create<vector::BitCastOp>(loc, bytes, slice(a1)),
                                         rewriter.create<vector::BitCastOp>(loc, bytes, slice(w1))})
                          .getResult(0);
          result = rewriter.create<vector::InsertStridedSliceOp>(
              loc, dot, result, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{1});
        }
        return result;
      };
      Value result;
      if (type.getRank() == 1) {
        result = row(acc, a, w);
      } else {
        result = rewriter.create<arith::ConstantOp>(loc, type, rewriter.getZeroAttr(type));
        for (int64_t r = 0; r < type.getShape()[0]; ++r) {
          auto extract = [&](Value v) {
            return rewriter.create<vector::ExtractOp>(loc, v, ArrayRef<int64_t>{r});
          };
          result = rewriter.create<vector::InsertOp>(loc, row(extract(acc), extract(a), extract(w)),
                                                     result, ArrayRef<int64_t>{r});
        }
      }
      rewriter.replaceOp(op, result);
    }
  }
};

} // namespace
