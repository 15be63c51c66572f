//===- Importer.h - the ONNX importer's state and steps ----------*- C++ -*-===//
//
// Internal to lib/Import/ONNX. One Importer reads one model; its steps live in one file per
// concern:
//   Loader.cpp          parsing, opsets, external data, input shapes, element types
//   Validate.cpp        qcc's structural checks, before libonnx sees the model
//   ShapeInference.cpp  ONNX's shape inference (guarded) and the com.microsoft shapes
//   Tensors.cpp         types, constants and quantized operands
//   OpTable.cpp         op type -> import function (and the supported-op lists), simple ops
//   ConvPool.cpp, QuantOps.cpp, MicrosoftOps.cpp, DataMovement.cpp   the other ops' import
//   ONNXImporter.cpp    the driver: run() and importONNX()
//
//===----------------------------------------------------------------------===//
#ifndef QCC_LIB_IMPORT_ONNX_IMPORTER_H
#define QCC_LIB_IMPORT_ONNX_IMPORTER_H

#include "qcc/Import/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSet.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::qcc::onnx_import {

using namespace mlir;

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
bool importerReadsNewerAttribute(llvm::StringRef op, llvm::StringRef attr);

/// The node is in ONNX Runtime's contrib domain (com.microsoft).
bool isMicrosoftDomain(const onnx::NodeProto &n);
/// The importer has an import function for the node's domain and op type (OpTable.cpp).
bool isSupportedOp(const onnx::NodeProto &n);
/// "Add, AveragePool, ...": the supported ops of the default domain, sorted.
std::string supportedOpList();
/// The supported ops of com.microsoft, sorted.
std::string supportedMicrosoftOpList();

/// "float32", "uint8", ... for an ONNX TensorProto data type.
const char *onnxTypeName(int32_t t);
/// "an int", "a list of ints", ... for an attribute type.
const char *attrTypeName(onnx::AttributeProto::AttributeType t);

// Attribute access: the attribute, or the default when the node does not set it.
const onnx::AttributeProto *findAttr(const onnx::NodeProto &n, llvm::StringRef name);
int64_t attrInt(const onnx::NodeProto &n, llvm::StringRef name, int64_t dflt);
float attrFloat(const onnx::NodeProto &n, llvm::StringRef name, float dflt);
std::string attrString(const onnx::NodeProto &n, llvm::StringRef name, llvm::StringRef dflt);
SmallVector<int64_t> attrInts(const onnx::NodeProto &n, llvm::StringRef name,
                              ArrayRef<int64_t> dflt);
/// The weight's input index of a convolution (Conv, ConvInteger, ConvTranspose: 1;
/// QLinearConv: 3); -1 for other ops.
int convWeightIndex(const onnx::NodeProto &n);
/// Input i is present (optional inputs may be given as "").
bool hasInput(const onnx::NodeProto &n, int i);

/// Explicit pads [top, left, bottom, right] for a 2-D window, honouring auto_pad.
std::optional<SmallVector<int64_t>> resolvePads(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                                                ArrayRef<int64_t> kernel,
                                                ArrayRef<int64_t> strides,
                                                ArrayRef<int64_t> dilations);

class Importer {
public:
  Importer(MLIRContext *ctx, const ImportOptions &opts)
      : ctx(ctx), opts(opts), b(ctx), fileLoc(FileLineColLoc::get(ctx, opts.fileName, 0, 0)) {}

  OwningOpRef<ModuleOp> run(llvm::StringRef contents);

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
  /// Opset 18 forms that qcc's opset-17 schemas do not know, rewritten to their opset-13
  /// equivalents where the meaning is the same (Loader.cpp).
  bool rewriteOpset18Forms();
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
  bool importConvTranspose(const onnx::NodeProto &n);
  std::optional<RankedTensorType> floatConvOperands(const onnx::NodeProto &n, Value &x, Value &w,
                                                    Value &bias);
  /// 1-D window ops as 2-D ones (ConvPool.cpp): a unit dimension before the last, and
  /// back.
  Value insertUnitDim(Value v, Location loc);
  Value dropUnitDim(Value v, Location loc);
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

  // --- op import (OpTable.cpp dispatches by op type) -------------------------
  bool importUnaryWith(const onnx::NodeProto &n,
                       function_ref<Value(Value, RankedTensorType)> build);
  bool importBinaryWith(const onnx::NodeProto &n,
                        function_ref<Value(Value, Value, RankedTensorType)> build);
  /// A float op of one operand, `OpTy(x)` with the inferred result type.
  template <typename OpTy>
  bool importUnary(const onnx::NodeProto &n) {
    Location loc = nodeLoc(n);
    return importUnaryWith(
        n, [&](Value x, RankedTensorType t) -> Value { return b.create<OpTy>(loc, t, x); });
  }
  /// A float op of two operands, `OpTy(x, y)` with the inferred result type.
  template <typename OpTy>
  bool importBinary(const onnx::NodeProto &n) {
    Location loc = nodeLoc(n);
    return importBinaryWith(n, [&](Value x, Value y, RankedTensorType t) -> Value {
      return b.create<OpTy>(loc, t, x, y);
    });
  }
  bool importGemm(const onnx::NodeProto &n);
  bool importClip(const onnx::NodeProto &n);
  bool importSoftmax(const onnx::NodeProto &n);
  bool importLeakyRelu(const onnx::NodeProto &n);
  bool importMaxMin(const onnx::NodeProto &n);
  // ShapeFolding.cpp
  /// Evaluates a shape computation node whose inputs are constants (Shape of a static
  /// shape, ConstantOfShape, integer arithmetic, ...) and records its output as a constant;
  /// `folded` says whether it did. False after reporting a node that cannot be right.
  /// `quiet`: a Shape of a still unknown shape is left alone instead of reported.
  bool foldShapeComputation(const onnx::NodeProto &n, bool &folded, bool quiet = false);
  /// Folds every shape computation of the graph before the import (see ShapeFolding.cpp).
  bool foldShapeGraph();
  bool hasStaticShape(const std::string &name);
  /// Shape, Size, ConstantOfShape, Range: reached only when folding was impossible.
  bool importFoldedOnly(const onnx::NodeProto &n);
  // DataMovement.cpp
  bool constantInts(const onnx::NodeProto &n, int i, const char *what, SmallVector<int64_t> &out);
  bool importPad(const onnx::NodeProto &n);
  bool importSlice(const onnx::NodeProto &n);
  bool importSplit(const onnx::NodeProto &n);
  bool importArgMax(const onnx::NodeProto &n);
  bool importGather(const onnx::NodeProto &n);
  bool importGatherND(const onnx::NodeProto &n);
  bool importCast(const onnx::NodeProto &n);
  bool importNonMaxSuppression(const onnx::NodeProto &n);
  bool importTopK(const onnx::NodeProto &n);
  bool nmsParameters(const onnx::NodeProto &n, int64_t &maxOut, float &iou,
                     std::optional<float> &score, bool report);
  bool importReduceMean(const onnx::NodeProto &n);
  bool importResize(const onnx::NodeProto &n);
  bool importBatchNormalization(const onnx::NodeProto &n);
  bool importReshape(const onnx::NodeProto &n);
  bool importTranspose(const onnx::NodeProto &n);
  bool importConcat(const onnx::NodeProto &n);
  bool importIdentity(const onnx::NodeProto &n);
  bool importConstant(const onnx::NodeProto &n);
  bool importMaxPool(const onnx::NodeProto &n) { return importPool(n, /*isMax=*/true); }
  bool importAveragePool(const onnx::NodeProto &n) { return importPool(n, /*isMax=*/false); }
  bool importQLinearConv(const onnx::NodeProto &n) {
    return importQLinearConvOrMatMul(n, /*isConv=*/true);
  }
  bool importQLinearMatMul(const onnx::NodeProto &n) {
    return importQLinearConvOrMatMul(n, /*isConv=*/false);
  }
  bool importConvInteger(const onnx::NodeProto &n) {
    return importIntegerConvOrMatMul(n, /*isConv=*/true);
  }
  bool importMatMulInteger(const onnx::NodeProto &n) {
    return importIntegerConvOrMatMul(n, /*isConv=*/false);
  }
  bool importIntegerWithRuntimeZeroPoints(const onnx::NodeProto &n, bool isConv,
                                          RankedTensorType outType);
  bool importDynamicQuantizeLinear(const onnx::NodeProto &n);
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
  /// Output shapes qcc fixes where ONNX's are data dependent (NonMaxSuppression).
  std::map<std::string, std::vector<int64_t>> pinnedShapes;
  std::map<std::string, Value> values;
  llvm::StringSet<> failedValues; // outputs of nodes that could not be imported
};

} // namespace mlir::qcc::onnx_import

#endif // QCC_LIB_IMPORT_ONNX_IMPORTER_H
