#include "foldfit/schedule/placement.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "foldfit/schedule/campaign.hpp"

namespace foldfit {
namespace {

class NoGpus final : public GpuQuery {
 public:
  std::vector<DetectedGpu> list() override { return {}; }
  std::string unavailable_reason() const override { return "none"; }
};

Cluster two_classes() {
  return parse_cluster_file(R"({"gpu_classes": [
    {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 4, "mem_mb": 256000, "cpus": 32, "time_limit": "1:00:00"},
    {"partition": "big", "gres_type": "h100", "gpus_per_node": 4, "mem_mb": 512000, "cpus": 64}]})",
                            "c.json", {});
}

Sizes sized(std::int64_t tokens, std::size_t seeds = 1) {
  Sizes s;
  s.name = "t" + std::to_string(tokens);
  s.file = s.name + ".json";
  s.tokens = tokens;
  s.seeds = seeds;
  return s;
}

TEST(Placement, CheapestClassThatFitsWithEstimatesPlan) {
  Cluster c = two_classes();
  Placer placer(c, {}, {});
  NoGpus none;
  for (std::int64_t tokens : {100, 2000, 4000, 5000, 9000}) {
    const Placement& p = placer.place(sized(tokens));
    // What `foldfit estimate --gpu=A100-40GB --host_ram_gb=...` plans for it.
    Planning a = make_planning({{"gpu", "A100-40GB"}, {"host_ram_gb", fmt::format("{:.6f}", 256000.0 * 1048576 / 1e9)}}, {}, none);
    Plan on_a = plan_input(sized(tokens), a.request).plan;
    if (on_a.verdict != Verdict::cannot_fit) {
      EXPECT_EQ(p.class_index, 0) << tokens;
      EXPECT_EQ(p.plan.after.total, on_a.after.total) << tokens;
      EXPECT_EQ(p.plan.settings, on_a.settings) << tokens;
      EXPECT_TRUE(p.passed.empty());
      continue;
    }
    Planning h = make_planning({{"gpu", "H100-80GB"}, {"host_ram_gb", fmt::format("{:.6f}", 512000.0 * 1048576 / 1e9)}}, {}, none);
    Plan on_h = plan_input(sized(tokens), h.request).plan;
    if (on_h.verdict != Verdict::cannot_fit) {
      EXPECT_EQ(p.class_index, 1) << tokens;
      EXPECT_EQ(p.plan.settings, on_h.settings) << tokens;
      ASSERT_EQ(p.passed.size(), 1u);
    } else {
      EXPECT_EQ(p.class_index, -1) << tokens;
      EXPECT_FALSE(p.would_fit.empty());
    }
  }
  // The bounds of the test: something lands on each class, and something fits nowhere.
  EXPECT_EQ(placer.place(sized(100)).class_index, 0);
  EXPECT_EQ(placer.place(sized(5000)).class_index, 1);
  EXPECT_EQ(placer.place(sized(9000)).class_index, -1);
}

TEST(Placement, MemoisedBySizeOnly) {
  Cluster c = two_classes();
  Placer placer(c, {}, {});
  Sizes a = sized(700), b = sized(700);
  b.name = "other";
  b.chains = 3;
  EXPECT_EQ(&placer.place(a), &placer.place(b));
  EXPECT_NE(&placer.place(a), &placer.place(sized(700, 3)));  // seeds change the runtime
  EXPECT_EQ(placer.distinct(), 2u);
}

TEST(Campaign, ArraysByClassAndBucketWithinLimits) {
  Cluster c = two_classes();
  // v3.0.4's buckets, whatever is installed here (300 tokens pad to 512; main would give 384).
  Placer placer(c, {{"af3_release", "v3.0.4"}}, {});
  Campaign camp;
  camp.cluster = c;
  std::vector<Sizes> all;
  for (int i = 0; i < 7; ++i) all.push_back(sized(300 + i));  // one bucket (512)
  all.push_back(sized(5000));
  all.push_back(sized(9000));
  for (const Sizes& s : all) camp.inputs.push_back({s.name, s.file, s.tokens, s.seeds, &placer.place(s)});
  CampaignOptions o;
  o.inputs_per_task = 3;
  o.plan_dir = "/tmp/p";
  o.output_dir = "/tmp/o";
  build_arrays(camp, o);
  ASSERT_EQ(camp.arrays.size(), 4u);
  EXPECT_EQ(camp.arrays[0].kind, "data_pipeline");
  EXPECT_EQ(camp.arrays[0].name, "data-gpu-a100-512");
  EXPECT_EQ(camp.arrays[0].tasks, camp.arrays[1].tasks);  // task for task (aftercorr)
  EXPECT_EQ(camp.arrays[1].name, "infer-gpu-a100-512");
  EXPECT_EQ(camp.arrays[1].depends_on, 0);
  EXPECT_EQ(camp.arrays[1].tasks.size(), 3u);  // 3 + 3 + 1
  EXPECT_EQ(camp.arrays[1].gres, "gpu:a100:1");
  EXPECT_LE(camp.arrays[1].time_seconds, 3600);  // the partition's limit
  EXPECT_EQ(camp.arrays[3].name, "infer-big-h100-5120");
  o.max_array_size = 2;
  build_arrays(camp, o);
  ASSERT_EQ(camp.arrays.size(), 6u);  // the 3-task array in two parts, each with its data array
  EXPECT_EQ(camp.arrays[1].name, "infer-gpu-a100-512-part1");
  EXPECT_EQ(camp.arrays[3].name, "infer-gpu-a100-512-part2");
  EXPECT_EQ(camp.arrays[3].tasks.size(), 1u);
  o.max_array_size = 1000;
  build_arrays(camp, o);
  EXPECT_EQ(camp.unplaced, 1u);
  auto s = campaign_summary(camp);
  EXPECT_EQ(s["compiles"], 4);
  EXPECT_EQ(s["compiles_one_job_per_input"], 8);
  EXPECT_EQ(s["compiles_saved"], 4);
  EXPECT_EQ(s["fit_nowhere"], 1);
  std::string script = sbatch_script(camp, 1, o);
  EXPECT_NE(script.find("#SBATCH --gres=gpu:a100:1\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --array=0-2\n"), std::string::npos);
  EXPECT_NE(script.find("--norun_data_pipeline"), std::string::npos);
  EXPECT_NE(script.find("--gpu=A100-40GB"), std::string::npos);
}

// A cluster whose every node has GPUs (no CPU partition): the data pipeline runs on the
// cheapest class's partition, and asks for no more CPUs and RAM than its nodes have, else
// Slurm keeps the task pending for ever (PartitionConfig).
TEST(Campaign, DataPipelineWithinTheGpuNodesWithoutACpuPartition) {
  Cluster c = parse_cluster_file(R"({"gpu_classes": [
    {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 2, "mem_mb": 24000, "cpus": 2}]})",
                                 "c.json", {});
  ASSERT_FALSE(c.cpu);
  Placer placer(c, {{"af3_release", "v3.0.4"}}, {});
  Campaign camp;
  camp.cluster = c;
  Sizes s = sized(100);
  camp.inputs.push_back({s.name, s.file, s.tokens, s.seeds, &placer.place(s)});
  CampaignOptions o;
  o.plan_dir = "/tmp/p";
  o.output_dir = "/tmp/o";
  build_arrays(camp, o);
  ASSERT_EQ(camp.arrays.size(), 2u);
  const ArrayJob& d = camp.arrays[0];
  EXPECT_EQ(d.kind, "data_pipeline");
  EXPECT_EQ(d.partition, "gpu");
  EXPECT_EQ(d.cpus, 2);  // not --data_pipeline_cpus' 8
  EXPECT_EQ(d.mem, c.classes[0].node_ram);  // not --data_pipeline_mem_gb's 64 GB
  EXPECT_NE(d.mem_origin.find("capped at the node's RealMemory"), std::string::npos) << d.mem_origin;
  // Below the node's figures nothing changes.
  o.data_cpus = 1;
  o.data_mem = Bytes(1000000000);
  build_arrays(camp, o);
  EXPECT_EQ(camp.arrays[0].cpus, 1);
  EXPECT_EQ(camp.arrays[0].mem, Bytes(1000000000));
}

}  // namespace
}  // namespace foldfit
