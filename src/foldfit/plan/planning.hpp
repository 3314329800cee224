// planning.hpp - where every caller that plans meets the world, once: the setting and
// device flags it was given and the process environment become settings (read_settings),
// NVML and host RAM a Device (resolve_device), the calibration file a CalibrationSet. The
// result is the one PlanRequest that estimate, run, verify and the Python module hand to
// plan_input, so the same flags and environment give the same plan everywhere.
#pragma once

#include <map>
#include <memory>
#include <optional>
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
  Af3ReleaseChoice release;                        // also in request.release
  LocalMachine local;
  std::shared_ptr<const CalibrationSet> calibrations;
  PlanRequest request;  // request.calibrations points into `calibrations`
};

// `flags`: the setting and device flags given, name -> value as written (booleans
// "true"/"false"), only those given; `environment`: the process environment; `gpus`: the
// GPU query (NVML), used only when no --gpu is named; `af3_command`: the AlphaFold 3
// command when the caller was given one (foldfit run's --af3_command), else it is looked
// for as foldfit run would (resolve_af3_release). Throws UsageError for an unknown
// flag, a bad value or a bad variable, InputError for a bad calibration file.
Planning make_planning(const std::map<std::string, std::string>& flags, std::map<std::string, std::string> environment,
                       GpuQuery& gpus, const std::optional<std::string>& af3_command = std::nullopt);

// The AlphaFold 3 release to plan for: --af3_release (`flag`) when given, else the release
// the run_alphafold.py of `af3_command` (or, without one, of the installation foldfit run
// would find in `environment`: $FOLDFIT_AF3_COMMAND, AlphaFold 3's Docker image, PATH)
// defines, else the newest tagged release. Throws UsageError for an unknown release name.
Af3ReleaseChoice resolve_af3_release(const std::optional<std::string>& flag,
                                     const std::optional<std::string>& af3_command,
                                     const std::map<std::string, std::string>& environment);

// An environment AlphaFold 3 cannot run under is an error, not a verdict: throws
// UsageError with the plan's first error finding, unless the plan cannot fit anyway.
void require_runnable(const Plan& plan);

}  // namespace foldfit
