#include "foldfit/model/calibration_fit.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "foldfit/common/error.hpp"
#include "foldfit/model/calibration_overlay.hpp"

namespace foldfit {

namespace {

struct Point {
  double x, y;  // model phase tensors, measured phase tensors
};

// Least squares y = scale * x + offset; a single distinct x gives the ratio (memory errors
// are more plausibly proportional than constant).
PhaseCorrection fit_line(const std::vector<Point>& pts) {
  double mx = 0, my = 0;
  for (const Point& p : pts) {
    mx += p.x;
    my += p.y;
  }
  mx /= static_cast<double>(pts.size());
  my /= static_cast<double>(pts.size());
  double sxx = 0, sxy = 0;
  for (const Point& p : pts) {
    sxx += (p.x - mx) * (p.x - mx);
    sxy += (p.x - mx) * (p.y - my);
  }
  PhaseCorrection c;
  c.measurements = static_cast<int>(pts.size());
  if (sxx > 1e-6 * mx * mx) {
    c.scale = sxy / sxx;
    c.offset = std::llround(my - c.scale * mx);
  } else {
    c.scale = my / mx;
  }
  if (!(c.scale > 0)) throw UsageError("the measurements give a non-positive scale; check them");
  return c;
}

nlohmann::ordered_json measurement_json(const CalibrationMeasurement& m, const std::string& peak_phase) {
  nlohmann::ordered_json j;
  j["gpu"] = m.gpu;
  j["driver"] = m.driver;
  j["jax"] = m.jax;
  j["af3"] = m.af3;
  j["date"] = m.date;
  j["padded_tokens"] = m.config.padded_tokens;
  j["num_diffusion_samples"] = m.config.num_diffusion_samples;
  j["flash_attention"] = m.config.flash_attention;
  j["pair_transition_shard_spec"] = m.config.pair_transition_shard_spec.to_string();
  j["pair_attention_chunk_size"] = m.config.pair_attention_chunk_size.to_string();
  j["save_embeddings"] = m.config.save_embeddings;
  j["save_distogram"] = m.config.save_distogram;
  j["pool_peak_bytes"] = m.pool_peak.count();
  if (m.device_peak) j["device_peak_bytes"] = m.device_peak->count();
  j["model_peak_phase"] = peak_phase;
  return j;
}

}  // namespace

CalibrationFit fit_calibration(const MemoryModel& model, const std::vector<CalibrationMeasurement>& measurements,
                               const CalibrationFitOptions& options) {
  if (measurements.empty()) throw UsageError("calibration needs at least one measurement");
  if (options.id.empty() || options.id == "uncalibrated") throw UsageError("calibration needs an id");
  for (const auto& m : measurements) {
    if (m.config.flash_attention != options.flash_attention)
      throw UsageError("measurement at " + std::to_string(m.config.padded_tokens) + " tokens used flash attention " +
                       m.config.flash_attention + ", the overlay is for " + options.flash_attention);
    if (m.pool_peak.count() <= 0) throw UsageError("measured pool peak must be positive");
  }

  // Undo the pool rounding and the persistent set, so the fit sees the phase's own bytes.
  const Calibration identity;
  std::map<std::string, std::vector<Point>> by_phase;
  std::vector<std::string> peak_of;
  double overhead_sum = 0;
  int overhead_count = 0;
  for (const auto& m : measurements) {
    MemoryEstimate e = model.estimate(m.config, identity);
    auto peak = std::find_if(e.phases.begin(), e.phases.end(), [&](const auto& p) { return p.name == e.peak_phase; });
    const double rounding = static_cast<double>(e.pool_overhead.count()) / static_cast<double>(peak->total.count());
    const double measured_tensors =
        static_cast<double>(m.pool_peak.count()) / (1.0 + rounding) - static_cast<double>(e.persistent.count());
    by_phase[e.peak_phase].push_back({static_cast<double>(peak->tensors.count()), measured_tensors});
    peak_of.push_back(e.peak_phase);
    if (m.device_peak) {
      overhead_sum += static_cast<double>((*m.device_peak - m.pool_peak - e.overhead).count());
      ++overhead_count;
    }
  }

  auto impl = std::make_shared<Calibration::Impl>();
  impl->id = options.id;
  impl->profile = model.id();
  impl->architecture = options.architecture;
  impl->flash_attention = options.flash_attention;
  impl->measurement_count = static_cast<int>(measurements.size());
  for (const auto& [phase, pts] : by_phase) impl->phases[phase] = fit_line(pts);
  if (overhead_count) impl->overhead_offset = std::llround(overhead_sum / overhead_count);

  // The residual of the fitted model over the same measurements sets the calibrated band.
  CalibrationFit fit;
  Calibration trial(impl);
  for (const auto& m : measurements) {
    MemoryEstimate e = model.estimate(m.config, trial);
    double r = std::abs(static_cast<double>((e.pool - m.pool_peak).count())) / static_cast<double>(m.pool_peak.count());
    fit.residual_relative = std::max(fit.residual_relative, r);
  }
  impl->residual_relative = fit.residual_relative;
  fit.calibration = Calibration(impl);
  fit.overhead_offset = Bytes(impl->overhead_offset);
  for (const auto& [phase, c] : impl->phases) fit.phases.push_back({phase, c.scale, Bytes(c.offset), c.measurements});

  nlohmann::ordered_json j;
  j["id"] = impl->id;
  j["profile"] = impl->profile;
  j["architecture"] = impl->architecture;
  j["flash_attention"] = impl->flash_attention;
  nlohmann::ordered_json phases = nlohmann::ordered_json::object();
  for (const auto& [phase, c] : impl->phases)
    phases[phase] = {{"scale", c.scale}, {"offset_bytes", c.offset}, {"measurements", c.measurements}};
  j["phases"] = phases;
  j["overhead_offset_bytes"] = impl->overhead_offset;
  j["residual_relative"] = impl->residual_relative;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < measurements.size(); ++i) list.push_back(measurement_json(measurements[i], peak_of[i]));
  j["measurements"] = list;
  fit.json = j.dump(2) + "\n";
  return fit;
}

}  // namespace foldfit
