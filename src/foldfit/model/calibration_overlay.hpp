// calibration_overlay.hpp - what a calibration overlay holds (internal to the model module).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "foldfit/model/memory_model.hpp"

namespace foldfit {

// A phase's corrected tensors are scale * model + offset.
struct PhaseCorrection {
  double scale = 1.0;
  std::int64_t offset = 0;
  int measurements = 0;  // how many measurements peaked in this phase
};

struct Calibration::Impl {
  std::string id = "uncalibrated";
  std::string profile, architecture, flash_attention;
  std::map<std::string, PhaseCorrection> phases;
  std::int64_t overhead_offset = 0;  // added to the overheads outside the pool
  double residual_relative = 0;      // largest |measured - fitted| / measured of the fit
  int measurement_count = 0;
  double held_out_residual_relative = 0;  // the same over measurements held out of the fit
  int held_out_count = 0;
  std::string measured_on;           // "10 XLA compiles (H100-80GB, deviceless)", for the band's origin
  bool pool_only = false;            // every measurement an XLA compile: it measures the pool, not the runtime
};

// Whether a measurement's source ("run", or "xla <backend>") is an XLA compile.
bool is_xla_source(const std::string& source);

// What an overlay was fitted on, from its measurements' GPUs and sources ("run", or
// "xla <backend>"): "10 XLA compiles (H100-80GB, deviceless)", "3 runs (NVIDIA A100-SXM4-40GB)".
std::string describe_measurements(const std::vector<std::pair<std::string, std::string>>& gpu_and_source);

}  // namespace foldfit
