// Verifier errors, one scenario per function.
// RUN: qcc-opt %s -split-input-file -verify-diagnostics

func.func @conv_group_mismatch(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32> {
  // expected-error @+1 {{weight expects 4 input channels per group, input gives 2}}
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x6x6xf32>
  return %y : tensor<1x6x6x6xf32>
}

// -----

func.func @conv_bad_output(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{result shape 1x4x8x8 does not match the expected 1x4x6x6}}
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_bad_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{expects 4 non-negative pads}}
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+1 {{bias must have 4 elements}}
  %y = qcc.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_dynamic(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32> {
  // expected-error @+1 {{requires statically shaped tensors}}
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return %y : tensor<?x4x6x6xf32>
}

// -----

func.func @matmul_k(%a: tensor<3x4xf32>, %b: tensor<5x6xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{contracting dimensions differ: 4 vs 5}}
  %y = qcc.matmul %a, %b : (tensor<3x4xf32>, tensor<5x6xf32>) -> tensor<3x6xf32>
  return %y : tensor<3x6xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x3x4xf32>, %b: tensor<3x4x6xf32>) -> tensor<2x3x6xf32> {
  // expected-error @+1 {{batch dimensions do not broadcast}}
  %y = qcc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<3x4x6xf32>) -> tensor<2x3x6xf32>
  return %y : tensor<2x3x6xf32>
}

// -----

func.func @gemm_trans(%a: tensor<2x6xf32>, %b: tensor<5x6xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{contracting dimensions differ: 6 vs 5}}
  %y = qcc.gemm %a, %b : (tensor<2x6xf32>, tensor<5x6xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

func.func @gemm_c(%a: tensor<2x6xf32>, %b: tensor<5x6xf32>, %c: tensor<3xf32>) -> tensor<2x5xf32> {
  // expected-error @+1 {{C of shape 3 does not broadcast to 2x5}}
  %y = qcc.gemm %a, %b, %c {trans_b = true} : (tensor<2x6xf32>, tensor<5x6xf32>, tensor<3xf32>) -> tensor<2x5xf32>
  return %y : tensor<2x5xf32>
}

// -----

func.func @add_shapes(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes 2x3 and 4 do not broadcast}}
  %y = qcc.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @mul_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{result shape 3x3 does not match the expected 2x3}}
  %y = qcc.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return %y : tensor<3x3xf32>
}

// -----

func.func @sub_type(%a: tensor<2x3xi8>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{must be ranked tensor of 32-bit float or QuantizedType values}}
  %y = qcc.sub %a, %b : (tensor<2x3xi8>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @div_shapes(%a: tensor<2x3xf32>, %b: tensor<2x2xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{do not broadcast}}
  %y = qcc.div %a, %b : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @relu_type(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "qcc.relu"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @clamp_range(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{min 6.000000e+00 exceeds max 0.000000e+00}}
  %y = qcc.clamp %a {min = 6.0 : f32, max = 0.0 : f32} : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @softmax_axis(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %y = qcc.softmax %a {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @batchnorm_params(%x: tensor<1x4x2x2xf32>, %p: tensor<3xf32>) -> tensor<1x4x2x2xf32> {
  // expected-error @+1 {{per-channel parameters must have 4 elements}}
  %y = qcc.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-05 : f32}
       : (tensor<1x4x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

func.func @maxpool_output(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x2x2xf32> {
  // expected-error @+1 {{result shape 1x2x2x2 does not match the expected 1x2x3x3}}
  %y = qcc.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true}
       : (tensor<1x2x6x6xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @avgpool_pad(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x8x8xf32> {
  // expected-error @+1 {{padding must be smaller than the kernel}}
  %y = qcc.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 2, 2, 2, 2>}
       : (tensor<1x2x6x6xf32>) -> tensor<1x2x8x8xf32>
  return %y : tensor<1x2x8x8xf32>
}

// -----

func.func @gap_rank(%x: tensor<2x6xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{expects a rank-4 NCHW input}}
  %y = qcc.global_avg_pool %x : (tensor<2x6xf32>) -> tensor<2x1xf32>
  return %y : tensor<2x1xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x6xf32>) -> tensor<5x2xf32> {
  // expected-error @+1 {{element counts differ: 12 vs 10}}
  %y = qcc.reshape %x : (tensor<2x6xf32>) -> tensor<5x2xf32>
  return %y : tensor<5x2xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  // expected-error @+1 {{perm is not a permutation}}
  %y = qcc.transpose %x {perm = array<i64: 2, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  return %y : tensor<4x3x2xf32>
}

// -----

func.func @concat_dims(%a: tensor<1x2x4xf32>, %b: tensor<1x3x5xf32>) -> tensor<1x5x4xf32> {
  // expected-error @+1 {{operand dimension 2 differs from the result's}}
  %y = qcc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x5xf32>) -> tensor<1x5x4xf32>
  return %y : tensor<1x5x4xf32>
}

// -----

func.func @concat_sum(%a: tensor<1x2x4xf32>, %b: tensor<1x3x4xf32>) -> tensor<1x6x4xf32> {
  // expected-error @+1 {{result dimension 1 is 6, operands add up to 5}}
  %y = qcc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4xf32>, tensor<1x3x4xf32>) -> tensor<1x6x4xf32>
  return %y : tensor<1x6x4xf32>
}

// -----

func.func @quantize_axis(%x: tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32:1, {0.5,0.25}>> {
  // expected-error @+1 {{per-axis type has 2 scales for dimension 1 of size 4}}
  %q = qcc.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i8:f32:1, {0.5,0.25}>>
  return %q : tensor<1x4x!quant.uniform<i8:f32:1, {0.5,0.25}>>
}

// -----

func.func @quantize_result_type(%x: tensor<1x4xf32>) -> tensor<1x4xi8> {
  // expected-error @+1 {{must be ranked tensor of QuantizedType values}}
  %q = qcc.quantize %x : (tensor<1x4xf32>) -> tensor<1x4xi8>
  return %q : tensor<1x4xi8>
}

// -----

func.func @dequantize_shape(%q: tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<4xf32> {
  // expected-error @+1 {{operand and result shapes differ}}
  %x = qcc.dequantize %q : (tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<4xf32>
  return %x : tensor<4xf32>
}

// -----

func.func @requantize_per_axis_result(%q: tensor<1x2x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x2x!quant.uniform<i8:f32:1, {0.5,0.25}>> {
  // expected-error @+1 {{expects a per-tensor result type}}
  %y = qcc.requantize %q : (tensor<1x2x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x2x!quant.uniform<i8:f32:1, {0.5,0.25}>>
  return %y : tensor<1x2x!quant.uniform<i8:f32:1, {0.5,0.25}>>
}

// -----

func.func @sub_quantized(%a: tensor<4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<4x!quant.uniform<u8:f32, 0.1:128>> {
  // expected-error @+1 {{mixes float and quantized tensors}}
  %y = qcc.sub %a, %a : (tensor<4x!quant.uniform<u8:f32, 0.1:128>>, tensor<4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<4x!quant.uniform<u8:f32, 0.1:128>>
  return %y : tensor<4x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

func.func @conv_int_result(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<3x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x4x4x!quant.uniform<u8:f32, 0.2:0>> {
  // expected-error @+1 {{result must be an int32 quantized tensor}}
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<3x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x4x4x!quant.uniform<u8:f32, 0.2:0>>
  return %y : tensor<1x3x4x4x!quant.uniform<u8:f32, 0.2:0>>
}

// -----

func.func @conv_weight_axis(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:128>>, %w: tensor<3x2x1x1x!quant.uniform<i8:f32:1, {0.5, 0.25}>>) -> tensor<1x3x4x4x!quant.uniform<i32:f32, 0.05>> {
  // expected-error @+1 {{per-axis weight must be quantized along dimension 0}}
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<3x2x1x1x!quant.uniform<i8:f32:1, {0.5, 0.25}>>) -> tensor<1x3x4x4x!quant.uniform<i32:f32, 0.05>>
  return %y : tensor<1x3x4x4x!quant.uniform<i32:f32, 0.05>>
}

// -----

func.func @conv_mixed(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{mixes float and quantized tensors}}
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4xf32>, tensor<3x2x1x1x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

func.func @gemm_alpha(%a: tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>, %b: tensor<2x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x!quant.uniform<i32:f32, 0.05>> {
  // expected-error @+1 {{integer form requires alpha = beta = 1}}
  %y = qcc.gemm %a, %b {trans_b = true, alpha = 2.0 : f32} : (tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>, tensor<2x4x!quant.uniform<i8:f32, 0.5>>) -> tensor<1x2x!quant.uniform<i32:f32, 0.05>>
  return %y : tensor<1x2x!quant.uniform<i32:f32, 0.05>>
}

// -----

func.func @maxpool_type(%x: tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.2:128>> {
  // expected-error @+1 {{integer form keeps the operand's quantized type}}
  %y = qcc.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>}
       : (tensor<1x1x4x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.2:128>>
  return %y : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.2:128>>
}

// -----

func.func @requantize_multiplier_count(%a: tensor<1x3x!quant.uniform<i32:f32:1, {0.1, 0.2, 0.3}>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.5:0>> {
  // expected-error @+1 {{multiplier has 2 values; expected 1 or 3}}
  %y = qcc.requantize %a {multiplier = array<f32: 0.5, 0.25>} : (tensor<1x3x!quant.uniform<i32:f32:1, {0.1, 0.2, 0.3}>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.5:0>>
  return %y : tensor<1x3x!quant.uniform<u8:f32, 0.5:0>>
}

// -----

func.func @requantize_clamp(%a: tensor<4x!quant.uniform<i32:f32, 0.1>>) -> tensor<4x!quant.uniform<u8:f32, 0.5:0>> {
  // expected-error @+1 {{clamp range [10, 300] is empty or outside the storage range}}
  %y = qcc.requantize %a {clamp_min = 10 : i64, clamp_max = 300 : i64} : (tensor<4x!quant.uniform<i32:f32, 0.1>>) -> tensor<4x!quant.uniform<u8:f32, 0.5:0>>
  return %y : tensor<4x!quant.uniform<u8:f32, 0.5:0>>
}

// -----

func.func @table_size(%x: tensor<4x!quant.uniform<u8:f32, 0.1>>) -> tensor<4x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{table has 2 entries; expected 256}}
  %y = qcc.table %x {table = array<i32: 1, 2>} : (tensor<4x!quant.uniform<u8:f32, 0.1>>) -> tensor<4x!quant.uniform<u8:f32, 0.1>>
  return %y : tensor<4x!quant.uniform<u8:f32, 0.1>>
}

// -----

func.func @softmax_output_params(%a: tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.00390625>> {
  // expected-error @+1 {{integer softmax needs a result with scale 1/256 and zero point -128 (its storage minimum)}}
  %y = qcc.softmax %a {axis = 1 : i64} : (tensor<2x3x!quant.uniform<i8:f32, 0.1>>) -> tensor<2x3x!quant.uniform<i8:f32, 0.00390625>>
  return %y : tensor<2x3x!quant.uniform<i8:f32, 0.00390625>>
}

// -----

func.func @gather_shape(%x: tensor<2x5x3xf32>, %i: tensor<4xi32>) -> tensor<2x3x3xf32> {
  // expected-error @+1 {{result shape}}
  %y = qcc.gather %x, %i {axis = 1 : i64} : (tensor<2x5x3xf32>, tensor<4xi32>) -> tensor<2x3x3xf32>
  return %y : tensor<2x3x3xf32>
}

// -----

func.func @gather_nd_tuple_too_long(%x: tensor<2x5xf32>, %i: tensor<4x3xi32>) -> tensor<4xf32> {
  // expected-error @+1 {{batch_dims 0 and tuples of 3 do not fit an input of rank 2 and indices of rank 2}}
  %y = qcc.gather_nd %x, %i : (tensor<2x5xf32>, tensor<4x3xi32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @detection_classes(%b: tensor<1x8x4xf32>, %s: tensor<1x8x6xf32>, %a: tensor<8x4xf32>)
    -> (tensor<1x3x4xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xf32>) {
  // expected-error @+1 {{num_classes 3 does not fit 6 score columns (at most one background column)}}
  %0, %1, %2, %3 = qcc.detection_postprocess %b, %s, %a {max_detections = 3 : i64,
      max_classes_per_detection = 1 : i64, num_classes = 3 : i64, score_threshold = 0.3 : f32,
      iou_threshold = 0.5 : f32, y_scale = 10.0 : f32, x_scale = 10.0 : f32, h_scale = 5.0 : f32,
      w_scale = 5.0 : f32, use_regular_nms = false}
      : (tensor<1x8x4xf32>, tensor<1x8x6xf32>, tensor<8x4xf32>)
      -> (tensor<1x3x4xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xf32>)
  return %0, %1, %2, %3 : tensor<1x3x4xf32>, tensor<1x3xf32>, tensor<1x3xf32>, tensor<1xf32>
}

// -----

func.func @prelu_slope_shape(%x: tensor<1x2x3xf32>, %s: tensor<4x1xf32>) -> tensor<1x2x3xf32> {
  // expected-error @+1 {{slope of shape 4x1 does not broadcast to the input's 1x2x3}}
  %y = qcc.prelu %x, %s : (tensor<1x2x3xf32>, tensor<4x1xf32>) -> tensor<1x2x3xf32>
  return %y : tensor<1x2x3xf32>
}

// -----

func.func @table_per_channel_size(%x: tensor<1x2x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x2x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{table has 2 entries; expected 512}}
  %y = qcc.table %x {axis = 1 : i64, table = array<i32: 1, 2>} : (tensor<1x2x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x2x!quant.uniform<u8:f32, 0.1>>
  return %y : tensor<1x2x!quant.uniform<u8:f32, 0.1>>
}

// -----

func.func @conv_transpose_weight_channels(%x: tensor<1x4x3x3xf32>, %w: tensor<2x3x2x2xf32>) -> tensor<1x3x4x4xf32> {
  // expected-error @+1 {{weight has 2 input channels, input gives 4}}
  %y = qcc.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x4x3x3xf32>, tensor<2x3x2x2xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

func.func @conv_transpose_result_channels(%x: tensor<1x4x3x3xf32>, %w: tensor<4x3x2x2xf32>) -> tensor<1x6x4x4xf32> {
  // expected-error @+1 {{expects a result of 1 x 3 x H x W}}
  %y = qcc.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x4x3x3xf32>, tensor<4x3x2x2xf32>) -> tensor<1x6x4x4xf32>
  return %y : tensor<1x6x4x4xf32>
}

// -----

func.func @matmul_integer_zero_point(%a: tensor<3x16xi8>, %b: tensor<16x8xi8>, %za: tensor<2xi8>, %zb: tensor<i8>) -> tensor<3x8xi32> {
  // expected-error @+1 {{lhs_zero_point must be a scalar or have 3 values}}
  %y = qcc.matmul_integer %a, %b, %za, %zb : (tensor<3x16xi8>, tensor<16x8xi8>, tensor<2xi8>, tensor<i8>) -> tensor<3x8xi32>
  return %y : tensor<3x8xi32>
}

// -----

func.func @conv_integer_shape(%x: tensor<1x4x5x5xi8>, %w: tensor<6x4x3x3xi8>, %z: tensor<i8>) -> tensor<1x6x5x5xi32> {
  // expected-error @+1 {{does not match the expected 1x6x3x3}}
  %y = qcc.conv_integer %x, %w, %z, %z {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x4x5x5xi8>, tensor<6x4x3x3xi8>, tensor<i8>, tensor<i8>) -> tensor<1x6x5x5xi32>
  return %y : tensor<1x6x5x5xi32>
}

// -----

func.func @dynamic_quantize_scheme_shapes(%x: tensor<2x16xf32>) -> (tensor<2x16xi8>, tensor<f32>, tensor<i8>) {
  // expected-error @+1 {{expects a scale and a zero point of shape [2]}}
  %q, %s, %z = qcc.dynamic_quantize %x {scheme = "symmetric"} : (tensor<2x16xf32>) -> (tensor<2x16xi8>, tensor<f32>, tensor<i8>)
  return %q, %s, %z : tensor<2x16xi8>, tensor<f32>, tensor<i8>
}

// -----

func.func @zero_point_correction_sums(%acc: tensor<2x3xi32>, %z: tensor<2xi8>, %sums: tensor<2xi32>) -> tensor<2x3xi32> {
  // expected-error @+1 {{sums must have 3 values}}
  %y = qcc.zero_point_correction %acc, %z, %sums {zero_point_axis = 0 : i64, sums_axis = 1 : i64}
       : (tensor<2x3xi32>, tensor<2xi8>, tensor<2xi32>) -> tensor<2x3xi32>
  return %y : tensor<2x3xi32>
}

// -----

func.func @resize_linear_q10_unsigned(%x: tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1>> {
  // expected-error @+1 {{mode linear_q10 takes 8-bit per-tensor signed values}}
  %y = qcc.resize %x {mode = "linear_q10", rows = array<i64: 0, 1>, cols = array<i64: 0, 1>,
         rows_hi = array<i64: 0, 1>, cols_hi = array<i64: 0, 1>,
         row_weights = array<f32: 0.0, 0.0>, col_weights = array<f32: 0.0, 0.0>}
       : (tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1>>) -> tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1>>
  return %y : tensor<1x1x2x2x!quant.uniform<u8:f32, 0.1>>
}
