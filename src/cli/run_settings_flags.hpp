// run_settings_flags.hpp - AlphaFold 3's memory-relevant flags and foldfit's device flags,
// shared by estimate and run; every flag the user gives is marked user-set.
#pragma once

#include <vector>

#include "foldfit/plan/resolve_device.hpp"
#include "foldfit/plan/settings.hpp"
#include "foldfit/sizes/sizes.hpp"
#include "options.hpp"

namespace foldfit::cli {

// Default safety margin kept free in the JAX pool (docs/planner.md).
inline constexpr double kDefaultMarginGb = 1.0;

std::vector<OptionSpec> run_settings_option_specs();
std::vector<OptionSpec> device_option_specs();

RunSettings run_settings_from(const ParsedOptions& options, const SizeOptions& size_options);
DeviceRequest device_request_from(const ParsedOptions& options);
Bytes margin_from(const ParsedOptions& options);

}  // namespace foldfit::cli
