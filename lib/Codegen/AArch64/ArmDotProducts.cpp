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

struct QccArmDotProductsPass
    : mlir::qcc::impl::QccArmDotProductsBase<QccArmDotProductsPass> {
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
                             return callIntrinsic(rewriter, loc,
                                                  "llvm.aarch64.neon.sdot.v4i32.v16i8",
                                                  accPart.getType(), ValueRange{accPart, a8, w8});
                           });
      });
    }
  }
};

} // namespace
