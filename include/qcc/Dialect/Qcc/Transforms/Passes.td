//===- Passes.td - transformations of the qcc dialect ------*- tablegen -*-===//
#ifndef QCC_DIALECT_QCC_TRANSFORMS_PASSES_TD
#define QCC_DIALECT_QCC_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def QccDecomposeConvTranspose : Pass<"qcc-decompose-conv-transpose", "func::FuncOp"> {
  let summary = "Rewrite qcc.conv_transpose as a qcc.conv2d on the zero-spread input";
  let description = [{
    Runs first in the qcc pipeline, before `qcc-fold-fake-quant`. A transposed convolution
    with strides `s`, dilations `d`, pads `p` and kernel `K` equals a unit-stride
    convolution (same dilations and group) of the input with `s - 1` zeros inserted after
    each element (`reshape` to `N x C x H x 1 x W x 1`, `pad` of the unit dimensions to
    `s`, `reshape` back), padded by `d * (K - 1) - p_begin` before and by what gives the
    declared output size after (a negative amount crops the spread input with a `slice`).
    The weight `C x F/g x KH x KW` becomes `F x C/g x KH x KW` with each window flipped,
    computed at compile time from the constant: a float constant, or an integer constant
    behind `quant.scast` and `qcc.dequantize` (per tensor, or per output channel: axis 1
    becomes axis 0, its parameters repeated for each group). Those moves are data
    movement, so in a QDQ model the convolution folds into an integer kernel.

    The inserted zeros cost `s_h * s_w` times the multiply-adds of the transposed
    convolution itself. A weight that is not constant is an error naming the op.

    ```mlir
    // before
    %y = qcc.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
           dilations = array<i64: 1, 1>, group = 1 : i64}
         : (tensor<1x2x3x3xf32>, tensor<2x4x2x2xf32>) -> tensor<1x4x6x6xf32>
    // after
    %0 = qcc.reshape %x : (tensor<1x2x3x3xf32>) -> tensor<1x2x3x1x3x1xf32>
    %1 = qcc.pad %0 {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1>, value = 0.0 : f32}
         : (tensor<1x2x3x1x3x1xf32>) -> tensor<1x2x3x2x3x2xf32>
    %2 = qcc.reshape %1 : (tensor<1x2x3x2x3x2xf32>) -> tensor<1x2x6x6xf32>
    %y = qcc.conv2d %2, %flipped {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>,
           dilations = array<i64: 1, 1>, group = 1 : i64}
         : (tensor<1x2x6x6xf32>, tensor<4x2x2x2xf32>) -> tensor<1x4x6x6xf32>
    ```
  }];
  let dependentDialects = ["::mlir::quant::QuantizationDialect", "::mlir::arith::ArithDialect"];
}

def QccRuntimeZeroPoints : Pass<"qcc-runtime-zero-points", "func::FuncOp"> {
  let summary = "Integer products with run-time input zero points onto the static path's kernels";
  let description = [{
    `qcc.conv_integer` and `qcc.matmul_integer` (ONNX Runtime's ConvInteger / MatMulInteger
    after DynamicQuantizeLinear, TFLite's hybrid kernels) take their input's zero point at
    run time, and their own lowering is a plain loop nest. With a constant weight of one
    zero point `zw`, `sum((x - z) * (w - zw)) = sum(x * (w - zw)) - z * sum(w - zw)`: this
    pass rewrites each into the integer `qcc.conv2d` / `qcc.matmul` of the stored input
    (viewed with zero point 0 and scale 1) and the weight (zero point `zw`), whose
    lowering uses the dot-product kernels, then a `qcc.zero_point_correction` that
    subtracts `z` times the per-channel constant sums of `w - zw`, computed here. A zero
    point that is always 0 (a constant, or TFLite's symmetric scheme) needs no
    correction. Padding must read the input's zero point: a run-time one is padded in
    first (`qcc.pad_with`), and the convolution runs unpadded (the padded positions then
    contribute `(w - zw) * z`, which the correction removes with the rest).

    ```mlir
    // before
    %q, %s, %z = qcc.dynamic_quantize %x {scheme = "asymmetric"} : ...
    %acc = qcc.matmul_integer %q, %w, %z, %zw : (tensor<2x16xi8>, tensor<16x8xi8>, tensor<2xi8>, tensor<i8>) -> tensor<2x8xi32>
    // after
    %a = quant.scast %q : tensor<2x16xi8> to tensor<2x16x!quant.uniform<i8:f32, 1.0>>
    %b = quant.scast %w : tensor<16x8xi8> to tensor<16x8x!quant.uniform<i8:f32, 1.0>>
    %m = qcc.matmul %a, %b : ... -> tensor<2x8x!quant.uniform<i32:f32, 1.0>>
    %i = quant.scast %m : ... to tensor<2x8xi32>
    %acc = qcc.zero_point_correction %i, %z, %sums {zero_point_axis = 0 : i64, sums_axis = 1 : i64} : ...
    ```
  }];
  let dependentDialects = ["::mlir::quant::QuantizationDialect", "::mlir::arith::ArithDialect"];
}

def QccFoldFakeQuant : Pass<"qcc-fold-fake-quant", "func::FuncOp"> {
  let summary = "Fold DequantizeLinear -> op -> QuantizeLinear groups into integer ops";
  let description = [{
    QDQ ("fake quantization") models compute `quantize(op(dequantize(x), dequantize(w)))`.
    This pass rewrites each such group rooted at a `qcc.quantize` into the op's integer form
    and, where the op yields an int32 accumulator, a `qcc.requantize` whose multipliers are
    computed at compile time in the order ONNX Runtime uses:

    - conv2d / gemm / matmul: int32 accumulation of `(x - zp_x) * (w - zp_w)` plus the int32
      bias, requantized by `(s_x * s_w[c]) / s_y` (per output channel for per-channel
      weights). Weights must be constants; they stay int8 in the object.
    - add(matmul(a, b), bias) of 2-D operands with a constant per-column bias (tf2onnx's
      FULLY_CONNECTED): the integer gemm with that bias.
    - global_avg_pool: int32 sum, requantized by `s_x / (s_y * H * W)`.
    - add, mul: the integer forms of `qcc.add` and `qcc.mul` (both inputs and the output
      8-bit per tensor).
    - max_pool, reshape, transpose, slice, gather, gather_nd, nearest resize, concat, pad:
      run on the stored integers; inputs whose parameters differ from the output's are requantized first
      (pad's added positions hold its value quantized with the output's parameters).
    - argmax of a dequantized 8-bit tensor: argmax of its stored integers.
    - `quantize(dequantize(q))`: the identity, or one requantize.
    - softmax whose quantize has TFLite's softmax parameters (scale 1/256, zero point at
      the storage minimum): the integer `qcc.softmax` (fake-quant arithmetic with
      `--requant=float`, TFLite Micro's integer-only kernel with `--requant=fixed`).

    - sigmoid, tanh, hard_swish, exp, sqrt, rsqrt, leaky_relu on an 8-bit input with an 8-bit
      result: a 256-entry `qcc.table` built at compile time from the f32 function, as the
      fake-quant graph computes it. With `requant-mode=fixed`, leaky_relu's table is
      TFLite's integer LEAKY_RELU instead (`x - zp_x` times the Q31 multiplier of
      `s_x / s_y` where it is non-negative, of `alpha * s_x / s_y` where it is negative,
      plus `zp_y`, saturated).
    - constant u8 weights of conv2d / gemm / matmul whose values `w - zp` all fit in s8 are
      re-encoded as those s8 values with zero point 0 (same scales, same integer products):
      the dot-product kernels (VPDPBUSD, SDOT) take signed weights of zero point 0.

    A ReLU or Clip between the op and the quantize is absorbed into the requantize's clamp:
    quantization is monotone, so `quantize(clip(v, lo, hi)) = clamp(quantize(v), quantize(lo),
    quantize(hi))` exactly.

    Groups that do not match (a float value used elsewhere, non-constant weights, an
    unsupported op, parameters the integer kernels cannot take) stay in fake-quant form,
    which remains correct.
  }];
  let dependentDialects = ["::mlir::quant::QuantizationDialect"];
  let options = [
    Option<"requantMode", "requant-mode", "::mlir::qcc::RequantMode",
           /*default=*/"::mlir::qcc::RequantMode::Float",
           "The reference arithmetic of the tables whose integer kernels differ",
           [{::llvm::cl::values(
               clEnumValN(::mlir::qcc::RequantMode::Float, "float",
                          "the fake-quant graph's f32 arithmetic (ONNX Runtime)"),
               clEnumValN(::mlir::qcc::RequantMode::Fixed, "fixed",
                          "TFLite's integer kernels"))}]>
  ];
}

def QccFuseRequantize : Pass<"qcc-fuse-requantize", "func::FuncOp"> {
  let summary = "Fuse requantization into its producer and merge chains of requantizations";
  let description = [{
    Runs after `qcc-fold-fake-quant`; every rewrite leaves each result bit-identical in both
    `--requant` modes.

    - `qcc.requantize` of an int32 `qcc.conv2d` / `qcc.matmul` / `qcc.gemm` accumulator (with
      no other user) becomes the producer's epilogue: the producer gets an 8-bit result and
      the attributes `accumulator` (the int32 type), `multiplier` (precomputed here when the
      requantize had none: `scale_in / scale_out` per channel, in f32) and `clamp_min` /
      `clamp_max`. The lowering computes it on each register block of the accumulator, so
      no int32 tensor is written to memory.
    - A requantize that only shifts the zero point and clamps (equal scales, multiplier 1)
      merges into the requantization before it: the clamps intersect, shifted by the
      zero-point difference. This is how a ReLU/Clip or a change of storage type following
      a requantization disappears.
    - A requantize to its own type with multiplier 1 and no clamp, and
      `quantize(dequantize(q))` with equal parameters, are removed.

    Requantize chains that change the scale twice are left alone: one rounding instead of
    two would change results.

    ```mlir
    // before
    %acc = qcc.conv2d %x, %w, %b {...} : (...) -> tensor<1x8x4x4x!quant.uniform<i32:f32, 1.0e-3>>
    %y = qcc.requantize %acc {clamp_min = -128 : i64}
         : (tensor<1x8x4x4x!quant.uniform<i32:f32, 1.0e-3>>) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 0.05:-128>>
    // after
    %y = qcc.conv2d %x, %w, %b {accumulator = !quant.uniform<i32:f32, 1.0e-3>,
           multiplier = array<f32: 0.02>, ...} : (...) -> tensor<1x8x4x4x!quant.uniform<i8:f32, 0.05:-128>>
    ```
  }];
  let dependentDialects = ["::mlir::quant::QuantizationDialect"];
}

def QccDistinctResults : Pass<"qcc-distinct-results", "func::FuncOp"> {
  let summary = "Read-only arguments, and a value of its own for every tensor result";
  let description = [{
    Runs on tensors, just before bufferization, and sets up the function boundary the C
    interface promises: inputs are only read, each output is written.

    Every tensor argument is marked `bufferization.writable = false`: one-shot
    bufferization would otherwise compute an op in place in an argument's buffer when the
    op's destination is the argument (a Gemm accumulating onto its runtime bias C wrote the
    result into the caller's input C).

    Each result of a function becomes an
    out-parameter that its producer writes directly (buffer-results-to-out-params), which
    needs every returned value to be a distinct buffer the function allocates. A graph whose
    output is one of its inputs (ONNX Identity, Dropout in inference, a Clip whose bounds
    change nothing, the same tensor listed twice as output, a constant output) returns a
    function argument, a constant or the same value twice. This pass returns a copy
    (`linalg.copy` into a fresh `tensor.empty`) in those cases:

    - a function argument (or a reshape of one: bufferization makes it a view of the
      argument);
    - a constant;
    - a value already returned at an earlier position.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect"];
}

def QccQuantize : Pass<"qcc-quantize", "func::FuncOp"> {
  let summary = "Post-training quantization: a float model with calibrated ranges made QDQ";
  let description = [{
    `qcc --quantize=int8 --calib=FILE.npz` runs the float model on the calibration set
    (lib/Calibration) and leaves on each observed tensor its range, `qcc.calib_range =
    array<f32: min, max>` (on the op for its first result, on an entry argument as an
    argument attribute). This pass turns that float model into the fake-quant (QDQ) form
    qcc-fold-fake-quant folds into integer kernels, the form ONNX Runtime's quantizer writes:

    - Layers (conv2d, gemm without trans_a, matmul with an f32 constant weight) get
      symmetric int8 weights in [-127, 127], zero point 0, one scale per output channel
      (`per-channel`, default) or per tensor: `max|w| / 127`. Their float biases stay
      float; qcc-fold-fake-quant rounds them to int32 at the accumulator's scale.
    - Each calibrated tensor is quantized and dequantized: asymmetric int8 over its range
      widened to contain 0 (`scale = (max - min) / 255`, `zp = round(-128 - min / scale)`),
      or symmetric int16 (`scale = max(|min|, |max|) / 32767`, zero point 0) where a layer
      of precision `int16` produces or reads it. Reshape, transpose, max pool, slice and
      pad outputs take their input's parameters (no requantization); softmax's output
      TFLite's `1/256, -128`. A tensor whose only use is a ReLU, Clip or BatchNormalization
      is not quantized: qcc-fold-fake-quant absorbs those into the producer.
    - A layer's `qcc.precision` (set by qcc-mixed-precision or --layer-precision) chooses:
      `int8` (default), `int16` (16-bit input and output, 8-bit weights) or `float` (float
      weights; its input and output are quantized only where another layer reads or writes
      them quantized).

    ```mlir
    // before
    %y = qcc.conv2d %x, %w {qcc.calib_range = array<f32: -1.0, 3.0>, ...}
    // after
    %wq = arith.constant dense<...> : tensor<8x4x3x3xi8>
    %ws = quant.scast %wq : ... to tensor<8x4x3x3x!quant.uniform<i8<-127:127>:f32:0, {...}>>
    %wf = qcc.dequantize %ws
    %c = qcc.conv2d %x, %wf {...}
    %q = qcc.quantize %c : ... -> tensor<...x!quant.uniform<i8:f32, 0.0156...:-64>>
    %y = qcc.dequantize %q
    ```
  }];
  let dependentDialects = ["::mlir::quant::QuantizationDialect", "::mlir::arith::ArithDialect"];
  let options = [
    Option<"perChannel", "per-channel", "bool", /*default=*/"true",
           "One weight scale per output channel (false: one per tensor)">
  ];
}

def QccMixedPrecision : Pass<"qcc-mixed-precision", "func::FuncOp"> {
  let summary = "Choose each layer's precision under an output-SQNR budget";
  let description = [{
    Each layer (see qcc-quantize) carries `qcc.sensitivity = {int8 = S8, int16 = S16}`: the
    model's output SQNR against float, in dB, measured on the calibration set with only
    that layer quantized at that precision (`qcc --precision=mixed` measures them). The
    pass predicts the model's noise-to-signal ratio as the sum of the layers'
    (`10^(-S/10)` each; float adds none) and chooses precisions so that the prediction meets
    `sqnr` (dB) at the least estimated cost:

    - every layer starts at int8 (the cheapest precision with a sensitivity);
    - while the prediction misses the budget, the upgrade (int8 -> int16, int8 or int16 ->
      float) removing the most noise per unit of cost added is taken.

    Cost (`optimize`): `latency` (default) counts a layer's multiply-accumulates, 1.5x at
    int16 and 2.5x in float (qcc's kernels on a 3x3 + 1x1 convolution pair, 64 channels,
    28x28, measured on an AMD EPYC Zen 4: int16 1.03x (AVX2) to 1.57x (AVX-512) the int8
    time, float 2.1x to 2.4x); `size` counts its weight bytes (float 4x). The quantize and
    dequantize passes where precisions change are not counted. A layer whose `qcc.precision` is already set (--layer-precision)
    keeps it. The result is `qcc.precision` on every layer; qcc-quantize reads it. When no
    choice meets the budget, everything upgradable is upgraded and a remark says so; the
    driver then measures the real SQNR and reports it.

    ```mlir
    // before (budget sqnr=30)
    %a = qcc.conv2d ... {qcc.sensitivity = {int8 = 45.0 : f32, int16 = 70.0 : f32}}
    %b = qcc.conv2d ... {qcc.sensitivity = {int8 = 28.0 : f32, int16 = 60.0 : f32}}
    // after
    %a = qcc.conv2d ... {qcc.precision = "int8", ...}
    %b = qcc.conv2d ... {qcc.precision = "int16", ...}
    ```
  }];
  let options = [
    Option<"sqnr", "sqnr", "double", /*default=*/"30.0",
           "The budget: the model's output SQNR against float, in dB">,
    Option<"optimize", "optimize", "::mlir::qcc::Objective",
           /*default=*/"::mlir::qcc::Objective::Latency", "What to minimise",
           [{::llvm::cl::values(
               clEnumValN(::mlir::qcc::Objective::Latency, "latency",
                          "estimated latency (MACs weighted by precision)"),
               clEnumValN(::mlir::qcc::Objective::Size, "size", "weight bytes"))}]>
  ];
}

#endif // QCC_DIALECT_QCC_TRANSFORMS_PASSES_TD
