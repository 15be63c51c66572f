//===- ExportCAbi.cpp - the C entry point NAME_run ------------------------===//
#include "qcc/Codegen/Passes.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCEXPORTCABI
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

struct QccExportCAbiPass : mlir::qcc::impl::QccExportCAbiBase<QccExportCAbiPass> {
  using QccExportCAbiBase::QccExportCAbiBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    LLVM::LLVMFuncOp impl = mlir::qcc::getEntryFunction<LLVM::LLVMFuncOp>(module);
    if (!impl) {
      module.emitError("qcc-export-c-abi: no LLVM function carries the '")
          << kEntryAttrName << "' attribute";
      return signalPassFailure();
    }
    auto numInputs = impl->getAttrOfType<IntegerAttr>(kNumInputsAttrName);
    auto numOutputs = impl->getAttrOfType<IntegerAttr>(kNumOutputsAttrName);
    if (!numInputs || !numOutputs) {
      impl.emitError("qcc-export-c-abi: entry lacks ")
          << kNumInputsAttrName << " / " << kNumOutputsAttrName;
      return signalPassFailure();
    }
    int64_t nIn = numInputs.getInt(), nOut = numOutputs.getInt();
    if ((int64_t)impl.getNumArguments() != nIn + nOut + 1) {
      impl.emitError("qcc-export-c-abi: expected ")
          << nIn + nOut + 1 << " pointer arguments (inputs, outputs, arena), found "
          << impl.getNumArguments();
      return signalPassFailure();
    }
    if (module.lookupSymbol(name + "_run") || module.lookupSymbol(name + "_impl")) {
      module.emitError("qcc-export-c-abi: symbol '") << name << "_run' already exists";
      return signalPassFailure();
    }

    MLIRContext *ctx = module.getContext();
    // qcc's bookkeeping attributes have no meaning in LLVM IR.
    impl.setArgAttrsAttr(nullptr);
    impl.setResAttrsAttr(nullptr);
    for (StringRef attr : {kEntryAttrName, kNumInputsAttrName, kNumOutputsAttrName})
      impl->removeAttr(attr);
    impl.setSymName(name + "_impl");
    impl.setLinkage(LLVM::Linkage::Internal);

    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    Location loc = impl.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i32 = b.getI32Type();
    auto fnType = LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr});
    auto run = b.create<LLVM::LLVMFuncOp>(loc, name + "_run", fnType);
    Block *entry = run.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    SmallVector<Value> args;
    auto loadPointers = [&](Value array, int64_t count) {
      for (int64_t i = 0; i < count; ++i) {
        Value slot = b.create<LLVM::GEPOp>(loc, ptr, ptr, array, ArrayRef<LLVM::GEPArg>{(int32_t)i});
        args.push_back(b.create<LLVM::LoadOp>(loc, ptr, slot));
      }
    };
    loadPointers(run.getArgument(0), nIn);
    loadPointers(run.getArgument(1), nOut);
    args.push_back(run.getArgument(2));
    b.create<LLVM::CallOp>(loc, impl, args);
    Value zero = b.create<LLVM::ConstantOp>(loc, i32, b.getI32IntegerAttr(0));
    b.create<LLVM::ReturnOp>(loc, zero);
  }
};

} // namespace
