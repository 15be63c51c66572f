// Shape rules shared by the verifiers and the lowering, against values derived by hand from
// the ONNX operator specs (Conv/MaxPool output size, numpy broadcasting).
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include <gtest/gtest.h>

using mlir::qcc::broadcastShapes;
using mlir::qcc::windowOutputSize;

TEST(WindowOutputSize, FloorMode) {
  // 224 input, 3x3, stride 2, pad 1: floor((224 + 2 - 3) / 2) + 1 = 112.
  EXPECT_EQ(windowOutputSize(224, 3, 2, 1, 1, 1, false), 112);
  // 7x7, kernel 7, no pad: 1.
  EXPECT_EQ(windowOutputSize(7, 7, 1, 0, 0, 1, false), 1);
  // Dilation 2 makes a 3-tap kernel span 5: (10 - 5) / 1 + 1 = 6.
  EXPECT_EQ(windowOutputSize(10, 3, 1, 0, 0, 2, false), 6);
  // Kernel larger than the padded input: empty.
  EXPECT_EQ(windowOutputSize(2, 5, 1, 0, 0, 1, false), 0);
}

TEST(WindowOutputSize, CeilMode) {
  // 6 input, kernel 3, stride 2: floor gives 2, ceil gives ceil(3/2)+1 = 3.
  EXPECT_EQ(windowOutputSize(6, 3, 2, 0, 0, 1, false), 2);
  EXPECT_EQ(windowOutputSize(6, 3, 2, 0, 0, 1, true), 3);
  // 5 input, kernel 2, stride 2, pad 1 at the end: ceil((5+1-2)/2)+1 = 3; the third window
  // starts at 4 < 5, kept.
  EXPECT_EQ(windowOutputSize(5, 2, 2, 0, 1, 1, true), 3);
  // 4 input, kernel 1, stride 2, pad end 1: ceil(4/2)+1 = 3 windows, but the last starts at
  // 4 >= 4 + 0 (inside the end padding), so it is dropped.
  EXPECT_EQ(windowOutputSize(4, 1, 2, 0, 1, 1, true), 2);
}

TEST(BroadcastShapes, Numpy) {
  auto r = broadcastShapes({1, 8, 4, 4}, {8, 1, 1});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, (llvm::SmallVector<int64_t>{1, 8, 4, 4}));
  r = broadcastShapes({3, 1}, {1, 5});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, (llvm::SmallVector<int64_t>{3, 5}));
  r = broadcastShapes({}, {2, 2});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, (llvm::SmallVector<int64_t>{2, 2}));
  EXPECT_FALSE(broadcastShapes({3}, {4}).has_value());
  EXPECT_FALSE(broadcastShapes({2, 3}, {3, 3}).has_value());
}
