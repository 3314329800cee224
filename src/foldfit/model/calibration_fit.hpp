// calibration_fit.hpp - fitting a calibration overlay to measured peaks (foldfit calibrate).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/bytes.hpp"
#include "foldfit/model/config.hpp"
#include "foldfit/model/memory_model.hpp"

namespace foldfit {

// One AlphaFold 3 run whose peak was measured.
struct CalibrationMeasurement {
  ModelConfig config;
  Bytes pool_peak;                  // peak bytes in use inside JAX's pool (memory_stats peak_bytes_in_use)
  std::optional<Bytes> device_peak; // peak device memory used by the process (NVML), when known
  std::string gpu;                  // "NVIDIA H100 80GB HBM3"
  std::string driver;               // "550.54.15"
  std::string jax;                  // "0.10.2"
  std::string af3;                  // "3.0.4"
  std::string date;                 // "2026-05-01"
  std::string source = "run";       // what measured it: "run" (a real run), "xla cuda-deviceless", ...
};

struct CalibrationFitOptions {
  std::string id;               // e.g. "alphafold3-v3.0.4/hopper/triton/2026-05-01"
  std::string architecture;     // "hopper"
  std::string flash_attention;  // every measurement must use it
  // Measurements checked against the fitted overlay but not fitted (held out).
  std::vector<CalibrationMeasurement> held_out;
};

// How the fitted overlay does on one measurement.
struct CalibrationResidual {
  CalibrationMeasurement measurement;
  Bytes uncalibrated_pool, calibrated_pool;
  double uncalibrated_relative = 0, calibrated_relative = 0;  // (model - measured) / measured
  bool held_out = false;
};

struct PhaseFit {
  std::string phase;
  double scale = 1;
  Bytes offset;
  int measurements = 0;
};

struct CalibrationFit {
  Calibration calibration;
  std::vector<PhaseFit> phases;
  Bytes overhead_offset;
  double residual_relative = 0;           // largest |fitted pool - measured pool| / measured pool
  double held_out_residual_relative = 0;  // the same over options.held_out (0 when none)
  std::vector<CalibrationResidual> residuals;  // fitted measurements first, then the held-out ones
  std::string json;              // the overlay, in the format of data/calibration/README.md
};

// Groups the measurements by the phase the uncalibrated model puts the peak in, and fits
// measured = scale * model + offset per phase by least squares (scale only when a phase
// has a single distinct size). The overhead offset is the mean of (device - pool) minus
// the modelled overhead over the measurements that have a device peak. Held-out
// measurements are only checked: their largest residual is recorded beside the fit's own.
// Throws UsageError when there are no measurements or they mix flash implementations.
CalibrationFit fit_calibration(const MemoryModel& model, const std::vector<CalibrationMeasurement>& measurements,
                               const CalibrationFitOptions& options);

}  // namespace foldfit
