//===- Detection.cpp - detection_postprocess ------------------------------===//
//
// qcc.detection_postprocess (TFLite_Detection_PostProcess) as static code; the fast NMS:
//   1. one generic over the anchors decodes the boxes into four corner vectors;
//   2. one reduction over the classes gives each anchor its best score and class;
//   3. an scf.for over the M output slots carries the scores still live (-inf once
//      selected, suppressed or below the threshold): each iteration takes the first
//      largest live score (a reduction), writes its slot (zeros once nothing is live) and
//      suppresses the anchors whose IoU with it exceeds the threshold (one generic).
// Taking the first maximum each time selects what TFLite's stable sort followed by its
// greedy pass selects, in the same order. O(M x N) work, no allocation at run time. The
// regular (per-class) NMS runs the same selection per class and merges (lowerRegular).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

#include <limits>
#include <tuple>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

/// The first largest element of a 1-D f32 tensor (a reduction to two scalars: strictly
/// larger replaces, so ties keep the lower index): its value and its index.
std::pair<Value, Value> firstMax(OpBuilder &b, Location loc, Value live) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  auto scalar = [&](Type t, Value init) {
    Value e = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{}, t);
    return b.create<linalg::FillOp>(loc, init, e).getResult(0);
  };
  AffineMap toScalar = AffineMap::get(1, 0, {}, ctx);
  auto pick = b.create<linalg::GenericOp>(
      loc, TypeRange{RankedTensorType::get({}, f32), RankedTensorType::get({}, i32)},
      ValueRange{live},
      ValueRange{scalar(f32, f32Const(b, loc, -std::numeric_limits<float>::infinity())),
                 scalar(i32, b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(0)))},
      SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(1, ctx), toScalar, toScalar},
      SmallVector<utils::IteratorType>{utils::IteratorType::reduction},
      [&](OpBuilder &pb, Location pl, ValueRange v) {
        Value take = pb.create<arith::CmpFOp>(pl, arith::CmpFPredicate::OGT, v[0], v[1]);
        Value k = pb.create<arith::IndexCastOp>(pl, i32, pb.create<linalg::IndexOp>(pl, 0));
        pb.create<linalg::YieldOp>(pl, ValueRange{pb.create<arith::SelectOp>(pl, take, v[0], v[1]),
                                                  pb.create<arith::SelectOp>(pl, take, k, v[2])});
      });
  Value score = b.create<tensor::ExtractOp>(loc, pick.getResult(0), ValueRange{});
  Value index = b.create<arith::IndexCastOp>(
      loc, b.getIndexType(), b.create<tensor::ExtractOp>(loc, pick.getResult(1), ValueRange{}));
  return {score, index};
}

/// `live` with -inf at `anchor` and at the anchors whose intersection over union with the
/// box `sel` (its four corners) exceeds `iouThreshold`: TFLite's
/// ComputeIntersectionOverUnion in f32 (0 when either area is not positive).
Value suppress(OpBuilder &b, Location loc, ArrayRef<Value> corner, Value live,
               ArrayRef<Value> sel, Value anchor, float iouThreshold) {
  MLIRContext *ctx = b.getContext();
  AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{live.getType()}, ValueRange{corner[0], corner[1], corner[2], corner[3]},
      ValueRange{live}, SmallVector<AffineMap>(5, id1),
      SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
      [&](OpBuilder &sb, Location sl, ValueRange v) {
        auto sub = [&](Value x, Value y) { return sb.create<arith::SubFOp>(sl, x, y).getResult(); };
        auto mulf = [&](Value x, Value y) { return sb.create<arith::MulFOp>(sl, x, y).getResult(); };
        auto maxf = [&](Value x, Value y) { return sb.create<arith::MaximumFOp>(sl, x, y).getResult(); };
        auto minf = [&](Value x, Value y) { return sb.create<arith::MinimumFOp>(sl, x, y).getResult(); };
        Value fzero = f32Const(sb, sl, 0.f);
        Value areaI = mulf(sub(sel[2], sel[0]), sub(sel[3], sel[1]));
        Value areaJ = mulf(sub(v[2], v[0]), sub(v[3], v[1]));
        Value inter = mulf(maxf(sub(minf(sel[2], v[2]), maxf(sel[0], v[0])), fzero),
                           maxf(sub(minf(sel[3], v[3]), maxf(sel[1], v[1])), fzero));
        Value iou = sb.create<arith::DivFOp>(
            sl, inter, sub(sb.create<arith::AddFOp>(sl, areaI, areaJ), inter));
        Value degenerate = sb.create<arith::OrIOp>(
            sl, sb.create<arith::CmpFOp>(sl, arith::CmpFPredicate::OLE, areaI, fzero),
            sb.create<arith::CmpFOp>(sl, arith::CmpFPredicate::OLE, areaJ, fzero));
        iou = sb.create<arith::SelectOp>(sl, degenerate, fzero, iou);
        Value over = sb.create<arith::CmpFOp>(sl, arith::CmpFPredicate::OGT, iou,
                                              f32Const(sb, sl, iouThreshold));
        Value self = sb.create<arith::CmpIOp>(sl, arith::CmpIPredicate::eq,
                                              sb.create<linalg::IndexOp>(sl, 0), anchor);
        Value drop = sb.create<arith::OrIOp>(sl, over, self);
        sb.create<linalg::YieldOp>(
            sl, ValueRange{sb.create<arith::SelectOp>(
                    sl, drop, f32Const(sb, sl, -std::numeric_limits<float>::infinity()), v[4])});
      });
  return generic.getResult(0);
}

/// One output slot of TFLite_Detection_PostProcess: the anchor's four corners, its class
/// (an i32, written as f32) and score, zeros where not `valid`; the count grows by `valid`.
/// Returns the updated boxes, classes, scores and count, and the corners read.
struct Slot {
  Value boxes, classes, scores, count;
  SmallVector<Value> corners;
};

Slot writeSlot(OpBuilder &b, Location loc, ArrayRef<Value> corner, Value slot, Value anchor,
               Value cls, Value score, Value valid, Value boxes, Value classes, Value scores,
               Value count) {
  Value zero = f32Const(b, loc, 0.f), c0 = b.create<arith::ConstantIndexOp>(loc, 0);
  auto orZero = [&](Value v) { return b.create<arith::SelectOp>(loc, valid, v, zero).getResult(); };
  Slot out;
  out.boxes = boxes;
  for (int k = 0; k < 4; ++k) {
    out.corners.push_back(b.create<tensor::ExtractOp>(loc, corner[k], ValueRange{anchor}));
    out.boxes = b.create<tensor::InsertOp>(
        loc, orZero(out.corners.back()), out.boxes,
        ValueRange{c0, slot, b.create<arith::ConstantIndexOp>(loc, k)});
  }
  Value clsF = b.create<arith::SIToFPOp>(loc, b.getF32Type(), cls);
  out.classes = b.create<tensor::InsertOp>(loc, orZero(clsF), classes, ValueRange{c0, slot});
  out.scores = b.create<tensor::InsertOp>(loc, orZero(score), scores, ValueRange{c0, slot});
  out.count = b.create<arith::AddIOp>(loc, count,
                                      b.create<arith::ExtUIOp>(loc, b.getI32Type(), valid));
  return out;
}

struct DetectionPostProcessLowering : OpConversionPattern<DetectionPostProcessOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(DetectionPostProcessOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores(),
          anchors = adaptor.getAnchors();
    auto st = cast<RankedTensorType>(scores.getType());
    int64_t n = st.getDimSize(1), c = st.getDimSize(2);
    int64_t classes = static_cast<int64_t>(op.getNumClasses());
    int64_t offset = c - classes, m = static_cast<int64_t>(op.getMaxDetections());
    Type f32 = b.getF32Type(), f64 = b.getF64Type(), i32 = b.getI32Type();
    auto idx = [&](OpBuilder &nb, Location nl, int64_t v) {
      return nb.create<arith::ConstantIndexOp>(nl, v).getResult();
    };
    auto d64 = [&](OpBuilder &nb, Location nl, double v) {
      return nb.create<arith::ConstantOp>(nl, nb.getF64FloatAttr(v)).getResult();
    };
    auto vecType = RankedTensorType::get({n}, f32);
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    SmallVector<utils::IteratorType> par1 = {utils::IteratorType::parallel};

    // 1. Decoding, as TFLite's DecodeCenterSizeBoxes: f64 arithmetic rounded to f32 (the
    // exponential in f32: the object calls no libm).
    float ys = op.getYScale().convertToFloat(), xs = op.getXScale().convertToFloat();
    float hs = op.getHScale().convertToFloat(), ws = op.getWScale().convertToFloat();
    SmallVector<Value> inits;
    for (int k = 0; k < 4; ++k)
      inits.push_back(emptyTensor(b, loc, {n}, f32));
    auto decode = b.create<linalg::GenericOp>(
        loc, TypeRange(SmallVector<Type>(4, vecType)), ValueRange{}, inits,
        SmallVector<AffineMap>(4, id1), par1, [&](OpBuilder &nb, Location nl, ValueRange) {
          Value i = nb.create<linalg::IndexOp>(nl, 0);
          auto box = [&](int64_t k) {
            Value v = nb.create<tensor::ExtractOp>(nl, boxes, ValueRange{idx(nb, nl, 0), i,
                                                                         idx(nb, nl, k)});
            return nb.create<arith::ExtFOp>(nl, f64, v).getResult();
          };
          auto anchor = [&](int64_t k) {
            Value v = nb.create<tensor::ExtractOp>(nl, anchors, ValueRange{i, idx(nb, nl, k)});
            return nb.create<arith::ExtFOp>(nl, f64, v).getResult();
          };
          auto mul = [&](Value x, Value y) { return nb.create<arith::MulFOp>(nl, x, y).getResult(); };
          auto div = [&](Value x, double y) {
            return nb.create<arith::DivFOp>(nl, x, d64(nb, nl, static_cast<double>(static_cast<float>(y))))
                .getResult();
          };
          auto add = [&](Value x, Value y) { return nb.create<arith::AddFOp>(nl, x, y).getResult(); };
          auto toF32 = [&](Value x) { return nb.create<arith::TruncFOp>(nl, f32, x).getResult(); };
          Value ah = anchor(2), aw = anchor(3);
          Value yc = toF32(add(mul(div(box(0), ys), ah), anchor(0)));
          Value xc = toF32(add(mul(div(box(1), xs), aw), anchor(1)));
          auto half = [&](Value e, double scale, Value a) {
            Value q = nb.create<arith::TruncFOp>(nl, f32, div(e, scale));
            Value ex = nb.create<arith::ExtFOp>(nl, f64, nb.create<math::ExpOp>(nl, q).getResult());
            return toF32(mul(mul(d64(nb, nl, 0.5), ex), a));
          };
          Value hh = half(box(2), hs, ah), hw = half(box(3), ws, aw);
          nb.create<linalg::YieldOp>(
              nl, ValueRange{nb.create<arith::SubFOp>(nl, yc, hh), nb.create<arith::SubFOp>(nl, xc, hw),
                             nb.create<arith::AddFOp>(nl, yc, hh), nb.create<arith::AddFOp>(nl, xc, hw)});
        });
    SmallVector<Value> corner(decode.getResults());
    if (op.getUseRegularNms())
      return lowerRegular(op, b, corner, scores);

    // 2. Best class per anchor: the first maximum over the non-background columns; the
    // live score is it when at least the threshold, else -inf.
    Value negInf = f32Const(b, loc, -std::numeric_limits<float>::infinity());
    Value threshold = f32Const(b, loc, op.getScoreThreshold().convertToFloat());
    Value bestInit = filledWith(b, loc, {n}, negInf);
    Value classInit = filledWith(b, loc, {n}, b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(0)));
    auto classSlice = b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get({n, classes}, f32), scores, ValueRange{},
        ValueRange{}, ValueRange{}, b.getDenseI64ArrayAttr({0, 0, offset}),
        b.getDenseI64ArrayAttr({1, n, classes}), b.getDenseI64ArrayAttr({1, 1, 1}));
    AffineMap rows = AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, ctx);
    auto best = b.create<linalg::GenericOp>(
        loc, TypeRange{vecType, RankedTensorType::get({n}, i32)}, ValueRange{classSlice},
        ValueRange{bestInit, classInit},
        SmallVector<AffineMap>{AffineMap::getMultiDimIdentityMap(2, ctx), rows, rows},
        SmallVector<utils::IteratorType>{utils::IteratorType::parallel,
                                         utils::IteratorType::reduction},
        [&](OpBuilder &nb, Location nl, ValueRange v) {
          Value take = nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OGT, v[0], v[1]);
          Value k = nb.create<arith::IndexCastOp>(nl, i32, nb.create<linalg::IndexOp>(nl, 1));
          nb.create<linalg::YieldOp>(nl, ValueRange{nb.create<arith::SelectOp>(nl, take, v[0], v[1]),
                                                    nb.create<arith::SelectOp>(nl, take, k, v[2])});
        });
    Value bestScore = best.getResult(0), bestClass = best.getResult(1);
    Value live = buildElementwise(b, loc, ValueRange{bestScore}, vecType,
                                  [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                                    Value keep = nb.create<arith::CmpFOp>(
                                        nl, arith::CmpFPredicate::OGE, v[0], threshold);
                                    return nb.create<arith::SelectOp>(nl, keep, v[0], negInf);
                                  });

    // 3. Greedy selection, one output slot per iteration.
    Value zero = f32Const(b, loc, 0.f);
    Value outBoxes = filledWith(b, loc, {1, m, 4}, zero);
    Value outClasses = filledWith(b, loc, {1, m}, zero);
    Value outScores = filledWith(b, loc, {1, m}, zero);
    Value count0 = b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(0));
    float iouThreshold = op.getIouThreshold().convertToFloat();
    auto loop = b.create<scf::ForOp>(
        loc, idx(b, loc, 0), idx(b, loc, m), idx(b, loc, 1),
        ValueRange{live, outBoxes, outClasses, outScores, count0},
        [&](OpBuilder &nb, Location nl, Value slot, ValueRange carried) {
          Value liveNow = carried[0];
          // The first largest live score and its anchor.
          Value score, anchor;
          std::tie(score, anchor) = firstMax(nb, nl, liveNow);
          Value valid = nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OGT, score, negInf);
          // Its slot: corners, class, score (zeros once nothing is live).
          Value cls = nb.create<tensor::ExtractOp>(nl, bestClass, ValueRange{anchor});
          Slot out = writeSlot(nb, nl, corner, slot, anchor, cls, score, valid, carried[1],
                               carried[2], carried[3], carried[4]);
          SmallVector<Value> sel = out.corners;
          Value suppressed = suppress(nb, nl, corner, liveNow, sel, anchor, iouThreshold);
          nb.create<scf::YieldOp>(
              nl, ValueRange{suppressed, out.boxes, out.classes, out.scores, out.count});
        });
    Value count = b.create<arith::SIToFPOp>(loc, f32, loop.getResult(4));
    Value num = b.create<tensor::FromElementsOp>(loc, RankedTensorType::get({1}, f32),
                                                 ValueRange{count});
    b.replaceOp(op, ValueRange{loop.getResult(1), loop.getResult(2), loop.getResult(3), num});
    return success();
  }

  /// TFLite's regular NMS (NonMaxSuppressionMultiClassRegularHelper): for each class, the
  /// single-class greedy selection on that class's column (at most detections_per_class,
  /// stopping when nothing is live), merged into the running list of the max_detections
  /// best (decreasing score; the earlier class first on equal scores, where TFLite's
  /// partial sort leaves the order open). Then each kept entry writes its anchor's box.
  static LogicalResult lowerRegular(DetectionPostProcessOp op, ConversionPatternRewriter &b,
                                    ArrayRef<Value> corner, Value scores) {
    Location loc = op.getLoc();
    auto st = cast<RankedTensorType>(scores.getType());
    int64_t n = st.getDimSize(1), c = st.getDimSize(2);
    int64_t classes = static_cast<int64_t>(op.getNumClasses());
    int64_t offset = c - classes, m = static_cast<int64_t>(op.getMaxDetections());
    int64_t perClass = static_cast<int64_t>(op.getDetectionsPerClass());
    Type f32 = b.getF32Type(), i32 = b.getI32Type();
    auto idx = [](OpBuilder &nb, Location nl, int64_t v) {
      return nb.create<arith::ConstantIndexOp>(nl, v).getResult();
    };
    auto i32c = [](OpBuilder &nb, Location nl, int64_t v) {
      return nb.create<arith::ConstantOp>(nl, nb.getI32IntegerAttr(v)).getResult();
    };
    float negInfF = -std::numeric_limits<float>::infinity();
    Value negInf = f32Const(b, loc, negInfF);
    float threshold = op.getScoreThreshold().convertToFloat();
    float iouThreshold = op.getIouThreshold().convertToFloat();
    auto vecType = RankedTensorType::get({n}, f32);

    Value topS0 = filledWith(b, loc, {m}, negInf);
    Value topA0 = filledWith(b, loc, {m}, i32c(b, loc, 0));
    Value topC0 = filledWith(b, loc, {m}, i32c(b, loc, 0));
    auto classLoop = b.create<scf::ForOp>(
        loc, idx(b, loc, 0), idx(b, loc, classes), idx(b, loc, 1),
        ValueRange{topS0, topA0, topC0},
        [&](OpBuilder &nb, Location nl, Value cls, ValueRange top) {
          // This class's live scores: at least the threshold, else -inf.
          Value column = nb.create<arith::AddIOp>(nl, cls, idx(nb, nl, offset));
          Value live = buildElementwise(
              nb, nl, ValueRange{}, vecType, [&](OpBuilder &eb, Location el, ValueRange) -> Value {
                Value i = eb.create<linalg::IndexOp>(el, 0);
                Value v = eb.create<tensor::ExtractOp>(el, scores, ValueRange{idx(eb, el, 0), i, column});
                Value keep = eb.create<arith::CmpFOp>(el, arith::CmpFPredicate::OGE, v,
                                                      f32Const(eb, el, threshold));
                return eb.create<arith::SelectOp>(el, keep, v, f32Const(eb, el, negInfF));
              });
          // Single-class greedy selection, at most perClass, in decreasing score order.
          Value selS0 = filledWith(nb, nl, {perClass}, f32Const(nb, nl, negInfF));
          Value selA0 = filledWith(nb, nl, {perClass}, i32c(nb, nl, 0));
          Value done0 = nb.create<arith::ConstantOp>(nl, nb.getBoolAttr(false));
          auto select = nb.create<scf::ForOp>(
              nl, idx(nb, nl, 0), idx(nb, nl, perClass), idx(nb, nl, 1),
              ValueRange{live, selS0, selA0, done0},
              [&](OpBuilder &lb, Location ll, Value slot, ValueRange carried) {
                auto ifOp = lb.create<scf::IfOp>(
                    ll, carried[3],
                    [&](OpBuilder &tb, Location tl) { tb.create<scf::YieldOp>(tl, carried); },
                    [&](OpBuilder &eb, Location el) {
                      auto [score, anchor] = firstMax(eb, el, carried[0]);
                      Value valid = eb.create<arith::CmpFOp>(el, arith::CmpFPredicate::OGT, score,
                                                             f32Const(eb, el, negInfF));
                      Value selS = eb.create<tensor::InsertOp>(el, score, carried[1], ValueRange{slot});
                      Value anchor32 = eb.create<arith::IndexCastOp>(el, i32, anchor);
                      Value selA = eb.create<tensor::InsertOp>(el, anchor32, carried[2], ValueRange{slot});
                      SmallVector<Value> sel;
                      for (int k = 0; k < 4; ++k)
                        sel.push_back(eb.create<tensor::ExtractOp>(el, corner[k], ValueRange{anchor}));
                      Value next = suppress(eb, el, corner, carried[0], sel, anchor, iouThreshold);
                      Value done = eb.create<arith::XOrIOp>(
                          el, valid, eb.create<arith::ConstantOp>(el, eb.getBoolAttr(true)));
                      eb.create<scf::YieldOp>(el, ValueRange{next, selS, selA, done});
                    });
                lb.create<scf::YieldOp>(ll, ifOp.getResults());
              });
          Value selS = select.getResult(1), selA = select.getResult(2);
          // Merge two lists in decreasing order into the m best.
          Value cls32 = nb.create<arith::IndexCastOp>(nl, i32, cls);
          auto merge = nb.create<scf::ForOp>(
              nl, idx(nb, nl, 0), idx(nb, nl, m), idx(nb, nl, 1),
              ValueRange{filledWith(nb, nl, {m}, f32Const(nb, nl, negInfF)),
                         filledWith(nb, nl, {m}, i32c(nb, nl, 0)),
                         filledWith(nb, nl, {m}, i32c(nb, nl, 0)), idx(nb, nl, 0), idx(nb, nl, 0)},
              [&](OpBuilder &mb, Location ml, Value k, ValueRange carried) {
                Value i = carried[3], j = carried[4];
                Value jIn = mb.create<arith::CmpIOp>(ml, arith::CmpIPredicate::ult, j,
                                                     idx(mb, ml, perClass));
                Value jSafe = mb.create<arith::SelectOp>(ml, jIn, j, idx(mb, ml, 0));
                Value a = mb.create<tensor::ExtractOp>(ml, top[0], ValueRange{i});
                Value bS = mb.create<arith::SelectOp>(
                    ml, jIn, mb.create<tensor::ExtractOp>(ml, selS, ValueRange{jSafe}),
                    f32Const(mb, ml, negInfF));
                Value takeTop = mb.create<arith::CmpFOp>(ml, arith::CmpFPredicate::OGE, a, bS);
                Value s = mb.create<arith::SelectOp>(ml, takeTop, a, bS);
                Value an = mb.create<arith::SelectOp>(
                    ml, takeTop, mb.create<tensor::ExtractOp>(ml, top[1], ValueRange{i}),
                    mb.create<tensor::ExtractOp>(ml, selA, ValueRange{jSafe}));
                Value cl = mb.create<arith::SelectOp>(
                    ml, takeTop, mb.create<tensor::ExtractOp>(ml, top[2], ValueRange{i}), cls32);
                Value one = idx(mb, ml, 1), zeroI = idx(mb, ml, 0);
                Value nextI = mb.create<arith::AddIOp>(
                    ml, i, mb.create<arith::SelectOp>(ml, takeTop, one, zeroI));
                Value nextJ = mb.create<arith::AddIOp>(
                    ml, j, mb.create<arith::SelectOp>(ml, takeTop, zeroI, one));
                mb.create<scf::YieldOp>(
                    ml, ValueRange{mb.create<tensor::InsertOp>(ml, s, carried[0], ValueRange{k}),
                                   mb.create<tensor::InsertOp>(ml, an, carried[1], ValueRange{k}),
                                   mb.create<tensor::InsertOp>(ml, cl, carried[2], ValueRange{k}),
                                   nextI, nextJ});
              });
          // Written back into the carried lists (the merge reads them while it writes): the
          // loop keeps one buffer per list.
          SmallVector<Value> next;
          for (int k = 0; k < 3; ++k)
            next.push_back(
                nb.create<linalg::CopyOp>(nl, merge.getResult(k), top[k]).getResult(0));
          nb.create<scf::YieldOp>(nl, next);
        });
    Value topS = classLoop.getResult(0), topA = classLoop.getResult(1),
          topC = classLoop.getResult(2);

    // The outputs: each kept entry's box, class and score; zeros past the count.
    Value zero = f32Const(b, loc, 0.f);
    auto out = b.create<scf::ForOp>(
        loc, idx(b, loc, 0), idx(b, loc, m), idx(b, loc, 1),
        ValueRange{filledWith(b, loc, {1, m, 4}, zero), filledWith(b, loc, {1, m}, zero),
                   filledWith(b, loc, {1, m}, zero), i32c(b, loc, 0)},
        [&](OpBuilder &nb, Location nl, Value slot, ValueRange carried) {
          Value score = nb.create<tensor::ExtractOp>(nl, topS, ValueRange{slot});
          Value valid = nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OGT, score,
                                                 f32Const(nb, nl, negInfF));
          Value anchor = nb.create<arith::IndexCastOp>(
              nl, nb.getIndexType(), nb.create<tensor::ExtractOp>(nl, topA, ValueRange{slot}));
          Value cls = nb.create<tensor::ExtractOp>(nl, topC, ValueRange{slot});
          Slot w = writeSlot(nb, nl, corner, slot, anchor, cls, score, valid, carried[0],
                             carried[1], carried[2], carried[3]);
          nb.create<scf::YieldOp>(nl, ValueRange{w.boxes, w.classes, w.scores, w.count});
        });
    Value count = b.create<arith::SIToFPOp>(loc, f32, out.getResult(3));
    Value num = b.create<tensor::FromElementsOp>(loc, RankedTensorType::get({1}, f32),
                                                 ValueRange{count});
    b.replaceOp(op, ValueRange{out.getResult(0), out.getResult(1), out.getResult(2), num});
    return success();
  }
};

/// ONNX NonMaxSuppression: loops over batches and classes carrying the output and the
/// number of rows written; per class, the same first-max selection and IoU suppression as
/// above, with ONNX Runtime's SuppressByIOU (corners ordered per box, early outs on empty
/// intersections and non-positive areas).
struct NonMaxSuppressionLowering : OpConversionPattern<NonMaxSuppressionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(NonMaxSuppressionOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    auto bt = cast<RankedTensorType>(boxes.getType());
    auto st = cast<RankedTensorType>(scores.getType());
    int64_t nb = bt.getDimSize(0), n = bt.getDimSize(1), nc = st.getDimSize(1);
    int64_t m = static_cast<int64_t>(op.getMaxOutputBoxesPerClass());
    bool centers = op.getCenterPointBox() == 1;
    Type f32 = b.getF32Type(), i64 = b.getI64Type(), i32 = b.getI32Type();
    auto idx = [](OpBuilder &nb_, Location nl, int64_t v) {
      return nb_.create<arith::ConstantIndexOp>(nl, v).getResult();
    };
    float negInfV = -std::numeric_limits<float>::infinity();
    // Corners (x_min, x_max, y_min, y_max) of every box, B x N each.
    auto planeType = RankedTensorType::get({nb, n}, f32);
    AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
    SmallVector<Value> inits;
    for (int k = 0; k < 4; ++k)
      inits.push_back(emptyTensor(b, loc, {nb, n}, f32));
    auto corners = b.create<linalg::GenericOp>(
        loc, TypeRange(SmallVector<Type>(4, planeType)), ValueRange{}, inits,
        SmallVector<AffineMap>(4, id2),
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &g, Location gl, ValueRange) {
          Value bi = g.create<linalg::IndexOp>(gl, 0), ni = g.create<linalg::IndexOp>(gl, 1);
          auto at = [&](int64_t k) {
            return g.create<tensor::ExtractOp>(gl, boxes, ValueRange{bi, ni, idx(g, gl, k)})
                .getResult();
          };
          SmallVector<Value> r;
          if (!centers) { // [y1, x1, y2, x2]: MaxMin as ONNX Runtime (lhs >= rhs: min = rhs)
            auto minmax = [&](Value l, Value rr) {
              Value ge = g.create<arith::CmpFOp>(gl, arith::CmpFPredicate::OGE, l, rr);
              return std::pair<Value, Value>(g.create<arith::SelectOp>(gl, ge, rr, l),
                                             g.create<arith::SelectOp>(gl, ge, l, rr));
            };
            auto [x0, x1] = minmax(at(1), at(3));
            auto [y0, y1] = minmax(at(0), at(2));
            r = {x0, x1, y0, y1};
          } else { // [x_center, y_center, width, height]
            Value two = f32Const(g, gl, 2.f);
            Value hw = g.create<arith::DivFOp>(gl, at(2), two);
            Value hh = g.create<arith::DivFOp>(gl, at(3), two);
            r = {g.create<arith::SubFOp>(gl, at(0), hw), g.create<arith::AddFOp>(gl, at(0), hw),
                 g.create<arith::SubFOp>(gl, at(1), hh), g.create<arith::AddFOp>(gl, at(1), hh)};
          }
          g.create<linalg::YieldOp>(gl, r);
        });
    SmallVector<Value> cr(corners.getResults());
    int64_t rows = nb * nc * m;
    Value out0 = filledWith(b, loc, {rows, 3},
                            b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(-1)));
    Value count0 = b.create<arith::ConstantIndexOp>(loc, 0);
    std::optional<float> thr;
    if (auto a = op.getScoreThreshold())
      thr = a->convertToFloat();
    float iouThr = op.getIouThreshold().convertToFloat();
    auto vecType = RankedTensorType::get({n}, f32);
    AffineMap id1 = AffineMap::getMultiDimIdentityMap(1, ctx);
    auto outer = b.create<scf::ForOp>(
        loc, idx(b, loc, 0), idx(b, loc, nb * nc), idx(b, loc, 1), ValueRange{out0, count0},
        [&](OpBuilder &ob, Location ol, Value bc, ValueRange carried) {
          Value bi = ob.create<arith::DivUIOp>(ol, bc, idx(ob, ol, nc));
          Value ci = ob.create<arith::RemUIOp>(ol, bc, idx(ob, ol, nc));
          // Live scores: above the threshold, else -inf.
          auto live0 = ob.create<linalg::GenericOp>(
              ol, TypeRange{vecType}, ValueRange{}, ValueRange{emptyTensor(ob, ol, {n}, f32)},
              SmallVector<AffineMap>{id1},
              SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
              [&](OpBuilder &g, Location gl, ValueRange) {
                Value s = g.create<tensor::ExtractOp>(gl, scores,
                                                      ValueRange{bi, ci, g.create<linalg::IndexOp>(gl, 0)});
                if (thr) {
                  Value keep = g.create<arith::CmpFOp>(gl, arith::CmpFPredicate::OGT, s,
                                                       f32Const(g, gl, *thr));
                  s = g.create<arith::SelectOp>(gl, keep, s, f32Const(g, gl, negInfV));
                }
                g.create<linalg::YieldOp>(gl, s);
              });
          auto inner = ob.create<scf::ForOp>(
              ol, idx(ob, ol, 0), idx(ob, ol, m), idx(ob, ol, 1),
              ValueRange{live0.getResult(0), carried[0], carried[1]},
              [&](OpBuilder &nb2, Location nl, Value, ValueRange c2) {
                Value live = c2[0];
                Value score, box;
                std::tie(score, box) = firstMax(nb2, nl, live);
                Value valid = nb2.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OGT, score,
                                                        f32Const(nb2, nl, negInfV));
                // Row `count`: the triplet, or -1 (already there) when nothing is live.
                Value minus1 = nb2.create<arith::ConstantOp>(nl, nb2.getI64IntegerAttr(-1));
                auto asI64 = [&](Value v) {
                  Value x = nb2.create<arith::IndexCastOp>(nl, i64, v);
                  return nb2.create<arith::SelectOp>(nl, valid, x, minus1).getResult();
                };
                Value row = c2[2], outT = c2[1];
                outT = nb2.create<tensor::InsertOp>(nl, asI64(bi), outT, ValueRange{row, idx(nb2, nl, 0)});
                outT = nb2.create<tensor::InsertOp>(nl, asI64(ci), outT, ValueRange{row, idx(nb2, nl, 1)});
                outT = nb2.create<tensor::InsertOp>(nl, asI64(box), outT, ValueRange{row, idx(nb2, nl, 2)});
                Value next = nb2.create<arith::AddIOp>(
                    nl, row, nb2.create<arith::IndexCastOp>(
                                 nl, nb2.getIndexType(), nb2.create<arith::ExtUIOp>(nl, i32, valid)));
                SmallVector<Value> sel;
                for (int k = 0; k < 4; ++k)
                  sel.push_back(nb2.create<tensor::ExtractOp>(nl, cr[k], ValueRange{bi, box}));
                // Suppression (SuppressByIOU(selected, j)) and the selected box itself.
                auto suppress = nb2.create<linalg::GenericOp>(
                    nl, TypeRange{vecType}, ValueRange{}, ValueRange{live},
                    SmallVector<AffineMap>{id1},
                    SmallVector<utils::IteratorType>{utils::IteratorType::parallel},
                    [&](OpBuilder &g, Location gl, ValueRange v) {
                      Value j = g.create<linalg::IndexOp>(gl, 0);
                      SmallVector<Value> o;
                      for (int k = 0; k < 4; ++k)
                        o.push_back(g.create<tensor::ExtractOp>(gl, cr[k], ValueRange{bi, j}));
                      auto lt = [&](arith::CmpFPredicate p, Value a, Value c) {
                        return g.create<arith::CmpFOp>(gl, p, a, c).getResult();
                      };
                      // HelperMax / HelperMin are std::max / std::min: (a < b) ? b : a.
                      auto mx = [&](Value a, Value c) {
                        return g.create<arith::SelectOp>(gl, lt(arith::CmpFPredicate::OLT, a, c), c, a).getResult();
                      };
                      auto mn = [&](Value a, Value c) {
                        return g.create<arith::SelectOp>(gl, lt(arith::CmpFPredicate::OLT, c, a), c, a).getResult();
                      };
                      auto sub = [&](Value a, Value c) { return g.create<arith::SubFOp>(gl, a, c).getResult(); };
                      auto mul = [&](Value a, Value c) { return g.create<arith::MulFOp>(gl, a, c).getResult(); };
                      Value zero = f32Const(g, gl, 0.f);
                      Value ix0 = mx(sel[0], o[0]), ix1 = mn(sel[1], o[1]);
                      Value iy0 = mx(sel[2], o[2]), iy1 = mn(sel[3], o[3]);
                      Value inter = mul(sub(ix1, ix0), sub(iy1, iy0));
                      Value a1 = mul(sub(sel[1], sel[0]), sub(sel[3], sel[2]));
                      Value a2 = mul(sub(o[1], o[0]), sub(o[3], o[2]));
                      Value uni = sub(g.create<arith::AddFOp>(gl, a1, a2), inter);
                      Value iou = g.create<arith::DivFOp>(gl, inter, uni);
                      Value over = lt(arith::CmpFPredicate::OGT, iou, f32Const(g, gl, iouThr));
                      for (Value cond : {lt(arith::CmpFPredicate::ULE, ix1, ix0),
                                         lt(arith::CmpFPredicate::ULE, iy1, iy0),
                                         lt(arith::CmpFPredicate::ULE, inter, zero),
                                         lt(arith::CmpFPredicate::ULE, a1, zero),
                                         lt(arith::CmpFPredicate::ULE, a2, zero),
                                         lt(arith::CmpFPredicate::ULE, uni, zero)})
                        over = g.create<arith::AndIOp>(
                            gl, over, g.create<arith::XOrIOp>(gl, cond, g.create<arith::ConstantOp>(gl, g.getBoolAttr(true))));
                      Value self = g.create<arith::CmpIOp>(gl, arith::CmpIPredicate::eq, j, box);
                      Value drop = g.create<arith::OrIOp>(gl, over, self);
                      g.create<linalg::YieldOp>(
                          gl, ValueRange{g.create<arith::SelectOp>(gl, drop, f32Const(g, gl, negInfV), v[0])});
                    });
                nb2.create<scf::YieldOp>(nl, ValueRange{suppress.getResult(0), outT, next});
              });
          ob.create<scf::YieldOp>(ol, ValueRange{inner.getResult(1), inner.getResult(2)});
        });
    b.replaceOp(op, outer.getResult(0));
    return success();
  }
};

} // namespace

void mlir::qcc::lowering::populateDetectionPatterns(const TypeConverter &converter,
                                                    RewritePatternSet &patterns) {
  patterns.add<DetectionPostProcessLowering, NonMaxSuppressionLowering>(converter,
                                                                     patterns.getContext());
}
