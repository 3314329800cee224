// calibrate.hpp - turning recorded runs into the measurements a calibration overlay is fitted on.
//
// The fit itself belongs to the model module (it knows the phases it corrects); this side
// collects (configuration, observed peak) pairs from the history, says what kind of
// figure each one is, hands them to the fitting function, and writes its overlay
// atomically where `foldfit estimate` reads it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "foldfit/history/database.hpp"
#include "foldfit/plan/settings.hpp"

namespace foldfit {

enum class ObservationKind {
  peak,         // the peak itself: NVML without preallocation, or XLA's own program size
  lower_bound,  // out of memory: the program needed at least this
  upper_bound,  // NVML with preallocation: the pool JAX reserved, not what it used
};
std::string_view observation_kind_name(ObservationKind k);

struct CalibrationSample {
  std::int64_t run_id = 0;
  std::string gpu;
  std::string af3_version;
  std::int64_t padded_tokens = 0;
  RunSettings settings;  // as the run was launched
  Bytes expected_peak;  // what the model said when the run was planned
  Bytes observed;
  ObservationKind kind = ObservationKind::peak;
  std::string source;   // "nvml", "xla", "oom"
};

// The samples in the history, oldest first. Rows whose configuration cannot be read
// are left out and counted in `skipped`.
std::vector<CalibrationSample> calibration_samples(const HistoryDb& db, std::size_t* skipped = nullptr);

// The fitting function: samples -> overlay file text (JSON). Throws InputError when the
// samples cannot support a fit (too few, no peaks).
using CalibrationFitFn = std::function<std::string(const std::vector<CalibrationSample>&)>;

// $XDG_DATA_HOME/foldfit/calibration.json (or ~/.local/share/...): the overlay estimate reads.
std::string default_calibration_path();

struct CalibrationResult {
  std::string path;
  std::size_t samples = 0;
  std::size_t skipped = 0;
};

// Collects the samples, fits them and writes the overlay atomically to `path`.
CalibrationResult calibrate_from_history(const HistoryDb& db, const CalibrationFitFn& fit, const std::string& path);

}  // namespace foldfit
