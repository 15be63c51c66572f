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

// -----

// A depthwise row block (2 rows x 16 columns, unit stride): the loop over the 3 kernel
// columns becomes, per row, one masked read of the input row from column 0, a byte
// shuffle into one quad per lane (x[i], x[i+1], x[i+2], x[i+3]) and one VPDPBUSD with the
// broadcast weight word (w[kh, 0], w[kh, 1], w[kh, 2], 0), read with padding 0. The
// reads may pass the window's last column (not in bounds: masked, padded with 0).
// CHECK-LABEL: func @depthwise_window
// CHECK-NOT: scf.for
// CHECK: %[[WB:.*]] = vector.transfer_read %{{.*}}[%c0, %c0], %c0_i8 : memref<1x3xi8, strided<[3, 1], offset: ?>>, vector<4xi8>
// CHECK: %[[WW:.*]] = vector.bitcast %[[WB]] : vector<4xi8> to vector<1xi32>
// CHECK: %[[W:.*]] = vector.broadcast %{{.*}} : i32 to vector<16xi32>
// CHECK: %[[ROW0:.*]] = vector.transfer_read %{{.*}}[%c0, %c0], %c0_i8 : memref<2x18xi8, strided<[66, 1], offset: ?>>, vector<32xi8>
// CHECK: %[[Q0:.*]] = vector.shuffle %[[ROW0]], %[[ROW0]] [0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 5,
// CHECK: %[[X0:.*]] = vector.bitcast %[[Q0]] : vector<64xi8> to vector<16xi32>
// CHECK: %[[ROW1:.*]] = vector.transfer_read %{{.*}}[%c1, %c0]
// CHECK: %[[Q1:.*]] = vector.shuffle %[[ROW1]], %[[ROW1]]
// CHECK: %[[X1:.*]] = vector.bitcast %[[Q1]] : vector<64xi8> to vector<16xi32>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %[[X0]], %[[W]])
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %[[X1]], %[[W]])
// CHECK-NOT: arith.muli
// AVX2-LABEL: func @depthwise_window
// AVX2: scf.for
// AVX2: arith.muli
func.func @depthwise_window(%x: memref<4x66xi8>, %w: memref<3x3xi8>, %kh: index,
                            %acc: vector<2x16xi32>) -> vector<2x16xi32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = arith.constant 0 : i8
  %win = memref.subview %x[%kh, 0] [4, 18] [1, 1] : memref<4x66xi8> to memref<4x18xi8, strided<[66, 1], offset: ?>>
  %r = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a = %acc) -> (vector<2x16xi32>) {
    %xs = memref.subview %win[0, %kw] [2, 16] [1, 1] : memref<4x18xi8, strided<[66, 1], offset: ?>> to memref<2x16xi8, strided<[66, 1], offset: ?>>
    %ws = memref.subview %w[%kh, %kw] [1, 1] [1, 1] : memref<3x3xi8> to memref<i8, strided<[], offset: ?>>
    %xv = vector.transfer_read %xs[%c0, %c0], %z {in_bounds = [true, true]} : memref<2x16xi8, strided<[66, 1], offset: ?>>, vector<2x16xi8>
    %wv = vector.transfer_read %ws[], %z {in_bounds = [true, true], permutation_map = affine_map<() -> (0, 0)>} : memref<i8, strided<[], offset: ?>>, vector<2x16xi8>
    %xe = arith.extui %xv : vector<2x16xi8> to vector<2x16xi32>
    %we = arith.extsi %wv : vector<2x16xi8> to vector<2x16xi32>
    %p = arith.muli %xe, %we : vector<2x16xi32>
    %s = arith.addi %a, %p : vector<2x16xi32>
    scf.yield %s : vector<2x16xi32>
  }
  return %r : vector<2x16xi32>
}

// -----

// Stride 2 (8 columns, rows 2 apart): lane i's quad starts at byte 2i.
// CHECK-LABEL: func @strided_depthwise_window
// CHECK: vector.transfer_read %{{.*}}[%c0, %c0], %c0_i8 : memref<3x17xi8, strided<[114, 1], offset: ?>>, vector<32xi8>
// CHECK: vector.shuffle %{{.*}}, %{{.*}} [0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9, 8, 9, 10, 11, 10, 11, 12, 13, 12, 13, 14, 15, 14, 15, 16, 17] : vector<32xi8>, vector<32xi8>
// CHECK: vector.transfer_read %{{.*}}[%c2, %c0]
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"
// CHECK-NOT: arith.muli
func.func @strided_depthwise_window(%x: memref<9x114xi8>, %w: memref<3x3xi8>, %kh: index,
                                    %acc: vector<2x8xi32>) -> vector<2x8xi32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = arith.constant 0 : i8
  %win = memref.subview %x[%kh, 0] [5, 17] [1, 1] : memref<9x114xi8> to memref<5x17xi8, strided<[114, 1], offset: ?>>
  %r = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a = %acc) -> (vector<2x8xi32>) {
    %xs = memref.subview %win[0, %kw] [3, 15] [1, 1] : memref<5x17xi8, strided<[114, 1], offset: ?>> to memref<3x15xi8, strided<[114, 1], offset: ?>>
    %xs2 = memref.subview %xs[0, 0] [2, 8] [2, 2] : memref<3x15xi8, strided<[114, 1], offset: ?>> to memref<2x8xi8, strided<[228, 2], offset: ?>>
    %ws = memref.subview %w[%kh, %kw] [1, 1] [1, 1] : memref<3x3xi8> to memref<i8, strided<[], offset: ?>>
    %xv = vector.transfer_read %xs2[%c0, %c0], %z {in_bounds = [true, true]} : memref<2x8xi8, strided<[228, 2], offset: ?>>, vector<2x8xi8>
    %wv = vector.transfer_read %ws[], %z {in_bounds = [true, true], permutation_map = affine_map<() -> (0, 0)>} : memref<i8, strided<[], offset: ?>>, vector<2x8xi8>
    %xe = arith.extui %xv : vector<2x8xi8> to vector<2x8xi32>
    %we = arith.extsi %wv : vector<2x8xi8> to vector<2x8xi32>
    %p = arith.muli %xe, %we : vector<2x8xi32>
    %s = arith.addi %a, %p : vector<2x8xi32>
    scf.yield %s : vector<2x8xi32>
  }
  return %r : vector<2x8xi32>
}

// -----

// Signed input bytes (extsi): VPDPBUSD's first operand is unsigned, so the loop stays.
// CHECK-LABEL: func @signed_input_window
// CHECK: scf.for
// CHECK: arith.muli
func.func @signed_input_window(%x: memref<4x66xi8>, %w: memref<3x3xi8>, %kh: index,
                               %acc: vector<16xi32>) -> vector<16xi32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = arith.constant 0 : i8
  %win = memref.subview %x[%kh, 0] [1, 18] [1, 1] : memref<4x66xi8> to memref<18xi8, strided<[1], offset: ?>>
  %r = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a = %acc) -> (vector<16xi32>) {
    %xs = memref.subview %win[%kw] [16] [1] : memref<18xi8, strided<[1], offset: ?>> to memref<16xi8, strided<[1], offset: ?>>
    %ws = memref.subview %w[%kh, %kw] [1, 1] [1, 1] : memref<3x3xi8> to memref<i8, strided<[], offset: ?>>
    %xv = vector.transfer_read %xs[%c0], %z {in_bounds = [true]} : memref<16xi8, strided<[1], offset: ?>>, vector<16xi8>
    %wv = vector.transfer_read %ws[], %z {in_bounds = [true], permutation_map = affine_map<() -> (0)>} : memref<i8, strided<[], offset: ?>>, vector<16xi8>
    %xe = arith.extsi %xv : vector<16xi8> to vector<16xi32>
    %we = arith.extsi %wv : vector<16xi8> to vector<16xi32>
    %p = arith.muli %xe, %we : vector<16xi32>
    %s = arith.addi %a, %p : vector<16xi32>
    scf.yield %s : vector<16xi32>
  }
  return %r : vector<16xi32>
}

// -----

// u8 weights with zero point 100 and an input centered by 3 (extsi(extui(v) - zp) in 16
// bits): the input quads are flipped to signed (xor 0x80808080), one VPDPBUSD takes the
// weight word, a second the word (100, 100, 100, 0) = 6579300, and the constant
// (128 - 3) * (sum w - 3 * 100) is added.
// CHECK-LABEL: func @u8_weights_window
// CHECK-DAG: %[[FLIP:.*]] = arith.constant dense<-2139062144> : vector<16xi32>
// CHECK-DAG: %[[ZW:.*]] = arith.constant dense<6579300> : vector<16xi32>
// CHECK-DAG: %[[C125:.*]] = arith.constant 125 : i32
// CHECK: %[[SUM:.*]] = vector.reduction <add>
// CHECK: %[[S:.*]] = arith.subi %[[SUM]], %{{.*}} : i32
// CHECK: %[[C:.*]] = arith.muli %[[S]], %[[C125]] : i32
// CHECK: %[[X:.*]] = arith.xori %{{.*}}, %[[FLIP]] : vector<16xi32>
// CHECK: %[[D1:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %[[X]])
// CHECK: %[[D2:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %[[ZW]], %[[X]])
// CHECK: %[[D:.*]] = arith.subi %[[D1]], %[[D2]]
// CHECK: arith.addi %[[D]], %{{.*}}
// CHECK-NOT: arith.muli %{{.*}} : vector
func.func @u8_weights_window(%x: memref<4x66xi8>, %w: memref<3x3xi8>, %kh: index,
                             %acc: vector<1x16xi32>) -> vector<1x16xi32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = arith.constant 0 : i8
  %zpx = arith.constant dense<3> : vector<1x16xi16>
  %zpw = arith.constant dense<100> : vector<1x16xi16>
  %win = memref.subview %x[%kh, 0] [1, 18] [1, 1] : memref<4x66xi8> to memref<1x18xi8, strided<[66, 1], offset: ?>>
  %r = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a = %acc) -> (vector<1x16xi32>) {
    %xs = memref.subview %win[0, %kw] [1, 16] [1, 1] : memref<1x18xi8, strided<[66, 1], offset: ?>> to memref<1x16xi8, strided<[66, 1], offset: ?>>
    %ws = memref.subview %w[%kh, %kw] [1, 1] [1, 1] : memref<3x3xi8> to memref<i8, strided<[], offset: ?>>
    %xv = vector.transfer_read %xs[%c0, %c0], %z {in_bounds = [true, true]} : memref<1x16xi8, strided<[66, 1], offset: ?>>, vector<1x16xi8>
    %wv = vector.transfer_read %ws[], %z {in_bounds = [true, true], permutation_map = affine_map<() -> (0, 0)>} : memref<i8, strided<[], offset: ?>>, vector<1x16xi8>
    %x16 = arith.extui %xv : vector<1x16xi8> to vector<1x16xi16>
    %xc = arith.subi %x16, %zpx : vector<1x16xi16>
    %xe = arith.extsi %xc : vector<1x16xi16> to vector<1x16xi32>
    %w16 = arith.extui %wv : vector<1x16xi8> to vector<1x16xi16>
    %wc = arith.subi %w16, %zpw : vector<1x16xi16>
    %we = arith.extsi %wc : vector<1x16xi16> to vector<1x16xi32>
    %p = arith.muli %xe, %we : vector<1x16xi32>
    %s = arith.addi %a, %p : vector<1x16xi32>
    scf.yield %s : vector<1x16xi32>
  }
  return %r : vector<1x16xi32>
}

// -----

// The window loop is replaced whole, so a loop that does anything besides reading and
// computing (here a store) stays as it is.
// CHECK-LABEL: func @window_with_store
// CHECK: scf.for
// CHECK: memref.store
// CHECK: arith.muli
func.func @window_with_store(%x: memref<4x66xi8>, %w: memref<3x3xi8>, %kh: index,
                             %acc: vector<1x16xi32>, %log: memref<3xindex>) -> vector<1x16xi32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = arith.constant 0 : i8
  %win = memref.subview %x[%kh, 0] [1, 18] [1, 1] : memref<4x66xi8> to memref<1x18xi8, strided<[66, 1], offset: ?>>
  %r = scf.for %kw = %c0 to %c3 step %c1 iter_args(%a = %acc) -> (vector<1x16xi32>) {
    memref.store %kw, %log[%kw] : memref<3xindex>
    %xs = memref.subview %win[0, %kw] [1, 16] [1, 1] : memref<1x18xi8, strided<[66, 1], offset: ?>> to memref<1x16xi8, strided<[66, 1], offset: ?>>
    %ws = memref.subview %w[%kh, %kw] [1, 1] [1, 1] : memref<3x3xi8> to memref<i8, strided<[], offset: ?>>
    %xv = vector.transfer_read %xs[%c0, %c0], %z {in_bounds = [true, true]} : memref<1x16xi8, strided<[66, 1], offset: ?>>, vector<1x16xi8>
    %wv = vector.transfer_read %ws[], %z {in_bounds = [true, true], permutation_map = affine_map<() -> (0, 0)>} : memref<i8, strided<[], offset: ?>>, vector<1x16xi8>
    %xe = arith.extui %xv : vector<1x16xi8> to vector<1x16xi32>
    %we = arith.extsi %wv : vector<1x16xi8> to vector<1x16xi32>
    %p = arith.muli %xe, %we : vector<1x16xi32>
    %s = arith.addi %a, %p : vector<1x16xi32>
    scf.yield %s : vector<1x16xi32>
  }
  return %r : vector<1x16xi32>
}
