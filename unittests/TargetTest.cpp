#include "qcc/Target/Target.h"
#include <gtest/gtest.h>

TEST(Targets, KnownNamesResolve) {
  for (const char *name : {"x86_64", "x86_64-v3", "x86_64-v4", "aarch64-rpi4", "aarch64-rpi5",
                           "aarch64", "host"})
    EXPECT_TRUE(mlir::qcc::lookupTarget(name).has_value()) << name;
}

TEST(Targets, RaspberryPi4IsCortexA72WithoutDotProduct) {
  auto t = mlir::qcc::lookupTarget("aarch64-rpi4");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->cpu, "cortex-a72");
  EXPECT_NE(t->triple.find("aarch64"), std::string::npos);
  EXPECT_EQ(t->features.find("dotprod"), std::string::npos);
  auto t5 = mlir::qcc::lookupTarget("aarch64-rpi5");
  ASSERT_TRUE(t5.has_value());
  EXPECT_NE(t5->features.find("+dotprod"), std::string::npos);
}

TEST(Targets, UnknownNameIsRejected) {
  EXPECT_FALSE(mlir::qcc::lookupTarget("riscv64").has_value());
  EXPECT_FALSE(mlir::qcc::lookupTarget("").has_value());
  EXPECT_NE(mlir::qcc::knownTargetNames().find("aarch64-rpi4"), std::string::npos);
}
