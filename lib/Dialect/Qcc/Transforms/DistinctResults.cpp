//===- DistinctResults.cpp - every returned tensor a value of its own -----===//
#include "qcc/Dialect/Qcc/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCDISTINCTRESULTS
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// True if `v` is a function argument or a view of one that bufferization would return
/// as an alias of the argument (reshapes and slices).
bool aliasesArgument(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::ExtractSliceOp,
             tensor::CastOp, tensor::ReshapeOp>(def))
      return false;
    v = def->getOperand(0);
  }
  return isa<BlockArgument>(v);
}

struct DistinctResults : mlir::qcc::impl::QccDistinctResultsBase<DistinctResults> {
  void runOnOperation() override {
    // Inputs are read-only: bufferization may otherwise compute an op in place in an
    // argument's buffer (a Gemm accumulating onto its runtime bias C wrote into input C).
    func::FuncOp f = getOperation();
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      if (isa<TensorType>(f.getArgument(i).getType()))
        f.setArgAttr(i, "bufferization.writable", BoolAttr::get(f.getContext(), false));
    f.walk([](func::ReturnOp ret) {
      OpBuilder b(ret);
      llvm::SmallPtrSet<Value, 8> returned;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<RankedTensorType>(v.getType());
        bool repeated = !returned.insert(v).second;
        if (!type || !(repeated || aliasesArgument(v) || matchPattern(v, m_Constant())))
          continue;
        Value empty = b.create<tensor::EmptyOp>(ret.getLoc(), type.getShape(),
                                                type.getElementType());
        operand.set(b.create<linalg::CopyOp>(ret.getLoc(), v, empty).getResult(0));
      }
    });
  }
};

} // namespace
