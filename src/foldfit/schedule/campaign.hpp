// campaign.hpp - a campaign of many AlphaFold 3 inputs as Slurm job arrays.
//
//   inputs ──Placer──▶ a GPU class and a plan each ──group──▶ arrays ──write──▶ plan folder
//
// Inference (GPU, --norun_data_pipeline) is one array per (GPU class, bucket, settings),
// so the inputs of a task share one compiled model, with a JAX compilation cache per GPU
// model; each has a data-pipeline array (CPU, --norun_inference) with the same tasks, on
// which it depends task for task (--dependency=aftercorr). Each task
// runs `foldfit run` on its list of inputs with the shared history database, which
// re-plans each input exactly as it was planned here (the same --gpu, --host_ram_gb and
// setting flags). The plan folder is written to a temporary folder and renamed into place.
#pragma once

#include "foldfit/common/af3_release.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/schedule/cluster.hpp"
#include "foldfit/schedule/placement.hpp"

namespace foldfit {

struct CampaignOptions {
  std::string plan_dir;                 // the folder to write
  bool force = false;                   // replace an existing plan folder
  std::string foldfit_binary;           // absolute path the scripts run
  std::string af3_command;              // --af3_command for foldfit run ("": foldfit's own lookup)
  std::string output_dir;               // AlphaFold 3's output root (absolute)
  std::string history_db;               // the shared history database (absolute)
  std::string cache_root;               // compilation caches: <cache_root>/<GPU model>
  std::vector<std::string> af3_flags;   // passed to run_alphafold.py (--model_dir=..., --db_dir=...)
  std::map<std::string, std::string> setting_flags;  // the planning flags, passed to foldfit run
  int inputs_per_task = 20;             // most inference inputs in one array task
  int data_inputs_per_task = 1;
  int data_cpus = 8;
  Bytes data_mem = Bytes::from_gb(64);
  std::int64_t data_seconds_per_input = 3 * 3600;
  int cpus_per_gpu_task = 8;
  Bytes inference_mem = Bytes::from_gb(32);  // host RAM of an inference task, before unified-memory spill
  double time_factor = 1.5;              // --time: runtime estimate's high end x this ...
  std::int64_t compile_seconds = 600;    // ... plus this per task (the estimate is compile-free)
  std::vector<std::string> sbatch_lines; // extra "#SBATCH ..." lines (account, qos)
  int max_array_size = 1000;             // tasks per array (Slurm's default MaxArraySize is 1001)
};

// One input of the campaign, as placed.
struct CampaignInput {
  std::string name;
  std::string file;
  std::int64_t tokens = 0;
  std::size_t seeds = 0;
  const Placement* placement = nullptr;  // owned by the Placer
  int data_array = -1, data_task = -1;
  int inference_array = -1, inference_task = -1;
};

// The campaign's entry of one sized input and where the placer put it.
inline CampaignInput campaign_input(const Sizes& s, const Placement& placement) {
  CampaignInput in;
  in.name = s.name;
  in.file = s.file;
  in.tokens = s.tokens;
  in.seeds = s.seeds;
  in.placement = &placement;
  return in;
}

struct ArrayJob {
  std::string name;          // "data", "infer-gpu-a100-768", ...
  std::string kind;          // "data_pipeline" | "inference"
  int class_index = -1;      // inference only
  int depends_on = -1;       // inference: its data-pipeline array (aftercorr: task i after task i)
  std::int64_t bucket = 0;   // inference only
  std::string partition;
  std::string gres;          // "" for the data pipeline
  Bytes mem;
  std::int64_t time_seconds = 0;
  int cpus = 0;
  std::vector<std::vector<std::size_t>> tasks;  // input indices per array task
  std::vector<std::string> notes;               // e.g. a task capped at the partition's limit
  std::string mem_origin, time_origin;
};

struct Campaign {
  Cluster cluster;
  std::vector<CampaignInput> inputs;
  std::vector<ArrayJob> arrays;  // data-pipeline array, then its inference array, pair by pair
  std::size_t unplaced = 0;
  Af3ReleaseChoice release;  // the AlphaFold 3 release every placement and task plans for
};

// Groups placed inputs into arrays and sizes each array's resources.
void build_arrays(Campaign& c, const CampaignOptions& o);

// The sbatch script of one array (sbatch it; the inference array with --dependency=aftercorr on its data array).
std::string sbatch_script(const Campaign& c, std::size_t array_index, const CampaignOptions& o);

// The summary: inputs per GPU class, GPU-hours, compiles saved, inputs that fit nowhere.
nlohmann::ordered_json campaign_summary(const Campaign& c);
std::string summary_text(const nlohmann::ordered_json& summary);

// Writes plan_dir atomically: scripts, task lists, manifest.json, summary.json and
// summary.txt. Throws UsageError when plan_dir exists and force is false, OutputError on I/O.
void write_plan_folder(const Campaign& c, const CampaignOptions& o);

// The options a plan was made with, as manifest.json's "campaign_options" holds them, so
// a resubmission (foldfit status --resubmit) writes its scripts as the plan did.
nlohmann::ordered_json campaign_options_json(const CampaignOptions& o);
// From a parsed manifest.json (plan_dir and force are left empty). Throws UsageError when
// the manifest lacks them, nlohmann::json::exception on a wrong type.
CampaignOptions campaign_options_from_json(const nlohmann::json& manifest);

}  // namespace foldfit
