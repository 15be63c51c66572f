//===- ONNXImporter.cpp - ONNX model to qcc dialect -----------------------===//
//
// Reads a ModelProto (binary or ONNX text syntax), lets ONNX's own checker and shape
// inference validate it and resolve intermediate shapes, then emits one qcc op per node.
// Every problem is reported with the node's name, op type and domain; all unsupported
// nodes of a model are reported in one run.
//
//===----------------------------------------------------------------------===//


#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Import/Common/ImportUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace mlir::qcc {

bool parseInputShape(llvm::StringRef spec, std::string &name, std::vector<int64_t> &shape) {
  auto [n, dims] = spec.rsplit(':');
  if (n.empty() || dims.empty())
    return false;
  name = n.str();
  shape.clear();
  SmallVector<StringRef> parts;
  dims.split(parts, 'x');
  for (StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d <= 0)
      return false;
    shape.push_back(d);
  }
  return true;
}

namespace onnx_import {

/// Verifies the ops a node's import appended to `block` after `before`; a verifier's
/// complaint (operand shapes or types that do not fit) becomes a diagnostic on the ONNX
/// node, without the internal op's name.
bool Importer::verifyNodeOps(const onnx::NodeProto &n, Block *block, Operation *before) {
  auto it = before ? std::next(before->getIterator()) : block->begin();
  for (; it != block->end(); ++it) {
    std::string message;
    {
      ScopedDiagnosticHandler capture(ctx, [&](Diagnostic &d) {
        if (message.empty() && d.getSeverity() == DiagnosticSeverity::Error)
          message = d.str();
        return success();
      });
      if (succeeded(mlir::verify(&*it, /*verifyRecursively=*/false)))
        continue;
    }
    // "'qcc.matmul' op contracting dimensions differ" -> "contracting dimensions differ".
    llvm::StringRef text(message);
    if (text.starts_with("'")) {
      size_t pos = text.find("' op ");
      if (pos != llvm::StringRef::npos)
        text = text.drop_front(pos + 5);
    }
    nodeError(n) << "its inputs do not fit the op: " << text;
    return false;
  }
  return true;
}

OwningOpRef<ModuleOp> Importer::run(llvm::StringRef contents) {
  ctx->loadDialect<mlir::qcc::QccDialect, quant::QuantizationDialect, arith::ArithDialect,
                   func::FuncDialect>();
  // qcc's own structural checks come first: ONNX's version converter and shape inference
  // assume a well-formed graph (they crash on dangling inputs or a zero stride).
  if (!parse(contents) || !readOpset() || !rewriteOpset18Forms() || !validateGraph() ||
      !checkSupportedOps() || !checkOpsets())
    return nullptr;
  for (auto &t : *model.mutable_graph()->mutable_initializer())
    if (!loadExternalData(t))
      return nullptr;
  if (!checkElementTypes() || !pinAndCheckInputs() || !inferShapes())
    return nullptr;
  for (const auto &t : model.graph().initializer())
    initializers[t.name()] = &t;
  if (!foldShapeGraph())
    return nullptr;
  const auto &g = model.graph();

  // Graph inputs that are not initializers become the function's arguments.
  SmallVector<Type> argTypes;
  SmallVector<TensorLabel> inputLabels, outputLabels;
  for (const auto &in : g.input()) {
    if (initializers.count(in.name()))
      continue;
    auto t = typeOf(in.name(), nullptr);
    if (!t)
      return nullptr;
    argTypes.push_back(*t);
    inputLabels.push_back({in.name(), onnxTypeName(in.type().tensor_type().elem_type())});
  }

  // Owned from the start: every early return below erases it.
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  auto func = b.create<func::FuncOp>(fileLoc, "main_graph", b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, label] : llvm::enumerate(inputLabels))
    values[label.name] = entry->getArgument(i);
  b.setInsertionPointToStart(entry);

  for (const auto &n : g.node()) {
    Operation *last = entry->empty() ? nullptr : &entry->back();
    bool ok = importNode(n) && verifyNodeOps(n, entry, last);
    if (!ok)
      for (const auto &o : n.output())
        failedValues.insert(o);
    if (ok && opts.recordTensorNames)
      for (const auto &o : n.output()) {
        auto it = values.find(o);
        Operation *def = it == values.end() ? nullptr : it->second.getDefiningOp();
        mlir::qcc::QccDialect::TensorAttrHelper tensorAttr(ctx);
        if (def && def->getResult(0) == it->second && !tensorAttr.isAttrPresent(def))
          tensorAttr.setAttr(def, StringAttr::get(ctx, o));
      }
  }
  if (numErrors)
    return nullptr;

  SmallVector<Value> results;
  for (const auto &out : g.output()) {
    Value v = values.count(out.name()) ? values[out.name()] : Value();
    if (!v && constantTensor(out.name()))
      v = materializeInitializer(*constantTensor(out.name()), fileLoc);
    if (!v) {
      error() << "graph output '" << out.name() << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(asStorage(v, fileLoc));
    int32_t et = out.type().tensor_type().elem_type();
    if (auto it = valueTypes.find(out.name()); it != valueTypes.end())
      et = it->second.tensor_type().elem_type();
    outputLabels.push_back({out.name(), onnxTypeName(et)});
  }
  finishEntryFunction(b, fileLoc, func, results, inputLabels, outputLabels);
  (*module)->setAttr(mlir::qcc::kOpsetAttrName, b.getI64IntegerAttr(opset));
  if (failed(mlir::verify(*module))) {
    return nullptr;
  }
  return module;
}

} // namespace onnx_import

OwningOpRef<ModuleOp> importONNX(llvm::StringRef contents, const ImportOptions &options,
                                 MLIRContext *context) {
  onnx_import::Importer importer(context, options);
  return importer.run(contents);
}

} // namespace mlir::qcc
