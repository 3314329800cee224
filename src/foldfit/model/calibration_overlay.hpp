// calibration_overlay.hpp - what a calibration overlay holds (internal to the model module).
#pragma once

#include <cstdint>
#include <map>
#include <string>

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
};

}  // namespace foldfit
