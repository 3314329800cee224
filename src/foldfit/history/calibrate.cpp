#include "foldfit/history/calibrate.hpp"

#include <cstdlib>

#include "foldfit/common/error.hpp"
#include "foldfit/common/atomic_file.hpp"

namespace foldfit {

std::string_view observation_kind_name(ObservationKind k) {
  switch (k) {
    case ObservationKind::peak: return "peak";
    case ObservationKind::lower_bound: return "lower_bound";
    case ObservationKind::upper_bound: return "upper_bound";
  }
  return "unknown";
}

std::vector<CalibrationSample> calibration_samples(const HistoryDb& db, std::size_t* skipped) {
  std::vector<CalibrationSample> out;
  std::size_t bad = 0;
  for (const StoredRun& s : db.observations()) {
    const RunRecord& r = s.record;
    // XLA's CPU backend upcasts bfloat16 and schedules for parallelism: never a GPU figure.
    if (r.observed_source == "xla-cpu") continue;
    CalibrationSample c;
    try {
      nlohmann::json j = nlohmann::json::parse(r.config_json);
      if (!j.contains("settings")) throw std::invalid_argument("no settings recorded");
      c.settings = RunSettings::from_json(j.at("settings"), "run " + std::to_string(r.id));
    } catch (const std::exception&) {
      ++bad;
      continue;
    }
    c.run_id = r.id;
    c.gpu = r.gpu;
    c.af3_version = r.af3_version;
    c.padded_tokens = r.padded_tokens;
    c.expected_peak = r.expected_peak;
    c.observed = *r.observed_peak;
    c.source = r.observed_source;
    if (r.observed_is_lower_bound) c.kind = ObservationKind::lower_bound;
    else if (r.observed_source == "nvml" && r.preallocated) c.kind = ObservationKind::upper_bound;
    else c.kind = ObservationKind::peak;
    out.push_back(std::move(c));
  }
  if (skipped) *skipped = bad;
  return out;
}

std::string default_calibration_path() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/foldfit/calibration.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/foldfit/calibration.json";
}

CalibrationResult calibrate_from_history(const HistoryDb& db, const CalibrationFitFn& fit, const std::string& path) {
  CalibrationResult result;
  result.path = path;
  std::vector<CalibrationSample> samples = calibration_samples(db, &result.skipped);
  result.samples = samples.size();
  if (samples.empty())
    throw InputError(SourceLocation{db.path(), 0, 0, ""}, "no recorded run has an observed peak to calibrate on");
  replace_file_atomically(path, fit(samples));
  return result;
}

}  // namespace foldfit
