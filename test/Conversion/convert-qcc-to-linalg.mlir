// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg | FileCheck %s
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg=requant-mode=fixed | FileCheck %s --check-prefix=FIXED
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg=pair-products=true | FileCheck %s --check-prefix=PAIRS
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg=depthwise-row-blocks=true | FileCheck %s --check-prefix=ROWS
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg="quad-products=true quad-unsigned-input=true" | FileCheck %s --check-prefix=SWAP
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg -cse | FileCheck %s --check-prefix=DISTINCT
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg="pair-products=true vector-bits=256 vector-registers=16" | FileCheck %s --check-prefix=PLANE
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg="quad-products=true quad-pair-sums-16=true vector-bits=128 vector-registers=32" | FileCheck %s --check-prefix=SHIFT
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg=hardware-fma=true | FileCheck %s --check-prefix=FMA
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg="quad-products=true scalar-blocks=true vector-bits=128 vector-registers=2" --mlir-elide-elementsattrs-if-larger=4 | FileCheck %s --check-prefix=SCALAR
// RUN: qcc-opt %s -split-input-file -convert-qcc-to-linalg=blocked-lanes=16 --mlir-elide-elementsattrs-if-larger=4 | FileCheck %s --check-prefix=BLOCKED

// Grouped convolution: pad, expand to N x G x C/G, one generic over n, g, f, oh, ow | c, kh, kw
// accumulating into the broadcast bias, collapse back.
// CHECK-DAG: #[[XMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-LABEL: func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>, %[[B:.*]]: tensor<6xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZERO]]
// CHECK: %[[XE:.*]] = tensor.expand_shape %[[PAD]] {{\[\[}}0], [1, 2], [3], [4]] {{.*}} : tensor<1x4x10x10xf32> into tensor<1x2x2x10x10xf32>
// CHECK: %[[WE:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0, 1], [2], [3], [4]] {{.*}} into tensor<2x3x2x3x3xf32>
// CHECK: %[[BE:.*]] = tensor.expand_shape %[[B]] {{\[\[}}0, 1]] {{.*}} into tensor<2x3xf32>
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} ins(%[[BE]] : tensor<2x3xf32>)
// CHECK: %[[CONV:.*]] = linalg.generic {indexing_maps = [#[[XMAP]], #[[WMAP]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[XE]], %[[WE]] : {{.*}}) outs(%[[ACC]] : tensor<1x2x3x4x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %[[CONV]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x3x4x4xf32> into tensor<1x6x4x4xf32>
func.func @conv2d(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x4x4xf32> {
  %y = qcc.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  return %y : tensor<1x6x4x4xf32>
}

// -----

// Broadcasting reads index 0 of a size-1 dimension.
// CHECK-DAG: #[[BMAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func @add_broadcast
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BMAP]], #{{.*}}]
// CHECK: arith.addf
func.func @add_broadcast(%x: tensor<1x8x4x4xf32>, %y: tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = qcc.add %x, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// Quantize: a true division, round half to even, zero point, saturation, storage type.
// CHECK-LABEL: func @quantize
// CHECK-SAME: -> tensor<1x4xi8>
// CHECK: linalg.generic
// CHECK: %[[D:.*]] = arith.divf %{{.*}}, %{{.*}} : f32
// CHECK: %[[R:.*]] = math.roundeven %[[D]] : f32
// CHECK: %[[Z:.*]] = arith.addf %[[R]], %{{.*}} : f32
// CHECK: %[[LO:.*]] = arith.maximumf %[[Z]], %{{.*}} : f32
// CHECK: %[[HI:.*]] = arith.minimumf %[[LO]], %{{.*}} : f32
// CHECK: %[[I:.*]] = arith.fptosi %[[HI]] : f32 to i32
// CHECK: arith.trunci %[[I]] : i32 to i8
func.func @quantize(%x: tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:128>> {
  %q = qcc.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>
  return %q : tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

// Dequantize of unsigned storage zero-extends; per-axis parameters are constant vectors
// indexed by the quantized dimension; quant.scast disappears.
// CHECK-DAG: #[[AXIS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func @dequantize_per_axis
// CHECK-SAME: (%[[Q:.*]]: tensor<2x3xi8>)
// CHECK-NOT: quant.scast
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<[0, 3]> : tensor<2xi32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[AXIS]], #[[AXIS]], #{{.*}}]{{.*}} ins(%[[Q]], %[[S]], %[[Z]]
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf
func.func @dequantize_per_axis(%raw: tensor<2x3xi8>) -> tensor<2x3xf32> {
  %q = "quant.scast"(%raw) : (tensor<2x3xi8>) -> tensor<2x3x!quant.uniform<u8:f32:0, {0.5:0, 0.25:3}>>
  %x = qcc.dequantize %q : (tensor<2x3x!quant.uniform<u8:f32:0, {0.5:0, 0.25:3}>>) -> tensor<2x3xf32>
  return %x : tensor<2x3xf32>
}

// -----

// Requantize: the multiplier scale_in / scale_out is folded in f32 at compile time
// (0.1 / 0.2 = 0.5).
// CHECK-LABEL: func @requantize
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: math.roundeven
// CHECK: arith.fptosi
// CHECK: arith.trunci
func.func @requantize(%q: tensor<4x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<4x!quant.uniform<u8:f32, 0.2:128>> {
  %y = qcc.requantize %q : (tensor<4x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<4x!quant.uniform<u8:f32, 0.2:128>>
  return %y : tensor<4x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

// Max pooling pads with -inf; ceil_mode adds the end padding the last window reads.
// CHECK-LABEL: func @max_pool_ceil
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEGINF]]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK: arith.maximumf
func.func @max_pool_ceil(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %y = qcc.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
       : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Average pooling without count_include_pad divides by the number of real elements of
// each window, a compile-time constant per output position (corners 4, edges 6, centre 9).
// CHECK-LABEL: func @avg_pool_exclude_pad
// CHECK: arith.constant dense<{{\[\[}}4.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: arith.divf
func.func @avg_pool_exclude_pad(%x: tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32> {
  %y = qcc.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>}
       : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}

// -----

// Concat writes each operand into its slice of the result.
// CHECK-LABEL: func @concat
// CHECK: %[[E:.*]] = tensor.empty() {qcc.distinct = {{[0-9]+}} : i64} : tensor<1x5x4xi8>
// CHECK: %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0, 0] [1, 2, 4] [1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 2, 0] [1, 3, 4] [1, 1, 1]
func.func @concat(%a: tensor<1x2x4x!quant.uniform<u8:f32, 0.1:128>>, %b: tensor<1x3x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>> {
  %y = qcc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x3x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>>
  return %y : tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

// Reshape is a collapse to 1-D and an expand: pure views after bufferization.
// CHECK-LABEL: func @reshape
// CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2, 3]] : tensor<1x8x1x1xf32> into tensor<8xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[\[}}0, 1]] {{.*}} : tensor<8xf32> into tensor<2x4xf32>
func.func @reshape(%x: tensor<1x8x1x1xf32>) -> tensor<2x4xf32> {
  %y = qcc.reshape %x : (tensor<1x8x1x1xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// Softmax: max, exp(x - max), sum, divide.
// CHECK-LABEL: func @softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %y = qcc.softmax %x {axis = -1 : i64} : (tensor<2x10xf32>) -> tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}

// -----

// Integer softmax. Float mode: dequantize, f32 softmax, quantize. Fixed mode: integer
// only (TFLite Micro): int32 row maximum, gemmlowp exp on the Q5.26 difference (the f32
// scale 0.0988925 times 2^26 is 0.791144 * 2^23: Q31 round(0.791144 * 2^31) = 1698960256
// with left shift 23, so the difference is multiplied by 2^23 = 8388608; diff_min =
// -floor(31 * 2^26 / 2^23) = -248), the Q12.19 sum, its reciprocal after counting leading
// zeros, no floating point.
// CHECK-LABEL: func @softmax_u8
// CHECK: arith.sitofp
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: math.roundeven
// FIXED-LABEL: func @softmax_u8
// FIXED-NOT: arith.sitofp
// FIXED-NOT: math.exp
// FIXED: arith.maxsi
// FIXED-DAG: arith.constant 8388608 : i32
// FIXED-DAG: arith.constant 1698960256 : i32
// FIXED-DAG: arith.constant -248 : i32
// FIXED: math.ctlz
// FIXED: math.ctlz
// FIXED-NOT: f32
// FIXED: return
func.func @softmax_u8(%x: tensor<1x10x!quant.uniform<u8:f32, 0.0988925:58>>) -> tensor<1x10x!quant.uniform<u8:f32, 0.00390625>> {
  %y = qcc.softmax %x {axis = -1 : i64} : (tensor<1x10x!quant.uniform<u8:f32, 0.0988925:58>>) -> tensor<1x10x!quant.uniform<u8:f32, 0.00390625>>
  return %y : tensor<1x10x!quant.uniform<u8:f32, 0.00390625>>
}

// -----

// Integer conv: padding reads the input zero point (128 as i8 is -128), the body
// accumulates (x - zp_x) * w in i32 starting from the bias; x - zp_x is formed in 16 bits
// and both factors are sign-extended 16-bit values (a widening multiply-accumulate).
// CHECK-LABEL: func @conv_integer
// CHECK: %[[ZP:.*]] = arith.constant -128 : i8
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZP]] : i8
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x2xi32>)
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x2x4x4xi32>)
// CHECK: %[[XI:.*]] = arith.extui %{{.*}} : i8 to i16
// CHECK: %[[XC:.*]] = arith.subi %[[XI]], %{{.*}} : i16
// CHECK: %[[X32:.*]] = arith.extsi %[[XC]] : i16 to i32
// CHECK: %[[WI:.*]] = arith.extsi %{{.*}} : i8 to i16
// CHECK: %[[W32:.*]] = arith.extsi %[[WI]] : i16 to i32
// CHECK: %[[P:.*]] = arith.muli %[[X32]], %[[W32]] : i32
// CHECK: arith.addi %{{.*}}, %[[P]] : i32
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x2x4x4xi32>
func.func @conv_integer(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>, %w: tensor<2x2x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, %b: tensor<2x!quant.uniform<i32:f32:0, {0.25, 0.125}>>)
    -> tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.25, 0.125}>> {
  %y = qcc.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>, tensor<2x2x3x3x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, tensor<2x!quant.uniform<i32:f32:0, {0.25, 0.125}>>)
       -> tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.25, 0.125}>>
  return %y : tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.25, 0.125}>>
}

// -----

// Requantize with precomputed per-channel multipliers and a fused clamp [10, 200]. The
// accumulator's zero points (all 0) are a constant, not a per-channel operand.
// CHECK-LABEL: func @requantize_multiplier_clamp
// CHECK-DAG: %[[M:.*]] = arith.constant dense<[1.000000e+00, 5.000000e-01]> : tensor<2xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[M]] : tensor<1x2xi32>, tensor<2xf32>)
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: math.roundeven
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.minimumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.fptosi
// In fixed mode: no float at all. M = 0.25 / 0.25 = 1 -> (2^30, shift 1) and
// 0.125 / 0.25 = 0.5 -> (2^30, shift 0): Q31 multipliers and left factors 2^shift = [2, 1]
// per channel (right shifts and their masks are 0), x * 2^left,
// SaturatingRoundingDoublingHighMul in i64, RoundingDivideByPOT, zero point, clamp.
// FIXED-LABEL: func @requantize_multiplier_clamp
// FIXED-DAG: arith.constant dense<1073741824> : tensor<2xi32>
// FIXED-DAG: arith.constant dense<[2, 1]> : tensor<2xi32>
// FIXED: linalg.generic
// FIXED-NOT: f32
// FIXED: arith.muli %{{.*}}, %{{.*}} : i32
// FIXED: arith.muli %{{.*}}, %{{.*}} : i64
// FIXED: arith.divsi %{{.*}}, %{{.*}} : i64
// FIXED: arith.shrsi
// FIXED: arith.maxsi
// FIXED: arith.minsi
// FIXED: linalg.yield
func.func @requantize_multiplier_clamp(%acc: tensor<1x2x!quant.uniform<i32:f32:1, {0.25, 0.125}>>) -> tensor<1x2x!quant.uniform<u8:f32, 0.25:10>> {
  %y = qcc.requantize %acc {multiplier = array<f32: 1.0, 0.5>, clamp_min = 10 : i64, clamp_max = 200 : i64}
       : (tensor<1x2x!quant.uniform<i32:f32:1, {0.25, 0.125}>>) -> tensor<1x2x!quant.uniform<u8:f32, 0.25:10>>
  return %y : tensor<1x2x!quant.uniform<u8:f32, 0.25:10>>
}

// -----

// Per-channel input zero points that differ are a per-channel operand, subtracted first.
// CHECK-LABEL: func @requantize_zero_points
// CHECK: %[[Z:.*]] = arith.constant dense<[3, 5]> : tensor<2xi32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[Z]] : tensor<1x2xi8>, tensor<2xf32>, tensor<2xi32>)
// CHECK: ^bb0(%[[X:.*]]: i8, %{{.*}}: f32, %[[ZP:.*]]: i32,
// CHECK: %[[XW:.*]] = arith.extsi %[[X]] : i8 to i32
// CHECK: arith.subi %[[XW]], %[[ZP]] : i32
func.func @requantize_zero_points(%x: tensor<1x2x!quant.uniform<i8:f32:1, {0.25:3, 0.125:5}>>) -> tensor<1x2x!quant.uniform<u8:f32, 0.25:10>> {
  %y = qcc.requantize %x : (tensor<1x2x!quant.uniform<i8:f32:1, {0.25:3, 0.125:5}>>) -> tensor<1x2x!quant.uniform<u8:f32, 0.25:10>>
  return %y : tensor<1x2x!quant.uniform<u8:f32, 0.25:10>>
}

// -----

// Integer add: ONNX Runtime's x86 formula, fused multiply-adds done exactly in f64.
// CHECK-LABEL: func @add_integer
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.sitofp %{{.*}} : i32 to f32
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK: arith.addf %{{.*}}, %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: math.roundeven
// With hardware-fma (the target has the instruction): the same two multiply-adds as
// math.fma in f32 (rB = 0.2 / 0.3, rA = 0.1 / 0.3), one rounding each, no f64.
// FMA-LABEL: func @add_integer
// FMA-NOT: f64
// FMA: %[[T:.*]] = math.fma %{{.*}}, %cst{{.*}}, %cst{{.*}} : f32
// FMA: %[[R:.*]] = math.fma %{{.*}}, %cst{{.*}}, %[[T]] : f32
// FMA: math.roundeven %[[R]]
// FMA-NOT: f64
// FIXED-LABEL: func @add_integer
// FIXED-NOT: f64
// FIXED: arith.shli
// FIXED: arith.divsi
// FIXED: linalg.yield
func.func @add_integer(%a: tensor<8x!quant.uniform<u8:f32, 0.1:3>>, %b: tensor<8x!quant.uniform<u8:f32, 0.2:5>>) -> tensor<8x!quant.uniform<u8:f32, 0.3:7>> {
  %y = qcc.add %a, %b : (tensor<8x!quant.uniform<u8:f32, 0.1:3>>, tensor<8x!quant.uniform<u8:f32, 0.2:5>>) -> tensor<8x!quant.uniform<u8:f32, 0.3:7>>
  return %y : tensor<8x!quant.uniform<u8:f32, 0.3:7>>
}

// -----

// Integer global average pool: the int32 sum starts at -zp * H * W = -3 * 4.
// CHECK-LABEL: func @gap_integer
// CHECK: %[[INIT:.*]] = arith.constant -12 : i32
// CHECK: linalg.fill ins(%[[INIT]] : i32)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.addi
func.func @gap_integer(%x: tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<1x2x1x1x!quant.uniform<i32:f32, 0.025>> {
  %y = qcc.global_avg_pool %x : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<1x2x1x1x!quant.uniform<i32:f32, 0.025>>
  return %y : tensor<1x2x1x1x!quant.uniform<i32:f32, 0.025>>
}

// -----

// Integer max pool: unsigned maximum on the stored bytes, padding with 0 (the u8 minimum).
// CHECK-LABEL: func @maxpool_integer
// CHECK: %[[LOW:.*]] = arith.constant 0 : i8
// CHECK: tensor.yield %[[LOW]] : i8
// CHECK: arith.maxui
func.func @maxpool_integer(%x: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1:3>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:3>> {
  %y = qcc.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1:3>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:3>>
  return %y : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:3>>
}

// -----

// A table lookup: index = stored value - storage minimum (s8: + 128).
// CHECK-LABEL: func @table_s8
// CHECK: %[[T:.*]] = arith.constant dense<{{.*}}> : tensor<256xi8>
// CHECK: linalg.generic
// CHECK: %[[W:.*]] = arith.extsi %{{.*}} : i8 to i32
// CHECK: %[[I:.*]] = arith.subi %[[W]], %{{.*}} : i32
// CHECK: %[[IDX:.*]] = arith.index_cast %[[I]] : i32 to index
// CHECK: tensor.extract %[[T]][%[[IDX]]] : tensor<256xi8>
func.func @table_s8(%x: tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>> {
  %y = qcc.table %x {table = array<i32: -128, -127, -126, -125, -124, -123, -122, -121, -120, -119, -118, -117, -116, -115, -114, -113, -112, -111, -110, -109, -108, -107, -106, -105, -104, -103, -102, -101, -100, -99, -98, -97, -96, -95, -94, -93, -92, -91, -90, -89, -88, -87, -86, -85, -84, -83, -82, -81, -80, -79, -78, -77, -76, -75, -74, -73, -72, -71, -70, -69, -68, -67, -66, -65, -64, -63, -62, -61, -60, -59, -58, -57, -56, -55, -54, -53, -52, -51, -50, -49, -48, -47, -46, -45, -44, -43, -42, -41, -40, -39, -38, -37, -36, -35, -34, -33, -32, -31, -30, -29, -28, -27, -26, -25, -24, -23, -22, -21, -20, -19, -18, -17, -16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127>}
       : (tensor<4x!quant.uniform<i8:f32, 0.1>>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return %y : tensor<4x!quant.uniform<i8:f32, 0.1>>
}

// -----

// CHECK-LABEL: func @sigmoid_float
// CHECK: arith.negf
// CHECK: math.exp
// CHECK: arith.divf
func.func @sigmoid_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = qcc.sigmoid %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// exp, sqrt, rsqrt (1 / sqrt), leaky_relu (select on x >= 0), max, min on f32.
// CHECK-LABEL: func @more_float_elementwise
// CHECK: math.exp
// CHECK: math.sqrt
// CHECK: math.sqrt
// CHECK: arith.divf
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpf oge
// CHECK-NEXT: arith.select
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @more_float_elementwise(%x: tensor<4xf32>, %z: tensor<4xf32>) -> tensor<4xf32> {
  %a = qcc.exp %x : tensor<4xf32>
  %b = qcc.sqrt %a : tensor<4xf32>
  %c = qcc.rsqrt %b : tensor<4xf32>
  %d = qcc.leaky_relu %c {alpha = 0.1 : f32} : tensor<4xf32>
  %e = qcc.max %d, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %f = qcc.min %e, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %f : tensor<4xf32>
}

// -----

// A strided convolution with a large output plane (16x16 >= 256) gets the row-innermost
// loop order: n, g, f | c, kh, kw | oh, ow.
// CHECK-DAG: #[[XROW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d3, d6 * 2 + d4, d7 * 2 + d5)>
// CHECK-DAG: #[[OROW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d6, d7)>
// CHECK-LABEL: func @conv_row_inner
// CHECK: linalg.generic {indexing_maps = [#[[XROW]], #{{.*}}, #[[OROW]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
// CHECK-NOT: qcc.tile_sizes
func.func @conv_row_inner(%x: tensor<1x2x33x33xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x16x16xf32> {
  %y = qcc.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x33x33xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x16x16xf32>
  return %y : tensor<1x4x16x16xf32>
}

// -----

// Unit stride along W: the dot-product order, marked for qcc-vectorize-conv with register
// blocks of 4 filters (of 4) x 16 columns (of 16).
// CHECK-LABEL: func @conv_vectorizable
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-SAME: attrs = {qcc.tile_sizes = array<i64: 1, 1, 4, 1, 16, 1, 1, 1>}
func.func @conv_vectorizable(%x: tensor<1x2x18x18xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x16x16xf32> {
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x18x18xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x16x16xf32>
  return %y : tensor<1x4x16x16xf32>
}

// -----

// 8+ filters per group with a constant weight: the weight is packed G x C/G x KH x KW x F/G
// at compile time (filter f, channel c of [[0, 1], [2, 3], ...] lands at [c][f]) and the
// loops are n, g, oh, ow, f | c, kh, kw with blocks of 8 columns x 16 filters.
// CHECK-LABEL: func @conv_filter_lanes
// CHECK: %[[W:.*]] = arith.constant dense<{{\[\[\[\[\[}}0.000000e+00, 2.000000e+00, 4.000000e+00, {{.*}} : tensor<1x2x1x1x16xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : {{.*}}) {{.*}} attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 8, 16, 1, 1, 1>}
func.func @conv_filter_lanes(%x: tensor<1x2x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %w = arith.constant dense<[[[[0.0]], [[1.0]]], [[[2.0]], [[3.0]]], [[[4.0]], [[5.0]]], [[[6.0]], [[7.0]]], [[[8.0]], [[9.0]]], [[[10.0]], [[11.0]]], [[[12.0]], [[13.0]]], [[[14.0]], [[15.0]]], [[[16.0]], [[17.0]]], [[[18.0]], [[19.0]]], [[[20.0]], [[21.0]]], [[[22.0]], [[23.0]]], [[[24.0]], [[25.0]]], [[[26.0]], [[27.0]]], [[[28.0]], [[29.0]]], [[[30.0]], [[31.0]]]]> : tensor<16x2x1x1xf32>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x8x8xf32>, tensor<16x2x1x1xf32>) -> tensor<1x16x8x8xf32>
  return %y : tensor<1x16x8x8xf32>
}

// -----

// A float Gemm with a constant transposed B (a fully connected layer) packs B at compile
// time in blocks of output columns (here one block of 16: N = 2 padded with zero weights),
// N'/nb x K x nb: [[1, 2, 3], [4, 5, 6]] -> [[[1, 4, 0, ..], [2, 5, 0, ..], [3, 6, 0, ..]]];
// loops m, block, column | k, marked for a register block of 16 columns; the accumulator
// is padded to 16 columns and the first 2 are kept.
// CHECK-LABEL: func @gemm_packed
// CHECK: %[[B:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00, 4.000000e+00, 0.000000e+00, {{.*}}], [2.000000e+00, 5.000000e+00, 0.000000e+00, {{.*}}], [3.000000e+00, 6.000000e+00, 0.000000e+00, {{.*}}]]]> : tensor<1x3x16xf32>
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0] high[0, 14]
// CHECK: %[[E:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1, 2]] output_shape [1, 1, 16]
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[B]] : tensor<1x3xf32>, tensor<1x3x16xf32>) outs(%[[E]] : tensor<1x1x16xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 1, 16, 1>}
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[R]]
// CHECK: tensor.extract_slice %[[C]][0, 0] [1, 2] [1, 1] : tensor<1x16xf32> to tensor<1x2xf32>
func.func @gemm_packed(%a: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %b = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %y = qcc.gemm %a, %b {trans_b = true} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// An integer gemm with constant weights and a fused requantization (qcc-fuse-requantize)
// is lowered as the 1x1 convolution it is: the input reshaped to 1 x 4 x 1 x 1, the
// weights to 4 filters of 4 x 1 x 1, the int32 convolution, then the requantization of its
// accumulator as one elementwise op marked qcc.epilogue (which qcc-vectorize-conv computes
// on the convolution's register blocks), reshaped back to 1 x 4.
// CHECK-LABEL: func @gemm_fused_epilogue
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 4, 1, 1] : tensor<4xi8> into tensor<1x4x1x1xi8>
// CHECK: tensor.expand_shape {{.*}} : tensor<4x4x1x1xi8> into tensor<1x4x4x1x1xi8>
// CHECK: %[[ACC:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: arith.muli %{{.*}}, %{{.*}} : i32
// CHECK: -> tensor<1x1x4x1x1xi32>
// CHECK: linalg.generic {{.*}} ins(%[[ACC]] : tensor<1x1x4x1x1xi32>) {{.*}} attrs = {qcc.epilogue}
// CHECK: math.roundeven
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: } -> tensor<1x1x4x1x1xi8>
// CHECK: tensor.expand_shape {{.*}} output_shape [1, 4] : tensor<4xi8> into tensor<1x4xi8>
func.func @gemm_fused_epilogue(%x: tensor<1x4x!quant.uniform<u8:f32, 0.05:128>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:128>> {
  %wi = arith.constant dense<2> : tensor<4x4xi8>
  %w = "quant.scast"(%wi) : (tensor<4x4xi8>) -> tensor<4x4x!quant.uniform<i8:f32, 0.1>>
  %y = qcc.gemm %x, %w {trans_b = true, accumulator = !quant.uniform<i32:f32, 0.005>, multiplier = array<f32: 0.05>}
       : (tensor<1x4x!quant.uniform<u8:f32, 0.05:128>>, tensor<4x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>
  return %y : tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

// B not transposed (K x N = 3 x 2): the filters are its columns, transposed at compile
// time: filter 0 = (1, 3, 5), filter 1 = (2, 4, 6); per-column scales become per-filter.
// CHECK-LABEL: func @gemm_kn_weights
// CHECK: arith.constant dense<{{\[\[\[\[}}1]], {{\[\[}}3]], {{\[\[}}5]]], {{\[\[\[}}2]], {{\[\[}}4]], {{\[\[}}6]]]]> : tensor<2x3x1x1xi8>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
func.func @gemm_kn_weights(%x: tensor<1x3x!quant.uniform<u8:f32, 0.05:128>>) -> tensor<1x2x!quant.uniform<i32:f32:1, {0.005, 0.01}>> {
  %wi = arith.constant dense<[[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi8>
  %w = "quant.scast"(%wi) : (tensor<3x2xi8>) -> tensor<3x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  %y = qcc.gemm %x, %w : (tensor<1x3x!quant.uniform<u8:f32, 0.05:128>>, tensor<3x2x!quant.uniform<i8:f32:1, {0.1, 0.2}>>) -> tensor<1x2x!quant.uniform<i32:f32:1, {0.005, 0.01}>>
  return %y : tensor<1x2x!quant.uniform<i32:f32:1, {0.005, 0.01}>>
}

// -----

// pair-products (x86 with AVX512-VNNI): an integer conv with filters on the lanes and an
// even channel count packs two input channels per int32 word. Weights at compile time,
// w[f] = (2f+1, 2f+2) with zero point 0: (2f+1) | (2f+2) << 16, so 1 | 2 << 16 = 131073 for
// the first filter. The input once per call: (x[2p] - 128) & 0xFFFF | (x[2p+1] - 128) << 16.
// The MAC is lo(x) * lo(w) + hi(x) * hi(w).
// PAIRS-LABEL: func @conv_pairs
// PAIRS: arith.constant dense<{{\[+}}131073, 262147, 393221, 524295, 655369, 786443, 917517, 1048591{{\]+}}> : tensor<1x1x1x1x8xi32>
// PAIRS: linalg.generic {{.*}} ins(%[[X:.*]], %[[X]] : tensor<1x1x2x4x4xi8>, tensor<1x1x2x4x4xi8>) outs(%{{.*}} : tensor<1x1x1x4x4xi32>)
// PAIRS: arith.andi %{{.*}}, %{{.*}} : i32
// PAIRS: arith.shli
// PAIRS: arith.ori
// PAIRS: linalg.generic
// PAIRS-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// PAIRS-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x1x1x4x4xi32>, tensor<1x1x1x1x8xi32>)
// PAIRS-COUNT-2: arith.muli %{{.*}}, %{{.*}} : i32
func.func @conv_pairs(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<[[[[1]], [[2]]], [[[3]], [[4]]], [[[5]], [[6]]], [[[7]], [[8]]], [[[9]], [[10]]], [[[11]], [[12]]], [[[13]], [[14]]], [[[15]], [[16]]]]> : tensor<8x2x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<8x2x1x1xi8>) -> tensor<8x2x1x1x!quant.uniform<i8:f32, 0.5>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>, tensor<8x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>>
}

// -----

// An odd channel count (an RGB input) pads to whole pairs: the input gets a channel of
// zero points (stored u8 128 = i8 -128, centered to 0), and the weights' missing half is 0:
// filter f holds (3f+1, 3f+2, 3f+3), packed as (3f+1) | (3f+2) << 16 and (3f+3) | 0 << 16:
// 131073 = 1 | 2 << 16 and 3 for the first filter.
// PAIRS-LABEL: func @conv_pairs_padded
// PAIRS: arith.constant dense<{{\[+}}131073, 327684, 524295, 720906, 917517, 1114128, 1310739, 1507350{{\]+}}, {{\[+}}3, 6, 9, 12, 15, 18, 21, 24{{\]+}}> : tensor<1x2x1x1x8xi32>
// PAIRS: %[[ZP:.*]] = arith.constant -128 : i8
// PAIRS: tensor.pad %{{.*}} low[0, 0, 0, 0, 0] high[0, 0, 1, 0, 0]
// PAIRS: tensor.yield %[[ZP]] : i8
// PAIRS: tensor<1x1x3x4x4xi8> to tensor<1x1x4x4x4xi8>
// PAIRS: linalg.generic {{.*}} ins(%[[XP:.*]], %[[XP]] : tensor<1x1x4x4x4xi8>, tensor<1x1x4x4x4xi8>) outs(%{{.*}} : tensor<1x1x2x4x4xi32>)
func.func @conv_pairs_padded(%x: tensor<1x3x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<[[[[1]], [[2]], [[3]]], [[[4]], [[5]], [[6]]], [[[7]], [[8]], [[9]]], [[[10]], [[11]], [[12]]], [[[13]], [[14]], [[15]]], [[[16]], [[17]], [[18]]], [[[19]], [[20]], [[21]]], [[[22]], [[23]], [[24]]]]> : tensor<8x3x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<8x3x1x1xi8>) -> tensor<8x3x1x1x!quant.uniform<i8:f32, 0.5>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x3x4x4x!quant.uniform<u8:f32, 0.5:128>>, tensor<8x3x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>>
}

// -----

// Wide unit-stride rows (16 output columns here): the packed product keeps the output
// columns on the lanes (loops n, g, f, oh, ow | c, kh, kw; register blocks of 8 filters x
// 16 columns), reading the filters-last weight words by filter (d2) as broadcasts, so that
// each block's results are contiguous output rows.
// PAIRS-DAG: #[[WMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d7, d2)>
// PAIRS-DAG: #[[OMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// PAIRS-LABEL: func @conv_pairs_row_lanes
// PAIRS: linalg.generic {indexing_maps = [#{{.*}}, #[[WMAP]], #[[OMAP]]]
// PAIRS-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x1x1x2x16xi32>, tensor<1x1x1x1x8xi32>)
// PAIRS-SAME: qcc.tile_sizes = array<i64: 1, 1, 8, 1, 16, 1, 1, 1>
func.func @conv_pairs_row_lanes(%x: tensor<1x2x2x16x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x8x2x16x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<[[[[1]], [[2]]], [[[3]], [[4]]], [[[5]], [[6]]], [[[7]], [[8]]], [[[9]], [[10]]], [[[11]], [[12]]], [[[13]], [[14]]], [[[15]], [[16]]]]> : tensor<8x2x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<8x2x1x1xi8>) -> tensor<8x2x1x1x!quant.uniform<i8:f32, 0.5>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x2x16x!quant.uniform<u8:f32, 0.5:128>>, tensor<8x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x8x2x16x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x8x2x16x!quant.uniform<i32:f32, 0.25>>
}

// -----

// Depthwise rows 7 wide: one extra column is computed over one extra column of right
// padding, and the first 7 are kept; blocks of 2 channels x 8 columns. With
// depthwise-row-blocks (x86): blocks of one channel x 4 rows x 8 columns (the channel's 3x3
// weights stay loop invariant across its blocks).
// CHECK-LABEL: func @depthwise_width7
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 2]
// CHECK: linalg.generic
// CHECK-SAME: qcc.tile_sizes = array<i64: 1, 2, 1, 1, 8, 1, 1, 1>
// CHECK: -> tensor<1x2x1x8x8xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0, 0] [1, 2, 1, 8, 7] [1, 1, 1, 1, 1] : tensor<1x2x1x8x8xf32> to tensor<1x2x1x8x7xf32>
// ROWS-LABEL: func @depthwise_width7
// ROWS: qcc.tile_sizes = array<i64: 1, 1, 1, 4, 8, 1, 1, 1>
func.func @depthwise_width7(%x: tensor<1x2x8x7xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x8x7xf32> {
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x2x8x7xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x8x7xf32>
  return %y : tensor<1x2x8x7xf32>
}

// -----

// u8 weights with zero point zw = 100 in a 1x1 convolution on x86 VNNI (quad-products,
// quad-unsigned-input): swapped quads. The weight words hold the raw bytes (filter f:
// 100+f, 101+f, 102+f, 103+f; f = 0: 100 | 101 << 8 | 102 << 16 | 103 << 24 = 1734763876),
// the input words x - 128. The bias gets (128 - zx) * (sum w - C * zw) = 8 * (6 + 4f) with
// zx = 120; a pass over the input sums zw * (x - 128) per pixel (tiled by rows for
// qcc-vectorize-conv) and the initial accumulator is bias - that sum. The product's first
// factor (logical shifts: unsigned) is the weight word.
// SWAP-LABEL: func @conv_swapped_quads
// SWAP: arith.constant dense<[48, 80, 112, 144, 176, 208, 240, 272]> : tensor<8xi32>
// SWAP: %[[S:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel"]
// SWAP-SAME: outs(%{{.*}} : tensor<1x1x4x4xi32>) attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 1, 4>}
// SWAP: arith.subi %{{.*}}, %c128_i32
// SWAP: arith.muli %{{.*}}, %c100_i32
// SWAP: arith.constant dense<{{\[+}}1734763876, {{.*}}> : tensor<1x1x1x1x8xi32>
// SWAP: linalg.generic {{.*}} ins(%{{.*}}, %[[S]] : tensor<1x8xi32>, tensor<1x1x4x4xi32>)
// SWAP: arith.subi
// SWAP: linalg.generic
// SWAP-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// SWAP: ^bb0(%[[XW:.*]]: i32, %[[WW:.*]]: i32, %{{.*}}: i32):
// SWAP: %[[XS:.*]] = arith.shli %[[XW]], %c24
// SWAP: %[[XL:.*]] = arith.shrsi %[[XS]]
// SWAP: %[[WS:.*]] = arith.shli %[[WW]], %c24
// SWAP: %[[WL:.*]] = arith.shrui %[[WS]]
// SWAP: arith.muli %[[WL]], %[[XL]] : i32
func.func @conv_swapped_quads(%x: tensor<1x4x4x4x!quant.uniform<u8:f32, 0.5:120>>) -> tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<[[[[100]], [[101]], [[102]], [[103]]], [[[101]], [[102]], [[103]], [[104]]], [[[102]], [[103]], [[104]], [[105]]], [[[103]], [[104]], [[105]], [[106]]], [[[104]], [[105]], [[106]], [[107]]], [[[105]], [[106]], [[107]], [[108]]], [[[106]], [[107]], [[108]], [[109]]], [[[107]], [[108]], [[109]], [[110]]]]> : tensor<8x4x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<8x4x1x1xi8>) -> tensor<8x4x1x1x!quant.uniform<u8:f32, 0.5:100>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x4x4x4x!quant.uniform<u8:f32, 0.5:120>>, tensor<8x4x1x1x!quant.uniform<u8:f32, 0.5:100>>) -> tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x8x4x4x!quant.uniform<i32:f32, 0.25>>
}

// -----

// Two results of one type get two tensor.empty ops that CSE does not merge (distinct
// `qcc.distinct` numbers): merged, bufferization would have both concats write one buffer.
// DISTINCT-LABEL: func @distinct_results
// DISTINCT: tensor.empty() {qcc.distinct = [[N:[0-9]+]] : i64} : tensor<1x5x4xi8>
// DISTINCT-NOT: qcc.distinct = [[N]] :
// DISTINCT: tensor.empty() {qcc.distinct = {{[0-9]+}} : i64} : tensor<1x5x4xi8>
func.func @distinct_results(%a: tensor<1x2x4x!quant.uniform<u8:f32, 0.1:128>>, %b: tensor<1x3x4x!quant.uniform<u8:f32, 0.1:128>>) -> (tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>>) {
  %y = qcc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x3x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>>
  %z = qcc.concat %b, %a {axis = 1 : i64} : (tensor<1x3x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x2x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>>
  return %y, %z : tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x5x4x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

// A float convolution with constant weights and 32 filters on 16-lane registers (the
// default vector-bits=512): filters on the lanes in blocks of 7 columns x 32 filters (two
// registers per column: each broadcast input feeds two FMAs). The weights are packed
// filters-last at compile time.
// CHECK-LABEL: func @conv_float_filter_block
// CHECK: arith.constant dense<{{.*}}> : tensor<1x8x1x1x32xf32>
// CHECK: linalg.generic
// CHECK-SAME: attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 7, 32, 1, 1, 1>}
func.func @conv_float_filter_block(%x: tensor<1x8x7x7xf32>) -> tensor<1x32x7x7xf32> {
  %w = arith.constant dense<0.5> : tensor<32x8x1x1xf32>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x8x7x7xf32>, tensor<32x8x1x1xf32>) -> tensor<1x32x7x7xf32>
  return %y : tensor<1x32x7x7xf32>
}

// -----

// Blocked (NCHWc) float convolutions, 16 channels per block. A 1x1 convolution 24 -> 20:
// the input is packed (24 channels: two blocks, the second padded with 0), the weights
// are Fo x Co x KH x KW x 16(c) x 16(f) with zeros past the 24 channels and 20 filters,
// the bias is 2 x 16 (zeros past 20), the output is unpacked back to 20 channels. The
// register block: both filter blocks x 4 columns x 16 lanes.
// BLOCKED-DAG: #[[BX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d5, d2 + d6, d3 + d7, d8)>
// BLOCKED-DAG: #[[BW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d1, d5, d6, d7, d8, d4)>
// BLOCKED-DAG: #[[BO:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7, d8) -> (d0, d1, d2, d3, d4)>
// BLOCKED-LABEL: func @blocked_pointwise
// BLOCKED: %[[W:.*]] = arith.constant dense_resource<__elided__> : tensor<2x2x1x1x16x16xf32>
// BLOCKED: %[[PACK:.*]] = tensor.pack %{{.*}} padding_value(%{{.*}} : f32) inner_dims_pos = [1] inner_tiles = [16] into %{{.*}} : tensor<1x24x4x4xf32> -> tensor<1x2x4x4x16xf32>
// BLOCKED: %[[BIAS:.*]] = arith.constant dense_resource<__elided__> : tensor<2x16xf32>
// BLOCKED: %[[ACC:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<2x16xf32>)
// BLOCKED: %[[CONV:.*]] = linalg.generic {indexing_maps = [#[[BX]], #[[BW]], #[[BO]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[PACK]], %[[W]] : {{.*}}) outs(%[[ACC]] : tensor<1x2x4x4x16xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 2, 1, 4, 16, 1, 1, 1, 1>}
// BLOCKED: tensor.unpack %[[CONV]] inner_dims_pos = [1] inner_tiles = [16] into %{{.*}} : tensor<1x2x4x4x16xf32> -> tensor<1x20x4x4xf32>
func.func @blocked_pointwise(%x: tensor<1x24x4x4xf32>) -> tensor<1x20x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<20x24x1x1xf32>
  %b = arith.constant dense<1.0> : tensor<20xf32>
  %y = qcc.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x24x4x4xf32>, tensor<20x24x1x1xf32>, tensor<20xf32>) -> tensor<1x20x4x4xf32>
  return %y : tensor<1x20x4x4xf32>
}

// -----

// A strided depthwise convolution: packed, then padded spatially (dims 2 and 3 of NCHWc),
// channels on the lanes: weights Co x KH x KW x 16.
// BLOCKED-DAG: #[[DX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4)>
// BLOCKED-DAG: #[[DW:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d5, d6, d4)>
// BLOCKED-LABEL: func @blocked_depthwise
// BLOCKED: %[[W:.*]] = arith.constant dense<5.000000e-01> : tensor<1x3x3x16xf32>
// BLOCKED: %[[PACK:.*]] = tensor.pack %{{.*}} inner_dims_pos = [1] inner_tiles = [16] into %{{.*}} : tensor<1x16x8x8xf32> -> tensor<1x1x8x8x16xf32>
// BLOCKED: %[[PAD:.*]] = tensor.pad %[[PACK]] low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// BLOCKED: linalg.generic {indexing_maps = [#[[DX]], #[[DW]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[PAD]], %[[W]] : tensor<1x1x10x10x16xf32>, tensor<1x3x3x16xf32>) {{.*}} attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 4, 16, 1, 1>}
// BLOCKED: tensor.unpack
func.func @blocked_depthwise(%x: tensor<1x16x8x8xf32>) -> tensor<1x16x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<16x1x3x3xf32>
  %y = qcc.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 16 : i64}
       : (tensor<1x16x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x4x4xf32>
  return %y : tensor<1x16x4x4xf32>
}

// -----

// An image (3 channels, fewer than half a block) is read from NCHW as it is; only the
// output is blocked.
// BLOCKED-DAG: #[[IX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d5, d2 + d6, d3 + d7)>
// BLOCKED-LABEL: func @blocked_image
// BLOCKED-NOT: tensor.pack
// BLOCKED: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// BLOCKED: linalg.generic {indexing_maps = [#[[IX]], {{.*}} ins(%[[PAD]], %{{.*}} : tensor<1x3x10x10xf32>, tensor<1x3x3x3x16xf32>)
// BLOCKED: tensor.unpack {{.*}} -> tensor<1x16x8x8xf32>
func.func @blocked_image(%x: tensor<1x3x8x8xf32>) -> tensor<1x16x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<16x3x3x3xf32>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %y : tensor<1x16x8x8xf32>
}

// -----

// A width with no good block divisor (13, prime): one more column over one more column of
// input padding (13 -> 14 = 2 blocks of 7), sliced off before the unpack.
// BLOCKED-LABEL: func @blocked_prime_width
// BLOCKED: tensor.pad %{{.*}} low[0, 0, 1, 1, 0] high[0, 0, 1, 2, 0]
// BLOCKED: %[[CONV:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x13x14x16xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 2, 1, 7, 16, 1, 1, 1, 1>}
// BLOCKED: %[[S:.*]] = tensor.extract_slice %[[CONV]][0, 0, 0, 0, 0] [1, 2, 13, 13, 16] [1, 1, 1, 1, 1]
// BLOCKED: tensor.unpack %[[S]] {{.*}} -> tensor<1x32x13x13xf32>
func.func @blocked_prime_width(%x: tensor<1x16x13x13xf32>) -> tensor<1x32x13x13xf32> {
  %w = arith.constant dense<0.5> : tensor<32x16x3x3xf32>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x16x13x13xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x13x13xf32>
  return %y : tensor<1x32x13x13xf32>
}

// -----

// slice is a strided tensor.extract_slice; pad on a quantized tensor pads with its value
// quantized with the result's parameters: 0.7 / 0.1 + 100 = 107.
// CHECK-LABEL: func @slice_and_pad
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 0] [1, 2, 3] [1, 2, 2]
// CHECK: %[[V:.*]] = arith.constant 107 : i8
// CHECK: tensor.pad
// CHECK: tensor.yield %[[V]] : i8
func.func @slice_and_pad(%x: tensor<1x5x6x!quant.uniform<u8:f32, 0.1:100>>) -> tensor<1x4x5x!quant.uniform<u8:f32, 0.1:100>> {
  %s = qcc.slice %x {offsets = array<i64: 0, 1, 0>, strides = array<i64: 1, 2, 2>}
       : (tensor<1x5x6x!quant.uniform<u8:f32, 0.1:100>>) -> tensor<1x2x3x!quant.uniform<u8:f32, 0.1:100>>
  %p = qcc.pad %s {pads = array<i64: 0, 1, 1, 0, 1, 1>, value = 0.7 : f32}
       : (tensor<1x2x3x!quant.uniform<u8:f32, 0.1:100>>) -> tensor<1x4x5x!quant.uniform<u8:f32, 0.1:100>>
  return %p : tensor<1x4x5x!quant.uniform<u8:f32, 0.1:100>>
}

// -----

// argmax: one reduction carrying (largest value, index); a later element wins only when
// strictly larger (the first index on ties), compared unsigned for u8 storage; keepdims
// expands the result (the kept unit dimension joins the next one).
// CHECK-LABEL: func @argmax_u8_keepdims
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.cmpi ugt
// CHECK: linalg.index 1
// CHECK: tensor.expand_shape {{.*}} {{\[\[}}0], [1, 2]]
func.func @argmax_u8_keepdims(%x: tensor<2x5x3x!quant.uniform<u8:f32, 0.1:100>>) -> tensor<2x1x3xi64> {
  %i = qcc.argmax %x {axis = 1 : i64, keepdims = true} : (tensor<2x5x3x!quant.uniform<u8:f32, 0.1:100>>) -> tensor<2x1x3xi64>
  return %i : tensor<2x1x3xi64>
}

// -----

// resize: one generic over the output reading the row and column maps (constants) along
// its H and W loops and the input at the mapped position; linear blends four of them.
// CHECK-LABEL: func @resize_nearest_and_linear
// CHECK: arith.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK: tensor.extract %arg0
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @resize_nearest_and_linear(%x: tensor<1x2x2x3xf32>) -> (tensor<1x2x4x6xf32>, tensor<1x2x3x3xf32>) {
  %n = qcc.resize %x {mode = "nearest", rows = array<i64: 0, 0, 1, 1>, cols = array<i64: 0, 0, 1, 1, 2, 2>}
       : (tensor<1x2x2x3xf32>) -> tensor<1x2x4x6xf32>
  %l = qcc.resize %x {mode = "linear", rows = array<i64: 0, 0, 1>, cols = array<i64: 0, 1, 2>,
         rows_hi = array<i64: 1, 1, 1>, cols_hi = array<i64: 1, 2, 2>,
         row_weights = array<f32: 0.0, 0.5, 0.0>, col_weights = array<f32: 0.0, 0.0, 0.0>}
       : (tensor<1x2x2x3xf32>) -> tensor<1x2x3x3xf32>
  return %n, %l : tensor<1x2x4x6xf32>, tensor<1x2x3x3xf32>
}

// -----

// gather: one generic over the output reading the indices along the gathered loops; each
// index counts from the end when negative and is clamped into the axis, then the input
// element is read with tensor.extract (u8 storage moves unchanged).
// CHECK-LABEL: func @gather_u8
// CHECK: linalg.generic {{.*}} ins(%arg1 : tensor<2x2xi64>)
// CHECK: arith.cmpi slt
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: arith.index_cast
// CHECK: tensor.extract %arg0[%{{.*}}, %{{.*}}, %{{.*}}] : tensor<3x5x2xi8>
func.func @gather_u8(%x: tensor<3x5x2x!quant.uniform<u8:f32, 0.1:100>>, %i: tensor<2x2xi64>)
    -> tensor<3x2x2x2x!quant.uniform<u8:f32, 0.1:100>> {
  %y = qcc.gather %x, %i {axis = 1 : i64} : (tensor<3x5x2x!quant.uniform<u8:f32, 0.1:100>>, tensor<2x2xi64>) -> tensor<3x2x2x2x!quant.uniform<u8:f32, 0.1:100>>
  return %y : tensor<3x2x2x2x!quant.uniform<u8:f32, 0.1:100>>
}

// -----

// gather_nd: the tuple's entries are read from the indices inside the generic.
// CHECK-LABEL: func @gather_nd_batch
// CHECK: linalg.generic
// CHECK: tensor.extract %arg1[%{{.*}}, %{{.*}}, %{{.*}}] : tensor<2x3x1xi32>
// CHECK: tensor.extract %arg0[%{{.*}}, %{{.*}}, %{{.*}}] : tensor<2x4x5xf32>
func.func @gather_nd_batch(%x: tensor<2x4x5xf32>, %i: tensor<2x3x1xi32>) -> tensor<2x3x5xf32> {
  %y = qcc.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x4x5xf32>, tensor<2x3x1xi32>) -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// cast: f32 to integer clamps to the largest f32 values inside the range (2147483520 for
// i32), maps NaN to 0, then truncates; u8 storage zero-extends; i64 truncates to i32.
// CHECK-LABEL: func @casts
// CHECK: %[[LO:.*]] = arith.constant -2.14748365E+9 : f32
// CHECK: %[[HI:.*]] = arith.constant 2.14748352E+9 : f32
// CHECK: arith.cmpf uno
// CHECK: arith.maximumf %{{.*}}, %[[LO]]
// CHECK: arith.minimumf %{{.*}}, %[[HI]]
// CHECK: arith.select
// CHECK: arith.fptosi {{.*}} : f32 to i32
// CHECK: arith.uitofp {{.*}} : i8 to f32
// CHECK: arith.trunci {{.*}} : i64 to i32
func.func @casts(%x: tensor<4xf32>, %u: tensor<4xi8>, %w: tensor<4xi64>) -> (tensor<4xi32>, tensor<4xf32>, tensor<4xi32>) {
  %a = qcc.cast %x : (tensor<4xf32>) -> tensor<4xi32>
  %b = qcc.cast %u {source_unsigned = true} : (tensor<4xi8>) -> tensor<4xf32>
  %c = qcc.cast %w : (tensor<4xi64>) -> tensor<4xi32>
  return %a, %b, %c : tensor<4xi32>, tensor<4xf32>, tensor<4xi32>
}

// -----

// detection_postprocess: one generic decodes the corners (f64 arithmetic, f32 exponential),
// one reduction gives each anchor its best non-background class, then one scf.for over the
// output slots takes the first largest live score (a reduction to a scalar), writes the
// slot and suppresses by IoU (one generic); the count is converted last.
// CHECK-LABEL: func @detection
// FMA-LABEL: func @detection
// CHECK: linalg.generic
// CHECK: arith.extf {{.*}} : f32 to f64
// CHECK: math.exp {{.*}} : f32
// CHECK: tensor.extract_slice %arg1[0, 0, 1] [1, 8, 3] [1, 1, 1]
// CHECK: iterator_types = ["parallel", "reduction"]
// CHECK: scf.for
// CHECK: iterator_types = ["reduction"]
// CHECK: tensor.insert
// CHECK: arith.cmpf ogt
// CHECK: scf.yield
// CHECK: arith.sitofp {{.*}} : i32 to f32
func.func @detection(%b: tensor<1x8x4xf32>, %s: tensor<1x8x4xf32>, %a: tensor<8x4xf32>)
    -> (tensor<1x3x4xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xf32>) {
  %0, %1, %2, %3 = qcc.detection_postprocess %b, %s, %a {max_detections = 3 : i64,
      max_classes_per_detection = 1 : i64, num_classes = 3 : i64, score_threshold = 0.3 : f32,
      iou_threshold = 0.5 : f32, y_scale = 10.0 : f32, x_scale = 10.0 : f32, h_scale = 5.0 : f32,
      w_scale = 5.0 : f32, use_regular_nms = false}
      : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<8x4xf32>)
      -> (tensor<1x3x4xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xf32>)
  return %0, %1, %2, %3 : tensor<1x3x4xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xf32>
}

// -----

// A table per channel (axis 1): the entry is read at channel * 256 + x - storage_min; prelu
// on f32 selects slope * x below zero.
// CHECK-LABEL: func @channel_table_and_prelu
// CHECK: arith.constant dense<{{.*}}> : tensor<512xi8>
// CHECK: linalg.index 1
// CHECK: arith.muli %{{.*}}, %c256
// CHECK: tensor.extract
// CHECK: arith.cmpf olt
// CHECK: arith.select
func.func @channel_table_and_prelu(%x: tensor<1x2x3x!quant.uniform<i8:f32, 0.1>>, %f: tensor<1x2x3xf32>, %s: tensor<2x1xf32>)
    -> (tensor<1x2x3x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x3xf32>) {
  %y = qcc.table %x {axis = 1 : i64, table = array<i32: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127>}
       : (tensor<1x2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x3x!quant.uniform<i8:f32, 0.1>>
  %p = qcc.prelu %f, %s : (tensor<1x2x3xf32>, tensor<2x1xf32>) -> tensor<1x2x3xf32>
  return %y, %p : tensor<1x2x3x!quant.uniform<i8:f32, 0.1>>, tensor<1x2x3xf32>
}

// -----

// non_max_suppression: corners per box (corner order normalized), an -1-filled result, then
// one scf.for over batch x class carrying the result and the rows written, and inside it
// one scf.for over the slots: first-max reduction, three tensor.insert at the row, and
// the suppression generic.
// CHECK-LABEL: func @nms
// CHECK: arith.constant -1 : i64
// CHECK: scf.for
// CHECK: arith.divui
// CHECK: scf.for
// CHECK: iterator_types = ["reduction"]
// CHECK-COUNT-3: tensor.insert
// CHECK: arith.cmpf ogt
// CHECK: scf.yield
// CHECK: scf.yield
func.func @nms(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>) -> tensor<6x3xi64> {
  %0 = qcc.non_max_suppression %b, %s {max_output_boxes_per_class = 3 : i64,
      iou_threshold = 0.5 : f32, score_threshold = 0.1 : f32, center_point_box = 0 : i64}
      : (tensor<1x6x4xf32>, tensor<1x2x6xf32>) -> tensor<6x3xi64>
  return %0 : tensor<6x3xi64>
}

// -----

// topk: an scf.for over the k positions; each round one reduction over the axis takes the
// first largest element not yet taken (masks in i8: vectorized i1 memory is bit-packed),
// inserts value and index at position j and marks it taken.
// CHECK-LABEL: func @topk
// CHECK: linalg.fill ins(%{{.*}} : i8)
// CHECK: scf.for %[[J:[a-z0-9]+]] =
// CHECK: iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, %[[J]]] [2, 1] [1, 1]
// CHECK: arith.cmpi eq
// CHECK: scf.yield
func.func @topk(%x: tensor<2x7xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
  %v, %i = qcc.topk %x {axis = 1 : i64, k = 3 : i64} : (tensor<2x7xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return %v, %i : tensor<2x3xf32>, tensor<2x3xi64>
}

// -----

// reduce_mean: an f32 sum over the axes (reduction iterators), then a multiply by 1 / 5;
// a reshape from a scalar to a one-element tensor is one expand_shape without groups.
// CHECK-LABEL: func @reduce_mean_and_scalar_reshape
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK: arith.addf
// CHECK: arith.constant 2.000000e-01 : f32
// CHECK: arith.mulf
// CHECK: tensor.expand_shape %{{.*}} [] output_shape [1, 1] : tensor<f32> into tensor<1x1xf32>
func.func @reduce_mean_and_scalar_reshape(%x: tensor<2x5x3xf32>, %s: tensor<f32>) -> (tensor<2x3xf32>, tensor<1x1xf32>) {
  %y = qcc.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x5x3xf32>) -> tensor<2x3xf32>
  %r = qcc.reshape %s : (tensor<f32>) -> tensor<1x1xf32>
  return %y, %r : tensor<2x3xf32>, tensor<1x1xf32>
}

// -----

// DynamicQuantizeLinear: one reduction to min and max, ONNX Runtime's parameters in f32
// (scale (hi - lo) / 255, or 1 when hi == lo; zero point rounded half to even), then the
// quantization with a true division.
// CHECK-LABEL: func @dynamic_quantize
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: arith.cmpf olt
// CHECK: arith.cmpf ogt
// CHECK: %[[SAME:.*]] = arith.cmpf oeq
// CHECK: %[[SCALE:.*]] = arith.select %[[SAME]]
// CHECK: math.roundeven
// CHECK: linalg.generic
// CHECK: arith.divf %{{.*}}, %[[SCALE]]
// CHECK: math.roundeven
// CHECK: tensor.from_elements %[[SCALE]] : tensor<f32>
// CHECK: tensor.from_elements %{{.*}} : tensor<i8>
func.func @dynamic_quantize(%x: tensor<2x16xf32>) -> (tensor<2x16xi8>, tensor<f32>, tensor<i8>) {
  %q, %s, %z = qcc.dynamic_quantize %x : (tensor<2x16xf32>) -> (tensor<2x16xi8>, tensor<f32>, tensor<i8>)
  return %q, %s, %z : tensor<2x16xi8>, tensor<f32>, tensor<i8>
}

// -----

// MatMulInteger with a run-time lhs zero point (unsigned) and a per-column rhs zero point
// (signed): one generic over (batch, m, n, k) subtracting both in i32.
// CHECK-LABEL: func @matmul_integer_runtime_zero_point
// CHECK: %[[ZA:.*]] = tensor.extract %arg2[]
// CHECK: %[[ZA32:.*]] = arith.extui %[[ZA]] : i8 to i32
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %arg1, %arg3 : tensor<2x3x16xi8>, tensor<16x8xi8>, tensor<8xi8>)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.subi %{{.*}}, %[[ZA32]]
// CHECK: arith.muli
// CHECK: arith.addi
func.func @matmul_integer_runtime_zero_point(%a: tensor<2x3x16xi8>, %b: tensor<16x8xi8>, %za: tensor<i8>, %zb: tensor<8xi8>) -> tensor<2x3x8xi32> {
  %y = qcc.matmul_integer %a, %b, %za, %zb {lhs_unsigned = true}
       : (tensor<2x3x16xi8>, tensor<16x8xi8>, tensor<i8>, tensor<8xi8>) -> tensor<2x3x8xi32>
  return %y : tensor<2x3x8xi32>
}

// -----

// ConvInteger: the input minus its run-time zero point in i16, padded with 0, then one
// generic over (n, f, oh, ow, c, kh, kw); with group 2 the input channel is
// (f floordiv 3) * 2 + c.
// CHECK-LABEL: func @conv_integer_runtime_zero_point
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg2 : tensor<1x4x5x5xi8>, tensor<i8>)
// CHECK: arith.extui
// CHECK: arith.subi
// CHECK: arith.trunci %{{.*}} : i32 to i16
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
func.func @conv_integer_runtime_zero_point(%x: tensor<1x4x5x5xi8>, %w: tensor<6x2x3x3xi8>, %zx: tensor<i8>, %zw: tensor<i8>) -> tensor<1x6x5x5xi32> {
  %y = qcc.conv_integer %x, %w, %zx, %zw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64, input_unsigned = true, weight_unsigned = true}
       : (tensor<1x4x5x5xi8>, tensor<6x2x3x3xi8>, tensor<i8>, tensor<i8>) -> tensor<1x6x5x5xi32>
  return %y : tensor<1x6x5x5xi32>
}

// -----

// TFLite's asymmetric per-batch quantization: min and max per batch index (dimension 0
// parallel), the parameters in f64 per batch index, then x * (1 / scale) rounded half
// away from zero without libm (truncation and a correction), the zero point added as an
// integer, clamped to [-128, 127].
// CHECK-LABEL: func @dynamic_quantize_asymmetric
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "reduction"]}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]}
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: arith.divf %{{.*}} : f64
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK: arith.mulf
// CHECK: arith.fptosi
// CHECK: arith.cmpf oge
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.addi
// CHECK: arith.maxsi
// CHECK: arith.minsi
func.func @dynamic_quantize_asymmetric(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xi8>, tensor<2xf32>, tensor<2xi8>) {
  %q, %s, %z = qcc.dynamic_quantize %x {scheme = "asymmetric"} : (tensor<2x3x4xf32>) -> (tensor<2x3x4xi8>, tensor<2xf32>, tensor<2xi8>)
  return %q, %s, %z : tensor<2x3x4xi8>, tensor<2xf32>, tensor<2xi8>
}

// -----

// The correction of a run-time zero point: acc - z[row] * sums[column], one generic.
// CHECK-LABEL: func @zero_point_correction
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg2, %arg1 : tensor<2x3xi32>, tensor<3xi32>, tensor<2xi8>)
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.subi
func.func @zero_point_correction(%acc: tensor<2x3xi32>, %z: tensor<2xi8>, %sums: tensor<3xi32>) -> tensor<2x3xi32> {
  %y = qcc.zero_point_correction %acc, %z, %sums {zero_point_axis = 0 : i64, sums_axis = 1 : i64}
       : (tensor<2x3xi32>, tensor<2xi8>, tensor<3xi32>) -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

// TFLite's int8 bilinear resize: 10-bit integer weights, an i32 sum of four products, the
// rounding half away from zero and the division by 2^20.
// CHECK-LABEL: func @resize_linear_q10
// CHECK: linalg.generic
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.select %{{.*}}, %{{.*}}, %{{.*}} : i32
// CHECK: arith.divsi
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @resize_linear_q10(%x: tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.1>> {
  %y = qcc.resize %x {mode = "linear_q10", rows = array<i64: 0, 0, 1>, cols = array<i64: 0, 0, 1>,
         rows_hi = array<i64: 0, 1, 1>, cols_hi = array<i64: 0, 1, 1>,
         row_weights = array<f32: 0.0, 683.0, 342.0>, col_weights = array<f32: 0.0, 683.0, 342.0>}
       : (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x2x3x3x!quant.uniform<i8:f32, 0.1>>
  return %y : tensor<1x2x3x3x!quant.uniform<i8:f32, 0.1>>
}

// -----

// A 1x1 convolution (unit strides, no padding) with filters on the lanes on a 9x9 plane,
// whose width has no block of 4-8 columns: the 81 pixels become one row (collapse, expand
// to 1 x 81), the block is the one with the most lanes within 8 AVX2 registers (3 pixels
// x 16 filters), and the result is reshaped back to 9 x 9.
// PLANE-LABEL: func @conv_flat_plane
// PLANE: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<1x2x9x9xi8> into tensor<1x2x81xi8>
// PLANE: qcc.tile_sizes = array<i64: 1, 1, 1, 3, 16, 1, 1, 1>
// PLANE: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3, 4]] : tensor<1x1x16x1x81xi32> into tensor<1x16x81xi32>
// PLANE: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] output_shape [1, 16, 9, 9]
func.func @conv_flat_plane(%x: tensor<1x2x9x9x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x16x9x9x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<3> : tensor<16x2x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<16x2x1x1xi8>) -> tensor<16x2x1x1x!quant.uniform<i8:f32, 0.5>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x9x9x!quant.uniform<u8:f32, 0.5:128>>, tensor<16x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x16x9x9x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x16x9x9x!quant.uniform<i32:f32, 0.25>>
}

// -----

// Shifted quads (AArch64): a 1x1 convolution with u8 weights (200, zero point 9) and a u8
// input (zero point 3) on signed bytes on both sides, x - 128 and w - 128 = 72 (words
// 0x48484848 = 1212696648). The bias gets (128 - zx)(sum w - C zw) = 125 * 764 = 95500,
// and the accumulator starts from it minus (zw - 128) * sum_c (x - 128) per pixel.
// SHIFT-LABEL: func @conv_shifted_quads
// SHIFT: arith.constant dense<95500> : tensor<8xi32>
// SHIFT: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel"]
// SHIFT: arith.constant -119 : i32
// SHIFT: arith.constant dense<1212696648> : tensor<1x1x1x1x8xi32>
func.func @conv_shifted_quads(%x: tensor<1x4x2x4x!quant.uniform<u8:f32, 0.5:3>>) -> tensor<1x8x2x4x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<200> : tensor<8x4x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<8x4x1x1xi8>) -> tensor<8x4x1x1x!quant.uniform<u8:f32, 0.5:9>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x4x2x4x!quant.uniform<u8:f32, 0.5:3>>, tensor<8x4x1x1x!quant.uniform<u8:f32, 0.5:9>>) -> tensor<1x8x2x4x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x8x2x4x!quant.uniform<i32:f32, 0.25>>
}

// -----

// Depthwise with the kernel columns summed by pairs in 16 bits (Cortex-A72): the odd last
// column pairs with a weight 0 and one more column of padding, the odd columns read
// through a view of the input shifted by one column; weights as i16 (even and odd
// columns); the input shifted by 128 in 16 bits, its term (128 - zx) * sum w = 125 * 45
// in the bias; per step sext(x0 * w0 + x1 * w1) is added to the 32-bit accumulator.
// SHIFT-LABEL: func @depthwise_paired_taps
// SHIFT: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 2]
// SHIFT: arith.constant dense<[5625, -5625]> : tensor<2xi32>
// SHIFT: arith.constant dense<{{\[+}}1, 3], [4, 6], [7, 9{{\]+}}, {{\[+}}-1, -3], [-4, -6], [-7, -9{{\]+}}> : tensor<2x1x1x3x2xi16>
// SHIFT: arith.constant dense<{{\[+}}2, 0], [5, 0], [8, 0{{\]+}}, {{\[+}}-2, 0], [-5, 0], [-8, 0{{\]+}}> : tensor<2x1x1x3x2xi16>
// SHIFT: tensor.extract_slice %{{.*}}[0, 0, 0, 0, 1] [1, 2, 1, 6, 6] [1, 1, 1, 1, 1] : tensor<1x2x1x6x7xi8> to tensor<1x2x1x6x6xi8>
// SHIFT: linalg.generic {{.*}}qcc.tile_sizes = array<i64: 1, 1, 1, 4, 4, 1, 1, 1>
// SHIFT-COUNT-2: arith.muli %{{.*}}, %{{.*}} : i16
// SHIFT: arith.addi %{{.*}}, %{{.*}} : i16
// SHIFT: arith.extsi %{{.*}} : i16 to i32
func.func @depthwise_paired_taps(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:3>>) -> tensor<1x2x4x4x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[-1, -2, -3], [-4, -5, -6], [-7, -8, -9]]]]> : tensor<2x1x3x3xi8>
  %w = "quant.scast"(%wi) : (tensor<2x1x3x3xi8>) -> tensor<2x1x3x3x!quant.uniform<i8:f32, 0.5>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:3>>, tensor<2x1x3x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x4x4x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x2x4x4x!quant.uniform<i32:f32, 0.25>>
}

// -----

// Core registers (Cortex-M4/M7: scalar-blocks): a depthwise convolution of an s8 input of
// zero point -128 and weights of zero point 0 takes the input's zero point out of the
// inner loop, into the bias: -(-128) * (9 * 2) = 2304 per channel; no 16-bit centering of
// the input in the loop. The 5-column rows are not widened to whole vectors (7 = 5 + 2
// padded columns).
// SCALAR-LABEL: func @depthwise_scalar_blocks
// SCALAR: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// SCALAR: arith.constant dense<2304> : tensor<4xi32>
// SCALAR: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x4x1x7x7xi8>, tensor<4x1x1x3x3xi8>) outs(%{{.*}} : tensor<1x4x1x5x5xi32>)
// SCALAR-NOT: arith.subi
// SCALAR: arith.muli
// SCALAR: return
func.func @depthwise_scalar_blocks(%x: tensor<1x4x5x5x!quant.uniform<i8:f32, 0.5:-128>>) -> tensor<1x4x5x5x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<2> : tensor<4x1x3x3xi8>
  %w = "quant.scast"(%wi) : (tensor<4x1x3x3xi8>) -> tensor<4x1x3x3x!quant.uniform<i8:f32, 0.5>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4 : i64}
       : (tensor<1x4x5x5x!quant.uniform<i8:f32, 0.5:-128>>, tensor<4x1x3x3x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x4x5x5x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x4x5x5x!quant.uniform<i32:f32, 0.25>>
}

// -----

// Core registers: a 1x1 convolution on quads of signed bytes (the s8 input as it is; its
// zero point's term (0 + 128) * (8 * 3) = 3072 in the bias), blocks of 2 columns x 2
// filters on an even width.
// SCALAR-LABEL: func @pointwise_scalar_blocks
// SCALAR: arith.constant dense<3072> : tensor<8xi32>
// SCALAR: arith.constant dense<50529027> : tensor<1x2x1x1x8xi32>
// SCALAR: qcc.tile_sizes = array<i64: 1, 1, 1, 2, 2, 1, 1, 1>
func.func @pointwise_scalar_blocks(%x: tensor<1x8x2x4x!quant.uniform<i8:f32, 0.5:-128>>) -> tensor<1x8x2x4x!quant.uniform<i32:f32, 0.25>> {
  %wi = arith.constant dense<3> : tensor<8x8x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<8x8x1x1xi8>) -> tensor<8x8x1x1x!quant.uniform<i8:f32, 0.5>>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x8x2x4x!quant.uniform<i8:f32, 0.5:-128>>, tensor<8x8x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x8x2x4x!quant.uniform<i32:f32, 0.25>>
  return %y : tensor<1x8x2x4x!quant.uniform<i32:f32, 0.25>>
}
