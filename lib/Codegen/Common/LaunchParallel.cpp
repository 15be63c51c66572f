//===- LaunchParallel.cpp - layer calls through qcc_parallel_for ----------===//
#include "qcc/Codegen/Passes.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCLAUNCHPARALLEL
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

constexpr StringLiteral kRuntimeFn = "qcc_parallel_for";

struct QccLaunchParallelPass : mlir::qcc::impl::QccLaunchParallelBase<QccLaunchParallelPass> {
  using QccLaunchParallelBase::QccLaunchParallelBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    SmallVector<LLVM::LLVMFuncOp> layers;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr(kParallelTripsAttrName))
        layers.push_back(fn);
    if (layers.empty())
      return;

    OpBuilder b(ctx);
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = b.getI64Type();
    auto i32 = b.getI32Type();
    auto voidTy = LLVM::LLVMVoidType::get(ctx);
    auto runtime = module.lookupSymbol<LLVM::LLVMFuncOp>(kRuntimeFn);
    if (!runtime) {
      b.setInsertionPointToEnd(module.getBody());
      runtime = b.create<LLVM::LLVMFuncOp>(
          module.getLoc(), kRuntimeFn, LLVM::LLVMFunctionType::get(voidTy, {ptr, ptr, i64, i32}));
    }

    // One array of context slots per caller, as large as the most arguments a split
    // layer takes: the calls run one after the other, and qcc_parallel_for returns only
    // when every part is done with its context.
    unsigned maxArgs = 1;
    for (LLVM::LLVMFuncOp fn : layers)
      maxArgs = std::max<unsigned>(maxArgs, std::max(fn.getNumArguments(), 2u) - 2);
    DenseMap<Operation *, Value> slotsOf;
    DenseMap<StringAttr, SmallVector<LLVM::CallOp>> callsTo;
    module.walk([&](LLVM::CallOp call) {
      if (auto callee = call.getCalleeAttr())
        callsTo[callee.getAttr()].push_back(call);
    });

    for (LLVM::LLVMFuncOp fn : layers) {
      int64_t trips = fn->getAttrOfType<IntegerAttr>(kParallelTripsAttrName).getInt();
      fn->removeAttr(kParallelTripsAttrName);
      ArrayRef<Type> params = fn.getFunctionType().getParams();
      if (params.size() < 2 || params.end()[-1] != i64 || params.end()[-2] != i64) {
        fn.emitError("qcc-launch-parallel: a split layer must end in two i64 range parameters");
        return signalPassFailure();
      }
      unsigned numArgs = params.size() - 2;
      for (Type t : params.take_front(numArgs))
        if (!isa<LLVM::LLVMPointerType>(t) && !(t.isIntOrFloat() && t.getIntOrFloatBitWidth() <= 64)) {
          fn.emitError("qcc-launch-parallel: cannot pass an argument of type ") << t;
          return signalPassFailure();
        }

      // F_task(ctx, begin, end): F's arguments from ctx's 8-byte slots.
      Location loc = fn.getLoc();
      b.setInsertionPointAfter(fn);
      auto task = b.create<LLVM::LLVMFuncOp>(
          loc, (fn.getName() + "_task").str(), LLVM::LLVMFunctionType::get(voidTy, {ptr, i64, i64}),
          LLVM::Linkage::Internal);
      Block *entry = task.addEntryBlock(b);
      b.setInsertionPointToStart(entry);
      SmallVector<Value> args;
      for (unsigned i = 0; i < numArgs; ++i) {
        Value slot = b.create<LLVM::GEPOp>(loc, ptr, i64, task.getArgument(0),
                                           ArrayRef<LLVM::GEPArg>{(int32_t)i});
        args.push_back(b.create<LLVM::LoadOp>(loc, params[i], slot));
      }
      args.push_back(task.getArgument(1));
      args.push_back(task.getArgument(2));
      b.create<LLVM::CallOp>(loc, fn, args);
      b.create<LLVM::ReturnOp>(loc, ValueRange());

      // Each call F(args..., 0, T) -> qcc_parallel_for(F_task, ctx, T, threads).
      for (LLVM::CallOp call : callsTo.lookup(fn.getSymNameAttr())) {
        auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
        Location cloc = call.getLoc();
        Value &ctxSlots = slotsOf[caller];
        if (!ctxSlots) {
          b.setInsertionPointToStart(&caller.getBody().front());
          Value count = b.create<LLVM::ConstantOp>(cloc, i64, b.getI64IntegerAttr(maxArgs));
          ctxSlots = b.create<LLVM::AllocaOp>(cloc, ptr, i64, count, /*alignment=*/8);
        }
        b.setInsertionPoint(call);
        for (unsigned i = 0; i < numArgs; ++i) {
          Value slot = b.create<LLVM::GEPOp>(cloc, ptr, i64, ctxSlots, ArrayRef<LLVM::GEPArg>{(int32_t)i});
          b.create<LLVM::StoreOp>(cloc, call.getOperand(i), slot);
        }
        Value taskPtr = b.create<LLVM::AddressOfOp>(cloc, task);
        Value tripsV = b.create<LLVM::ConstantOp>(cloc, i64, b.getI64IntegerAttr(trips));
        Value threadsV = b.create<LLVM::ConstantOp>(cloc, i32, b.getI32IntegerAttr(threads));
        b.create<LLVM::CallOp>(cloc, runtime, ValueRange{taskPtr, ctxSlots, tripsV, threadsV});
        call.erase();
      }
    }
  }
};

} // namespace
