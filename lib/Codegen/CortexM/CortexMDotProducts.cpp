//===- CortexMDotProducts.cpp - SMLAD on the Cortex-M DSP extension -------===//
#include "qcc/Codegen/Passes.h"
#include "qcc/Codegen/VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCCORTEXMDOTPRODUCTS
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// Lane by lane: `fn(acc_i, a_i, w_i)` on the 32-bit words of a row.
Value perLane(RewriterBase &rewriter, Location loc, Value acc, Value a, Value w,
              function_ref<Value(Value, Value, Value)> fn) {
  auto type = cast<VectorType>(acc.getType());
  Value result = acc;
  for (int64_t i = 0, e = type.getShape()[0]; i < e; ++i) {
    auto lane = [&](Value v) {
      return rewriter.create<vector::ExtractOp>(loc, v, ArrayRef<int64_t>{i});
    };
    Value accLane = lane(acc), aLane = lane(a), wLane = lane(w); // in this order
    result = rewriter.create<vector::InsertOp>(loc, fn(accLane, aLane, wLane), result,
                                               ArrayRef<int64_t>{i});
  }
  return result;
}

struct QccCortexMDotProductsPass
    : mlir::qcc::impl::QccCortexMDotProductsBase<QccCortexMDotProductsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    Type i32 = rewriter.getI32Type();
    for (arith::AddIOp op : dotCandidates(getOperation(), 1)) {
      auto m = matchPackedDot(op, 4, /*unsignedA=*/false);
      if (!m)
        continue;
      Location loc = op.getLoc();
      // Quads of signed bytes (b0, b1, b2, b3): SXTB16 gives the halves (b0, b2), SXTB16 of
      // the word rotated right by 8 (one instruction: SXTB16 Rd, Rm, ROR #8) gives
      // (b1, b3); two SMLADs add the four products. One lane at a time, on 32-bit words
      // (the input word's expansion is shared by the lanes, a broadcast).
      auto halves = [&](Value word) -> std::pair<Value, Value> {
        Value c8 = rewriter.create<arith::ConstantIntOp>(loc, 8, 32);
        Value even = callIntrinsic(rewriter, loc, "llvm.arm.sxtb16", i32, ValueRange{word});
        Value rotated =
            callIntrinsic(rewriter, loc, "llvm.fshr.i32", i32, ValueRange{word, word, c8});
        Value odd = callIntrinsic(rewriter, loc, "llvm.arm.sxtb16", i32, ValueRange{rotated});
        return {even, odd};
      };
      auto smlad = [&](Value a, Value w, Value acc) {
        return callIntrinsic(rewriter, loc, "llvm.arm.smlad", i32, ValueRange{a, w, acc});
      };
      rewriteRows(rewriter, op, *m, [&](Value acc, Value a, Value w) {
        return perLane(rewriter, loc, acc, a, w, [&](Value acc, Value a, Value w) {
          auto [a02, a13] = halves(a);
          auto [w02, w13] = halves(w);
          return smlad(a13, w13, smlad(a02, w02, acc));
        });
      });
    }
  }
};

} // namespace
