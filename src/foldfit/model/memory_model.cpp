#include "foldfit/model/memory_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "foldfit/common/embedded.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/model/calibration_overlay.hpp"
#include "foldfit/model/profile.hpp"

namespace foldfit {

namespace {

// The bytes of one profile tensor under a configuration; nullopt when its condition is false.
// With global_config.bfloat16 = 'none' AlphaFold 3 keeps activations in float32
// (model/model.py, network/evoformer.py: dtype = bfloat16 only when 'all').
std::optional<TensorTerm> evaluate_tensor(const ProfileTensor& t, const expr::Bindings& b, const Profile& p,
                                          bool full_precision) {
  try {
    if (t.when && !t.when->evaluate_bool(b)) return std::nullopt;
    bool widened = full_precision && t.dtype == "bf16";
    std::int64_t bytes = 0;
    if (__builtin_mul_overflow(t.shape.elements(b), std::int64_t{widened ? 4 : t.dtype_bytes}, &bytes))
      throw expr::ExpressionError("integer overflow");
    return TensorTerm{t.name, t.shape_text, widened ? "f32" : t.dtype, Bytes(bytes), t.source, t.category};
  } catch (const expr::ExpressionError& e) {
    // Shapes were checked when the profile loaded; only extreme sizes reach here.
    throw UsageError(p.file + ": tensor '" + t.name + "': " + e.what());
  }
}

// 0.0213 -> "2.1%".
std::string percent(double fraction) { return fmt::format("{:.1f}%", 100.0 * fraction); }

Bytes sum(const std::vector<TensorTerm>& terms) {
  Bytes total;
  for (const TensorTerm& t : terms) total += t.bytes;
  return total;
}

}  // namespace

MemoryModel::MemoryModel(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

const MemoryModel& MemoryModel::builtin() {
  static const MemoryModel model =
      from_text(std::string(embedded::profile_alphafold3_v3_0_4_json()), "data/profiles/alphafold3-v3.0.4.json");
  return model;
}

MemoryModel MemoryModel::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0, ""}, "cannot read profile file");
  std::ostringstream text;
  text << in.rdbuf();
  return from_text(text.str(), path);
}

MemoryModel MemoryModel::from_text(const std::string& text, const std::string& source) {
  return MemoryModel(std::make_shared<const Impl>(Impl{parse_profile(text, source)}));
}

const std::string& MemoryModel::id() const { return impl_->profile.id; }
int MemoryModel::version() const { return impl_->profile.version; }
std::string MemoryModel::display_id() const { return id() + " (profile " + std::to_string(version()) + ")"; }

ModelConfig MemoryModel::default_config(std::int64_t padded_tokens) const {
  ModelConfig c = impl_->profile.defaults;
  c.padded_tokens = padded_tokens;
  return c;
}

std::vector<std::string> MemoryModel::phase_names() const {
  std::vector<std::string> names;
  for (const ProfilePhase& phase : impl_->profile.phases) names.push_back(phase.name);
  return names;
}

MemoryEstimate MemoryModel::estimate(const ModelConfig& config, const Calibration& calibration) const {
  const Profile& p = impl_->profile;
  const Calibration::Impl& cal = calibration.impl();
  if (!calibration.empty() && cal.profile != p.id)
    throw UsageError("calibration '" + cal.id + "' is for profile " + cal.profile + ", not " + p.id);
  for (const auto& entry : cal.phases) {
    const std::string& name = entry.first;  // a named variable: clang 14 cannot capture structured bindings
    if (std::none_of(p.phases.begin(), p.phases.end(), [&](const ProfilePhase& x) { return x.name == name; }))
      throw InputError(SourceLocation{cal.id, 0, 0, "phases." + name}, "profile " + p.id + " has no such phase");
  }

  const expr::Bindings bindings = bind_config(p, config);
  MemoryEstimate e;
  e.profile_id = display_id();
  e.calibration_id = cal.id;
  e.glu_implementation = config.glu_implementation;
  e.glu_origin = config.glu_origin.empty() ? "given with the model config, not chosen for a GPU" : config.glu_origin;
  e.calibrated = !calibration.empty();

  // 1. The persistent set: live in every phase.
  for (const ProfileTensor& t : p.persistent)
    if (auto term = evaluate_tensor(t, bindings, p, config.bfloat16 == "none")) e.persistent_terms.push_back(*term);
  e.persistent = sum(e.persistent_terms);

  // 2. Each phase's own tensors, corrected by the overlay, on top of the persistent set.
  for (const ProfilePhase& phase : p.phases) {
    PhaseEstimate pe{phase.name, phase.title, phase.category, Bytes(), Bytes(), {}};
    for (const ProfileTensor& t : phase.tensors)
      if (auto term = evaluate_tensor(t, bindings, p, config.bfloat16 == "none")) pe.terms.push_back(*term);
    Bytes raw = sum(pe.terms);
    if (auto c = cal.phases.find(phase.name); c != cal.phases.end()) {
      Bytes corrected = raw.scaled(c->second.scale) + Bytes(c->second.offset);
      pe.terms.push_back(TensorTerm{"calibration correction", "", "bytes", corrected - raw, "calibration " + cal.id,
                                    phase.category});
    }
    pe.tensors = sum(pe.terms);
    pe.total = e.persistent + pe.tensors;
    e.phases.push_back(std::move(pe));
  }

  // 3. The pool holds the largest phase plus the allocator's rounding.
  auto peak = std::max_element(e.phases.begin(), e.phases.end(),
                               [](const PhaseEstimate& a, const PhaseEstimate& b) { return a.total < b.total; });
  e.peak_phase = peak->name;
  for (const ProfileOverhead& o : p.pool_overheads) {
    Bytes b = peak->total.scaled(o.fraction_of_pool);
    e.pool_overhead_terms.push_back(TensorTerm{o.name, "", "bytes", b, o.source + " [" + o.status + "]", "Overhead"});
  }
  e.pool_overhead = sum(e.pool_overhead_terms);
  e.pool = peak->total + e.pool_overhead;

  // 4. Outside the pool: CUDA context and library workspaces.
  for (const ProfileOverhead& o : p.overheads)
    e.overhead_terms.push_back(TensorTerm{o.name, "", "bytes", o.bytes, o.source + " [" + o.status + "]", "Overhead"});
  if (cal.overhead_offset != 0)
    e.overhead_terms.push_back(
        TensorTerm{"calibration correction", "", "bytes", Bytes(cal.overhead_offset), "calibration " + cal.id, "Overhead"});
  e.overhead = sum(e.overhead_terms);
  e.total = e.pool + e.overhead;

  // 5. What the peak is made of.
  for (const std::string& c : p.categories) e.categories[c] = Bytes();
  for (const TensorTerm& t : e.persistent_terms) e.categories[t.category] += t.bytes;
  for (const TensorTerm& t : peak->terms) e.categories[t.category] += t.bytes;
  e.categories["Overhead"] += e.pool_overhead + e.overhead;

  // 6. The band: the profile's policy until calibrated, the fit's residual after.
  double low = p.uncertainty.uncalibrated_low, high = p.uncertainty.uncalibrated_high;
  if (e.calibrated) {
    low = high = std::max({cal.residual_relative, cal.held_out_residual_relative, p.uncertainty.calibrated_floor});
    e.uncertainty_origin = "calibrated on " + cal.measured_on + ", max residual " + percent(cal.residual_relative);
    if (cal.held_out_count > 0)
      e.uncertainty_origin += ", " + percent(cal.held_out_residual_relative) + " on " +
                              std::to_string(cal.held_out_count) + " held out";
    if (low > std::max(cal.residual_relative, cal.held_out_residual_relative))
      e.uncertainty_origin += " (band: the profile's floor, " + percent(low) + ")";
    e.uncertainty_origin += " [" + cal.id + "]";
  } else {
    e.uncertainty_origin = "uncalibrated: " + p.uncertainty.why;
  }
  if (e.calibrated && cal.pool_only) {
    // XLA's compiles measure JAX's pool only; what the runtime holds outside it is still the
    // profile's estimate, with the uncalibrated band.
    const double ol = p.uncertainty.uncalibrated_low, oh = p.uncertainty.uncalibrated_high;
    e.low = e.pool.scaled(1.0 - low) + e.overhead.scaled(1.0 - ol);
    e.high = e.pool.scaled(1.0 + high) + e.overhead.scaled(1.0 + oh);
    e.uncertainty_origin += "; XLA's compiled pool only: the " + format_gb(e.overhead) +
                            " outside it (CUDA context, library workspaces) is an estimate no GPU has measured, -" +
                            percent(ol) + "/+" + percent(oh);
  } else {
    e.low = e.total.scaled(1.0 - low);
    e.high = e.total.scaled(1.0 + high);
  }
  e.relative_uncertainty =
      static_cast<double>((e.high - e.total).count()) / static_cast<double>(std::max<std::int64_t>(1, e.total.count()));
  return e;
}

}  // namespace foldfit
