#include "foldfit/report/estimate_report.hpp"
#include "foldfit/report/sizes_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "foldfit/common/version.hpp"

namespace foldfit::report {

namespace {

std::string gb(Bytes b) { return format_gb(b); }

std::string band(const MemoryEstimate& e) {
  auto pct = [&](Bytes b) {
    return static_cast<int>(std::lround(100.0 * static_cast<double>((b - e.total).count()) /
                                        static_cast<double>(std::max<std::int64_t>(1, e.total.count()))));
  };
  return fmt::format("{:.1f}-{:.1f} GB, {} {:+d}%/{:+d}%", e.low.gb(), e.high.gb(),
                     e.calibrated ? "calibrated" : "uncalibrated", pct(e.low), pct(e.high));
}

// Categories in pipeline order; those under 5 MB are left out.
std::string categories_line(const MemoryEstimate& e) {
  static const char* kOrder[] = {"Model parameters", "Inputs",     "Embeddings", "Pairformer", "Attention",
                                 "Diffusion",        "Confidence", "Outputs",    "Overhead"};
  std::string out;
  auto add = [&](const std::string& name, Bytes bytes) {
    if (bytes < Bytes(5'000'000)) return;
    out += (out.empty() ? "" : " / ") + fmt::format("{}: {:.2f} GB", name, bytes.gb());
  };
  for (const char* name : kOrder)
    if (auto it = e.categories.find(name); it != e.categories.end()) add(name, it->second);
  for (const auto& [name, bytes] : e.categories)
    if (std::find(std::begin(kOrder), std::end(kOrder), name) == std::end(kOrder)) add(name, bytes);
  return out;
}

std::string budget_line(const MemoryBudget& b) { return fmt::format("{} for JAX ({})", gb(b.pool), b.origin); }

// What a change buys: a lower peak, or a larger pool.
std::string effect(const Change& c) {
  if (c.budget_gain > Bytes(0) && c.saves == Bytes(0)) return fmt::format("adds {:.2f} GB to JAX's pool", c.budget_gain.gb());
  return fmt::format("saves {:.2f} GB", c.saves.gb());
}

std::string runtime_line(const RuntimeEstimate& r) {
  return fmt::format("{:.0f} s ({:.0f}-{:.0f} s) without compilation; {}", r.seconds, r.low, r.high, r.origin);
}

std::string verdict_words(Verdict v) {
  switch (v) {
    case Verdict::fits: return "Yes, as given";
    case Verdict::fits_with_plan: return "Yes, with the changes above";
    case Verdict::cannot_fit: return "No";
  }
  return "?";
}

nlohmann::ordered_json estimate_object(const MemoryEstimate& e) {
  nlohmann::ordered_json j;
  j["total_bytes"] = e.total.count();
  j["low_bytes"] = e.low.count();
  j["high_bytes"] = e.high.count();
  j["pool_bytes"] = e.pool.count();
  j["overhead_bytes"] = e.overhead.count();
  j["persistent_bytes"] = e.persistent.count();
  j["peak_phase"] = e.peak_phase;
  auto& phases = j["phases"] = nlohmann::ordered_json::array();
  for (const PhaseEstimate& p : e.phases) phases.push_back({{"name", p.name}, {"category", p.category}, {"bytes", p.total.count()}});
  auto& cats = j["categories"] = nlohmann::ordered_json::object();
  for (const auto& [name, bytes] : e.categories) cats[name] = bytes.count();
  j["calibrated"] = e.calibrated;
  j["relative_uncertainty"] = e.relative_uncertainty;
  j["profile"] = e.profile_id;
  j["calibration"] = e.calibration_id;
  j["uncertainty_origin"] = e.uncertainty_origin;
  j["glu_implementation"] = e.glu_implementation;
  j["glu_origin"] = e.glu_origin;
  return j;
}

std::string host_ram_line(const Plan& p, const Device& d) {
  if (p.host_ram_needed <= Bytes(0)) return "";
  if (d.host_ram > Bytes(0))
    return fmt::format("  Host RAM: about {} spills to host RAM (unified memory); the node has {} ({})\n",
                       gb(p.host_ram_needed), gb(d.host_ram), d.host_ram_origin);
  return fmt::format("  Host RAM: about {} spills to host RAM (unified memory): the GPU's node needs that much free "
                     "(not checked: give --host_ram_gb)\n", gb(p.host_ram_needed));
}

}  // namespace

EstimateReport report_of(const PlannedInput& planned) {
  EstimateReport r;
  r.sizes = &planned.inputs.sizes;
  r.inputs = &planned.inputs;
  r.plan = &planned.plan;
  r.trade_offs = &planned.trade_offs;
  r.minimum_gpu = planned.minimum_gpu;
  r.recommended_gpu = planned.recommended_gpu;
  return r;
}

std::string estimate_text(const EstimateReport& r, bool explain) {
  const Sizes& s = *r.sizes;
  const Plan& p = *r.plan;
  const Device& d = r.inputs->device;
  std::string out = fmt::format("Memory Analysis for {}:\n", s.name);
  out += fmt::format("  Estimated tokens (with padding): {} ({} tokens{})\n", p.padded_tokens, s.tokens,
                     s.above_largest_bucket ? ", above the largest bucket" : "");
  out += fmt::format("  Number of chains: {}{}\n", s.chains, s.homomer ? " (homomer)" : "");
  out += fmt::format("  GPU: {} [{}]\n", d.spec.name.empty() ? d.origin : d.spec.name, d.origin);
  out += fmt::format("  Available GPU memory: {}; {}\n", format_gb_gib(d.total), budget_line(p.budget_before));
  if (d.spill_permitted > Bytes(0))
    out += fmt::format("  Host RAM spill allowed: up to {} beyond the card (--max_gpu_memory_gb; unified memory, "
                       "much slower)\n", gb(d.spill_permitted));
  if (d.used_by_others > Bytes(0)) {
    out += fmt::format("  Held by other processes: {}\n", format_gb_gib(d.used_by_others));
    for (const GpuProcess& gp : d.other_processes)
      out += fmt::format("    pid {} {}: {}\n", gp.pid, gp.name.empty() ? "?" : gp.name, gb(gp.used));
  }
  // The estimate with the settings as given; the plan's follows its changes.
  const MemoryEstimate& e = p.before;
  out += "Memory Estimate:\n";
  out += fmt::format("  Total: {} (range {})\n", format_gb_gib(e.total), band(e));
  out += "  " + categories_line(e) + "\n";
  out += fmt::format("  Peak phase: {} (pool {}, outside the pool {})\n", e.peak_phase, gb(e.pool), gb(e.overhead));
  if (explain) {
    out += "  Persistent (live in every phase):\n";
    for (const TensorTerm& t : e.persistent_terms)
      out += fmt::format("    {:<40} {:<16} {:<5} {:>9.3f} GB  {}\n", t.name, t.shape, t.dtype, t.bytes.gb(), t.source);
    out += "  Outside the pool:\n";
    for (const TensorTerm& t : e.overhead_terms)
      out += fmt::format("    {:<40} {:<16} {:<5} {:>9.3f} GB  {}\n", t.name, t.shape, t.dtype, t.bytes.gb(), t.source);
    out += "  Phases (pool total = persistent + phase tensors):\n";
    for (const PhaseEstimate& ph : e.phases) {
      out += fmt::format("    {:<40} {:>9.3f} GB{}\n", ph.title.empty() ? ph.name : ph.title, ph.total.gb(),
                         ph.name == e.peak_phase ? "  <- peak" : "");
      for (const TensorTerm& t : ph.terms)
        out += fmt::format("      {:<38} {:<16} {:<5} {:>9.3f} GB  {}\n", t.name, t.shape, t.dtype, t.bytes.gb(), t.source);
    }
  }
  if (p.changes.empty() && p.verdict == Verdict::cannot_fit) {
    out += "Optimization Suggestion: no change of the settings you left to foldfit makes it fit. Will fit: No\n";
  } else if (p.changes.empty()) {
    out += fmt::format("Optimization Suggestion: none needed (margin {}). Will fit: {}\n", gb(p.margin),
                       verdict_words(p.verdict));
  } else {
    out += "Optimization Suggestion:\n";
    for (const Change& c : p.changes)
      out += fmt::format("  {}: {} -> {} ({}; {}; quality: {}; speed: {})\n", c.setting, c.from, c.to, c.reason,
                         effect(c), c.quality, c.speed);
    out += fmt::format("  {}: {} (pool {}); {}. Will fit: {}\n",
                       p.verdict == Verdict::cannot_fit ? "Best attempt, with these changes" : "Estimate with these changes",
                       format_gb_gib(p.after.total), gb(p.after.pool), budget_line(p.budget), verdict_words(p.verdict));
  }
  out += host_ram_line(p, d);
  if (p.verdict == Verdict::cannot_fit) {
    for (const std::string& b : p.blocked_by) out += "  Blocked by your settings: " + b + "\n";
    out += fmt::format("  Smallest GPU in the table that fits: {}\n",
                       p.smallest_fitting_gpu.empty() ? "none" : p.smallest_fitting_gpu);
    if (!p.unified_memory_option.empty()) out += "  Or: " + p.unified_memory_option + "\n";
    out += "  Or: " + p.split_advice + "\n";
  }
  for (const EnvFinding& f : p.findings) {
    const char* sev = severity_name(f.severity);
    out += fmt::format("  Environment {}: {}{}\n", sev, f.message, f.fix.empty() ? "" : " Fix: " + f.fix);
  }
  out += fmt::format("Runtime: {}\n", runtime_line(p.runtime));
  if (!r.minimum_gpu.empty() || !r.recommended_gpu.empty())
    out += fmt::format("GPU for this input (settings as given): minimum {}, recommended {} (holds the upper end of "
                       "the range)\n",
                       r.minimum_gpu.empty() ? "none in the table" : r.minimum_gpu,
                       r.recommended_gpu.empty() ? "none in the table" : r.recommended_gpu);
  if (r.trade_offs && !r.trade_offs->empty()) {
    out += "Trade-offs for this input (one change at a time, peak from the memory model):\n";
    out += fmt::format("  {:>8} {:>8}  {}\n", "peak GB", "saves GB", "change; quality; speed");
    for (const TradeOff& t : *r.trade_offs)
      out += fmt::format("  {:>8.2f} {:>+8.2f}  {}; quality: {}; speed: {}\n", t.peak_after.gb(), t.saves.gb(), t.change,
                         t.quality, t.speed);
  }
  out += fmt::format("Band: {}.\n", e.uncertainty_origin);
  out += fmt::format("Gated linear unit: {} ({}).\n", e.glu_implementation, e.glu_origin);
  out += release_line(r.inputs->release) + ".\n";
  out += fmt::format("Units: GB = 10^9 bytes, GiB = 2^30 bytes. Profile {}; calibration {}; foldfit {}.\n",
                     e.profile_id, e.calibration_id, version());
  return out;
}

std::string estimate_row_header() {
  return fmt::format("{:<28} {:>7} {:>7} {:>10} {:>10} {:<15} {}\n", "name", "tokens", "padded", "peak GB", "budget GB",
                     "verdict", "changes");
}

std::string estimate_row(const EstimateReport& r) {
  const Plan& p = *r.plan;
  std::string changes;
  for (const Change& c : p.changes) changes += (changes.empty() ? "" : ", ") + c.setting + "=" + c.to;
  return fmt::format("{:<28} {:>7} {:>7} {:>10.2f} {:>10.2f} {:<15} {}\n", r.sizes->name, r.sizes->tokens,
                     p.padded_tokens, p.after.total.gb(), p.budget.pool.gb(),
                     verdict_name(p.verdict), changes.empty() ? "-" : changes);
}

nlohmann::ordered_json estimate_json(const EstimateReport& r) {
  const Sizes& s = *r.sizes;
  const Plan& p = *r.plan;
  const Device& d = r.inputs->device;
  nlohmann::ordered_json j;
  j["schema"] = "foldfit.estimate/1";
  j["foldfit_version"] = std::string(version());
  j["name"] = s.name;
  j["tokens"] = s.tokens;
  j["padded_tokens"] = p.padded_tokens;  // the plan's N: what AlphaFold 3 runs at
  j["padded_tokens_as_given"] = p.padded_tokens_before;
  j["chains"] = s.chains;
  j["homomer"] = s.homomer;
  j["seeds"] = s.seeds;
  j["af3_release"] = release_json(r.inputs->release);
  auto& g = j["gpu"];
  g["name"] = d.spec.name;
  g["origin"] = d.origin;
  g["detected"] = d.detected;
  g["total_bytes"] = d.total.count();
  g["budget_bytes"] = p.budget.pool.count();  // with the plan's settings
  g["budget_origin"] = p.budget.origin;
  g["budget_as_given_bytes"] = p.budget_before.pool.count();
  g["budget_host_spill_bytes"] = p.budget.host_spill.count();  // unified memory: the pool's part in host RAM
  g["used_by_others_bytes"] = d.used_by_others.count();
  g["spill_permitted_bytes"] = d.spill_permitted.count();
  g["host_ram_bytes"] = d.host_ram > Bytes(0) ? nlohmann::ordered_json(d.host_ram.count()) : nlohmann::ordered_json();
  g["host_ram_origin"] = d.host_ram_origin;
  auto& procs = g["other_processes"] = nlohmann::ordered_json::array();
  for (const GpuProcess& gp : d.other_processes) procs.push_back({{"pid", gp.pid}, {"name", gp.name}, {"bytes", gp.used.count()}});
  g["compute_capability"] = fmt::format("{}.{}", d.spec.cc_major, d.spec.cc_minor);
  j["margin_bytes"] = p.margin.count();
  j["estimate"] = estimate_object(p.before);
  j["verdict"] = std::string(verdict_name(p.verdict));
  auto& plan = j["plan"];
  auto& changes = plan["changes"] = nlohmann::ordered_json::array();
  for (const Change& c : p.changes)
    changes.push_back({{"setting", c.setting}, {"from", c.from}, {"to", c.to}, {"reason", c.reason},
                       {"saves_bytes", c.saves.count()}, {"budget_gain_bytes", c.budget_gain.count()},
                       {"quality", c.quality}, {"speed", c.speed}});
  plan["padded_tokens"] = p.padded_tokens;
  plan["settings"] = p.settings.to_json();
  plan["host_ram_needed_bytes"] = p.host_ram_needed.count();
  plan["total_bytes"] = p.after.total.count();
  plan["estimate"] = estimate_object(p.after);
  plan["runtime_seconds"] = p.runtime.seconds;
  plan["runtime_low_seconds"] = p.runtime.low;
  plan["runtime_high_seconds"] = p.runtime.high;
  plan["runtime_origin"] = p.runtime.origin;
  if (p.verdict == Verdict::cannot_fit) {
    plan["blocked_by"] = p.blocked_by;
    plan["smallest_fitting_gpu"] = p.smallest_fitting_gpu;
    plan["unified_memory_option"] = p.unified_memory_option;
    plan["split_advice"] = p.split_advice;
  }
  auto& findings = j["environment_findings"] = nlohmann::ordered_json::array();
  for (const EnvFinding& f : p.findings) {
    const char* sev = severity_name(f.severity);
    findings.push_back({{"severity", sev}, {"variable", f.variable}, {"message", f.message}, {"fix", f.fix}});
  }
  auto& to = j["trade_offs"] = nlohmann::ordered_json::array();
  if (r.trade_offs)
    for (const TradeOff& t : *r.trade_offs)
      to.push_back({{"change", t.change}, {"peak_bytes", t.peak_after.count()}, {"saves_bytes", t.saves.count()},
                  {"quality", t.quality}, {"speed", t.speed}});
  j["minimum_gpu"] = r.minimum_gpu;
  j["recommended_gpu"] = r.recommended_gpu;
  return j;
}

}  // namespace foldfit::report
