// The AlphaFold 3 release a plan is for: the release table, identifying an installation
// from its run_alphafold.py, and the release reaching the buckets and the reports.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "foldfit/common/af3_release.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/plan/planning.hpp"
#include "foldfit/sizes/buckets.hpp"

namespace foldfit {
namespace {

// The parts of a run_alphafold.py that identify it, in AlphaFold 3's own layout.
std::string script(const std::string& extra_flags, const std::string& buckets_default) {
  std::string s =
      "_JSON_PATH = flags.DEFINE_string(\n    'json_path',\n    None,\n    'Path.',\n)\n"
      "_OUTPUT_DIR = flags.DEFINE_string(\n    'output_dir',\n    None,\n    'Dir.',\n)\n"
      "_MODEL_DIR = flags.DEFINE_string(\n    'model_dir',\n    None,\n    'Dir.',\n)\n";
  if (!buckets_default.empty())
    s += "_BUCKETS = flags.DEFINE_list(\n    'buckets',\n    # pyformat: disable\n    " + buckets_default +
         ",\n    # pyformat: enable\n    'Strictly increasing order of token sizes.',\n)\n";
  for (const std::string& f : {extra_flags})
    if (!f.empty()) s += "_X = flags.DEFINE_bool(\n    '" + f + "',\n    False,\n    'x',\n)\n";
  return s;
}

const std::string kTagged = "['256', '512', '768', '1024', '1280', '1536', '2048', '2560', '3072',\n     '3584', '4096', '4608', '5120']";
const std::string kMain = "['128', '256', '384', '512', '768', '1024', '1280', '1536', '2048', '2560',\n     '3072', '3584', '4096', '4608', '5120']";

TEST(PlanAf3Release, TableAndDefaults) {
  EXPECT_EQ(newest_tagged_release().name, "v3.0.4");
  EXPECT_EQ(Buckets().to_string(), "256,512,768,1024,1280,1536,2048,2560,3072,3584,4096,4608,5120");
  EXPECT_EQ(Buckets(*find_af3_release("main")).to_string(),
            "128,256,384,512,768,1024,1280,1536,2048,2560,3072,3584,4096,4608,5120");
  // The bug this fixes: a 300-token input pads to 512 under v3.0.4, to 384 only on main.
  EXPECT_EQ(Buckets(*find_af3_release("v3.0.4")).pad(300), 512);
  EXPECT_EQ(Buckets(*find_af3_release("main")).pad(300), 384);
  EXPECT_EQ(find_af3_release("3.0.2"), find_af3_release("v3.0.2"));
  EXPECT_EQ(find_af3_release("v9"), nullptr);
  EXPECT_EQ(find_af3_release("v3.0.1")->json_versions, (std::vector<int>{1, 2}));
  EXPECT_EQ(find_af3_release("v3.0.2")->json_versions, (std::vector<int>{1, 2, 3, 4}));
  try {
    af3_release_from_flag("3.1");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--af3_release: '3.1' is not a release foldfit knows (v3.0.0, v3.0.1, v3.0.2, v3.0.3, v3.0.4, main)");
  }
}

TEST(PlanAf3Release, IdentifiesRunAlphafold) {
  auto id = [](const std::string& text) {
    auto r = identify_af3_release(text);
    return r ? r->release->name : std::string("none");
  };
  EXPECT_EQ(id(script("save_terms_of_use", kMain)), "main");
  EXPECT_EQ(id(script("jax_backend", kTagged)), "v3.0.4");
  EXPECT_EQ(id(script("fix_standalone_glycans", kTagged)), "v3.0.3");
  EXPECT_EQ(id(script("save_distogram", kTagged)), "v3.0.2");
  EXPECT_EQ(id(script("", kTagged)), "v3.0.1");
  EXPECT_EQ(id(script("", "")), "v3.0.0");
  EXPECT_EQ(id("print('hello')\n"), "none");
  EXPECT_NE(identify_af3_release(script("", kMain))->evidence.find("includes 128"), std::string::npos);
}

TEST(PlanAf3Release, ChoiceAndOrigin) {
  Af3ReleaseChoice flag = choose_af3_release(std::string("main"), std::nullopt);
  EXPECT_EQ(flag.text(), "main (flag: --af3_release=main)");
  Af3ReleaseChoice none = choose_af3_release(std::nullopt, std::nullopt);
  EXPECT_EQ(none.release->name, "v3.0.4");
  EXPECT_EQ(none.origin, "default");

  const std::string path = testing::TempDir() + "/foldfit-release-" + std::to_string(::getpid()) + "-run_alphafold.py";
  std::ofstream(path) << script("", kMain);
  Af3ReleaseChoice found = resolve_af3_release(std::nullopt, "python3 " + path, {});
  EXPECT_EQ(found.release->name, "main");
  EXPECT_EQ(found.origin, "detected");
  EXPECT_EQ(found.detail.rfind(path + ": ", 0), 0u) << found.detail;
  // --af3_release wins over the installation.
  EXPECT_EQ(resolve_af3_release(std::string("v3.0.3"), "python3 " + path, {}).release->name, "v3.0.3");
  std::filesystem::remove(path);
  Af3ReleaseChoice unreadable = resolve_af3_release(std::nullopt, "python3 " + path, {});
  EXPECT_EQ(unreadable.origin, "default");
  EXPECT_NE(unreadable.detail.find("cannot be read"), std::string::npos) << unreadable.detail;
}

struct NoGpus : GpuQuery {
  std::vector<DetectedGpu> list() override { return {}; }
  std::string unavailable_reason() const override { return "no NVML in this test"; }
};

TEST(PlanAf3Release, PlanningDefaultsFollowTheRelease) {
  NoGpus none;
  Planning main = make_planning({{"gpu", "A100-80GB"}, {"af3_release", "main"}}, {}, none);
  EXPECT_EQ(main.request.release.release->name, "main");
  EXPECT_EQ(main.request.settings.buckets.value.pad(300), 384);
  EXPECT_EQ(main.request.settings.buckets.origin, Origin::default_value);
  Planning tagged = make_planning({{"gpu", "A100-80GB"}, {"af3_release", "v3.0.4"}}, {}, none);
  EXPECT_EQ(tagged.request.settings.buckets.value.pad(300), 512);
  // --buckets still wins.
  Planning given = make_planning({{"gpu", "A100-80GB"}, {"af3_release", "v3.0.4"}, {"buckets", "300"}}, {}, none);
  EXPECT_EQ(given.request.settings.buckets.value.pad(300), 300);
}

}  // namespace
}  // namespace foldfit
