#include "qcc/Import/ONNX/ONNXImporter.h"
#include <gtest/gtest.h>

TEST(InputShape, Parses) {
  std::string name;
  std::vector<int64_t> shape;
  ASSERT_TRUE(mlir::qcc::parseInputShape("input:1x3x224x224", name, shape));
  EXPECT_EQ(name, "input");
  EXPECT_EQ(shape, (std::vector<int64_t>{1, 3, 224, 224}));
  // Names may contain ':' (the last one separates the shape).
  ASSERT_TRUE(mlir::qcc::parseInputShape("serving:0:8", name, shape));
  EXPECT_EQ(name, "serving:0");
  EXPECT_EQ(shape, (std::vector<int64_t>{8}));
}

TEST(InputShape, RejectsMalformed) {
  std::string name;
  std::vector<int64_t> shape;
  EXPECT_FALSE(mlir::qcc::parseInputShape("input", name, shape));
  EXPECT_FALSE(mlir::qcc::parseInputShape(":1x3", name, shape));
  EXPECT_FALSE(mlir::qcc::parseInputShape("input:1xx3", name, shape));
  EXPECT_FALSE(mlir::qcc::parseInputShape("input:1x0x3", name, shape));
  EXPECT_FALSE(mlir::qcc::parseInputShape("input:-1x3", name, shape));
}
