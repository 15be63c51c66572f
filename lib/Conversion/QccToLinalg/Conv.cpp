//===- Conv.cpp - qcc.conv2d to linalg ------------------------------------===//
//
// Convolutions: the kernel strategy (filters on lanes, packed-word products, depthwise row
// blocks, channel-blocked float) and register blocks chosen from the target knobs.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/ChannelBlocks.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

struct Conv2DLowering : ModeAwareLowering<Conv2DOp> {
  Conv2DLowering(const TypeConverter &converter, MLIRContext *ctx, bool fixed,
                 int64_t vectorLanes, int64_t blockLanes, bool pairProducts,
                 bool quadProducts, bool quadUnsignedInput, bool quadPairSums16,
                 bool depthwiseRowBlocks, int64_t blockedLanes, bool scalarBlocks)
      : ModeAwareLowering(converter, ctx, fixed), vectorLanes(vectorLanes),
        blockLanes(blockLanes), pairProducts(pairProducts), quadProducts(quadProducts),
        quadUnsignedInput(quadUnsignedInput), quadPairSums16(quadPairSums16),
        depthwiseRowBlocks(depthwiseRowBlocks), blockedLanes(blockedLanes),
        scalarBlocks(scalarBlocks) {}
  /// 32-bit lanes of one SIMD register.
  int64_t vectorLanes;
  /// 32-bit accumulator lanes a register block may hold: about half the target's SIMD
  /// registers (so the block never spills).
  int64_t blockLanes;
  /// Integer filters-on-lanes convolutions multiply pairs of channels packed as 16-bit
  /// halves (PMADDWD / VPDPWSSD on x86) ...
  bool pairProducts;
  /// ... or quads of channels packed as bytes (SDOT on AArch64 with the dot product,
  /// VPDPBUSD on x86 with VNNI) ...
  bool quadProducts;
  /// ... the input's bytes unsigned (VPDPBUSD) instead of signed (SDOT).
  bool quadUnsignedInput;
  /// ... and summed by pairs in 16 bits (the SDOT emulation of qcc-arm-dot-products):
  /// |x0 w0 + x1 w1| <= 2 * 128 * 127 < 2^15 needs weights in [-127, 127].
  bool quadPairSums16;
  /// Unit-stride depthwise convolutions in blocks of one channel x rows x columns.
  bool depthwiseRowBlocks;
  /// Float convolutions on channel-blocked (NCHWc) activations with this many channels per
  /// block (0: NCHW).
  int64_t blockedLanes = 0;
  /// No SIMD register file: the blocks' vectors are core registers (Cortex-M4, M7).
  bool scalarBlocks = false;

  /// True if qcc-x86-dot-products will turn each row of this depthwise convolution's
  /// kernel columns into one VPDPBUSD (x86 VNNI; two for u8 weights): u8 input bytes, s8
  /// weights of zero point 0 or u8 weights with one zero point, at most 4 kernel columns,
  /// column stride 1 or 2.
  bool windowProducts(const Mac &mac, Conv2DOp op) const {
    auto wShape = op.getWeight().getType().getShape();
    bool weights = mac.isInteger() &&
                   (mac.w->isSigned
                        ? llvm::all_of(mac.w->zeroPoints, [](int32_t z) { return z == 0; })
                        : mac.w->zeroPoints.size() == 1);
    return quadProducts && quadUnsignedInput && weights && !mac.x->isSigned && wShape[3] <= 4 &&
           op.getStrides()[1] <= 2 && op.getDilations()[1] == 1;
  }

  /// A float convolution (regular or depthwise, constant weights) on NCHWc activations of
  /// L = blockedLanes channels per block: the output is N x ceil(F/L) x OH x OW x L, the
  /// register block a row of output columns x the L filters of 1-3 blocks (L channels of
  /// one block when depthwise), so each column's results are contiguous vectors (no
  /// transposed stores) and each reduction step reads contiguous weight vectors. The
  /// input is packed with
  /// tensor.pack (unless it has fewer than L/2 channels, as an image: read from NCHW as
  /// broadcast scalars) and the result unpacked with tensor.unpack;
  /// qcc-propagate-channel-blocks then removes the unpack/pack pairs between blocked
  /// layers. Padded channels have weight 0 and bias 0, so they hold 0 (or what an
  /// elementwise op makes of 0) and contribute nothing downstream.
  LogicalResult lowerBlocked(Conv2DOp op, OpAdaptor adaptor, ConversionPatternRewriter &b,
                             const Mac &mac, ArrayRef<int64_t> inShape,
                             ArrayRef<int64_t> wShape, ArrayRef<int64_t> outShape) const {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    int64_t g = op.getGroup(), n = inShape[0], c = inShape[1], f = wShape[0];
    int64_t kh = wShape[2], kw = wShape[3], oh = outShape[2], ow = outShape[3];
    int64_t lanes = blockedLanes;
    bool depthwise = g > 1 && g == c && g == f;
    DenseElementsAttr wConst = constantBehind(adaptor.getWeight());
    if ((g != 1 && !depthwise) || !wConst || !wConst.getElementType().isF32() ||
        mac.alpha != 1.f)
      return failure();
    DenseElementsAttr biasConst;
    if (adaptor.getBias()) {
      biasConst = constantBehind(adaptor.getBias());
      if (!biasConst || !biasConst.getElementType().isF32())
        return failure();
    }
    bool blockedIn = depthwise || 2 * c >= lanes;
    int64_t fo = (f + lanes - 1) / lanes, co = (c + lanes - 1) / lanes;
    Type f32 = b.getF32Type();

    // Weights, zero-padded to whole blocks: depthwise Co x KH x KW x L; from a blocked
    // input Fo x Co x KH x KW x L(c) x L(f); from NCHW Fo x C x KH x KW x L(f).
    SmallVector<float> wv(wConst.getValues<float>().begin(), wConst.getValues<float>().end());
    auto wAt = [&](int64_t fi, int64_t ci, int64_t y, int64_t x) -> float {
      if (fi >= f || ci >= wShape[1])
        return 0.f;
      return wv[((fi * wShape[1] + ci) * kh + y) * kw + x];
    };
    SmallVector<int64_t> wPackedShape;
    SmallVector<float> packed;
    if (depthwise) {
      wPackedShape = {co, kh, kw, lanes};
      for (int64_t cb = 0; cb < co; ++cb)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            for (int64_t l = 0; l < lanes; ++l)
              packed.push_back(wAt(cb * lanes + l, 0, y, x));
    } else if (blockedIn) {
      wPackedShape = {fo, co, kh, kw, lanes, lanes};
      for (int64_t fb = 0; fb < fo; ++fb)
        for (int64_t cb = 0; cb < co; ++cb)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              for (int64_t ci = 0; ci < lanes; ++ci)
                for (int64_t fi = 0; fi < lanes; ++fi)
                  packed.push_back(wAt(fb * lanes + fi, cb * lanes + ci, y, x));
    } else {
      wPackedShape = {fo, c, kh, kw, lanes};
      for (int64_t fb = 0; fb < fo; ++fb)
        for (int64_t ci = 0; ci < c; ++ci)
          for (int64_t y = 0; y < kh; ++y)
            for (int64_t x = 0; x < kw; ++x)
              for (int64_t fi = 0; fi < lanes; ++fi)
                packed.push_back(wAt(fb * lanes + fi, ci, y, x));
    }
    Value w = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get(wPackedShape, f32), ArrayRef(packed)));

    // The input: packed (or NCHW), then padded spatially.
    Value x = adaptor.getInput();
    if (blockedIn)
      x = ::mlir::qcc::packChannels(b, loc, x, lanes);
    auto pads = op.getPads();
    auto strides = op.getStrides(), dil = op.getDilations();
    // Register block: a row of up to 16 columns x the L channels of one block; regular
    // convolutions take 2 (or 3) filter blocks per column, so that each broadcast input
    // value feeds 2 (3) FMAs (measured: float MobileNetV2-style 7.0 -> 6.5 ms with 2, and
    // its 24 -> 144 expansions 13 % faster with 3 than with 1).
    int64_t fob = depthwise ? 1 : largestDivisor(fo, {2, 3});
    const int64_t columns[] = {16, 14, 12, 8, 7, 6, 5, 4, 3, 2};
    int64_t maxColumns = blockLanes / lanes / fob;
    int64_t owb = largestDivisor(ow, columns, maxColumns);
    // Widths without a good divisor (13, 27, 111: valid convolutions, ceil-mode pooling)
    // would make blocks of 1-3 columns: compute up to 3 more columns over extra input
    // padding if that allows blocks half as large again, and slice them off. (Not for
    // blocks of 4 or more: the slice costs a copy where a concatenation or a padded input
    // reads the result; the SqueezeNet-style net ran 5.61 -> 5.53 ms when its 55-wide
    // layers kept blocks of 5.)
    int64_t owExtra = 0;
    for (int64_t e = 1; e <= 3 && owb < ow && owb <= 3 && owb < maxColumns; ++e)
      if (int64_t wider = largestDivisor(ow + e, columns, maxColumns); 2 * wider > 3 * owb) {
        owExtra = e;
        owb = wider;
        break;
      }
    int64_t padHigh[] = {pads[2], pads[3] + owExtra * strides[1]};
    x = padSpatial(b, loc, x, pads.take_front(2), padHigh, f32Const(b, loc, 0.f));

    // The accumulator starts as the bias (0 in padded channels), broadcast over N, H, W.
    SmallVector<float> bias(fo * lanes, 0.f);
    if (biasConst)
      llvm::copy(biasConst.getValues<float>(), bias.begin());
    Value biasBlocks = b.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get({fo, lanes}, f32), ArrayRef(bias)));
    auto accType = RankedTensorType::get({n, fo, oh, ow + owExtra, lanes}, f32);
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value acc = buildElementwise(
        b, loc, biasBlocks, accType, [](OpBuilder &, Location, ValueRange a) { return a[0]; },
        AffineMap::get(5, 0, {d(1), d(4)}, ctx));

    // Loops n, fo, oh, ow, l | reductions. Summation order per output: (c blocks,) kh, kw,
    // (c within the block).
    unsigned loops = depthwise ? 7 : blockedIn ? 9 : 8;
    auto row = [&](unsigned khDim) { return d(2) * strides[0] + d(khDim) * dil[0]; };
    auto col = [&](unsigned kwDim) { return d(3) * strides[1] + d(kwDim) * dil[1]; };
    AffineMap xMap, wMap;
    if (depthwise) {
      xMap = AffineMap::get(loops, 0, {d(0), d(1), row(5), col(6), d(4)}, ctx);
      wMap = AffineMap::get(loops, 0, {d(1), d(5), d(6), d(4)}, ctx);
    } else if (blockedIn) {
      xMap = AffineMap::get(loops, 0, {d(0), d(5), row(6), col(7), d(8)}, ctx);
      wMap = AffineMap::get(loops, 0, {d(1), d(5), d(6), d(7), d(8), d(4)}, ctx);
    } else {
      xMap = AffineMap::get(loops, 0, {d(0), d(5), row(6), col(7)}, ctx);
      wMap = AffineMap::get(loops, 0, {d(1), d(5), d(6), d(7), d(4)}, ctx);
    }
    AffineMap oMap = AffineMap::get(loops, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx);
    using IT = utils::IteratorType;
    SmallVector<IT> iters(loops, IT::reduction);
    for (unsigned i = 0; i < 5; ++i)
      iters[i] = IT::parallel;
    auto conv = b.create<linalg::GenericOp>(
        loc, TypeRange{accType}, ValueRange{x, w}, ValueRange{acc},
        ArrayRef<AffineMap>{xMap, wMap, oMap}, iters,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          nb.create<linalg::YieldOp>(nl, mac(nb, nl, a[0], a[1], a[2]));
        });
    SmallVector<int64_t> sizes(loops, 1);
    sizes[1] = fob;
    sizes[3] = owb;
    sizes[4] = lanes;
    conv->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr(sizes));
    // Weights smaller than the input plane (the expansions on large maps): rows outside
    // the filter blocks, so a row of input is read from cache by every block.
    if (!depthwise && f * c * kh * kw < c * inShape[2] * inShape[3]) {
      SmallVector<int64_t> order = {0, 2, 3, 1};
      for (unsigned i = 4; i < loops; ++i)
        order.push_back(i);
      conv->setAttr(kTileInterchangeAttrName, b.getDenseI64ArrayAttr(order));
    }
    Value result = conv.getResult(0);
    if (owExtra)
      result = leadingSlice(b, loc, result, {n, fo, oh, ow, lanes});
    b.replaceOp(op, ::mlir::qcc::unpackChannels(b, loc, result, f));
    return success();
  }

  /// A depthwise convolution whose kernel columns are summed by pairs in 16 bits
  /// (Cortex-A72: MUL + MLA on 8 lanes of 16 bits, then SADDW into the accumulator, 16
  /// products per two multiplies instead of four SMLALs): the input shifted to signed bytes
  /// (x' = x - offset), the weights centered at compile time (w' = w - zw), and per output
  /// `acc + sext(x'[2j] w'[2j] + x'[2j+1] w'[2j+1])` over the pairs j of each kernel row, the
  /// odd last column paired with a weight 0 (and one more column of padding). Exact when
  /// |w'[2j]| + |w'[2j+1]| <= 255 everywhere: 128 * 255 < 2^15. The offset's term
  /// (offset - zx) * sum w' joins the bias.
  struct PairedTaps {
    SmallVector<int16_t> even, odd; // G x KH x ceil(KW/2): w' of columns 2j and 2j+1 (or 0)
    SmallVector<int64_t> sums;      // per channel: sum of w'
    int64_t offset = 0, extraColumns = 0;
  };
  std::optional<PairedTaps> pairedTaps(Conv2DOp op, const Mac &mac) const {
    auto wShape = op.getWeight().getType().getShape();
    int64_t f = wShape[0], kh = wShape[2], kw = wShape[3];
    DenseElementsAttr w = constantBehind(op.getWeight());
    if (!quadPairSums16 || !w || !mac.isInteger() || mac.x->width != 8 || mac.w->width != 8 ||
        op.getGroup() != f || wShape[1] != 1 || kw < 2 ||
        (mac.w->zeroPoints.size() != 1 && int64_t(mac.w->zeroPoints.size()) != f))
      return std::nullopt;
    PairedTaps t;
    t.offset = mac.x->isSigned ? 0 : 128;
    int64_t pairs = (kw + 1) / 2;
    t.extraColumns = (2 * pairs - kw) * op.getDilations()[1];
    SmallVector<int64_t> values = centeredWeights(w, *mac.w);
    t.sums.assign(f, 0);
    for (int64_t c = 0; c < f; ++c) {
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t j = 0; j < pairs; ++j) {
          int64_t a = values[(c * kh + y) * kw + 2 * j];
          int64_t b = 2 * j + 1 < kw ? values[(c * kh + y) * kw + 2 * j + 1] : 0;
          if (std::abs(a) + std::abs(b) > 255)
            return std::nullopt;
          t.even.push_back(int16_t(a));
          t.odd.push_back(int16_t(b));
          t.sums[c] += a + b;
        }
    }
    return t;
  }
  /// The paired-taps accumulator (N x G x 1 x OH x OW, i32) over `x` (N x G x 1 x H x W,
  /// padded), its bias included; tiled like the other depthwise convolutions.
  Value lowerPairedTaps(ConversionPatternRewriter &b, Conv2DOp op, OpAdaptor adaptor,
                        const Mac &mac, const PairedTaps &t, Value x,
                        ArrayRef<int64_t> accShape) const {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto wShape = op.getWeight().getType().getShape();
    int64_t g = wShape[0], kh = wShape[2], pairs = (wShape[3] + 1) / 2;
    int64_t zx = mac.x->zeroPoints[0];
    Value bias = biasPlusTerms(b, loc, adaptor.getBias(), g,
                               [&](int64_t c) { return (t.offset - zx) * t.sums[c]; });
    if (!bias)
      return nullptr;
    auto wType = RankedTensorType::get({g, 1, 1, kh, pairs}, b.getI16Type());
    Value even = b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(wType, ArrayRef(t.even)));
    Value odd = b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(wType, ArrayRef(t.odd)));
    auto accType = RankedTensorType::get(accShape, b.getI32Type());
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value b2 = expand(b, loc, bias, {g, 1}, {{0, 1}});
    Value acc = buildElementwise(
        b, loc, b2, accType, [](OpBuilder &, Location, ValueRange a) { return a[0]; },
        AffineMap::get(5, 0, {d(1), d(2)}, ctx));
    // Loops n, g, f, oh, ow | c, kh, j.
    auto strides = op.getStrides(), dil = op.getDilations();
    AffineExpr row = d(3) * strides[0] + d(6) * dil[0];
    AffineExpr col = d(4) * strides[1] + d(7) * (2 * dil[1]);
    // The odd columns through a view of x shifted by one dilation (a constant offset in the
    // map would be counted twice when the op is tiled).
    auto xShape = cast<RankedTensorType>(x.getType()).getShape();
    SmallVector<int64_t> shiftedShape(xShape);
    shiftedShape[4] -= dil[1];
    SmallVector<int64_t> offsets = {0, 0, 0, 0, dil[1]}, ones(5, 1);
    Value xOdd = b.create<tensor::ExtractSliceOp>(
        loc, RankedTensorType::get(shiftedShape, getElementTypeOrSelf(x.getType())), x,
        ValueRange{}, ValueRange{}, ValueRange{}, b.getDenseI64ArrayAttr(offsets),
        b.getDenseI64ArrayAttr(shiftedShape), b.getDenseI64ArrayAttr(ones));
    AffineMap xMap = AffineMap::get(8, 0, {d(0), d(1), d(5), row, col}, ctx);
    AffineMap wMap = AffineMap::get(8, 0, {d(1), d(2), d(5), d(6), d(7)}, ctx);
    AffineMap oMap = AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx);
    using IT = utils::IteratorType;
    SmallVector<IT> iters(8, IT::parallel);
    for (unsigned r : {5u, 6u, 7u})
      iters[r] = IT::reduction;
    Type i16 = b.getI16Type();
    bool isSigned = mac.x->isSigned;
    int64_t offset = t.offset;
    auto conv = b.create<linalg::GenericOp>(
        loc, TypeRange{accType}, ValueRange{x, xOdd, even, odd}, ValueRange{acc},
        ArrayRef<AffineMap>{xMap, xMap, wMap, wMap, oMap}, iters,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          auto shifted = [&](Value v) -> Value {
            Value wide = isSigned ? nb.create<arith::ExtSIOp>(nl, i16, v).getResult()
                                  : nb.create<arith::ExtUIOp>(nl, i16, v).getResult();
            if (!offset)
              return wide;
            return nb.create<arith::SubIOp>(
                nl, wide, nb.create<arith::ConstantOp>(nl, nb.getI16IntegerAttr(offset)));
          };
          Value p = nb.create<arith::AddIOp>(
              nl, nb.create<arith::MulIOp>(nl, shifted(a[0]), a[2]),
              nb.create<arith::MulIOp>(nl, shifted(a[1]), a[3]));
          Value wide = nb.create<arith::ExtSIOp>(nl, nb.getI32Type(), p);
          nb.create<linalg::YieldOp>(nl, nb.create<arith::AddIOp>(nl, a[4], wide).getResult());
        });
    // One channel per block, a few rows x a row of columns: the channel's weights are loop
    // invariant across its blocks once the kernel loops are unrolled.
    int64_t owb = largestDivisor(accShape[4], {8, 4, 2}, blockLanes / 4);
    int64_t ohb = largestDivisor(accShape[3], {4, 2}, blockLanes / owb);
    conv->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr({1, 1, 1, ohb, owb, 1, 1, 1}));
    return conv.getResult(0);
  }

  LogicalResult matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto inShape = op.getInput().getType().getShape();
    auto wShape = op.getWeight().getType().getShape();
    auto outShape = op.getOutput().getType().getShape();
    int64_t g = op.getGroup(), n = inShape[0], c = inShape[1], f = wShape[0];
    int64_t cg = c / g, fg = f / g, oh = outShape[2], ow = outShape[3];
    auto pads = op.getPads();

    Mac mac = macFor(op.getInput(), op.getWeight());
    bool window = depthwiseRowBlocks && mac.isInteger() && windowProducts(mac, op);
    if (blockedLanes > 0 && !mac.isInteger() && !op.getAccumulator() &&
        succeeded(lowerBlocked(op, adaptor, b, mac, inShape, wShape, outShape)))
      return success();
    // Depthwise rows whose width is not a multiple of the register's lanes (56, 28, 14 and 7
    // in a MobileNet, with 16 lanes) would be partial or odd vectors (7 lanes, assembled lane
    // by lane): compute a few extra columns over extra input padding instead, and keep the
    // first ow. Up to a quarter more columns for full registers (unit stride: a strided
    // row would widen its padded input, the largest buffer live there, by twice as much);
    // else to a multiple of 8. Not on targets without a vector register file
    // (scalarBlocks: the Cortex-M4 and M7), where a row is computed a column at a time
    // anyway: the extra columns would only cost MACs and arena (the MLPerf Tiny KWS: 8
    // columns for 5).
    int64_t owExtra = 0;
    if (fg == 1 && ow > 4 && !scalarBlocks) {
      int64_t lanes = op.getStrides()[1] == 1 ? std::max<int64_t>(vectorLanes, 8) : 8;
      owExtra = (lanes - ow % lanes) % lanes;
      if (owExtra * 4 > ow)
        owExtra = (8 - ow % 8) % 8;
    }
    // Padding reads the real value 0: 0.0, or the input's zero point.
    Value padValue = mac.isInteger() ? storageZeroPoint(b, loc, *mac.x) : f32Const(b, loc, 0.f);
    int64_t padHigh[] = {pads[2], pads[3] + owExtra * op.getStrides()[1]};
    Value input = adaptor.getInput();
    // A 1x1 convolution (unit strides, no padding) with filters on the lanes, on a plane
    // whose width has no block of 4-8 columns (9x9, 11x11, 13x13; not the 7x7 and 14x14
    // maps of a MobileNet, which take blocks of 7 columns): its pixels become one row of
    // OH*OW columns, so that the register block can hold more of them (3 pixels x 16
    // filters on a 9x9 plane with 8 AVX2 accumulators instead of 1 x 16).
    bool flatPlane = wShape[2] == 1 && wShape[3] == 1 && oh > 1 && fg % 8 == 0 &&
                     op.getStrides()[0] == 1 && op.getStrides()[1] == 1 &&
                     llvm::all_of(pads, [](int64_t p) { return p == 0; }) &&
                     largestDivisor(ow, {8, 7, 6, 5, 4}) == 1 &&
                     constantBehind(adaptor.getWeight());
    if (flatPlane) {
      input = b.create<tensor::CollapseShapeOp>(loc, input,
                                                ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
      input = expand(b, loc, input, {n, c, 1, oh * ow}, {{0}, {1}, {2, 3}});
      ow *= oh;
      oh = 1;
    }
    // The accumulator's requantization, the extra columns cut and the result's layout.
    auto finish = [&, owExtra = owExtra](Value acc) -> LogicalResult {
      // A fused requantization runs on the N x G x F/G x OH x OW accumulator, per-channel
      // parameters laid out G x F/G.
      AffineMap channels =
          AffineMap::get(5, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
      Value result = buildEpilogue(b, op, acc, fixed, ChannelLayout{{g, fg}, channels});
      if (owExtra) {
        SmallVector<int64_t> kept(cast<RankedTensorType>(result.getType()).getShape());
        kept[4] = outShape[3];
        result = leadingSlice(b, loc, result, kept);
      }
      auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
      if (flatPlane) {
        result = b.create<tensor::CollapseShapeOp>(
            loc, result, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3, 4}});
        b.replaceOp(op, expand(b, loc, result, outType.getShape(), {{0}, {1}, {2, 3}}));
        return success();
      }
      b.replaceOpWithNewOp<tensor::CollapseShapeOp>(
          op, outType, result, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}, {4}});
      return success();
    };
    std::optional<PairedTaps> paired = pairedTaps(op, mac);
    if (paired)
      padHigh[1] += paired->extraColumns;
    Value x = padSpatial(b, loc, input, pads.take_front(2), padHigh, padValue);
    ow += owExtra;
    auto xShape = cast<RankedTensorType>(x.getType()).getShape();
    // N x C x H x W -> N x G x C/G x H x W, and F x C/G x KH x KW -> G x F/G x C/G x KH x KW.
    x = expand(b, loc, x, {n, g, cg, xShape[2], xShape[3]}, {{0}, {1, 2}, {3}, {4}});
    if (paired) {
      Value acc = lowerPairedTaps(b, op, adaptor, mac, *paired, x, {n, g, 1, oh, ow});
      if (!acc)
        return failure();
      return finish(acc);
    }
    // Filters on the vector lanes: with 8+ filters per group and constant weights, the
    // weights are packed filters-last at compile time and the register block is (output
    // columns) x (filters): one contiguous weight vector per (c, kh, kw), the input read as
    // broadcast scalars (so any stride works).
    DenseElementsAttr wConst = constantBehind(adaptor.getWeight());
    // Without SIMD registers (scalarBlocks) the "lanes" are core registers: blocks of 4.
    bool filterLanes = wConst && fg % (scalarBlocks ? 4 : 8) == 0; // any stride: x is read as broadcast scalars
    // Output columns on the lanes instead over wide unit-stride rows (the 1x1 expansions
    // early in a MobileNet): each step multiplies a row of inputs (or packed input words)
    // by one broadcast weight (word) per filter, and the block's results are contiguous
    // output rows, stored as they are instead of transposed from filter lanes.
    bool rowLanes = filterLanes && (!mac.isInteger() || pairProducts || quadProducts) &&
                    op.getStrides()[1] == 1 && ow >= 16 && ow % 8 == 0;
    if (rowLanes)
      filterLanes = false;
    // Paired products: the weights are packed as pairs of centered 16-bit values of two
    // consecutive input channels, and so is the input (one pass that also subtracts its zero
    // point), so each step of the channel loop does two multiply-adds per lane.
    // A channel count that is not a whole number of words (the 3 channels of an image
    // input) is padded: the extra weights are 0, the extra input channels hold zp_x.
    bool pairs = pairProducts && mac.isInteger() && (filterLanes || rowLanes);
    // Quad products: four channels as signed bytes per word (s8 weights of zero point 0;
    // the input shifted to s8 by `offset`, whose term (offset - zp_x) * sum(w) joins the
    // bias at compile time).
    bool quads = quadProducts && mac.isInteger() && (filterLanes || rowLanes) &&
                 mac.w->isSigned && mac.w->width == 8 && mac.x->width == 8 &&
                 llvm::all_of(mac.w->zeroPoints, [](int32_t z) { return z == 0; }) &&
                 (!quadPairSums16 ||
                  llvm::none_of(wConst.getValues<int8_t>(), [](int8_t v) { return v == -128; })) &&
                 // Core registers (SXTB16 + SMLAD, 4 MACs in 2 multiplies): not where the
                 // channels padded to whole quads would cost more than a third more MACs
                 // (a 1-channel input would take 4x as many).
                 (!scalarBlocks || llvm::divideCeil(cg, 4) * 4 * 3 <= cg * 4);
    // The input's bytes in the quads: x - offset, signed (SDOT) or unsigned (VPDPBUSD).
    int64_t offset = 0;
    if (mac.isInteger())
      offset = quadUnsignedInput ? (mac.x->isSigned ? -128 : 0) : (mac.x->isSigned ? 0 : 128);
    // The weights' per-filter sums (as stored: signed or unsigned bytes), for the
    // zero-point terms that quads fold into the bias at compile time.
    auto filterSums = [&]() {
      SmallVector<int64_t> sums(f, 0);
      int64_t perFilter = cg * wShape[2] * wShape[3], i = 0;
      for (const APInt &v : wConst.getValues<APInt>())
        sums[i++ / perFilter] += mac.w->isSigned ? v.getSExtValue() : int64_t(v.getZExtValue());
      return sums;
    };
    Value quadBias;
    if (quads) {
      SmallVector<int64_t> sums = filterSums();
      int64_t scale = offset - mac.x->zeroPoints[0];
      quadBias = biasPlusTerms(b, loc, adaptor.getBias(), f,
                               [&](int64_t fi) { return scale * sums[fi]; });
      quads = quadBias != nullptr;
    }
    // Unsigned weights with one zero point zw (TFLite's uint8 models) in 1x1 convolutions
    // on VNNI: VPDPBUSD with the roles swapped, the raw weight bytes unsigned and the input
    // signed, x' = x - 128. With S = sum_c x'_c per pixel (one pass over the input):
    //   sum_c (x_c - zx)(w_c - zw) = sum_c w_c x'_c - zw * S + (128 - zx) (sum_c w_c - C zw),
    // the last term joining the bias at compile time and zw * S the initial accumulator.
    bool u8Quads = !quads && quadProducts && mac.isInteger() && (filterLanes || rowLanes) &&
                   wConst && !mac.w->isSigned && mac.w->width == 8 && !mac.x->isSigned &&
                   mac.x->width == 8 && mac.w->zeroPoints.size() == 1 && wShape[2] == 1 &&
                   wShape[3] == 1 && op.getStrides()[0] == 1 && op.getStrides()[1] == 1 &&
                   llvm::all_of(pads, [](int64_t p) { return p == 0; }) && cg % 4 == 0;
    bool swappedQuads = u8Quads && quadUnsignedInput;
    // The same on AArch64 (SDOT, or its emulation on the Cortex-A72), whose quads are
    // signed bytes on both sides: x' = x - 128 and w' = w - 128, and
    //   sum_c (x_c - zx)(w_c - zw) = sum_c x'_c w'_c + (128 - zw) S' + (128 - zx)(sum_c w_c - C zw)
    // with S' = sum_c x'_c per pixel: the last term joins the bias, as above, and
    // (128 - zw) S' the initial accumulator. Summed by pairs in 16 bits, a pair of w' = -128
    // (two raw weights 0 side by side in a word) could reach 2^15: then not.
    bool shiftedQuads = u8Quads && !quadUnsignedInput;
    if (shiftedQuads && quadPairSums16) {
      auto raw = wConst.getValues<uint8_t>();
      for (size_t i = 0; i + 1 < raw.size() && shiftedQuads; i += 2) // cg % 4 == 0: pairs
        shiftedQuads = !(raw[i] == 0 && raw[i + 1] == 0);
    }
    Value pixelSums;
    if (swappedQuads || shiftedQuads) {
      int64_t zw = mac.w->zeroPoints[0], zx = mac.x->zeroPoints[0];
      SmallVector<int64_t> sums = filterSums();
      quadBias = biasPlusTerms(b, loc, adaptor.getBias(), f, [&](int64_t fi) {
        return (128 - zx) * (sums[fi] - cg * zw);
      });
      swappedQuads = swappedQuads && quadBias;
      shiftedQuads = shiftedQuads && quadBias;
    }
    if (swappedQuads || shiftedQuads) {
      // zw * S (swapped) or (zw - 128) * S' (shifted) per pixel, subtracted from the bias:
      // N x G x H x W, channels outside the rows (contiguous rows).
      int64_t zw = mac.w->zeroPoints[0] - (shiftedQuads ? 128 : 0);
      auto xShape5 = cast<RankedTensorType>(x.getType()).getShape();
      SmallVector<int64_t> sShape = {xShape5[0], xShape5[1], xShape5[3], xShape5[4]};
      Value zero = filledWith(b, loc, sShape, i32Const(b, loc, 0));
      auto e = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
      using IT = utils::IteratorType;
      auto sums = b.create<linalg::GenericOp>(
          loc, TypeRange{zero.getType()}, ValueRange{x}, ValueRange{zero},
          ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(5, ctx),
                              AffineMap::get(5, 0, {e(0), e(1), e(3), e(4)}, ctx)},
          ArrayRef<IT>{IT::parallel, IT::parallel, IT::reduction, IT::parallel, IT::parallel},
          [&](OpBuilder &nb, Location nl, ValueRange a) {
            Value centered = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, a[0], *mac.x),
                                                      i32Const(nb, nl, 128));
            Value term = nb.create<arith::MulIOp>(nl, centered, i32Const(nb, nl, zw));
            nb.create<linalg::YieldOp>(nl, nb.create<arith::AddIOp>(nl, a[1], term).getResult());
          });
      // One input row per step, vectorized by qcc-vectorize-conv (LLVM would fully unroll
      // the small planes' loops into kilobytes of code).
      // AArch64: pieces of whole vectors (a 14-column row as one vector<14xi32> was
      // scalarized into kilobytes of lane moves: 7 pieces of 2 instead), at most 64 lanes.
      int64_t piece = xShape5[4];
      if (shiftedQuads && (piece % vectorLanes != 0 || piece > 64))
        piece = largestDivisor(piece, {64, 56, 48, 32, 28, 16, 8, 4, 2});
      sums->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr({1, 1, 1, 1, piece}));
      pixelSums = sums.getResult(0);
    }
    // Channels per packed word: 4 (quads), 2 (pairs) or 1 (one channel per step).
    int64_t perWord = quads || swappedQuads || shiftedQuads ? 4 : pairs ? 2 : 1;
    Value w;
    if (perWord > 1) {
      QuantParams wParams = *mac.w;
      if (swappedQuads)
        wParams.zeroPoints = {0}; // the raw weight bytes
      if (shiftedQuads)
        wParams.zeroPoints = {128}; // w - 128, signed bytes
      w = b.create<arith::ConstantOp>(
          loc, packFilterWords(wConst, g, wParams, perWord, b.getI32Type()));
      if (int64_t extra = (perWord - cg % perWord) % perWord) {
        auto xt = cast<RankedTensorType>(x.getType());
        SmallVector<int64_t> padded(xt.getShape());
        padded[2] += extra;
        SmallVector<OpFoldResult> lo(5, b.getIndexAttr(0)), hi(5, b.getIndexAttr(0));
        hi[2] = b.getIndexAttr(extra);
        x = b.create<tensor::PadOp>(loc, RankedTensorType::get(padded, xt.getElementType()), x,
                                    lo, hi, storageZeroPoint(b, loc, *mac.x));
      }
      // Pairs hold x - zp_x; quads x - offset (the offset's term is in quadBias); swapped
      // quads x - 128 (signed bytes).
      x = packInputWords(b, loc, x, *mac.x, perWord,
                         swappedQuads || shiftedQuads ? 128
                         : quads                      ? offset
                                                      : mac.x->zeroPoints[0]);
    } else if (filterLanes) {
      Type storage = cast<RankedTensorType>(adaptor.getWeight().getType()).getElementType();
      w = b.create<arith::ConstantOp>(loc, packFiltersLast(wConst, g, storage));
    } else {
      Value weight = adaptor.getWeight();
      // Depthwise with constant 8-bit weights of nonzero zero point (TFLite's uint8 models)
      // that no VPDPBUSD takes as they are: the weights are centered at compile time, as
      // signed 16-bit values, so each step broadcasts one 16-bit weight instead of
      // broadcasting a byte and centering it (LLVM built each such broadcast of a byte
      // from eight VPINSRBs on AVX2: the stride-2 depthwise layers of the trained
      // MobileNetV2 took 12 % of its time for 1 % of its MACs).
      if (fg == 1 && cg == 1 && wConst && mac.isInteger() && mac.w->width == 8 && !window &&
          llvm::any_of(mac.w->zeroPoints, [](int32_t z) { return z != 0; })) {
        SmallVector<int16_t> centered;
        for (int64_t v : centeredWeights(wConst, *mac.w))
          centered.push_back(int16_t(v));
        auto type = RankedTensorType::get(wShape, b.getI16Type());
        weight = b.create<arith::ConstantOp>(
            loc, DenseElementsAttr::get(type, ArrayRef<int16_t>(centered)));
        mac.w->width = 16;
        mac.w->isSigned = true;
        mac.w->zeroPoints = {0};
      }
      w = expand(b, loc, weight, {g, fg, cg, wShape[2], wShape[3]}, {{0, 1}, {2}, {3}, {4}});
    }

    // Core-register targets (scalarBlocks), one channel per step with weights of zero point
    // 0: the input's zero point leaves the inner loop, sum (x - zx) w = sum x w - zx sum w
    // with the second term in the bias at compile time (exact also over the padding, which
    // holds zx). Each product is then a load and a multiply-accumulate, without centering
    // the input byte in 16 bits first (the depthwise layers of the MLPerf Tiny KWS model:
    // 5 instructions per MAC on the Cortex-M4).
    Value foldedBias;
    if (scalarBlocks && perWord == 1 && mac.isInteger() && wConst && mac.x->width == 8 &&
        mac.w->width == 8 && // (not the 16-bit centered weights above)
        mac.x->zeroPoints.size() == 1 && mac.x->zeroPoints[0] != 0 &&
        llvm::all_of(mac.w->zeroPoints, [](int32_t z) { return z == 0; })) {
      int64_t zx = mac.x->zeroPoints[0];
      SmallVector<int64_t> sums = filterSums();
      foldedBias = biasPlusTerms(b, loc, adaptor.getBias(), f,
                                 [&](int64_t fi) { return -zx * sums[fi]; });
      if (foldedBias)
        mac.x->zeroPoints = {0};
    }

    SmallVector<int64_t> accShape = {n, g, fg, oh, ow};
    auto accType = RankedTensorType::get(accShape, mac.accType(b));
    Value acc;
    if (swappedQuads || shiftedQuads) {
      // Start from the bias minus zw * S (or (zw - 128) * S') of the pixel.
      Value b2 = expand(b, loc, quadBias, {g, fg}, {{0, 1}});
      auto e = [&](unsigned k) { return getAffineDimExpr(k, ctx); };
      acc = buildElementwise(
          b, loc, ValueRange{b2, pixelSums}, accType,
          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            return nb.create<arith::SubIOp>(nl, a[0], a[1]);
          },
          {AffineMap::get(5, 0, {e(1), e(2)}, ctx), AffineMap::get(5, 0, {e(0), e(1), e(3), e(4)}, ctx)});
    } else if (Value bias = quads ? quadBias : foldedBias ? foldedBias : adaptor.getBias()) {
      // Start from the bias, broadcast over N, H and W.
      Value b2 = expand(b, loc, bias, {g, fg}, {{0, 1}});
      auto map = AffineMap::get(5, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(2, ctx)}, ctx);
      acc = buildElementwise(
          b, loc, b2, accType, [](OpBuilder &, Location, ValueRange a) { return a[0]; }, map);
    } else {
      acc = filledWith(b, loc, accShape, mac.zero(b, loc));
    }

    // Two loop orders, both summing each output element's terms in the order c, kh, kw:
    //  - planes of at least kMinPlane outputs: n, g, f | c, kh, kw | oh, ow, the output row
    //    innermost, so the nest streams contiguous rows (a weight broadcast against an input
    //    row), which LLVM vectorizes;
    //  - small planes: n, g, f, oh, ow | c, kh, kw, a dot product per output element, which
    //    avoids re-reading a tiny plane once per input channel.
    //  - filter lanes, depthwise, or unit stride along W: the dot-product order, marked for
    //    qcc-vectorize-conv, which tiles it into register blocks (slicing strided inputs).
    constexpr int64_t kMinPlane = 256;
    bool vectorize = filterLanes || fg == 1 || op.getStrides()[1] == 1;
    bool rowInner = !vectorize && oh * ow >= kMinPlane;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    unsigned dn = 0, dg = 1, df = 2, dc = rowInner ? 3 : 5, dkh = rowInner ? 4 : 6,
             dkw = rowInner ? 5 : 7, doh = rowInner ? 6 : 3, dow = rowInner ? 7 : 4;
    if (filterLanes) { // n, g, oh, ow, f | c, kh, kw
      doh = 2;
      dow = 3;
      df = 4;
    }
    auto strides = op.getStrides(), dil = op.getDilations();
    AffineMap xMap = AffineMap::get(8, 0,
                                    {d(dn), d(dg), d(dc), d(doh) * strides[0] + d(dkh) * dil[0],
                                     d(dow) * strides[1] + d(dkw) * dil[1]},
                                    ctx);
    AffineMap wMap = filterLanes || perWord > 1
                         ? AffineMap::get(8, 0, {d(dg), d(dc), d(dkh), d(dkw), d(df)}, ctx)
                         : AffineMap::get(8, 0, {d(dg), d(df), d(dc), d(dkh), d(dkw)}, ctx);
    AffineMap oMap = AffineMap::get(8, 0, {d(dn), d(dg), d(df), d(doh), d(dow)}, ctx);
    using IT = utils::IteratorType;
    SmallVector<IT> iters(8, IT::parallel);
    for (unsigned r : {dc, dkh, dkw})
      iters[r] = IT::reduction;
    auto conv = b.create<linalg::GenericOp>(
        loc, TypeRange{accType}, ValueRange{x, w}, ValueRange{acc},
        ArrayRef<AffineMap>{xMap, wMap, oMap}, iters,
        [&](OpBuilder &nb, Location nl, ValueRange a) {
          Value next = perWord == 1
                           ? mac(nb, nl, a[0], a[1], a[2])
                           : nb.create<arith::AddIOp>(
                                   nl, a[2],
                                   swappedQuads
                                       ? packedProduct(nb, nl, a[1], a[0], 4, true)
                                       : packedProduct(nb, nl, a[0], a[1], perWord,
                                                       quads && quadUnsignedInput))
                                 .getResult();
          nb.create<linalg::YieldOp>(nl, next);
        });
    if (vectorize) {
      // The largest candidate dividing n whose block (times `other`) fits the register
      // budget.
      auto blockSize = [&](int64_t n, ArrayRef<int64_t> candidates, int64_t other = 1) {
        return largestDivisor(n, candidates, blockLanes / other);
      };
      // Depthwise: a block of groups; otherwise a block of filters. Blocks of output columns.
      if (filterLanes) {
        // Loops n, g, oh, ow, f: a block of up to 8 columns x 16 (or 8) filters. Float
        // with 16-lane registers (AVX-512): two registers of filters per column, so that
        // each broadcast input feeds two FMAs (7 x 32 on the 7x7 planes: the float
        // MobileNetV2-style net 12.1 -> 10.6 ms; the integer kernels ran 3x slower so).
        // The block with the most lanes; on a tie, more filters (fewer broadcasts).
        int64_t fb = 1, owb = 1;
        SmallVector<int64_t> filterBlocks = vectorLanes >= 16 && !mac.isInteger()
                                                ? SmallVector<int64_t>{32, 16, 8}
                                                : SmallVector<int64_t>{16, 8};
        // Core registers (Cortex-M4/M7, 13 to allocate): 2 columns x 2 filters where the
        // width is even, else 1 x 4. (2 x 4 spilled its accumulators: measured on the
        // MLPerf Tiny IC model, 2.12 instructions per MAC against 1.83 for 2 x 2; on the
        // 5-column KWS planes 1 x 4 gives 3.40 against 3.74 for 1 x 2.)
        if (scalarBlocks) {
          bool square = ow % 2 == 0 && fg % 2 == 0;
          fb = square ? 2 : 4;
          owb = square ? 2 : 1;
          filterBlocks.clear();
        }
        for (int64_t fCand : filterBlocks) {
          if (fg % fCand || fCand * 2 > blockLanes)
            continue;
          int64_t oCand = blockSize(ow, {8, 7, 6, 5, 4, 3, 2}, fCand);
          if (fCand * oCand > fb * owb) {
            fb = fCand;
            owb = oCand;
          }
        }
        conv->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr({1, 1, 1, owb, fb, 1, 1, 1}));
        // Weights larger than the input plane (the wide 1x1 convolutions on 7x7 maps): loop
        // over filter blocks outside the rows, so each block's weights are read once while
        // they are in cache, rather than once per output row.
        if (f * cg * wShape[2] * wShape[3] > cg * xShape[2] * xShape[3])
          conv->setAttr(kTileInterchangeAttrName,
                        b.getDenseI64ArrayAttr({0, 1, 4, 2, 3, 5, 6, 7}));
      } else if (depthwiseRowBlocks && fg == 1 && cg == 1 &&
                 (op.getStrides()[0] == 1 || window)) {
        // Depthwise, unit stride along H: one channel per block, a few output rows x a row
        // of columns (independent accumulators that share input rows), so the channel's
        // KH x KW weights are loop invariant and stay in registers across its blocks.
        // Strided depthwise keeps blocks of channels (one channel per block gained nothing)
        // unless each row's kernel columns become one VPDPBUSD (see windowProducts).
        // At most half the usual block: the weights need registers too.
        int64_t owb = blockSize(ow, {16, 8, 7, 4, 2}, 2);
        int64_t ohb = blockSize(oh, {4, 2}, owb * 2);
        conv->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr({1, 1, 1, ohb, owb, 1, 1, 1}));
      } else {
        int64_t gb = fg == 1 ? blockSize(g, {8, 4, 2}, 2) : 1;
        int64_t fb = fg == 1 ? 1 : blockSize(fg, {8, 4, 2}, 2);
        int64_t owb = blockSize(ow, {16, 8, 7, 4, 2}, gb * fb);
        conv->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr({1, gb, fb, 1, owb, 1, 1, 1}));
      }
    }
    return finish(conv.getResult(0));
  }
};

} // namespace

void mlir::qcc::lowering::populateConvPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
    const LoweringOptions &o) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<Conv2DLowering>(converter, ctx, o.fixed, o.vectorLanes, o.blockLanes,
                               o.pairProducts, o.quadProducts, o.quadUnsignedInput,
                               o.quadPairSums16, o.depthwiseRowBlocks, o.blockedLanes,
                               o.scalarBlocks);
}
