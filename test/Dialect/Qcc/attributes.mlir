// The attributes passes leave for each other (QccDialect.td, discardableAttrs): accepted
// where they belong, refused with the rule otherwise.
// RUN: qcc-opt %s -split-input-file -verify-diagnostics

// The importer's and the planner's attributes where they belong: no error.
module attributes {qcc.opset = 13 : i64, qcc.arena_size = 64 : i64, qcc.arena_lower_bound = 32 : i64, qcc.arena_alignment = 64 : i64, qcc.layers = 2 : i64, qcc.parallel_layers = 0 : i64} {
  func.func @ok(%x: tensor<4xf32> {qcc.name = "x", qcc.dtype = "float32"}, %a: memref<64xi8> {qcc.arena}) -> (tensor<4xf32> {qcc.name = "y", qcc.dtype = "float32"}) attributes {qcc.entry, qcc.num_inputs = 1 : i64, qcc.num_outputs = 1 : i64} {
    %e = tensor.empty() {qcc.distinct = 3 : i64} : tensor<4xf32>
    return %x : tensor<4xf32>
  }
}

// -----

// expected-error @+1 {{'qcc.tile_sizes' must be an array of non-negative tile sizes (0: not tiled)}}
func.func @negative_tile() attributes {qcc.tile_sizes = array<i64: 1, -2>} {
  return
}

// -----

// expected-error @+1 {{'qcc.tile_interchange' must be a permutation of the tiled loops}}
func.func @not_a_permutation() attributes {qcc.tile_interchange = array<i64: 0, 0, 1>} {
  return
}

// -----

// expected-error @+1 {{'qcc.arena_alignment' must be a power of two}}
module attributes {qcc.arena_alignment = 48 : i64} {
}

// -----

// expected-error @+1 {{'qcc.arena_size' belongs on the module}}
func.func @plan_on_a_function() attributes {qcc.arena_size = 64 : i64} {
  return
}

// -----

func.func @entry_on_an_op() {
  // expected-error @+1 {{'qcc.entry' belongs on a function}}
  %e = tensor.empty() {qcc.entry} : tensor<4xf32>
  return
}

// -----

// expected-error @+1 {{argument 0: 'qcc.name' must be a string}}
func.func @name_not_a_string(%x: tensor<4xf32> {qcc.name = 3 : i64}) {
  return
}

// -----

// expected-error @+1 {{'qcc.tile_size' is not an attribute of the qcc dialect}}
func.func @misspelt() attributes {qcc.tile_size = array<i64: 1>} {
  return
}

// -----

// expected-error @+1 {{'qcc.num_inputs' must be a non-negative integer}}
func.func @negative_count() attributes {qcc.num_inputs = -1 : i64} {
  return
}

// -----

// Post-training quantization's attributes where they belong: no error.
func.func @ptq_ok(%x: tensor<1x4xf32> {qcc.calib_range = array<f32: -1.0, 2.0>}) -> tensor<1x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x4xf32>
  %y = qcc.gemm %x, %w {trans_b = true, qcc.calib_range = array<f32: 0.0, 8.0>, qcc.precision = "int16", qcc.sensitivity = {int8 = 31.5 : f32, int16 = 70.0 : f32}, qcc.tensor = "y"}
       : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// expected-error @+1 {{'qcc.calib_range' must be an array of two finite f32 values [min, max], min <= max}}
func.func @range_reversed() attributes {qcc.calib_range = array<f32: 2.0, 1.0>} {
  return
}

// -----

// expected-error @+1 {{'qcc.precision' must be one of "int8", "int16", "float"}}
func.func @unknown_precision() attributes {qcc.precision = "int3"} {
  return
}

// -----

// expected-error @+1 {{'qcc.sensitivity' must be a dictionary from precision names to SQNR values in dB (f32)}}
func.func @bad_sensitivity() attributes {qcc.sensitivity = {int7 = 3.0 : f32}} {
  return
}
