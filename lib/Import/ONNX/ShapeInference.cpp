//===- ShapeInference.cpp - shapes of every ONNX value --------------------===//
//
// ONNX's shape inference (guarded against its out-of-bounds reads), and qcc's own rules for
// the com.microsoft ops ONNX has no schemas for.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "llvm/ADT/StringSet.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

using namespace mlir;

namespace mlir::qcc::onnx_import {

/// ONNX shape inference on `model`, guarded. ONNX 1.12's convolution inference takes the
/// kernel's rank from the weight when there is no kernel_shape attribute and indexes the
/// input's dimensions with it, so a weight of higher rank than the input reads out of
/// bounds (SIGSEGV). validateNode checks both ranks where they are declared; where one is
/// only known after inference (a weight computed by a node, an input after a com.microsoft
/// op), those convolutions are first left out of a probe inference on a copy, the ranks it
/// finds are checked, and the real inference runs only when every convolution it can reach
/// is consistent. Convolutions whose input ranks stay unknown are safe: ONNX's inference
/// returns early without a shape.
bool Importer::runShapeInference() {
  auto learnRanks = [&](const onnx::GraphProto &g) {
    for (const auto *list : {&g.input(), &g.value_info(), &g.output()})
      for (const auto &vi : *list)
        if (vi.type().tensor_type().has_shape())
          ranks.emplace(vi.name(), vi.type().tensor_type().shape().dim_size());
  };
  auto infer = [&](onnx::ModelProto &m) {
    try {
      onnx::ShapeInferenceOptions siOpts(/*check_type=*/false, /*strict_mode=*/0,
                                         /*data_prop=*/true);
      onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), siOpts);
    } catch (const std::exception &e) {
      error() << "ONNX shape inference failed: " << e.what();
      return false;
    }
    return true;
  };
  static const llvm::StringSet<> convs = {"Conv", "ConvInteger", "QLinearConv",
                                          "ConvTranspose"};
  learnRanks(model.graph());
  size_t lastUnsure = SIZE_MAX;
  while (true) {
    std::vector<int> unsure;
    const auto &nodes = model.graph().node();
    for (int i = 0; i < nodes.size(); ++i) {
      const auto &n = nodes[i];
      int weightIdx = convWeightIndex(n);
      if (n.domain().empty() && convs.contains(n.op_type()) && !findAttr(n, "kernel_shape") &&
          hasInput(n, weightIdx) && (rankOf(n.input(0)) < 0 || rankOf(n.input(weightIdx)) < 0))
        unsure.push_back(i);
    }
    if (unsure.empty() || unsure.size() >= lastUnsure)
      break;
    lastUnsure = unsure.size();
    onnx::ModelProto probe = model;
    auto *probeNodes = probe.mutable_graph()->mutable_node();
    for (auto it = unsure.rbegin(); it != unsure.rend(); ++it)
      probeNodes->DeleteSubrange(*it, 1);
    if (!infer(probe))
      return false;
    learnRanks(probe.graph());
    bool ok = true;
    for (int i : unsure)
      ok &= checkWeightRank(nodes[i]);
    if (!ok)
      return false;
  }
  return infer(model);
}

bool Importer::inferShapes() {
  // ONNX 1.12's checker knows IR versions up to 8; newer models are still imported, but
  // without the checker (shape inference and qcc's verifiers still run).
  if (model.ir_version() <= onnx::IR_VERSION) {
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      error() << "the ONNX checker rejected the model: " << e.what();
      return false;
    }
  }
  if (!runShapeInference())
    return false;
  const auto &g = model.graph();
  for (const auto &vi : g.input())
    valueTypes[vi.name()] = vi.type();
  for (const auto &vi : g.value_info())
    valueTypes[vi.name()] = vi.type();
  for (const auto &vi : g.output())
    if (vi.has_type() && vi.type().tensor_type().has_shape())
      valueTypes[vi.name()] = vi.type();
  return inferMicrosoftShapes();
}

const onnx::TypeProto *Importer::knownType(const std::string &name) {
  if (auto it = valueTypes.find(name); it != valueTypes.end() && it->second.tensor_type().has_shape())
    return &it->second;
  if (auto it = initializers.find(name); it != initializers.end()) {
    static thread_local onnx::TypeProto scratch;
    scratch.Clear();
    scratch.mutable_tensor_type()->set_elem_type(it->second->data_type());
    for (int64_t d : it->second->dims())
      scratch.mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    return &scratch;
  }
  return nullptr;
}

/// Output type of a com.microsoft op from its inputs' types (ONNX's shape inference does not
/// know these ops).
std::optional<onnx::TypeProto> Importer::microsoftOutputType(const onnx::NodeProto &n) {
  auto shapeOf = [&](int i) -> std::optional<SmallVector<int64_t>> {
    if (i >= n.input_size() || n.input(i).empty())
      return std::nullopt;
    const onnx::TypeProto *t = knownType(n.input(i));
    if (!t)
      return std::nullopt;
    SmallVector<int64_t> shape;
    for (const auto &d : t->tensor_type().shape().dim()) {
      if (!d.has_dim_value())
        return std::nullopt;
      shape.push_back(d.dim_value());
    }
    return shape;
  };
  auto elemOf = [&](int i, int32_t dflt) {
    if (i < n.input_size() && !n.input(i).empty())
      if (const onnx::TypeProto *t = knownType(n.input(i)))
        return t->tensor_type().elem_type();
    return dflt;
  };
  std::optional<SmallVector<int64_t>> shape;
  int32_t elem = elemOf(0, onnx::TensorProto::UINT8);
  const std::string &op = n.op_type();
  if (op == "QLinearAdd" || op == "QLinearMul") {
    auto a = shapeOf(0), b = shapeOf(3);
    if (a && b)
      shape = mlir::qcc::broadcastShapes(*a, *b);
    elem = elemOf(7, elem);
  } else if (op == "QLinearSigmoid") {
    shape = shapeOf(0);
    elem = elemOf(4, elem);
  } else if (op == "QLinearGlobalAveragePool") {
    if (auto x = shapeOf(0); x && x->size() == 4)
      shape = attrInt(n, "channels_last", 0) ? SmallVector<int64_t>{(*x)[0], 1, 1, (*x)[3]}
                                             : SmallVector<int64_t>{(*x)[0], (*x)[1], 1, 1};
    elem = elemOf(4, elem);
  } else if (op == "QLinearAveragePool") {
    auto x = shapeOf(0);
    auto kernel = attrInts(n, "kernel_shape", {});
    auto strides = attrInts(n, "strides", {1, 1});
    if (x && x->size() == 4 && kernel.size() == 2 && strides.size() == 2 &&
        attrInt(n, "channels_last", 0) == 0) {
      int64_t ones[] = {1, 1};
      if (auto pads = resolvePads(n, ArrayRef<int64_t>(*x).drop_front(2), kernel, strides, ones)) {
        bool ceil = attrInt(n, "ceil_mode", 0) != 0;
        shape = SmallVector<int64_t>{
            (*x)[0], (*x)[1],
            mlir::qcc::windowOutputSize((*x)[2], kernel[0], strides[0], (*pads)[0], (*pads)[2],
                                        1, ceil),
            mlir::qcc::windowOutputSize((*x)[3], kernel[1], strides[1], (*pads)[1], (*pads)[3],
                                        1, ceil)};
      }
    }
    elem = elemOf(4, elem);
  } else if (op == "QLinearConcat") {
    auto first = shapeOf(2);
    if (first) {
      int64_t axis = attrInt(n, "axis", 0), rank = static_cast<int64_t>(first->size());
      if (axis < -rank || axis >= rank) {
        nodeError(n) << "axis " << axis << " is outside [" << -rank << ", " << rank - 1
                     << "] (the inputs have rank " << rank << ")";
        return std::nullopt;
      }
      if (axis < 0)
        axis += rank;
      SmallVector<int64_t> out = *first;
      out[axis] = 0;
      bool ok = true;
      for (int i = 2; i + 2 < n.input_size() + 2 && i < n.input_size(); i += 3) {
        auto s = shapeOf(i);
        if (!s || s->size() != out.size()) {
          ok = false;
          break;
        }
        out[axis] += (*s)[axis];
      }
      if (ok)
        shape = out;
    }
    elem = elemOf(1, elem);
  } else if (op == "QGemm") {
    auto a = shapeOf(0), b = shapeOf(3);
    if (a && b && a->size() == 2 && b->size() == 2)
      shape = SmallVector<int64_t>{attrInt(n, "transA", 0) ? (*a)[1] : (*a)[0],
                                   attrInt(n, "transB", 0) ? (*b)[0] : (*b)[1]};
    bool quantizedOut = n.input_size() > 7 && !n.input(7).empty();
    elem = quantizedOut ? elemOf(8, onnx::TensorProto::UINT8) : onnx::TensorProto::FLOAT;
  }
  if (!shape)
    return std::nullopt;
  onnx::TypeProto t;
  t.mutable_tensor_type()->set_elem_type(elem);
  for (int64_t d : *shape)
    t.mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  return t;
}

/// Types the outputs of com.microsoft ops, then lets ONNX's shape inference carry on from
/// them, until nothing changes.
bool Importer::inferMicrosoftShapes() {
  for (const auto &t : model.graph().initializer())
    initializers[t.name()] = &t;
  for (int round = 0; round < model.graph().node_size(); ++round) {
    bool changed = false;
    for (const auto &n : model.graph().node()) {
      if (!isMicrosoftDomain(n) || n.output_size() == 0 || knownType(n.output(0)))
        continue;
      if (auto t = microsoftOutputType(n)) {
        auto *vi = model.mutable_graph()->add_value_info();
        vi->set_name(n.output(0));
        *vi->mutable_type() = *t;
        valueTypes[n.output(0)] = *t;
        changed = true;
      }
    }
    if (!changed)
      return true;
    if (!runShapeInference())
      return false;
    for (const auto &vi : model.graph().value_info())
      valueTypes[vi.name()] = vi.type();
    for (const auto &vi : model.graph().output())
      if (vi.has_type() && vi.type().tensor_type().has_shape())
        valueTypes[vi.name()] = vi.type();
  }
  return true;
}

} // namespace mlir::qcc::onnx_import
