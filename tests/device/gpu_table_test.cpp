// The built-in GPU table: every card the brief of the device module names, memory as
// drivers report it, and the name forms users and NVML spell.
#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"
#include "foldfit/device/gpu_table.hpp"

namespace foldfit {
namespace {

constexpr std::int64_t kMiB = std::int64_t{1} << 20;

TEST(GpuTable, EveryRequiredGpuIsPresent) {
  for (const char* name : {"V100-16GB", "V100-32GB", "P100-16GB", "T4", "A10", "A30", "A40", "A100-40GB",
                           "A100-80GB", "L4", "L40S", "RTX-3090", "RTX-4090", "RTX-5090", "RTX-A6000",
                           "RTX-6000-Ada", "RTX-PRO-6000", "H100-80GB", "H100-94GB", "H200", "B200"}) {
    const GpuSpec* g = find_gpu(name);
    ASSERT_NE(g, nullptr) << name;
    EXPECT_EQ(g->name, name);
  }
}

TEST(GpuTable, MemoryIsWhatTheDriverReports) {
  EXPECT_EQ(find_gpu("H100-80GB")->memory.count(), 81559 * kMiB);
  EXPECT_NEAR(find_gpu("H100-80GB")->memory.gb(), 85.52, 0.01);
  EXPECT_EQ(find_gpu("A100-80GB")->memory.count(), 81920 * kMiB);
  EXPECT_EQ(find_gpu("A100-40GB")->memory.count(), 40960 * kMiB);
  EXPECT_EQ(find_gpu("H200")->memory.count(), 143771 * kMiB);
  EXPECT_EQ(find_gpu("V100-16GB")->memory.count(), 16160 * kMiB);
}

TEST(GpuTable, EveryRowIsSane) {
  ASSERT_GE(gpu_table().size(), 21u);
  for (const GpuSpec& g : gpu_table()) {
    SCOPED_TRACE(g.name);
    // Between the smallest (T4, 15 GiB) and the largest (B200) card in the table.
    EXPECT_GT(g.memory.gib(), 14.0);
    EXPECT_LT(g.memory.gib(), 200.0);
    EXPECT_EQ(g.memory.count() % kMiB, 0);
    EXPECT_GE(g.cc_major, 6);
    EXPECT_GT(g.bf16_tflops, 10);
    EXPECT_GT(g.bandwidth_gbs, 250);
    EXPECT_FALSE(g.origin.empty());
    EXPECT_FALSE(g.memory_origin.empty());
    EXPECT_FALSE(g.architecture.empty());
    EXPECT_EQ(g.full_name, g.nvml_names.front());
    // A name that carries a size ("A100-40GB") agrees with the memory: drivers report
    // 3-8% more bytes than the marketing GB (they count MiB; 40 "GB" = 40,960 MiB).
    auto at = g.name.find("GB");
    if (at != std::string::npos) {
      auto dash = g.name.rfind('-', at);
      double named_gb = std::stod(g.name.substr(dash + 1, at - dash - 1));
      EXPECT_NEAR(g.memory.gb() / named_gb, 1.03, 0.1);
    }
  }
}

TEST(GpuTable, ComputeCapabilityAndArchitecture) {
  EXPECT_EQ(find_gpu("V100-16GB")->cc_major, 7);
  EXPECT_EQ(find_gpu("V100-16GB")->architecture, "volta");
  EXPECT_EQ(find_gpu("T4")->cc_minor, 5);
  EXPECT_EQ(find_gpu("P100-16GB")->cc_major, 6);
  EXPECT_EQ(find_gpu("A10")->cc_minor, 6);
  EXPECT_EQ(find_gpu("H100-80GB")->architecture, "hopper");
  EXPECT_EQ(find_gpu("RTX-5090")->cc_major, 12);
  EXPECT_EQ(find_gpu("B200")->cc_major, 10);
}

TEST(GpuTable, NameEquivalences) {
  const GpuSpec* h100 = find_gpu("H100-80GB");
  for (const char* form : {"h100_80gb", "H100 80GB", "h100-80GB", "  H100--80gb ", "NVIDIA H100 80GB HBM3",
                           "nvidia_h100_80gb_hbm3", "NVIDIA H100 PCIe"})
    EXPECT_EQ(find_gpu(form), h100) << form;
  EXPECT_EQ(find_gpu("NVIDIA A100-SXM4-40GB"), find_gpu("A100-40GB"));
  EXPECT_EQ(find_gpu("NVIDIA A100 80GB PCIe"), find_gpu("A100-80GB"));
  EXPECT_EQ(find_gpu("Tesla V100-SXM2-16GB"), find_gpu("V100-16GB"));
  EXPECT_EQ(find_gpu("Tesla V100S-PCIE-32GB"), find_gpu("V100-32GB"));
  EXPECT_EQ(find_gpu("NVIDIA GeForce RTX 4090"), find_gpu("RTX-4090"));
  EXPECT_EQ(find_gpu("rtx 4090"), find_gpu("RTX-4090"));
  EXPECT_EQ(find_gpu("NVIDIA RTX 6000 Ada Generation"), find_gpu("RTX-6000-Ada"));
  EXPECT_EQ(find_gpu("NVIDIA RTX PRO 6000 Blackwell Server Edition"), find_gpu("RTX-PRO-6000"));
  EXPECT_EQ(find_gpu("NVIDIA H100 NVL"), find_gpu("H100-94GB"));
  EXPECT_EQ(find_gpu("Tesla T4"), find_gpu("T4"));
  EXPECT_EQ(find_gpu("l40s"), find_gpu("L40S"));
}

TEST(GpuTable, UnknownNamesAreNull) {
  EXPECT_EQ(find_gpu(""), nullptr);
  EXPECT_EQ(find_gpu("A100"), nullptr);  // ambiguous: 40 or 80 GB
  EXPECT_EQ(find_gpu("H100-80"), nullptr);
  EXPECT_EQ(find_gpu("NVIDIA A100-SXM4-40GB MIG 3g.20gb"), nullptr);
  EXPECT_EQ(find_gpu("Radeon MI300X"), nullptr);
}

TEST(GpuTable, CloseNames) {
  EXPECT_EQ(close_gpu_names("A100"), (std::vector<std::string>{"A100-40GB", "A100-80GB"}));
  EXPECT_EQ(close_gpu_names("H100-80"), (std::vector<std::string>{"H100-80GB"}));
  EXPECT_EQ(close_gpu_names("L40"), (std::vector<std::string>{"L40S"}));
  auto typo = close_gpu_names("A100-80BG");
  ASSERT_FALSE(typo.empty());
  EXPECT_EQ(typo.front(), "A100-80GB");
  EXPECT_LE(close_gpu_names("V100").size(), 3u);
  EXPECT_TRUE(close_gpu_names("Radeon MI300X").empty());
}

TEST(GpuTable, ParseErrorsNameTheLine) {
  const std::string header = "name\tnvml_names\tmemory_mib\tmemory_origin\tcc\tarchitecture\tbf16_tflops\tbandwidth_gbs\tspec_origin\n";
  try {
    parse_gpu_table(header + "X\tNVIDIA X\t1000x\tsmi\t8.0\tampere\t1\t1\tsheet\n", "g.tsv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "g.tsv:2: column memory_mib: '1000x' is not a non-negative number");
  }
  try {
    parse_gpu_table(header + "# c\nX\tNVIDIA X\t16384\tsmi\t8\tampere\t1\t1\tsheet\n", "g.tsv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "g.tsv:3: column cc: '8' is not a compute capability like 8.6");
  }
  EXPECT_THROW(parse_gpu_table(header + "X\tNVIDIA X\t16384\n", "g.tsv"), InputError);
  EXPECT_THROW(parse_gpu_table("", "g.tsv"), InputError);
  auto ok = parse_gpu_table(header + "X\tNVIDIA X;NVIDIA X2\t16384\tsmi\t8.6\tampere\t1.5\t2\tsheet\n", "g.tsv");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0].memory.count(), 16384 * kMiB);
  EXPECT_EQ(ok[0].nvml_names.size(), 2u);
  EXPECT_EQ(ok[0].cc_minor, 6);
}

}  // namespace
}  // namespace foldfit
