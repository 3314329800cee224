// The JAX/XLA environment: parsing as jaxlib/XLA parse, the budget arithmetic of XLA's
// CreateBFCAllocator, and each rule check_environment applies, with its message.
#include <cmath>
#include <limits>
#include <gtest/gtest.h>

#include "foldfit/device/environment.hpp"
#include "foldfit/device/gpu_table.hpp"

namespace foldfit {
namespace {

using S = EnvFinding::Severity;
using Env = std::map<std::string, std::string>;

const Bytes kH100 = Bytes::from_mib(81559);

// The findings of one severity about one variable ("" for the device/flag rules).
std::vector<EnvFinding> about(const std::vector<EnvFinding>& all, S s, const std::string& variable) {
  std::vector<EnvFinding> out;
  for (const auto& f : all)
    if (f.severity == s && f.variable == variable) out.push_back(f);
  return out;
}

std::vector<EnvFinding> check(const Env& env, int cc_major = 9, int cc_minor = 0, const std::string& flash = "triton",
                              Bytes total = kH100) {
  return check_environment(parse_environment(env), cc_major, cc_minor, flash, total);
}

bool has_error(const std::vector<EnvFinding>& all) {
  for (const auto& f : all)
    if (f.severity == S::error) return true;
  return false;
}

TEST(ParseEnvironment, Defaults) {
  XlaEnvironment e = parse_environment({});
  EXPECT_TRUE(e.preallocate);
  EXPECT_FALSE(e.mem_fraction);
  EXPECT_DOUBLE_EQ(e.effective_fraction(), 0.75);
  EXPECT_FALSE(e.unified_memory);
  EXPECT_TRUE(e.raw.empty());
  EXPECT_TRUE(e.invalid.empty());
}

TEST(ParseEnvironment, Af3Dockerfile) {
  XlaEnvironment e = parse_environment({{"XLA_PYTHON_CLIENT_PREALLOCATE", "true"},
                                        {"XLA_CLIENT_MEM_FRACTION", "0.95"},
                                        {"XLA_FLAGS", "--xla_gpu_enable_triton_gemm=false"},
                                        {"HOME", "/root"}});
  EXPECT_TRUE(e.preallocate);
  EXPECT_DOUBLE_EQ(*e.mem_fraction, 0.95);
  EXPECT_EQ(e.mem_fraction_variable, "XLA_CLIENT_MEM_FRACTION");
  EXPECT_EQ(e.xla_flags, "--xla_gpu_enable_triton_gemm=false");
  EXPECT_EQ(e.raw.size(), 3u);  // only the variables foldfit reads
  EXPECT_FALSE(e.disables_custom_kernel_fusion());
}

TEST(ParseEnvironment, PreallocateAsJaxlibReadsIt) {
  for (const char* off : {"false", "False", "0"})
    EXPECT_FALSE(parse_environment({{"XLA_PYTHON_CLIENT_PREALLOCATE", off}}).preallocate) << off;
  // jaxlib compares exactly: anything else, "FALSE" included, leaves preallocation on.
  for (const char* on : {"true", "TRUE", "1", "FALSE", "no", "off", ""})
    EXPECT_TRUE(parse_environment({{"XLA_PYTHON_CLIENT_PREALLOCATE", on}}).preallocate) << on;
}

TEST(ParseEnvironment, UnifiedMemoryAsXlaReadsIt) {
  for (const char* on : {"true", "TRUE", "True", "1"})
    EXPECT_TRUE(parse_environment({{"TF_FORCE_UNIFIED_MEMORY", on}}).unified_memory) << on;
  for (const char* off : {"false", "FALSE", "0"})
    EXPECT_FALSE(parse_environment({{"TF_FORCE_UNIFIED_MEMORY", off}}).unified_memory) << off;
  XlaEnvironment bad = parse_environment({{"TF_FORCE_UNIFIED_MEMORY", "yes"}});
  EXPECT_FALSE(bad.unified_memory);
  EXPECT_EQ(bad.invalid.count("TF_FORCE_UNIFIED_MEMORY"), 1u);
}

TEST(ParseEnvironment, NewFractionVariableTakesPrecedence) {
  XlaEnvironment e = parse_environment({{"XLA_CLIENT_MEM_FRACTION", "0.9"}, {"XLA_PYTHON_CLIENT_MEM_FRACTION", "0.5"}});
  EXPECT_DOUBLE_EQ(*e.mem_fraction, 0.9);
  EXPECT_EQ(e.mem_fraction_variable, "XLA_CLIENT_MEM_FRACTION");
  EXPECT_EQ(e.raw.at("XLA_PYTHON_CLIENT_MEM_FRACTION"), "0.5");
  XlaEnvironment old = parse_environment({{"XLA_PYTHON_CLIENT_MEM_FRACTION", " .5 "}});
  EXPECT_DOUBLE_EQ(*old.mem_fraction, 0.5);
  EXPECT_EQ(old.mem_fraction_variable, "XLA_PYTHON_CLIENT_MEM_FRACTION");
}

TEST(ParseEnvironment, AllocatorIsLowerCased) {
  EXPECT_EQ(parse_environment({{"XLA_PYTHON_CLIENT_ALLOCATOR", "PLATFORM"}}).allocator, "platform");
  EXPECT_EQ(parse_environment({{"XLA_PYTHON_CLIENT_ALLOCATOR", "arena"}}).invalid.count("XLA_PYTHON_CLIENT_ALLOCATOR"),
            1u);
}

TEST(MemoryBudget, FractionOfTotal) {
  // An 80 GB H100 (81,559 MiB as the driver reports it) at AF3's 0.95.
  MemoryBudget b = memory_budget(parse_environment({{"XLA_CLIENT_MEM_FRACTION", "0.95"}}), kH100);
  EXPECT_EQ(b.device_total, kH100);
  EXPECT_EQ(b.pool.count(), static_cast<std::int64_t>(static_cast<double>(kH100.count()) * 0.95));
  EXPECT_NEAR(b.pool.gb(), 81.24, 0.01);
  EXPECT_EQ(b.host_spill.count(), 0);
  EXPECT_EQ(b.origin, "total x fraction = total x 0.95 (XLA_CLIENT_MEM_FRACTION=0.95; XLA CreateBFCAllocator)");
}

TEST(MemoryBudget, JaxDefault) {
  Bytes a100 = find_gpu("A100-40GB")->memory;
  MemoryBudget b = memory_budget(parse_environment({}), a100);
  EXPECT_EQ(b.pool.count(), a100.count() / 4 * 3);
  EXPECT_NE(b.origin.find("JAX's default fraction 0.75"), std::string::npos);
}

TEST(MemoryBudget, UnifiedMemorySpillsToHost) {
  Bytes a100 = find_gpu("A100-40GB")->memory;
  MemoryBudget b = memory_budget(parse_environment({{"TF_FORCE_UNIFIED_MEMORY", "true"},
                                                    {"XLA_PYTHON_CLIENT_PREALLOCATE", "false"},
                                                    {"XLA_CLIENT_MEM_FRACTION", "3.2"}}),
                                 a100);
  EXPECT_EQ(b.pool, a100.scaled(3.2));
  EXPECT_EQ(b.host_spill, a100.scaled(3.2) - a100);
  EXPECT_NEAR(static_cast<double>(b.host_spill.count()) / static_cast<double>(a100.count()), 2.2, 1e-9);
  // Unified memory with a fraction below 1: the whole device, nothing on the host.
  MemoryBudget low = memory_budget(parse_environment({{"TF_FORCE_UNIFIED_MEMORY", "1"}, {"XLA_CLIENT_MEM_FRACTION", "0.5"}}), a100);
  EXPECT_EQ(low.pool, a100);
  EXPECT_EQ(low.host_spill.count(), 0);
}

TEST(MemoryBudget, AbsurdUnifiedFractionSaturatesInsteadOfOverflowing) {
  // Found by fuzzing: total x 3.2e31 does not fit in 64 bits; the budget clamps, it does not wrap.
  MemoryBudget b = memory_budget(parse_environment({{"TF_FORCE_UNIFIED_MEMORY", "true"},
                                                    {"XLA_PYTHON_CLIENT_PREALLOCATE", "false"},
                                                    {"XLA_CLIENT_MEM_FRACTION", "32222222222222222222222222222222.2"}}),
                                 kH100);
  EXPECT_EQ(b.pool.count(), std::numeric_limits<std::int64_t>::max());
  EXPECT_GT(b.host_spill.count(), 0);
  EXPECT_EQ(Bytes::from_gb(1e300).count(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(Bytes::from_gb(-1e300).count(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(Bytes(100).scaled(std::nan("")).count(), 0);
}

TEST(MemoryBudget, PreallocateOffHasTheSameCap) {
  MemoryBudget on = memory_budget(parse_environment({{"XLA_CLIENT_MEM_FRACTION", "0.9"}}), kH100);
  MemoryBudget off = memory_budget(
      parse_environment({{"XLA_CLIENT_MEM_FRACTION", "0.9"}, {"XLA_PYTHON_CLIENT_PREALLOCATE", "false"}}), kH100);
  EXPECT_EQ(on.pool, off.pool);
  EXPECT_NE(off.origin.find("grows on demand up to this cap"), std::string::npos);
}

TEST(MemoryBudget, AboveOneWithoutUnifiedIsCappedAtTheDevice) {
  MemoryBudget b = memory_budget(parse_environment({{"XLA_CLIENT_MEM_FRACTION", "1.5"}}), kH100);
  EXPECT_EQ(b.pool, kH100);
  EXPECT_EQ(b.host_spill.count(), 0);
}

TEST(MemoryBudget, PlatformAllocatorHasNoPool) {
  MemoryBudget b = memory_budget(parse_environment({{"XLA_PYTHON_CLIENT_ALLOCATOR", "platform"},
                                                    {"XLA_CLIENT_MEM_FRACTION", "0.5"}}), kH100);
  EXPECT_EQ(b.pool, kH100);
}

TEST(CheckEnvironment, Af3SettingsOnH100AreClean) {
  auto f = check({{"XLA_PYTHON_CLIENT_PREALLOCATE", "true"}, {"XLA_CLIENT_MEM_FRACTION", "0.95"}});
  EXPECT_TRUE(f.empty()) << format_findings(f);
}

TEST(CheckEnvironment, FractionAboveOneWithoutUnifiedMemory) {
  auto f = about(check({{"XLA_CLIENT_MEM_FRACTION", "1.5"}}), S::error, "XLA_CLIENT_MEM_FRACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "XLA_CLIENT_MEM_FRACTION=1.5 asks for more than the device's memory, which only unified memory can give "
            "(XLA sizes the pool as total x fraction)");
  EXPECT_EQ(f[0].fix,
            "set TF_FORCE_UNIFIED_MEMORY=true and XLA_PYTHON_CLIENT_PREALLOCATE=false to spill to host RAM "
            "(much slower), or set XLA_CLIENT_MEM_FRACTION=0.95");
}

TEST(CheckEnvironment, AlmostNoHeadroom) {
  auto f = about(check({{"XLA_CLIENT_MEM_FRACTION", "0.99"}}), S::warning, "XLA_CLIENT_MEM_FRACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "XLA_CLIENT_MEM_FRACTION=0.99 leaves less than 2% of the device outside JAX's pool for the CUDA context "
            "and library workspaces; the process can fail outside the pool");
  EXPECT_EQ(f[0].fix, "set XLA_CLIENT_MEM_FRACTION=0.95");
  EXPECT_TRUE(about(check({{"XLA_CLIENT_MEM_FRACTION", "0.98"}}), S::warning, "XLA_CLIENT_MEM_FRACTION").empty());
}

TEST(CheckEnvironment, TooLittleLeftForTheCudaContext) {
  // 0.95 of a 16 GB V100 (16,160 MiB) leaves 0.85 GB, below the ~1 GB reserve.
  Bytes v100 = find_gpu("V100-16GB")->memory;
  auto f = about(check({{"XLA_CLIENT_MEM_FRACTION", "0.95"}, {"XLA_FLAGS", "--xla_disable_hlo_passes=custom-kernel-fusion-rewriter"}},
                       7, 0, "xla", v100),
                 S::warning, "XLA_CLIENT_MEM_FRACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "XLA_CLIENT_MEM_FRACTION=0.95 leaves 0.85 GB of this 16.9 GB device outside JAX's pool, less than the "
            "~1 GB the CUDA context and library workspaces take");
  EXPECT_EQ(f[0].fix, "set XLA_CLIENT_MEM_FRACTION=0.94 or lower");
  // On an 80 GB card the same fraction leaves 4.3 GB: fine.
  EXPECT_TRUE(about(check({{"XLA_CLIENT_MEM_FRACTION", "0.95"}}), S::warning, "XLA_CLIENT_MEM_FRACTION").empty());
}

TEST(CheckEnvironment, UnsetFractionIsANote) {
  auto f = about(check({}), S::note, "XLA_CLIENT_MEM_FRACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "not set: JAX's default fraction 0.75 applies; AlphaFold 3's Dockerfile sets 0.95 (with which 5,120 "
            "tokens fit on an 80 GB A100/H100)");
  EXPECT_EQ(f[0].fix, "set XLA_CLIENT_MEM_FRACTION=0.95 for a 27% larger pool");
}

TEST(CheckEnvironment, BothFractionVariables) {
  auto f = about(check({{"XLA_CLIENT_MEM_FRACTION", "0.95"}, {"XLA_PYTHON_CLIENT_MEM_FRACTION", "0.9"}}), S::error,
                 "XLA_PYTHON_CLIENT_MEM_FRACTION");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "both XLA_CLIENT_MEM_FRACTION and the deprecated XLA_PYTHON_CLIENT_MEM_FRACTION are set: jaxlib raises "
            "ValueError and JAX does not start");
  EXPECT_EQ(f[0].fix, "unset XLA_PYTHON_CLIENT_MEM_FRACTION");
}

TEST(CheckEnvironment, UnparsableValuesNameTheVariable) {
  auto fraction = about(check({{"XLA_CLIENT_MEM_FRACTION", "95%"}}), S::error, "XLA_CLIENT_MEM_FRACTION");
  ASSERT_EQ(fraction.size(), 1u);
  EXPECT_EQ(fraction[0].message, "'95%' is not a number (jaxlib fails on float('95%'))");
  EXPECT_EQ(fraction[0].fix, "set XLA_CLIENT_MEM_FRACTION=0.95 (AlphaFold 3's setting) or unset it");

  auto zero = about(check({{"XLA_PYTHON_CLIENT_MEM_FRACTION", "0"}}), S::error, "XLA_PYTHON_CLIENT_MEM_FRACTION");
  ASSERT_EQ(zero.size(), 1u);
  EXPECT_EQ(zero[0].message, "'0' is not a fraction above 0: jaxlib passes float('0') to XLA, which sizes the pool from it");

  auto unified = about(check({{"TF_FORCE_UNIFIED_MEMORY", "on"}}), S::error, "TF_FORCE_UNIFIED_MEMORY");
  ASSERT_EQ(unified.size(), 1u);
  EXPECT_EQ(unified[0].message,
            "'on' is not a boolean: XLA accepts true, false, 1 or 0 (any case), logs 'Unable to read "
            "TF_FORCE_UNIFIED_MEMORY' and runs without unified memory");
  EXPECT_EQ(unified[0].fix, "set TF_FORCE_UNIFIED_MEMORY=true or TF_FORCE_UNIFIED_MEMORY=false");

  auto allocator = about(check({{"XLA_PYTHON_CLIENT_ALLOCATOR", "arena"}}), S::error, "XLA_PYTHON_CLIENT_ALLOCATOR");
  ASSERT_EQ(allocator.size(), 1u);
  EXPECT_EQ(allocator[0].message,
            "'arena' is not an allocator jaxlib knows (default, platform, bfc, cuda_async, vmm): JAX refuses to start");
}

TEST(CheckEnvironment, PreallocateSpelledLikeFalseIsRefused) {
  // jaxlib reads FALSE as true: what a person means as off would run with preallocation on.
  auto f = about(check({{"XLA_PYTHON_CLIENT_PREALLOCATE", "FALSE"}, {"XLA_CLIENT_MEM_FRACTION", "0.95"}}), S::error,
                 "XLA_PYTHON_CLIENT_PREALLOCATE");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "'FALSE' is not a boolean jaxlib reads as meant: jaxlib turns preallocation ON for every value other than "
            "exactly false, False or 0");
  EXPECT_EQ(f[0].fix, "set XLA_PYTHON_CLIENT_PREALLOCATE=true or XLA_PYTHON_CLIENT_PREALLOCATE=false");
  EXPECT_TRUE(about(check({{"XLA_PYTHON_CLIENT_PREALLOCATE", "TRUE"}}), S::error, "XLA_PYTHON_CLIENT_PREALLOCATE")
                  .empty());
}

TEST(CheckEnvironment, PreallocateOffIsANote) {
  auto f = about(check({{"XLA_PYTHON_CLIENT_PREALLOCATE", "false"}, {"XLA_CLIENT_MEM_FRACTION", "0.95"}}), S::note,
                 "XLA_PYTHON_CLIENT_PREALLOCATE");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message.rfind("preallocation off: the pool grows on demand up to the same cap", 0), 0u);
}

TEST(CheckEnvironment, UnifiedMemoryAsAf3DocsSetIt) {
  auto all = check({{"XLA_PYTHON_CLIENT_PREALLOCATE", "false"},
                    {"TF_FORCE_UNIFIED_MEMORY", "true"},
                    {"XLA_CLIENT_MEM_FRACTION", "3.2"}},
                   8, 0, "triton", find_gpu("A100-40GB")->memory);
  EXPECT_FALSE(has_error(all)) << format_findings(all);
  auto f = about(all, S::note, "TF_FORCE_UNIFIED_MEMORY");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "unified memory: the pool is 3.2 x the device's memory; up to 2.2 x of it spills to host RAM, which must "
            "be free, and spilled steps run much slower");
}

TEST(CheckEnvironment, UnifiedMemoryWithPreallocation) {
  auto f = about(check({{"TF_FORCE_UNIFIED_MEMORY", "true"}, {"XLA_CLIENT_MEM_FRACTION", "3.2"}}), S::warning,
                 "XLA_PYTHON_CLIENT_PREALLOCATE");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fix, "set XLA_PYTHON_CLIENT_PREALLOCATE=false");
  auto low = about(check({{"TF_FORCE_UNIFIED_MEMORY", "true"}, {"XLA_CLIENT_MEM_FRACTION", "0.9"},
                          {"XLA_PYTHON_CLIENT_PREALLOCATE", "false"}}),
                   S::note, "TF_FORCE_UNIFIED_MEMORY");
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].message,
            "unified memory with a fraction of 0.9 gives no room beyond the device: the pool is total x max(1, fraction)");
}

TEST(CheckEnvironment, ComputeCapability7NeedsTheFlagAndXla) {
  auto f = about(check({{"XLA_CLIENT_MEM_FRACTION", "0.9"}}, 7, 0, "triton", find_gpu("V100-32GB")->memory), S::error,
                 "XLA_FLAGS");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "compute capability 7.0 needs XLA_FLAGS to include --xla_disable_hlo_passes=custom-kernel-fusion-rewriter: "
            "without it outputs are silently wrong and AlphaFold 3 refuses to run");
  EXPECT_EQ(f[0].fix, "export XLA_FLAGS=\"--xla_disable_hlo_passes=custom-kernel-fusion-rewriter\"");

  auto kept = about(check({{"XLA_FLAGS", "--xla_gpu_enable_triton_gemm=false"}}, 7, 5, "xla", find_gpu("T4")->memory),
                    S::error, "XLA_FLAGS");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].fix,
            "export XLA_FLAGS=\"--xla_gpu_enable_triton_gemm=false "
            "--xla_disable_hlo_passes=custom-kernel-fusion-rewriter\"");

  auto flash = about(check({{"XLA_FLAGS", "--xla_disable_hlo_passes=custom-kernel-fusion-rewriter"}}, 7, 0, "cudnn"),
                     S::error, "");
  ASSERT_EQ(flash.size(), 1u);
  EXPECT_EQ(flash[0].message,
            "compute capability 7.0 needs --flash_attention_implementation=xla (not cudnn): AlphaFold 3 refuses to run");
  EXPECT_EQ(flash[0].fix, "pass --flash_attention_implementation=xla");

  auto ok = check({{"XLA_FLAGS", "--xla_disable_hlo_passes=custom-kernel-fusion-rewriter"},
                   {"XLA_CLIENT_MEM_FRACTION", "0.9"}},
                  7, 0, "xla", find_gpu("V100-32GB")->memory);
  EXPECT_FALSE(has_error(ok)) << format_findings(ok);
}

TEST(CheckEnvironment, BelowComputeCapability6IsUnsupported) {
  auto f = about(check({{"XLA_CLIENT_MEM_FRACTION", "0.9"}}, 5, 2, "xla"), S::error, "");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "compute capability 5.2 is below 6.0: AlphaFold 3 refuses to run");
  EXPECT_TRUE(about(check({{"XLA_CLIENT_MEM_FRACTION", "0.9"}}, 6, 0, "xla"), S::error, "").empty());
}

TEST(CheckEnvironment, PascalWithFlashKernels) {
  auto f = about(check({{"XLA_CLIENT_MEM_FRACTION", "0.9"}}, 6, 0, "triton"), S::warning, "");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "compute capability 6.0: the triton flash attention kernels need compute capability 8.0 or higher");
}

TEST(CheckEnvironment, UnknownDeviceChecksOnlyTheSettings) {
  auto f = check_environment(parse_environment({{"XLA_CLIENT_MEM_FRACTION", "0.95"}}), 0, 0, "triton");
  EXPECT_TRUE(f.empty()) << format_findings(f);
  EXPECT_TRUE(has_error(check_environment(parse_environment({{"XLA_CLIENT_MEM_FRACTION", "2"}}), 0, 0, "triton")));
}

TEST(CheckEnvironment, UnknownFlashImplementation) {
  auto f = about(check({{"XLA_CLIENT_MEM_FRACTION", "0.95"}}, 9, 0, "flash"), S::error, "");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "--flash_attention_implementation=flash is not one of triton, cudnn, xla");
}

TEST(CheckEnvironment, PlatformAllocator) {
  auto f = about(check({{"XLA_PYTHON_CLIENT_ALLOCATOR", "platform"}}), S::warning, "XLA_PYTHON_CLIENT_ALLOCATOR");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fix, "unset XLA_PYTHON_CLIENT_ALLOCATOR");
}

TEST(FormatFindings, OneParagraphEach) {
  std::vector<EnvFinding> f{{S::error, "XLA_FLAGS", "missing flag", "add it"}, {S::note, "", "a note", ""}};
  EXPECT_EQ(format_findings(f), "error: XLA_FLAGS: missing flag\n  fix: add it\nnote: a note\n");
}

}  // namespace
}  // namespace foldfit
