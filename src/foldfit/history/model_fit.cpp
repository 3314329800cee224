#include "foldfit/history/model_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "foldfit/common/error.hpp"
#include "foldfit/device/gpu_table.hpp"
#include "foldfit/model/glu.hpp"
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
      // The GLU the run's GPU and AlphaFold 3 ran (a version foldfit cannot read counts
      // as not identified).
      GluChoice glu;
      try {
        glu = glu_for(g ? g->cc_major : 0, g ? g->cc_minor : 0, s.af3_version);
      } catch (const UsageError&) {
        glu = glu_for(g ? g->cc_major : 0, g ? g->cc_minor : 0, "");
      }
      m.config.glu_implementation = glu.implementation;
      m.config.glu_origin = glu.why;
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

std::vector<XlaOverlayFit> fit_xla_table(const MemoryModel& model, const std::vector<XlaCompile>& compiles,
                                         const std::string& table, const std::vector<std::int64_t>& fit_tokens) {
  std::map<std::pair<std::string, std::string>, std::vector<const XlaCompile*>> groups;
  for (const XlaCompile& c : compiles) {
    if (!c.gpu()) continue;
    const GpuSpec* g = find_gpu(c.target);
    if (!g)
      throw InputError(SourceLocation{table, c.line, 0, "target"},
                       "unknown GPU '" + c.target + "' (names as in data/gpus.tsv)");
    groups[{g->architecture, c.measurement.config.flash_attention}].push_back(&c);
  }
  if (groups.empty()) throw UsageError(table + ": no GPU compile to calibrate on (backend cpu rows are never used)");

  std::vector<XlaOverlayFit> out;
  for (const auto& [key, rows] : groups) {
    std::set<std::int64_t> sizes;
    for (const XlaCompile* c : rows) sizes.insert(c->measurement.config.padded_tokens);
    std::set<std::int64_t> fitted;
    if (fit_tokens.empty()) {
      bool take = true;
      for (std::int64_t n : sizes) {
        if (take) fitted.insert(n);
        take = !take;
      }
    } else {
      for (std::int64_t n : fit_tokens)
        if (sizes.count(n)) fitted.insert(n);
    }
    if (fitted.empty()) continue;
    XlaOverlayFit o;
    o.architecture = key.first;
    o.flash_attention = key.second;
    std::vector<CalibrationMeasurement> fit_on;
    CalibrationFitOptions options;
    std::string last_date;
    for (const XlaCompile* c : rows) {
      last_date = std::max(last_date, c->measurement.date);
      (fitted.count(c->measurement.config.padded_tokens) ? fit_on : options.held_out).push_back(c->measurement);
    }
    o.fitted_tokens.assign(fitted.begin(), fitted.end());
    for (std::int64_t n : sizes)
      if (!fitted.count(n)) o.held_out_tokens.push_back(n);
    options.architecture = key.first;
    options.flash_attention = key.second;
    options.id = fmt::format("{}/{}/{}/xla {}", model.id(), key.first, key.second, last_date);
    o.fit = fit_calibration(model, fit_on, options);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace foldfit
