// RUN: qcc-opt %s -split-input-file -qcc-cortex-m-dot-products -canonicalize | FileCheck %s

// acc + sum_k byte_k(a) * byte_k(w) over quads of signed bytes: per lane, SXTB16 of each
// word and of the word rotated right by 8 (bytes 0, 2 and 1, 3), then two SMLADs.
// CHECK-LABEL: func @quads
// CHECK: %[[C8:.*]] = arith.constant 8 : i32
// CHECK: %[[ACC:.*]] = vector.extract %arg0[0]
// CHECK: %[[A:.*]] = vector.extract %arg1[0]
// CHECK: %[[W:.*]] = vector.extract %arg2[0]
// CHECK: %[[A02:.*]] = llvm.call_intrinsic "llvm.arm.sxtb16"(%[[A]]) : (i32) -> i32
// CHECK: %[[AR:.*]] = llvm.call_intrinsic "llvm.fshr.i32"(%[[A]], %[[A]], %[[C8]])
// CHECK: %[[A13:.*]] = llvm.call_intrinsic "llvm.arm.sxtb16"(%[[AR]])
// CHECK: %[[W02:.*]] = llvm.call_intrinsic "llvm.arm.sxtb16"(%[[W]])
// CHECK: %[[WR:.*]] = llvm.call_intrinsic "llvm.fshr.i32"(%[[W]], %[[W]], %[[C8]])
// CHECK: %[[W13:.*]] = llvm.call_intrinsic "llvm.arm.sxtb16"(%[[WR]])
// CHECK: %[[S:.*]] = llvm.call_intrinsic "llvm.arm.smlad"(%[[A02]], %[[W02]], %[[ACC]])
// CHECK: llvm.call_intrinsic "llvm.arm.smlad"(%[[A13]], %[[W13]], %[[S]])
// CHECK-COUNT-2: llvm.arm.smlad
// CHECK-NOT: arith.muli
// CHECK: return
func.func @quads(%acc: vector<2xi32>, %a: vector<2xi32>, %w: vector<2xi32>) -> vector<2xi32> {
  %c8 = arith.constant dense<8> : vector<2xi32>
  %c16 = arith.constant dense<16> : vector<2xi32>
  %c24 = arith.constant dense<24> : vector<2xi32>
  %a0s = arith.shli %a, %c24 : vector<2xi32>
  %a0 = arith.shrsi %a0s, %c24 : vector<2xi32>
  %w0s = arith.shli %w, %c24 : vector<2xi32>
  %w0 = arith.shrsi %w0s, %c24 : vector<2xi32>
  %p0 = arith.muli %a0, %w0 : vector<2xi32>
  %a1s = arith.shli %a, %c16 : vector<2xi32>
  %a1 = arith.shrsi %a1s, %c24 : vector<2xi32>
  %w1s = arith.shli %w, %c16 : vector<2xi32>
  %w1 = arith.shrsi %w1s, %c24 : vector<2xi32>
  %p1 = arith.muli %a1, %w1 : vector<2xi32>
  %a2s = arith.shli %a, %c8 : vector<2xi32>
  %a2 = arith.shrsi %a2s, %c24 : vector<2xi32>
  %w2s = arith.shli %w, %c8 : vector<2xi32>
  %w2 = arith.shrsi %w2s, %c24 : vector<2xi32>
  %p2 = arith.muli %a2, %w2 : vector<2xi32>
  %a3 = arith.shrsi %a, %c24 : vector<2xi32>
  %w3 = arith.shrsi %w, %c24 : vector<2xi32>
  %p3 = arith.muli %a3, %w3 : vector<2xi32>
  %s01 = arith.addi %p0, %p1 : vector<2xi32>
  %s012 = arith.addi %s01, %p2 : vector<2xi32>
  %s = arith.addi %s012, %p3 : vector<2xi32>
  %r = arith.addi %acc, %s : vector<2xi32>
  return %r : vector<2xi32>
}

// -----

// A register block of 2 rows x 2 lanes: 2 SMLADs per lane, 8 in all, the rows in order.
// CHECK-LABEL: func @quad_block
// CHECK: vector.extract %arg0[0, 0]
// CHECK-COUNT-8: llvm.arm.smlad
// CHECK-NOT: arith.muli
func.func @quad_block(%acc: vector<2x2xi32>, %a: vector<2x2xi32>, %w: vector<2x2xi32>) -> vector<2x2xi32> {
  %c8 = arith.constant dense<8> : vector<2x2xi32>
  %c16 = arith.constant dense<16> : vector<2x2xi32>
  %c24 = arith.constant dense<24> : vector<2x2xi32>
  %a0s = arith.shli %a, %c24 : vector<2x2xi32>
  %a0 = arith.shrsi %a0s, %c24 : vector<2x2xi32>
  %w0s = arith.shli %w, %c24 : vector<2x2xi32>
  %w0 = arith.shrsi %w0s, %c24 : vector<2x2xi32>
  %p0 = arith.muli %a0, %w0 : vector<2x2xi32>
  %a1s = arith.shli %a, %c16 : vector<2x2xi32>
  %a1 = arith.shrsi %a1s, %c24 : vector<2x2xi32>
  %w1s = arith.shli %w, %c16 : vector<2x2xi32>
  %w1 = arith.shrsi %w1s, %c24 : vector<2x2xi32>
  %p1 = arith.muli %a1, %w1 : vector<2x2xi32>
  %a2s = arith.shli %a, %c8 : vector<2x2xi32>
  %a2 = arith.shrsi %a2s, %c24 : vector<2x2xi32>
  %w2s = arith.shli %w, %c8 : vector<2x2xi32>
  %w2 = arith.shrsi %w2s, %c24 : vector<2x2xi32>
  %p2 = arith.muli %a2, %w2 : vector<2x2xi32>
  %a3 = arith.shrsi %a, %c24 : vector<2x2xi32>
  %w3 = arith.shrsi %w, %c24 : vector<2x2xi32>
  %p3 = arith.muli %a3, %w3 : vector<2x2xi32>
  %s01 = arith.addi %p1, %p0 : vector<2x2xi32>
  %s012 = arith.addi %p2, %s01 : vector<2x2xi32>
  %s = arith.addi %s012, %p3 : vector<2x2xi32>
  %r = arith.addi %s, %acc : vector<2x2xi32>
  return %r : vector<2x2xi32>
}

// -----

// Unsigned input bytes (logical shifts: the x86 VPDPBUSD shape) are not SMLAD's signed
// halves: left alone.
// CHECK-LABEL: func @unsigned_quads
// CHECK-NOT: llvm.arm.smlad
// CHECK: arith.muli
func.func @unsigned_quads(%acc: vector<2xi32>, %a: vector<2xi32>, %w: vector<2xi32>) -> vector<2xi32> {
  %c8 = arith.constant dense<8> : vector<2xi32>
  %c16 = arith.constant dense<16> : vector<2xi32>
  %c24 = arith.constant dense<24> : vector<2xi32>
  %a0s = arith.shli %a, %c24 : vector<2xi32>
  %a0 = arith.shrui %a0s, %c24 : vector<2xi32>
  %w0s = arith.shli %w, %c24 : vector<2xi32>
  %w0 = arith.shrsi %w0s, %c24 : vector<2xi32>
  %p0 = arith.muli %a0, %w0 : vector<2xi32>
  %a1s = arith.shli %a, %c16 : vector<2xi32>
  %a1 = arith.shrui %a1s, %c24 : vector<2xi32>
  %w1s = arith.shli %w, %c16 : vector<2xi32>
  %w1 = arith.shrsi %w1s, %c24 : vector<2xi32>
  %p1 = arith.muli %a1, %w1 : vector<2xi32>
  %a2s = arith.shli %a, %c8 : vector<2xi32>
  %a2 = arith.shrui %a2s, %c24 : vector<2xi32>
  %w2s = arith.shli %w, %c8 : vector<2xi32>
  %w2 = arith.shrsi %w2s, %c24 : vector<2xi32>
  %p2 = arith.muli %a2, %w2 : vector<2xi32>
  %a3 = arith.shrui %a, %c24 : vector<2xi32>
  %w3 = arith.shrsi %w, %c24 : vector<2xi32>
  %p3 = arith.muli %a3, %w3 : vector<2xi32>
  %s01 = arith.addi %p0, %p1 : vector<2xi32>
  %s012 = arith.addi %s01, %p2 : vector<2xi32>
  %s = arith.addi %s012, %p3 : vector<2xi32>
  %r = arith.addi %acc, %s : vector<2xi32>
  return %r : vector<2xi32>
}
