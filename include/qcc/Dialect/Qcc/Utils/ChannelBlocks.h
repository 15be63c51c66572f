//===- ChannelBlocks.h - NCHW <-> NCHWc layout changes -----------*- C++ -*-===//
//
// The channel-blocked (NCHWc) activation layout of float convolutions on x86: the packs
// and unpacks that convert-qcc-to-linalg emits around blocked convolutions and that
// qcc-propagate-channel-blocks moves and folds, built in one place so that both agree on
// the form (channels = dimension 1 of NCHW, blocked into a trailing dimension of L).
//
//===----------------------------------------------------------------------===//
#ifndef QCC_DIALECT_QCC_UTILS_CHANNELBLOCKS_H
#define QCC_DIALECT_QCC_UTILS_CHANNELBLOCKS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::qcc {

/// N x C x H x W -> N x ceil(C/L) x H x W x L (`tensor.pack` of the channels). A partial
/// last block is padded with `pad`, or 0 without one.
inline mlir::Value packChannels(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                                int64_t lanes, mlir::Value pad = {}) {
  auto type = mlir::cast<mlir::RankedTensorType>(v.getType());
  auto shape = type.getShape();
  mlir::Value dest = b.create<mlir::tensor::EmptyOp>(
      loc, llvm::ArrayRef<int64_t>{shape[0], (shape[1] + lanes - 1) / lanes, shape[2],
                                   shape[3], lanes},
      type.getElementType());
  std::optional<mlir::Value> padding;
  if (shape[1] % lanes)
    padding = pad ? pad
                  : b.create<mlir::arith::ConstantOp>(loc, b.getZeroAttr(type.getElementType()))
                        .getResult();
  return b.create<mlir::tensor::PackOp>(loc, v, dest, llvm::ArrayRef<int64_t>{1},
                                        llvm::ArrayRef<mlir::OpFoldResult>{b.getIndexAttr(lanes)},
                                        padding);
}

/// N x ceil(C/L) x H x W x L -> N x C x H x W (`tensor.unpack`, dropping padded channels).
inline mlir::Value unpackChannels(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                                  int64_t channels) {
  auto type = mlir::cast<mlir::RankedTensorType>(v.getType());
  auto shape = type.getShape();
  mlir::Value dest = b.create<mlir::tensor::EmptyOp>(
      loc, llvm::ArrayRef<int64_t>{shape[0], channels, shape[2], shape[3]},
      type.getElementType());
  return b.create<mlir::tensor::UnPackOp>(
      loc, v, dest, llvm::ArrayRef<int64_t>{1},
      llvm::ArrayRef<mlir::OpFoldResult>{b.getIndexAttr(shape[4])});
}

} // namespace mlir::qcc

#endif // QCC_DIALECT_QCC_UTILS_CHANNELBLOCKS_H
