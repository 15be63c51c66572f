// RUN: qcc-opt %s --qcc-vector-to-llvm='index-bitwidth=32' | FileCheck %s --check-prefix=I32
// RUN: qcc-opt %s --qcc-vector-to-llvm | FileCheck %s --check-prefix=I64

// A vector load from a memref: the descriptor and the address arithmetic take the index
// width asked for (32 bits for the Cortex-M targets), where upstream's
// convert-vector-to-llvm always uses 64.

// I32-LABEL: func.func @load
// I32: builtin.unrealized_conversion_cast %{{.*}} : index to i32
// I32: builtin.unrealized_conversion_cast %{{.*}} : memref<16xi8> to !llvm.struct<(ptr, ptr, i32, array<1 x i32>, array<1 x i32>)>
// I32: llvm.getelementptr %{{.*}}[%{{.*}}] : (!llvm.ptr, i32) -> !llvm.ptr, i8
// I32: llvm.load %{{.*}} {alignment = 1 : i64} : !llvm.ptr -> vector<4xi8>
// I64-LABEL: func.func @load
// I64: !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)>
// I64: llvm.getelementptr %{{.*}}[%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, i8
func.func @load(%m: memref<16xi8>, %i: index) -> vector<4xi8> {
  %v = vector.load %m[%i] : memref<16xi8>, vector<4xi8>
  return %v : vector<4xi8>
}

// Vector-to-vector lowering runs first: a broadcast becomes an insert and a shuffle.
// I32-LABEL: func.func @splat
// I32: llvm.insertelement
// I32: llvm.shufflevector
func.func @splat(%x: i32) -> vector<4xi32> {
  %v = vector.broadcast %x : i32 to vector<4xi32>
  return %v : vector<4xi32>
}
