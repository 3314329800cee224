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

TEST(Launch, FlagsAndEnvironment) {
  LaunchConfig c;
  c.num_diffusion_samples = 5;
  c.sample_runs = 2;
  c.flash_attention = "xla";
  c.mem_fraction = 0.95;
  c.xla_flags = "--xla_gpu_enable_triton_gemm=false";
  LaunchRequest r = request();
  r.compilation_cache_dir = "/cache";
  r.force_output_dir = true;
  LaunchCommand cmd = build_launch(c, r);
  EXPECT_EQ(cmd.argv, (std::vector<std::string>{
                          "python3", "/app/alphafold/run_alphafold.py", "--model_dir=/models", "--json_path=/in/job.json",
                          "--output_dir=/out", "--flash_attention_implementation=xla", "--num_diffusion_samples=3",
                          "--num_recycles=10", "--save_embeddings=false", "--save_distogram=false",
                          "--jax_compilation_cache_dir=/cache", "--force_output_dir=true"}));
  EXPECT_EQ(cmd.environment.at("XLA_CLIENT_MEM_FRACTION"), "0.95");
  EXPECT_EQ(cmd.environment.at("XLA_PYTHON_CLIENT_MEM_FRACTION"), "0.95");
  EXPECT_EQ(cmd.environment.at("XLA_PYTHON_CLIENT_PREALLOCATE"), "true");
  EXPECT_EQ(cmd.environment.count("TF_FORCE_UNIFIED_MEMORY"), 0u);
  EXPECT_EQ(cmd.environment.count("FOLDFIT_AF3_CONFIG"), 0u);
  EXPECT_EQ(cmd.set_by_foldfit.at("XLA_PYTHON_CLIENT_MEM_FRACTION"), "0.95");
  EXPECT_EQ(cmd.set_by_foldfit.count("PATH"), 0u);
}

TEST(Launch, AdapterWrapsTheScript) {
  LaunchConfig c;
  c.pair_transition_shard_spec = "((2048, None), (3072, 1024), (None, 512))";
  c.unified_memory = true;
  c.preallocate = false;
  c.mem_fraction = 3.2;
  c.buckets = "256,512";
  LaunchCommand cmd = build_launch(c, request());
  ASSERT_GE(cmd.argv.size(), 3u);
  EXPECT_EQ(cmd.argv[0], "python3");
  EXPECT_EQ(cmd.argv[1], "/out/.foldfit/foldfit_af3_adapter.py");
  EXPECT_EQ(cmd.argv[2], "/app/alphafold/run_alphafold.py");
  EXPECT_NE(std::find(cmd.argv.begin(), cmd.argv.end(), "--buckets=256,512"), cmd.argv.end());
  EXPECT_EQ(cmd.environment.at("FOLDFIT_AF3_CONFIG"),
            R"j({"pair_transition_shard_spec":"((2048, None), (3072, 1024), (None, 512))"})j");
  EXPECT_EQ(cmd.environment.at("TF_FORCE_UNIFIED_MEMORY"), "true");
  EXPECT_EQ(cmd.environment.at("XLA_PYTHON_CLIENT_PREALLOCATE"), "false");
}

TEST(Launch, AdapterNeedsAScriptPath) {
  LaunchConfig c;
  c.pair_attention_chunk_size = "((None, 64),)";
  LaunchRequest r = request();
  r.af3_command = {"af3-wrapper", "--gpu"};
  EXPECT_THROW(build_launch(c, r), UsageError);
}

TEST(Launch, UserConfigFromFlagsAndEnvironment) {
  Af3Args a = Af3Args::parse({"--num_diffusion_samples=3", "--flash_attention_implementation", "cudnn"});
  UserConfig u = user_config(a, {{"XLA_PYTHON_CLIENT_MEM_FRACTION", "0.9"}, {"XLA_PYTHON_CLIENT_PREALLOCATE", "false"}});
  EXPECT_EQ(u.config.num_diffusion_samples, 3);
  EXPECT_EQ(u.config.flash_attention, "cudnn");
  EXPECT_EQ(u.config.mem_fraction, 0.9);
  EXPECT_FALSE(u.config.preallocate);
  EXPECT_EQ(u.user_set, (std::set<std::string>{"num_diffusion_samples", "flash_attention_implementation",
                                               "XLA_CLIENT_MEM_FRACTION", "XLA_PYTHON_CLIENT_PREALLOCATE"}));
  EXPECT_THROW(user_config(a, {{"XLA_CLIENT_MEM_FRACTION", "lots"}}), UsageError);
  EXPECT_THROW(user_config(Af3Args::parse({"--flash_attention_implementation=flash"}), {}), UsageError);
}

TEST(Launch, ConfigJsonRoundTripAndDifferences) {
  LaunchConfig c;
  c.num_diffusion_samples = 4;
  c.sample_runs = 2;
  c.mem_fraction = 0.95;
  c.pair_attention_chunk_size = "((None, 64),)";
  EXPECT_EQ(LaunchConfig::from_json(nlohmann::json::parse(c.to_json().dump()), "test"), c);
  auto d = config_differences(LaunchConfig{}, c);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].setting, "num_diffusion_samples");
  EXPECT_EQ(d[0].from, "5");
  EXPECT_EQ(d[0].to, "4");
  EXPECT_EQ(d[2].setting, "pair_attention_chunk_size");
  EXPECT_EQ(d[2].from, "AlphaFold 3's default");
  EXPECT_EQ(d[3].from, "unset (0.75)");
  EXPECT_THROW(LaunchConfig::from_json(nlohmann::json::parse(R"({"sample_runs": 9})"), "test"), InputError);
  EXPECT_THROW(LaunchConfig::from_json(nlohmann::json::parse(R"({"num_recycles": "ten"})"), "test"), InputError);
}

TEST(Launch, FindsTheCommandInTheEnvironment) {
  std::vector<std::string> tried;
  EXPECT_EQ(find_af3_command({{"FOLDFIT_AF3_COMMAND", "python3 /x/run_alphafold.py"}}, &tried), "python3 /x/run_alphafold.py");
  EXPECT_EQ(find_af3_command({{"PATH", "/nonexistent"}}, &tried).has_value(), std::filesystem::exists("/app/alphafold/run_alphafold.py"));
}

}  // namespace
}  // namespace foldfit
