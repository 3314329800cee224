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

// Least squares y = scale * x + offset in relative terms (each point weighted by 1/y^2,
// so that small sizes count as much as large ones: the residual that matters is
// relative); a single distinct x gives the ratio (memory errors are more plausibly
// proportional than constant).
PhaseCorrection fit_line(const std::vector<Point>& pts) {
  double w = 0, mx = 0, my = 0;
  for (const Point& p : pts) {
    const double wi = 1.0 / (p.y * p.y);
    w += wi;
    mx += wi * p.x;
    my += wi * p.y;
  }
  mx /= w;
  my /= w;
  double sxx = 0, sxy = 0;
  for (const Point& p : pts) {
    const double wi = 1.0 / (p.y * p.y);
    sxx += wi * (p.x - mx) * (p.x - mx);
    sxy += wi * (p.x - mx) * (p.y - my);
  }
  PhaseCorrection c;
  c.measurements = static_cast<int>(pts.size());
  if (sxx / w > 1e-6 * mx * mx) {  // the weighted variance of x: more than one distinct size
    c.scale = sxy / sxx;
    c.offset = std::llround(my - c.scale * mx);
  } else {
    c.scale = my / mx;
  }
  if (!(c.scale > 0)) throw UsageError("the measurements give a non-positive scale; check them");
  return c;
}

// As fit_line, subject to scale * x + offset <= y at every bound: a measured pool is the
// largest phase, so a corrected phase may not exceed it where another phase peaked (else
// a line fitted on large sizes, extrapolated down, would overtake the small sizes' peak).
// The constrained optimum has one bound active: the line pivots on it.
PhaseCorrection fit_bounded_line(const std::vector<Point>& pts, const std::vector<Point>& bounds) {
  auto feasible = [&](double scale, double offset) {
    for (const Point& b : bounds)
      if (scale * b.x + offset > b.y + 1.0) return false;
    return true;
  };
  auto sse = [&](double scale, double offset) {
    double e = 0;
    for (const Point& p : pts) e += (p.y - scale * p.x - offset) * (p.y - scale * p.x - offset) / (p.y * p.y);
    return e;
  };
  PhaseCorrection best = fit_line(pts);
  if (feasible(best.scale, static_cast<double>(best.offset))) return best;
  double best_error = -1;
  for (const Point& pivot : bounds) {
    double sxx = 0, sxy = 0;
    for (const Point& p : pts) {
      sxx += (p.x - pivot.x) * (p.x - pivot.x) / (p.y * p.y);
      sxy += (p.x - pivot.x) * (p.y - pivot.y) / (p.y * p.y);
    }
    if (sxx <= 0) continue;
    const double scale = sxy / sxx, offset = pivot.y - scale * pivot.x;
    if (!(scale > 0) || !feasible(scale, offset)) continue;
    if (best_error < 0 || sse(scale, offset) < best_error) {
      best_error = sse(scale, offset);
      best.scale = scale;
      best.offset = static_cast<std::int64_t>(std::floor(offset));
    }
  }
  if (best_error < 0) {  // no pivot is feasible: keep the scale, lower the offset
    for (const Point& b : bounds)
      best.offset = std::min(best.offset, static_cast<std::int64_t>(std::floor(b.y - best.scale * b.x)));
  }
  return best;
}

nlohmann::ordered_json measurement_json(const CalibrationMeasurement& m, const std::string& peak_phase) {
  nlohmann::ordered_json j;
  j["gpu"] = m.gpu;
  j["driver"] = m.driver;
  j["jax"] = m.jax;
  j["af3"] = m.af3;
  j["date"] = m.date;
  j["source"] = m.source;
  j["padded_tokens"] = m.config.padded_tokens;
  j["num_diffusion_samples"] = m.config.num_diffusion_samples;
  j["flash_attention"] = m.config.flash_attention;
  j["pair_transition_shard_spec"] = m.config.pair_transition_shard_spec.to_string();
  j["pair_attention_chunk_size"] = m.config.pair_attention_chunk_size.to_string();
  j["save_embeddings"] = m.config.save_embeddings;
  j["save_distogram"] = m.config.save_distogram;
  j["glu_implementation"] = m.config.glu_implementation;
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
  std::vector<MemoryEstimate> uncalibrated;
  std::vector<double> measured_of;
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
    measured_of.push_back(measured_tensors);
    uncalibrated.push_back(std::move(e));
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
  for (const auto& [phase, pts] : by_phase) {
    std::vector<Point> bounds;  // the same phase at the measurements that peaked elsewhere
    for (std::size_t i = 0; i < measurements.size(); ++i) {
      if (peak_of[i] == phase) continue;
      for (const PhaseEstimate& p : uncalibrated[i].phases)
        if (p.name == phase) bounds.push_back({static_cast<double>(p.tensors.count()), measured_of[i]});
    }
    impl->phases[phase] = fit_bounded_line(pts, bounds);
  }
  if (overhead_count) impl->overhead_offset = std::llround(overhead_sum / overhead_count);

  // The residual of the fitted model over the same measurements, and over the held-out
  // ones, sets the calibrated band.
  CalibrationFit fit;
  Calibration trial(impl);
  auto check = [&](const CalibrationMeasurement& m, bool held_out) {
    CalibrationResidual r{m, model.estimate(m.config, identity).pool, model.estimate(m.config, trial).pool, 0, 0, held_out};
    const double measured = static_cast<double>(m.pool_peak.count());
    r.uncalibrated_relative = static_cast<double>((r.uncalibrated_pool - m.pool_peak).count()) / measured;
    r.calibrated_relative = static_cast<double>((r.calibrated_pool - m.pool_peak).count()) / measured;
    double& worst = held_out ? fit.held_out_residual_relative : fit.residual_relative;
    worst = std::max(worst, std::abs(r.calibrated_relative));
    fit.residuals.push_back(std::move(r));
  };
  for (const auto& m : measurements) check(m, false);
  for (const auto& m : options.held_out) {
    if (m.pool_peak.count() <= 0) throw UsageError("measured pool peak must be positive");
    check(m, true);
  }
  impl->residual_relative = fit.residual_relative;
  impl->held_out_residual_relative = fit.held_out_residual_relative;
  impl->held_out_count = static_cast<int>(options.held_out.size());
  std::vector<std::pair<std::string, std::string>> described;
  for (const auto& m : measurements) described.emplace_back(m.gpu, m.source);
  impl->measured_on = describe_measurements(described);
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
  if (!options.held_out.empty()) {
    nlohmann::ordered_json held = nlohmann::ordered_json::array();
    for (const CalibrationMeasurement& m : options.held_out)
      held.push_back(measurement_json(m, model.estimate(m.config, identity).peak_phase));
    j["held_out"] = {{"residual_relative", impl->held_out_residual_relative}, {"measurements", held}};
  }
  fit.json = j.dump(2) + "\n";
  return fit;
}

}  // namespace foldfit
