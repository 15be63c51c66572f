// RUN: qcc-opt %s -split-input-file -qcc-fold-fake-quant | FileCheck %s
// RUN: qcc-opt %s -split-input-file -qcc-fold-fake-quant=requant-mode=fixed | FileCheck %s --check-prefix=FIXED

// Per-channel conv with bias: int32 accumulator typed s_x * s_w[c], requantized by
// (s_x * s_w[c]) / s_y per channel: (0.5 * 0.5) / 0.25 = 1, (0.5 * 0.25) / 0.25 = 0.5.
// CHECK-LABEL: func @conv_per_channel_bias
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4x!quant.uniform<u8:f32, 5.000000e-01:128>>
// CHECK: %[[W:.*]] = "quant.scast"
// CHECK: %[[B:.*]] = "quant.scast"
// CHECK: %[[ACC:.*]] = qcc.conv2d %[[X]], %[[W]], %[[B]] {{.*}} -> tensor<1x2x4x4x!quant.uniform<i32:f32:1, {2.500000e-01,1.250000e-01}>>
// CHECK: %[[Y:.*]] = qcc.requantize %[[ACC]] {multiplier = array<f32: 1.000000e+00, 5.000000e-01>}
// CHECK-SAME: -> tensor<1x2x4x4x!quant.uniform<u8:f32, 2.500000e-01:10>>
// CHECK-NOT: qcc.dequantize
// CHECK-NOT: qcc.quantize
// CHECK: return %[[Y]]
func.func @conv_per_channel_bias(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>> {
  %wi = arith.constant dense<1> : tensor<2x2x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<2x2x1x1xi8>) -> tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  %bi = arith.constant dense<[4, -4]> : tensor<2xi32>
  %b = "quant.scast"(%bi) : (tensor<2xi32>) -> tensor<2x!quant.uniform<i32:f32:0, {0.25, 0.125}>>
  %xf = qcc.dequantize %x : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x2x4x4xf32>
  %wf = qcc.dequantize %w : (tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) -> tensor<2x2x1x1xf32>
  %bf = qcc.dequantize %b : (tensor<2x!quant.uniform<i32:f32:0, {0.25, 0.125}>>) -> tensor<2xf32>
  %y = qcc.conv2d %xf, %wf, %bf {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %q = qcc.quantize %y : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>>
  return %q : tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>>
}

// -----

// Per-tensor s8 activations and weights, no bias; ReLU6 between conv and quantize becomes
// the requantize's clamp: quantize(6.0) = round(6 / 0.05) + (-128) = -8; quantize(0) = -128
// is the storage minimum already, so no lower clamp.
// CHECK-LABEL: func @conv_relu6_s8
// CHECK: %[[ACC:.*]] = qcc.conv2d {{.*}} -> tensor<1x1x2x2x!quant.uniform<i32:f32, {{.*}}>>
// CHECK: qcc.requantize %[[ACC]] {clamp_max = -8 : i64, multiplier = array<f32: {{.*}}>}
// CHECK-NOT: qcc.clamp
func.func @conv_relu6_s8(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.05:-128>> {
  %wi = arith.constant dense<2> : tensor<1x1x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<1x1x1x1xi8>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.02>>
  %xf = qcc.dequantize %x : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1:3>>) -> tensor<1x1x2x2xf32>
  %wf = qcc.dequantize %w : (tensor<1x1x1x1x!quant.uniform<i8:f32, 0.02>>) -> tensor<1x1x1x1xf32>
  %y = qcc.conv2d %xf, %wf {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %r = qcc.clamp %y {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x1x2x2xf32>
  %q = qcc.quantize %r : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.05:-128>>
  return %q : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.05:-128>>
}

// -----

// A ReLU whose output zero point is not the storage minimum clamps at the zero point.
// CHECK-LABEL: func @gemm_relu
// CHECK: %[[ACC:.*]] = qcc.gemm {{.*}} {trans_b = true} {{.*}} -> tensor<1x3x!quant.uniform<i32:f32:1, {{.*}}>>
// CHECK: qcc.requantize %[[ACC]] {clamp_min = 20 : i64, multiplier = array<f32: {{.*}}>}
func.func @gemm_relu(%a: tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.2:20>> {
  %wi = arith.constant dense<3> : tensor<3x4xi8>
  %w = "quant.scast"(%wi) : (tensor<3x4xi8>) -> tensor<3x4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>
  %af = qcc.dequantize %a : (tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x4xf32>
  %wf = qcc.dequantize %w : (tensor<3x4x!quant.uniform<i8:f32:0, {0.1, 0.2, 0.3}>>) -> tensor<3x4xf32>
  %y = qcc.gemm %af, %wf {trans_b = true} : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
  %r = qcc.relu %y : tensor<1x3xf32>
  %q = qcc.quantize %r : (tensor<1x3xf32>) -> tensor<1x3x!quant.uniform<u8:f32, 0.2:20>>
  return %q : tensor<1x3x!quant.uniform<u8:f32, 0.2:20>>
}

// -----

// Add, global average pool and a chain: no quantize/dequantize is left between integer ops.
// GAP multiplier: s_x / (s_y * H * W) = 0.1 / (0.05 * 4) = 0.5.
// CHECK-LABEL: func @add_gap_chain
// CHECK: %[[S:.*]] = qcc.add %{{.*}}, %{{.*}} : {{.*}} -> tensor<1x2x2x2x!quant.uniform<u8:f32, 1.000000e-01:5>>
// CHECK: %[[G:.*]] = qcc.global_avg_pool %[[S]] : {{.*}} -> tensor<1x2x1x1x!quant.uniform<i32:f32, 0.025000000372529{{[0-9]*}}>>
// CHECK: %[[Y:.*]] = qcc.requantize %[[G]] {multiplier = array<f32: 5.000000e-01>}
// CHECK-NOT: qcc.quantize
// CHECK-NOT: qcc.dequantize
// CHECK: return %[[Y]]
func.func @add_gap_chain(%a: tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:0>>, %b: tensor<1x2x2x2x!quant.uniform<u8:f32, 0.2:3>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.05:0>> {
  %af = qcc.dequantize %a : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x2x2x2xf32>
  %bf = qcc.dequantize %b : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.2:3>>) -> tensor<1x2x2x2xf32>
  %s = qcc.add %af, %bf : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %sq = qcc.quantize %s : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:5>>
  %sf = qcc.dequantize %sq : (tensor<1x2x2x2x!quant.uniform<u8:f32, 0.1:5>>) -> tensor<1x2x2x2xf32>
  %g = qcc.global_avg_pool %sf : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %gq = qcc.quantize %g : (tensor<1x2x1x1xf32>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.05:0>>
  return %gq : tensor<1x2x1x1x!quant.uniform<u8:f32, 0.05:0>>
}

// -----

// Data movement keeps the integers; different output parameters add a requantize.
// CHECK-LABEL: func @maxpool_reshape
// CHECK: %[[M:.*]] = qcc.max_pool %{{.*}} {{.*}} -> tensor<1x1x1x1x!quant.uniform<u8:f32, 1.000000e-01:7>>
// CHECK: %[[R:.*]] = qcc.reshape %[[M]] : {{.*}} -> tensor<1x1x!quant.uniform<u8:f32, 1.000000e-01:7>>
// CHECK: qcc.requantize %[[R]] : {{.*}} -> tensor<1x1x!quant.uniform<u8:f32, 2.000000e-01:7>>
func.func @maxpool_reshape(%x: tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:7>>) -> tensor<1x1x!quant.uniform<u8:f32, 0.2:7>> {
  %xf = qcc.dequantize %x : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:7>>) -> tensor<1x1x2x2xf32>
  %m = qcc.max_pool %xf {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32>
  %mq = qcc.quantize %m : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1:7>>
  %mf = qcc.dequantize %mq : (tensor<1x1x1x1x!quant.uniform<u8:f32, 0.1:7>>) -> tensor<1x1x1x1xf32>
  %r = qcc.reshape %mf : (tensor<1x1x1x1xf32>) -> tensor<1x1xf32>
  %rq = qcc.quantize %r : (tensor<1x1xf32>) -> tensor<1x1x!quant.uniform<u8:f32, 0.2:7>>
  return %rq : tensor<1x1x!quant.uniform<u8:f32, 0.2:7>>
}

// -----

// Concat requantizes the inputs whose parameters differ from the output's.
// CHECK-LABEL: func @concat_mixed
// CHECK-SAME: (%[[A:.*]]: {{.*}}, %[[B:.*]]: {{.*}})
// CHECK: %[[BR:.*]] = qcc.requantize %[[B]]
// CHECK: qcc.concat %[[A]], %[[BR]] {axis = 1 : i64}
func.func @concat_mixed(%a: tensor<1x2x!quant.uniform<u8:f32, 0.1:0>>, %b: tensor<1x2x!quant.uniform<u8:f32, 0.3:0>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:0>> {
  %af = qcc.dequantize %a : (tensor<1x2x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x2xf32>
  %bf = qcc.dequantize %b : (tensor<1x2x!quant.uniform<u8:f32, 0.3:0>>) -> tensor<1x2xf32>
  %c = qcc.concat %af, %bf {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  %q = qcc.quantize %c : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>
  return %q : tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>
}

// -----

// Negative: a weight that is not a constant stays in fake-quant form.
// CHECK-LABEL: func @non_constant_weight
// CHECK: qcc.conv2d %{{.*}}, %{{.*}} {{.*}} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
// CHECK: qcc.quantize
func.func @non_constant_weight(%x: tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>, %w: tensor<1x1x1x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>> {
  %xf = qcc.dequantize %x : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x1x2x2xf32>
  %wf = qcc.dequantize %w : (tensor<1x1x1x1x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x1x1xf32>
  %y = qcc.conv2d %xf, %wf {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %q = qcc.quantize %y : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>
  return %q : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>
}

// -----

// Negative: the float conv result is also returned, so it must stay float.
// CHECK-LABEL: func @float_result_used
// CHECK: %[[Y:.*]] = qcc.conv2d {{.*}} -> tensor<1x1x2x2xf32>
// CHECK: qcc.quantize %[[Y]]
func.func @float_result_used(%x: tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>) -> (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>, tensor<1x1x2x2xf32>) {
  %wi = arith.constant dense<2> : tensor<1x1x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<1x1x1x1xi8>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.02>>
  %xf = qcc.dequantize %x : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x1x2x2xf32>
  %wf = qcc.dequantize %w : (tensor<1x1x1x1x!quant.uniform<i8:f32, 0.02>>) -> tensor<1x1x1x1xf32>
  %y = qcc.conv2d %xf, %wf {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %q = qcc.quantize %y : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>
  return %q, %y : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>, tensor<1x1x2x2xf32>
}

// -----

// A bias whose scale is not s_x * s_w is re-expressed in accumulator units at compile time:
// 7 * 0.5 / (0.1 * 0.02) = 1750.
// CHECK-LABEL: func @bias_scale_mismatch
// CHECK: %[[B:.*]] = arith.constant dense<1750> : tensor<1xi32>
// CHECK: %[[BQ:.*]] = "quant.scast"(%[[B]])
// CHECK: qcc.conv2d %{{.*}}, %{{.*}}, %[[BQ]] {{.*}} -> tensor<1x1x2x2x!quant.uniform<i32:f32, {{.*}}>>
func.func @bias_scale_mismatch(%x: tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>> {
  %wi = arith.constant dense<2> : tensor<1x1x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<1x1x1x1xi8>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.02>>
  %bi = arith.constant dense<7> : tensor<1xi32>
  %b = "quant.scast"(%bi) : (tensor<1xi32>) -> tensor<1x!quant.uniform<i32:f32, 0.5>>
  %xf = qcc.dequantize %x : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x1x2x2xf32>
  %wf = qcc.dequantize %w : (tensor<1x1x1x1x!quant.uniform<i8:f32, 0.02>>) -> tensor<1x1x1x1xf32>
  %bf = qcc.dequantize %b : (tensor<1x!quant.uniform<i32:f32, 0.5>>) -> tensor<1xf32>
  %y = qcc.conv2d %xf, %wf, %bf {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %q = qcc.quantize %y : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>
  return %q : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1:0>>
}

// -----

// quantize(dequantize(x)) with equal parameters is x.
// CHECK-LABEL: func @identity_pair
// CHECK-SAME: (%[[X:.*]]: tensor<4x!quant.uniform<u8:f32, 1.000000e-01:3>>)
// CHECK-NEXT: return %[[X]]
func.func @identity_pair(%x: tensor<4x!quant.uniform<u8:f32, 0.1:3>>) -> tensor<4x!quant.uniform<u8:f32, 0.1:3>> {
  %f = qcc.dequantize %x : (tensor<4x!quant.uniform<u8:f32, 0.1:3>>) -> tensor<4xf32>
  %q = qcc.quantize %f : (tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.1:3>>
  return %q : tensor<4x!quant.uniform<u8:f32, 0.1:3>>
}

// -----

// A standalone ReLU between a dequantize and a quantize is a clamping requantize.
// CHECK-LABEL: func @relu_alone
// CHECK: qcc.requantize %{{.*}} {clamp_min = 10 : i64}
// CHECK-NOT: qcc.relu
func.func @relu_alone(%x: tensor<4x!quant.uniform<u8:f32, 0.1:10>>) -> tensor<4x!quant.uniform<u8:f32, 0.1:10>> {
  %f = qcc.dequantize %x : (tensor<4x!quant.uniform<u8:f32, 0.1:10>>) -> tensor<4xf32>
  %r = qcc.relu %f : tensor<4xf32>
  %q = qcc.quantize %r : (tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.1:10>>
  return %q : tensor<4x!quant.uniform<u8:f32, 0.1:10>>
}

// -----

// Sigmoid between dequantize and quantize becomes a 256-entry table of stored outputs:
// entry i holds quantize(sigmoid((i - zp) * s_x)) with s_y = 1/256: entry 0 is sigmoid(-12.8) -> 0;
// entries 126..130 are sigmoid(-0.2..0.2) = 0.4502, 0.4750, 0.5, 0.5250, 0.5498 -> 115, 122,
// 128, 134, 141; entry 255 is sigmoid(12.7) -> 255.99 -> 255 (saturated).
// CHECK-LABEL: func @sigmoid_table
// CHECK: %[[T:.*]] = qcc.table %{{.*}} {table = array<i32: 0, 0, {{.*}}, 115, 122, 128, 134, 141, {{.*}}, 255, 255>}
// CHECK-NOT: qcc.sigmoid
// CHECK: return %[[T]]
func.func @sigmoid_table(%x: tensor<4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<4x!quant.uniform<u8:f32, 0.00390625>> {
  %f = qcc.dequantize %x : (tensor<4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<4xf32>
  %s = qcc.sigmoid %f : tensor<4xf32>
  %q = qcc.quantize %s : (tensor<4xf32>) -> tensor<4x!quant.uniform<u8:f32, 0.00390625>>
  return %q : tensor<4x!quant.uniform<u8:f32, 0.00390625>>
}

// -----

// Softmax whose result has TFLite's softmax parameters (scale 1/256, zero point at the
// storage minimum: 0 for u8, -128 for i8) becomes the integer qcc.softmax.
// CHECK-LABEL: func @softmax_u8
// CHECK: %[[S:.*]] = qcc.softmax %arg0 {axis = -1 : i64} : (tensor<1x10x!quant.uniform<u8:f32, {{.*}}:58>>) -> tensor<1x10x!quant.uniform<u8:f32, 3.906250e-03>>
// CHECK-NOT: qcc.dequantize
// CHECK: return %[[S]]
func.func @softmax_u8(%x: tensor<1x10x!quant.uniform<u8:f32, 0.0988:58>>) -> tensor<1x10x!quant.uniform<u8:f32, 0.00390625>> {
  %f = qcc.dequantize %x : (tensor<1x10x!quant.uniform<u8:f32, 0.0988:58>>) -> tensor<1x10xf32>
  %s = qcc.softmax %f {axis = -1 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>
  %q = qcc.quantize %s : (tensor<1x10xf32>) -> tensor<1x10x!quant.uniform<u8:f32, 0.00390625>>
  return %q : tensor<1x10x!quant.uniform<u8:f32, 0.00390625>>
}

// -----

// CHECK-LABEL: func @softmax_i8_axis0
// CHECK: qcc.softmax %arg0 {axis = 0 : i64} : (tensor<3x4x!quant.uniform<i8:f32, 5.000000e-02:-3>>) -> tensor<3x4x!quant.uniform<i8:f32, 3.906250e-03:-128>>
func.func @softmax_i8_axis0(%x: tensor<3x4x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<3x4x!quant.uniform<i8:f32, 0.00390625:-128>> {
  %f = qcc.dequantize %x : (tensor<3x4x!quant.uniform<i8:f32, 0.05:-3>>) -> tensor<3x4xf32>
  %s = qcc.softmax %f {axis = 0 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %q = qcc.quantize %s : (tensor<3x4xf32>) -> tensor<3x4x!quant.uniform<i8:f32, 0.00390625:-128>>
  return %q : tensor<3x4x!quant.uniform<i8:f32, 0.00390625:-128>>
}

// -----

// Negative: other result parameters (i8 with zero point 0, or a scale other than 1/256)
// are not TFLite's softmax output; the group stays fake-quant (still correct).
// CHECK-LABEL: func @softmax_other_output_params
// CHECK: qcc.dequantize
// CHECK: qcc.softmax %{{.*}} : (tensor<1x10xf32>) -> tensor<1x10xf32>
// CHECK: qcc.quantize
// CHECK: qcc.softmax %{{.*}} : (tensor<1x10xf32>) -> tensor<1x10xf32>
// CHECK: qcc.quantize
func.func @softmax_other_output_params(%x: tensor<1x10x!quant.uniform<i8:f32, 0.05>>) -> (tensor<1x10x!quant.uniform<i8:f32, 0.00390625>>, tensor<1x10x!quant.uniform<u8:f32, 0.004>>) {
  %f = qcc.dequantize %x : (tensor<1x10x!quant.uniform<i8:f32, 0.05>>) -> tensor<1x10xf32>
  %s = qcc.softmax %f {axis = -1 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>
  %q = qcc.quantize %s : (tensor<1x10xf32>) -> tensor<1x10x!quant.uniform<i8:f32, 0.00390625>>
  %s2 = qcc.softmax %f {axis = -1 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>
  %q2 = qcc.quantize %s2 : (tensor<1x10xf32>) -> tensor<1x10x!quant.uniform<u8:f32, 0.004>>
  return %q, %q2 : tensor<1x10x!quant.uniform<i8:f32, 0.00390625>>, tensor<1x10x!quant.uniform<u8:f32, 0.004>>
}

// -----

// PyTorch QAT export: a float weight quantized in the graph becomes an int8 constant; the
// Div and BatchNormalization between the conv and its quantize fold into the requantization
// (Div by d = 2: a = 1/2, b = 0; BatchNormalization with gamma = 4, var = 3, eps = 1,
// mean = 3, beta = 1: s = 4 / sqrt(4) = 2, a = 1, b = (0 - 3) * 2 + 1 = -5; multiplier
// s_x * s_w * a / s_y = 0.25 / 0.25 = 1; bias -5 / (s_x * s_w * a) = -20), with a float
// zero bias.
// CHECK-LABEL: func @qat_conv_div_bn
// CHECK-DAG: %[[W:.*]] = arith.constant dense<2> : tensor<1x1x1x1xi8>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<-20> : tensor<1xi32>
// CHECK: %[[ACC:.*]] = qcc.conv2d %{{.*}}, %{{.*}}, %{{.*}} {{.*}} -> tensor<1x1x2x2x!quant.uniform<i32:f32:1, {2.500000e-01}>>
// CHECK: qcc.requantize %[[ACC]] {multiplier = array<f32: 1.000000e+00>}
// CHECK-NOT: qcc.batch_norm
// CHECK-NOT: qcc.div
func.func @qat_conv_div_bn(%x: tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:0>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.25:100>> {
  %wf = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %wq = qcc.quantize %wf : (tensor<1x1x1x1xf32>) -> tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>
  %wd = qcc.dequantize %wq : (tensor<1x1x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x1x1x1xf32>
  %zero = arith.constant dense<0.0> : tensor<1xf32>
  %xf = qcc.dequantize %x : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.5:0>>) -> tensor<1x1x2x2xf32>
  %c = qcc.conv2d %xf, %wd, %zero {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %two = arith.constant dense<2.0> : tensor<1x1x1x1xf32>
  %d = qcc.div %c, %two : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %g = arith.constant dense<4.0> : tensor<1xf32>
  %beta = arith.constant dense<1.0> : tensor<1xf32>
  %mean = arith.constant dense<3.0> : tensor<1xf32>
  %var = arith.constant dense<3.0> : tensor<1xf32>
  %bn = qcc.batch_norm %d, %g, %beta, %mean, %var {epsilon = 1.0 : f32}
        : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %q = qcc.quantize %bn : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.25:100>>
  return %q : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.25:100>>
}

// -----

// u8 weights with a zero point whose values w - zp all fit in s8 become s8 weights of
// zero point 0 with the same scale: [130, 120, 95, 105] - 128 = [2, -8, -33, -23] (the u8
// storage 130 is the i8 constant -126).
// CHECK-LABEL: func @u8_weights_to_s8
// CHECK: %[[WI:.*]] = arith.constant dense<{{\[\[\[\[}}2]], {{\[\[}}-8]]], {{\[\[\[}}-33]], {{\[\[}}-23]]]]> : tensor<2x2x1x1xi8>
// CHECK: %[[W:.*]] = "quant.scast"(%[[WI]]) : (tensor<2x2x1x1xi8>) -> tensor<2x2x1x1x!quant.uniform<i8:f32, 5.000000e-01>>
// CHECK: qcc.conv2d %{{.*}}, %[[W]]
func.func @u8_weights_to_s8(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>> {
  %wi = arith.constant dense<[[[[-126]], [[120]]], [[[95]], [[105]]]]> : tensor<2x2x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<2x2x1x1xi8>) -> tensor<2x2x1x1x!quant.uniform<u8:f32, 0.5:128>>
  %xf = qcc.dequantize %x : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x2x4x4xf32>
  %wf = qcc.dequantize %w : (tensor<2x2x1x1x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<2x2x1x1xf32>
  %y = qcc.conv2d %xf, %wf {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %q = qcc.quantize %y : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>>
  return %q : tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>>
}

// -----

// A weight that does not fit (u8 10 - 140 = -130): the tensor keeps its u8 encoding.
// CHECK-LABEL: func @u8_weights_stay
// CHECK: "quant.scast"(%{{.*}}) : (tensor<2x1x1x1xi8>) -> tensor<2x1x1x1x!quant.uniform<u8:f32, 5.000000e-01:140>>
// CHECK: qcc.conv2d
func.func @u8_weights_stay(%x: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>> {
  %wi = arith.constant dense<[[[[10]]], [[[-100]]]]> : tensor<2x1x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<2x1x1x1xi8>) -> tensor<2x1x1x1x!quant.uniform<u8:f32, 0.5:140>>
  %xf = qcc.dequantize %x : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x1x4x4xf32>
  %wf = qcc.dequantize %w : (tensor<2x1x1x1x!quant.uniform<u8:f32, 0.5:140>>) -> tensor<2x1x1x1xf32>
  %y = qcc.conv2d %xf, %wf {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %q = qcc.quantize %y : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>>
  return %q : tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>>
}

// -----

// LeakyRelu's table: the fake-quant graph's f32 arithmetic by default (round half to
// even), TFLite's integer LEAKY_RELU with requant-mode=fixed (Q31 multipliers of
// s_x / s_y = 0.5 and alpha * s_x / s_y = 0.25, ties away from zero). Stored inputs -2..5
// are the reals -1..2.5; their results y = x or x / 2 are, in steps of s_y = 1:
//   -0.5, -0.25, 0, 0.5, 1, 1.5, 2, 2.5
// float: 0 (-0.5 to even), 0, 0, 0 (0.5 to even), 1, 2, 2, 2 (2.5 to even);
// fixed: -1, 0, 0, 1, 1, 2, 2, 3. Entry 128 + v holds input v.
// CHECK-LABEL: func @leaky_relu_table
// FIXED-LABEL: func @leaky_relu_table
// CHECK: qcc.table %{{.*}} {table = array<i32: {{(-?[0-9]+, ){126}()}}0, 0, 0, 0, 1, 2, 2, 2,
// FIXED: qcc.table %{{.*}} {table = array<i32: {{(-?[0-9]+, ){126}()}}-1, 0, 0, 1, 1, 2, 2, 3,
func.func @leaky_relu_table(%x: tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4x!quant.uniform<i8:f32, 1.0>> {
  %f = qcc.dequantize %x : (tensor<4x!quant.uniform<i8:f32, 0.5>>) -> tensor<4xf32>
  %l = qcc.leaky_relu %f {alpha = 0.5 : f32} : tensor<4xf32>
  %q = qcc.quantize %l : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 1.0>>
  return %q : tensor<4x!quant.uniform<i8:f32, 1.0>>
}

// -----

// exp and sqrt become tables too: exp((v - 0) * 0.25) / 0.5 for v = 0..4 is 2, 2.568, 3.297,
// 4.234, 5.437 -> 2, 3, 3, 4, 5 at entries 128..132.
// CHECK-LABEL: func @exp_table
// CHECK: qcc.table %{{.*}} {table = array<i32: {{(-?[0-9]+, ){128}()}}2, 3, 3, 4, 5,
// CHECK-NOT: qcc.exp
func.func @exp_table(%x: tensor<4x!quant.uniform<i8:f32, 0.25>>) -> tensor<4x!quant.uniform<i8:f32, 0.5>> {
  %f = qcc.dequantize %x : (tensor<4x!quant.uniform<i8:f32, 0.25>>) -> tensor<4xf32>
  %e = qcc.exp %f : tensor<4xf32>
  %q = qcc.quantize %e : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.5>>
  return %q : tensor<4x!quant.uniform<i8:f32, 0.5>>
}

// -----

// pad between dequantize and quantize: the input is requantized to the output's parameters
// first, then padded (the value stays real; the lowering quantizes it with the output's).
// argmax of a dequantized tensor reads the stored integers.
// CHECK-LABEL: func @pad_and_argmax
// CHECK: %[[R:.*]] = qcc.requantize %arg0 {{.*}} -> tensor<1x4x!quant.uniform<u8:f32, 2.000000e-01:50>>
// CHECK: qcc.pad %[[R]] {pads = array<i64: 0, 1, 0, 1>, value = 0.69{{[0-9]*}} : f32} : (tensor<1x4x!quant.uniform<u8:f32, 2.000000e-01:50>>) -> tensor<1x6x!quant.uniform<u8:f32, 2.000000e-01:50>>
// CHECK: qcc.argmax %arg0 {axis = 1 : i64, keepdims = false} : (tensor<1x4x!quant.uniform<u8:f32, 1.000000e-01:100>>) -> tensor<1xi64>
func.func @pad_and_argmax(%x: tensor<1x4x!quant.uniform<u8:f32, 0.1:100>>) -> (tensor<1x6x!quant.uniform<u8:f32, 0.2:50>>, tensor<1xi64>) {
  %f = qcc.dequantize %x : (tensor<1x4x!quant.uniform<u8:f32, 0.1:100>>) -> tensor<1x4xf32>
  %p = qcc.pad %f {pads = array<i64: 0, 1, 0, 1>, value = 0.7 : f32} : (tensor<1x4xf32>) -> tensor<1x6xf32>
  %q = qcc.quantize %p : (tensor<1x6xf32>) -> tensor<1x6x!quant.uniform<u8:f32, 0.2:50>>
  %i = qcc.argmax %f {axis = 1 : i64, keepdims = false} : (tensor<1x4xf32>) -> tensor<1xi64>
  return %q, %i : tensor<1x6x!quant.uniform<u8:f32, 0.2:50>>, tensor<1xi64>
}

// -----

// tf2onnx's FULLY_CONNECTED: matmul, then add of an int32 DequantizeLinear bias, relu,
// quantize -> one integer gemm with that bias, requantized by (0.5 * 0.25) / 0.25 = 0.5; the
// relu needs no clamp (with zero point 0 its bound is the storage minimum).
// CHECK-LABEL: func @matmul_add_bias
// CHECK: %[[G:.*]] = qcc.gemm %arg0, %{{.*}}, %{{.*}} : (tensor<1x4x!quant.uniform<u8:f32, 5.000000e-01:128>>, tensor<4x3x!quant.uniform<i8:f32, 2.500000e-01>>, tensor<3x!quant.uniform<i32:f32, 1.250000e-01>>) -> tensor<1x3x!quant.uniform<i32:f32, 1.250000e-01>>
// CHECK: qcc.requantize %[[G]] {multiplier = array<f32: 5.000000e-01>}
// CHECK-NOT: qcc.add
// CHECK-NOT: qcc.matmul
func.func @matmul_add_bias(%x: tensor<1x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.25>> {
  %wi = arith.constant dense<[[1, 2, 3], [4, 5, 6], [-1, -2, -3], [7, 8, 9]]> : tensor<4x3xi8>
  %w = "quant.scast"(%wi) : (tensor<4x3xi8>) -> tensor<4x3x!quant.uniform<i8:f32, 0.25>>
  %bi = arith.constant dense<[10, -20, 30]> : tensor<3xi32>
  %b = "quant.scast"(%bi) : (tensor<3xi32>) -> tensor<3x!quant.uniform<i32:f32, 0.125>>
  %xf = qcc.dequantize %x : (tensor<1x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x4xf32>
  %wf = qcc.dequantize %w : (tensor<4x3x!quant.uniform<i8:f32, 0.25>>) -> tensor<4x3xf32>
  %bf = qcc.dequantize %b : (tensor<3x!quant.uniform<i32:f32, 0.125>>) -> tensor<3xf32>
  %m = qcc.matmul %xf, %wf : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  %a = qcc.add %m, %bf : (tensor<1x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  %r = qcc.relu %a : tensor<1x3xf32>
  %q = qcc.quantize %r : (tensor<1x3xf32>) -> tensor<1x3x!quant.uniform<u8:f32, 0.25>>
  return %q : tensor<1x3x!quant.uniform<u8:f32, 0.25>>
}

// -----

// gather and gather_nd between dequantize and quantize move the stored integers; the
// indices stay as they are, and the output's parameters are reached by one requantize.
// CHECK-LABEL: func @gather_moves_integers
// CHECK: %[[G:.*]] = qcc.gather %arg0, %arg1 {axis = 1 : i64} : (tensor<2x5x!quant.uniform<i8:f32, 1.000000e-01:-3>>, tensor<3xi32>) -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01:-3>>
// CHECK: qcc.requantize %[[G]] {{.*}} -> tensor<2x3x!quant.uniform<i8:f32, 2.000000e-01:4>>
// CHECK: qcc.gather_nd %arg0, %arg2 : (tensor<2x5x!quant.uniform<i8:f32, 1.000000e-01:-3>>, tensor<4x2xi64>) -> tensor<4x!quant.uniform<i8:f32, 1.000000e-01:-3>>
// CHECK-NOT: qcc.dequantize
func.func @gather_moves_integers(%x: tensor<2x5x!quant.uniform<i8:f32, 0.1:-3>>, %i: tensor<3xi32>, %t: tensor<4x2xi64>)
    -> (tensor<2x3x!quant.uniform<i8:f32, 0.2:4>>, tensor<4x!quant.uniform<i8:f32, 0.1:-3>>) {
  %f = qcc.dequantize %x : (tensor<2x5x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<2x5xf32>
  %g = qcc.gather %f, %i {axis = 1 : i64} : (tensor<2x5xf32>, tensor<3xi32>) -> tensor<2x3xf32>
  %q = qcc.quantize %g : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.2:4>>
  %n = qcc.gather_nd %f, %t : (tensor<2x5xf32>, tensor<4x2xi64>) -> tensor<4xf32>
  %m = qcc.quantize %n : (tensor<4xf32>) -> tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
  return %q, %m : tensor<2x3x!quant.uniform<i8:f32, 0.2:4>>, tensor<4x!quant.uniform<i8:f32, 0.1:-3>>
}

// -----

// prelu with a dequantized constant slope varying along the channels: one 256-entry table
// per channel (axis 1). Channel 0 (slope 0.5 = (50 - 0) * 0.01): the stored input 0 is real
// -12.8 (zero point 128, scale 0.1), times 0.5 is -6.4, quantized with scale 0.1 and zero
// point 128 to 64; its last entry (real 12.7) is 255. Channel 1 (slope -1) starts at 12.8
// -> 256, saturated to 255, then 12.7 -> 255, 12.6 -> 254. Fixed mode (TFLite's integer
// PRELU) gives the same first entries.
// CHECK-LABEL: func @prelu_per_channel_table
// CHECK: qcc.table %arg0 {axis = 1 : i64, table = array<i32: 64, 64, 65, 66,
// CHECK-SAME: 255, 255, 255, 254,
// CHECK-NOT: qcc.prelu
// FIXED-LABEL: func @prelu_per_channel_table
// FIXED: qcc.table %arg0 {axis = 1 : i64, table = array<i32: 64,
func.func @prelu_per_channel_table(%x: tensor<1x2x3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x2x3x!quant.uniform<u8:f32, 0.1:128>> {
  %a = arith.constant dense<[[50], [-100]]> : tensor<2x1xi8>
  %aq = "quant.scast"(%a) : (tensor<2x1xi8>) -> tensor<2x1x!quant.uniform<i8:f32, 0.01>>
  %af = qcc.dequantize %aq : (tensor<2x1x!quant.uniform<i8:f32, 0.01>>) -> tensor<2x1xf32>
  %f = qcc.dequantize %x : (tensor<1x2x3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x2x3xf32>
  %p = qcc.prelu %f, %af : (tensor<1x2x3xf32>, tensor<2x1xf32>) -> tensor<1x2x3xf32>
  %q = qcc.quantize %p : (tensor<1x2x3xf32>) -> tensor<1x2x3x!quant.uniform<u8:f32, 0.1:128>>
  return %q : tensor<1x2x3x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

// topk of a dequantized tensor whose values are quantized again: topk of the stored
// integers; values reach the quantize's parameters by one requantize, indices unchanged.
// CHECK-LABEL: func @topk_moves_integers
// CHECK: %[[V:.*]], %[[I:.*]] = qcc.topk %arg0 {axis = 1 : i64, k = 2 : i64} : (tensor<1x5x!quant.uniform<u8:f32, 1.000000e-01:100>>) -> (tensor<1x2x!quant.uniform<u8:f32, 1.000000e-01:100>>, tensor<1x2xi64>)
// CHECK: qcc.requantize %[[V]]
// CHECK: return {{.*}}, %[[I]]
func.func @topk_moves_integers(%x: tensor<1x5x!quant.uniform<u8:f32, 0.1:100>>) -> (tensor<1x2x!quant.uniform<u8:f32, 0.2:100>>, tensor<1x2xi64>) {
  %f = qcc.dequantize %x : (tensor<1x5x!quant.uniform<u8:f32, 0.1:100>>) -> tensor<1x5xf32>
  %v, %i = qcc.topk %f {axis = 1 : i64, k = 2 : i64} : (tensor<1x5xf32>) -> (tensor<1x2xf32>, tensor<1x2xi64>)
  %q = qcc.quantize %v : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<u8:f32, 0.2:100>>
  return %q, %i : tensor<1x2x!quant.uniform<u8:f32, 0.2:100>>, tensor<1x2xi64>
}

// -----

// int16 activations with int8 weights (int16x8): folded while int32 accumulation provably
// cannot overflow, sum |w| * 32768 + 2^30 < 2^31 per filter: 256 weights of 127 (32512)
// fit, 260 (33020) do not, and that layer stays in fake-quant form.
// CHECK-LABEL: func @int16_products
// CHECK: %[[ACC:.*]] = qcc.gemm {{.*}} : (tensor<1x256x!quant.uniform<i16:f32, 1.000000e-03>>, tensor<256x1x!quant.uniform<i8:f32, 1.000000e-02>>) -> tensor<1x1x!quant.uniform<i32:f32, 1.0000000{{[0-9]*}}E-5>>
// CHECK: qcc.requantize %[[ACC]] {{.*}} -> tensor<1x1x!quant.uniform<i16:f32, 2.000000e-03>>
// CHECK: qcc.gemm {{.*}} : (tensor<1x260xf32>, tensor<260x1xf32>) -> tensor<1x1xf32>
func.func @int16_products(%x: tensor<1x256x!quant.uniform<i16:f32, 0.001>>, %x2: tensor<1x260x!quant.uniform<i16:f32, 0.001>>) -> (tensor<1x1x!quant.uniform<i16:f32, 0.002>>, tensor<1x1x!quant.uniform<i16:f32, 0.002>>) {
  %wi = arith.constant dense<127> : tensor<256x1xi8>
  %w = "quant.scast"(%wi) : (tensor<256x1xi8>) -> tensor<256x1x!quant.uniform<i8:f32, 0.01>>
  %xf = qcc.dequantize %x : (tensor<1x256x!quant.uniform<i16:f32, 0.001>>) -> tensor<1x256xf32>
  %wf = qcc.dequantize %w : (tensor<256x1x!quant.uniform<i8:f32, 0.01>>) -> tensor<256x1xf32>
  %y = qcc.gemm %xf, %wf : (tensor<1x256xf32>, tensor<256x1xf32>) -> tensor<1x1xf32>
  %q = qcc.quantize %y : (tensor<1x1xf32>) -> tensor<1x1x!quant.uniform<i16:f32, 0.002>>
  %wi2 = arith.constant dense<127> : tensor<260x1xi8>
  %w2 = "quant.scast"(%wi2) : (tensor<260x1xi8>) -> tensor<260x1x!quant.uniform<i8:f32, 0.01>>
  %xf2 = qcc.dequantize %x2 : (tensor<1x260x!quant.uniform<i16:f32, 0.001>>) -> tensor<1x260xf32>
  %wf2 = qcc.dequantize %w2 : (tensor<260x1x!quant.uniform<i8:f32, 0.01>>) -> tensor<260x1xf32>
  %y2 = qcc.gemm %xf2, %wf2 : (tensor<1x260xf32>, tensor<260x1xf32>) -> tensor<1x1xf32>
  %q2 = qcc.quantize %y2 : (tensor<1x1xf32>) -> tensor<1x1x!quant.uniform<i16:f32, 0.002>>
  return %q, %q2 : tensor<1x1x!quant.uniform<i16:f32, 0.002>>, tensor<1x1x!quant.uniform<i16:f32, 0.002>>
}
