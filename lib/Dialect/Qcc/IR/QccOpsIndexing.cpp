//===- QccOpsIndexing.cpp - verifiers of the selecting and indexing ops ---===//
//
// argmax, reduce_mean, topk, gather, gather_nd, detection_postprocess and
// non_max_suppression: ops whose results are chosen elements or their indices.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "VerifyUtils.h"

#include "mlir/Dialect/Quant/QuantTypes.h"

using namespace mlir;
using namespace mlir::qcc;

LogicalResult ArgMaxOp::verify() {
  auto in = getInput().getType();
  int64_t rank = in.getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (auto q = dyn_cast<quant::QuantizedType>(in.getElementType());
      q && !isa<quant::UniformQuantizedType>(q))
    return emitOpError("expects a per-tensor quantized or f32 operand");
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      expected.push_back(in.getDimSize(d));
    else if (getKeepdims())
      expected.push_back(1);
  return verifyExpectedShape(*this, expected);
}

LogicalResult ReduceMeanOp::verify() {
  auto in = getInput().getType();
  SmallVector<int64_t> expected;
  int64_t last = -1;
  for (int64_t a : getAxes()) {
    if (a <= last || a >= in.getRank())
      return emitOpError("axes must be increasing and below the rank ") << in.getRank();
    last = a;
  }
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (!llvm::is_contained(getAxes(), d))
      expected.push_back(in.getDimSize(d));
  return verifyExpectedShape(*this, expected);
}

LogicalResult TopKOp::verify() {
  auto in = getInput().getType();
  int64_t rank = in.getRank(), axis = getAxis(), k = getK();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (k < 1 || k > in.getDimSize(axis))
    return emitOpError("k = ") << k << " must be in [1, " << in.getDimSize(axis) << "]";
  if (getValues().getType().getElementType() != in.getElementType())
    return emitOpError("values must have the input's element type");
  if (isa<quant::QuantizedType>(in.getElementType()) &&
      !isa<quant::UniformQuantizedType>(in.getElementType()))
    return emitOpError("expects a per-tensor quantized or f32 operand");
  SmallVector<int64_t> shape(in.getShape());
  shape[axis] = k;
  if (getValues().getType().getShape() != ArrayRef<int64_t>(shape) ||
      getIndices().getType().getShape() != ArrayRef<int64_t>(shape))
    return emitOpError("results must be ") << shapeStr(shape);
  return success();
}

LogicalResult GatherOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  auto idx = getIndices().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ");
  int64_t rank = in.getRank(), axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (isa<quant::QuantizedType>(in.getElementType()) &&
      !isa<quant::UniformQuantizedType>(in.getElementType()))
    return emitOpError("expects a per-tensor quantized, f32 or integer operand");
  SmallVector<int64_t> expected(in.getShape().take_front(axis));
  llvm::append_range(expected, idx.getShape());
  llvm::append_range(expected, in.getShape().drop_front(axis + 1));
  return verifyExpectedShape(*this, expected);
}

LogicalResult GatherNDOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  auto idx = getIndices().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ");
  if (isa<quant::QuantizedType>(in.getElementType()) &&
      !isa<quant::UniformQuantizedType>(in.getElementType()))
    return emitOpError("expects a per-tensor quantized, f32 or integer operand");
  int64_t b = getBatchDims(), q = idx.getRank();
  if (q < 1)
    return emitOpError("indices need rank 1 or more");
  int64_t k = idx.getDimSize(q - 1);
  if (b < 0 || b >= q || b + k > in.getRank() || k < 1)
    return emitOpError("batch_dims ") << b << " and tuples of " << k
                                      << " do not fit an input of rank " << in.getRank()
                                      << " and indices of rank " << q;
  for (int64_t d = 0; d < b; ++d)
    if (in.getDimSize(d) != idx.getDimSize(d))
      return emitOpError("batch dimension ") << d << " differs between input and indices";
  SmallVector<int64_t> expected(idx.getShape().drop_back());
  llvm::append_range(expected, in.getShape().drop_front(b + k));
  return verifyExpectedShape(*this, expected);
}

LogicalResult DetectionPostProcessOp::verify() {
  auto bt = getBoxes().getType(), st = getScores().getType(), at = getAnchors().getType();
  if (bt.getRank() != 3 || bt.getDimSize(0) != 1 || bt.getDimSize(2) < 4)
    return emitOpError("boxes must be 1 x N x K with K >= 4");
  int64_t n = bt.getDimSize(1);
  if (st.getRank() != 3 || st.getDimSize(0) != 1 || st.getDimSize(1) != n)
    return emitOpError("scores must be 1 x ") << n << " x C";
  if (at.getRank() != 2 || at.getDimSize(0) != n || at.getDimSize(1) != 4)
    return emitOpError("anchors must be ") << n << " x 4";
  int64_t c = st.getDimSize(2), classes = getNumClasses();
  if (classes < 1 || classes > c || c - classes > 1)
    return emitOpError("num_classes ") << classes << " does not fit " << c
                                       << " score columns (at most one background column)";
  int64_t m = getMaxDetections();
  if (m < 1 || (!getUseRegularNms() && getMaxClassesPerDetection() != 1))
    return emitOpError("needs max_detections >= 1 and, for the fast NMS, "
                       "max_classes_per_detection = 1");
  if (getUseRegularNms() && getDetectionsPerClass() < 1)
    return emitOpError("needs detections_per_class >= 1");
  float iou = getIouThreshold().convertToFloat();
  if (!(iou > 0.f && iou <= 1.f))
    return emitOpError("iou_threshold must be in (0, 1]");
  auto expect = [&](Value v, ArrayRef<int64_t> shape) {
    return cast<RankedTensorType>(v.getType()).getShape() == shape;
  };
  if (!expect(getDetectionBoxes(), {1, m, 4}) || !expect(getDetectionClasses(), {1, m}) ||
      !expect(getDetectionScores(), {1, m}) || !expect(getNumDetections(), {1}))
    return emitOpError("results must be 1 x ") << m << " x 4, 1 x " << m << ", 1 x " << m
                                               << " and 1";
  return success();
}

LogicalResult NonMaxSuppressionOp::verify() {
  auto bt = getBoxes().getType(), st = getScores().getType();
  if (bt.getRank() != 3 || bt.getDimSize(2) != 4 || st.getRank() != 3 ||
      st.getDimSize(0) != bt.getDimSize(0) || st.getDimSize(2) != bt.getDimSize(1))
    return emitOpError("needs boxes B x N x 4 and scores B x C x N");
  int64_t m = getMaxOutputBoxesPerClass();
  if (m < 1 || m > bt.getDimSize(1))
    return emitOpError("max_output_boxes_per_class must be in [1, N]");
  if (getCenterPointBox() != 0 && getCenterPointBox() != 1)
    return emitOpError("center_point_box must be 0 or 1");
  int64_t rows = bt.getDimSize(0) * st.getDimSize(1) * m;
  if (getSelectedIndices().getType().getShape() != ArrayRef<int64_t>{rows, 3})
    return emitOpError("result must be ") << rows << " x 3";
  return success();
}

