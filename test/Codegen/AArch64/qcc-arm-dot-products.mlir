// RUN: qcc-opt %s -split-input-file -qcc-arm-dot-products -canonicalize | FileCheck %s
// RUN: qcc-opt %s -split-input-file -qcc-arm-dot-products=dot-product=false -canonicalize | FileCheck %s --check-prefix=NODOT

// acc + sum_k byte_k(a) * byte_k(w) on 8 lanes of packed signed bytes: two SDOTs of 4 lanes.
// CHECK-LABEL: func @quads
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// CHECK-NOT: arith.muli
// Without SDOT (Cortex-A72), per 4 lanes: SMULL of the low and of the high 8 bytes, ADDP of
// the two, SADDLP (an add after it: SADALP) into the accumulator.
// NODOT-LABEL: func @quads
// NODOT-COUNT-2: llvm.aarch64.neon.smull.v8i16
// NODOT-NEXT: llvm.call_intrinsic "llvm.aarch64.neon.addp.v8i16"(%{{.*}}, %{{.*}}) : (vector<8xi16>, vector<8xi16>) -> vector<8xi16>
// NODOT-NEXT: %[[P:.*]] = llvm.call_intrinsic "llvm.aarch64.neon.saddlp.v4i32.v8i16"(%{{.*}}) : (vector<8xi16>) -> vector<4xi32>
// NODOT-NEXT: arith.addi %{{.*}}, %[[P]] : vector<4xi32>
// NODOT-NOT: arith.muli
// NODOT-NOT: sdot
func.func @quads(%acc: vector<8xi32>, %a: vector<8xi32>, %w: vector<8xi32>) -> vector<8xi32> {
  %c24 = arith.constant dense<24> : vector<8xi32>
  %c16 = arith.constant dense<16> : vector<8xi32>
  %c8 = arith.constant dense<8> : vector<8xi32>
  %a0s = arith.shli %a, %c24 : vector<8xi32>
  %a0 = arith.shrsi %a0s, %c24 : vector<8xi32>
  %w0s = arith.shli %w, %c24 : vector<8xi32>
  %w0 = arith.shrsi %w0s, %c24 : vector<8xi32>
  %p0 = arith.muli %a0, %w0 : vector<8xi32>
  %a1s = arith.shli %a, %c16 : vector<8xi32>
  %a1 = arith.shrsi %a1s, %c24 : vector<8xi32>
  %w1s = arith.shli %w, %c16 : vector<8xi32>
  %w1 = arith.shrsi %w1s, %c24 : vector<8xi32>
  %p1 = arith.muli %a1, %w1 : vector<8xi32>
  %a2s = arith.shli %a, %c8 : vector<8xi32>
  %a2 = arith.shrsi %a2s, %c24 : vector<8xi32>
  %w2s = arith.shli %w, %c8 : vector<8xi32>
  %w2 = arith.shrsi %w2s, %c24 : vector<8xi32>
  %p2 = arith.muli %w2, %a2 : vector<8xi32>
  %a3 = arith.shrsi %a, %c24 : vector<8xi32>
  %w3 = arith.shrsi %w, %c24 : vector<8xi32>
  %p3 = arith.muli %a3, %w3 : vector<8xi32>
  %s01 = arith.addi %p0, %p1 : vector<8xi32>
  %s23 = arith.addi %p2, %p3 : vector<8xi32>
  %s = arith.addi %s01, %s23 : vector<8xi32>
  %r = arith.addi %acc, %s : vector<8xi32>
  return %r : vector<8xi32>
}

// -----

// Three of the four bytes, or a byte taken twice: not SDOT, left alone.
// CHECK-LABEL: func @left_alone
// CHECK-NOT: llvm.call_intrinsic
// NODOT-LABEL: func @left_alone
// NODOT-NOT: llvm.call_intrinsic
func.func @left_alone(%acc: vector<4xi32>, %a: vector<4xi32>, %w: vector<4xi32>) -> (vector<4xi32>, vector<4xi32>) {
  %c24 = arith.constant dense<24> : vector<4xi32>
  %c16 = arith.constant dense<16> : vector<4xi32>
  %a0s = arith.shli %a, %c24 : vector<4xi32>
  %a0 = arith.shrsi %a0s, %c24 : vector<4xi32>
  %w0s = arith.shli %w, %c24 : vector<4xi32>
  %w0 = arith.shrsi %w0s, %c24 : vector<4xi32>
  %p0 = arith.muli %a0, %w0 : vector<4xi32>
  %a1s = arith.shli %a, %c16 : vector<4xi32>
  %a1 = arith.shrsi %a1s, %c24 : vector<4xi32>
  %w1s = arith.shli %w, %c16 : vector<4xi32>
  %w1 = arith.shrsi %w1s, %c24 : vector<4xi32>
  %p1 = arith.muli %a1, %w1 : vector<4xi32>
  %a3 = arith.shrsi %a, %c24 : vector<4xi32>
  %w3 = arith.shrsi %w, %c24 : vector<4xi32>
  %p3 = arith.muli %a3, %w3 : vector<4xi32>
  %s01 = arith.addi %p0, %p1 : vector<4xi32>
  %s = arith.addi %s01, %p3 : vector<4xi32>
  %r = arith.addi %acc, %s : vector<4xi32>
  %t01 = arith.addi %p0, %p1 : vector<4xi32>
  %t23 = arith.addi %p3, %p3 : vector<4xi32>
  %t = arith.addi %t01, %t23 : vector<4xi32>
  %u = arith.addi %acc, %t : vector<4xi32>
  return %r, %u : vector<4xi32>, vector<4xi32>
}
