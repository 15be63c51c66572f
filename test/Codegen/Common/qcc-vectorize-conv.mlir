// RUN: qcc-opt %s -split-input-file -qcc-vectorize-conv -canonicalize | FileCheck %s

// A marked convolution generic (dot-product order n, g, f, oh, ow | c, kh, kw) becomes
// scf.for loops over output rows with a vector<4x16xf32> accumulator block carried through
// the c, kh, kw loops: one broadcast weight column times one input row per step.
// CHECK-LABEL: func @conv
// CHECK: scf.for %[[OH:.*]] = {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x1x4x16x16xf32>)
// CHECK: %[[ACC0:.*]] = vector.transfer_read {{.*}} : tensor<4x16xf32>, vector<4x16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ACC0]]) -> (vector<4x16xf32>)
// CHECK: scf.for {{.*}} -> (vector<4x16xf32>)
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (vector<4x16xf32>)
// CHECK: %[[X:.*]] = vector.transfer_read {{.*}}permutation_map = #{{.*}}} : tensor<16xf32>, vector<4x16xf32>
// CHECK: %[[W:.*]] = vector.transfer_read {{.*}}permutation_map = #{{.*}}} : tensor<4xf32>, vector<4x16xf32>
// CHECK: %[[P:.*]] = arith.mulf %[[X]], %[[W]] : vector<4x16xf32>
// CHECK: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : vector<4x16xf32>
// CHECK: scf.yield %[[S]] : vector<4x16xf32>
// CHECK: vector.transfer_write
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
#o = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
func.func @conv(%x: tensor<1x1x2x18x18xf32>, %w: tensor<1x4x2x3x3xf32>, %acc: tensor<1x1x4x16x16xf32>) -> tensor<1x1x4x16x16xf32> {
  %y = linalg.generic {indexing_maps = [#x, #w, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x2x18x18xf32>, tensor<1x4x2x3x3xf32>) outs(%acc : tensor<1x1x4x16x16xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 1, 4, 1, 16, 1, 1, 1>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x4x16x16xf32>
  return %y : tensor<1x1x4x16x16xf32>
}

// -----

// Unmarked generics are left alone.
// CHECK-LABEL: func @unmarked
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @unmarked(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %y = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%a : tensor<8xf32>) outs(%b : tensor<8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %d = arith.addf %x, %x : f32
    linalg.yield %d : f32
  } -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Stride 2 along W, filters on the lanes (n, g, oh, ow, f | c, kh, kw): the tile reads its
// input through d*2, which the vectorizer does not take; the pass slices the input with
// stride 2 first, so the tile still becomes a vector<4x8xf32> block (input columns
// broadcast across the filter lanes).
// CHECK-LABEL: func @strided
// CHECK: %[[XS:.*]] = tensor.extract_slice %{{.*}}[0] [4] [2] : tensor<7xf32> to tensor<4xf32>
// CHECK: %[[X:.*]] = vector.transfer_read %[[XS]]{{.*}} : tensor<4xf32>, vector<4x8xf32>
// CHECK: %[[W:.*]] = vector.transfer_read {{.*}} : tensor<8xf32>, vector<4x8xf32>
// CHECK: arith.mulf %[[X]], %[[W]] : vector<4x8xf32>
// CHECK-NOT: linalg.generic
#xs = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d2 * 2 + d6, d3 * 2 + d7)>
#ws = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d7, d4)>
#os = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d4, d2, d3)>
func.func @strided(%x: tensor<1x1x2x9x9xf32>, %w: tensor<1x2x3x3x8xf32>, %acc: tensor<1x1x8x4x4xf32>) -> tensor<1x1x8x4x4xf32> {
  %y = linalg.generic {indexing_maps = [#xs, #ws, #os], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x2x9x9xf32>, tensor<1x2x3x3x8xf32>) outs(%acc : tensor<1x1x8x4x4xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 4, 8, 1, 1, 1>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x8x4x4xf32>
  return %y : tensor<1x1x8x4x4xf32>
}

// -----

// Depthwise, stride 2 along W, output columns on the lanes (n, g, f, oh, ow | c, kh, kw):
// each row of a block reads input columns 2i + kw. Instead of a strided slice (one scalar
// load per lane), the pass reads two contiguous 8-lane vectors, columns [kw, kw + 8) and
// [kw + 7, kw + 15), and keeps the even columns with one shuffle per row: lanes 0, 2, 4, 6
// of the first and 1, 3, 5, 7 (shuffle indices 9, 11, 13, 15) of the second.
// CHECK-LABEL: func @depthwise_stride2
// CHECK-NOT: [1, 2] : tensor
// CHECK-COUNT-4: vector.shuffle %{{.*}}, %{{.*}} [0, 2, 4, 6, 9, 11, 13, 15] : vector<8xf32>, vector<8xf32>
// CHECK-NOT: [1, 2] : tensor
#xd = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7)>
#wd = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
#od = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
func.func @depthwise_stride2(%x: tensor<1x4x1x9x17xf32>, %w: tensor<4x1x1x3x3xf32>, %acc: tensor<1x4x1x4x8xf32>) -> tensor<1x4x1x4x8xf32> {
  %y = linalg.generic {indexing_maps = [#xd, #wd, #od], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x4x1x9x17xf32>, tensor<4x1x1x3x3xf32>) outs(%acc : tensor<1x4x1x4x8xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 4, 1, 1, 8, 1, 1, 1>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x4x1x4x8xf32>
  return %y : tensor<1x4x1x4x8xf32>
}

// -----

// A convolution whose result only feeds its requantization epilogue (qcc.epilogue, made by
// convert-qcc-to-linalg for a conv fused by qcc-fuse-requantize): the epilogue is tiled into
// the convolution's register blocks (filters on the lanes: loops n, g, oh, ow, f) with the
// convolution and its bias initialization fused into each block, all three in the same
// vector layout. No full int32 tensor remains; only the i8 block is inserted into the
// result. (After bufferization qcc-hoist-accumulators forwards the block's transfers so it
// stays in registers.)
// CHECK-LABEL: func @conv_epilogue
// CHECK-NOT: tensor<1x1x8x4x4xi32>
// CHECK: scf.for {{.*}} -> (tensor<1x1x8x4x4xi8>)
// CHECK: vector.transfer_read %arg2{{.*}} : tensor<8xi32>, vector<4x8xi32>
// CHECK: scf.for {{.*}} -> (tensor<1x1x8x1x4xi32>)
// CHECK: arith.muli {{.*}} : vector<4x8xi32>
// CHECK: %[[SUM:.*]] = vector.transfer_read {{.*}} : tensor<8x4xi32>, vector<4x8xi32>
// CHECK: arith.sitofp %[[SUM]] : vector<4x8xi32> to vector<4x8xf32>
// CHECK: arith.trunci {{.*}} : vector<4x8xi32> to vector<4x8xi8>
// CHECK: tensor.insert_slice {{.*}} : tensor<8x4xi8> into tensor<1x1x8x4x4xi8>
// CHECK-NOT: tensor<1x1x8x4x4xi32>
#xe = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d2 + d6, d3 + d7)>
#we = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d7, d4)>
#oe = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d4, d2, d3)>
#id5 = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
#ch5 = affine_map<(d0, d1, d2, d3, d4) -> (d2)>
func.func @conv_epilogue(%x: tensor<1x1x2x6x6xi8>, %w: tensor<1x2x3x3x8xi8>, %bias: tensor<8xi32>) -> tensor<1x1x8x4x4xi8> {
  %e32 = tensor.empty() : tensor<1x1x8x4x4xi32>
  %init = linalg.generic {indexing_maps = [#ch5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<8xi32>) outs(%e32 : tensor<1x1x8x4x4xi32>) {
  ^bb0(%b: i32, %o: i32):
    linalg.yield %b : i32
  } -> tensor<1x1x8x4x4xi32>
  %acc = linalg.generic {indexing_maps = [#xe, #we, #oe], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x2x6x6xi8>, tensor<1x2x3x3x8xi8>) outs(%init : tensor<1x1x8x4x4xi32>) attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 4, 8, 1, 1, 1>} {
  ^bb0(%a: i8, %b: i8, %c: i32):
    %a32 = arith.extsi %a : i8 to i32
    %b32 = arith.extsi %b : i8 to i32
    %p = arith.muli %a32, %b32 : i32
    %s = arith.addi %c, %p : i32
    linalg.yield %s : i32
  } -> tensor<1x1x8x4x4xi32>
  %e8 = tensor.empty() : tensor<1x1x8x4x4xi8>
  %y = linalg.generic {indexing_maps = [#id5, #id5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%acc : tensor<1x1x8x4x4xi32>) outs(%e8 : tensor<1x1x8x4x4xi8>) attrs = {qcc.epilogue} {
  ^bb0(%v: i32, %o: i8):
    %f = arith.sitofp %v : i32 to f32
    %m = arith.constant 0.125 : f32
    %r = arith.mulf %f, %m : f32
    %i = arith.fptosi %r : f32 to i32
    %t = arith.trunci %i : i32 to i8
    linalg.yield %t : i8
  } -> tensor<1x1x8x4x4xi8>
  return %y : tensor<1x1x8x4x4xi8>
}

// -----

// qcc.tile_interchange orders the block loops: filter blocks (d4, step 8) outside the
// output rows (d2, step 1), as convert-qcc-to-linalg asks for convolutions whose weights
// outweigh their input plane; the block itself is still 4 columns x 8 filter lanes.
// CHECK-LABEL: func @filter_blocks_outside
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: -> (vector<4x8xf32>)
#xi = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d2 + d6, d3 + d7)>
#wi = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d7, d4)>
#oi = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d4, d2, d3)>
func.func @filter_blocks_outside(%x: tensor<1x1x2x4x4xf32>, %w: tensor<1x2x1x1x16xf32>, %acc: tensor<1x1x16x4x4xf32>) -> tensor<1x1x16x4x4xf32> {
  %y = linalg.generic {indexing_maps = [#xi, #wi, #oi], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x2x4x4xf32>, tensor<1x2x1x1x16xf32>) outs(%acc : tensor<1x1x16x4x4xf32>)
      attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 4, 8, 1, 1, 1>, qcc.tile_interchange = array<i64: 0, 1, 4, 2, 3, 5, 6, 7>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x16x4x4xf32>
  return %y : tensor<1x1x16x4x4xf32>
}

// -----

// A float convolution whose result, collapsed to NCHW, feeds an elementwise Relu (no
// qcc.epilogue mark): the Relu is first run on the uncollapsed result (its result collapsed
// instead), then becomes the convolution's epilogue like a requantization: max(acc, 0) on
// each register block, with the bias broadcast fused in, no full f32 accumulator tensor.
// CHECK-LABEL: func @float_relu_epilogue
// CHECK-NOT: linalg.generic
// CHECK: scf.for {{.*}} -> (tensor<1x1x8x4x4xf32>)
// CHECK: vector.transfer_read %arg2{{.*}} : tensor<8xf32>, vector<4x8xf32>
// CHECK: scf.for {{.*}} -> (tensor<1x1x8x1x4xf32>)
// CHECK: arith.mulf {{.*}} : vector<4x8xf32>
// CHECK: %[[SUM:.*]] = vector.transfer_read {{.*}} : tensor<8x4xf32>, vector<4x8xf32>
// CHECK: arith.maximumf %[[SUM]], {{.*}} : vector<4x8xf32>
// CHECK: tensor.insert_slice {{.*}} : tensor<8x4xf32> into tensor<1x1x8x4x4xf32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<1x8x4x4xf32>
// CHECK-NOT: linalg.generic
func.func @float_relu_epilogue(%x: tensor<1x1x2x6x6xf32>, %w: tensor<1x2x3x3x8xf32>, %bias: tensor<8xf32>) -> tensor<1x8x4x4xf32> {
  %e = tensor.empty() : tensor<1x1x8x4x4xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<8xf32>) outs(%e : tensor<1x1x8x4x4xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  } -> tensor<1x1x8x4x4xf32>
  %acc = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d2 + d6, d3 + d7)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d7, d4)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d4, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x2x6x6xf32>, tensor<1x2x3x3x8xf32>) outs(%init : tensor<1x1x8x4x4xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 4, 8, 1, 1, 1>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x8x4x4xf32>
  %nchw = tensor.collapse_shape %acc [[0], [1, 2], [3], [4]] : tensor<1x1x8x4x4xf32> into tensor<1x8x4x4xf32>
  %e4 = tensor.empty() : tensor<1x8x4x4xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%nchw : tensor<1x8x4x4xf32>) outs(%e4 : tensor<1x8x4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %r = arith.maximumf %v, %z : f32
    linalg.yield %r : f32
  } -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}

// -----

// A convolution computed over extra columns (8, of which the model keeps 6) and sliced
// before its Relu: the Relu moves before the slice, runs on all 8 columns and becomes the
// convolution's epilogue; the slice is taken of its result.
// CHECK-LABEL: func @relu_after_slice
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.*]] = scf.for {{.*}} -> (tensor<1x1x8x4x8xf32>)
// CHECK: arith.mulf {{.*}} : vector<8x8xf32>
// CHECK: arith.maximumf {{.*}} : vector<8x8xf32>
// CHECK: tensor.extract_slice %[[R]][0, 0, 0, 0, 0] [1, 1, 8, 4, 6] [1, 1, 1, 1, 1]
// CHECK-NOT: linalg.generic
func.func @relu_after_slice(%x: tensor<1x1x2x6x10xf32>, %w: tensor<1x2x3x3x8xf32>, %bias: tensor<8xf32>) -> tensor<1x1x8x4x6xf32> {
  %e = tensor.empty() : tensor<1x1x8x4x8xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%bias : tensor<8xf32>) outs(%e : tensor<1x1x8x4x8xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  } -> tensor<1x1x8x4x8xf32>
  %acc = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + d6, d4 + d7)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d6, d7, d2)>, affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x1x2x6x10xf32>, tensor<1x2x3x3x8xf32>) outs(%init : tensor<1x1x8x4x8xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 1, 8, 1, 8, 1, 1, 1>} {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1x8x4x8xf32>
  %kept = tensor.extract_slice %acc[0, 0, 0, 0, 0] [1, 1, 8, 4, 6] [1, 1, 1, 1, 1] : tensor<1x1x8x4x8xf32> to tensor<1x1x8x4x6xf32>
  %e2 = tensor.empty() : tensor<1x1x8x4x6xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%kept : tensor<1x1x8x4x6xf32>) outs(%e2 : tensor<1x1x8x4x6xf32>) {
  ^bb0(%v: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %r = arith.maximumf %v, %z : f32
    linalg.yield %r : f32
  } -> tensor<1x1x8x4x6xf32>
  return %y : tensor<1x1x8x4x6xf32>
}
