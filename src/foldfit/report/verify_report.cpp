#include "foldfit/report/verify_report.hpp"
#include "foldfit/report/sizes_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "foldfit/common/version.hpp"

namespace foldfit::report {

namespace {

// GB for AlphaFold 3's sizes; small figures (the stand-in model's, a CPU check's) stay readable.
std::string gb(Bytes b) {
  if (b.count() >= 100'000'000 || b.count() == 0) return fmt::format("{:.3f} GB", b.gb());
  if (b.count() >= 100'000) return fmt::format("{:.2f} MB", static_cast<double>(b.count()) / 1e6);
  return fmt::format("{} B", b.count());
}

std::string version_text(const nlohmann::ordered_json& v, const char* key) {
  auto it = v.find(key);
  return it == v.end() || it->is_null() ? "?" : it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

double pool_difference(const VerifyReport& r) {
  double xla = static_cast<double>(r.xla->pool.count());
  double ours = static_cast<double>(r.planned->plan.after.pool.count());
  return xla > 0 ? (xla - ours) / xla : 0;
}

std::string verify_text(const VerifyReport& r) {
  const Plan& p = r.planned->plan;
  const XlaFigures& x = *r.xla;
  const MemoryEstimate& e = p.after;
  std::string out = fmt::format("XLA verify for {}: N {}, {} sample{} per run, {} attention, {}\n",
                                r.planned->inputs.sizes.name, p.padded_tokens, p.settings.samples_per_run(),
                                p.settings.samples_per_run() == 1 ? "" : "s", p.settings.flash_attention.value, r.target);
  out += fmt::format("  compiled with: jax {}, jaxlib {}, tokamax {}; AlphaFold 3 {} ({}), {}\n",
                     version_text(x.versions, "jax"), version_text(x.versions, "jaxlib"),
                     version_text(x.versions, "tokamax"), version_text(x.versions, "af3_release"),
                     version_text(x.versions, "af3_commit"), version_text(x.versions, "af3_path"));
  out += "  planned for " + release_line(r.planned->inputs.release) + "\n";
  out += fmt::format("  compile: {:.0f} s{}\n", x.compile_seconds, x.cached ? " (cached result)" : "");
  if (x.backend == "cpu")
    out += "  note: XLA's CPU backend is a structural check, not a GPU figure: it upcasts bfloat16 and schedules "
           "for parallelism, so it overstates GPU temporaries\n";
  out += fmt::format("  {:<38} {:>12} {:>12}\n", "", "foldfit", "XLA");
  out += fmt::format("  {:<38} {:>12} {:>12}   foldfit is {:.1f}% {} XLA\n", "pool (what JAX's allocator holds)",
                     gb(e.pool), gb(x.pool), std::abs(pool_difference(r)) * 100,
                     pool_difference(r) > 0 ? "below" : "above");
  out += fmt::format("  {:<38} {:>12} {:>12}\n", "  arguments (parameters, features)", "", gb(x.argument));
  out += fmt::format("  {:<38} {:>12} {:>12}\n", "  outputs", "", gb(x.output));
  out += fmt::format("  {:<38} {:>12} {:>12}\n", "  temporaries", "", gb(x.temp));
  out += fmt::format("  {:<38} {:>12} {:>12}\n", "  aliases (outputs in argument buffers)", "", gb(x.alias));
  if (x.peak) out += fmt::format("  {:<38} {:>12} {:>12}\n", "XLA's own peak", "", gb(*x.peak));
  if (x.device_peak) out += fmt::format("  {:<38} {:>12} {:>12}\n", "device peak_bytes_in_use", "", gb(*x.device_peak));
  out += fmt::format("  {:<38} {:>12} {:>12}   not in XLA's figures: CUDA context, library workspaces (foldfit's "
                     "estimate)\n", "outside the pool", gb(e.overhead), "-");
  out += fmt::format("  foldfit's peak phase: {} ({}); band {:.1f}-{:.1f} GB ({})\n", e.peak_phase, e.calibration_id,
                     e.low.gb(), e.high.gb(), e.calibrated ? "calibrated" : "uncalibrated");
  out += x.rematerialization_warning.empty()
             ? "  XLA rematerialization: not needed (the program fits the limit it was compiled for)\n"
             : "  XLA rematerialization: " + x.rematerialization_warning + "\n";
  if (!x.largest.empty()) {
    out += "  Largest buffers live at XLA's peak:\n";
    for (const XlaBuffer& b : x.largest)
      out += fmt::format("    {:>10}  {:<24} {:<5} {:<28} {}\n", gb(b.bytes), b.shape, b.dtype,
                         b.phase.empty() ? "(no foldfit phase)" : b.phase,
                         b.name.size() > 90 ? "..." + b.name.substr(b.name.size() - 87) : b.name);
  }
  if (r.run_id) out += fmt::format("Recorded in the history as run {} (an XLA observation for foldfit calibrate).\n", *r.run_id);
  out += fmt::format("Units: GB = 10^9 bytes. Profile {}; foldfit {}.\n", e.profile_id, version());
  return out;
}

nlohmann::ordered_json verify_json(const VerifyReport& r) {
  const Plan& p = r.planned->plan;
  const XlaFigures& x = *r.xla;
  nlohmann::ordered_json j;
  j["schema"] = "foldfit.verify/1";
  j["foldfit_version"] = std::string(version());
  j["name"] = r.planned->inputs.sizes.name;
  j["af3_release"] = release_json(r.planned->inputs.release);
  j["padded_tokens"] = p.padded_tokens;
  j["target"] = r.target;
  j["settings"] = p.settings.to_json();
  j["foldfit"] = {{"pool_bytes", p.after.pool.count()},
                  {"overhead_bytes", p.after.overhead.count()},
                  {"total_bytes", p.after.total.count()},
                  {"low_bytes", p.after.low.count()},
                  {"high_bytes", p.after.high.count()},
                  {"peak_phase", p.after.peak_phase},
                  {"profile", p.after.profile_id},
                  {"calibration", p.after.calibration_id}};
  nlohmann::ordered_json buffers = nlohmann::ordered_json::array();
  for (const XlaBuffer& b : x.largest)
    buffers.push_back({{"bytes", b.bytes.count()}, {"shape", b.shape}, {"dtype", b.dtype}, {"name", b.name},
                       {"foldfit_phase", b.phase}});
  j["xla"] = {{"backend", x.backend},
              {"argument_bytes", x.argument.count()},
              {"output_bytes", x.output.count()},
              {"alias_bytes", x.alias.count()},
              {"temp_bytes", x.temp.count()},
              {"pool_bytes", x.pool.count()},
              {"peak_bytes", x.peak ? nlohmann::ordered_json(x.peak->count()) : nlohmann::ordered_json()},
              {"device_peak_bytes_in_use", x.device_peak ? nlohmann::ordered_json(x.device_peak->count()) : nlohmann::ordered_json()},
              {"compile_seconds", x.compile_seconds},
              {"cached", x.cached},
              {"rematerialization_warning", x.rematerialization_warning.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(x.rematerialization_warning)},
              {"largest_buffers", buffers},
              {"versions", x.versions}};
  j["pool_difference"] = pool_difference(r);
  j["history_run"] = r.run_id ? nlohmann::ordered_json(*r.run_id) : nlohmann::ordered_json();
  return j;
}

}  // namespace foldfit::report
