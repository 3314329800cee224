// planning.hpp - the flags of every command that plans, declared once: the setting flags
// and the device flags become the one PlanRequest through the library's make_planning
// (plan/planning.hpp), with this process's environment and NVML.
#pragma once

#include <vector>

#include "foldfit/plan/planning.hpp"
#include "options.hpp"

namespace foldfit::cli {

// The setting flags (AlphaFold 3's memory-relevant flags and the model-config fields)
// and the device flags, declared once for every command that plans.
std::vector<OptionSpec> setting_option_specs();
std::vector<OptionSpec> device_option_specs();
// The options of every command that plans: the inputs (inputs.hpp), then the settings,
// then the device.
std::vector<OptionSpec> planning_option_specs();

// Reads the setting and device flags of `options` and the process environment. Throws
// UsageError for a bad flag or environment variable, InputError for a bad calibration file.
Planning planning_from(const ParsedOptions& options);

// foldfit run passes flags to every run that releases before v3.0.2 lack: a UsageError
// naming them for such a release.
void require_launchable(const Af3ReleaseChoice& release);

}  // namespace foldfit::cli
