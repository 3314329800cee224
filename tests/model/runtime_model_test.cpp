// The runtime model: the documented timings reproduced, and the documented scalings.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "foldfit/common/error.hpp"
#include "foldfit/model/runtime_model.hpp"

namespace foldfit {
namespace {

GpuSpec gpu(const std::string& name, double tflops, double bandwidth) {
  GpuSpec g;
  g.name = name;
  g.bf16_tflops = tflops;
  g.bandwidth_gbs = bandwidth;
  return g;
}

const GpuSpec kA100 = gpu("A100-80GB", 312, 2039);
const GpuSpec kH100 = gpu("H100-80GB", 989, 3350);

TEST(RuntimeModel, ReproducesTheDocumentedTimingsExactly) {
  ASSERT_EQ(runtime_anchors().size(), 10u);
  const std::map<std::int64_t, std::pair<double, double>> documented = {
      {1024, {62, 34}}, {2048, {275, 144}}, {3072, {703, 367}}, {4096, {1434, 774}}, {5120, {2547, 1416}}};
  for (const auto& [n, seconds] : documented) {
    RuntimeEstimate a = estimate_runtime({n, 10, 5, 1, 0}, kA100);
    RuntimeEstimate h = estimate_runtime({n, 10, 5, 1, 0}, kH100);
    EXPECT_NEAR(a.seconds, seconds.first, 1e-9) << n;
    EXPECT_NEAR(h.seconds, seconds.second, 1e-9) << n;
    EXPECT_LT(a.low, a.seconds);
    EXPECT_GT(a.high, a.seconds);
    EXPECT_NE(a.origin.find("docs/performance.md"), std::string::npos);
  }
}

TEST(RuntimeModel, PowerLawBetweenAndBeyondTheAnchors) {
  // Between 1024 (62 s) and 2048 (275 s): the geometric mean at the geometric mean of N.
  EXPECT_NEAR(estimate_runtime({1448, 10, 5, 1, 0}, kA100).seconds, std::sqrt(62.0 * 275.0), 0.2);
  double prev = 0;
  for (std::int64_t n : {128, 256, 512, 1024, 1536, 2048, 3072, 4096, 5120, 6144}) {
    RuntimeEstimate e = estimate_runtime({n, 10, 5, 1, 0}, kA100);
    EXPECT_GT(e.seconds, prev) << n;
    prev = e.seconds;
  }
  // Beyond 5120 the last slope continues, and the band widens.
  RuntimeEstimate e = estimate_runtime({10240, 10, 5, 1, 0}, kA100);
  const double slope = std::log(2547.0 / 1434.0) / std::log(5120.0 / 4096.0);
  EXPECT_NEAR(e.seconds, 2547.0 * std::pow(2.0, slope), 1e-6);
  EXPECT_NE(e.origin.find("extrapolated"), std::string::npos);
  EXPECT_GT(e.high / e.seconds, 1.3);
}

TEST(RuntimeModel, RecyclesSamplesSeedsAndSpill) {
  const RuntimeEstimate base = estimate_runtime({2048, 10, 5, 1, 0}, kH100);
  // Trunk share 0.65 (data/runtime_model.json): 1 recycle -> 0.65 * 2/11 + 0.35.
  EXPECT_NEAR(estimate_runtime({2048, 1, 5, 1, 0}, kH100).seconds, base.seconds * (0.65 * 2 / 11 + 0.35), 1e-9);
  // Samples scale the non-trunk part.
  EXPECT_NEAR(estimate_runtime({2048, 10, 10, 1, 0}, kH100).seconds, base.seconds * (0.65 + 0.35 * 2), 1e-9);
  EXPECT_NEAR(estimate_runtime({2048, 10, 1, 1, 0}, kH100).seconds, base.seconds * (0.65 + 0.35 / 5), 1e-9);
  // Seeds run one after another.
  EXPECT_NEAR(estimate_runtime({2048, 10, 5, 3, 0}, kH100).seconds, 3 * base.seconds, 1e-9);
  // Unified memory: x (1 + 2 * spilled fraction), with a wider band.
  RuntimeEstimate spilled = estimate_runtime({2048, 10, 5, 1, 0.25}, kH100);
  EXPECT_NEAR(spilled.seconds, base.seconds * 1.5, 1e-9);
  EXPECT_GT(spilled.high / spilled.seconds, base.high / base.seconds);
  // The trunk-share assumption shows in the band when recycles differ.
  RuntimeEstimate one = estimate_runtime({2048, 1, 5, 1, 0}, kH100);
  EXPECT_GT(one.high / one.seconds, base.high / base.seconds);
  EXPECT_NE(one.origin.find("trunk share"), std::string::npos);
}

TEST(RuntimeModel, OtherGpusScaleByThroughput) {
  // A GPU between the anchors in throughput lands between their times.
  RuntimeEstimate mid = estimate_runtime({3072, 10, 5, 1, 0}, gpu("H100-PCIe", 756, 2000));
  EXPECT_GT(mid.seconds, 367);
  EXPECT_LT(mid.seconds, 703);
  EXPECT_NE(mid.origin.find("throughput-ratio assumption"), std::string::npos);
  // Slower than an A100: slower than the A100's documented time, band includes the plain ratio.
  RuntimeEstimate slow = estimate_runtime({3072, 10, 5, 1, 0}, gpu("V100-16GB", 125, 900));
  EXPECT_GT(slow.seconds, 703);
  EXPECT_GE(slow.high, 703 * 312.0 / 125.0);
  EXPECT_THROW(estimate_runtime({3072, 10, 5, 1, 0}, gpu("Mystery", 0, 0)), UsageError);
  EXPECT_THROW(estimate_runtime({0, 10, 5, 1, 0}, kA100), UsageError);
  EXPECT_THROW(estimate_runtime({1024, 10, 5, 1, 1.5}, kA100), UsageError);
}

}  // namespace
}  // namespace foldfit
