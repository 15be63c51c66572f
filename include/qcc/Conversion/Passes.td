//===- Passes.td - qcc conversion passes -------------------*- tablegen -*-===//
#ifndef QCC_CONVERSION_PASSES_TD
#define QCC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertQccToLinalg : Pass<"convert-qcc-to-linalg", "ModuleOp"> {
  let summary = "Lower qcc ops to linalg, tensor and arith on tensors";
  let description = [{
    Every qcc op becomes `linalg.generic` / named linalg ops plus `tensor` ops (pad, slices,
    reshapes), still on value-semantic tensors, ready for bufferization. `!quant.uniform`
    element types become their signless integer storage types; the scales and zero points
    become constants in the quantize / dequantize / requantize bodies, with ONNX's rounding
    (round half to even, true division in quantize). `quant.scast` disappears.

    With `blocked-lanes=L` (qcc sets one register of floats on x86: 4, 8 or 16), float
    convolutions (regular and depthwise, constant weights) run on channel-blocked NCHWc
    activations instead: `tensor.pack` of the input's channels into blocks of L (an image
    of fewer than L/2 channels is read from NCHW), one
    `n, fo, oh, ow, l | (c blocks,) kh, kw, (c)` generic whose register block is a row of
    output columns x the L channels of 1-3 blocks (each column's results contiguous
    vectors, each reduction step contiguous weight vectors, each broadcast input feeding
    one FMA per block), weights packed and zero-padded to whole blocks at compile time, and
    `tensor.unpack` of the result; `qcc-propagate-channel-blocks` then removes the
    unpack/pack pairs between layers. A width without a good block divisor (13, 27, 55,
    111) is computed up to 3 columns wider, over extra input padding, and sliced.

    Otherwise convolutions keep ONNX's NCHW layout and are expressed as one grouped
    `n, g, f, oh, ow, c, kh, kw` generic over a zero-padded input, marked with the register
    block `qcc-vectorize-conv` tiles it into: filters on the vector lanes (weights packed
    filters-last at compile time) for narrow or strided outputs, output columns on the lanes
    (a broadcast weight per filter, contiguous output rows) for wide unit-stride rows.
    Depthwise rows whose width is not a multiple of the block get a few extra columns of
    padding and output, sliced off afterwards. Integer convolutions with packed products
    pack 2 (16-bit) or 4 (byte) input channels per word, padding a channel count that is
    not a whole number of words with weight-0 channels. With unsigned quads (x86 VNNI),
    1x1 convolutions with u8 weights of one zero point zw swap the roles: the raw weight
    bytes are VPDPBUSD's unsigned operand and the input (x - 128) the signed one;
    `(128 - zx) * (sum w - C * zw)` joins the bias and `zw * sum_c (x_c - 128)`, from one
    pass over the input per pixel, is subtracted from the initial accumulator. An integer
    `qcc.gemm` with constant
    weights is lowered as the 1x1 convolution it is. Pooling windows are
    read through a padded input (`-inf` for max, `0` for average) and the average divisor
    is a compile-time constant per output position, as ONNX Runtime counts it.

    `requant-mode=fixed` lowers `qcc.requantize` to TFLite's MultiplyByQuantizedMultiplier
    (a Q31 multiplier and a shift per channel, SaturatingRoundingDoublingHighMul and
    RoundingDivideByPOT) and the integer `qcc.add` to TFLite's int8 ADD (inputs shifted
    left by 20, rescaled, summed, rescaled), so that integer-only models need no FPU.
  }];
  let options = [
    Option<"requantMode", "requant-mode", "::mlir::qcc::RequantMode",
           /*default=*/"::mlir::qcc::RequantMode::Float",
           "How requantize and integer add compute",
           [{::llvm::cl::values(
               clEnumValN(::mlir::qcc::RequantMode::Float, "float",
                          "f32 multiplier, round half to even: ONNX Runtime's MLAS"),
               clEnumValN(::mlir::qcc::RequantMode::Fixed, "fixed",
                          "Q31 multiplier and shift, rounding as TFLite/gemmlowp: no "
                          "floating point"))}]>,
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"512",
           "SIMD register width the convolutions' register blocks are sized for">,
    Option<"vectorRegisters", "vector-registers", "unsigned", /*default=*/"32",
           "Number of SIMD registers; about half of them hold a block's accumulators">,
    Option<"pairProducts", "pair-products", "bool", /*default=*/"false",
           "Integer convolutions with filters on the lanes multiply pairs of input channels "
           "packed as 16-bit halves (the PMADDWD / VPDPWSSD shape; qcc turns it on for x86)">,
    Option<"quadProducts", "quad-products", "bool", /*default=*/"false",
           "Integer convolutions with filters on the lanes and s8 weights multiply quads of "
           "input channels packed as signed bytes (the SDOT shape; on for AArch64 with the "
           "dot product)">,
    Option<"quadPairSums16", "quad-pair-sums-16", "bool", /*default=*/"false",
           "Quads are summed by pairs in 16 bits (SMULL, ADDP, SADALP where there is no "
           "SDOT: the Cortex-A72), so they take only weights in [-127, 127]: a layer with a "
           "weight of -128 keeps the 16-bit products; depthwise convolutions sum their "
           "kernel columns by pairs in 16 bits where the centered weights allow it">,
    Option<"scalarBlocks", "scalar-blocks", "bool", /*default=*/"false",
           "The target has no SIMD register file (Cortex-M4, M7): the register blocks' "
           "vectors become 32-bit core registers, so depthwise rows are not widened to whole "
           "vectors (extra columns would only cost MACs and arena)">,
    Option<"quadUnsignedInput", "quad-unsigned-input", "bool", /*default=*/"false",
           "Quads hold the input as unsigned bytes (x86 VPDPBUSD: u8 x s8) instead of signed "
           "ones (SDOT); 1x1 convolutions with u8 weights then use swapped quads, and "
           "strided depthwise convolutions row blocks">,
    Option<"hardwareFma", "hardware-fma", "bool", /*default=*/"false",
           "The target has fused multiply-add instructions: the integer Add's exact "
           "multiply-adds use math.fma in f32 instead of an f64 emulation">,
    Option<"depthwiseRowBlocks", "depthwise-row-blocks", "bool", /*default=*/"false",
           "Unit-stride depthwise convolutions tile into blocks of one channel x up to 4 "
           "rows x a row of columns, the channel's weights loop invariant, instead of blocks "
           "of channels (qcc turns it on for x86, where it is measured faster; AArch64 keeps "
           "channel blocks until measured on hardware)">,
    Option<"blockedLanes", "blocked-lanes", "unsigned", /*default=*/"0",
           "Float convolutions (regular and depthwise) on channel-blocked NCHWc activations "
           "with this many channels per block, packed/unpacked with tensor.pack/unpack "
           "(qcc-propagate-channel-blocks removes the pairs between layers); 0 keeps NCHW">
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::func::FuncDialect", "::mlir::scf::SCFDialect"];
}

#endif // QCC_CONVERSION_PASSES_TD
