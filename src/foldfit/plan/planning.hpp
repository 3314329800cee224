// planning.hpp - where every caller that plans meets the world, once: the setting and
// device flags it was given and the process environment become settings (read_settings),
// NVML and host RAM a Device (resolve_device), the calibration file a CalibrationSet. The
// result is the one PlanRequest that estimate, run, verify and the Python module hand to
// plan_input, so the same flags and environment give the same plan everywhere.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "foldfit/device/nvml.hpp"
#include "foldfit/plan/pipeline.hpp"
#include "foldfit/plan/read_settings.hpp"
#include "foldfit/plan/resolve_device.hpp"

namespace foldfit {

// Default safety margin kept free in the JAX pool (docs/planner.md).
inline constexpr double kDefaultMarginGb = 1.0;

// The device flags of every caller that plans (--gpu, --gpu_device, --max_gpu_memory_gb,
// --host_ram_gb, --margin_gb, --calibration), beside the setting flags (setting_flags()).
const std::vector<SettingFlag>& device_flags();

struct Planning {
  std::map<std::string, std::string> environment;  // the environment planned under
  LocalMachine local;
  std::shared_ptr<const CalibrationSet> calibrations;
  PlanRequest request;  // request.calibrations points into `calibrations`
};

// `flags`: the setting and device flags given, name -> value as written (booleans
// "true"/"false"), only those given; `environment`: the process environment; `gpus`: the
// GPU query (NVML), used only when no --gpu is named. Throws UsageError for an unknown
// flag, a bad value or a bad variable, InputError for a bad calibration file.
Planning make_planning(const std::map<std::string, std::string>& flags, std::map<std::string, std::string> environment,
                       GpuQuery& gpus);

// An environment AlphaFold 3 cannot run under is an error, not a verdict: throws
// UsageError with the plan's first error finding, unless the plan cannot fit anyway.
void require_runnable(const Plan& plan);

}  // namespace foldfit
