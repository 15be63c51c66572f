//===- LoweringUtils.h - shared by the qcc-to-linalg lowerings --*- C++ -*-===//
//
// What the lowerings of qcc ops to linalg (one file per op family in this folder) share:
// quantization parameters read from !quant.uniform types, builders for elementwise bodies,
// fixed-point (TFLite / gemmlowp) arithmetic, requantization epilogues, weight packing,
// and the populate functions the pass (QccToLinalg.cpp) calls. Internal to the folder.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_LIB_CONVERSION_QCCTOLINALG_LOWERINGUTILS_H
#define QCC_LIB_CONVERSION_QCCTOLINALG_LOWERINGUTILS_H

#include "qcc/Dialect/Qcc/Utils/QuantMath.h"
#include "qcc/Dialect/Qcc/Utils/QuantParams.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Transforms/DialectConversion.h"

#include <optional>

namespace mlir::qcc::lowering {

//===----------------------------------------------------------------------===//
// Quantization parameters and scalar builders (Common.cpp)
//===----------------------------------------------------------------------===//

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

// QuantParams and getQuantParams: qcc/Dialect/Qcc/Utils/QuantParams.h.

/// A new tensor of undefined contents for an op's result. Each carries a distinct
/// `qcc.distinct` number (given by the pass after the conversion, in walk order): CSE
/// would otherwise merge identical tensor.empty ops, and bufferization would then have
/// unrelated ops write one shared buffer, which keeps qcc-elide-pad-copies from making
/// each result a view of the buffer its consumer reads.
/// (bufferization.alloc_tensor is never merged either, but slices of it do not fold away
/// the way slices of tensor.empty do, and the tiled kernels then read their outputs.)
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elementType);

Value f32Const(OpBuilder &b, Location loc, float v);

/// fma(x, y, z) on f32 with one rounding: math.fma where the target has the instruction
/// (`hardware`); else computed in f64: x * y is exact in f64 for the 8-bit-integer x used
/// here, and so is the sum, so rounding to f32 once equals a fused multiply-add, without
/// an fmaf call on targets that lack the instruction.
Value fusedMulAddF32(OpBuilder &b, Location loc, Value x, float y, Value z, bool hardware);

Value i32Const(OpBuilder &b, Location loc, int64_t v);

//===----------------------------------------------------------------------===//
// Fixed-point arithmetic (requant-mode=fixed), as TFLite / gemmlowp (FixedPoint.cpp)
//===----------------------------------------------------------------------===//

/// SaturatingRoundingDoublingHighMul(x, m) for a positive multiplier m (which excludes the
/// single saturating case x = m = INT32_MIN).
Value fixedHighMul(OpBuilder &b, Location loc, Value x, Value m);

/// RoundingDivideByPOT(x, e): x / 2^e rounded half away from zero, 0 <= e < bit width of
/// x (i32, or i64 where e may pass 31), with mask = 2^e - 1 given (a per-channel constant
/// where e varies: a variable `1 << e` on vectors would make SSE2 code go through the FPU).
Value fixedDivideByPOT(OpBuilder &b, Location loc, Value x, Value e, Value mask);

/// MultiplyByQuantizedMultiplier(x, m, shift) with the shift split at compile time into a
/// left factor 2^left and a right shift (with its mask 2^right - 1), as TFLite computes it:
/// RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^left, m), right).
Value fixedMultiplyWith(OpBuilder &b, Location loc, Value x, Value m, Value leftFactor,
                        Value rightShift, Value rightMask);

/// A real multiplier as TFLite's (m, left shift, right shift).
struct FixedMultiplier {
  int32_t m = 0, left = 0, right = 0;
  explicit FixedMultiplier(double real) {
    int shift;
    ::mlir::qcc::quantizeMultiplier(real, m, shift);
    left = shift > 0 ? shift : 0;
    right = shift > 0 ? 0 : -shift;
  }
};

/// The same with a compile-time multiplier: every operand a constant.
Value fixedMultiply(OpBuilder &b, Location loc, Value x, const FixedMultiplier &m);

//===----------------------------------------------------------------------===//
// Storage ranges, tensors and elementwise bodies (Common.cpp)
//===----------------------------------------------------------------------===//

Value clampInt(OpBuilder &b, Location loc, Value v, int64_t lo, int64_t hi);

/// An int32 result in `q`'s storage: clamped to [qmin, qmax] (which a fused activation may
/// narrow) and truncated to the storage width. The integer counterpart of
/// saturateToStorage.
Value narrowToStorage(OpBuilder &b, Location loc, Value v, const QuantParams &q);

Value clampValue(OpBuilder &b, Location loc, Value v, std::optional<float> lo,
                 std::optional<float> hi);

Value saturateToStorage(OpBuilder &b, Location loc, Value rounded, const QuantParams &q);

Value widenToI32(OpBuilder &b, Location loc, Value v, const QuantParams &q);

/// ONNX QuantizeLinear of one f32 value: saturate(round_half_even(x / scale) + zp), a true
/// division (scale and zp as f32 values).
Value quantizeElement(OpBuilder &b, Location loc, Value x, const QuantParams &q, Value scale,
                      Value zp);

/// ONNX DequantizeLinear of one stored value: float(q - zp) * scale, the subtraction in
/// int32 as ONNX Runtime does (zp as an i32 value).
Value dequantizeElement(OpBuilder &b, Location loc, Value v, const QuantParams &q, Value scale,
                        Value zp);

/// Integer or float multiply-accumulate for the contraction ops: the float form computes
/// acc + x * w; the integer form acc + (x - zp_x) * (w - zp_w) in int32.
struct Mac {
  std::optional<QuantParams> x, w; // set for the integer form
  float alpha = 1.f;

  bool isInteger() const { return x.has_value(); }
  Type accType(OpBuilder &b) const {
    return isInteger() ? Type(b.getI32Type()) : Type(b.getF32Type());
  }
  Value zero(OpBuilder &b, Location loc) const {
    return isInteger() ? b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(0)).getResult()
                       : f32Const(b, loc, 0.f);
  }
  Value operator()(OpBuilder &b, Location loc, Value xv, Value wv, Value acc) const {
    if (!isInteger()) {
      // `contract`: LLVM may fuse the multiply and the add into one FMA where the target
      // has one (x86-64-v3 and up, AArch64), as ONNX Runtime's kernels do.
      auto contract =
          arith::FastMathFlagsAttr::get(b.getContext(), arith::FastMathFlags::contract);
      Value prod = b.create<arith::MulFOp>(loc, xv, wv, contract);
      if (alpha != 1.f)
        prod = b.create<arith::MulFOp>(loc, f32Const(b, loc, alpha), prod, contract);
      return b.create<arith::AddFOp>(loc, acc, prod, contract);
    }
    // 8-bit operands are centered in 16 bits (q - zp lies in [-255, 255]) and the product
    // is formed from their sign extensions: the widening multiply-accumulate shape that
    // instruction selection maps to SMULL/SMLAL on AArch64 and VPMADDWD/VPDPWSSD on x86.
    auto centered = [&](Value v, const QuantParams &q) -> Value {
      if (q.width != 8) {
        Value wide = widenToI32(b, loc, v, q);
        return q.zeroPoints[0] == 0 ? wide
                                    : b.create<arith::SubIOp>(loc, wide,
                                                              i32Const(b, loc, q.zeroPoints[0]))
                                          .getResult();
      }
      Type i16 = b.getI16Type();
      Value narrow = q.isSigned ? b.create<arith::ExtSIOp>(loc, i16, v).getResult()
                                : b.create<arith::ExtUIOp>(loc, i16, v).getResult();
      if (q.zeroPoints[0] != 0)
        narrow = b.create<arith::SubIOp>(
            loc, narrow, b.create<arith::ConstantOp>(loc, b.getI16IntegerAttr(q.zeroPoints[0])));
      return b.create<arith::ExtSIOp>(loc, b.getI32Type(), narrow);
    };
    Value xc = centered(xv, *x);
    Value wc = centered(wv, *w);
    Value prod = b.create<arith::MulIOp>(loc, xc, wc);
    return b.create<arith::AddIOp>(loc, acc, prod);
  }
};

/// The float or integer form of a contraction, from its input and weight operands.
Mac macFor(Value input, Value weight, float alpha = 1.f);

/// A tensor of `shape` filled with the constant `value`.
Value filledWith(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value value);

/// The storage-domain constant of a quantized type's zero point (the "real 0").
Value storageZeroPoint(OpBuilder &b, Location loc, const QuantParams &q);

/// Map from the loops of an `out`-shaped iteration space to an operand of shape `in` under
/// numpy broadcasting: shapes align on the right, and a size-1 dimension reads index 0.
AffineMap broadcastMap(ArrayRef<int64_t> in, ArrayRef<int64_t> out, MLIRContext *ctx);

/// An all-parallel generic producing a tensor of `outType`. Inputs broadcast to the output
/// shape unless `maps` gives their indexing maps explicitly.
Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       RankedTensorType outType, BodyFn body,
                       ArrayRef<AffineMap> maps = {});

/// Pads the spatial dimensions (2 and 3) of an NCHW or NCHWc tensor with `value`.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value padValue);

/// The leading `shape` corner of `v` (zero offsets, unit strides): what remains of a
/// result computed over extra (padded) columns or channels.
Value leadingSlice(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape);

Value expand(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape,
             ArrayRef<ReassociationIndices> reassoc);

/// The dense constant behind a value, looking through conversion casts and quant.scast.
DenseElementsAttr constantBehind(Value v);

/// A reduction over `reduced` loops of `input` into a tensor of the remaining dimensions;
/// `combine(acc, x)` folds one element in.
Value reduceDims(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> reduced,
                 Value init, function_ref<Value(OpBuilder &, Location, Value, Value)> combine);

/// How far a window reads past the end of an input of extent `in` (beyond `padEnd`);
/// ceil_mode can make the last window run past the declared padding.
int64_t extraEndPad(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                    int64_t padBegin, int64_t padEnd, int64_t dilation);

//===----------------------------------------------------------------------===//
// Weights packed at compile time for the contraction kernels (Packing.cpp)
//===----------------------------------------------------------------------===//

/// Packs an F x C/G x KH x KW weight (F = G * F/G) as G x C/G x KH x KW x F/G at compile time:
/// the filters of a group become contiguous, one vector per (c, kh, kw).
DenseElementsAttr packFiltersLast(DenseElementsAttr w, int64_t g, Type storage);

/// An integer F x ... weight's values as their storage type reads them (signed or
/// unsigned) minus the zero point of their filter (per tensor, or per filter along axis
/// 0), in storage order.
SmallVector<int64_t> centeredWeights(DenseElementsAttr w, const QuantParams &q);

/// Packs an integer F x C/G x KH x KW weight for the paired (perWord = 2: 16-bit halves)
/// or quad (perWord = 4: bytes) product kernels: G x ceil(C/G / perWord) x KH x KW x F/G
/// int32 words, lane k holding the centered weight w - zp of input channel perWord * q + k
/// (zp per filter or per tensor), or 0 past the last channel.
DenseElementsAttr packFilterWords(DenseElementsAttr w, int64_t g, const QuantParams &q,
                                  int64_t perWord, Type i32);

/// The int32 bias vector of `f` filters (a constant `bias`, or zeros without one) plus
/// `term(filter)`, as a constant; null if the bias is not a constant or a sum leaves int32.
Value biasPlusTerms(OpBuilder &b, Location loc, Value bias, int64_t f,
                    function_ref<int64_t(int64_t)> term);

/// sum over k of lane_k(a) * lane_k(w) for two words of `perWord` packed lanes (2: signed
/// 16-bit halves, the PMADDWD / VPDPWSSD product; 4: bytes, the SDOT product, or VPDPBUSD's
/// with `unsignedA`), in int32 — exact for the centered 8-bit values packed here. Lane k is
/// `(v << (32 - bits * (k + 1))) >> (32 - bits)` (qcc-x86/arm-dot-products match this).
Value packedProduct(OpBuilder &b, Location loc, Value a, Value w, int64_t perWord,
                    bool unsignedA);

/// The padded N x G x C/G x H x W input as N x G x C/G/perWord x H x W words for the packed
/// products: lane k of word p holds x[perWord * p + k] - offset in 32 / perWord bits.
Value packInputWords(OpBuilder &b, Location loc, Value x, const QuantParams &qx,
                     int64_t perWord, int64_t offset);

/// The first of `candidates` (largest first) that divides n and is at most `limit`, or 1:
/// a register block size along a dimension of extent n.
int64_t largestDivisor(int64_t n, ArrayRef<int64_t> candidates,
                       int64_t limit = std::numeric_limits<int64_t>::max());

//===----------------------------------------------------------------------===//
// Requantization and fused epilogues (Quantization.cpp)
//===----------------------------------------------------------------------===//

/// A lowering whose arithmetic depends on --requant: `fixed` selects TFLite's integer-only
/// forms, otherwise ONNX Runtime's f32 requantization.
template <typename OpT>
struct ModeAwareLowering : OpConversionPattern<OpT> {
  ModeAwareLowering(const TypeConverter &converter, MLIRContext *ctx, bool fixed)
      : OpConversionPattern<OpT>(converter, ctx), fixed(fixed) {}
  bool fixed;
};

/// How an elementwise op over a tensor reads a per-channel parameter vector: the vector is
/// laid out as a constant of `shape` (the channel count, or groups x filters for a grouped
/// convolution's accumulator) indexed by `map`.
struct ChannelLayout {
  SmallVector<int64_t> shape;
  AffineMap map;
  /// One value per index of dimension `axis` of a rank-`rank` tensor.
  static ChannelLayout ofAxis(MLIRContext *ctx, int64_t rank, int64_t axis, int64_t count) {
    return {{count}, AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx))};
  }
};

/// The operands of an elementwise op that reads per-channel parameters: the value itself
/// (identity map), then one constant per parameter laid out as a ChannelLayout says.
struct ParamOperands {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  ParamOperands(OpBuilder &b, Value input)
      : inputs{input},
        maps{b.getMultiDimIdentityMap(cast<RankedTensorType>(input.getType()).getRank())} {}
  template <typename T>
  void add(OpBuilder &b, Location loc, const ChannelLayout &layout, Type element,
           ArrayRef<T> values) {
    auto type = RankedTensorType::get(layout.shape, element);
    inputs.push_back(b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(type, values)));
    maps.push_back(layout.map);
  }
};

/// A requantization as qcc.requantize defines it, built elementwise over `input` (any rank;
/// `channels` says how to index per-channel parameters when `in` is per axis):
///  - float mode: y = saturate(round_half_even(float(q - zp_in) * m) + zp_out), the
///    multipliers m as given (precomputed by the pass that made the op) or
///    scale_in / scale_out in f32;
///  - fixed mode: TFLite's MultiplyByQuantizedMultiplier with M = double(scale_in) /
///    double(scale_out) per channel, multiplier and shift computed here at compile time.
/// `clampMin` / `clampMax` narrow the result's storage range (a fused ReLU or Clip).
Value buildRequantization(OpBuilder &b, Location loc, Value input, const QuantParams &in,
                          QuantParams out, std::optional<ArrayRef<float>> multiplier,
                          std::optional<int64_t> clampMin, std::optional<int64_t> clampMax,
                          bool fixed, RankedTensorType outType, const ChannelLayout &channels);

/// The fused requantization of a contraction (`accumulator` set by qcc-fuse-requantize)
/// over its int32 accumulator `acc`, marked `qcc.epilogue` so that qcc-vectorize-conv
/// computes it on each register block of the accumulator. Returns `acc` when not fused.
template <typename OpT>
Value buildEpilogue(OpBuilder &b, OpT op, Value acc, bool fixed, const ChannelLayout &channels) {
  auto accType = op.getAccumulator();
  if (!accType)
    return acc;
  QuantParams in = getQuantParams(*accType);
  QuantParams out = getQuantParams(op.getType().getElementType());
  auto shape = cast<RankedTensorType>(acc.getType()).getShape();
  auto type = RankedTensorType::get(shape, b.getIntegerType(out.width));
  Value y = buildRequantization(b, op.getLoc(), acc, in, out, op.getMultiplier(),
                                op.getClampMin(), op.getClampMax(), fixed, type, channels);
  y.getDefiningOp()->setAttr(kEpilogueAttrName, b.getUnitAttr());
  return y;
}

//===----------------------------------------------------------------------===//
// Patterns, by op family
//===----------------------------------------------------------------------===//

/// The target knobs of the lowering (the options of convert-qcc-to-linalg; the pipeline
/// sets them from the target description).
struct LoweringOptions {
  /// --requant=fixed: TFLite's integer-only arithmetic; else ONNX Runtime's f32 forms.
  bool fixed = false;
  /// 32-bit lanes of one SIMD register.
  int64_t vectorLanes = 16;
  /// 32-bit accumulator lanes a register block may hold (about half the SIMD registers).
  int64_t blockLanes = 256;
  bool pairProducts = false, quadProducts = false, quadUnsignedInput = false;
  /// Quads summed by pairs in 16 bits: only weights in [-127, 127].
  bool quadPairSums16 = false;
  /// No SIMD register file: vectors are blocks of core registers (see scalar-blocks).
  bool scalarBlocks = false;
  bool depthwiseRowBlocks = false;
  /// Channels per block of channel-blocked (NCHWc) float activations (0: NCHW).
  int64_t blockedLanes = 0;
  /// The target has a fused multiply-add instruction.
  bool hardwareFma = false;
};

/// qcc.conv2d (Conv.cpp).
void populateConvPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
                          const LoweringOptions &options);
/// qcc.matmul and qcc.gemm (MatMul.cpp).
void populateMatMulPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
                            const LoweringOptions &options);
/// Integer fully connected layers as 1x1 convolutions, applied before the conversion
/// (MatMul.cpp).
void populateGemmAsConvPatterns(RewritePatternSet &patterns);
/// Binary, unary, table, ReLU, clamp and batch-norm ops (Elementwise.cpp).
void populateElementwisePatterns(const TypeConverter &converter, RewritePatternSet &patterns,
                                 const LoweringOptions &options);
/// qcc.softmax (Softmax.cpp).
void populateSoftmaxPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
                             const LoweringOptions &options);
/// Max, average and global average pooling (Pooling.cpp).
void populatePoolingPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
                             const LoweringOptions &options);
/// Reshape, transpose and concat (DataMovement.cpp).
void populateDataMovementPatterns(const TypeConverter &converter, RewritePatternSet &patterns);

void populateDetectionPatterns(const TypeConverter &converter, RewritePatternSet &patterns);
/// DynamicQuant.cpp: dynamic_quantize, matmul_integer, conv_integer.
void populateDynamicQuantPatterns(const TypeConverter &converter, RewritePatternSet &patterns);
/// Quantize, dequantize, requantize and storage casts (Quantization.cpp).
void populateQuantizationPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
                                  const LoweringOptions &options);

} // namespace mlir::qcc::lowering

#endif // QCC_LIB_CONVERSION_QCCTOLINALG_LOWERINGUTILS_H
