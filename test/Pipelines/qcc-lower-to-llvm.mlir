// The whole lowering pipeline on a small model: nothing but the LLVM dialect remains, the
// intermediate buffer lives in the arena, each loop nest is an internal, never-inlined
// function called in order by NAME_impl, and only NAME_run is exported.
// RUN: qcc-opt %s -qcc-lower-to-llvm | FileCheck %s
// CHECK: module attributes {{{.*}}qcc.arena_size = {{[1-9][0-9]*}} : i64
// CHECK-NOT: qcc.relu
// CHECK-NOT: linalg.
// CHECK-NOT: memref.alloc
// CHECK: llvm.func internal @main_graph_l0(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes {passthrough = ["noinline"]
// CHECK: llvm.intr.maximum
// CHECK: llvm.func internal @model_impl(%[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr, %[[ARENA:.*]]: !llvm.ptr)
// CHECK-NEXT: llvm.call @main_graph_l0(%[[IN]], %[[ARENA]])
// CHECK: llvm.call @main_graph_l7(%[[ARENA]], %[[OUT]])
// CHECK: llvm.func @model_run
func.func @main_graph(%x: tensor<1x4xf32>) -> tensor<1x4xf32>
    attributes {qcc.entry, qcc.num_inputs = 1 : i64, qcc.num_outputs = 1 : i64} {
  %0 = qcc.relu %x : tensor<1x4xf32>
  %1 = qcc.softmax %0 {axis = -1 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}
