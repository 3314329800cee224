// cluster.hpp - the GPU classes of a Slurm cluster, read from Slurm itself (sinfo,
// scontrol show node) or from a cluster file (JSON, docs/campaigns.md).
//
// A GPU class is one (partition, GPU type) pair: its GPU (a table GPU, or a MIG slice of
// one), how many GPUs its nodes have, the smallest node's host RAM and CPUs, the
// partition's time limit and a cost per GPU-hour that orders the classes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/bytes.hpp"
#include "foldfit/device/gpu_table.hpp"

namespace foldfit {

struct GpuClass {
  std::string name;         // "gpu/a100": partition/type, unique
  std::string partition;    // Slurm partition
  std::string gres_type;    // the type in Gres (gpu:TYPE:COUNT), "" for untyped gpu:COUNT
  GpuSpec gpu;              // the GPU (a MIG slice: its parent's figures, the slice's memory)
  std::string gpu_origin;   // how the type became this GPU
  // What `foldfit run` is given for this class: --gpu=table_gpu, and for a MIG slice
  // --max_gpu_memory_gb (the slice's memory), so it plans exactly as the campaign did.
  std::string table_gpu;
  bool mig = false;
  double runtime_scale = 1;  // a MIG slice of g of 7 compute slices: 7/g (approximate)
  int gpus_per_node = 0;
  int nodes = 0;
  Bytes node_ram;           // the smallest node's RealMemory (host RAM for unified memory)
  int cpus_per_node = 0;    // the smallest node's CPUs
  std::int64_t time_limit_seconds = 0;  // the partition's MaxTime; 0: unlimited
  double cost = 0;          // per GPU-hour, relative; the cheapest class that fits wins
  std::string cost_origin;
};

struct CpuPartition {
  std::string name;
  int cpus_per_node = 0;
  Bytes node_ram;
  std::int64_t time_limit_seconds = 0;  // 0: unlimited
};

struct Cluster {
  std::vector<GpuClass> classes;       // sorted by cost, then name
  std::optional<CpuPartition> cpu;     // for the data pipeline; absent: the cheapest GPU class's partition
  std::string gres_template = "gpu:{type}:1";  // {type}: the class's gres type ("" -> "gpu:1")
  std::string origin;                  // "slurm (sinfo, scontrol)" or the file
};

// Where the data pipeline runs: the CPU partition, else (a cluster whose every node has
// GPUs) the cheapest class's partition, its nodes and time limit; all unset without classes.
CpuPartition data_partition(const Cluster& c);

// How Gres types become GPUs: TYPE=TABLE_NAME ("a100=A100-80GB"; a MIG profile may name
// its parent: "7g.40gb=A100-40GB"), and costs per class type or name.
struct ClusterOverrides {
  std::map<std::string, std::string> gpu_map;   // gres type -> table GPU
  std::map<std::string, double> cost;           // gres type or class name -> cost
  std::optional<std::string> gres_template;
  std::optional<std::string> cpu_partition;     // name of the data pipeline's partition
};

// "1-02:03:04", "02:03:04", "30:00", "30", "infinite"/"UNLIMITED" (0), as Slurm writes
// time limits. nullopt when malformed.
std::optional<std::int64_t> parse_slurm_time(std::string_view text);
// Seconds as Slurm's D-HH:MM:SS (at least one minute).
std::string format_slurm_time(std::int64_t seconds);

// The GPU a Gres type stands for: the map, then a table name or a documented alias
// ("h100" -> H100-80GB), then a MIG profile ("3g.40gb": 3/7 of its parent, 40 GB).
// Throws UsageError naming the type and the --gpu_map entry to give when ambiguous or unknown.
// Fills gpu, gpu_origin, table_gpu, mig and runtime_scale of `g` from g.gres_type.
void resolve_gres_type(GpuClass& g, const ClusterOverrides& overrides);

// From Slurm's own output: `sinfo -h -a -o "%R|%l"` (partition|time limit, one a line)
// and `scontrol show node -o` (one node a line). Throws UsageError on what cannot be read.
Cluster cluster_from_slurm(const std::string& sinfo_text, const std::string& scontrol_text, const ClusterOverrides& overrides);

// Runs sinfo and scontrol (on PATH) and reads their output. Throws UsageError when they fail.
Cluster read_slurm_cluster(const ClusterOverrides& overrides);

// A cluster file (docs/campaigns.md). Throws InputError naming the file, line:column and
// the JSON path.
Cluster read_cluster_file(const std::string& path, const ClusterOverrides& overrides);
Cluster parse_cluster_file(std::string_view text, const std::string& source, const ClusterOverrides& overrides);

// The Cluster as the cluster-file JSON (what --save_cluster writes).
std::string cluster_to_json(const Cluster& c);

}  // namespace foldfit
