// run_wiring.hpp - where `foldfit run` and `foldfit calibrate` meet the planner, NVML and the
// model's calibration fit: one function each.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "foldfit/device/nvml.hpp"
#include "foldfit/history/calibrate.hpp"
#include "foldfit/run/ladder.hpp"
#include "foldfit/sizes/sizes.hpp"

namespace foldfit::cli {

struct LadderContext {
  const UserConfig& user;
  const Sizes& sizes;
  bool auto_optimize = true;
  std::optional<double> max_gpu_memory_gb;
  std::optional<double> margin_gb;
  std::string gpu;          // --gpu
  int gpu_device = 0;       // run_alphafold.py's --gpu_device
  const std::map<std::string, std::string>& environment;
};

// The configurations to try for one input. Without automatic optimization: the user's
// configuration alone. FOLDFIT_TEST_LADDER=FILE (for foldfit's tests) takes the rungs from
// FILE (see ScriptedLadder).
std::unique_ptr<Ladder> make_ladder(const LadderContext& context);

// The GPU memory sampler for runs; null when there is none.
std::unique_ptr<GpuQuery> make_gpu_query();

// The model's calibration fit. FOLDFIT_TEST_CALIBRATION_FIT=1 (for foldfit's tests)
// selects a fit that only summarises the samples.
CalibrationFitFn calibration_fit();

}  // namespace foldfit::cli
