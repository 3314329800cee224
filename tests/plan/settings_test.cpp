// The one settings reader (flags + environment, as AlphaFold 3 and jaxlib read them) and
// the settings value's JSON form, which the history stores and reads back.
#include "foldfit/plan/read_settings.hpp"

#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"

namespace foldfit {
namespace {

std::string refusal(const std::map<std::string, std::string>& env) {
  try {
    read_settings({}, env);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ReadSettings, FlagsAndEnvironmentWithTheirOrigins) {
  RunSettings s = read_settings({{"num_diffusion_samples", "3"}, {"bfloat16", "none"}, {"save_embeddings", "true"}},
                                {{"XLA_CLIENT_MEM_FRACTION", "0.95"}, {"XLA_PYTHON_CLIENT_PREALLOCATE", "false"},
                                 {"PATH", "/usr/bin"}});
  EXPECT_EQ(s.num_diffusion_samples.value, 3);
  EXPECT_EQ(s.num_diffusion_samples.origin, Origin::flag);
  EXPECT_EQ(s.bfloat16.value, "none");
  EXPECT_TRUE(s.save_embeddings.value);
  EXPECT_DOUBLE_EQ(s.mem_fraction.value, 0.95);
  EXPECT_EQ(s.mem_fraction.origin, Origin::environment);
  EXPECT_FALSE(s.preallocate.value);
  EXPECT_EQ(s.preallocate.origin, Origin::environment);
  EXPECT_EQ(s.flash_attention.origin, Origin::default_value);
  EXPECT_EQ(s.unified_memory.origin, Origin::default_value);
  EXPECT_FALSE(s.mem_fraction.user_set() && s.unified_memory.user_set());
}

TEST(ReadSettings, PreallocateAsJaxlibReadsIt) {
  // jaxlib: on unless exactly false, False or 0; "yes" is on everywhere in foldfit too.
  EXPECT_TRUE(read_settings({}, {{"XLA_PYTHON_CLIENT_PREALLOCATE", "yes"}}).preallocate.value);
  EXPECT_TRUE(read_settings({}, {{"XLA_PYTHON_CLIENT_PREALLOCATE", "TRUE"}}).preallocate.value);
  EXPECT_FALSE(read_settings({}, {{"XLA_PYTHON_CLIENT_PREALLOCATE", "0"}}).preallocate.value);
  // Empty: unset.
  EXPECT_EQ(read_settings({}, {{"XLA_PYTHON_CLIENT_PREALLOCATE", ""}}).preallocate.origin, Origin::default_value);
}

TEST(ReadSettings, RefusesWhatAlphaFold3WouldRejectOrMisread) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string expect;
  };
  const std::vector<Case> cases{
      {{{"XLA_CLIENT_MEM_FRACTION", "abc"}}, "environment: XLA_CLIENT_MEM_FRACTION: 'abc' is not a number"},
      {{{"XLA_CLIENT_MEM_FRACTION", "0.95x"}}, "environment: XLA_CLIENT_MEM_FRACTION: '0.95x' is not a number"},
      {{{"XLA_CLIENT_MEM_FRACTION", "-1"}}, "environment: XLA_CLIENT_MEM_FRACTION: '-1' is not a fraction above 0"},
      {{{"XLA_CLIENT_MEM_FRACTION", "nan"}}, "environment: XLA_CLIENT_MEM_FRACTION: 'nan' is not a fraction above 0"},
      {{{"XLA_CLIENT_MEM_FRACTION", "inf"}}, "environment: XLA_CLIENT_MEM_FRACTION: 'inf' is not a fraction above 0"},
      {{{"XLA_CLIENT_MEM_FRACTION", "3.2"}},
       "environment: XLA_CLIENT_MEM_FRACTION=3.2 asks for more than the device's memory"},
      {{{"XLA_PYTHON_CLIENT_MEM_FRACTION", "0.9"}, {"XLA_CLIENT_MEM_FRACTION", "0.9"}},
       "environment: XLA_PYTHON_CLIENT_MEM_FRACTION: both XLA_CLIENT_MEM_FRACTION and the deprecated"},
      {{{"TF_FORCE_UNIFIED_MEMORY", "maybe"}}, "environment: TF_FORCE_UNIFIED_MEMORY: 'maybe' is not a boolean"},
      {{{"XLA_PYTHON_CLIENT_ALLOCATOR", "foo"}},
       "environment: XLA_PYTHON_CLIENT_ALLOCATOR: 'foo' is not an allocator jaxlib knows"},
      {{{"XLA_PYTHON_CLIENT_PREALLOCATE", "no"}},
       "environment: XLA_PYTHON_CLIENT_PREALLOCATE: 'no' is not a boolean jaxlib reads as meant"},
      {{{"XLA_PYTHON_CLIENT_PREALLOCATE", "FALSE"}},
       "environment: XLA_PYTHON_CLIENT_PREALLOCATE: 'FALSE' is not a boolean jaxlib reads as meant"},
  };
  for (const Case& c : cases) {
    std::string got = refusal(c.env);
    EXPECT_EQ(got.rfind(c.expect, 0), 0u) << "got: " << got << "\nexpected: " << c.expect;
    EXPECT_NE(got.find("; fix: "), std::string::npos) << got;
  }
  // With unified memory a fraction above 1 is what AlphaFold 3's docs use.
  EXPECT_DOUBLE_EQ(read_settings({}, {{"XLA_CLIENT_MEM_FRACTION", "3.2"}, {"TF_FORCE_UNIFIED_MEMORY", "true"}})
                       .mem_fraction.value, 3.2);
}

TEST(ReadSettings, RefusesBadFlags) {
  EXPECT_THROW(read_settings({{"num_diffusion_samples", "many"}}, {}), UsageError);
  EXPECT_THROW(read_settings({{"flash_attention_implementation", "flash"}}, {}), UsageError);
  EXPECT_THROW(read_settings({{"bfloat16", "half"}}, {}), UsageError);
  EXPECT_THROW(read_settings({{"pair_transition_shard_spec", "((2048"}}, {}), UsageError);
  EXPECT_THROW(read_settings({{"buckets", "512,256"}}, {}), UsageError);
}

TEST(Settings, JsonRoundTripKeepsValuesAndOrigins) {
  RunSettings s = read_settings({{"num_diffusion_samples", "4"}, {"buckets", "256,512,1024"}},
                                {{"XLA_PYTHON_CLIENT_MEM_FRACTION", "0.8"}});
  s.sample_runs = {2, Origin::plan};
  s.pair_attention_chunk_size = {SizeSpec::parse("((None, 64),)"), Origin::plan};
  RunSettings back = RunSettings::from_json(nlohmann::json::parse(s.to_json().dump()), "test");
  EXPECT_EQ(back, s);
  EXPECT_EQ(back.mem_fraction_variable, "XLA_PYTHON_CLIENT_MEM_FRACTION");
  EXPECT_THROW(RunSettings::from_json(nlohmann::json::parse(R"({"sample_runs": {"value": 9}})"), "test"), InputError);
  EXPECT_THROW(RunSettings::from_json(nlohmann::json::parse(R"({"num_recycles": {"value": "ten"}})"), "test"),
               InputError);
  EXPECT_THROW(RunSettings::from_json(nlohmann::json::parse(R"({"num_recycles": {"value": 3, "origin": "x"}})"), "t"),
               InputError);
}

TEST(Settings, PlannedChangesAreMarkedAndListed) {
  RunSettings given;
  RunSettings planned = given;
  planned.mem_fraction.value = 0.95;
  planned.sample_runs.value = 5;
  mark_planned(planned, given);
  EXPECT_EQ(planned.mem_fraction.origin, Origin::plan);
  EXPECT_EQ(planned.sample_runs.origin, Origin::plan);
  EXPECT_EQ(planned.num_recycles.origin, Origin::default_value);
  auto d = setting_differences(given, planned);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].setting, "sample_runs");
  EXPECT_EQ(d[1].setting, "XLA_CLIENT_MEM_FRACTION");
  EXPECT_EQ(d[1].from, "unset (0.75)");
  EXPECT_EQ(d[1].to, "0.95");
  EXPECT_TRUE(planned.same_values(planned));
  EXPECT_FALSE(planned.same_values(given));
}

}  // namespace
}  // namespace foldfit
