#include "foldfit/history/model_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "foldfit/common/error.hpp"
#include "foldfit/device/gpu_table.hpp"
#include "foldfit/model/calibration_fit.hpp"

namespace foldfit {

CalibrationFitFn model_calibration_fit(const MemoryModel& model) {
  return [&model](const std::vector<CalibrationSample>& samples) {
    std::map<std::pair<std::string, std::string>, std::vector<CalibrationMeasurement>> groups;
    for (const CalibrationSample& s : samples) {
      if (s.kind != ObservationKind::peak) continue;
      const GpuSpec* g = find_gpu(s.gpu);
      CalibrationMeasurement m;
      m.config = s.settings.model_config(s.padded_tokens);
      if (s.source == "nvml") {
        // NVML sees the whole process: the pool plus what lives outside it.
        m.device_peak = s.observed;
        m.pool_peak = s.observed - model.estimate(m.config, Calibration()).overhead;
      } else {
        m.pool_peak = s.observed;
      }
      m.gpu = s.gpu;
      m.af3 = s.af3_version;
      groups[{g ? g->architecture : "unknown", m.config.flash_attention}].push_back(std::move(m));
    }
    if (groups.empty())
      throw UsageError("no run in the history has a measured peak (out-of-memory runs only bound it); run foldfit run "
                       "with XLA_PYTHON_CLIENT_PREALLOCATE=false on a GPU that NVML can read, then calibrate");
    auto best = std::max_element(groups.begin(), groups.end(),
                                 [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
    const auto& [key, measurements] = *best;
    CalibrationFitOptions o;
    o.architecture = key.first;
    o.flash_attention = key.second;
    o.id = fmt::format("{}/{}/{}/history ({} runs)", model.id(), key.first, key.second, measurements.size());
    return fit_calibration(model, measurements, o).json;
  };
}

}  // namespace foldfit
