//===- ArmDotProducts.cpp - SDOT on AArch64 -------------------------------===//
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
#define GEN_PASS_DEF_QCCARMDOTPRODUCTS
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// SDOT's `acc + sum_k a[4i+k] * w[4i+k]` per 32-bit lane i, without SDOT (ARMv8.0: the
/// Cortex-A72): SMULL / SMULL2 give the 16 byte products in 16 bits, ADDP sums adjacent
/// pairs (still 16 bits: |a0 w0 + a1 w1| <= 2 * 128 * 127 < 2^15, the lowering admits
/// no weight of -128 here), SADALP adds adjacent pairs of those into the 32-bit lanes.
/// Two multiplies per 16 products instead of four SMLALs.
Value pairSums(RewriterBase &rewriter, Location loc, Value acc, Value a8, Value w8) {
  auto half = [&](Value v, int64_t offset) {
    return rewriter.create<vector::ExtractStridedSliceOp>(loc, v, ArrayRef<int64_t>{offset},
                                                          ArrayRef<int64_t>{8},
                                                          ArrayRef<int64_t>{1});
  };
  auto i16x8 = VectorType::get({8}, rewriter.getI16Type());
  Value lo = callIntrinsic(rewriter, loc, "llvm.aarch64.neon.smull.v8i16", i16x8,
                           ValueRange{half(a8, 0), half(w8, 0)});
  Value hi = callIntrinsic(rewriter, loc, "llvm.aarch64.neon.smull.v8i16", i16x8,
                           ValueRange{half(a8, 8), half(w8, 8)});
  Value pairs = callIntrinsic(rewriter, loc, "llvm.aarch64.neon.addp.v8i16", i16x8,
                              ValueRange{lo, hi});
  Value quads = callIntrinsic(rewriter, loc, "llvm.aarch64.neon.saddlp.v4i32.v8i16",
                              acc.getType(), ValueRange{pairs});
  return rewriter.create<arith::AddIOp>(loc, acc, quads);
}

struct QccArmDotProductsPass
    : mlir::qcc::impl::QccArmDotProductsBase<QccArmDotProductsPass> {
  using QccArmDotProductsBase::QccArmDotProductsBase;
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (arith::AddIOp op : dotCandidates(getOperation(), 4)) {
      auto m = matchPackedDot(op, 4, /*unsignedA=*/false);
      if (!m)
        continue;
      Location loc = op.getLoc();
      rewriteRows(rewriter, op, *m, [&](Value acc, Value a, Value w) {
        return rowInChunks(rewriter, loc, acc, a, w, 4,
                           VectorType::get({16}, rewriter.getI8Type()),
                           [&](Value accPart, Value a8, Value w8) {
                             return dotProduct ? callIntrinsic(
                                                     rewriter, loc,
                                                     "llvm.aarch64.neon.sdot.v4i32.v16i8",
                                                     accPart.getType(), ValueRange{accPart, a8, w8})
                                               : pairSums(rewriter, loc, accPart, a8, w8);
                           });
      });
    }
  }
};

} // namespace
