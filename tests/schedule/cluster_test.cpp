#include "foldfit/schedule/cluster.hpp"

#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"

namespace foldfit {
namespace {

const char* kSinfo = "cpu|1-00:00:00\ngpu|2-00:00:00\ngpu|2-00:00:00\nmig|4:00:00\n";
// As `scontrol show node -o` prints them (values with spaces, a Gres socket suffix, MIG).
const char* kNodes =
    "NodeName=c1 Arch=x86_64 CoresPerSocket=8 CPUAlloc=0 CPUTot=32 Gres=(null) OS=Linux 6.1.0-18-amd64 #1 SMP RealMemory=191000 "
    "Partitions=cpu State=IDLE\n"
    "NodeName=g1 CPUTot=64 Gres=gpu:a100:4(S:0-1),gpu:h100:2 RealMemory=512000 Partitions=gpu State=IDLE\n"
    "NodeName=g2 CPUTot=48 Gres=gpu:a100:2 RealMemory=256000 Partitions=gpu State=MIXED\n"
    "NodeName=m1 CPUTot=56 Gres=gpu:3g.20gb:14 RealMemory=384000 Partitions=mig State=IDLE\n";

TEST(Cluster, SlurmTimes) {
  EXPECT_EQ(parse_slurm_time("1-02:03:04"), 93784);
  EXPECT_EQ(parse_slurm_time("02:03:04"), 7384);
  EXPECT_EQ(parse_slurm_time("30"), 1800);
  EXPECT_EQ(parse_slurm_time("30:15"), 1815);
  EXPECT_EQ(parse_slurm_time("2-12"), 216000);
  EXPECT_EQ(parse_slurm_time("infinite"), 0);
  EXPECT_EQ(parse_slurm_time("UNLIMITED"), 0);
  EXPECT_FALSE(parse_slurm_time("1 day").has_value());
  EXPECT_EQ(format_slurm_time(93784), "1-02:03:04");
  EXPECT_EQ(format_slurm_time(5), "00:01:00");
}

TEST(Cluster, FromSlurmOutput) {
  ClusterOverrides o;
  o.gpu_map["a100"] = "A100-80GB";
  Cluster c = cluster_from_slurm(kSinfo, kNodes, o);
  ASSERT_EQ(c.classes.size(), 3u);
  // Default cost: GPU memory in GiB rounded to 8 (20, 80, 80), then the slower card first.
  EXPECT_EQ(c.classes[0].name, "mig/3g.20gb");
  EXPECT_EQ(c.classes[1].name, "gpu/a100");
  EXPECT_EQ(c.classes[2].name, "gpu/h100");
  const GpuClass& a100 = c.classes[1];
  EXPECT_EQ(a100.gpu.name, "A100-80GB");
  EXPECT_EQ(a100.nodes, 2);
  EXPECT_EQ(a100.gpus_per_node, 2);                       // the smaller node
  EXPECT_EQ(a100.node_ram, Bytes(256000LL * 1048576));    // the smaller node's RealMemory (MiB)
  EXPECT_EQ(a100.cpus_per_node, 48);
  EXPECT_EQ(a100.time_limit_seconds, 2 * 86400);
  const GpuClass& mig = c.classes[0];
  EXPECT_TRUE(mig.mig);
  EXPECT_EQ(mig.table_gpu, "A100-40GB");
  EXPECT_EQ(mig.gpu.memory, Bytes::from_gb(20));
  EXPECT_DOUBLE_EQ(mig.runtime_scale, 7.0 / 3.0);
  EXPECT_EQ(mig.gpus_per_node, 14);
  EXPECT_EQ(mig.time_limit_seconds, 4 * 3600);
  ASSERT_TRUE(c.cpu.has_value());
  EXPECT_EQ(c.cpu->name, "cpu");
  EXPECT_EQ(c.cpu->cpus_per_node, 32);
  EXPECT_EQ(c.cpu->time_limit_seconds, 86400);
}

TEST(Cluster, AmbiguousTypeNamesTheFix) {
  try {
    cluster_from_slurm(kSinfo, kNodes, {});
    FAIL() << "a100 is ambiguous";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--gpu_map=a100=NAME"), std::string::npos) << e.what();
  }
}

TEST(Cluster, CostsOrderTheClasses) {
  ClusterOverrides o;
  o.gpu_map["a100"] = "A100-80GB";
  o.cost["h100"] = 1;
  o.cost["gpu/a100"] = 2;
  o.cost["3g.20gb"] = 3;
  Cluster c = cluster_from_slurm(kSinfo, kNodes, o);
  EXPECT_EQ(c.classes[0].name, "gpu/h100");
  EXPECT_EQ(c.classes[0].cost_origin, "--gpu_cost=h100");
  EXPECT_EQ(c.classes[1].name, "gpu/a100");
  EXPECT_EQ(c.classes[2].name, "mig/3g.20gb");
}

TEST(Cluster, FileRoundTrips) {
  const char* text = R"({
  "gres_template": "gpu:{type}:1",
  "cpu_partition": {"name": "cpu", "cpus": 16, "mem_mb": 64000, "time_limit": "1-00:00:00"},
  "gpu_classes": [
    {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 4, "nodes": 2, "mem_mb": 256000,
     "cpus": 32, "time_limit": "12:00:00", "cost": 1.5},
    {"partition": "gpu", "gres_type": "l40s", "gpus_per_node": 8, "mem_mb": 512000, "cpus": 64}
  ]
})";
  Cluster c = parse_cluster_file(text, "c.json", {});
  ASSERT_EQ(c.classes.size(), 2u);
  EXPECT_EQ(c.classes[0].name, "gpu/a100");  // cost 1.5 < 48 (L40S's GiB, rounded)
  EXPECT_EQ(c.classes[1].cost, 48);
  EXPECT_EQ(c.classes[0].gpu.name, "A100-40GB");
  EXPECT_EQ(c.classes[0].time_limit_seconds, 12 * 3600);
  EXPECT_EQ(c.classes[1].gpu.name, "L40S");
  Cluster again = parse_cluster_file(cluster_to_json(c), "again.json", {});
  ASSERT_EQ(again.classes.size(), 2u);
  EXPECT_EQ(again.classes[1].gpu.name, "L40S");
  EXPECT_EQ(again.classes[1].node_ram, c.classes[1].node_ram);
  EXPECT_EQ(again.classes[0].cost, 1.5);
  EXPECT_EQ(again.cpu->name, "cpu");
}

TEST(Cluster, FileErrorsNameLineColumnAndPath) {
  const char* bad = "{\"gpu_classes\": [\n  {\"partition\": \"gpu\", \"gres_type\": \"a100\", \"gpu\": \"A100-40GB\",\n"
                    "   \"gpus_per_node\": \"four\", \"mem_mb\": 1, \"cpus\": 1}]}";
  try {
    parse_cluster_file(bad, "c.json", {});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("c.json:3:21: gpu_classes[0].gpus_per_node: expected an integer", 0), 0u) << e.what();
  }
  try {
    parse_cluster_file(R"({"gpu_classes": [{"partition": "p", "gres_type": "v100", "gpus_per_node": 1, "mem_mb": 1, "cpus": 1}]})",
                       "c.json", {});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("gpu_classes[0]"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--gpu_map=v100"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_cluster_file(R"({"gpu_classes": [], "x": 1})", "c.json", {}), InputError);
}

}  // namespace
}  // namespace foldfit
