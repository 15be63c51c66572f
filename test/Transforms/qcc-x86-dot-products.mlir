// RUN: qcc-opt %s -split-input-file -qcc-x86-dot-products -canonicalize | FileCheck %s
// RUN: qcc-opt %s -split-input-file -qcc-x86-dot-products=isa=avx2 -canonicalize | FileCheck %s --check-prefix=AVX2
// RUN: qcc-opt %s -split-input-file -qcc-x86-dot-products=isa=sse2 -canonicalize | FileCheck %s --check-prefix=SSE2

// acc + lo(a) * lo(w) + hi(a) * hi(w) on 16 lanes of packed 16-bit pairs is VPDPWSSD.
// CHECK-LABEL: func @row
// CHECK: %[[R:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpwssd.512"(%arg0, %arg1, %arg2) : (vector<16xi32>, vector<16xi32>, vector<16xi32>) -> vector<16xi32>
// CHECK-NOT: arith.muli
// CHECK: return %[[R]]
// Without VNNI: PMADDWD on 8 lanes (AVX2) or 4 (SSE2), each followed by the accumulation.
// AVX2-LABEL: func @row
// AVX2-COUNT-2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2-NOT: arith.muli
// SSE2-LABEL: func @row
// SSE2-COUNT-4: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<8xi16>, vector<8xi16>) -> vector<4xi32>
// SSE2-NOT: arith.muli
func.func @row(%acc: vector<16xi32>, %a: vector<16xi32>, %w: vector<16xi32>) -> vector<16xi32> {
  %c16 = arith.constant dense<16> : vector<16xi32>
  %al = arith.shli %a, %c16 : vector<16xi32>
  %a0 = arith.shrsi %al, %c16 : vector<16xi32>
  %wl = arith.shli %w, %c16 : vector<16xi32>
  %w0 = arith.shrsi %wl, %c16 : vector<16xi32>
  %p0 = arith.muli %a0, %w0 : vector<16xi32>
  %a1 = arith.shrsi %a, %c16 : vector<16xi32>
  %w1 = arith.shrsi %w, %c16 : vector<16xi32>
  %p1 = arith.muli %w1, %a1 : vector<16xi32>
  %s = arith.addi %p0, %p1 : vector<16xi32>
  %r = arith.addi %acc, %s : vector<16xi32>
  return %r : vector<16xi32>
}

// -----

// A register block (2 rows of 8 lanes): one 256-bit VPDPWSSD per row.
// CHECK-LABEL: func @block
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpdpwssd.256"
// CHECK-NOT: arith.muli
// AVX2-LABEL: func @block
// AVX2-COUNT-2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX2-NOT: arith.muli
// SSE2-LABEL: func @block
// SSE2-COUNT-4: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"
// SSE2-NOT: arith.muli
func.func @block(%acc: vector<2x8xi32>, %a: vector<2x8xi32>, %w: vector<2x8xi32>) -> vector<2x8xi32> {
  %c16 = arith.constant dense<16> : vector<2x8xi32>
  %al = arith.shli %a, %c16 : vector<2x8xi32>
  %a0 = arith.shrsi %al, %c16 : vector<2x8xi32>
  %wl = arith.shli %w, %c16 : vector<2x8xi32>
  %w0 = arith.shrsi %wl, %c16 : vector<2x8xi32>
  %p0 = arith.muli %a0, %w0 : vector<2x8xi32>
  %a1 = arith.shrsi %a, %c16 : vector<2x8xi32>
  %w1 = arith.shrsi %w, %c16 : vector<2x8xi32>
  %p1 = arith.muli %a1, %w1 : vector<2x8xi32>
  %s = arith.addi %p1, %p0 : vector<2x8xi32>
  %r = arith.addi %s, %acc : vector<2x8xi32>
  return %r : vector<2x8xi32>
}

// -----

// Not the paired product: the high halves come from another word (lo(a) * lo(w) +
// hi(b) * hi(w)), or the halves are 8 bits wide. Left alone.
// CHECK-LABEL: func @left_alone
// CHECK-NOT: llvm.call_intrinsic
// CHECK-COUNT-4: arith.muli
// AVX2-LABEL: func @left_alone
// AVX2-NOT: llvm.call_intrinsic
// SSE2-LABEL: func @left_alone
// SSE2-NOT: llvm.call_intrinsic
func.func @left_alone(%acc: vector<16xi32>, %a: vector<16xi32>, %b: vector<16xi32>, %w: vector<16xi32>) -> (vector<16xi32>, vector<16xi32>) {
  %c16 = arith.constant dense<16> : vector<16xi32>
  %c8 = arith.constant dense<8> : vector<16xi32>
  %al = arith.shli %a, %c16 : vector<16xi32>
  %a0 = arith.shrsi %al, %c16 : vector<16xi32>
  %wl = arith.shli %w, %c16 : vector<16xi32>
  %w0 = arith.shrsi %wl, %c16 : vector<16xi32>
  %p0 = arith.muli %a0, %w0 : vector<16xi32>
  %b1 = arith.shrsi %b, %c16 : vector<16xi32>
  %w1 = arith.shrsi %w, %c16 : vector<16xi32>
  %p1 = arith.muli %b1, %w1 : vector<16xi32>
  %s = arith.addi %p0, %p1 : vector<16xi32>
  %r = arith.addi %acc, %s : vector<16xi32>
  %al8 = arith.shli %a, %c8 : vector<16xi32>
  %a08 = arith.shrsi %al8, %c8 : vector<16xi32>
  %wl8 = arith.shli %w, %c8 : vector<16xi32>
  %w08 = arith.shrsi %wl8, %c8 : vector<16xi32>
  %q0 = arith.muli %a08, %w08 : vector<16xi32>
  %a18 = arith.shrsi %a, %c8 : vector<16xi32>
  %w18 = arith.shrsi %w, %c8 : vector<16xi32>
  %q1 = arith.muli %a18, %w18 : vector<16xi32>
  %t = arith.addi %q0, %q1 : vector<16xi32>
  %u = arith.addi %acc, %t : vector<16xi32>
  return %r, %u : vector<16xi32>, vector<16xi32>
}

// -----

// With VNNI, four unsigned bytes of `a` times four signed bytes of `w` (the quad product
// with logical shifts for `a`) is VPDPBUSD.
// CHECK-LABEL: func @quads
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%arg0, %arg1, %arg2) : (vector<16xi32>, vector<16xi32>, vector<16xi32>) -> vector<16xi32>
// CHECK-NOT: arith.muli
// AVX2-LABEL: func @quads
// AVX2-NOT: llvm.call_intrinsic
// SSE2-LABEL: func @quads
// SSE2-NOT: llvm.call_intrinsic
func.func @quads(%acc: vector<16xi32>, %a: vector<16xi32>, %w: vector<16xi32>) -> vector<16xi32> {
  %c24 = arith.constant dense<24> : vector<16xi32>
  %c16 = arith.constant dense<16> : vector<16xi32>
  %c8 = arith.constant dense<8> : vector<16xi32>
  %a0s = arith.shli %a, %c24 : vector<16xi32>
  %a0 = arith.shrui %a0s, %c24 : vector<16xi32>
  %w0s = arith.shli %w, %c24 : vector<16xi32>
  %w0 = arith.shrsi %w0s, %c24 : vector<16xi32>
  %p0 = arith.muli %a0, %w0 : vector<16xi32>
  %a1s = arith.shli %a, %c16 : vector<16xi32>
  %a1 = arith.shrui %a1s, %c24 : vector<16xi32>
  %w1s = arith.shli %w, %c16 : vector<16xi32>
  %w1 = arith.shrsi %w1s, %c24 : vector<16xi32>
  %p1 = arith.muli %w1, %a1 : vector<16xi32>
  %a2s = arith.shli %a, %c8 : vector<16xi32>
  %a2 = arith.shrui %a2s, %c24 : vector<16xi32>
  %w2s = arith.shli %w, %c8 : vector<16xi32>
  %w2 = arith.shrsi %w2s, %c24 : vector<16xi32>
  %p2 = arith.muli %a2, %w2 : vector<16xi32>
  %a3 = arith.shrui %a, %c24 : vector<16xi32>
  %w3 = arith.shrsi %w, %c24 : vector<16xi32>
  %p3 = arith.muli %a3, %w3 : vector<16xi32>
  %s01 = arith.addi %p0, %p1 : vector<16xi32>
  %s23 = arith.addi %p2, %p3 : vector<16xi32>
  %s = arith.addi %s01, %s23 : vector<16xi32>
  %r = arith.addi %acc, %s : vector<16xi32>
  return %r : vector<16xi32>
}
