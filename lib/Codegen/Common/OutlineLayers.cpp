//===- OutlineLayers.cpp - one function per loop nest of the entry -------===//
#include "qcc/Codegen/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/Support/Debug.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCOUTLINELAYERS
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

#define DEBUG_TYPE "qcc-outline-layers"

namespace {

/// A value the bare-pointer calling convention can pass: a scalar, or a memref with a
/// static shape and the identity layout.
bool passable(Type t) {
  if (auto m = dyn_cast<MemRefType>(t))
    return m.hasStaticShape() && m.getLayout().isIdentity();
  return t.isIntOrIndexOrFloat();
}

/// True if `m` is (a view of) a constant global: reading it has no observable effect.
bool isConstantMemory(Value m) {
  while (Operation *def = m.getDefiningOp()) {
    if (auto global = dyn_cast<memref::GetGlobalOp>(def)) {
      auto g = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(def, global.getNameAttr());
      return g && g.getConstant();
    }
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      return false;
    m = view.getViewSource();
  }
  return false;
}

/// Ops rebuilt inside the outlined function instead of passed to it: side-effect free
/// ops, and reads of constant globals (bias or parameter vectors that loop-invariant code
/// motion hoisted out of a layer's loops).
bool rebuildable(Operation *op) {
  if (op->getNumRegions() != 0 || op->getNumResults() != 1)
    return false;
  if (auto read = dyn_cast<vector::TransferReadOp>(op))
    return !read.getMask() && isConstantMemory(read.getSource());
  if (auto load = dyn_cast<memref::LoadOp>(op))
    return isConstantMemory(load.getMemRef());
  return isMemoryEffectFree(op);
}

struct QccOutlineLayersPass : mlir::qcc::impl::QccOutlineLayersBase<QccOutlineLayersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp entry = mlir::qcc::getEntryFunction(module);
    if (!entry || entry.getBody().getBlocks().size() != 1)
      return;
    MLIRContext *ctx = module.getContext();
    SmallVector<Operation *> layers;
    for (Operation &op : entry.getBody().front())
      if (op.getNumRegions() > 0 && op.getNumResults() == 0)
        layers.push_back(&op);

    OpBuilder b(ctx);
    int64_t index = 0;
    for (Operation *layer : layers) {
      // The values the op reads from outside, and how each reaches the new function:
      // rebuilt (with its own inputs, in dependence order) or passed as an argument.
      SetVector<Value> used(layer->getOperands().begin(), layer->getOperands().end());
      getUsedValuesDefinedAbove(layer->getRegions(), used);
      SetVector<Operation *> rebuilt;
      SetVector<Value> args;
      bool ok = true;
      std::function<void(Value)> visit = [&](Value v) {
        Operation *def = v.getDefiningOp();
        if (def && rebuildable(def)) {
          if (rebuilt.contains(def))
            return;
          for (Value operand : def->getOperands())
            visit(operand);
          rebuilt.insert(def);
          return;
        }
        if (!passable(v.getType())) {
          LLVM_DEBUG(llvm::dbgs() << "qcc-outline-layers: cannot pass " << v << "\n");
          ok = false;
        }
        args.insert(v);
      };
      for (Value v : used)
        visit(v);
      if (!ok)
        continue;

      SmallVector<Type> argTypes;
      for (Value v : args)
        argTypes.push_back(v.getType());
      b.setInsertionPoint(entry);
      std::string name = (entry.getName() + "_l" + Twine(index++)).str();
      auto fn = b.create<func::FuncOp>(layer->getLoc(), name, b.getFunctionType(argTypes, {}));
      fn.setPrivate();
      fn->setAttr("llvm.linkage", LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
      fn->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
      Block *body = fn.addEntryBlock();
      IRMapping map;
      for (auto [v, arg] : llvm::zip(args, body->getArguments()))
        map.map(v, arg);
      OpBuilder inner = OpBuilder::atBlockBegin(body);
      for (Operation *op : rebuilt)
        inner.clone(*op, map);
      inner.clone(*layer, map);
      inner.create<func::ReturnOp>(layer->getLoc());

      b.setInsertionPoint(layer);
      b.create<func::CallOp>(layer->getLoc(), fn, SmallVector<Value>(args.begin(), args.end()));
      layer->erase();
    }
    // What only the moved ops used (views, constants, constant reads) is dead now.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(entry.getBody().front())))
      if (rebuildable(&op) && op.use_empty())
        op.erase();
  }
};

} // namespace
