// glu_for: the gated linear unit AlphaFold 3 runs, from the GPU's compute capability and
// the AlphaFold 3 build.
#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"
#include "foldfit/model/glu.hpp"

namespace foldfit {
namespace {

TEST(GluFor, ComputeCapabilitySevenRunsTheXlaGlu) {
  EXPECT_EQ(glu_for(7, 0, "v3.0.4").implementation, "xla");
  EXPECT_EQ(glu_for(7, 5, "main").implementation, "xla");
  EXPECT_NE(glu_for(7, 0, "v3.0.4").why.find("compute capability 7.0"), std::string::npos);
  EXPECT_EQ(glu_for(8, 0, "v3.0.4").implementation, "fused");
  EXPECT_EQ(glu_for(9, 0, "v3.0.4").implementation, "fused");
  EXPECT_EQ(glu_for(8, 6, "3.0.1").implementation, "fused");
  EXPECT_EQ(glu_for(10, 0, "main").implementation, "fused");
}

TEST(GluFor, MainBetweenCf40461AndTokamaxRunsTheXlaGluEverywhere) {
  EXPECT_EQ(glu_for(9, 0, "main@2025-10-20").implementation, "fused");
  EXPECT_EQ(glu_for(9, 0, "main@2025-10-21").implementation, "xla");
  EXPECT_EQ(glu_for(8, 0, "main@2025-11-28").implementation, "xla");
  EXPECT_EQ(glu_for(9, 0, "main@2025-11-29").implementation, "fused");
  EXPECT_NE(glu_for(9, 0, "main@2025-11-03").why.find("cf40461"), std::string::npos);
}

TEST(GluFor, UnknownGpuOrBuildSaysSo) {
  GluChoice g = glu_for(0, 0, "");
  EXPECT_EQ(g.implementation, "fused");
  EXPECT_NE(g.why.find("not identified"), std::string::npos);
  EXPECT_NE(g.why.find("compute capability unknown"), std::string::npos);
  EXPECT_THROW(glu_for(9, 0, "v3.0"), UsageError);
  EXPECT_THROW(glu_for(9, 0, "main@2025-1-3"), UsageError);
  EXPECT_THROW(glu_for(9, 0, "latest"), UsageError);
}

}  // namespace
}  // namespace foldfit
