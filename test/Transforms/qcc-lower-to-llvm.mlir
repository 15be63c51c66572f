// The whole lowering pipeline on a small model: nothing but the LLVM dialect remains, the
// intermediate buffer lives in the arena, and NAME_run is exported.
// RUN: qcc-opt %s -qcc-lower-to-llvm | FileCheck %s
// CHECK: module attributes {{{.*}}qcc.arena_size = {{[1-9][0-9]*}} : i64
// CHECK-NOT: qcc.relu
// CHECK-NOT: linalg.
// CHECK-NOT: memref.alloc
// CHECK: llvm.func internal @model_impl
// CHECK: llvm.intr.maximum
// CHECK: llvm.func @model_run
func.func @main_graph(%x: tensor<1x4xf32>) -> tensor<1x4xf32>
    attributes {qcc.entry, qcc.num_inputs = 1 : i64, qcc.num_outputs = 1 : i64} {
  %0 = qcc.relu %x : tensor<1x4xf32>
  %1 = qcc.softmax %0 {axis = -1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}
