// RUN: qcc-opt %s -split-input-file -qcc-propagate-channel-blocks | FileCheck %s

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// Two blocked layers with a Clip between them: the Clip moves onto the blocked value, and
// the next layer's pack of the unpack folds away. No layout change is left.
// CHECK-DAG: #[[ID5:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @clip_between_layers
// CHECK-SAME: (%[[Y:.*]]: tensor<1x2x4x4x16xf32>)
// CHECK-NOT: tensor.pack
// CHECK-NOT: tensor.unpack
// CHECK-NOT: linalg.transpose
// CHECK: %[[E:.*]] = tensor.empty() {qcc.distinct = 8 : i64} : tensor<1x2x4x4x16xf32>
// CHECK: %[[CLIP:.*]] = linalg.generic {indexing_maps = [#[[ID5]], #[[ID5]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[Y]] : tensor<1x2x4x4x16xf32>) outs(%[[E]] : tensor<1x2x4x4x16xf32>)
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: return %[[CLIP]] : tensor<1x2x4x4x16xf32>
func.func @clip_between_layers(%y: tensor<1x2x4x4x16xf32>) -> tensor<1x2x4x4x16xf32> {
  %lo = arith.constant 0.0 : f32
  %hi = arith.constant 6.0 : f32
  %e0 = tensor.empty() {qcc.distinct = 7 : i64} : tensor<1x20x4x4xf32>
  %u = tensor.unpack %y inner_dims_pos = [1] inner_tiles = [16] into %e0 : tensor<1x2x4x4x16xf32> -> tensor<1x20x4x4xf32>
  %e1 = tensor.empty() : tensor<1x20x4x4xf32>
  %c = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%u : tensor<1x20x4x4xf32>) outs(%e1 : tensor<1x20x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %lo : f32
    %1 = arith.minimumf %0, %hi : f32
    linalg.yield %1 : f32
  } -> tensor<1x20x4x4xf32>
  %e2 = tensor.empty() : tensor<1x2x4x4x16xf32>
  %pad = arith.constant 0.0 : f32
  %p = tensor.pack %c padding_value(%pad : f32) inner_dims_pos = [1] inner_tiles = [16] into %e2 : tensor<1x20x4x4xf32> -> tensor<1x2x4x4x16xf32>
  return %p : tensor<1x2x4x4x16xf32>
}

// -----

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A residual Add of two blocked results runs blocked; its NCHW result (returned) is the
// unpack of the blocked Add, lowered at the edge: transpose, collapse, slice.
// CHECK-LABEL: func @residual_add
// CHECK-SAME: (%[[A:.*]]: tensor<1x2x4x4x16xf32>, %[[B:.*]]: tensor<1x2x4x4x16xf32>)
// CHECK: %[[ADD:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<1x2x4x4x16xf32>, tensor<1x2x4x4x16xf32>)
// CHECK: arith.addf
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[ADD]] : tensor<1x2x4x4x16xf32>) outs(%{{.*}} : tensor<1x2x16x4x4xf32>) permutation = [0, 1, 4, 2, 3]
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[T]] {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x2x16x4x4xf32> into tensor<1x32x4x4xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[C]][0, 0, 0, 0] [1, 20, 4, 4] [1, 1, 1, 1] : tensor<1x32x4x4xf32> to tensor<1x20x4x4xf32>
// CHECK: return %[[S]]
func.func @residual_add(%a: tensor<1x2x4x4x16xf32>, %b: tensor<1x2x4x4x16xf32>) -> tensor<1x20x4x4xf32> {
  %e0 = tensor.empty() : tensor<1x20x4x4xf32>
  %ua = tensor.unpack %a inner_dims_pos = [1] inner_tiles = [16] into %e0 : tensor<1x2x4x4x16xf32> -> tensor<1x20x4x4xf32>
  %e1 = tensor.empty() : tensor<1x20x4x4xf32>
  %ub = tensor.unpack %b inner_dims_pos = [1] inner_tiles = [16] into %e1 : tensor<1x2x4x4x16xf32> -> tensor<1x20x4x4xf32>
  %e2 = tensor.empty() : tensor<1x20x4x4xf32>
  %s = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ua, %ub : tensor<1x20x4x4xf32>, tensor<1x20x4x4xf32>) outs(%e2 : tensor<1x20x4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %0 = arith.addf %x, %y : f32
    linalg.yield %0 : f32
  } -> tensor<1x20x4x4xf32>
  return %s : tensor<1x20x4x4xf32>
}

// -----

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1)>

// Not moved: an input that is not an unpack (a per-channel scale, broadcast), or a body
// that reads linalg.index. The layout changes stay where they are, lowered: the pack to
// pad + expand_shape + transpose.
// CHECK-LABEL: func @not_elementwise_on_blocks
// CHECK: linalg.transpose {{.*}} permutation = [0, 1, 4, 2, 3]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x20x4x4xf32>, tensor<20xf32>)
// CHECK: linalg.index 1
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 12, 0, 0]
// CHECK: %[[X:.*]] = tensor.expand_shape %[[P]] {{\[\[}}0], [1, 2], [3], [4]] {{.*}} into tensor<1x2x16x4x4xf32>
// CHECK: linalg.transpose ins(%[[X]] : tensor<1x2x16x4x4xf32>) {{.*}} permutation = [0, 1, 3, 4, 2]
func.func @not_elementwise_on_blocks(%y: tensor<1x2x4x4x16xf32>, %scale: tensor<20xf32>) -> tensor<1x2x4x4x16xf32> {
  %e0 = tensor.empty() : tensor<1x20x4x4xf32>
  %u = tensor.unpack %y inner_dims_pos = [1] inner_tiles = [16] into %e0 : tensor<1x2x4x4x16xf32> -> tensor<1x20x4x4xf32>
  %e1 = tensor.empty() : tensor<1x20x4x4xf32>
  %m = linalg.generic {indexing_maps = [#id4, #chan, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%u, %scale : tensor<1x20x4x4xf32>, tensor<20xf32>) outs(%e1 : tensor<1x20x4x4xf32>) {
  ^bb0(%x: f32, %s: f32, %out: f32):
    %0 = arith.mulf %x, %s : f32
    linalg.yield %0 : f32
  } -> tensor<1x20x4x4xf32>
  %e2 = tensor.empty() : tensor<1x20x4x4xf32>
  %i = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%m : tensor<1x20x4x4xf32>) outs(%e2 : tensor<1x20x4x4xf32>) {
  ^bb0(%x: f32, %out: f32):
    %c = linalg.index 1 : index
    %ci = arith.index_cast %c : index to i32
    %cf = arith.sitofp %ci : i32 to f32
    %0 = arith.addf %x, %cf : f32
    linalg.yield %0 : f32
  } -> tensor<1x20x4x4xf32>
  %e3 = tensor.empty() : tensor<1x2x4x4x16xf32>
  %pad = arith.constant 0.0 : f32
  %p = tensor.pack %i padding_value(%pad : f32) inner_dims_pos = [1] inner_tiles = [16] into %e3 : tensor<1x20x4x4xf32> -> tensor<1x2x4x4x16xf32>
  return %p : tensor<1x2x4x4x16xf32>
}

// -----

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// A division of two blocked values stays in NCHW: on the padded channels it would compute
// 0 / 0 = NaN, which the next blocked convolution's weight 0 would not cancel.
// CHECK-LABEL: func @division_stays_nchw
// CHECK-COUNT-2: linalg.transpose {{.*}} permutation = [0, 1, 4, 2, 3]
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x20x4x4xf32>, tensor<1x20x4x4xf32>)
// CHECK: arith.divf
func.func @division_stays_nchw(%a: tensor<1x2x4x4x16xf32>, %b: tensor<1x2x4x4x16xf32>) -> tensor<1x20x4x4xf32> {
  %e0 = tensor.empty() : tensor<1x20x4x4xf32>
  %ua = tensor.unpack %a inner_dims_pos = [1] inner_tiles = [16] into %e0 : tensor<1x2x4x4x16xf32> -> tensor<1x20x4x4xf32>
  %e1 = tensor.empty() : tensor<1x20x4x4xf32>
  %ub = tensor.unpack %b inner_dims_pos = [1] inner_tiles = [16] into %e1 : tensor<1x2x4x4x16xf32> -> tensor<1x20x4x4xf32>
  %e2 = tensor.empty() : tensor<1x20x4x4xf32>
  %q = linalg.generic {indexing_maps = [#id4, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ua, %ub : tensor<1x20x4x4xf32>, tensor<1x20x4x4xf32>) outs(%e2 : tensor<1x20x4x4xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %0 = arith.divf %x, %y : f32
    linalg.yield %0 : f32
  } -> tensor<1x20x4x4xf32>
  return %q : tensor<1x20x4x4xf32>
}

// -----

#win_in = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>
#win_k = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
#win_out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>

// A max pooling over a concatenation of two blocked results (16 + 20 channels: the second
// piece starts on a block boundary, the last may end inside one), read by a blocked layer
// (the pack): the pooling runs on the blocks (a lane loop added, register blocks of a row
// of 4 columns x 16 lanes for qcc-vectorize-conv), its -inf padding and its
// -inf initial value apply to the blocks, and the concatenation inserts the blocked pieces
// at block offsets 0 and 1. No layout change is left.
// CHECK-DAG: #[[PIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5, d6)>
// CHECK-LABEL: func @concat_max_pool
// CHECK-SAME: (%[[A:.*]]: tensor<1x1x8x8x16xf32>, %[[B:.*]]: tensor<1x2x8x8x16xf32>)
// CHECK-NOT: tensor.pack
// CHECK-NOT: linalg.transpose
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[E:.*]] = tensor.empty() {{.*}}: tensor<1x3x8x8x16xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0, 0, 0, 0] [1, 1, 8, 8, 16] [1, 1, 1, 1, 1]
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, 1, 0, 0, 0] [1, 2, 8, 8, 16] [1, 1, 1, 1, 1]
// CHECK: %[[P:.*]] = tensor.pad %[[I1]] low[0, 0, 1, 1, 0] high[0, 0, 1, 1, 0]
// CHECK: tensor.yield %[[NINF]]
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.*}} : tensor<1x3x4x4x16xf32>)
// CHECK: %[[M:.*]] = linalg.generic {indexing_maps = [#[[PIN]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%[[P]], %{{.*}} : tensor<1x3x10x10x16xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x3x4x4x16xf32>) attrs = {qcc.tile_sizes = array<i64: 1, 1, 1, 4, 1, 1, 16>}
// CHECK: arith.maximumf
// CHECK: return %[[M]]
func.func @concat_max_pool(%a: tensor<1x1x8x8x16xf32>, %b: tensor<1x2x8x8x16xf32>) -> tensor<1x3x4x4x16xf32> {
  %e0 = tensor.empty() : tensor<1x16x8x8xf32>
  %ua = tensor.unpack %a inner_dims_pos = [1] inner_tiles = [16] into %e0 : tensor<1x1x8x8x16xf32> -> tensor<1x16x8x8xf32>
  %e1 = tensor.empty() : tensor<1x20x8x8xf32>
  %ub = tensor.unpack %b inner_dims_pos = [1] inner_tiles = [16] into %e1 : tensor<1x2x8x8x16xf32> -> tensor<1x20x8x8xf32>
  %e2 = tensor.empty() : tensor<1x36x8x8xf32>
  %c0 = tensor.insert_slice %ua into %e2[0, 0, 0, 0] [1, 16, 8, 8] [1, 1, 1, 1] : tensor<1x16x8x8xf32> into tensor<1x36x8x8xf32>
  %c1 = tensor.insert_slice %ub into %c0[0, 16, 0, 0] [1, 20, 8, 8] [1, 1, 1, 1] : tensor<1x20x8x8xf32> into tensor<1x36x8x8xf32>
  %ninf = arith.constant 0xFF800000 : f32
  %p = tensor.pad %c1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %ninf : f32
  } : tensor<1x36x8x8xf32> to tensor<1x36x10x10xf32>
  %win = tensor.empty() : tensor<3x3xf32>
  %e3 = tensor.empty() : tensor<1x36x4x4xf32>
  %init = linalg.fill ins(%ninf : f32) outs(%e3 : tensor<1x36x4x4xf32>) -> tensor<1x36x4x4xf32>
  %m = linalg.generic {indexing_maps = [#win_in, #win_k, #win_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%p, %win : tensor<1x36x10x10xf32>, tensor<3x3xf32>) outs(%init : tensor<1x36x4x4xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %0 = arith.maximumf %acc, %x : f32
    linalg.yield %0 : f32
  } -> tensor<1x36x4x4xf32>
  %e4 = tensor.empty() : tensor<1x3x4x4x16xf32>
  %zero = arith.constant 0.0 : f32
  %pk = tensor.pack %m padding_value(%zero : f32) inner_dims_pos = [1] inner_tiles = [16] into %e4 : tensor<1x36x4x4xf32> -> tensor<1x3x4x4x16xf32>
  return %pk : tensor<1x3x4x4x16xf32>
}

// -----

#win_in = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 + d4, d3 + d5)>
#win_k = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
#win_out = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#pos = affine_map<(d0, d1, d2, d3) -> (d2, d3)>

// An average pooling of a blocked result, read by a blocked layer: the window sum moves
// onto the blocks (its input is an unpack), and the division by the per-position count (a
// constant broadcast along the channels, nonzero) moves up through the pack, the count
// keeping its (d2, d3) map.
// CHECK-DAG: #[[POS5:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3)>
// CHECK-LABEL: func @average_pool
// CHECK-SAME: (%[[A:.*]]: tensor<1x1x3x3x16xf32>)
// CHECK-NOT: tensor.pack
// CHECK-NOT: linalg.transpose
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[A]], %{{.*}} : tensor<1x1x3x3x16xf32>, tensor<2x2xf32>) outs(%{{.*}} : tensor<1x1x2x2x16xf32>)
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[POS5]], #{{.*}}], {{.*}} ins(%[[SUM]], %{{.*}} : tensor<1x1x2x2x16xf32>, tensor<2x2xf32>)
// CHECK: arith.divf
func.func @average_pool(%a: tensor<1x1x3x3x16xf32>) -> tensor<1x1x2x2x16xf32> {
  %e0 = tensor.empty() : tensor<1x16x3x3xf32>
  %ua = tensor.unpack %a inner_dims_pos = [1] inner_tiles = [16] into %e0 : tensor<1x1x3x3x16xf32> -> tensor<1x16x3x3xf32>
  %zero = arith.constant 0.0 : f32
  %win = tensor.empty() : tensor<2x2xf32>
  %e1 = tensor.empty() : tensor<1x16x2x2xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e1 : tensor<1x16x2x2xf32>) -> tensor<1x16x2x2xf32>
  %sum = linalg.generic {indexing_maps = [#win_in, #win_k, #win_out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%ua, %win : tensor<1x16x3x3xf32>, tensor<2x2xf32>) outs(%init : tensor<1x16x2x2xf32>) {
  ^bb0(%x: f32, %w: f32, %acc: f32):
    %0 = arith.addf %acc, %x : f32
    linalg.yield %0 : f32
  } -> tensor<1x16x2x2xf32>
  %count = arith.constant dense<4.0> : tensor<2x2xf32>
  %e2 = tensor.empty() : tensor<1x16x2x2xf32>
  %avg = linalg.generic {indexing_maps = [#id4, #pos, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sum, %count : tensor<1x16x2x2xf32>, tensor<2x2xf32>) outs(%e2 : tensor<1x16x2x2xf32>) {
  ^bb0(%s: f32, %n: f32, %out: f32):
    %0 = arith.divf %s, %n : f32
    linalg.yield %0 : f32
  } -> tensor<1x16x2x2xf32>
  %e3 = tensor.empty() : tensor<1x1x2x2x16xf32>
  %pk = tensor.pack %avg inner_dims_pos = [1] inner_tiles = [16] into %e3 : tensor<1x16x2x2xf32> -> tensor<1x1x2x2x16xf32>
  return %pk : tensor<1x1x2x2x16xf32>
}
