//===- VectorUtils.h - vector rewrites shared by the codegen passes -*- C++ -*-===//
//
// Row-by-row application of 1-D rewrites and the matching of packed-lane products
// (convert-qcc-to-linalg's packed-word kernels) that the target passes turn into
// dot-product instructions: qcc-x86-dot-products (lib/Codegen/X86) and
// qcc-arm-dot-products (lib/Codegen/AArch64).
//
//===----------------------------------------------------------------------===//
#ifndef QCC_CODEGEN_VECTORUTILS_H
#define QCC_CODEGEN_VECTORUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::qcc {

/// `row(operands)` over vectors of rank 1 or 2 and shape `type`: applied once to rank-1
/// operands, or to each row of rank-2 ones (vector.extract), the results reassembled row
/// by row (vector.insert). LLVM then sees one 1-D vector operation per row.
Value rowByRow(RewriterBase &rewriter, Location loc, VectorType type,
               ArrayRef<Value> operands, function_ref<Value(ArrayRef<Value>)> row);

/// `v` is lane k of a 32-bit word holding `32 / bits` packed lanes, extracted as convert-
/// qcc-to-linalg's packed products do: `(x << (32 - bits * (k + 1))) >> (32 - bits)`, the
/// left shift absent for the top lane, the right shift arithmetic (a signed lane) or, with
/// `isUnsigned`, logical. Sets k and x.
bool laneOf(Value v, int64_t bits, bool isUnsigned, int64_t &k, Value &x);

/// An `acc + sum_k lane_k(a) * lane_k(w)` vector add over words of `perWord` packed lanes
/// (2: 16-bit halves, 4: bytes), the sum associated in any way. With `unsignedA` a's lanes
/// are unsigned and w's signed (VPDPBUSD), else both signed (PMADDWD, VPDPWSSD, SDOT).
struct PackedDot {
  Value acc, a, w;
};

std::optional<PackedDot> matchPackedDot(arith::AddIOp op, int64_t perWord,
                                        bool unsignedA);

/// The 32-bit integer vector adds of rank 1 or 2 whose rows have a multiple of `lanes`.
SmallVector<arith::AddIOp> dotCandidates(func::FuncOp f, ArrayRef<int64_t> lanes);

/// Replaces `op` (matched as `m`) row by row: `row(acc, a, w)` on 1-D vectors.
void rewriteRows(RewriterBase &rewriter, arith::AddIOp op, const PackedDot &m,
                 function_ref<Value(Value, Value, Value)> row);

/// One row in chunks of `chunk` words: `step(acc, a, w)` on each chunk, the packed operands
/// bitcast to `lanes` narrow elements.
Value rowInChunks(RewriterBase &rewriter, Location loc, Value acc, Value a, Value w,
                  int64_t chunk, VectorType lanes,
                  function_ref<Value(Value, Value, Value)> step);

/// A call of the LLVM intrinsic `name` (llvm.call_intrinsic) returning `result`.
Value callIntrinsic(RewriterBase &rewriter, Location loc, StringRef name, Type result,
                    ValueRange args);

} // namespace mlir::qcc

#endif // QCC_CODEGEN_VECTORUTILS_H
