#include "foldfit/run/launch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "foldfit/common/error.hpp"

namespace foldfit {
namespace {

LaunchRequest request() {
  LaunchRequest r;
  r.af3_command = {"python3", "/app/alphafold/run_alphafold.py"};
  r.adapter_path = "/out/.foldfit/foldfit_af3_adapter.py";
  r.json_path = "/in/job.json";
  r.output_dir = "/out";
  r.passthrough = {"--model_dir=/models"};
  r.environment = {{"PATH", "/usr/bin"}, {"XLA_PYTHON_CLIENT_MEM_FRACTION", "0.5"}};
  return r;
}

TEST(Launch, FlagsAndOnlyThePlansEnvironment) {
  RunSettings c;
  c.num_diffusion_samples = {5, Origin::default_value};
  c.sample_runs = {2, Origin::plan};
  c.flash_attention = {"xla", Origin::flag};
  c.xla_flags = {"--xla_gpu_enable_triton_gemm=false", Origin::environment};
  LaunchRequest r = request();
  r.environment.erase("XLA_PYTHON_CLIENT_MEM_FRACTION");
  r.environment["XLA_FLAGS"] = "--xla_gpu_enable_triton_gemm=false";
  c.mem_fraction = {0.95, Origin::plan};
  r.compilation_cache_dir = "/cache";
  r.force_output_dir = true;
  LaunchCommand cmd = build_launch(c, r);
  EXPECT_EQ(cmd.argv, (std::vector<std::string>{
                          "python3", "/app/alphafold/run_alphafold.py", "--model_dir=/models", "--json_path=/in/job.json",
                          "--output_dir=/out", "--buckets=" + Buckets().to_string(),
                          "--flash_attention_implementation=xla", "--num_diffusion_samples=3", "--num_recycles=10",
                          "--save_embeddings=false", "--save_distogram=false", "--jax_compilation_cache_dir=/cache",
                          "--force_output_dir=true"}));
  // The plan's fraction under the name current jaxlib reads; never both names (a ValueError).
  EXPECT_EQ(cmd.environment.at("XLA_CLIENT_MEM_FRACTION"), "0.95");
  EXPECT_EQ(cmd.environment.count("XLA_PYTHON_CLIENT_MEM_FRACTION"), 0u);
  // JAX's defaults stay unset; the user's variables stay as they are.
  EXPECT_EQ(cmd.environment.count("XLA_PYTHON_CLIENT_PREALLOCATE"), 0u);
  EXPECT_EQ(cmd.environment.count("TF_FORCE_UNIFIED_MEMORY"), 0u);
  EXPECT_EQ(cmd.environment.at("XLA_FLAGS"), "--xla_gpu_enable_triton_gemm=false");
  EXPECT_EQ(cmd.environment.count("FOLDFIT_AF3_CONFIG"), 0u);
  EXPECT_EQ(cmd.set_by_foldfit, (std::map<std::string, std::string>{{"XLA_CLIENT_MEM_FRACTION", "0.95"}}));
}

TEST(Launch, UserEnvironmentIsNeverRewritten) {
  // XLA_PYTHON_CLIENT_PREALLOCATE=yes is on for jaxlib and for foldfit: it reaches
  // AlphaFold 3 as the user wrote it.
  LaunchRequest r = request();
  r.environment["XLA_PYTHON_CLIENT_PREALLOCATE"] = "yes";
  RunSettings c;
  c.preallocate = {true, Origin::environment};
  c.mem_fraction = {0.5, Origin::environment};
  c.mem_fraction_variable = "XLA_PYTHON_CLIENT_MEM_FRACTION";
  LaunchCommand cmd = build_launch(c, r);
  EXPECT_EQ(cmd.environment.at("XLA_PYTHON_CLIENT_PREALLOCATE"), "yes");
  EXPECT_EQ(cmd.environment.at("XLA_PYTHON_CLIENT_MEM_FRACTION"), "0.5");
  EXPECT_EQ(cmd.environment.count("XLA_CLIENT_MEM_FRACTION"), 0u);
  EXPECT_TRUE(cmd.set_by_foldfit.empty());
}

TEST(Launch, AdapterWrapsTheScriptAndCarriesEveryField) {
  RunSettings c;
  c.pair_transition_shard_spec = {SizeSpec::parse("((2048, None), (3072, 1024), (None, 512))"), Origin::plan};
  c.bfloat16 = {"none", Origin::flag};
  c.unified_memory = {true, Origin::plan};
  c.preallocate = {false, Origin::plan};
  c.mem_fraction = {3.2, Origin::plan};
  c.buckets = {Buckets::parse("256,512"), Origin::flag};
  LaunchCommand cmd = build_launch(c, request());
  ASSERT_GE(cmd.argv.size(), 3u);
  EXPECT_EQ(cmd.argv[0], "python3");
  EXPECT_EQ(cmd.argv[1], "/out/.foldfit/foldfit_af3_adapter.py");
  EXPECT_EQ(cmd.argv[2], "/app/alphafold/run_alphafold.py");
  EXPECT_NE(std::find(cmd.argv.begin(), cmd.argv.end(), "--buckets=256,512"), cmd.argv.end());
  EXPECT_EQ(cmd.environment.at("FOLDFIT_AF3_CONFIG"),
            R"j({"pair_transition_shard_spec":"((2048, None), (3072, 1024), (None, 512))","bfloat16":"none"})j");
  EXPECT_EQ(cmd.environment.at("TF_FORCE_UNIFIED_MEMORY"), "true");
  EXPECT_EQ(cmd.environment.at("XLA_PYTHON_CLIENT_PREALLOCATE"), "false");
  EXPECT_EQ(cmd.environment.at("XLA_CLIENT_MEM_FRACTION"), "3.2");
  // The user's deprecated variable would make jaxlib refuse both: foldfit removes it.
  EXPECT_EQ(cmd.environment.count("XLA_PYTHON_CLIENT_MEM_FRACTION"), 0u);
}

TEST(Launch, AdapterNeedsAScriptPath) {
  RunSettings c;
  c.pair_attention_chunk_size = {SizeSpec::parse("((None, 64),)"), Origin::plan};
  LaunchRequest r = request();
  r.af3_command = {"af3-wrapper", "--gpu"};
  EXPECT_THROW(build_launch(c, r), UsageError);
}

TEST(Launch, FindsTheCommandInTheEnvironment) {
  std::vector<std::string> tried;
  EXPECT_EQ(find_af3_command({{"FOLDFIT_AF3_COMMAND", "python3 /x/run_alphafold.py"}}, &tried), "python3 /x/run_alphafold.py");
  EXPECT_EQ(find_af3_command({{"PATH", "/nonexistent"}}, &tried).has_value(), std::filesystem::exists("/app/alphafold/run_alphafold.py"));
}

}  // namespace
}  // namespace foldfit
