//===- Validate.cpp - qcc's structural checks of an ONNX graph ------------===//
//
// Run before any of libonnx's converter, checker or shape inference sees the model (they
// assume a well-formed graph and crash on some malformed ones): graph structure, node
// arity and attributes against the ONNX schema at the model's opset, window attributes,
// declared ranks, supported ops.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/defs/schema.h>

using namespace mlir;

namespace mlir::qcc::onnx_import {

/// Attributes added after opset 17 that the importer itself reads or checks.
bool importerReadsNewerAttribute(llvm::StringRef op, llvm::StringRef attr) {
  return (op == "QuantizeLinear" || op == "DequantizeLinear") &&
         (attr == "block_size" || attr == "saturate");
}

/// The graph is well formed: it has outputs, every node input is defined before it is used,
/// every value is defined once, and each node of the default domain has the inputs, outputs
/// and attributes its ONNX schema (at the model's opset) allows.
bool Importer::validateGraph() {
  const auto &g = model.graph();
  bool ok = true;
  if (g.output_size() == 0) {
    error() << "the graph declares no outputs: there is nothing to compute";
    ok = false;
  }
  // Graph inputs and initializers each name a value once (a second, different
  // declaration would make qcc's checks and ONNX's shape inference see different shapes:
  // found by fuzzing, a weight declared twice with ranks 4 and 6 crashed ONNX's Conv rule).
  auto declaredOnce = [&](const char *what, const auto &list) {
    llvm::StringSet<> seen;
    for (const auto &entry : list)
      if (!seen.insert(entry.name()).second) {
        error() << "the graph declares " << what << " '" << entry.name() << "' more than once";
        ok = false;
      }
  };
  declaredOnce("graph input", g.input());
  declaredOnce("initializer", g.initializer());
  if (!ok)
    return false;
  // value_info is a hint that exporters sometimes repeat: only differing repeats are refused.
  std::map<std::string, std::string> hints;
  for (const auto &vi : g.value_info()) {
    auto [it, fresh] = hints.emplace(vi.name(), vi.type().SerializeAsString());
    if (!fresh && it->second != vi.type().SerializeAsString()) {
      error() << "the graph's value_info gives '" << vi.name() << "' two different types";
      ok = false;
    }
  }
  // A graph output may be a graph input (the identity), but declared with the same type:
  // ONNX's shape inference otherwise reads one declaration where qcc checked the other
  // (found by fuzzing: an input of rank 4 also declared as a rank-2 output crashed ONNX's
  // Conv rule).
  for (const auto &out : g.output())
    for (const auto &in : g.input())
      if (in.name() == out.name() && in.type().SerializeAsString() != out.type().SerializeAsString()) {
        error() << "'" << out.name() << "' is a graph input and a graph output with different "
                << "types";
        ok = false;
      }
  ranks.clear();
  for (const auto &t : g.initializer())
    ranks[t.name()] = t.dims_size();
  for (const auto *list : {&g.input(), &g.value_info()})
    for (const auto &vi : *list)
      if (vi.type().tensor_type().has_shape())
        ranks.emplace(vi.name(), vi.type().tensor_type().shape().dim_size());
  llvm::StringSet<> defined;
  for (const auto &t : g.initializer())
    defined.insert(t.name());
  for (const auto &in : g.input())
    defined.insert(in.name());
  for (const auto &n : g.node()) {
    if (n.op_type().empty()) {
      nodeError(n) << "the node has no op type";
      ok = false;
      continue;
    }
    for (int i = 0; i < n.input_size(); ++i)
      if (!n.input(i).empty() && !defined.contains(n.input(i))) {
        nodeError(n) << "input " << i << " '" << n.input(i)
                     << "' is not a graph input, an initializer or an output of an earlier node";
        ok = false;
      }
    ok &= validateNode(n);
    // Ops that keep their first input's rank carry it to their output.
    static const llvm::StringSet<> keepRank = {
        "Relu", "Clip", "Sigmoid", "Tanh", "HardSwish", "Identity", "Dropout", "QuantizeLinear",
        "DequantizeLinear", "Conv", "QLinearConv", "ConvInteger", "MaxPool", "AveragePool",
        "GlobalAveragePool", "BatchNormalization", "Softmax", "LeakyRelu", "Transpose"};
    if (n.output_size() > 0 && n.input_size() > 0 && keepRank.contains(n.op_type()) &&
        rankOf(n.input(0)) >= 0)
      ranks.emplace(n.output(0), rankOf(n.input(0)));
    if (n.op_type() == "Constant" && n.output_size() > 0)
      if (const onnx::AttributeProto *v = findAttr(n, "value"))
        ranks.emplace(n.output(0), v->t().dims_size());
    for (const auto &o : n.output()) {
      if (o.empty())
        continue;
      if (!defined.insert(o).second) {
        nodeError(n) << "output '" << o << "' is already defined (by a graph input, an "
                     << "initializer or another node); ONNX values are defined once";
        ok = false;
      }
    }
  }
  // DequantizeLinear: the zero point has the data's type (ONNX's type constraint T), where
  // both are declared.
  std::map<std::string, int32_t> declared;
  for (const auto &t : g.initializer())
    declared[t.name()] = t.data_type();
  for (const auto *list : {&g.input(), &g.value_info(), &g.output()})
    for (const auto &vi : *list)
      if (vi.type().tensor_type().elem_type() != onnx::TensorProto::UNDEFINED)
        declared.emplace(vi.name(), vi.type().tensor_type().elem_type());
  for (const auto &n : g.node()) {
    if (n.op_type() != "DequantizeLinear" || !hasInput(n, 2) || !n.domain().empty())
      continue;
    auto x = declared.find(n.input(0)), zp = declared.find(n.input(2));
    if (x != declared.end() && zp != declared.end() && x->second != zp->second) {
      nodeError(n) << "the zero point '" << n.input(2) << "' is " << onnxTypeName(zp->second)
                   << " but the data '" << n.input(0) << "' is " << onnxTypeName(x->second)
                   << "; ONNX requires the same type";
      ok = false;
    }
  }
  for (const auto &out : g.output())
    if (!defined.contains(out.name())) {
      error() << "graph output '" << out.name() << "' is not produced by any node, input or "
              << "initializer";
      ok = false;
    }
  return ok;
}

int64_t Importer::rankOf(const std::string &name) {
  auto it = ranks.find(name);
  return it == ranks.end() ? -1 : it->second;
}

const char *attrTypeName(onnx::AttributeProto::AttributeType t) {
  switch (t) {
  case onnx::AttributeProto::FLOAT: return "a float";
  case onnx::AttributeProto::INT: return "an int";
  case onnx::AttributeProto::STRING: return "a string";
  case onnx::AttributeProto::TENSOR: return "a tensor";
  case onnx::AttributeProto::GRAPH: return "a graph";
  case onnx::AttributeProto::FLOATS: return "a list of floats";
  case onnx::AttributeProto::INTS: return "a list of ints";
  case onnx::AttributeProto::STRINGS: return "a list of strings";
  default: return "of another kind";
  }
}

/// The window attributes of convolutions and poolings: positive strides, dilations and
/// kernel sizes, non-negative pads, a positive group, and lengths that agree with each
/// other and with the spatial rank (from the weight, or the declared input). ONNX's shape
/// inference divides by strides and indexes these lists by the input's rank.
bool Importer::validateWindow(const onnx::NodeProto &n, int64_t spatialRank) {
  bool ok = true;
  auto check = [&](llvm::StringRef name, int64_t min, int64_t factor) {
    const onnx::AttributeProto *a = findAttr(n, name);
    if (!a)
      return;
    SmallVector<int64_t> values = attrInts(n, name, {});
    for (int64_t v : values)
      if (v < min) {
        nodeError(n) << "attribute '" << name << "' contains " << v << "; each entry must be "
                     << (min == 0 ? "non-negative" : "positive");
        ok = false;
        return;
      }
    if (spatialRank > 0 && static_cast<int64_t>(values.size()) != factor * spatialRank) {
      nodeError(n) << "attribute '" << name << "' has " << values.size() << " entries; "
                   << factor * spatialRank << " expected for " << spatialRank
                   << " spatial dimensions";
      ok = false;
    }
  };
  check("kernel_shape", 1, 1);
  check("strides", 1, 1);
  check("dilations", 1, 1);
  check("pads", 0, 2);
  if (findAttr(n, "group") && attrInt(n, "group", 1) < 1) {
    nodeError(n) << "attribute 'group' is " << attrInt(n, "group", 1) << "; it must be >= 1";
    ok = false;
  }
  return ok;
}

bool Importer::validateNode(const onnx::NodeProto &n) {
  bool ok = true;
  if (n.domain() == "com.microsoft") {
    // libonnx has no schemas for ONNX Runtime's contrib ops: their arity per ONNX Runtime's
    // definitions (zero points optional), and one output.
    struct Arity { const char *op; int minIn, maxIn; };
    static const Arity arities[] = {{"QGemm", 6, 9},
                                    {"QLinearAdd", 7, 8},
                                    {"QLinearMul", 7, 8},
                                    {"QLinearAveragePool", 4, 5},
                                    {"QLinearGlobalAveragePool", 4, 5},
                                    {"QLinearSigmoid", 4, 5},
                                    {"QLinearConcat", 5, 1 << 20}};
    for (const Arity &a : arities) {
      if (n.op_type() != a.op)
        continue;
      bool concatShape = n.op_type() != "QLinearConcat" || (n.input_size() - 2) % 3 == 0;
      if (n.input_size() < a.minIn || n.input_size() > a.maxIn || !concatShape) {
        nodeError(n) << "has " << n.input_size() << " inputs; com.microsoft " << a.op
                     << " takes "
                     << (n.op_type() == "QLinearConcat"
                             ? std::string("Y_scale, Y_zero_point and one or more (X, "
                                           "scale, zero point) triples")
                             : std::to_string(a.minIn) + " to " + std::to_string(a.maxIn));
        return false;
      }
      if (n.output_size() != 1) {
        nodeError(n) << "has " << n.output_size() << " outputs; com.microsoft " << a.op
                     << " produces 1";
        return false;
      }
    }
    if (n.op_type() == "QLinearAveragePool")
      return validateWindow(n, rankOf(n.input(0)) > 2 ? rankOf(n.input(0)) - 2 : -1);
    return true;
  }
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    return true; // other domains: checkSupportedOps reports them
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(opset), "");
  if (!schema)
    return true; // not an ONNX op at this opset: checkSupportedOps reports it
  std::string op = n.op_type() + "-" + std::to_string(schema->SinceVersion());
  int inputs = n.input_size();
  while (inputs > 0 && n.input(inputs - 1).empty())
    --inputs; // trailing optional inputs left out
  if (inputs < schema->min_input() || inputs > schema->max_input()) {
    nodeError(n) << "has " << inputs << " inputs; " << op << " takes " << schema->min_input()
                 << (schema->max_input() == schema->min_input()
                         ? std::string()
                         : " to " + std::to_string(schema->max_input()));
    ok = false;
  }
  if (n.output_size() < schema->min_output() || n.output_size() > schema->max_output()) {
    nodeError(n) << "has " << n.output_size() << " outputs; " << op << " produces "
                 << schema->min_output()
                 << (schema->max_output() == schema->min_output()
                         ? std::string()
                         : " to " + std::to_string(schema->max_output()));
    ok = false;
  }
  const auto &known = schema->attributes();
  for (const auto &a : n.attribute()) {
    auto it = known.find(a.name());
    if (it == known.end() && opset > schemaOpsets) {
      if (importerReadsNewerAttribute(n.op_type(), a.name()))
        continue;
      nodeError(n) << "attribute '" << a.name() << "' (model opset " << opset
                   << ") is newer than " << op << ", the last version qcc's ONNX schemas have "
                   << "(opset " << schemaOpsets << "); it is not supported";
      ok = false;
      continue;
    }
    if (it == known.end()) {
      std::string names;
      for (const auto &kv : known)
        names += (names.empty() ? "" : ", ") + kv.first;
      nodeError(n) << "unknown attribute '" << a.name() << "'; " << op << " has "
                   << (names.empty() ? std::string("none") : names);
      ok = false;
      continue;
    }
    if (a.type() != it->second.type) {
      nodeError(n) << "attribute '" << a.name() << "' is " << attrTypeName(a.type()) << "; "
                   << op << " expects " << attrTypeName(it->second.type);
      ok = false;
    }
  }
  for (const auto &kv : known)
    if (kv.second.required && !findAttr(n, kv.first)) {
      nodeError(n) << "required attribute '" << kv.first << "' of " << op << " is missing";
      ok = false;
    }
  if (!ok)
    return false;
  if (n.op_type() == "Squeeze" || n.op_type() == "Unsqueeze") {
    // Axes (attribute before opset 13, a constant input from 13) within the rank, once each.
    SmallVector<int64_t> axes = attrInts(n, "axes", {});
    if (hasInput(n, 1))
      for (const auto &t : model.graph().initializer())
        if (t.name() == n.input(1) && t.data_type() == onnx::TensorProto::INT64) {
          std::vector<double> values;
          if (readTensor(t, values))
            axes.assign(values.begin(), values.end());
        }
    int64_t rank = rankOf(n.input(0));
    if (rank >= 0 && n.op_type() == "Unsqueeze")
      rank += static_cast<int64_t>(axes.size());
    llvm::SmallSet<int64_t, 8> seen;
    for (int64_t axis : axes) {
      if (rank >= 0 && (axis < -rank || axis >= rank)) {
        nodeError(n) << "axis " << axis << " is outside [" << -rank << ", " << rank - 1
                     << "] (the " << (n.op_type() == "Squeeze" ? "input" : "output")
                     << " has rank " << rank << ")";
        return false;
      }
      if (rank >= 0 && !seen.insert(axis < 0 ? axis + rank : axis).second) {
        nodeError(n) << "axis " << axis << " is listed twice";
        return false;
      }
    }
  }
  if (n.op_type() == "Gemm") {
    // A and B are matrices and C broadcasts to A x B (every opset). ONNX's version
    // converter (Gemm 6 -> 7) indexes A's and B's declared dimensions unchecked.
    for (int i = 0; i < std::min(n.input_size(), 3); ++i) {
      int64_t rank = hasInput(n, i) ? rankOf(n.input(i)) : -1;
      if (rank >= 0 && (i < 2 ? rank != 2 : rank > 2)) {
        nodeError(n) << "input " << i << " '" << n.input(i) << "' has rank " << rank << "; Gemm "
                     << (i < 2 ? "multiplies matrices (rank 2)" : "adds a C of rank 0 to 2");
        return false;
      }
    }
  }
  if (n.op_type() == "Transpose") {
    // perm must be a permutation of the input's dimensions: ONNX's shape inference reads the
    // input's dimensions at perm's entries unchecked (CI fuzz run: a 4-entry perm on a
    // rank-3 input, then a Shape after it, SIGSEGV in libonnx).
    for (const auto &a : n.attribute()) {
      if (a.name() != "perm")
        continue;
      int64_t rank = rankOf(n.input(0)), size = a.ints_size();
      llvm::SmallSet<int64_t, 8> seen;
      bool bad = rank >= 0 && size != rank;
      for (int64_t p : a.ints())
        bad |= p < 0 || p >= size || !seen.insert(p).second;
      if (bad) {
        std::string perm;
        for (int64_t p : a.ints())
          perm += (perm.empty() ? "" : ", ") + std::to_string(p);
        nodeError(n) << "perm [" << perm << "] is not a permutation of "
                     << (rank >= 0 ? "the input's " + std::to_string(rank) + " dimensions"
                                   : std::string("0..") + std::to_string(size - 1));
        return false;
      }
    }
  }
  static const llvm::StringSet<> windowed = {"Conv", "ConvInteger", "QLinearConv", "MaxPool",
                                             "AveragePool", "ConvTranspose", "LpPool"};
  if (windowed.contains(n.op_type())) {
    // Spatial rank: from the input's declared rank; a weight of another rank is an error.
    int64_t xRank = rankOf(n.input(0));
    int weightIdx = convWeightIndex(n);
    int64_t wRank = weightIdx > 0 && hasInput(n, weightIdx) ? rankOf(n.input(weightIdx)) : -1;
    if (xRank >= 0 && xRank < 3) {
      nodeError(n) << "input 0 has rank " << xRank << "; " << op << " needs N, C and at "
                   << "least one spatial dimension";
      return false;
    }
    if (!checkWeightRank(n))
      return false;
    int64_t rank = xRank > 0 ? xRank : wRank;
    ok &= validateWindow(n, rank > 2 ? rank - 2 : -1);
  }
  return ok;
}

int convWeightIndex(const onnx::NodeProto &n) {
  if (n.op_type() == "QLinearConv")
    return 3;
  return n.op_type().find("Conv") != std::string::npos ? 1 : -1;
}

/// The convolutions' input and weight have the same rank (N, C and the spatial dimensions),
/// where both are known.
bool Importer::checkWeightRank(const onnx::NodeProto &n) {
  int weightIdx = convWeightIndex(n);
  if (n.input_size() == 0 || weightIdx < 0 || !hasInput(n, weightIdx))
    return true;
  int64_t xRank = rankOf(n.input(0)), wRank = rankOf(n.input(weightIdx));
  // A weight of rank below 3 (no channel dimensions, no window) is refused whatever the
  // input's rank is known to be: ONNX's ConvTranspose shape inference reads its dimensions
  // unchecked (found by the CI fuzz run: a rank-0 weight, SIGSEGV in libonnx).
  if (wRank >= 0 && wRank < 3) {
    nodeError(n) << "the weight has rank " << wRank << "; a convolution's weight has an output "
                 << "and an input channel dimension and at least one window dimension";
    return false;
  }
  if (xRank > 0 && wRank > 0 && xRank != wRank) {
    nodeError(n) << "the weight has rank " << wRank << " but the input has rank " << xRank
                 << "; they must be equal";
    return false;
  }
  return true;
}

bool Importer::checkSupportedOps() {
  bool ok = true;
  for (const auto &n : model.graph().node())
    if (!isSupportedOp(n)) {
      nodeError(n) << "unsupported op (model opset " << opset << ")";
      ok = false;
    }
  // The list once, after all the nodes (a model with 31 unsupported nodes got it 31 times).
  if (!ok)
    emitRemark(fileLoc) << "qcc supports, in the default ONNX domain: " << supportedOpList()
                        << "; in com.microsoft: " << supportedMicrosoftOpList();
  return ok;
}

} // namespace mlir::qcc::onnx_import
