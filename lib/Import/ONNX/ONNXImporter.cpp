//===- ONNXImporter.cpp - ONNX model to qcc dialect -----------------------===//
//
// Reads a ModelProto (binary or ONNX text syntax), lets ONNX's own checker and shape
// inference validate it and resolve intermediate shapes, then emits one qcc op per node.
// Every problem is reported with the node's name, op type and domain; all unsupported
// nodes of a model are reported in one run.
//
//===----------------------------------------------------------------------===//

#include "qcc/Import/ONNX/ONNXImporter.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <cmath>
#include <limits>
#include <map>

using namespace mlir;

namespace qcc {

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

namespace {

constexpr int64_t kMinOpset = 13;
/// The newest default-domain opset and IR version whose semantics qcc knows for the ops it
/// supports (ONNX 1.19: opset 24, IR 12). After opset 17, the newest its ONNX library
/// (1.12) has schemas for, the ops of kSupportedOps changed only by new data types
/// (refused by type), new attributes (refused by validateNode unless the importer reads
/// them) and the float8 `saturate` flag. Newer models are refused rather than read with
/// older semantics.
constexpr int64_t kMaxKnownOpset = 24;
constexpr int64_t kMaxKnownIrVersion = 12;
/// Attributes added after opset 17 that the importer itself reads or checks.
bool importerReadsNewerAttribute(llvm::StringRef op, llvm::StringRef attr) {
  return (op == "QuantizeLinear" || op == "DequantizeLinear") &&
         (attr == "block_size" || attr == "saturate");
}

/// ONNX ops (default domain) the importer maps to qcc ops.
constexpr const char *kSupportedOps[] = {
    "Add",           "AveragePool",      "BatchNormalization", "Clip",         "Concat",
    "Constant",      "Conv",             "ConvInteger",        "DequantizeLinear", "Div",
    "Dropout",       "Flatten",          "Gemm",               "GlobalAveragePool", "HardSwish",
    "Identity",      "Sigmoid",          "Tanh",
    "MatMul",        "MatMulInteger",    "MaxPool",            "Mul",          "QLinearConv",
    "QLinearMatMul", "QuantizeLinear",   "Relu",               "Reshape",      "Softmax",
    "Squeeze",       "Sub",              "Transpose",          "Unsqueeze"};

std::string supportedOpList() {
  SmallVector<StringRef> ops(std::begin(kSupportedOps), std::end(kSupportedOps));
  llvm::sort(ops);
  std::string s;
  for (StringRef op : ops)
    s += (s.empty() ? "" : ", ") + op.str();
  return s;
}

/// ONNX Runtime's contrib ops (domain com.microsoft) that quantize_static writes in
/// QOperator format.
constexpr const char *kSupportedMicrosoftOps[] = {"QGemm", "QLinearAdd", "QLinearAveragePool",
                                                  "QLinearConcat",
                                                  "QLinearGlobalAveragePool", "QLinearMul",
                                                  "QLinearSigmoid"};

bool isMicrosoftDomain(const onnx::NodeProto &n) { return n.domain() == "com.microsoft"; }

bool isSupportedOp(const onnx::NodeProto &n) {
  if (isMicrosoftDomain(n))
    return llvm::is_contained(kSupportedMicrosoftOps, llvm::StringRef(n.op_type()));
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    return false;
  return llvm::is_contained(kSupportedOps, llvm::StringRef(n.op_type()));
}

const char *onnxTypeName(int32_t t);

/// What the importer knows about one ONNX tensor value.
struct Operand {
  Value value;
};

class Importer {
public:
  Importer(MLIRContext *ctx, const ImportOptions &opts)
      : ctx(ctx), opts(opts), b(ctx), fileLoc(FileLineColLoc::get(ctx, opts.fileName, 0, 0)) {}

  OwningOpRef<ModuleOp> run(llvm::StringRef contents);

private:
  // --- reporting -----------------------------------------------------------
  InFlightDiagnostic error() { ++numErrors; return emitError(fileLoc); }
  InFlightDiagnostic nodeError(const onnx::NodeProto &n) {
    ++numErrors;
    return emitError(nodeLoc(n)) << "node " << nodeLabel(n) << " (" << n.op_type() << ", domain '"
                                 << (n.domain().empty() ? "ai.onnx" : n.domain()) << "'): ";
  }
  /// 'name', or #index for an unnamed node.
  std::string nodeLabel(const onnx::NodeProto &n) {
    if (!n.name().empty())
      return "'" + n.name() + "'";
    for (int i = 0; i < model.graph().node_size(); ++i)
      if (&model.graph().node(i) == &n)
        return "#" + std::to_string(i) + " (unnamed)";
    return "(unnamed)";
  }
  Location nodeLoc(const onnx::NodeProto &n) {
    // Unnamed nodes go by their first output, which is unique in the graph.
    std::string name = !n.name().empty()          ? n.name()
                       : n.output_size() > 0 && !n.output(0).empty() ? n.output(0)
                                                                      : n.op_type();
    return NameLoc::get(StringAttr::get(ctx, name), fileLoc);
  }

  // --- model-level steps ---------------------------------------------------
  bool parse(llvm::StringRef contents);
  bool checkHasNodes();
  bool readOpset();
  bool validateGraph();
  bool validateNode(const onnx::NodeProto &n);
  bool validateWindow(const onnx::NodeProto &n, int64_t spatialRank);
  /// Rank of a value before shape inference: declared (graph inputs, initializers,
  /// value_info) or carried by rank-preserving ops from one; -1 if unknown.
  int64_t rankOf(const std::string &name);
  bool checkWeightRank(const onnx::NodeProto &n);
  bool runShapeInference();
  std::map<std::string, int64_t> ranks;
  bool checkOpsets();
  bool checkSupportedOps();
  bool pinAndCheckInputs();
  bool inferShapes();
  bool checkElementTypes();
  bool loadExternalData(onnx::TensorProto &t);

  // --- types and constants -------------------------------------------------
  std::optional<Type> elementTypeFor(int32_t onnxType);
  std::optional<RankedTensorType> typeOf(const std::string &name, const onnx::NodeProto *n);
  bool readTensor(const onnx::TensorProto &t, std::vector<double> &out);
  const onnx::TensorProto *constantTensor(const std::string &name);
  Value materializeInitializer(const onnx::TensorProto &t, Location loc);
  Value lookup(const std::string &name, const onnx::NodeProto &n);

  // --- nodes ---------------------------------------------------------------
  bool importNode(const onnx::NodeProto &n);
  bool verifyNodeOps(const onnx::NodeProto &n, Block *block, Operation *before);
  bool importConv(const onnx::NodeProto &n);
  Value buildConv(const onnx::NodeProto &n, Type resultType, Value x, Value w, Value bias);
  Type biasTypeFor(Type accElement, int64_t axis);
  bool importPool(const onnx::NodeProto &n, bool isMax);
  /// MaxPool/AveragePool of `x` with `n`'s attributes; null after reporting a problem.
  Value buildPool(const onnx::NodeProto &n, bool isMax, Value x, ArrayRef<int64_t> outShape);
  bool importQuantizeLinear(const onnx::NodeProto &n);
  bool importDequantizeLinear(const onnx::NodeProto &n);
  bool importQLinearConvOrMatMul(const onnx::NodeProto &n, bool isConv);
  bool importIntegerConvOrMatMul(const onnx::NodeProto &n, bool isConv);
  bool importMicrosoftOp(const onnx::NodeProto &n);
  bool inferMicrosoftShapes();
  std::optional<onnx::TypeProto> microsoftOutputType(const onnx::NodeProto &n);
  const onnx::TypeProto *knownType(const std::string &name);
  int32_t rawOnnxType(Value v, const std::string &name);
  Value quantizedOperand(const onnx::NodeProto &n, int valueIdx, int scaleIdx, int zpIdx,
                         int64_t axis);
  std::optional<Type> quantTypeFromParams(const onnx::NodeProto &n, int scaleIdx, int zpIdx,
                                          int64_t axis, int64_t rank, int64_t axisDim,
                                          int32_t storageOnnxType);

  Value asStorage(Value v, Location loc);
  Value asQuant(Value v, Type quantElementType, Location loc);
  Value requireFloat(Value v, const onnx::NodeProto &n, int idx);
  void define(const onnx::NodeProto &n, int idx, Value v) { values[n.output(idx)] = v; }

  MLIRContext *ctx;
  const ImportOptions &opts;
  OpBuilder b;
  Location fileLoc;
  int numErrors = 0;

  onnx::ModelProto model;
  int64_t opset = 0;
  int64_t schemaOpsets = 0; // the newest default-domain opset libonnx has schemas for
  std::map<std::string, onnx::TypeProto> valueTypes;
  std::map<std::string, const onnx::TensorProto *> initializers;
  std::map<std::string, onnx::TensorProto> constantNodes;
  std::map<std::string, Value> values;
  llvm::StringSet<> failedValues; // outputs of nodes that could not be imported
};

//===----------------------------------------------------------------------===//
// Attribute access
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const onnx::NodeProto &n, llvm::StringRef name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}
int64_t attrInt(const onnx::NodeProto &n, llvm::StringRef name, int64_t dflt) {
  const auto *a = findAttr(n, name);
  return a ? a->i() : dflt;
}
float attrFloat(const onnx::NodeProto &n, llvm::StringRef name, float dflt) {
  const auto *a = findAttr(n, name);
  return a ? a->f() : dflt;
}
std::string attrString(const onnx::NodeProto &n, llvm::StringRef name, llvm::StringRef dflt) {
  const auto *a = findAttr(n, name);
  return a ? a->s() : dflt.str();
}
SmallVector<int64_t> attrInts(const onnx::NodeProto &n, llvm::StringRef name,
                              ArrayRef<int64_t> dflt) {
  const auto *a = findAttr(n, name);
  if (!a)
    return SmallVector<int64_t>(dflt);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}
bool hasInput(const onnx::NodeProto &n, int i) {
  return n.input_size() > i && !n.input(i).empty();
}

//===----------------------------------------------------------------------===//
// Model-level steps
//===----------------------------------------------------------------------===//

bool Importer::parse(llvm::StringRef contents) {
  // ONNX text syntax starts with '<' after blank and '#' comment lines.
  llvm::StringRef trimmed = contents.ltrim();
  while (trimmed.starts_with("#"))
    trimmed = trimmed.drop_until([](char c) { return c == '\n'; }).ltrim();
  if (trimmed.starts_with("<")) {
    std::string text = contents.str();
    onnx::Common::Status status;
    try {
      status = onnx::OnnxParser::Parse(model, text.c_str());
    } catch (const std::exception &e) {
      // ONNX 1.12's parser converts numbers with std::stoi/stof, which throw.
      error() << "cannot parse the ONNX text-syntax model: a malformed or out-of-range number ("
              << e.what() << ")";
      return false;
    }
    if (!status.IsOK()) {
      error() << "cannot parse the ONNX text-syntax model: " << status.ErrorMessage();
      return false;
    }
    return checkHasNodes();
  }
  if (contents.empty()) {
    error() << "the model file is empty";
    return false;
  }
  if (contents.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(contents.data(), static_cast<int>(contents.size()))) {
    error() << "not a valid ONNX model: the protobuf could not be decoded (the file is "
               "truncated or corrupt)";
    return false;
  }
  return checkHasNodes();
}

bool Importer::checkHasNodes() {
  if (!model.has_graph() || model.graph().node_size() == 0) {
    error() << "not a valid ONNX model: it has no graph nodes";
    return false;
  }
  return true;
}

bool Importer::readOpset() {
  for (const auto &imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  }
  if (opset <= 0) {
    error() << "the model imports no version of the default ONNX domain";
    return false;
  }
  schemaOpsets = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map().at("").second;
  if (opset > kMaxKnownOpset) {
    error() << "the model uses ONNX opset " << opset << "; qcc knows opsets up to "
            << kMaxKnownOpset << " (its ONNX library knows " << schemaOpsets
            << "), so it cannot tell what the model's ops mean";
    return false;
  }
  if (model.ir_version() > kMaxKnownIrVersion) {
    error() << "the model has IR version " << model.ir_version() << "; qcc reads IR versions "
            << "up to " << kMaxKnownIrVersion;
    return false;
  }
  return true;
}

bool Importer::checkOpsets() {
  bool ok = true;
  if (opset < kMinOpset) {
    // The version converter upgrades older models when the ops used did not change
    // meaning in a way it cannot express. It assumes a model ONNX's checker accepts
    // (it crashed on one whose IR version 2 initializer was not a graph input).
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      error() << "the ONNX checker rejected the model: " << e.what();
      return false;
    }
    try {
      model = onnx::version_conversion::ConvertVersion(model, kMinOpset);
      opset = kMinOpset;
    } catch (const std::exception &e) {
      error() << "the model uses opset " << opset << "; qcc supports opset " << kMinOpset
              << " and later, and ONNX's version converter could not upgrade it: " << e.what();
      ok = false;
    }
  }
  return ok;
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
  static const llvm::StringSet<> windowed = {"Conv", "ConvInteger", "QLinearConv", "MaxPool",
                                             "AveragePool", "ConvTranspose", "LpPool"};
  if (windowed.contains(n.op_type())) {
    // Spatial rank: from the input's declared rank; a weight of another rank is an error.
    int64_t xRank = rankOf(n.input(0));
    int weightIdx = n.op_type() == "QLinearConv" ? 3 : n.op_type().find("Conv") != std::string::npos ? 1 : -1;
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

/// The convolutions' input and weight have the same rank (N, C and the spatial dimensions),
/// where both are known.
bool Importer::checkWeightRank(const onnx::NodeProto &n) {
  int weightIdx = n.op_type() == "QLinearConv" ? 3 : 1;
  if (n.input_size() == 0 || !hasInput(n, weightIdx))
    return true;
  int64_t xRank = rankOf(n.input(0)), wRank = rankOf(n.input(weightIdx));
  if (xRank > 0 && wRank > 0 && xRank != wRank) {
    nodeError(n) << "the weight has rank " << wRank << " but the input has rank " << xRank
                 << "; they must be equal";
    return false;
  }
  return true;
}

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
      int weightIdx = n.op_type() == "QLinearConv" ? 3 : 1;
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

bool Importer::checkSupportedOps() {
  bool ok = true;
  for (const auto &n : model.graph().node())
    if (!isSupportedOp(n)) {
      nodeError(n) << "unsupported op (model opset " << opset << "); qcc supports, in the default "
                   << "ONNX domain: " << supportedOpList()
                   << "; in com.microsoft: QGemm, QLinearAdd, QLinearAveragePool, QLinearConcat, "
                      "QLinearGlobalAveragePool, QLinearMul, QLinearSigmoid";
      ok = false;
    }
  return ok;
}

bool Importer::loadExternalData(onnx::TensorProto &t) {
  if (t.data_location() != onnx::TensorProto::EXTERNAL)
    return true;
  std::string location;
  int64_t offset = 0, length = -1;
  auto where = [&]() -> InFlightDiagnostic {
    return std::move(error() << "initializer '" << t.name() << "': external data ");
  };
  for (const auto &kv : t.external_data()) {
    int64_t *field = kv.key() == "offset" ? &offset : kv.key() == "length" ? &length : nullptr;
    if (kv.key() == "location") {
      location = kv.value();
    } else if (field) {
      if (llvm::StringRef(kv.value()).getAsInteger(10, *field) || *field < 0) {
        where() << kv.key() << " '" << kv.value() << "' is not a non-negative integer";
        return false;
      }
    }
  }
  // Only files inside the model's folder: no absolute paths, no "..".
  bool escapes = location.empty() || llvm::sys::path::is_absolute(location);
  for (auto it = llvm::sys::path::begin(location); it != llvm::sys::path::end(location); ++it)
    if (*it == "..")
      escapes = true;
  if (escapes) {
    where() << "location '" << location << "' must be a relative path inside the model's folder";
    return false;
  }
  llvm::SmallString<256> full(opts.modelDir);
  llvm::sys::path::append(full, location);
  // The real path (symbolic links resolved) must stay inside the model's real folder, and
  // be a regular file: a link to a file elsewhere, a device or a named pipe is refused.
  llvm::SmallString<256> realDir, realFile;
  if (std::error_code ec = llvm::sys::fs::real_path(opts.modelDir, realDir)) {
    where() << "cannot resolve the model's folder '" << opts.modelDir << "': " << ec.message();
    return false;
  }
  if (std::error_code ec = llvm::sys::fs::real_path(full, realFile)) {
    where() << "cannot read file '" << full << "': " << ec.message();
    return false;
  }
  llvm::StringRef rel(realFile);
  if (!rel.consume_front(realDir) || !llvm::sys::path::is_separator(rel.empty() ? '\0' : rel[0])) {
    where() << "file '" << location << "' resolves to '" << realFile
            << "', outside the model's folder '" << realDir << "' (symbolic links may not "
            << "leave it)";
    return false;
  }
  llvm::sys::fs::file_status st;
  if (std::error_code ec = llvm::sys::fs::status(realFile, st)) {
    where() << "cannot read file '" << full << "': " << ec.message();
    return false;
  }
  if (st.type() != llvm::sys::fs::file_type::regular_file) {
    where() << "'" << location << "' is not a regular file";
    return false;
  }
  auto size = static_cast<int64_t>(st.getSize());
  if (offset > size || (length >= 0 && length > size - offset)) {
    where() << "range [" << offset << ", " << (length >= 0 ? std::to_string(offset + length) : "end")
            << ") lies outside '" << location << "' (" << size << " bytes)";
    return false;
  }
  if (length < 0)
    length = size - offset;
  auto buf = llvm::MemoryBuffer::getFileSlice(realFile, length, offset, /*IsVolatile=*/false);
  if (!buf) {
    where() << "cannot read file '" << full << "': " << buf.getError().message();
    return false;
  }
  t.set_raw_data(std::string((*buf)->getBufferStart(), (*buf)->getBufferSize()));
  t.clear_external_data();
  t.set_data_location(onnx::TensorProto::DEFAULT);
  return true;
}

bool Importer::pinAndCheckInputs() {
  bool ok = true;
  llvm::StringSet<> initNames;
  for (const auto &t : model.graph().initializer())
    initNames.insert(t.name());
  llvm::StringSet<> seen;
  for (auto &in : *model.mutable_graph()->mutable_input()) {
    if (initNames.contains(in.name()))
      continue;
    seen.insert(in.name());
    auto *tt = in.mutable_type()->mutable_tensor_type();
    auto pinned = opts.inputShapes.find(in.name());
    if (pinned != opts.inputShapes.end()) {
      const auto &dims = pinned->second;
      if (tt->has_shape() && tt->shape().dim_size() != (int)dims.size()) {
        error() << "--input-shape for '" << in.name() << "' gives " << dims.size()
                << " dimensions, the model declares " << tt->shape().dim_size();
        ok = false;
        continue;
      }
      for (int i = 0; tt->has_shape() && i < (int)dims.size(); ++i) {
        const auto &d = tt->shape().dim(i);
        if (d.has_dim_value() && d.dim_value() != dims[i]) {
          error() << "--input-shape for '" << in.name() << "' sets dimension " << i << " to "
                  << dims[i] << ", but the model fixes it at " << d.dim_value();
          ok = false;
        }
      }
      tt->mutable_shape()->clear_dim();
      for (int64_t d : dims)
        tt->mutable_shape()->add_dim()->set_dim_value(d);
      continue;
    }
    if (!tt->has_shape()) {
      error() << "input '" << in.name() << "' has no shape; pin it with --input-shape="
              << in.name() << ":1x3x224x224 (your dimensions)";
      ok = false;
      continue;
    }
    for (int i = 0; i < tt->shape().dim_size(); ++i) {
      const auto &d = tt->shape().dim(i);
      if (!d.has_dim_value() || d.dim_value() <= 0) {
        error() << "input '" << in.name() << "' has a dynamic dimension "
                << (d.has_dim_param() ? "'" + d.dim_param() + "'" : std::string("?"))
                << " (dimension " << i << "); qcc compiles static shapes only: pin it with --input-shape="
                << in.name() << ":D0xD1x...";
        ok = false;
        break;
      }
    }
  }
  for (const auto &kv : opts.inputShapes)
    if (!seen.contains(kv.first)) {
      error() << "--input-shape names '" << kv.first << "', which is not an input of the model";
      ok = false;
    }
  return ok;
}

/// Every tensor the graph declares (inputs, outputs, initializers) has an element type qcc
/// can compile; checked before ONNX's shape inference, whose own complaints are less clear.
bool Importer::checkElementTypes() {
  bool ok = true;
  auto check = [&](const std::string &name, int32_t type, const char *what) {
    if (type == onnx::TensorProto::UNDEFINED || elementTypeFor(type))
      return;
    error() << what << " '" << name << "' has element type " << onnxTypeName(type)
            << ", which is not supported; supported: float32, uint8, int8, int32, int64";
    ok = false;
  };
  const auto &g = model.graph();
  for (const auto &vi : g.input())
    check(vi.name(), vi.type().tensor_type().elem_type(), "input");
  for (const auto &vi : g.output())
    check(vi.name(), vi.type().tensor_type().elem_type(), "output");
  for (const auto &t : g.initializer())
    check(t.name(), t.data_type(), "initializer");
  return ok;
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

std::optional<SmallVector<int64_t>> resolvePads(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                                                ArrayRef<int64_t> kernel,
                                                ArrayRef<int64_t> strides,
                                                ArrayRef<int64_t> dilations);

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
      int64_t axis = attrInt(n, "axis", 0);
      if (axis < 0)
        axis += first->size();
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

//===----------------------------------------------------------------------===//
// Types and constants
//===----------------------------------------------------------------------===//

const char *onnxTypeName(int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT: return "float32";
  case onnx::TensorProto::UINT8: return "uint8";
  case onnx::TensorProto::INT8: return "int8";
  case onnx::TensorProto::UINT16: return "uint16";
  case onnx::TensorProto::INT16: return "int16";
  case onnx::TensorProto::INT32: return "int32";
  case onnx::TensorProto::INT64: return "int64";
  case onnx::TensorProto::BOOL: return "bool";
  case onnx::TensorProto::FLOAT16: return "float16";
  case onnx::TensorProto::DOUBLE: return "float64";
  case onnx::TensorProto::BFLOAT16: return "bfloat16";
  case onnx::TensorProto::STRING: return "string";
  case onnx::TensorProto::COMPLEX64: return "complex64";
  case onnx::TensorProto::COMPLEX128: return "complex128";
  case onnx::TensorProto::UINT32: return "uint32";
  case onnx::TensorProto::UINT64: return "uint64";
  // Types newer than ONNX 1.12's protobuf, by number.
  case 17: return "float8e4m3fn";
  case 18: return "float8e4m3fnuz";
  case 19: return "float8e5m2";
  case 20: return "float8e5m2fnuz";
  case 21: return "uint4";
  case 22: return "int4";
  case 23: return "float4e2m1";
  default: return "an unknown type";
  }
}

std::optional<Type> Importer::elementTypeFor(int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT: return b.getF32Type();
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT8: return b.getIntegerType(8);
  case onnx::TensorProto::INT32: return b.getIntegerType(32);
  case onnx::TensorProto::INT64: return b.getIntegerType(64);
  default: return std::nullopt;
  }
}

std::optional<RankedTensorType> Importer::typeOf(const std::string &name,
                                                 const onnx::NodeProto *n) {
  auto it = valueTypes.find(name);
  if (it == valueTypes.end() || !it->second.has_tensor_type() ||
      !it->second.tensor_type().has_shape()) {
    if (n)
      nodeError(*n) << "the shape of '" << name
                    << "' could not be inferred; qcc needs static shapes (pin inputs with "
                       "--input-shape)";
    else
      error() << "the shape of '" << name << "' could not be inferred";
    return std::nullopt;
  }
  const auto &tt = it->second.tensor_type();
  SmallVector<int64_t> shape;
  for (const auto &d : tt.shape().dim()) {
    if (!d.has_dim_value()) {
      if (n)
        nodeError(*n) << "'" << name << "' has a dynamic dimension"
                      << (d.has_dim_param() ? " '" + d.dim_param() + "'" : std::string())
                      << "; qcc needs static shapes (pin inputs with --input-shape)";
      else
        error() << "'" << name << "' has a dynamic dimension";
      return std::nullopt;
    }
    shape.push_back(d.dim_value());
  }
  auto et = elementTypeFor(tt.elem_type());
  if (!et) {
    if (n)
      nodeError(*n) << "'" << name << "' has element type " << onnxTypeName(tt.elem_type())
                    << "; supported: float32, uint8, int8, int32, int64";
    else
      error() << "'" << name << "' has element type " << onnxTypeName(tt.elem_type())
              << "; supported: float32, uint8, int8, int32, int64";
    return std::nullopt;
  }
  return RankedTensorType::get(shape, *et);
}

template <typename T>
void appendRaw(const std::string &raw, std::vector<double> &out) {
  size_t n = raw.size() / sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out.push_back(static_cast<double>(v));
  }
}

bool Importer::readTensor(const onnx::TensorProto &t, std::vector<double> &out) {
  out.clear();
  bool raw = t.has_raw_data();
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (raw) appendRaw<float>(t.raw_data(), out);
    else for (float v : t.float_data()) out.push_back(v);
    break;
  case onnx::TensorProto::UINT8:
    if (raw) appendRaw<uint8_t>(t.raw_data(), out);
    else for (int32_t v : t.int32_data()) out.push_back(static_cast<uint8_t>(v));
    break;
  case onnx::TensorProto::INT8:
    if (raw) appendRaw<int8_t>(t.raw_data(), out);
    else for (int32_t v : t.int32_data()) out.push_back(static_cast<int8_t>(v));
    break;
  case onnx::TensorProto::INT32:
    if (raw) appendRaw<int32_t>(t.raw_data(), out);
    else for (int32_t v : t.int32_data()) out.push_back(v);
    break;
  case onnx::TensorProto::INT64:
    if (raw) appendRaw<int64_t>(t.raw_data(), out);
    else for (int64_t v : t.int64_data()) out.push_back(static_cast<double>(v));
    break;
  default:
    return false;
  }
  int64_t expected = 1;
  for (int64_t d : t.dims())
    expected *= d;
  return static_cast<int64_t>(out.size()) == expected;
}

const onnx::TensorProto *Importer::constantTensor(const std::string &name) {
  if (auto it = initializers.find(name); it != initializers.end())
    return it->second;
  if (auto it = constantNodes.find(name); it != constantNodes.end())
    return &it->second;
  return nullptr;
}

Value Importer::materializeInitializer(const onnx::TensorProto &t, Location loc) {
  std::vector<double> data;
  auto et = elementTypeFor(t.data_type());
  if (!et || !readTensor(t, data)) {
    error() << "initializer '" << t.name() << "' of type " << onnxTypeName(t.data_type())
            << " cannot be read (supported: float32, uint8, int8, int32, int64; the data "
               "size must match its dimensions)";
    return {};
  }
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(shape, *et);
  DenseElementsAttr attr;
  if (et->isF32()) {
    std::vector<float> f(data.begin(), data.end());
    attr = DenseElementsAttr::get(type, llvm::ArrayRef(f));
  } else {
    unsigned width = et->getIntOrFloatBitWidth();
    std::vector<APInt> ints;
    ints.reserve(data.size());
    for (double v : data)
      ints.push_back(APInt(64, static_cast<uint64_t>(static_cast<int64_t>(v)), /*isSigned=*/true)
                         .trunc(width));
    attr = DenseElementsAttr::get(type, ints);
  }
  return b.create<arith::ConstantOp>(loc, attr);
}

Value Importer::lookup(const std::string &name, const onnx::NodeProto &n) {
  if (auto it = values.find(name); it != values.end())
    return it->second;
  if (failedValues.contains(name))
    return {};
  if (const onnx::TensorProto *t = constantTensor(name)) {
    Value v = materializeInitializer(*t, NameLoc::get(StringAttr::get(ctx, name), fileLoc));
    if (v)
      values[name] = v;
    return v;
  }
  nodeError(n) << "input '" << name << "' is not produced by any node, input or initializer";
  return {};
}

Value Importer::asStorage(Value v, Location loc) {
  auto t = cast<RankedTensorType>(v.getType());
  auto qt = dyn_cast<quant::QuantizedType>(t.getElementType());
  if (!qt)
    return v;
  auto st = RankedTensorType::get(t.getShape(), b.getIntegerType(qt.getStorageTypeIntegralWidth()));
  return b.create<quant::StorageCastOp>(loc, st, v);
}

Value Importer::asQuant(Value v, Type quantElementType, Location loc) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType() == quantElementType)
    return v;
  v = asStorage(v, loc);
  return b.create<quant::StorageCastOp>(loc, RankedTensorType::get(t.getShape(), quantElementType),
                                        v);
}

Value Importer::requireFloat(Value v, const onnx::NodeProto &n, int idx) {
  if (!v)
    return {};
  if (!cast<RankedTensorType>(v.getType()).getElementType().isF32()) {
    nodeError(n) << "input " << idx << " ('" << n.input(idx)
                 << "') must be float32 here; integer arithmetic outside "
                    "QuantizeLinear/DequantizeLinear is not supported";
    return {};
  }
  return v;
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

/// Explicit pads [top, left, bottom, right] for a 2-D window, honouring auto_pad.
std::optional<SmallVector<int64_t>> resolvePads(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                                                ArrayRef<int64_t> kernel,
                                                ArrayRef<int64_t> strides,
                                                ArrayRef<int64_t> dilations) {
  std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return attrInts(n, "pads", {0, 0, 0, 0});
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return std::nullopt;
  SmallVector<int64_t> pads(4);
  for (int i = 0; i < 2; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - in[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[2 + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

/// A qcc.conv2d for Conv, QLinearConv or ConvInteger node `n`: 2-D only, with its strides,
/// dilations, group and (auto_pad-resolved) pads. Null after reporting a problem.
Value Importer::buildConv(const onnx::NodeProto &n, Type resultType, Value x, Value w,
                          Value bias) {
  auto xShape = cast<RankedTensorType>(x.getType()).getShape();
  auto wShape = cast<RankedTensorType>(w.getType()).getShape();
  if (xShape.size() != 4 || wShape.size() != 4) {
    nodeError(n) << "only 2-D convolution (rank-4 NCHW input) is supported; input has rank "
                 << xShape.size();
    return {};
  }
  auto strides = attrInts(n, "strides", {1, 1});
  auto dilations = attrInts(n, "dilations", {1, 1});
  auto pads = resolvePads(n, xShape.drop_front(2), wShape.drop_front(2), strides, dilations);
  if (!pads) {
    nodeError(n) << "unsupported auto_pad '" << attrString(n, "auto_pad", "") << "'";
    return {};
  }
  return b.create<mlir::qcc::Conv2DOp>(nodeLoc(n), resultType, x, w, bias,
                                       b.getDenseI64ArrayAttr(strides),
                                       b.getDenseI64ArrayAttr(*pads),
                                       b.getDenseI64ArrayAttr(dilations),
                                       b.getI64IntegerAttr(attrInt(n, "group", 1)));
}

/// The type of an int32 bias added to an accumulator of element type `accElement`: the
/// same parameters, per axis 0 of the bias (its only axis) when the accumulator is per
/// channel.
Type Importer::biasTypeFor(Type accElement, int64_t axis) {
  auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(accElement);
  if (!pa)
    return accElement;
  return quant::UniformQuantizedPerAxisType::get(pa.getFlags(), pa.getStorageType(),
                                                 pa.getExpressedType(), pa.getScales(),
                                                 pa.getZeroPoints(), static_cast<int32_t>(axis),
                                                 pa.getStorageTypeMin(), pa.getStorageTypeMax());
}

bool Importer::importConv(const onnx::NodeProto &n) {
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  Value w = requireFloat(lookup(n.input(1), n), n, 1);
  Value bias = hasInput(n, 2) ? requireFloat(lookup(n.input(2), n), n, 2) : Value();
  auto outType = typeOf(n.output(0), &n);
  if (!x || !w || (hasInput(n, 2) && !bias) || !outType)
    return false;
  Value conv = buildConv(n, *outType, x, w, bias);
  if (!conv)
    return false;
  define(n, 0, conv);
  return true;
}

bool Importer::importPool(const onnx::NodeProto &n, bool isMax) {
  // MaxPool also runs on quantized values (QOperator models pool uint8 tensors directly).
  Value x = lookup(n.input(0), n);
  if (x && !(isMax && isa<quant::QuantizedType>(cast<RankedTensorType>(x.getType()).getElementType())))
    x = requireFloat(x, n, 0);
  auto outType = typeOf(n.output(0), &n);
  if (!x || !outType)
    return false;
  Value r = buildPool(n, isMax, x, outType->getShape());
  if (!r)
    return false;
  define(n, 0, r);
  return true;
}

Value Importer::buildPool(const onnx::NodeProto &n, bool isMax, Value x,
                          ArrayRef<int64_t> outShape) {
  Location loc = nodeLoc(n);
  auto outType = RankedTensorType::get(outShape,
                                       cast<RankedTensorType>(x.getType()).getElementType());
  if (n.output_size() > 1 && !n.output(1).empty()) {
    nodeError(n) << "the Indices output of MaxPool is not supported";
    return {};
  }
  auto xShape = cast<RankedTensorType>(x.getType()).getShape();
  auto kernel = attrInts(n, "kernel_shape", {});
  if (xShape.size() != 4 || kernel.size() != 2) {
    nodeError(n) << "only 2-D pooling (rank-4 NCHW input, 2 kernel dimensions) is supported";
    return {};
  }
  auto strides = attrInts(n, "strides", {1, 1});
  auto dilations = attrInts(n, "dilations", {1, 1});
  if (attrInt(n, "storage_order", 0) != 0) {
    nodeError(n) << "storage_order=1 (column-major indices) is not supported";
    return {};
  }
  if (!isMax && llvm::any_of(dilations, [](int64_t d) { return d != 1; })) {
    nodeError(n) << "AveragePool with dilations other than 1 is not supported";
    return {};
  }
  auto pads = resolvePads(n, xShape.drop_front(2), kernel, strides, dilations);
  if (!pads) {
    nodeError(n) << "unsupported auto_pad '" << attrString(n, "auto_pad", "") << "'";
    return {};
  }
  bool ceil = attrInt(n, "ceil_mode", 0) != 0;
  Value r;
  if (isMax)
    r = b.create<mlir::qcc::MaxPoolOp>(loc, outType, x, b.getDenseI64ArrayAttr(kernel),
                                 b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
                                 b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(ceil));
  else
    r = b.create<mlir::qcc::AvgPoolOp>(loc, outType, x, b.getDenseI64ArrayAttr(kernel),
                                 b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
                                 b.getBoolAttr(ceil),
                                 b.getBoolAttr(attrInt(n, "count_include_pad", 0) != 0));
  return r;
}

std::optional<Type> Importer::quantTypeFromParams(const onnx::NodeProto &n, int scaleIdx,
                                                  int zpIdx, int64_t axis, int64_t rank,
                                                  int64_t axisDim, int32_t storageOnnxType) {
  const onnx::TensorProto *scaleT = constantTensor(n.input(scaleIdx));
  if (!scaleT) {
    nodeError(n) << "the scale '" << n.input(scaleIdx)
                 << "' must be a constant (initializer or Constant node)";
    return std::nullopt;
  }
  std::vector<double> scales, zps;
  if (scaleT->data_type() != onnx::TensorProto::FLOAT || !readTensor(*scaleT, scales)) {
    nodeError(n) << "the scale has type " << onnxTypeName(scaleT->data_type())
                 << ", which is not supported; supported: float32";
    return std::nullopt;
  }
  if (hasInput(n, zpIdx)) {
    const onnx::TensorProto *zpT = constantTensor(n.input(zpIdx));
    if (!zpT) {
      nodeError(n) << "the zero point '" << n.input(zpIdx)
                   << "' must be a constant (initializer or Constant node)";
      return std::nullopt;
    }
    if (!readTensor(*zpT, zps)) {
      nodeError(n) << "the zero point has type " << onnxTypeName(zpT->data_type())
                   << ", which is not supported; supported: uint8, int8 (and int32 for "
                      "DequantizeLinear)";
      return std::nullopt;
    }
    storageOnnxType = zpT->data_type();
  } else {
    zps.assign(scales.size(), 0.0);
  }
  if (zps.size() != scales.size()) {
    nodeError(n) << "scale and zero point have different sizes (" << scales.size() << " vs "
                 << zps.size() << ")";
    return std::nullopt;
  }
  unsigned flags = 0, width = 8;
  int64_t qmin, qmax;
  switch (storageOnnxType) {
  case onnx::TensorProto::UINT8: qmin = 0; qmax = 255; break;
  case onnx::TensorProto::INT8: flags = quant::QuantizationFlags::Signed; qmin = -128; qmax = 127; break;
  case onnx::TensorProto::INT32:
    flags = quant::QuantizationFlags::Signed; width = 32;
    qmin = std::numeric_limits<int32_t>::min(); qmax = std::numeric_limits<int32_t>::max();
    break;
  default:
    nodeError(n) << "quantized type " << onnxTypeName(storageOnnxType)
                 << " is not supported; supported: uint8, int8 (and int32 for DequantizeLinear)";
    return std::nullopt;
  }
  for (double s : scales)
    if (!(s > 0) || !std::isfinite(s)) {
      nodeError(n) << "scales must be positive and finite, found " << s;
      return std::nullopt;
    }
  Type storage = b.getIntegerType(width);
  // One scale is per tensor, whatever its rank (PyTorch exports 1-element tensors).
  if (scales.size() == 1)
    return quant::UniformQuantizedType::getChecked(
        nodeLoc(n), flags, storage, b.getF32Type(), scales[0], static_cast<int64_t>(zps[0]),
        qmin, qmax);
  if (scaleT->dims_size() != 1 || (int64_t)scales.size() != axisDim) {
    nodeError(n) << "per-axis scale has " << scales.size() << " elements, but axis " << axis
                 << " has size " << axisDim << " (blocked quantization is not supported)";
    return std::nullopt;
  }
  SmallVector<int64_t> zpInts;
  for (double z : zps)
    zpInts.push_back(static_cast<int64_t>(z));
  return quant::UniformQuantizedPerAxisType::getChecked(nodeLoc(n), flags, storage,
                                                        b.getF32Type(), scales, zpInts,
                                                        static_cast<int32_t>(axis), qmin, qmax);
}

bool Importer::importQuantizeLinear(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  if (attrInt(n, "block_size", 0) != 0) {
    nodeError(n) << "blocked quantization (block_size) is not supported";
    return false;
  }
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  if (!x)
    return false;
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t rank = xType.getRank(), axis = attrInt(n, "axis", 1);
  if (axis < 0)
    axis += rank;
  int64_t axisDim = (axis >= 0 && axis < rank) ? xType.getDimSize(axis) : 1;
  auto qt = quantTypeFromParams(n, 1, 2, axis, rank, axisDim, onnx::TensorProto::UINT8);
  if (!qt)
    return false;
  if (cast<quant::QuantizedType>(*qt).getStorageTypeIntegralWidth() != 8) {
    nodeError(n) << "QuantizeLinear to " << cast<quant::QuantizedType>(*qt).getStorageTypeIntegralWidth()
                 << "-bit integers is not supported; supported: uint8, int8";
    return false;
  }
  define(n, 0,
         b.create<mlir::qcc::QuantizeOp>(loc, RankedTensorType::get(xType.getShape(), *qt), x));
  return true;
}

bool Importer::importDequantizeLinear(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  if (attrInt(n, "block_size", 0) != 0) {
    nodeError(n) << "blocked quantization (block_size) is not supported";
    return false;
  }
  Value x = lookup(n.input(0), n);
  if (!x)
    return false;
  auto xType = cast<RankedTensorType>(x.getType());
  int32_t onnxType = rawOnnxType(x, n.input(0));
  if (onnxType != onnx::TensorProto::UINT8 && onnxType != onnx::TensorProto::INT8 &&
      onnxType != onnx::TensorProto::INT32) {
    nodeError(n) << "input must be uint8, int8 or int32, not " << onnxTypeName(onnxType);
    return false;
  }
  int64_t rank = xType.getRank(), axis = attrInt(n, "axis", 1);
  if (axis < 0)
    axis += rank;
  int64_t axisDim = (axis >= 0 && axis < rank) ? xType.getDimSize(axis) : 1;
  auto qt = quantTypeFromParams(n, 1, 2, axis, rank, axisDim, onnxType);
  if (!qt)
    return false;
  Value q = asQuant(x, *qt, loc);
  define(n, 0,
         b.create<mlir::qcc::DequantizeOp>(loc, RankedTensorType::get(xType.getShape(), b.getF32Type()),
                                     q));
  return true;
}

/// The ONNX element type of an integer value: from its quantized type, its initializer, or
/// shape inference.
int32_t Importer::rawOnnxType(Value v, const std::string &name) {
  Type et = cast<RankedTensorType>(v.getType()).getElementType();
  if (auto qt = dyn_cast<quant::QuantizedType>(et))
    return qt.getStorageTypeIntegralWidth() == 32 ? onnx::TensorProto::INT32
           : qt.isSigned()                        ? onnx::TensorProto::INT8
                                                  : onnx::TensorProto::UINT8;
  if (et.isInteger(32))
    return onnx::TensorProto::INT32;
  if (et.isInteger(8)) {
    if (const onnx::TensorProto *t = constantTensor(name))
      return t->data_type();
    if (auto it = valueTypes.find(name); it != valueTypes.end())
      return it->second.tensor_type().elem_type();
    return onnx::TensorProto::UINT8;
  }
  return et.isF32() ? onnx::TensorProto::FLOAT : onnx::TensorProto::UNDEFINED;
}

/// Input `valueIdx` of a QOperator node as a quantized value. With scaleIdx < 0 (the
/// *Integer ops) the scale is 1 and the zero point, if given, comes from input zpIdx.
Value Importer::quantizedOperand(const onnx::NodeProto &n, int valueIdx, int scaleIdx,
                                 int zpIdx, int64_t axis) {
  Value v = lookup(n.input(valueIdx), n);
  if (!v)
    return {};
  auto t = cast<RankedTensorType>(v.getType());
  int32_t onnxType = rawOnnxType(v, n.input(valueIdx));
  if (onnxType != onnx::TensorProto::UINT8 && onnxType != onnx::TensorProto::INT8) {
    nodeError(n) << "input " << valueIdx << " ('" << n.input(valueIdx) << "') must be uint8 or int8, not "
                 << onnxTypeName(onnxType);
    return {};
  }
  int64_t axisDim = axis < t.getRank() ? t.getDimSize(axis) : 1;
  std::optional<Type> qt;
  if (scaleIdx >= 0) {
    qt = quantTypeFromParams(n, scaleIdx, zpIdx, axis, t.getRank(), axisDim, onnxType);
  } else {
    std::vector<double> zps = {0.0};
    if (hasInput(n, zpIdx)) {
      const onnx::TensorProto *zpT = constantTensor(n.input(zpIdx));
      if (!zpT || !readTensor(*zpT, zps) || zps.empty()) {
        nodeError(n) << "the zero point '" << n.input(zpIdx)
                     << "' must be a constant (initializer or Constant node)";
        return {};
      }
    }
    bool isSigned = onnxType == onnx::TensorProto::INT8;
    unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
    int64_t qmin = isSigned ? -128 : 0, qmax = isSigned ? 127 : 255;
    if (zps.size() == 1) {
      qt = quant::UniformQuantizedType::get(flags, b.getIntegerType(8), b.getF32Type(), 1.0,
                                            static_cast<int64_t>(zps[0]), qmin, qmax);
    } else if ((int64_t)zps.size() == axisDim) {
      SmallVector<double> scales(zps.size(), 1.0);
      SmallVector<int64_t> zpInts(zps.begin(), zps.end());
      qt = quant::UniformQuantizedPerAxisType::get(flags, b.getIntegerType(8), b.getF32Type(),
                                                   scales, zpInts, static_cast<int32_t>(axis),
                                                   qmin, qmax);
    } else {
      nodeError(n) << "zero point has " << zps.size() << " elements; expected 1 or " << axisDim;
      return {};
    }
  }
  if (!qt)
    return {};
  return asQuant(v, *qt, nodeLoc(n));
}

/// QLinearConv / QLinearMatMul: the integer op (int32 accumulator, plus the int32 bias of
/// QLinearConv) and a requantize to y's parameters.
bool Importer::importQLinearConvOrMatMul(const onnx::NodeProto &n, bool isConv) {
  Location loc = nodeLoc(n);
  auto outType = typeOf(n.output(0), &n);
  if (!outType)
    return false;
  Value x = quantizedOperand(n, 0, 1, 2, 1);
  Value wRaw = lookup(n.input(3), n);
  if (!x || !wRaw)
    return false;
  int64_t wRank = cast<RankedTensorType>(wRaw.getType()).getRank();
  Value w = quantizedOperand(n, 3, 4, 5, isConv ? 0 : wRank - 1);
  if (!w)
    return false;
  auto xt = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(x.getType()).getElementType());
  if (!xt) {
    nodeError(n) << "per-axis quantization of the first input is not supported";
    return false;
  }
  int32_t yOnnxType = rawOnnxType(x, n.input(0));
  if (hasInput(n, 7))
    if (const onnx::TensorProto *t = constantTensor(n.input(7)))
      yOnnxType = t->data_type();
  int64_t outRank = outType->getRank();
  auto yq = quantTypeFromParams(n, 6, 7, 1, outRank, 1, yOnnxType);
  if (!yq)
    return false;
  if (!isa<quant::UniformQuantizedType>(*yq)) {
    nodeError(n) << "the output must be quantized per tensor";
    return false;
  }
  auto wqt = cast<quant::QuantizedType>(cast<RankedTensorType>(w.getType()).getElementType());
  Type accElement = mlir::qcc::getAccumulatorType(xt, wqt, isConv ? 1 : outRank - 1);
  auto accType = RankedTensorType::get(outType->getShape(), accElement);
  Value acc;
  if (isConv) {
    Value bias;
    if (hasInput(n, 8)) {
      Value raw = lookup(n.input(8), n);
      if (!raw)
        return false;
      bias = asQuant(raw, biasTypeFor(accElement, 0), loc);
    }
    acc = buildConv(n, accType, x, w, bias);
    if (!acc)
      return false;
  } else {
    acc = b.create<mlir::qcc::MatMulOp>(loc, accType, x, w);
  }
  define(n, 0,
         b.create<mlir::qcc::RequantizeOp>(loc, RankedTensorType::get(outType->getShape(), *yq),
                                           acc, DenseF32ArrayAttr(), IntegerAttr(), IntegerAttr()));
  return true;
}

/// ConvInteger / MatMulInteger: the int32 accumulator itself (scale 1), wrapping on
/// overflow like the ONNX reference.
bool Importer::importIntegerConvOrMatMul(const onnx::NodeProto &n, bool isConv) {
  Location loc = nodeLoc(n);
  auto outType = typeOf(n.output(0), &n);
  if (!outType)
    return false;
  Value x = quantizedOperand(n, 0, -1, 2, 1);
  Value wRaw = lookup(n.input(1), n);
  if (!x || !wRaw)
    return false;
  int64_t wRank = cast<RankedTensorType>(wRaw.getType()).getRank();
  Value w = quantizedOperand(n, 1, -1, 3, isConv ? 0 : wRank - 1);
  if (!w)
    return false;
  auto xt = dyn_cast<quant::UniformQuantizedType>(
      cast<RankedTensorType>(x.getType()).getElementType());
  if (!xt) {
    nodeError(n) << "a per-row zero point for the first input is not supported";
    return false;
  }
  auto wqt = cast<quant::QuantizedType>(cast<RankedTensorType>(w.getType()).getElementType());
  auto accType = RankedTensorType::get(
      outType->getShape(), mlir::qcc::getAccumulatorType(xt, wqt, isConv ? 1 : outType->getRank() - 1));
  if (isConv) {
    Value conv = buildConv(n, accType, x, w, Value());
    if (!conv)
      return false;
    define(n, 0, conv);
  } else {
    define(n, 0, b.create<mlir::qcc::MatMulOp>(loc, accType, x, w));
  }
  return true;
}

bool Importer::importMicrosoftOp(const onnx::NodeProto &n) {
  Location loc = nodeLoc(n);
  const std::string &op = n.op_type();
  auto outType = typeOf(n.output(0), &n);
  if (!outType)
    return false;
  int64_t rank = outType->getRank();
  auto resultQuant = [&](int scaleIdx, int zpIdx, Value like) -> std::optional<Type> {
    int32_t onnxType = hasInput(n, zpIdx) && constantTensor(n.input(zpIdx))
                           ? constantTensor(n.input(zpIdx))->data_type()
                           : rawOnnxType(like, n.input(0));
    return quantTypeFromParams(n, scaleIdx, zpIdx, 1, rank, 1, onnxType);
  };
  auto withElement = [&](Type e) { return RankedTensorType::get(outType->getShape(), e); };
  auto floatOf = [&](Value q) {
    return b.create<mlir::qcc::DequantizeOp>(
        loc, RankedTensorType::get(cast<RankedTensorType>(q.getType()).getShape(), b.getF32Type()), q);
  };

  if (op == "QLinearAdd" || op == "QLinearMul") {
    Value a = quantizedOperand(n, 0, 1, 2, 0), bq = quantizedOperand(n, 3, 4, 5, 0);
    if (!a || !bq)
      return false;
    auto yq = resultQuant(6, 7, a);
    if (!yq)
      return false;
    if (op == "QLinearAdd") {
      define(n, 0, b.create<mlir::qcc::AddOp>(loc, withElement(*yq), a, bq));
    } else {
      // dequantize, multiply, quantize: qcc-fold-fake-quant makes it an integer qcc.mul.
      Value prod = b.create<mlir::qcc::MulOp>(loc, withElement(b.getF32Type()), floatOf(a), floatOf(bq));
      define(n, 0, b.create<mlir::qcc::QuantizeOp>(loc, withElement(*yq), prod));
    }
    return true;
  }
  if (op == "QLinearSigmoid") {
    Value x = quantizedOperand(n, 0, 1, 2, 0);
    auto yq = x ? resultQuant(3, 4, x) : std::nullopt;
    if (!yq)
      return false;
    Value s = b.create<mlir::qcc::SigmoidOp>(loc, withElement(b.getF32Type()), floatOf(x));
    define(n, 0, b.create<mlir::qcc::QuantizeOp>(loc, withElement(*yq), s));
    return true;
  }
  // QLinearGlobalAveragePool and QLinearAveragePool: (x, x_scale, x_zp, y_scale, y_zp), NCHW.
  auto poolOperands = [&](Value &x) -> std::optional<Type> {
    if (attrInt(n, "channels_last", 0) != 0) {
      nodeError(n) << "channels_last=1 is not supported";
      return std::nullopt;
    }
    x = quantizedOperand(n, 0, 1, 2, 0);
    return x ? resultQuant(3, 4, x) : std::nullopt;
  };
  if (op == "QLinearGlobalAveragePool") {
    Value x;
    auto yq = poolOperands(x);
    if (!yq)
      return false;
    auto xt = cast<quant::UniformQuantizedType>(cast<RankedTensorType>(x.getType()).getElementType());
    auto shape = cast<RankedTensorType>(x.getType()).getShape();
    int64_t count = shape[2] * shape[3];
    auto accType = quant::UniformQuantizedType::get(
        quant::QuantizationFlags::Signed, b.getI32Type(), b.getF32Type(),
        static_cast<double>(static_cast<float>(xt.getScale())) / static_cast<double>(count), 0,
        std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
    Value acc = b.create<mlir::qcc::GlobalAvgPoolOp>(loc, withElement(accType), x);
    float m = ::qcc::averageRequantScale(static_cast<float>(xt.getScale()),
                                         static_cast<float>(cast<quant::UniformQuantizedType>(*yq).getScale()),
                                         count);
    define(n, 0, b.create<mlir::qcc::RequantizeOp>(loc, withElement(*yq), acc,
                                                   b.getDenseF32ArrayAttr({m}), IntegerAttr(),
                                                   IntegerAttr()));
    return true;
  }
  if (op == "QLinearAveragePool") {
    Value x;
    auto yq = poolOperands(x);
    if (!yq)
      return false;
    // dequantize, average, quantize: qcc-fold-fake-quant makes it an integer qcc.avg_pool.
    Value pool = buildPool(n, false, floatOf(x), outType->getShape());
    if (!pool)
      return false;
    define(n, 0, b.create<mlir::qcc::QuantizeOp>(loc, withElement(*yq), pool));
    return true;
  }
  if (op == "QLinearConcat") {
    SmallVector<Value> inputs;
    for (int i = 2; i < n.input_size(); i += 3) {
      Value x = quantizedOperand(n, i, i + 1, i + 2, 0);
      if (!x)
        return false;
      inputs.push_back(x);
    }
    if (inputs.empty()) {
      nodeError(n) << "has no inputs to concatenate";
      return false;
    }
    auto yq = resultQuant(0, 1, inputs[0]);
    if (!yq)
      return false;
    for (Value &x : inputs)
      if (cast<RankedTensorType>(x.getType()).getElementType() != *yq)
        x = b.create<mlir::qcc::RequantizeOp>(
            loc, RankedTensorType::get(cast<RankedTensorType>(x.getType()).getShape(), *yq), x,
            DenseF32ArrayAttr(), IntegerAttr(), IntegerAttr());
    int64_t axis = attrInt(n, "axis", 0);
    if (axis < 0)
      axis += rank;
    define(n, 0, b.create<mlir::qcc::ConcatOp>(loc, withElement(*yq), inputs, b.getI64IntegerAttr(axis)));
    return true;
  }
  if (op == "QGemm") {
    if (attrFloat(n, "alpha", 1.f) != 1.f || attrInt(n, "transA", 0) != 0) {
      nodeError(n) << "only alpha = 1 and transA = 0 are supported";
      return false;
    }
    bool transB = attrInt(n, "transB", 0) != 0;
    Value a = quantizedOperand(n, 0, 1, 2, 0);
    Value bq = quantizedOperand(n, 3, 4, 5, transB ? 0 : 1);
    if (!a || !bq)
      return false;
    auto at = dyn_cast<quant::UniformQuantizedType>(cast<RankedTensorType>(a.getType()).getElementType());
    if (!at) {
      nodeError(n) << "A must be quantized per tensor";
      return false;
    }
    Type accElement = mlir::qcc::getAccumulatorType(
        at, cast<quant::QuantizedType>(cast<RankedTensorType>(bq.getType()).getElementType()), 1);
    Value c;
    if (hasInput(n, 6)) {
      Value raw = lookup(n.input(6), n);
      if (!raw)
        return false;
      c = asQuant(raw, biasTypeFor(accElement, cast<RankedTensorType>(raw.getType()).getRank() - 1),
                  loc);
    }
    Value acc = b.create<mlir::qcc::GemmOp>(loc, withElement(accElement), a, bq, c,
                                            b.getBoolAttr(false), b.getBoolAttr(transB),
                                            b.getF32FloatAttr(1.f), b.getF32FloatAttr(1.f));
    if (!hasInput(n, 7)) { // float output
      define(n, 0, floatOf(acc));
      return true;
    }
    auto yq = resultQuant(7, 8, a);
    if (!yq)
      return false;
    define(n, 0, b.create<mlir::qcc::RequantizeOp>(loc, withElement(*yq), acc, DenseF32ArrayAttr(),
                                                   IntegerAttr(), IntegerAttr()));
    return true;
  }
  nodeError(n) << "unsupported com.microsoft op";
  return false;
}

bool Importer::importNode(const onnx::NodeProto &n) {
  const std::string &op = n.op_type();
  Location loc = nodeLoc(n);
  if (isMicrosoftDomain(n))
    return importMicrosoftOp(n);
  if (!n.domain().empty() && n.domain() != "ai.onnx") {
    nodeError(n) << "unsupported op: qcc supports only the default ONNX domain and com.microsoft";
    return false;
  }
  auto unary = [&](auto build) -> bool {
    Value x = requireFloat(lookup(n.input(0), n), n, 0);
    auto t = typeOf(n.output(0), &n);
    if (!x || !t)
      return false;
    define(n, 0, build(x, *t));
    return true;
  };
  auto binary = [&](auto tag) -> bool {
    using OpTy = decltype(tag);
    Value x = requireFloat(lookup(n.input(0), n), n, 0);
    Value y = requireFloat(lookup(n.input(1), n), n, 1);
    auto t = typeOf(n.output(0), &n);
    if (!x || !y || !t)
      return false;
    define(n, 0, b.create<OpTy>(loc, *t, x, y));
    return true;
  };
  // A view that only changes the shape: the result type says what.
  auto reshapeTo = [&]() -> bool {
    Value x = lookup(n.input(0), n);
    auto t = typeOf(n.output(0), &n);
    if (!x || !t)
      return false;
    auto xt = cast<RankedTensorType>(x.getType());
    define(n, 0, b.create<mlir::qcc::ReshapeOp>(loc, RankedTensorType::get(t->getShape(), xt.getElementType()), x));
    return true;
  };

  if (op == "Conv")
    return importConv(n);
  if (op == "MatMul")
    return binary(mlir::qcc::MatMulOp());
  if (op == "Gemm") {
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
  if (op == "Add")
    return binary(mlir::qcc::AddOp());
  if (op == "Sub")
    return binary(mlir::qcc::SubOp());
  if (op == "Mul")
    return binary(mlir::qcc::MulOp());
  if (op == "Div")
    return binary(mlir::qcc::DivOp());
  if (op == "Relu")
    return unary([&](Value x, RankedTensorType t) { return b.create<mlir::qcc::ReluOp>(loc, t, x); });
  if (op == "Clip") {
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
    return unary([&](Value x, RankedTensorType t) {
      return b.create<mlir::qcc::ClampOp>(loc, t, x, b.getF32FloatAttr(lo), b.getF32FloatAttr(hi));
    });
  }
  if (op == "Sigmoid")
    return unary([&](Value x, RankedTensorType t) { return b.create<mlir::qcc::SigmoidOp>(loc, t, x); });
  if (op == "Tanh")
    return unary([&](Value x, RankedTensorType t) { return b.create<mlir::qcc::TanhOp>(loc, t, x); });
  if (op == "HardSwish")
    return unary([&](Value x, RankedTensorType t) { return b.create<mlir::qcc::HardSwishOp>(loc, t, x); });
  if (op == "Softmax")
    return unary([&](Value x, RankedTensorType t) {
      return b.create<mlir::qcc::SoftmaxOp>(loc, t, x, b.getI64IntegerAttr(attrInt(n, "axis", -1)));
    });
  if (op == "BatchNormalization") {
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
           b.create<mlir::qcc::BatchNormOp>(loc, *t, in[0], in[1], in[2], in[3], in[4],
                                      b.getF32FloatAttr(attrFloat(n, "epsilon", 1e-5f))));
    return true;
  }
  if (op == "MaxPool")
    return importPool(n, true);
  if (op == "AveragePool")
    return importPool(n, false);
  if (op == "GlobalAveragePool")
    return unary(
        [&](Value x, RankedTensorType t) { return b.create<mlir::qcc::GlobalAvgPoolOp>(loc, t, x); });
  if (op == "Reshape") {
    if (attrInt(n, "allowzero", 0) != 0) {
      // allowzero only changes the meaning of 0 in the shape; the inferred result type
      // already reflects it.
    }
    return reshapeTo();
  }
  if (op == "Flatten" || op == "Squeeze" || op == "Unsqueeze")
    return reshapeTo();
  if (op == "Transpose") {
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
           b.create<mlir::qcc::TransposeOp>(loc, RankedTensorType::get(t->getShape(), xt.getElementType()),
                                      x, b.getDenseI64ArrayAttr(perm)));
    return true;
  }
  if (op == "Concat") {
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
  if (op == "Identity" || op == "Dropout") {
    if (op == "Dropout" && n.output_size() > 1 && !n.output(1).empty()) {
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
  if (op == "Constant") {
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
  if (op == "QuantizeLinear")
    return importQuantizeLinear(n);
  if (op == "QLinearConv")
    return importQLinearConvOrMatMul(n, /*isConv=*/true);
  if (op == "QLinearMatMul")
    return importQLinearConvOrMatMul(n, /*isConv=*/false);
  if (op == "ConvInteger")
    return importIntegerConvOrMatMul(n, /*isConv=*/true);
  if (op == "MatMulInteger")
    return importIntegerConvOrMatMul(n, /*isConv=*/false);
  if (op == "DequantizeLinear")
    return importDequantizeLinear(n);

  nodeError(n) << "unsupported op (model opset " << opset << "); qcc supports, in the default "
               << "ONNX domain: " << supportedOpList();
  return false;
}

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
  if (!parse(contents) || !readOpset() || !validateGraph() || !checkSupportedOps() ||
      !checkOpsets())
    return nullptr;
  for (auto &t : *model.mutable_graph()->mutable_initializer())
    if (!loadExternalData(t))
      return nullptr;
  if (!checkElementTypes() || !pinAndCheckInputs() || !inferShapes())
    return nullptr;
  const auto &g = model.graph();
  for (const auto &t : g.initializer())
    initializers[t.name()] = &t;

  // Graph inputs that are not initializers become the function's arguments.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames, argDtypes;
  for (const auto &in : g.input()) {
    if (initializers.count(in.name()))
      continue;
    auto t = typeOf(in.name(), nullptr);
    if (!t)
      return nullptr;
    argTypes.push_back(*t);
    argNames.push_back(in.name());
    argDtypes.push_back(onnxTypeName(in.type().tensor_type().elem_type()));
  }

  // Owned from the start: every early return below erases it.
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  auto func = b.create<func::FuncOp>(fileLoc, "main_graph", b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = entry->getArgument(i);
    func.setArgAttr(i, "qcc.name", b.getStringAttr(name));
    func.setArgAttr(i, "qcc.dtype", b.getStringAttr(argDtypes[i]));
  }
  b.setInsertionPointToStart(entry);

  for (const auto &n : g.node()) {
    Operation *last = entry->empty() ? nullptr : &entry->back();
    bool ok = importNode(n) && verifyNodeOps(n, entry, last);
    if (!ok)
      for (const auto &o : n.output())
        failedValues.insert(o);
  }
  if (numErrors)
    return nullptr;

  SmallVector<Value> results;
  SmallVector<std::string> outNames, outDtypes;
  for (const auto &out : g.output()) {
    Value v = values.count(out.name()) ? values[out.name()] : Value();
    if (!v && constantTensor(out.name()))
      v = materializeInitializer(*constantTensor(out.name()), fileLoc);
    if (!v) {
      error() << "graph output '" << out.name() << "' is not produced by any node";
      return nullptr;
    }
    results.push_back(asStorage(v, fileLoc));
    outNames.push_back(out.name());
    int32_t et = out.type().tensor_type().elem_type();
    if (auto it = valueTypes.find(out.name()); it != valueTypes.end())
      et = it->second.tensor_type().elem_type();
    outDtypes.push_back(onnxTypeName(et));
  }
  b.create<func::ReturnOp>(fileLoc, results);
  func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, name] : llvm::enumerate(outNames)) {
    func.setResultAttr(i, "qcc.name", b.getStringAttr(name));
    func.setResultAttr(i, "qcc.dtype", b.getStringAttr(outDtypes[i]));
  }
  func->setAttr("qcc.entry", b.getUnitAttr());
  func->setAttr("qcc.num_inputs", b.getI64IntegerAttr(argTypes.size()));
  func->setAttr("qcc.num_outputs", b.getI64IntegerAttr(results.size()));
  (*module)->setAttr("qcc.opset", b.getI64IntegerAttr(opset));
  if (failed(mlir::verify(*module))) {
    return nullptr;
  }
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importONNX(llvm::StringRef contents, const ImportOptions &options,
                                 MLIRContext *context) {
  Importer importer(context, options);
  return importer.run(contents);
}

} // namespace qcc
