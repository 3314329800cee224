// AlphaFold 3's size specs and the memory-relevant config.
#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"
#include "foldfit/model/config.hpp"

namespace foldfit {
namespace {

TEST(SizeSpec, ParsesPythonTuples) {
  SizeSpec s = SizeSpec::parse("((2048, None), (3072, 1024), (None, 512))");
  ASSERT_EQ(s.entries.size(), 3u);
  EXPECT_EQ(s.to_string(), "((2048, None), (3072, 1024), (None, 512))");
  EXPECT_EQ(SizeSpec::parse(" ( (1536,128) , (None,32), ) "), default_pair_attention_chunk_size());
  EXPECT_EQ(default_pair_transition_shard_spec().to_string(), "((2048, None), (None, 1024))");
}

// As modules.get_shard_size: first bound that is None or >= N.
TEST(SizeSpec, ValueForFollowsAf3) {
  SizeSpec s = SizeSpec::parse("((2048, None), (3072, 1024), (None, 512))");
  EXPECT_EQ(s.value_for(2048), std::nullopt);
  EXPECT_EQ(s.value_for(2049), 1024);
  EXPECT_EQ(s.value_for(3072), 1024);
  EXPECT_EQ(s.value_for(5120), 512);
  EXPECT_EQ(default_pair_attention_chunk_size().value_for(1536), 128);
  EXPECT_EQ(default_pair_attention_chunk_size().value_for(2048), 32);
  // Past every bound: the last entry's value.
  EXPECT_EQ(SizeSpec::parse("((1024, 64),)").value_for(4096), 64);
}

TEST(SizeSpec, BadSyntaxIsAUsageError) {
  EXPECT_THROW(SizeSpec::parse("((2048, None)"), UsageError);
  EXPECT_THROW(SizeSpec::parse("((2048, Nothing))"), UsageError);
  EXPECT_THROW(SizeSpec::parse("()"), UsageError);
  EXPECT_THROW(SizeSpec::parse("((0, 1))"), UsageError);
  try {
    SizeSpec::parse("[2048]");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "bad size spec '[2048]': expected '(' at offset 0 (expected Python tuple syntax, e.g. ((2048, None), "
              "(None, 1024)))");
  }
}

// Recycles, seeds, chains, MSA depth and templates do not change peak memory, so the config
// has no place for them: exactly these nine settings plus the GLU's origin (a structured
// binding of any other count does not compile).
TEST(ModelConfig, HoldsOnlyMemoryRelevantSettings) {
  ModelConfig c;
  auto& [n, samples, flash, shard, chunk, embeddings, distogram, bfloat16, glu, glu_origin] = c;
  EXPECT_EQ(n, 0);
  EXPECT_EQ(samples, 5);
  EXPECT_EQ(flash, "triton");
  EXPECT_EQ(shard, default_pair_transition_shard_spec());
  EXPECT_EQ(chunk, default_pair_attention_chunk_size());
  EXPECT_FALSE(embeddings);
  EXPECT_FALSE(distogram);
  EXPECT_EQ(bfloat16, "all");
  EXPECT_EQ(glu, "fused");
  EXPECT_EQ(glu_origin, "");
}

}  // namespace
}  // namespace foldfit

namespace foldfit {
namespace {

TEST(SizeSpecText, OneEntryKeepsPythonsTupleComma) {
  SizeSpec s = SizeSpec::parse("((None, 64),)");
  EXPECT_EQ(s.to_string(), "((None, 64),)");
  EXPECT_EQ(SizeSpec::parse(s.to_string()), s);
  EXPECT_EQ(SizeSpec::parse("((2048, None), (None, 1024))").to_string(), "((2048, None), (None, 1024))");
}

}  // namespace
}  // namespace foldfit
