//===- QccOps.td - qcc dialect operations ------------------*- tablegen -*-===//
#ifndef QCC_DIALECT_QCC_IR_QCCOPS_TD
#define QCC_DIALECT_QCC_IR_QCCOPS_TD

include "qcc/Dialect/Qcc/IR/QccDialect.td"
include "mlir/Dialect/Quant/QuantOpsBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/OpBase.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Qcc_FloatTensor : RankedTensorOf<[F32]>;
def Qcc_QuantTensor : RankedTensorOf<[quant_QuantizedType]>;
// Float, or quantized (after qcc-fold-fake-quant).
def Qcc_NumericTensor : RankedTensorOf<[F32, quant_QuantizedType]>;
// Any tensor a data-movement op may carry: float, quantized or plain integer.
def Qcc_AnyTensor : RankedTensorOf<[F32, quant_QuantizedType, AnySignlessInteger]>;

//===----------------------------------------------------------------------===//
// Convolution and matrix products
//===----------------------------------------------------------------------===//

// A requantization fused into the producing contraction by `qcc-fuse-requantize`: the op
// computes its int32 accumulator (typed `accumulator`) and requantizes it to the 8-bit result
// exactly as `qcc.requantize` with these `multiplier`, `clamp_min` and `clamp_max` would.
defvar Qcc_EpilogueAttrs = (ins OptionalAttr<TypeAttr>:$accumulator,
                                OptionalAttr<DenseF32ArrayAttr>:$multiplier,
                                OptionalAttr<I64Attr>:$clamp_min,
                                OptionalAttr<I64Attr>:$clamp_max);

def Qcc_Conv2DOp : Qcc_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution (ONNX Conv), NCHW input, OIHW weight";
  let description = [{
    Grouped 2-D convolution with ONNX Conv semantics. `input` is `N x C x H x W`, `weight` is
    `F x C/group x KH x KW`, the optional `bias` has `F` elements. `pads` is
    `[top, left, bottom, right]` (ONNX order: all begins, then all ends); padding reads zero.
    `group == C == F` is a depthwise convolution.

    ```mlir
    %y = qcc.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
           dilations = array<i64: 1, 1>, group = 1 : i64}
         : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
    ```

    Integer form (after `qcc-fold-fake-quant`): the input is per-tensor 8-bit, the weight
    8-bit per tensor or per output channel (axis 0) with one zero point, the bias int32 with
    zero point 0, and the result is the exact int32 accumulator
    `sum((x - zp_x) * (w - zp_w)) + bias`, typed `!quant.uniform<i32:f32:1, {s_x * s_w[f]}>`.
    Padding reads `zp_x`. A `qcc.requantize` turns it into 8 bits.

    Fused form (after `qcc-fuse-requantize`): with the `accumulator` attribute the result is
    8-bit: the accumulator (of that int32 type) requantized by `multiplier` and narrowed by
    `clamp_min` / `clamp_max`, with `qcc.requantize`'s semantics, in the kernel's epilogue.
  }];
  let arguments = !con((ins Qcc_NumericTensor:$input, Qcc_NumericTensor:$weight,
                       Optional<Qcc_NumericTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       ConfinedAttr<I64Attr, [IntPositive]>:$group), Qcc_EpilogueAttrs);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let builders = [OpBuilder<(ins "Type":$output, "Value":$input, "Value":$weight, "Value":$bias,
      "DenseI64ArrayAttr":$strides, "DenseI64ArrayAttr":$pads, "DenseI64ArrayAttr":$dilations,
      "IntegerAttr":$group), [{
    build($_builder, $_state, output, input, weight, bias, strides, pads, dilations, group,
          TypeAttr(), DenseF32ArrayAttr(), IntegerAttr(), IntegerAttr());
  }]>];
  let hasVerifier = 1;
}

def Qcc_ConvTransposeOp : Qcc_Op<"conv_transpose", [Pure]> {
  let summary = "2-D transposed convolution (ONNX ConvTranspose, TFLite TRANSPOSE_CONV), NCHW";
  let description = [{
    The gradient of `qcc.conv2d` with respect to its input, with ONNX ConvTranspose
    semantics. `input` is `N x C x H x W`, `weight` is `C x F/group x KH x KW` (ONNX's
    order: input channels first), the optional `bias` has `F` elements. Input element
    `(c, ih, iw)` times weight `(c, f, kh, kw)` adds to output element
    `(g * F/group + f, ih * stride - pad_top + kh * dilation, ...)`, `g` the group of `c`,
    plus the bias. `pads` is `[top, left, bottom, right]`; the result type gives the output
    size, which may exceed `stride * (H - 1) + dilation * (KH - 1) + 1 - pad_top -
    pad_bottom` (ONNX's `output_padding` and `output_shape`): those positions receive only
    the bias.

    ```mlir
    %y = qcc.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
           dilations = array<i64: 1, 1>, group = 1 : i64}
         : (tensor<1x8x4x4xf32>, tensor<8x3x3x3xf32>) -> tensor<1x3x7x7xf32>
    ```

    f32 only: `qcc-decompose-conv-transpose` rewrites it into a `qcc.conv2d` on the input
    with `stride - 1` zeros inserted between its elements, with the weight transposed to
    OIHW and flipped at compile time, which `qcc-fold-fake-quant` then folds like any
    convolution.
  }];
  let arguments = (ins Qcc_FloatTensor:$input, Qcc_FloatTensor:$weight,
                       Optional<Qcc_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       ConfinedAttr<I64Attr, [IntPositive]>:$group);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_MatMulOp : Qcc_Op<"matmul", [Pure]> {
  let summary = "matrix product with batch broadcasting (ONNX MatMul)";
  let description = [{
    `numpy.matmul` semantics for operands of rank 2 or more: the last two dimensions are
    multiplied, leading (batch) dimensions broadcast.

    ```mlir
    %c = qcc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    ```

    Integer form: 8-bit per-tensor `lhs`, 8-bit `rhs` per tensor or per column (last
    axis), int32 accumulator result `sum((a - zp_a) * (b - zp_b))`; fused with its
    requantization like `qcc.conv2d` when `accumulator` is set.
  }];
  let arguments = !con((ins Qcc_NumericTensor:$lhs, Qcc_NumericTensor:$rhs), Qcc_EpilogueAttrs);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let builders = [OpBuilder<(ins "Type":$output, "Value":$lhs, "Value":$rhs), [{
    build($_builder, $_state, output, lhs, rhs, TypeAttr(), DenseF32ArrayAttr(), IntegerAttr(),
          IntegerAttr());
  }]>];
  let hasVerifier = 1;
}

def Qcc_GemmOp : Qcc_Op<"gemm", [Pure]> {
  let summary = "general matrix multiply (ONNX Gemm): alpha * op(A) * op(B) + beta * C";
  let description = [{
    `A` and `B` are 2-D; `op(X)` transposes `X` when `trans_a` / `trans_b` is set. The optional
    `C` broadcasts (unidirectionally) to the `M x N` result. This is the fully-connected layer.

    ```mlir
    %y = qcc.gemm %x, %w, %b {trans_b = true}
         : (tensor<1x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    ```

    Integer form: 8-bit per-tensor `a`, 8-bit `b` per tensor or per output column, int32
    `c` (zero point 0), `alpha = beta = 1`; the result is the int32 accumulator, or its
    requantization like `qcc.conv2d` when `accumulator` is set.
  }];
  let arguments = !con((ins Qcc_NumericTensor:$a, Qcc_NumericTensor:$b,
                       Optional<Qcc_NumericTensor>:$c,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0f">:$beta), Qcc_EpilogueAttrs);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let builders = [OpBuilder<(ins "Type":$output, "Value":$a, "Value":$b, "Value":$c,
      "BoolAttr":$trans_a, "BoolAttr":$trans_b, "FloatAttr":$alpha, "FloatAttr":$beta), [{
    build($_builder, $_state, output, a, b, c, trans_a, trans_b, alpha, beta, TypeAttr(),
          DenseF32ArrayAttr(), IntegerAttr(), IntegerAttr());
  }]>];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class Qcc_BroadcastBinaryOp<string mnemonic, string onnxName> : Qcc_Op<mnemonic, [Pure]> {
  let summary = "elementwise " # mnemonic # " with numpy broadcasting (ONNX " # onnxName # ")";
  let description = [{
    Multidirectional (numpy) broadcasting: shapes are aligned on the right and a dimension of
    size 1 stretches. The result has the broadcast shape.

    ```mlir
    %z = qcc.}] # mnemonic # [{ %x, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
    ```

    `qcc.add` also has an integer form on 8-bit per-tensor operands and result:
    `y = saturate(round_half_even(rA * (a - zA) + rB * (b - zB)) + zC)` with
    `rA = sA / sC`, `rB = sB / sC` (see docs/quantization.md for the exact evaluation order).
    `qcc.mul` has one too: `y = saturate(round_half_even(float((a - zA) * (b - zB)) * r + zC))`
    with `r = sA * sB / sC` (ONNX Runtime's QLinearMul).
  }];
  let arguments = (ins Qcc_NumericTensor:$lhs, Qcc_NumericTensor:$rhs);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_AddOp : Qcc_BroadcastBinaryOp<"add", "Add">;
def Qcc_SubOp : Qcc_BroadcastBinaryOp<"sub", "Sub">;
def Qcc_MulOp : Qcc_BroadcastBinaryOp<"mul", "Mul">;
def Qcc_DivOp : Qcc_BroadcastBinaryOp<"div", "Div">;
// On QDQ models these stay fake-quant (f32 between a dequantize and a quantize): with the
// same parameters on both operands and the result, as TFLite's MAXIMUM/MINIMUM require, that
// computes the same integers as a maximum of the stored values.
def Qcc_MaxOp : Qcc_BroadcastBinaryOp<"max", "Max">;
def Qcc_MinOp : Qcc_BroadcastBinaryOp<"min", "Min">;

def Qcc_PReluOp : Qcc_Op<"prelu", [Pure]> {
  let summary = "parametric ReLU: y = x >= 0 ? x : slope * x (ONNX PRelu, TFLite PRELU)";
  let description = [{
    `slope` broadcasts to `x` (numpy rules, aligned on the right); the result has `x`'s
    shape. f32 only: on quantized models `qcc-fold-fake-quant` turns
    `quantize(prelu(dequantize(x), constant slope))` into a per-channel `qcc.table`.

    ```mlir
    %y = qcc.prelu %x, %slope : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input, Qcc_FloatTensor:$slope);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "$input `,` $slope attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_ReluOp : Qcc_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "max(x, 0) (ONNX Relu)";
  let description = [{
    ```mlir
    %y = qcc.relu %x : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Qcc_ClampOp : Qcc_Op<"clamp", [Pure, SameOperandsAndResultType]> {
  let summary = "min(max(x, min), max) (ONNX Clip; ReLU6 is min = 0, max = 6)";
  let description = [{
    ```mlir
    %y = qcc.clamp %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input, F32Attr:$min, F32Attr:$max);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

class Qcc_UnaryFloatOp<string mnemonic, string onnxName, string formula>
    : Qcc_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = formula # " (ONNX " # onnxName # ")";
  let description = [{
    Elementwise on f32. On QDQ models `qcc-fold-fake-quant` turns
    `quantize(}] # mnemonic # [{(dequantize(x)))` into a 256-entry `qcc.table`.

    ```mlir
    %y = qcc.}] # mnemonic # [{ %x : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Qcc_SigmoidOp : Qcc_UnaryFloatOp<"sigmoid", "Sigmoid", "1 / (1 + exp(-x))">;
def Qcc_TanhOp : Qcc_UnaryFloatOp<"tanh", "Tanh", "tanh(x)">;
def Qcc_HardSwishOp : Qcc_UnaryFloatOp<"hard_swish", "HardSwish", "x * clamp(x / 6 + 1/2, 0, 1)">;
def Qcc_ExpOp : Qcc_UnaryFloatOp<"exp", "Exp", "exp(x)">;
def Qcc_SqrtOp : Qcc_UnaryFloatOp<"sqrt", "Sqrt", "sqrt(x)">;
def Qcc_RsqrtOp : Qcc_UnaryFloatOp<"rsqrt", "Reciprocal(Sqrt)", "1 / sqrt(x)">;

def Qcc_LeakyReluOp : Qcc_Op<"leaky_relu", [Pure, SameOperandsAndResultType]> {
  let summary = "x >= 0 ? x : alpha * x (ONNX LeakyRelu)";
  let description = [{
    Elementwise on f32. On QDQ models `qcc-fold-fake-quant` turns
    `quantize(leaky_relu(dequantize(x)))` into a 256-entry `qcc.table`.

    ```mlir
    %y = qcc.leaky_relu %x {alpha = 0.1 : f32} : tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input, F32Attr:$alpha);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Qcc_TableOp : Qcc_Op<"table", [Pure]> {
  let summary = "8-bit lookup table: y = table[x - storage_min], or one table per channel";
  let description = [{
    Maps every stored 8-bit value of a per-tensor quantized operand through a 256-entry table
    of stored result values, built at compile time (by `qcc-fold-fake-quant` from a float
    function: dequantize each of the 256 inputs, apply the function in f32, quantize).
    With `axis`, the table holds one 256-entry table per index along that dimension
    (`table[c * 256 + x - storage_min]`): per-channel functions such as PRelu.

    ```mlir
    %y = qcc.table %x {table = array<i32: ...256 values...>}
         : (tensor<1x8x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x8x!quant.uniform<u8:f32, 0.00390625>>
    ```
  }];
  let arguments = (ins Qcc_QuantTensor:$input, DenseI32ArrayAttr:$table,
                       OptionalAttr<I64Attr>:$axis);
  let results = (outs Qcc_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_SoftmaxOp : Qcc_Op<"softmax", [Pure, SameOperandsAndResultShape]> {
  let summary = "softmax along one axis (ONNX Softmax, opset 13)";
  let description = [{
    `exp(x - max(x)) / sum(exp(x - max(x)))` along `axis` (negative counts from the end).

    ```mlir
    %y = qcc.softmax %x {axis = -1 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>
    ```

    Integer form: 8-bit per-tensor input and result, the result with scale 1/256 and its
    storage minimum as zero point (0 for u8, -128 for i8: TFLite's softmax output). With
    `--requant=float` it computes what the fake-quant graph computes (dequantize, f32
    softmax, quantize). With `--requant=fixed` it is integer-only, TFLite Micro's
    quantized softmax (gemmlowp fixed point): `d = x - max(x)` (stored values) is scaled
    by the Q31 multiplier of `s_x * 2^26` into Q5.26, positions with `d` below
    `-CalculateInputRadius(5, shift)` contribute 0, `exp` is gemmlowp's
    `exp_on_negative_values` (Q0.31), the sum is accumulated in Q12.19, its reciprocal is
    `one_over_one_plus_x_for_x_in_0_1` (Newton-Raphson) after normalizing by the leading
    zeros, and each result is `RoundingDivideByPOT(recip * exp, bits_over_unit + 23)`
    plus the storage minimum, saturated.
  }];
  let arguments = (ins Qcc_NumericTensor:$input, I64Attr:$axis);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_BatchNormOp : Qcc_Op<"batch_norm", [Pure]> {
  let summary = "inference-mode batch normalization (ONNX BatchNormalization)";
  let description = [{
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, per channel (dimension 1).

    ```mlir
    %y = qcc.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
         : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>)
         -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input, Qcc_FloatTensor:$scale, Qcc_FloatTensor:$bias,
                       Qcc_FloatTensor:$mean, Qcc_FloatTensor:$variance, F32Attr:$epsilon);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Qcc_MaxPoolOp : Qcc_Op<"max_pool", [Pure]> {
  let summary = "2-D max pooling (ONNX MaxPool), NCHW";
  let description = [{
    `pads` is `[top, left, bottom, right]`; padded positions never win. With `ceil_mode` the
    output size rounds up, but a window that would start inside the end padding is dropped.

    ```mlir
    %y = qcc.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>,
           pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
         : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
    ```

    On a quantized operand (positive scale) the maximum is taken on the stored integers and
    the type passes through.
  }];
  let arguments = (ins Qcc_NumericTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_AvgPoolOp : Qcc_Op<"avg_pool", [Pure]> {
  let summary = "2-D average pooling (ONNX AveragePool), NCHW";
  let description = [{
    `pads` is `[top, left, bottom, right]`. With `count_include_pad` the divisor counts padded
    positions (but not positions past the end padding that `ceil_mode` adds).

    ```mlir
    %y = qcc.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>,
           pads = array<i64: 0, 0, 0, 0>, ceil_mode = false, count_include_pad = false}
         : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
    ```

    Integer form: 8-bit per-tensor input and result. With `--requant=float` it computes
    ONNX Runtime's QLinearAveragePool (f32 average of the dequantized window,
    `round_half_even(avg / s_y + zp_y)`); with `--requant=fixed` TFLite's int8 average
    (integer sum, division by the count rounding half away from zero).
  }];
  let arguments = (ins Qcc_NumericTensor:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_GlobalAvgPoolOp : Qcc_Op<"global_avg_pool", [Pure]> {
  let summary = "mean over all spatial positions (ONNX GlobalAveragePool)";
  let description = [{
    `N x C x H x W -> N x C x 1 x 1`.

    ```mlir
    %y = qcc.global_avg_pool %x : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
    ```

    Integer form: on an 8-bit per-tensor input the result is the int32 sum
    `sum(x - zp_x)` over H x W, typed with scale `s_x / (H * W)` so that it still
    represents the mean; a `qcc.requantize` follows.
  }];
  let arguments = (ins Qcc_NumericTensor:$input);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Qcc_ReshapeOp : Qcc_Op<"reshape", [Pure]> {
  let summary = "reinterpret a tensor with a new static shape (Reshape, Flatten, Squeeze, Unsqueeze)";
  let description = [{
    Row-major order is kept; only the shape changes, given by the result type.

    ```mlir
    %y = qcc.reshape %x : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Qcc_AnyTensor:$input);
  let results = (outs Qcc_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Qcc_TransposeOp : Qcc_Op<"transpose", [Pure]> {
  let summary = "permute dimensions (ONNX Transpose)";
  let description = [{
    Result dimension `i` is input dimension `perm[i]`.

    ```mlir
    %y = qcc.transpose %x {perm = array<i64: 0, 2, 3, 1>}
         : (tensor<1x8x4x4xf32>) -> tensor<1x4x4x8xf32>
    ```
  }];
  let arguments = (ins Qcc_AnyTensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Qcc_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_ConcatOp : Qcc_Op<"concat", [Pure]> {
  let summary = "join tensors along one axis (ONNX Concat)";
  let description = [{
    All operands share the element type and every dimension but `axis` (non-negative).

    ```mlir
    %y = qcc.concat %a, %b {axis = 1 : i64}
         : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
    ```
  }];
  let arguments = (ins Variadic<Qcc_AnyTensor>:$inputs, I64Attr:$axis);
  let results = (outs Qcc_AnyTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_SliceOp : Qcc_Op<"slice", [Pure]> {
  let summary = "a strided box of a tensor (ONNX Slice and Split, TFLite SLICE, STRIDED_SLICE, SPLIT)";
  let description = [{
    Result element `i` is input element `offsets + i * strides` (per dimension); the result
    type gives the box's size. Offsets are in range and strides positive (the importers
    normalize negative starts, clamped ends and reversed slices away, or refuse them).

    ```mlir
    %y = qcc.slice %x {offsets = array<i64: 0, 2, 0, 0>, strides = array<i64: 1, 1, 1, 1>}
         : (tensor<1x8x4x4xf32>) -> tensor<1x3x4x4xf32>
    ```
    On a quantized operand the stored integers move and the type passes through.
  }];
  let arguments = (ins Qcc_AnyTensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$strides);
  let results = (outs Qcc_AnyTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_PadOp : Qcc_Op<"pad", [Pure]> {
  let summary = "constant padding (ONNX Pad mode=constant, TFLite PAD and PADV2)";
  let description = [{
    `pads` holds the elements added before each dimension, then after each (ONNX order);
    the added positions hold `value`, a real number: on a quantized tensor, its
    quantization with the result's parameters (a zero pad is the zero point).

    ```mlir
    %y = qcc.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.0 : f32}
         : (tensor<1x8x4x4xf32>) -> tensor<1x8x6x6xf32>
    ```
  }];
  let arguments = (ins Qcc_NumericTensor:$input, DenseI64ArrayAttr:$pads, F32Attr:$value);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_ResizeOp : Qcc_Op<"resize", [Pure]> {
  let summary = "spatial resize of an NCHW tensor by index maps (ONNX Resize, TFLite RESIZE_*)";
  let description = [{
    The importers resolve their framework's coordinate rules (ONNX's
    coordinate_transformation_mode and nearest_mode, TFLite's align_corners and
    half_pixel_centers) into maps over the output rows and columns, so the op itself has one
    meaning. Nearest (`mode = "nearest"`): `y[n, c, i, j] = x[n, c, rows[i], cols[j]]`.
    Linear (`mode = "linear"`): with `rows`/`cols` the lower source indices, `rows_hi` /
    `cols_hi` the upper ones and `row_weights` / `col_weights` the weights of the upper ones,
    `y = (1 - wr) * ((1 - wc) * x[r0, c0] + wc * x[r0, c1]) + wr * ((1 - wc) * x[r1, c0] + wc * x[r1, c1])`,
    in f32.

    ```mlir
    %y = qcc.resize %x {mode = "nearest", rows = array<i64: 0, 0, 1, 1>, cols = array<i64: 0, 0, 1, 1>}
         : (tensor<1x8x2x2xf32>) -> tensor<1x8x4x4xf32>
    ```
    Nearest on a quantized operand moves the stored integers; linear is f32 only.

    TFLite's kernels for 8-bit tensors (operand and result of one type), on the stored
    values `q`: `mode = "linear_q10"` (int8, ResizeBilinearInteger): the weights are
    integers in 1/1024 units, `acc = q[r0, c0] * (1024 - wr) * (1024 - wc) + q[r1, c0] * wr *
    (1024 - wc) + q[r0, c1] * (1024 - wr) * wc + q[r1, c1] * wr * wc`, result
    `(acc + (acc > 0 ? 2^19 : -2^19)) / 2^20` truncated toward zero. `mode =
    "linear_tflite"` (uint8, the float ResizeBilinear): in f32, left to right,
    `q[r0, c0] * (1 - wr) * (1 - wc) + q[r1, c0] * wr * (1 - wc) + q[r0, c1] * (1 - wr) * wc +
    q[r1, c1] * wr * wc + 0.5`, truncated.
  }];
  let arguments = (ins Qcc_NumericTensor:$input, StrAttr:$mode, DenseI64ArrayAttr:$rows,
                       DenseI64ArrayAttr:$cols, OptionalAttr<DenseI64ArrayAttr>:$rows_hi,
                       OptionalAttr<DenseI64ArrayAttr>:$cols_hi,
                       OptionalAttr<DenseF32ArrayAttr>:$row_weights,
                       OptionalAttr<DenseF32ArrayAttr>:$col_weights);
  let results = (outs Qcc_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_ArgMaxOp : Qcc_Op<"argmax", [Pure]> {
  let summary = "index of the largest element along one axis (ONNX ArgMax, TFLite ARG_MAX)";
  let description = [{
    The result has the input's shape with `axis` of size 1 (`keepdims`) or removed, and a
    signless integer element type (i32 or i64). Ties go to the first index, or to the
    last with `select_last_index`. On a quantized operand (positive scale) the stored
    integers are compared: the order of the real values is theirs.

    ```mlir
    %i = qcc.argmax %x {axis = 1 : i64, keepdims = false}
         : (tensor<1x10xf32>) -> tensor<1xi64>
    ```
  }];
  let arguments = (ins Qcc_NumericTensor:$input, I64Attr:$axis, BoolAttr:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs RankedTensorOf<[I32, I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_ReduceMeanOp : Qcc_Op<"reduce_mean", [Pure]> {
  let summary = "mean over some axes, which the result drops (ONNX ReduceMean)";
  let description = [{
    `axes` are distinct and in range, in increasing order; the result has the input's
    shape without them (the importers reshape for keepdims). The sum is accumulated in f32,
    then multiplied by 1 / count. The spatial mean of an NCHW tensor is
    `qcc.global_avg_pool` instead, which has an integer form.

    ```mlir
    %y = qcc.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x5x3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_TopKOp : Qcc_Op<"topk", [Pure]> {
  let summary = "the k largest (or smallest) elements along one axis (ONNX TopK, TFLite TOPK_V2)";
  let description = [{
    Results: the values and their indices along `axis`, which has size `k` in both, in
    decreasing order (increasing with `largest = false`); equal values keep their index
    order (the lower index first, as ONNX and TFLite specify). On a quantized operand
    (positive scale) the stored integers are compared and move, and the type passes
    through.

    ```mlir
    %v, %i = qcc.topk %x {axis = 1 : i64, k = 3 : i64, largest = true}
         : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
    ```
  }];
  let arguments = (ins Qcc_NumericTensor:$input, I64Attr:$axis, I64Attr:$k,
                       DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs Qcc_NumericTensor:$values, RankedTensorOf<[I32, I64]>:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_GatherOp : Qcc_Op<"gather", [Pure]> {
  let summary = "select slices along one axis by run-time indices (ONNX Gather, TFLite GATHER)";
  let description = [{
    With `r` the input's rank and `q` the indices' rank, the result has shape
    `input[:axis] ++ indices.shape ++ input[axis+1:]` and
    `y[i_0..i_{axis-1}, j_0..j_{q-1}, k...] = x[i_0..i_{axis-1}, idx(indices[j]), k...]`.
    `idx` takes a negative index from the end (ONNX) and clamps the result to
    `[0, dim - 1]`: an index outside the axis reads the nearest element rather than
    memory outside the tensor (ONNX Runtime reports such an index as an error at run time;
    qcc's objects have no error path).

    ```mlir
    %y = qcc.gather %x, %i {axis = 1 : i64}
         : (tensor<1x10x4xf32>, tensor<3xi64>) -> tensor<1x3x4xf32>
    ```
    On a quantized operand the stored integers move and the type passes through.
  }];
  let arguments = (ins Qcc_AnyTensor:$input, RankedTensorOf<[I32, I64]>:$indices,
                       I64Attr:$axis);
  let results = (outs Qcc_AnyTensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_GatherNDOp : Qcc_Op<"gather_nd", [Pure]> {
  let summary = "select elements or slices by index tuples (ONNX GatherND, TFLite GATHER_ND)";
  let description = [{
    The indices' last dimension `k` holds tuples indexing the input's dimensions
    `batch_dims .. batch_dims + k - 1`; the first `batch_dims` dimensions of input and
    indices are shared. The result has shape
    `indices.shape[:-1] ++ input.shape[batch_dims + k:]`. Each index is taken from the end
    when negative and clamped to its dimension, as in `qcc.gather`.

    ```mlir
    %y = qcc.gather_nd %x, %i {batch_dims = 0 : i64}
         : (tensor<4x5x8xf32>, tensor<3x2xi64>) -> tensor<3x8xf32>
    ```
    On a quantized operand the stored integers move and the type passes through.
  }];
  let arguments = (ins Qcc_AnyTensor:$input, RankedTensorOf<[I32, I64]>:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Qcc_AnyTensor:$output);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_CastOp : Qcc_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "element type conversion between f32 and integers (ONNX Cast, TFLite CAST)";
  let description = [{
    Integers are signless; `source_unsigned` / `result_unsigned` say when the source or
    the result is an unsigned type (ONNX and TFLite uint8). Integer to f32 rounds to
    nearest even; f32 to integer truncates toward zero (C's conversion, which ONNX Runtime
    and TFLite use), saturating at the result type's range and giving 0 for NaN (where C
    leaves the result undefined); integer to integer keeps the low bits of the source
    sign- or zero-extended.

    ```mlir
    %y = qcc.cast %i : (tensor<1x4xi64>) -> tensor<1x4xf32>
    %u = qcc.cast %x {result_unsigned = true} : (tensor<1x4xf32>) -> tensor<1x4xi8>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32, AnySignlessInteger]>:$input,
                       DefaultValuedAttr<BoolAttr, "false">:$source_unsigned,
                       DefaultValuedAttr<BoolAttr, "false">:$result_unsigned);
  let results = (outs RankedTensorOf<[F32, AnySignlessInteger]>:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Qcc_DetectionPostProcessOp : Qcc_Op<"detection_postprocess", [Pure]> {
  let summary = "SSD box decoding and non-maximum suppression (TFLite_Detection_PostProcess)";
  let description = [{
    `boxes` (1 x N x K, K >= 4: y, x, h, w per anchor), `scores` (1 x N x C, the first
    `C - num_classes` columns a background class) and `anchors` (N x 4: y, x, h, w) in f32.
    Each box is decoded against its anchor (TFLite's CenterSizeEncoding, in f64:
    `yc = y / y_scale * ah + ay`, `half_h = 0.5 * exp(h / h_scale) * ah`, likewise x and
    w) into corners (ymin, xmin, ymax, xmax). With `use_regular_nms = false` (TFLite's
    "fast" NMS, `max_classes_per_detection` = 1) each anchor keeps its best class (the
    first on ties); anchors whose score is at least `score_threshold` are taken in
    decreasing score order (the lower anchor index first on ties, TFLite's stable sort),
    each suppressing the later ones whose intersection over union with it exceeds
    `iou_threshold`, up to `max_detections`. With `use_regular_nms = true` (TFLite's
    regular NMS) that selection runs on each class's own column, up to
    `detections_per_class` per class, and the selections of all classes are merged into
    the `max_detections` with the highest scores, in decreasing order (on equal scores the
    earlier class first, an order TFLite's partial sort leaves open). Results: corners (1 x M x 4), class indices
    (1 x M, as f32, without the background offset), scores (1 x M) and the number of
    detections (1), M = `max_detections`; slots past the number of detections hold 0
    (TFLite leaves them unwritten). Everything is static: no allocation at run time.

    ```mlir
    %b, %c, %s, %n = qcc.detection_postprocess %boxes, %scores, %anchors {
        max_detections = 10 : i64, max_classes_per_detection = 1 : i64, num_classes = 90 : i64,
        score_threshold = 0.3 : f32, iou_threshold = 0.6 : f32, y_scale = 10.0 : f32,
        x_scale = 10.0 : f32, h_scale = 5.0 : f32, w_scale = 5.0 : f32, use_regular_nms = false}
      : (tensor<1x1917x4xf32>, tensor<1x1917x91xf32>, tensor<1917x4xf32>)
      -> (tensor<1x10x4xf32>, tensor<1x10xf32>, tensor<1x10xf32>, tensor<1xf32>)
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$boxes, Qcc_FloatTensor:$scores, Qcc_FloatTensor:$anchors,
                       I64Attr:$max_detections, I64Attr:$max_classes_per_detection,
                       I64Attr:$num_classes, F32Attr:$score_threshold, F32Attr:$iou_threshold,
                       F32Attr:$y_scale, F32Attr:$x_scale, F32Attr:$h_scale, F32Attr:$w_scale,
                       BoolAttr:$use_regular_nms,
                       DefaultValuedAttr<I64Attr, "100">:$detections_per_class);
  let results = (outs Qcc_FloatTensor:$detection_boxes, Qcc_FloatTensor:$detection_classes,
                      Qcc_FloatTensor:$detection_scores, Qcc_FloatTensor:$num_detections);
  let assemblyFormat = "$boxes `,` $scores `,` $anchors attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_NonMaxSuppressionOp : Qcc_Op<"non_max_suppression", [Pure]> {
  let summary = "ONNX NonMaxSuppression with a static maximum";
  let description = [{
    `boxes` (B x N x 4: y1, x1, y2, x2 corners in any order, or x, y centre, width and
    height with `center_point_box = 1`) and `scores` (B x C x N), in f32. For each batch
    and class, in that order: the boxes whose score exceeds `score_threshold` (without it,
    all whose score is above -inf) are taken in decreasing score order (the lower index first on ties, which
    ONNX leaves open), each suppressing the others whose intersection over union with it
    exceeds `iou_threshold` (ONNX Runtime's SuppressByIOU), up to
    `max_output_boxes_per_class`. The result holds the selected (batch, class, box) triplets
    one after another, as ONNX Runtime returns them; its static size is
    B x C x `max_output_boxes_per_class` rows, and the rows after the last selected one
    hold -1.

    ```mlir
    %i = qcc.non_max_suppression %boxes, %scores {max_output_boxes_per_class = 5 : i64,
        iou_threshold = 0.5 : f32, score_threshold = 0.2 : f32, center_point_box = 0 : i64}
      : (tensor<1x100x4xf32>, tensor<1x3x100xf32>) -> tensor<15x3xi64>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$boxes, Qcc_FloatTensor:$scores,
                       I64Attr:$max_output_boxes_per_class, F32Attr:$iou_threshold,
                       OptionalAttr<F32Attr>:$score_threshold, I64Attr:$center_point_box);
  let results = (outs RankedTensorOf<[I64]>:$selected_indices);
  let assemblyFormat = "$boxes `,` $scores attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Dynamic (run-time) quantization: ONNX Runtime's quantize_dynamic
//===----------------------------------------------------------------------===//

def Qcc_DynamicQuantizeOp : Qcc_Op<"dynamic_quantize", [Pure]> {
  let summary = "8-bit quantization with parameters computed at run time (ONNX DynamicQuantizeLinear, TFLite's hybrid kernels)";
  let description = [{
    `scheme` says whose arithmetic, element for element:

    - `onnx` (ONNX Runtime's DynamicQuantizeLinear, one set of parameters for the tensor):
      with `lo = min(0, min(x))` and `hi = max(0, max(x))`, `scale = (hi - lo) / 255` (1
      when `hi == lo`), `zero_point = round_half_even(clamp(0 - lo / scale, 0, 255))` and
      `output = saturate(round_half_even(x / scale) + zero_point)` as uint8, all in f32;
      `scale` and `zero_point` have rank 0.
    - `symmetric` (TFLite's SymmetricQuantizeFloats, per batch: one set of parameters for
      each index of dimension 0): `range = max(|min(x)|, |max(x)|)`, `scale = range / 127`,
      `output = clamp(round_half_away(x * (127 / range)), -127, 127)` as int8, zero point 0
      (`range == 0`: scale 1, output 0).
    - `asymmetric` (TFLite's AsymmetricQuantizeFloats, per batch): with `rmin = min(0,
      min(x))`, `rmax = max(0, max(x))`, in f64: `scale = (rmax - rmin) / 255` (the
      subtraction in f32), the zero point from whichever end loses less,
      `-128 - rmin / scale` or `127 - rmax / scale`, rounded half away from zero into
      [-128, 127]; `output = clamp(round_half_away(x * f32(1 / scale)) + zp, -128, 127)`,
      rounded before the zero point is added as LiteRT does (`rmin == rmax`: scale 0,
      zero point 0, output 0).

    The results are the 8-bit values (signless i8), the scales (f32) and the zero points
    (i8), rank 0 for `onnx` and one per batch index for the TFLite schemes.

    ```mlir
    %q, %s, %z = qcc.dynamic_quantize %x
        : (tensor<2x16xf32>) -> (tensor<2x16xi8>, tensor<f32>, tensor<i8>)
    %q2, %s2, %z2 = qcc.dynamic_quantize %x {scheme = "asymmetric"}
        : (tensor<2x16xf32>) -> (tensor<2x16xi8>, tensor<2xf32>, tensor<2xi8>)
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input,
                       DefaultValuedStrAttr<StrAttr, "onnx">:$scheme);
  let results = (outs RankedTensorOf<[I8]>:$output, RankedTensorOf<[F32]>:$scale,
                      RankedTensorOf<[I8]>:$zero_point);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_MatMulIntegerOp : Qcc_Op<"matmul_integer", [Pure]> {
  let summary = "integer matrix product with run-time zero points (ONNX MatMulInteger)";
  let description = [{
    `output[..., m, n] = sum_k (lhs[..., m, k] - lhs_zero_point) * (rhs[k, n] -
    rhs_zero_point[n])` in int32 (wrapping). `lhs` has rank 2 or more (leading dimensions
    are batch), `rhs` is 2-D; `lhs_zero_point` is a scalar or, for a 2-D `lhs`, one value
    per row (TFLite's per-batch input offsets), `rhs_zero_point` a scalar or one value per
    column; all are 8-bit values in signless i8, unsigned where
    `lhs_unsigned` / `rhs_unsigned` say so. The integer ops with constant zero points keep
    the quantized types of `qcc.matmul`; this op takes the zero points
    `qcc.dynamic_quantize` computes.

    ```mlir
    %acc = qcc.matmul_integer %a, %b, %za, %zb {lhs_unsigned = true}
        : (tensor<2x16xi8>, tensor<16x8xi8>, tensor<i8>, tensor<i8>) -> tensor<2x8xi32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$lhs, RankedTensorOf<[I8]>:$rhs,
                       RankedTensorOf<[I8]>:$lhs_zero_point,
                       RankedTensorOf<[I8]>:$rhs_zero_point,
                       DefaultValuedAttr<BoolAttr, "false">:$lhs_unsigned,
                       DefaultValuedAttr<BoolAttr, "false">:$rhs_unsigned);
  let results = (outs RankedTensorOf<[I32]>:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $lhs_zero_point `,` $rhs_zero_point attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_ConvIntegerOp : Qcc_Op<"conv_integer", [Pure]> {
  let summary = "integer 2-D convolution with run-time zero points (ONNX ConvInteger)";
  let description = [{
    `qcc.conv2d`'s window arithmetic (NCHW input, OIHW weight, groups, strides, pads,
    dilations) on `(input - input_zero_point) * (weight - weight_zero_point[f])` summed in
    int32; padding reads `input_zero_point` (contributes 0), as ONNX Runtime pads and TFLite's
    hybrid kernels skip. `input_zero_point` is a scalar or one per batch index,
    `weight_zero_point` a scalar or one per filter; 8-bit
    values in signless i8, unsigned where `input_unsigned` / `weight_unsigned` say so.

    ```mlir
    %acc = qcc.conv_integer %x, %w, %zx, %zw {strides = array<i64: 1, 1>,
             pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64,
             input_unsigned = true, weight_unsigned = true}
        : (tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8>, tensor<i8>, tensor<i8>) -> tensor<1x4x8x8xi32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$input, RankedTensorOf<[I8]>:$weight,
                       RankedTensorOf<[I8]>:$input_zero_point,
                       RankedTensorOf<[I8]>:$weight_zero_point,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       ConfinedAttr<I64Attr, [IntPositive]>:$group,
                       DefaultValuedAttr<BoolAttr, "false">:$input_unsigned,
                       DefaultValuedAttr<BoolAttr, "false">:$weight_unsigned);
  let results = (outs RankedTensorOf<[I32]>:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $input_zero_point `,` $weight_zero_point attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_ZeroPointCorrectionOp : Qcc_Op<"zero_point_correction", [Pure]> {
  let summary = "subtract a run-time zero point times constant weight sums from an int32 accumulator";
  let description = [{
    `output[i] = acc[i] - zero_point[i[zero_point_axis]] * sums[i[sums_axis]]` in int32
    (wrapping): what turns a product of the stored input values into the product of the
    input minus its run-time zero point, `sum(x * w') - z * sum(w')`. `zero_point` (8-bit,
    unsigned where `zero_point_unsigned` says so) is a scalar or has one value per index
    of dimension `zero_point_axis`; `sums` has one int32 per index of `sums_axis`.
    `qcc-runtime-zero-points` writes it after the integer products it makes of
    `qcc.matmul_integer` and `qcc.conv_integer`.

    ```mlir
    %y = qcc.zero_point_correction %acc, %z, %sums {zero_point_axis = 0 : i64, sums_axis = 1 : i64}
        : (tensor<2x8xi32>, tensor<2xi8>, tensor<8xi32>) -> tensor<2x8xi32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I32]>:$acc, RankedTensorOf<[I8]>:$zero_point,
                       RankedTensorOf<[I32]>:$sums, I64Attr:$zero_point_axis, I64Attr:$sums_axis,
                       DefaultValuedAttr<BoolAttr, "false">:$zero_point_unsigned);
  let results = (outs RankedTensorOf<[I32]>:$output);
  let assemblyFormat = [{
    $acc `,` $zero_point `,` $sums attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Qcc_PadWithOp : Qcc_Op<"pad_with", [Pure]> {
  let summary = "pad 8-bit stored values with a run-time value (the input's zero point)";
  let description = [{
    `qcc.pad` with the added positions holding `value`: a scalar, or one value per index of
    dimension 0 (TFLite's per-batch zero points). `pads` holds the elements added before
    each dimension, then after each. `qcc-runtime-zero-points` pads an input with its
    run-time zero point this way, so that the convolution after it needs no padding.

    ```mlir
    %y = qcc.pad_with %x, %z {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>}
        : (tensor<1x8x4x4xi8>, tensor<1xi8>) -> tensor<1x8x6x6xi8>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$input, RankedTensorOf<[I8]>:$value,
                       DenseI64ArrayAttr:$pads);
  let results = (outs RankedTensorOf<[I8]>:$output);
  let assemblyFormat = "$input `,` $value attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_QuantizeOp : Qcc_Op<"quantize", [Pure]> {
  let summary = "float to quantized (ONNX QuantizeLinear)";
  let description = [{
    `q = saturate(round_half_to_even(x / scale) + zero_point)` with the scale and zero point
    of the result's `!quant.uniform` type (per tensor, or per axis). The division is a true
    division, as ONNX specifies.

    ```mlir
    %q = qcc.quantize %x : (tensor<1x8xf32>) -> tensor<1x8x!quant.uniform<u8:f32, 0.1:128>>
    ```
  }];
  let arguments = (ins Qcc_FloatTensor:$input);
  let results = (outs Qcc_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_DequantizeOp : Qcc_Op<"dequantize", [Pure]> {
  let summary = "quantized to float (ONNX DequantizeLinear)";
  let description = [{
    `x = float(q - zero_point) * scale` with the parameters of the operand's type.

    ```mlir
    %x = qcc.dequantize %q : (tensor<1x8x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x8xf32>
    ```
  }];
  let arguments = (ins Qcc_QuantTensor:$input);
  let results = (outs Qcc_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Qcc_RequantizeOp : Qcc_Op<"requantize", [Pure]> {
  let summary = "change quantization parameters (and storage type)";
  let description = [{
    `y = clamp(round_half_to_even(float(q - zp_in) * m) + zp_out, lo, hi)`. The multiplier
    `m` is `multiplier` when given (one value, or one per channel of a per-axis operand,
    precomputed by the pass that created the op to match the reference arithmetic), else
    `scale_in / scale_out` in f32. `[lo, hi]` is the storage range of the result,
    narrowed by `clamp_min` / `clamp_max` (a fused ReLU or Clip). The operand may be per
    axis (an int32 accumulator with per-channel scales); the result is per tensor.

    ```mlir
    %y = qcc.requantize %q : (tensor<1x8x!quant.uniform<i8:f32, 0.1:-3>>)
         -> tensor<1x8x!quant.uniform<u8:f32, 0.2:128>>
    ```
  }];
  let arguments = (ins Qcc_QuantTensor:$input,
                       OptionalAttr<DenseF32ArrayAttr>:$multiplier,
                       OptionalAttr<I64Attr>:$clamp_min,
                       OptionalAttr<I64Attr>:$clamp_max);
  let results = (outs Qcc_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // QCC_DIALECT_QCC_IR_QCCOPS_TD
