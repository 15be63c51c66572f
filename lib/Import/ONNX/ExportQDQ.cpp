//===- ExportQDQ.cpp - qcc's quantization written back into the ONNX model ----===//
//
// qcc --quantize ... --emit=onnx -o M.onnx: the model as read (opsets below 13 upgraded, as
// the importer does), with the quantization qcc-quantize chose:
//   - each quantized layer's float weight W replaced by DequantizeLinear(W_quantized,
//     W_scale, W_zero_point[, axis]) of the int8 values qcc computed;
//   - each quantized tensor T (producer renamed to T_float) rebuilt as
//     DequantizeLinear(QuantizeLinear(T_float)); a quantized graph input X feeds its
//     consumers through X_dequantized.
// int8 uses the default domain's QuantizeLinear/DequantizeLinear (opset 13+); int16 the
// com.microsoft ones (ONNX gives QuantizeLinear int16 only from opset 21, which the ONNX
// library qcc builds with does not know), as ONNX Runtime's quantizer writes them.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Quantize.h"
#include "qcc/Dialect/Qcc/Utils/QuantParams.h"
#include "qcc/Import/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace mlir::qcc {

namespace {

struct ActivationQuant {
  std::string tensor;
  double scale;
  int64_t zeroPoint;
  unsigned width;
};

struct WeightQuant {
  std::string node; // the layer's node (its name, or its first output when unnamed)
  std::vector<int8_t> values;
  std::vector<int64_t> shape;
  std::vector<float> scales;
  int64_t axis; // -1: per tensor
};

} // namespace

bool exportQDQModel(llvm::StringRef contents, const ImportOptions &options, ModuleOp quantized,
                    std::string &bytes, std::string &error) {
  MLIRContext *ctx = quantized.getContext();
  onnx_import::Importer importer(ctx, options);
  {
    // The model as the importer read it (diagnostics of a model that already imported
    // once cannot appear; any would be reported as the error below).
    ScopedDiagnosticHandler quiet(ctx, [&](Diagnostic &d) {
      if (error.empty())
        error = d.str();
      return success();
    });
    if (!importer.parse(contents) || !importer.readOpset() || !importer.checkOpsets()) {
      error = "--emit=onnx: cannot re-read the model: " + error;
      return false;
    }
    for (auto &t : *importer.model.mutable_graph()->mutable_initializer())
      if (!importer.loadExternalData(t)) {
        error = "--emit=onnx: cannot load the model's external data: " + error;
        return false;
      }
  }
  error.clear();
  onnx::ModelProto &model = importer.model;
  onnx::GraphProto *g = model.mutable_graph();

  // What qcc-quantize decided, read off the module.
  func::FuncOp entry = getEntryFunction(quantized);
  if (!entry) {
    error = "--emit=onnx: the module has no entry function";
    return false;
  }
  QccDialect::TensorAttrHelper tensorAttr(ctx);
  QccDialect::NameAttrHelper nameAttr(ctx);
  std::vector<ActivationQuant> activations;
  std::vector<WeightQuant> weights;
  bool failed = false;
  entry.walk([&](Operation *op) {
    if (failed)
      return;
    if (auto q = dyn_cast<QuantizeOp>(op)) {
      Value v = q.getInput();
      std::string tensor;
      if (auto arg = dyn_cast<BlockArgument>(v)) {
        if (auto n = entry.getArgAttrOfType<StringAttr>(arg.getArgNumber(), nameAttr.getName()))
          tensor = n.str();
      } else if (auto t = tensorAttr.getAttr(v.getDefiningOp())) {
        if (v == v.getDefiningOp()->getResult(0))
          tensor = t.str();
      }
      if (tensor.empty()) {
        error = "--emit=onnx: the quantization of the result of '" + layerName(op) +
                "' does not correspond to one tensor of the ONNX model";
        failed = true;
        return;
      }
      auto u = cast<quant::UniformQuantizedType>(getElementTypeOrSelf(q.getType()));
      activations.push_back(
          {tensor, u.getScale(), u.getZeroPoint(), u.getStorageTypeIntegralWidth()});
      return;
    }
    std::optional<int64_t> axis;
    if (!isa<Conv2DOp, GemmOp, MatMulOp>(op))
      return;
    auto dq = op->getOperand(1).getDefiningOp<DequantizeOp>();
    auto scast = dq ? dq.getInput().getDefiningOp<quant::StorageCastOp>() : nullptr;
    DenseElementsAttr attr;
    if (!scast || !matchPattern(scast.getArg(), m_Constant(&attr)))
      return;
    WeightQuant w;
    w.node = layerName(op);
    for (APInt v : attr.getValues<APInt>())
      w.values.push_back(static_cast<int8_t>(v.getSExtValue()));
    w.shape.assign(attr.getType().getShape().begin(), attr.getType().getShape().end());
    QuantParams p = getQuantParams(getElementTypeOrSelf(scast.getType()));
    for (float s : p.scales)
      w.scales.push_back(s);
    w.axis = p.axis;
    weights.push_back(std::move(w));
  });
  if (failed)
    return false;

  // Names in use, for fresh ones.
  llvm::StringSet<> used;
  for (const auto &n : g->node())
    for (const auto &o : n.output())
      used.insert(o);
  for (const auto &i : g->input())
    used.insert(i.name());
  for (const auto &i : g->initializer())
    used.insert(i.name());
  auto fresh = [&](const std::string &base) {
    std::string name = base;
    for (int k = 1; used.contains(name); ++k)
      name = base + "_" + std::to_string(k);
    used.insert(name);
    return name;
  };
  auto scalarOrVector = [&](const std::string &name, int32_t type, ArrayRef<double> values,
                            bool vector) {
    onnx::TensorProto *t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    if (vector)
      t->add_dims(static_cast<int64_t>(values.size()));
    for (double v : values) {
      if (type == onnx::TensorProto::FLOAT)
        t->add_float_data(static_cast<float>(v));
      else
        t->add_int32_data(static_cast<int32_t>(v));
    }
  };
  bool needMicrosoft = false;
  auto qdqNode = [&](const char *op, unsigned width) {
    onnx::NodeProto n;
    n.set_op_type(op);
    if (width == 16) {
      n.set_domain("com.microsoft");
      needMicrosoft = true;
    }
    return n;
  };

  // Nodes to add: before everything (graph inputs, weights), and after each producer.
  std::vector<onnx::NodeProto> front;
  std::map<std::string, std::vector<onnx::NodeProto>> after; // producer's output -> nodes
  std::map<std::string, std::string> inputRename;            // graph input -> dequantized

  for (const WeightQuant &w : weights) {
    onnx::NodeProto *node = nullptr;
    for (auto &n : *g->mutable_node())
      if ((!n.name().empty() && n.name() == w.node) ||
          (n.name().empty() && n.output_size() > 0 && n.output(0) == w.node))
        node = &n;
    if (!node || node->input_size() < 2) {
      error = "--emit=onnx: cannot find the ONNX node of layer '" + w.node + "'";
      return false;
    }
    std::string base = node->input(1);
    std::string q = fresh(base + "_quantized"), s = fresh(base + "_scale"),
                zp = fresh(base + "_zero_point"), dq = fresh(base + "_dequantized");
    // The ONNX weight's own dimensions when it is an initializer of as many values (a 1-D
    // convolution's weight is 4-D in qcc).
    std::vector<int64_t> dims = w.shape;
    for (const auto &init : g->initializer())
      if (init.name() == base) {
        int64_t count = 1;
        for (int64_t d : init.dims())
          count *= d;
        if (count == static_cast<int64_t>(w.values.size()))
          dims.assign(init.dims().begin(), init.dims().end());
      }
    onnx::TensorProto *t = g->add_initializer();
    t->set_name(q);
    t->set_data_type(onnx::TensorProto::INT8);
    for (int64_t d : dims)
      t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char *>(w.values.data()), w.values.size()));
    std::vector<double> scales(w.scales.begin(), w.scales.end());
    scalarOrVector(s, onnx::TensorProto::FLOAT, scales, w.axis >= 0);
    scalarOrVector(zp, onnx::TensorProto::INT8, std::vector<double>(scales.size(), 0.0),
                   w.axis >= 0);
    onnx::NodeProto n = qdqNode("DequantizeLinear", 8);
    n.set_name(fresh(base + "_DequantizeLinear"));
    n.add_input(q);
    n.add_input(s);
    n.add_input(zp);
    n.add_output(dq);
    if (w.axis >= 0) {
      auto *a = n.add_attribute();
      a->set_name("axis");
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(w.axis);
    }
    front.push_back(n);
    node->set_input(1, dq);
  }

  llvm::StringSet<> graphInputs;
  for (const auto &i : g->input())
    graphInputs.insert(i.name());
  for (const ActivationQuant &a : activations) {
    bool isInput = graphInputs.contains(a.tensor);
    std::string src = a.tensor, out = a.tensor;
    if (isInput) {
      out = fresh(a.tensor + "_dequantized");
      inputRename[a.tensor] = out;
    } else {
      // The producer writes T_float; the DequantizeLinear writes T for every reader.
      src = fresh(a.tensor + "_float");
      bool found = false;
      for (auto &n : *g->mutable_node())
        for (int i = 0; i < n.output_size(); ++i)
          if (n.output(i) == a.tensor) {
            n.set_output(i, src);
            found = true;
          }
      if (!found) {
        error = "--emit=onnx: no node of the model produces tensor '" + a.tensor + "'";
        return false;
      }
    }
    int32_t zpType = a.width == 16 ? onnx::TensorProto::INT16 : onnx::TensorProto::INT8;
    std::string s = fresh(a.tensor + "_scale"), zp = fresh(a.tensor + "_zero_point"),
                q = fresh(a.tensor + "_quantized");
    scalarOrVector(s, onnx::TensorProto::FLOAT, {a.scale}, false);
    scalarOrVector(zp, zpType, {static_cast<double>(a.zeroPoint)}, false);
    onnx::NodeProto qn = qdqNode("QuantizeLinear", a.width);
    qn.set_name(fresh(a.tensor + "_QuantizeLinear"));
    qn.add_input(src);
    qn.add_input(s);
    qn.add_input(zp);
    qn.add_output(q);
    onnx::NodeProto dn = qdqNode("DequantizeLinear", a.width);
    dn.set_name(fresh(a.tensor + "_DequantizeLinear"));
    dn.add_input(q);
    dn.add_input(s);
    dn.add_input(zp);
    dn.add_output(out);
    auto &list = isInput ? front : after[src];
    list.push_back(qn);
    list.push_back(dn);
  }

  // The new node list, in topological order.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (auto &n : front)
    *nodes.Add() = n;
  for (const auto &n : g->node()) {
    onnx::NodeProto copy = n;
    for (int i = 0; i < copy.input_size(); ++i)
      if (auto it = inputRename.find(copy.input(i)); it != inputRename.end())
        copy.set_input(i, it->second);
    *nodes.Add() = copy;
    for (const auto &o : n.output())
      if (auto it = after.find(o); it != after.end())
        for (auto &extra : it->second)
          *nodes.Add() = extra;
  }
  g->mutable_node()->Swap(&nodes);
  for (const auto &[input, renamed] : inputRename)
    for (auto &o : *g->mutable_output())
      if (o.name() == input) {
        error = "--emit=onnx: graph input '" + input + "' is also a graph output";
        return false;
      }

  // Float weights nothing reads any more.
  llvm::StringSet<> read;
  for (const auto &n : g->node())
    for (const auto &i : n.input())
      read.insert(i);
  for (const auto &o : g->output())
    read.insert(o.name());
  auto *inits = g->mutable_initializer();
  for (int i = inits->size() - 1; i >= 0; --i)
    if (!read.contains(inits->Get(i).name()))
      inits->DeleteSubrange(i, 1);
  // value_info of renamed tensors still describes the dequantized ones: kept.
  if (needMicrosoft) {
    bool has = false;
    for (const auto &imp : model.opset_import())
      has |= imp.domain() == "com.microsoft";
    if (!has) {
      auto *imp = model.add_opset_import();
      imp->set_domain("com.microsoft");
      imp->set_version(1);
    }
  }
  model.set_producer_name("qcc");
  if (!model.SerializeToString(&bytes)) {
    error = "--emit=onnx: the model could not be serialized (over 2 GiB?)";
    return false;
  }
  return true;
}

} // namespace mlir::qcc
