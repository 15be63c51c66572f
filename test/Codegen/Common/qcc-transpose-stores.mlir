// RUN: qcc-opt %s -split-input-file -qcc-transpose-stores | FileCheck %s
// RUN: qcc-opt %s -split-input-file -qcc-transpose-stores=masked-stores=true | FileCheck %s --check-prefix=MASK

// A 7 columns x 16 filters block written into a 16 x 7 corner of an NCHW plane. Three
// rounds of interleaves (1-, 2- and 4-byte units; the missing 8th column is zeros), then
// one 7-byte row per filter; the two rows of one vector are its bytes 0..6 and 8..14.
// CHECK-LABEL: func @block_7x16
// CHECK-DAG: %[[Z:.*]] = arith.constant dense<0> : vector<16xi8>
// CHECK-DAG: %[[R0:.*]] = vector.extract %[[V:.*]][0] : vector<16xi8> from vector<7x16xi8>
// CHECK-DAG: %[[R1:.*]] = vector.extract %[[V]][1] : vector<16xi8> from vector<7x16xi8>
// CHECK-DAG: %[[R6:.*]] = vector.extract %[[V]][6] : vector<16xi8> from vector<7x16xi8>
// CHECK: %[[L01:.*]] = vector.shuffle %[[R0]], %[[R1]] [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23]
// CHECK: vector.shuffle %[[R0]], %[[R1]] [8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31]
// CHECK: vector.shuffle %[[R6]], %[[Z]] [0, 16, 1, 17
// CHECK: vector.shuffle %[[L01]], %{{.*}} [0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23]
// CHECK: %[[F01:.*]] = vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23]
// CHECK-NOT: vector.extract %
// CHECK: %[[ROW0:.*]] = vector.extract_strided_slice %[[F01]] {offsets = [0], sizes = [7], strides = [1]}
// CHECK: vector.transfer_write %[[ROW0]], %[[M:[a-z0-9_]+]][%[[I:[a-z0-9_]+]], %[[J:[a-z0-9_]+]]] {in_bounds = [true]} : vector<7xi8>, memref<16x7xi8, strided<[784, 1], offset: ?>>
// CHECK: %[[ROW1:.*]] = vector.extract_strided_slice %[[F01]] {offsets = [8], sizes = [7], strides = [1]}
// CHECK: %[[I1:.*]] = arith.addi %[[I]], %c1
// CHECK: vector.transfer_write %[[ROW1]], %[[M]][%[[I1]], %[[J]]]
// CHECK-COUNT-14: vector.transfer_write %{{.*}} : vector<7xi8>
// CHECK-NOT: vector.transfer_write
// With byte-masked stores: 8-byte rows, the first 7 lanes enabled.
// MASK-LABEL: func @block_7x16
// MASK: %[[MK:.*]] = arith.constant dense<[true, true, true, true, true, true, true, false]> : vector<8xi1>
// MASK-COUNT-24: vector.shuffle
// MASK: %[[ROW0:.*]] = vector.extract_strided_slice %{{.*}} {offsets = [0], sizes = [8], strides = [1]}
// MASK: vector.maskedstore %{{.*}}[%{{.*}}, %{{.*}}], %[[MK]], %[[ROW0]] : memref<16x7xi8, strided<[784, 1], offset: ?>>, vector<8xi1>, vector<8xi8>
// MASK-COUNT-15: vector.maskedstore
// MASK-NOT: vector.transfer_write
func.func @block_7x16(%v: vector<7x16xi8>, %m: memref<16x7xi8, strided<[784, 1], offset: ?>>, %i: index, %j: index) {
  vector.transfer_write %v, %m[%i, %j] {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<7x16xi8>, memref<16x7xi8, strided<[784, 1], offset: ?>>
  return
}

// -----

// 8 columns x 8 filters (AVX2's 8-lane blocks): one whole 8-byte row per vector, no
// slicing, no mask even with masked stores.
// CHECK-LABEL: func @block_8x8
// CHECK-COUNT-24: vector.shuffle {{.*}} : vector<8xi8>, vector<8xi8>
// CHECK-COUNT-8: vector.transfer_write %{{.*}} {in_bounds = [true]} : vector<8xi8>, memref<8x8xi8, strided<[3136, 1], offset: ?>>
// MASK-LABEL: func @block_8x8
// MASK-NOT: vector.maskedstore
// MASK-COUNT-8: vector.transfer_write
func.func @block_8x8(%v: vector<8x8xi8>, %m: memref<8x8xi8, strided<[3136, 1], offset: ?>>, %i: index, %j: index) {
  vector.transfer_write %v, %m[%i, %j] {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<8x8xi8>, memref<8x8xi8, strided<[3136, 1], offset: ?>>
  return
}

// -----

// Float results (a float convolution's 7 x 16 block): the same interleaves on f32
// vectors, 7-element rows (masked: 8 lanes, the first 7 enabled).
// CHECK-LABEL: func @block_7x16_f32
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK-COUNT-24: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK-COUNT-16: vector.transfer_write %{{.*}} {in_bounds = [true]} : vector<7xf32>, memref<16x7xf32, strided<[49, 1], offset: ?>>
// MASK-LABEL: func @block_7x16_f32
// MASK-COUNT-16: vector.maskedstore {{.*}} : memref<16x7xf32, strided<[49, 1], offset: ?>>, vector<8xi1>, vector<8xf32>
func.func @block_7x16_f32(%v: vector<7x16xf32>, %m: memref<16x7xf32, strided<[49, 1], offset: ?>>, %i: index, %j: index) {
  vector.transfer_write %v, %m[%i, %j] {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<7x16xf32>, memref<16x7xf32, strided<[49, 1], offset: ?>>
  return
}

// -----

// 32 filters (two registers of f32 filters per column on AVX-512): four rows per vector
// after the interleaves, at elements 0, 8, 16 and 24.
// CHECK-LABEL: func @block_7x32_f32
// CHECK-COUNT-24: vector.shuffle {{.*}} : vector<32xf32>, vector<32xf32>
// CHECK: vector.extract_strided_slice %[[V:.*]] {offsets = [0], sizes = [7], strides = [1]}
// CHECK: vector.extract_strided_slice %[[V]] {offsets = [8], sizes = [7], strides = [1]}
// CHECK: vector.extract_strided_slice %[[V]] {offsets = [16], sizes = [7], strides = [1]}
// CHECK: vector.extract_strided_slice %[[V]] {offsets = [24], sizes = [7], strides = [1]}
// CHECK-COUNT-28: vector.transfer_write %{{.*}} : vector<7xf32>
func.func @block_7x32_f32(%v: vector<7x32xf32>, %m: memref<32x7xf32, strided<[49, 1], offset: ?>>, %i: index, %j: index) {
  vector.transfer_write %v, %m[%i, %j] {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<7x32xf32>, memref<32x7xf32, strided<[49, 1], offset: ?>>
  return
}

// -----

// Left alone: 64-bit elements, more than 8 columns, an untransposed write, and a row
// that is not contiguous.
// CHECK-LABEL: func @others
// CHECK-NOT: vector.shuffle
// CHECK-COUNT-4: vector.transfer_write {{.*}}permutation_map
// CHECK: vector.transfer_write %{{.*}} {in_bounds = [true, true]} : vector<7x16xi8>
func.func @others(%a: vector<7x16xi64>, %ma: memref<16x7xi64, strided<[784, 1]>>,
                  %b: vector<9x16xi8>, %mb: memref<16x9xi8, strided<[784, 1]>>,
                  %c: vector<7x16xi8>, %mc: memref<16x7xi8, strided<[784, 2]>>,
                  %d: vector<4x16xi8>, %md: memref<16x4xi8, strided<[784, 1]>>, %i: index) {
  vector.transfer_write %a, %ma[%i, %i] {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<7x16xi64>, memref<16x7xi64, strided<[784, 1]>>
  vector.transfer_write %b, %mb[%i, %i] {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<9x16xi8>, memref<16x9xi8, strided<[784, 1]>>
  vector.transfer_write %c, %mc[%i, %i] {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<7x16xi8>, memref<16x7xi8, strided<[784, 2]>>
  vector.transfer_write %d, %md[%i, %i] {in_bounds = [false, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : vector<4x16xi8>, memref<16x4xi8, strided<[784, 1]>>
  vector.transfer_write %c, %md[%i, %i] {in_bounds = [true, true]} : vector<7x16xi8>, memref<16x4xi8, strided<[784, 1]>>
  return
}
