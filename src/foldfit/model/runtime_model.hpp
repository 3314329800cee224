// runtime_model.hpp - seconds of compile-free AlphaFold 3 inference for one input.
//
// Anchored on AlphaFold 3's documented A100 80 GB / H100 80 GB timings per bucket
// (data/af3_documented_limits.csv, docs/performance.md: 10 recycles, 5 samples, 1 seed),
// scaled by GPU throughput, recycles (the trunk runs recycles+1 times), samples, seeds
// and unified-memory spill.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "foldfit/device/gpu_table.hpp"

namespace foldfit {

struct RuntimeInputs {
  std::int64_t padded_tokens = 0;
  int num_recycles = 10;
  int num_diffusion_samples = 5;
  int num_seeds = 1;            // model runs (seeds, or sample splits)
  double spill_fraction = 0;    // share of the peak living in host RAM (unified memory)
};

struct RuntimeEstimate {
  double seconds = 0;
  double low = 0;
  double high = 0;
  std::string origin;  // how it was derived, in words
};

// Throws UsageError for impossible inputs (N < 1, recycles < 0, samples or seeds < 1,
// spill outside [0, 1]) and for a GPU with neither throughput nor bandwidth figures.
RuntimeEstimate estimate_runtime(const RuntimeInputs& in, const GpuSpec& gpu);

// A documented timing the model is anchored on.
struct RuntimeAnchor {
  std::string gpu;  // as the CSV names it: "A100 80GB"
  std::int64_t tokens = 0;
  double seconds = 0;
};
const std::vector<RuntimeAnchor>& runtime_anchors();

}  // namespace foldfit
