// planning.hpp - where every command that plans meets the world, once: its flags and the
// process environment become settings (read_settings), NVML and host RAM a Device
// (resolve_device), the calibration file a CalibrationSet. The result is the one
// PlanRequest that estimate, run and verify hand to plan_input.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "foldfit/plan/pipeline.hpp"
#include "foldfit/plan/resolve_device.hpp"
#include "options.hpp"

namespace foldfit::cli {

// Default safety margin kept free in the JAX pool (docs/planner.md).
inline constexpr double kDefaultMarginGb = 1.0;

// The setting flags (AlphaFold 3's memory-relevant flags and the model-config fields)
// and the device flags, declared once for every command that plans.
std::vector<OptionSpec> setting_option_specs();
std::vector<OptionSpec> device_option_specs();
// The options of every command that plans: the inputs (inputs.hpp), then the settings,
// then the device.
std::vector<OptionSpec> planning_option_specs();

struct Planning {
  std::map<std::string, std::string> environment;  // this process's
  LocalMachine local;
  std::shared_ptr<const CalibrationSet> calibrations;
  PlanRequest request;  // request.calibrations points into `calibrations`
};

// Reads the setting and device flags of `options` and the process environment. Throws
// UsageError for a bad flag or environment variable, InputError for a bad calibration file.
Planning planning_from(const ParsedOptions& options);

}  // namespace foldfit::cli
