//===- X86DotProducts.cpp - PMADDWD / VPDPWSSD / VPDPBUSD -----------------===//
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
#define GEN_PASS_DEF_QCCX86DOTPRODUCTS
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// A depthwise row block's loop over the kernel's columns (KW <= 4, unit steps from 0):
///
///   acc' = for kw: acc + extui(read(rows[..., kw + sc * i])) * extsi(broadcast(w[kh, kw]))
///
/// where each vector row r reads L input bytes at columns kw, kw + sc, ... of one input row
/// (a window `x` of the padded input, sliced at kw, with column stride sc = 1 or 2) and w is
/// the channel's weight at (kh, kw). For output lane i the KW products come from the
/// consecutive bytes x[sc * i + j], j < KW: one VPDPBUSD per row does them all, on the
/// input row's bytes shuffled into quads (x[sc*i], x[sc*i+1], x[sc*i+2], x[sc*i+3]) and the
/// broadcast weight word (w[kh, 0], w[kh, 1], w[kh, 2], 0) — the fourth byte's weight is 0.
/// LLVM selects the shuffle as one VPERMW (stride 2) or VPERMQ + VPSHUFB (unit stride).
static LogicalResult rewriteDepthwiseWindow(RewriterBase &rewriter, scf::ForOp loop) {
  auto kw = getConstantIntValue(loop.getUpperBound());
  if (!isConstantIntValue(loop.getLowerBound(), 0) || !isConstantIntValue(loop.getStep(), 1) ||
      !kw || *kw < 2 || *kw > 4 || loop.getNumRegionIterArgs() != 1)
    return failure();
  auto accType = dyn_cast<VectorType>(loop.getRegionIterArgs()[0].getType());
  if (!accType || !accType.getElementType().isInteger(32) || accType.getRank() > 2 ||
      !llvm::is_contained({8, 16}, accType.getShape().back()))
    return failure();
  int64_t lanes = accType.getShape().back();
  int64_t rows = accType.getRank() == 2 ? accType.getShape()[0] : 1;
  Value iv = loop.getInductionVar(), arg = loop.getRegionIterArgs()[0];
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddIOp>();
  // The loop is replaced whole: nothing in it may do more than compute and read.
  if (!add || !llvm::all_of(loop.getBody()->without_terminator(), [](Operation &op) {
        return isMemoryEffectFree(&op) || isa<vector::TransferReadOp>(op);
      }))
    return failure();
  Value product = add.getLhs() == arg ? add.getRhs() : add.getRhs() == arg ? add.getLhs() : Value();
  auto mul = product ? product.getDefiningOp<arith::MulIOp>() : nullptr;
  if (!mul)
    return failure();
  // Each factor: 8-bit values read from memory, zero- or sign-extended, possibly centered
  // by a zero point in 16 bits first (extsi(ext(v) - zp)). The weight is the one read
  // from a 0-D memref (broadcast); the input must be unsigned; the weights signed with
  // zero point 0 or unsigned with any zero point.
  struct Factor {
    vector::TransferReadOp read;
    bool isUnsigned = false;
    int64_t zp = 0;
  };
  auto factor = [](Value v) -> std::optional<Factor> {
    Factor f;
    if (auto ext = v.getDefiningOp<arith::ExtUIOp>()) {
      f.isUnsigned = true;
      f.read = ext.getIn().getDefiningOp<vector::TransferReadOp>();
    } else if (auto ext = v.getDefiningOp<arith::ExtSIOp>()) {
      Value in = ext.getIn();
      if (auto sub = in.getDefiningOp<arith::SubIOp>()) {
        APInt z;
        if (!matchPattern(sub.getRhs(), m_ConstantInt(&z)))
          return std::nullopt;
        f.zp = z.getSExtValue();
        in = sub.getLhs();
      }
      if (auto inner = in.getDefiningOp<arith::ExtUIOp>()) {
        f.isUnsigned = true;
        in = inner.getIn();
      } else if (auto inner = in.getDefiningOp<arith::ExtSIOp>()) {
        in = inner.getIn();
      }
      f.read = in.getDefiningOp<vector::TransferReadOp>();
    }
    if (!f.read)
      return std::nullopt;
    return f;
  };
  auto lhs = factor(mul.getLhs()), rhs = factor(mul.getRhs());
  if (!lhs || !rhs)
    return failure();
  auto isBroadcast = [](Factor f) {
    return cast<MemRefType>(f.read.getSource().getType()).getRank() == 0;
  };
  if (isBroadcast(*lhs))
    std::swap(lhs, rhs);
  if (!isBroadcast(*rhs) || isBroadcast(*lhs) || !lhs->isUnsigned ||
      (!rhs->isUnsigned && rhs->zp != 0) || rhs->zp < 0 || rhs->zp > 255)
    return failure();
  vector::TransferReadOp xRead = lhs->read, wRead = rhs->read;
  int64_t zp = lhs->zp, wZp = rhs->zp;
  bool unsignedWeights = rhs->isUnsigned;
  if (xRead.getMask() || wRead.getMask() ||
      !xRead.getVectorType().getElementType().isInteger(8) ||
      !wRead.getVectorType().getElementType().isInteger(8) ||
      !xRead.getPermutationMap().isMinorIdentity() ||
      llvm::any_of(xRead.getInBoundsValues(), [](bool b) { return !b; }) ||
      !llvm::all_of(xRead.getIndices(), [](Value v) { return isConstantIntValue(v, 0); }))
    return failure();

  // The input window at kw: subview(base)[..., kw] (unit strides), then optionally a
  // subview with strides [sr, sc] from offset 0.
  int64_t rowStride = 1, colStride = 1;
  auto window = xRead.getSource().getDefiningOp<memref::SubViewOp>();
  if (window && !llvm::is_contained(window.getMixedOffsets(), OpFoldResult(iv))) {
    ArrayRef<int64_t> strides = window.getStaticStrides();
    if (!llvm::all_of(window.getStaticOffsets(), [](int64_t o) { return o == 0; }) ||
        strides.size() != (size_t)accType.getRank() || llvm::any_of(strides, ShapedType::isDynamic))
      return failure();
    colStride = strides.back();
    rowStride = strides.size() == 2 ? strides[0] : 1;
    window = window.getSource().getDefiningOp<memref::SubViewOp>();
  }
  if (!window || window.getMixedOffsets().back() != OpFoldResult(iv) ||
      !llvm::all_of(window.getStaticStrides(), [](int64_t s) { return s == 1; }) ||
      colStride > 2)
    return failure();
  auto baseType = cast<MemRefType>(window.getSource().getType());
  int64_t baseRank = baseType.getRank();
  if (baseRank < 2 || ShapedType::isDynamic(baseType.getShape().back()) ||
      window.getStaticSizes().size() != (size_t)baseRank)
    return failure();
  // Weights: a 0-D subview of the filter at (..., kh, kw), broadcast to the block.
  auto wWindow = wRead.getSource().getDefiningOp<memref::SubViewOp>();
  if (!wWindow || wRead.getVectorType().getShape() != accType.getShape() ||
      cast<MemRefType>(wRead.getSource().getType()).getRank() != 0 ||
      wWindow.getMixedOffsets().back() != OpFoldResult(iv) ||
      !llvm::all_of(wWindow.getStaticSizes(), [](int64_t s) { return s == 1; }) ||
      !llvm::all_of(wWindow.getStaticStrides(), [](int64_t s) { return s == 1; }))
    return failure();
  auto wBaseType = cast<MemRefType>(wWindow.getSource().getType());
  if (wBaseType.getShape().back() < *kw)
    return failure();
  // The kernel's column offsets must not depend on kw other than through the last index.
  for (memref::SubViewOp sv : {window, wWindow}) {
    SmallVector<OpFoldResult> offsets = sv.getMixedOffsets();
    for (OpFoldResult o : ArrayRef(offsets).drop_back())
      if (auto v = dyn_cast<Value>(o); v && !loop.isDefinedOutsideOfLoop(v))
        return failure();
  }

  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  Value zero8 = rewriter.create<arith::ConstantOp>(loc, rewriter.getI8IntegerAttr(0));
  Value c0 = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  auto withColumnZero = [&](memref::SubViewOp sv, int64_t lastSize) {
    SmallVector<OpFoldResult> offsets = sv.getMixedOffsets(), sizes = sv.getMixedSizes(),
                              strides = sv.getMixedStrides();
    offsets.back() = rewriter.getIndexAttr(0);
    sizes.back() = rewriter.getIndexAttr(lastSize);
    return rewriter.create<memref::SubViewOp>(loc, sv.getSource(), offsets, sizes, strides);
  };
  // The channel's weight word for this kh: (w[kh, 0], ..., w[kh, KW - 1], 0...).
  Value wRow = withColumnZero(wWindow, *kw);
  SmallVector<Value> wIdx(wBaseType.getRank(), c0);
  Value wBytes = rewriter.create<vector::TransferReadOp>(
      loc, VectorType::get({4}, i8), wRow, wIdx,
      AffineMap::get(wBaseType.getRank(), 0, rewriter.getAffineDimExpr(wBaseType.getRank() - 1)),
      zero8, /*mask=*/Value(), rewriter.getBoolArrayAttr({false}));
  Value wWord = rewriter.create<vector::ExtractOp>(
      loc, rewriter.create<vector::BitCastOp>(loc, VectorType::get({1}, i32), wBytes),
      ArrayRef<int64_t>{0});
  auto rowType = VectorType::get({lanes}, i32);
  Value wVec = rewriter.create<vector::BroadcastOp>(loc, rowType, wWord);
  // A centered input: sum_j (x_j - zp) w_j = sum_j x_j w_j - zp * sum_j w_j.
  // Unsigned weights with zero point zw (VPDPBUSD's signed operand is then the input,
  // x' = x - 128): sum_j (x_j - zp)(w_j - zw) = D1 - D2 + C with D1 = sum_j w_j x'_j,
  // D2 = sum_j zw x'_j (a second VPDPBUSD, on the word (zw, .., zw, 0..)) and
  // C = (128 - zp) * (sum_j w_j - KW * zw).
  Value correction, zwVec, signFlip, zeroAcc;
  auto i32Const = [&](int64_t v) -> Value {
    return rewriter.create<arith::ConstantOp>(loc, rewriter.getI32IntegerAttr((int32_t)v));
  };
  if (unsignedWeights || zp != 0) {
    auto wide = VectorType::get({4}, i32);
    Value wWide = unsignedWeights ? rewriter.create<arith::ExtUIOp>(loc, wide, wBytes).getResult()
                                  : rewriter.create<arith::ExtSIOp>(loc, wide, wBytes).getResult();
    Value wSum = rewriter.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, wWide);
    Value c = unsignedWeights
                  ? rewriter.create<arith::MulIOp>(
                        loc, rewriter.create<arith::SubIOp>(loc, wSum, i32Const(*kw * wZp)),
                        i32Const(128 - zp))
                  : rewriter.create<arith::MulIOp>(loc, wSum, i32Const(zp));
    correction = rewriter.create<vector::BroadcastOp>(loc, rowType, c);
  }
  if (unsignedWeights) {
    uint32_t zwWord = 0;
    for (int64_t j = 0; j < *kw; ++j)
      zwWord |= uint32_t(wZp) << (8 * j);
    zwVec = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(rowType, rewriter.getI32IntegerAttr((int32_t)zwWord)));
    signFlip = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(rowType, rewriter.getI32IntegerAttr((int32_t)0x80808080u)));
    zeroAcc = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(rowType));
  }
  // Each input row: the bytes from column 0 of the window (masked past its end), shuffled
  // into one quad per output lane.
  Value xRows = withColumnZero(window, baseType.getShape().back());
  int64_t need = colStride * (lanes - 1) + 4, width = 16;
  while (width < need)
    width *= 2;
  SmallVector<int64_t> quads;
  for (int64_t i = 0; i < lanes; ++i)
    for (int64_t j = 0; j < 4; ++j)
      quads.push_back(std::min(colStride * i + j, width - 1));
  AffineMap lastDim = AffineMap::get(baseRank, 0, rewriter.getAffineDimExpr(baseRank - 1));
  std::string intrinsic = "llvm.x86.avx512.vpdpbusd." + std::to_string(lanes * 32);
  // The block's input quads, row by row, in the accumulator's shape.
  Value words = rewriter.create<arith::ConstantOp>(loc, accType, rewriter.getZeroAttr(accType));
  for (int64_t r = 0; r < rows; ++r) {
    SmallVector<Value> idx(baseRank, c0);
    idx[baseRank - 2] = rewriter.create<arith::ConstantIndexOp>(loc, r * rowStride);
    Value bytes = rewriter.create<vector::TransferReadOp>(
        loc, VectorType::get({width}, i8), xRows, idx, lastDim, zero8, Value(),
        rewriter.getBoolArrayAttr({false}));
    Value shuffled = rewriter.create<vector::ShuffleOp>(loc, bytes, bytes, quads);
    Value row = rewriter.create<vector::BitCastOp>(loc, rowType, shuffled);
    words = accType.getRank() == 1
                ? row
                : rewriter.create<vector::InsertOp>(loc, row, words, ArrayRef<int64_t>{r});
  }
  Value result = rowByRow(rewriter, loc, accType, {loop.getInitArgs()[0], words},
                          [&](ArrayRef<Value> v) -> Value {
    Value acc = v[0], words = v[1], dot;
    if (unsignedWeights) {
      Value centered = rewriter.create<arith::XOrIOp>(loc, words, signFlip);
      Value d1 = callIntrinsic(rewriter, loc, intrinsic, rowType, ValueRange{acc, wVec, centered});
      Value d2 =
          callIntrinsic(rewriter, loc, intrinsic, rowType, ValueRange{zeroAcc, zwVec, centered});
      dot = rewriter.create<arith::AddIOp>(loc, rewriter.create<arith::SubIOp>(loc, d1, d2),
                                           correction);
    } else {
      dot = callIntrinsic(rewriter, loc, intrinsic, rowType, ValueRange{acc, words, wVec});
      if (correction)
        dot = rewriter.create<arith::SubIOp>(loc, dot, correction);
    }
    return dot;
  });
  rewriter.replaceOp(loop, result);
  return success();
}

struct QccX86DotProductsPass
    : mlir::qcc::impl::QccX86DotProductsBase<QccX86DotProductsPass> {
  using QccX86DotProductsBase::QccX86DotProductsBase;
  void runOnOperation() override {
    bool vnni = instructionSet == X86DotIsa::VNNI;
    IRRewriter rewriter(&getContext());
    if (vnni) {
      SmallVector<scf::ForOp> loops;
      getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
      for (scf::ForOp loop : loops)
        (void)rewriteDepthwiseWindow(rewriter, loop);
    }
    // Words per instruction: VPDPWSSD/VPDPBUSD take 4, 8 or 16; PMADDWD 8 (AVX2) or 4 (SSE2).
    int64_t chunk = instructionSet == X86DotIsa::AVX2 ? 8 : 4;
    Type i32 = rewriter.getI32Type();
    for (arith::AddIOp op : dotCandidates(getOperation(), chunk)) {
      Location loc = op.getLoc();
      int64_t lanes = cast<VectorType>(op.getType()).getShape().back();
      // VNNI on one row of 4, 8 or 16 words (VPDPBUSD for unsigned x signed byte quads,
      // VPDPWSSD for 16-bit pairs).
      auto vnniRow = [&](StringRef base) {
        return [&, base](Value acc, Value a, Value w) {
          return callIntrinsic(rewriter, loc, (base + std::to_string(lanes * 32)).str(),
                               VectorType::get({lanes}, i32), ValueRange{acc, a, w});
        };
      };
      if (vnni && llvm::is_contained({4, 8, 16}, lanes)) {
        if (auto m = matchPackedDot(op, 4, /*unsignedA=*/true)) {
          rewriteRows(rewriter, op, *m, vnniRow("llvm.x86.avx512.vpdpbusd."));
          continue;
        }
        if (auto m = matchPackedDot(op, 2, false))
          rewriteRows(rewriter, op, *m, vnniRow("llvm.x86.avx512.vpdpwssd."));
        continue;
      }
      if (vnni)
        continue;
      auto m = matchPackedDot(op, 2, false);
      if (!m)
        continue;
      StringRef name = instructionSet == X86DotIsa::AVX2 ? "llvm.x86.avx2.pmadd.wd"
                                                         : "llvm.x86.sse2.pmadd.wd";
      rewriteRows(rewriter, op, *m, [&](Value acc, Value a, Value w) {
        return rowInChunks(rewriter, loc, acc, a, w, chunk,
                           VectorType::get({2 * chunk}, rewriter.getI16Type()),
                           [&](Value accPart, Value a16, Value w16) -> Value {
                             Value product = callIntrinsic(rewriter, loc, name,
                                                           VectorType::get({chunk}, i32),
                                                           ValueRange{a16, w16});
                             return rewriter.create<arith::AddIOp>(loc, accPart, product);
                           });
      });
    }
  }
};

} // namespace
