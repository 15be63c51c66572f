//===- QccOpsDynamicQuant.cpp - verifiers of the run-time quantization ops -===//
//
// dynamic_quantize, matmul_integer, conv_integer, zero_point_correction and pad_with: the
// ops of ONNX Runtime's quantize_dynamic and TFLite's hybrid kernels, whose input zero
// points are known only at run time.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::qcc;


LogicalResult DynamicQuantizeOp::verify() {
  auto in = getInput().getType();
  if (in.getShape() != getOutput().getType().getShape())
    return emitOpError("expects the output to have the input's shape");
  StringRef scheme = getScheme();
  if (scheme != "onnx" && scheme != "symmetric" && scheme != "asymmetric")
    return emitOpError("scheme must be onnx, symmetric or asymmetric, not '") << scheme << "'";
  SmallVector<int64_t> params;
  if (scheme != "onnx") {
    if (in.getRank() < 1)
      return emitOpError("the per-batch schemes need an input of rank 1 or more");
    params.push_back(in.getDimSize(0));
  }
  if (getScale().getType().getShape() != ArrayRef<int64_t>(params) ||
      getZeroPoint().getType().getShape() != ArrayRef<int64_t>(params))
    return emitOpError("expects a scale and a zero point of shape [") << shapeStr(params) << "]";
  return success();
}

/// A zero point: a scalar (rank 0 or one element), or `perChannel` values (one per
/// output channel, or per row / batch index of the input) when that is not 0.
static LogicalResult verifyZeroPoint(Operation *op, Value zp, int64_t perChannel,
                                     const char *what) {
  auto t = cast<RankedTensorType>(zp.getType());
  if (!t.hasStaticShape() || t.getRank() > 1 ||
      (t.getNumElements() != 1 && (perChannel == 0 || t.getNumElements() != perChannel)))
    return op->emitOpError() << what << " must be a scalar"
                             << (perChannel ? " or have " + std::to_string(perChannel) + " values"
                                            : std::string());
  return success();
}

LogicalResult MatMulIntegerOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  auto a = getLhs().getType().getShape(), b = getRhs().getType().getShape();
  auto out = getOutput().getType().getShape();
  if (a.size() < 2 || b.size() != 2)
    return emitOpError("expects an lhs of rank 2 or more and a 2-D rhs");
  if (a.back() != b[0])
    return emitOpError("contracting dimensions differ: ") << a.back() << " vs " << b[0];
  SmallVector<int64_t> expected(a.drop_back());
  expected.push_back(b[1]);
  if (failed(verifyZeroPoint(*this, getLhsZeroPoint(), a.size() == 2 ? a[0] : 0,
                             "lhs_zero_point")) ||
      failed(verifyZeroPoint(*this, getRhsZeroPoint(), b[1], "rhs_zero_point")))
    return failure();
  if (ArrayRef<int64_t>(expected) != out)
    return emitOpError("expects a result of shape ") << shapeStr(expected);
  return success();
}

LogicalResult ZeroPointCorrectionOp::verify() {
  auto acc = getAcc().getType();
  if (getOutput().getType() != acc)
    return emitOpError("expects the result to have the accumulator's type");
  int64_t rank = acc.getRank(), za = getZeroPointAxis(), sa = getSumsAxis();
  if (za < 0 || za >= rank || sa < 0 || sa >= rank)
    return emitOpError("axes must lie in [0, ") << rank << ")";
  if (failed(verifyZeroPoint(*this, getZeroPoint(), acc.getDimSize(za), "zero_point")))
    return failure();
  auto sums = getSums().getType();
  if (sums.getRank() != 1 || sums.getDimSize(0) != acc.getDimSize(sa))
    return emitOpError("sums must have ") << acc.getDimSize(sa) << " values";
  return success();
}

LogicalResult PadWithOp::verify() {
  auto in = getInput().getType();
  FailureOr<SmallVector<int64_t>> expected = paddedShape(*this, getPads(), in);
  if (failed(expected) ||
      failed(verifyZeroPoint(*this, getValue(), in.getRank() > 0 ? in.getDimSize(0) : 0,
                             "value")))
    return failure();
  return verifyExpectedShape(*this, *expected);
}

LogicalResult ConvIntegerOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  auto in = getInput().getType().getShape(), w = getWeight().getType().getShape();
  if (in.size() != 4 || w.size() != 4)
    return emitOpError("expects a rank-4 NCHW input and a rank-4 OIHW weight");
  if (failed(verifyWindowAttrs(*this, getStrides(), getPads(), getDilations())))
    return failure();
  int64_t group = getGroup();
  if (in[1] % group != 0 || w[0] % group != 0 || w[1] != in[1] / group)
    return emitOpError("the weight's ") << w[0] << "x" << w[1]
                                        << " channels do not fit an input of " << in[1]
                                        << " channels in " << group << " groups";
  if (failed(verifyZeroPoint(*this, getInputZeroPoint(), in[0], "input_zero_point")) ||
      failed(verifyZeroPoint(*this, getWeightZeroPoint(), w[0], "weight_zero_point")))
    return failure();
  SmallVector<int64_t> expected = {in[0], w[0], 0, 0};
  for (int i = 0; i < 2; ++i)
    expected[2 + i] = windowOutputSize(in[2 + i], w[2 + i], getStrides()[i], getPads()[i],
                                       getPads()[2 + i], getDilations()[i], false);
  return verifyExpectedShape(*this, expected);
}

