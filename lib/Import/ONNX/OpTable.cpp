//===- OpTable.cpp - ONNX op type -> import function ----------------------===//
//
// The one table of the ops the importer maps to qcc ops, per domain: importNode dispatches
// through it, and the supported-op lists of qcc's error messages are made from it. The
// import functions of simple ops (elementwise, shape, constants) are here; convolutions and
// poolings in ConvPool.cpp, quantization ops in QuantOps.cpp, com.microsoft ops in
// MicrosoftOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <limits>

using namespace mlir;

namespace mlir::qcc::onnx_import {

namespace {

using ImportFn = bool (Importer::*)(const onnx::NodeProto &);

/// Ops of the default ONNX domain.
const llvm::StringMap<ImportFn> &defaultDomainOps() {
  static const llvm::StringMap<ImportFn> ops = {
      {"Add", &Importer::importBinary<mlir::qcc::AddOp>},
      {"ArgMax", &Importer::importArgMax},
      {"AveragePool", &Importer::importAveragePool},
      {"BatchNormalization", &Importer::importBatchNormalization},
      {"Cast", &Importer::importCast},
      {"Clip", &Importer::importClip},
      {"Concat", &Importer::importConcat},
      {"Constant", &Importer::importConstant},
      {"ConstantOfShape", &Importer::importFoldedOnly},
      {"Conv", &Importer::importConv},
      {"ConvInteger", &Importer::importConvInteger},
      {"ConvTranspose", &Importer::importConvTranspose},
      {"DequantizeLinear", &Importer::importDequantizeLinear},
      {"Div", &Importer::importBinary<mlir::qcc::DivOp>},
      {"Dropout", &Importer::importIdentity},
      {"DynamicQuantizeLinear", &Importer::importDynamicQuantizeLinear},
      {"Exp", &Importer::importUnary<mlir::qcc::ExpOp>},
      {"Flatten", &Importer::importReshape},
      {"Gather", &Importer::importGather},
      {"GatherND", &Importer::importGatherND},
      {"Gemm", &Importer::importGemm},
      {"GlobalAveragePool", &Importer::importUnary<mlir::qcc::GlobalAvgPoolOp>},
      {"HardSwish", &Importer::importUnary<mlir::qcc::HardSwishOp>},
      {"Identity", &Importer::importIdentity},
      {"LeakyRelu", &Importer::importLeakyRelu},
      {"MatMul", &Importer::importBinary<mlir::qcc::MatMulOp>},
      {"Max", &Importer::importMaxMin},
      {"MatMulInteger", &Importer::importMatMulInteger},
      {"MaxPool", &Importer::importMaxPool},
      {"Min", &Importer::importMaxMin},
      {"Mul", &Importer::importBinary<mlir::qcc::MulOp>},
      {"NonMaxSuppression", &Importer::importNonMaxSuppression},
      {"Pad", &Importer::importPad},
      {"PRelu", &Importer::importBinary<mlir::qcc::PReluOp>},
      {"QLinearConv", &Importer::importQLinearConv},
      {"QLinearMatMul", &Importer::importQLinearMatMul},
      {"QuantizeLinear", &Importer::importQuantizeLinear},
      {"ReduceMean", &Importer::importReduceMean},
      {"Relu", &Importer::importUnary<mlir::qcc::ReluOp>},
      {"Range", &Importer::importFoldedOnly},
      {"Reshape", &Importer::importReshape},
      {"Resize", &Importer::importResize},
      {"Shape", &Importer::importFoldedOnly},
      {"Sigmoid", &Importer::importUnary<mlir::qcc::SigmoidOp>},
      {"Size", &Importer::importFoldedOnly},
      {"Slice", &Importer::importSlice},
      {"Softmax", &Importer::importSoftmax},
      {"Split", &Importer::importSplit},
      {"Sqrt", &Importer::importUnary<mlir::qcc::SqrtOp>},
      {"Squeeze", &Importer::importReshape},
      {"Sub", &Importer::importBinary<mlir::qcc::SubOp>},
      {"Tanh", &Importer::importUnary<mlir::qcc::TanhOp>},
      {"TopK", &Importer::importTopK},
      {"Transpose", &Importer::importTranspose},
      {"Unsqueeze", &Importer::importReshape},
  };
  return ops;
}

/// ONNX Runtime's contrib ops (domain com.microsoft) that quantize_static writes in
/// QOperator format.
const llvm::StringMap<ImportFn> &microsoftOps() {
  static const llvm::StringMap<ImportFn> ops = {
      {"QGemm", &Importer::importMicrosoftOp},
      {"QLinearAdd", &Importer::importMicrosoftOp},
      {"QLinearAveragePool", &Importer::importMicrosoftOp},
      {"QLinearConcat", &Importer::importMicrosoftOp},
      {"QLinearGlobalAveragePool", &Importer::importMicrosoftOp},
      {"QLinearMul", &Importer::importMicrosoftOp},
      {"QLinearSigmoid", &Importer::importMicrosoftOp},
  };
  return ops;
}

const llvm::StringMap<ImportFn> *opsOfDomain(const onnx::NodeProto &n) {
  if (isMicrosoftDomain(n))
    return &microsoftOps();
  if (n.domain().empty() || n.domain() == "ai.onnx")
    return &defaultDomainOps();
  return nullptr;
}

std::string sortedKeys(const llvm::StringMap<ImportFn> &ops) {
  std::vector<std::string> names;
  for (const auto &kv : ops)
    names.push_back(kv.first().str());
  llvm::sort(names);
  return llvm::join(names, ", ");
}

} // namespace

bool isMicrosoftDomain(const onnx::NodeProto &n) { return n.domain() == "com.microsoft"; }

bool isSupportedOp(const onnx::NodeProto &n) {
  const auto *ops = opsOfDomain(n);
  return ops && ops->count(n.op_type());
}

std::string supportedOpList() { return sortedKeys(defaultDomainOps()); }

std::string supportedMicrosoftOpList() { return sortedKeys(microsoftOps()); }

bool Importer::importNode(const onnx::NodeProto &n) {
  const auto *ops = opsOfDomain(n);
  if (!ops) {
    nodeError(n) << "unsupported op: qcc supports only the default ONNX domain and com.microsoft";
    return false;
  }
  bool folded = false;
  if (!foldShapeComputation(n, folded))
    return false;
  if (folded)
    return true;
  auto it = ops->find(n.op_type());
  if (it == ops->end()) {
    nodeError(n) << "unsupported op (model opset " << opset << "); qcc supports, in the default "
                 << "ONNX domain: " << supportedOpList();
    return false;
  }
  return (this->*(it->second))(n);
}

//===----------------------------------------------------------------------===//
// Elementwise, shape and constant ops
//===----------------------------------------------------------------------===//

bool Importer::importUnaryWith(const onnx::NodeProto &n,
                               function_ref<Value(Value, RankedTensorType)> build) {
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  define(n, 0, build(x, *t));
  return true;
}

bool Importer::importBinaryWith(const onnx::NodeProto &n,
                                function_ref<Value(Value, Value, RankedTensorType)> build) {
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  Value y = requireFloat(lookup(n.input(1), n), n, 1);
  auto t = typeOf(n.output(0), &n);
  if (!x || !y || !t)
    return false;
  define(n, 0, build(x, y, *t));
  return true;
}

bool Importer::importLeakyRelu(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  float alpha = attrFloat(n, "alpha", 0.01f);
  return importUnaryWith(n, [&](Value x, RankedTensorType t) -> Value {
    return b.create<mlir::qcc::LeakyReluOp>(loc, t, x, b.getF32FloatAttr(alpha));
  });
}

/// Max / Min of one or more inputs (numpy broadcasting), folded left.
bool Importer::importMaxMin(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  bool isMax = n.op_type() == "Max";
  Value acc = requireFloat(lookup(n.input(0), n), n, 0);
  auto t = typeOf(n.output(0), &n);
  if (!acc || !t)
    return false;
  for (int i = 1; i < n.input_size(); ++i) {
    Value x = requireFloat(lookup(n.input(i), n), n, i);
    if (!x)
      return false;
    auto shape = mlir::qcc::broadcastShapes(cast<RankedTensorType>(acc.getType()).getShape(),
                                            cast<RankedTensorType>(x.getType()).getShape());
    if (!shape) {
      nodeError(n) << "input " << i << " does not broadcast with the inputs before it";
      return false;
    }
    auto rt = RankedTensorType::get(*shape, b.getF32Type());
    acc = isMax ? Value(b.create<mlir::qcc::MaxOp>(loc, rt, acc, x))
                : Value(b.create<mlir::qcc::MinOp>(loc, rt, acc, x));
  }
  if (cast<RankedTensorType>(acc.getType()).getShape() != t->getShape()) {
    nodeError(n) << "a single input must already have the output's shape";
    return false;
  }
  define(n, 0, acc);
  return true;
}

bool Importer::importGemm(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  Value a = requireFloat(lookup(n.input(0), n), n, 0);
  Value bb = requireFloat(lookup(n.input(1), n), n, 1);
  Value c = hasInput(n, 2) ? requireFloat(lookup(n.input(2), n), n, 2) : Value();
  auto t = typeOf(n.output(0), &n);
  if (!a || !bb || (hasInput(n, 2) && !c) || !t)
    return false;
  define(n, 0,
         b.create<mlir::qcc::GemmOp>(loc, *t, a, bb, c, b.getBoolAttr(attrInt(n, "transA", 0)),
                                     b.getBoolAttr(attrInt(n, "transB", 0)),
                                     b.getF32FloatAttr(attrFloat(n, "alpha", 1.f)),
                                     b.getF32FloatAttr(attrFloat(n, "beta", 1.f))));
  return true;
}

bool Importer::importClip(const onnx::NodeProto &n) {
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  for (int i : {1, 2}) {
    if (!hasInput(n, i))
      continue;
    const onnx::TensorProto *t = constantTensor(n.input(i));
    std::vector<double> v;
    if (!t || !readTensor(*t, v) || v.size() != 1) {
      nodeError(n) << (i == 1 ? "min" : "max")
                   << " must be a constant scalar (initializer or Constant node)";
      return false;
    }
    (i == 1 ? lo : hi) = static_cast<float>(v[0]);
  }
  if (lo > hi) {
    nodeError(n) << "min " << lo << " is greater than max " << hi;
    return false;
  }
  Location loc = nodeLoc(n);
  return importUnaryWith(n, [&](Value x, RankedTensorType t) -> Value {
    return b.create<mlir::qcc::ClampOp>(loc, t, x, b.getF32FloatAttr(lo), b.getF32FloatAttr(hi));
  });
}

bool Importer::importSoftmax(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  return importUnaryWith(n, [&](Value x, RankedTensorType t) -> Value {
    return b.create<mlir::qcc::SoftmaxOp>(loc, t, x, b.getI64IntegerAttr(attrInt(n, "axis", -1)));
  });
}

bool Importer::importBatchNormalization(const onnx::NodeProto &n) {
  if (attrInt(n, "training_mode", 0) != 0 || n.output_size() > 1) {
    nodeError(n) << "only inference-mode BatchNormalization (one output) is supported";
    return false;
  }
  SmallVector<Value> in;
  for (int i = 0; i < 5; ++i)
    in.push_back(requireFloat(lookup(n.input(i), n), n, i));
  auto t = typeOf(n.output(0), &n);
  if (llvm::any_of(in, [](Value v) { return !v; }) || !t)
    return false;
  define(n, 0,
         b.create<mlir::qcc::BatchNormOp>(nodeLoc(n), *t, in[0], in[1], in[2], in[3], in[4],
                                          b.getF32FloatAttr(attrFloat(n, "epsilon", 1e-5f))));
  return true;
}

/// Reshape, Flatten, Squeeze and Unsqueeze: a view that only changes the shape; the
/// inferred result type says what (for Reshape's allowzero too).
bool Importer::importReshape(const onnx::NodeProto &n) {
  Value x = lookup(n.input(0), n);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  define(n, 0,
         b.create<mlir::qcc::ReshapeOp>(
             nodeLoc(n), RankedTensorType::get(t->getShape(), xt.getElementType()), x));
  return true;
}

bool Importer::importTranspose(const onnx::NodeProto &n) {
  Value x = lookup(n.input(0), n);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> dflt;
  for (int64_t i = xt.getRank() - 1; i >= 0; --i)
    dflt.push_back(i);
  auto perm = attrInts(n, "perm", dflt);
  define(n, 0,
         b.create<mlir::qcc::TransposeOp>(nodeLoc(n),
                                          RankedTensorType::get(t->getShape(), xt.getElementType()),
                                          x, b.getDenseI64ArrayAttr(perm)));
  return true;
}

bool Importer::importConcat(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  SmallVector<Value> in;
  for (int i = 0; i < n.input_size(); ++i) {
    Value v = lookup(n.input(i), n);
    if (!v)
      return false;
    in.push_back(v);
  }
  auto t = typeOf(n.output(0), &n);
  if (!t)
    return false;
  Type et = cast<RankedTensorType>(in[0].getType()).getElementType();
  for (Value &v : in)
    if (cast<RankedTensorType>(v.getType()).getElementType() != et) {
      // Quantized inputs with different parameters: the raw integers are what ONNX joins.
      for (Value &w : in)
        w = asStorage(w, loc);
      et = cast<RankedTensorType>(in[0].getType()).getElementType();
      break;
    }
  int64_t axis = attrInt(n, "axis", 0);
  if (axis < 0)
    axis += t->getRank();
  define(n, 0,
         b.create<mlir::qcc::ConcatOp>(loc, RankedTensorType::get(t->getShape(), et), in,
                                       b.getI64IntegerAttr(axis)));
  return true;
}

/// Identity and Dropout (inference: the identity).
bool Importer::importIdentity(const onnx::NodeProto &n) {
  if (n.op_type() == "Dropout" && n.output_size() > 1 && !n.output(1).empty()) {
    nodeError(n) << "the mask output of Dropout is not supported";
    return false;
  }
  // An Identity of a constant is that constant (PyTorch exports shared zero points so).
  if (const onnx::TensorProto *t = constantTensor(n.input(0))) {
    onnx::TensorProto copy = *t;
    copy.set_name(n.output(0));
    constantNodes[n.output(0)] = copy;
    return true;
  }
  Value x = lookup(n.input(0), n);
  if (!x)
    return false;
  define(n, 0, x);
  return true;
}

bool Importer::importConstant(const onnx::NodeProto &n) {
  const auto *a = findAttr(n, "value");
  if (!a || !a->has_t()) {
    nodeError(n) << "only Constant nodes with a 'value' tensor attribute are supported";
    return false;
  }
  onnx::TensorProto t = a->t();
  t.set_name(n.output(0));
  constantNodes[n.output(0)] = t;
  return true; // materialized on first use
}

} // namespace mlir::qcc::onnx_import
