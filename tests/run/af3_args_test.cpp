#include "foldfit/run/af3_args.hpp"

#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"

namespace foldfit {
namespace {

TEST(Af3Args, AbslSyntax) {
  Af3Args a = Af3Args::parse({"--model_dir", "/m", "--num_seeds=3", "--save_embeddings", "--norun_data_pipeline",
                              "--db_dir=/a", "--db_dir", "/b", "--resolve_msa_overlaps=False"});
  EXPECT_EQ(a.value("model_dir"), "/m");
  EXPECT_EQ(a.integer("num_seeds", 1, 100), 3);
  EXPECT_TRUE(a.boolean("save_embeddings"));
  EXPECT_FALSE(a.boolean("run_data_pipeline"));
  EXPECT_FALSE(a.boolean("resolve_msa_overlaps"));
  EXPECT_TRUE(a.boolean("save_terms_of_use"));  // run_alphafold.py's default
  EXPECT_FALSE(a.given("save_terms_of_use"));
  EXPECT_EQ(a.values("db_dir"), (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(a.argv_without({"num_seeds", "db_dir", "run_data_pipeline"}),
            (std::vector<std::string>{"--model_dir=/m", "--save_embeddings=true", "--resolve_msa_overlaps=false"}));
}

TEST(Af3Args, Errors) {
  try {
    Af3Args::parse({"--num_diffusion_sample=3"});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "unknown flag --num_diffusion_sample: neither foldfit's nor run_alphafold.py's (did you mean "
                 "--num_diffusion_samples?)");
  }
  EXPECT_THROW(Af3Args::parse({"--model_dir"}), UsageError);
  EXPECT_THROW(Af3Args::parse({"--save_distogram=maybe"}), UsageError);
  EXPECT_THROW(Af3Args::parse({"stray"}), UsageError);
  EXPECT_THROW(Af3Args::parse({"--num_seeds=x"}).integer("num_seeds", 1, 10), UsageError);
}

TEST(Af3Args, TableCoversRunAlphafold) {
  EXPECT_EQ(find_af3_flag("buckets")->default_value,
            "128,256,384,512,768,1024,1280,1536,2048,2560,3072,3584,4096,4608,5120");
  EXPECT_EQ(find_af3_flag("num_diffusion_samples")->default_value, "5");
  EXPECT_EQ(find_af3_flag("flash_attention_implementation")->default_value, "triton");
  EXPECT_TRUE(find_af3_flag("flagfile")->absl_builtin);
  EXPECT_EQ(find_af3_flag("no_such_flag"), nullptr);
}

TEST(SplitCommand, ShellWordsWithoutExpansion) {
  EXPECT_EQ(split_command("python3 /app/alphafold/run_alphafold.py"),
            (std::vector<std::string>{"python3", "/app/alphafold/run_alphafold.py"}));
  EXPECT_EQ(split_command("  singularity exec --nv 'my image.sif'  python \"a \\\"b\\\" $HOME\" c\\ d "),
            (std::vector<std::string>{"singularity", "exec", "--nv", "my image.sif", "python", "a \"b\" $HOME", "c d"}));
  EXPECT_EQ(split_command("a'b'\"c\""), (std::vector<std::string>{"abc"}));
  EXPECT_THROW(split_command("python 'open"), UsageError);
  EXPECT_THROW(split_command("   "), UsageError);
}

}  // namespace
}  // namespace foldfit
