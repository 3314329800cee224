// planner.hpp - pick the AlphaFold 3 settings that fit the GPU with the least loss.
//
// As llama.cpp's memory fit: estimate with the settings as given and return early when
// they fit with the margin; otherwise pull the levers that really change peak memory,
// cheapest loss first, never touching a setting the user gave, and credit each lever
// only with what the memory model computes for it. Three outcomes: fits as given, fits
// with a plan, cannot fit. Errors (bad input, bad environment) are exceptions, never
// one of the three.
#pragma once

#include <string>
#include <vector>

#include "foldfit/common/af3_release.hpp"
#include "foldfit/device/environment.hpp"
#include "foldfit/device/gpu_table.hpp"
#include "foldfit/device/nvml.hpp"
#include "foldfit/model/memory_model.hpp"
#include "foldfit/model/runtime_model.hpp"
#include "foldfit/plan/settings.hpp"
#include "foldfit/sizes/sizes.hpp"

namespace foldfit {

enum class Verdict { fits, fits_with_plan, cannot_fit };
std::string_view verdict_name(Verdict v);  // "fits" | "fits_with_plan" | "cannot_fit"

// The GPU being planned for: detected, or from the table (--gpu), or overridden.
struct Device {
  GpuSpec spec;                         // table facts (throughput, architecture)
  Bytes total;                          // memory to plan with (driver-reported or --max_gpu_memory_gb)
  Bytes used_by_others;                 // held by other processes now (detected only)
  std::vector<GpuProcess> other_processes;
  // Host RAM of the GPU's node, which takes unified memory's overflow: this machine's for
  // a detected GPU, --host_ram_gb for one named with --gpu; 0 when unknown (a plan that
  // spills then says how much it needs instead of judging).
  Bytes host_ram;
  std::string host_ram_origin;
  // --max_gpu_memory_gb above the card's memory: permission to spill this much to host
  // RAM through unified memory. 0: unified memory is not planned (unless the user's
  // environment already enables it).
  Bytes spill_permitted;
  bool detected = false;                // from NVML rather than the table
  std::string origin;                   // "NVML: NVIDIA A100-SXM4-80GB (GPU 0)", "table: --gpu=L40S", ...
};

struct Change {
  std::string setting;   // "num_diffusion_samples", "XLA_CLIENT_MEM_FRACTION", ...
  std::string from;
  std::string to;
  std::string reason;
  Bytes saves;           // peak reduction credited to this change by the model
  std::string quality;   // "none" or what is lost
  std::string speed;     // "none", "slower (x1.3)", ...
  Bytes budget_gain;     // what the change adds to JAX's pool (fraction, unified memory)
};

struct PlanInputs {
  Sizes sizes;
  RunSettings settings;  // as the user gave them (user_set marks) plus defaults
  Device device;
  Bytes margin;          // safety margin kept free in the pool
  const MemoryModel* model = nullptr;
  const CalibrationSet* calibrations = nullptr;  // null: the built-in overlays
  // The AlphaFold 3 build that will run ("v3.0.4", "main", "main@2025-11-03"; model/glu.hpp):
  // with the GPU's compute capability it decides the gated linear unit the model assumes.
  std::string af3_release = "v3.0.4";
  // The release planned for and where that came from (common/af3_release.hpp), for reports.
  Af3ReleaseChoice release;
};

struct Plan {
  Verdict verdict = Verdict::cannot_fit;
  RunSettings settings;          // what to run with; every change has origin "plan"
  std::int64_t padded_tokens = 0;  // N AlphaFold 3 runs at with the plan's buckets
  std::int64_t padded_tokens_before = 0;  // N with the buckets as given
  std::vector<Change> changes;
  MemoryEstimate before;         // estimate with the settings as given
  MemoryEstimate after;          // estimate with the plan's settings
  MemoryBudget budget_before;
  MemoryBudget budget;           // budget with the plan's settings
  Bytes margin;
  RuntimeEstimate runtime;       // with the plan's settings
  std::vector<EnvFinding> findings;       // environment checks for the plan's settings
  Bytes host_ram_needed;                  // unified memory: what spills to host RAM (0: none)
  std::vector<std::string> blocked_by;    // user settings that stop a fit, with why
  // When nothing fits:
  std::string smallest_fitting_gpu;       // from the table, at default settings
  std::string unified_memory_option;      // what unified memory would need (host RAM)
  std::string split_advice;               // splitting the complex
};

Plan fit_settings(const PlanInputs& in);

// The estimate the planner makes for settings `s` at `tokens` (padded with s's buckets) on
// the planned device, with the calibration for s's attention implementation: the curves of
// the HTML report (report/html_report.hpp) come from it.
MemoryEstimate estimate_at(const PlanInputs& in, const RunSettings& s, std::int64_t tokens);

// The pair-transition shard spec AlphaFold 3 documents for 40 GB cards, one of the levers.
const SizeSpec& documented_40gb_shard_spec();

// The custom bucket the planner's buckets lever adds for `tokens`: the next multiple of 32
// (flat atoms stay whole blocks of 32).
std::int64_t tight_bucket(std::int64_t tokens);

// What the runtime model is given for a plan: its padded N, recycles, samples per run,
// runs (seeds x sample splits) and unified-memory spill. plan.runtime is its estimate.
RuntimeInputs runtime_inputs(const Plan& plan, const PlanInputs& in);

// The memory budget a setting gives on a device, less other processes' memory.
MemoryBudget budget_for(const RunSettings& s, const Device& d);

// Whether an estimate fits the device under settings `s` with the margin: the peak pool
// (plus margin) within the allocator's cap, and what the allocator reserves (the whole
// pool with preallocation) plus the overhead outside it within the device memory not
// held by other processes; with unified memory the overflow must fit in host RAM.
bool fits(const MemoryEstimate& e, const RunSettings& s, const Device& d, Bytes margin);

// Trade-off table: for this input, each single setting change with its effect on the
// peak (from the model), on quality and on speed.
struct TradeOff {
  std::string change;
  Bytes peak_after;
  Bytes saves;
  std::string quality;
  std::string speed;
};
std::vector<TradeOff> trade_offs(const PlanInputs& in);

// The smallest / a comfortable GPU in the table for this input at the given settings.
std::string minimum_gpu(const PlanInputs& in);
std::string recommended_gpu(const PlanInputs& in);

}  // namespace foldfit
