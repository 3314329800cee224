#include "foldfit/report/stage_report.hpp"
#include "foldfit/report/sizes_report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "foldfit/common/version.hpp"
#include "foldfit/report/estimate_report.hpp"

namespace foldfit::report {

namespace {

std::string seconds(const RuntimeEstimate& r) { return fmt::format("{:.0f} s ({:.0f}-{:.0f} s)", r.seconds, r.low, r.high); }

// What staging changes, in words every report carries.
std::string memory_statement(const StagingPlan& p) {
  const PlannedStage& last = p.stages.back();
  if (last.staged.copies != p.full)
    return fmt::format("the last stage holds {} of {} copies, not the full complex; the full complex needs its own "
                       "memory whatever the stages before it",
                       last.staged.copies, p.full);
  std::string out = fmt::format(
      "the last stage is the full complex and needs the full complex's memory ({}): staging does not reduce the "
      "memory a fold needs. A template changes no memory either: AlphaFold 3 embeds its 4 template slots whether "
      "they hold one or not (profile: WholePdbPipeline.Config.max_templates)",
      format_gb(last.planned.plan.after.total));
  if (last.planned.plan.verdict == Verdict::cannot_fit)
    out += fmt::format(". It cannot fit {}, staged or not", last.planned.inputs.device.origin);
  return out;
}

std::string offer_statement(const RecyclesOffer& o) {
  if (o.user_set)
    return fmt::format("--num_recycles={} is yours and is kept; the earlier stages cost {}", o.from, seconds(o.earlier));
  if (o.to >= o.from) return fmt::format("the last stage already runs {} recycles: nothing to offer", o.from);
  return fmt::format("with the template from the stage before it, the last stage may converge in fewer recycles: "
                     "--num_recycles={} instead of {} takes it from {} to {}, saving {:.0f} s; the earlier stages "
                     "cost {}, so staging {} {:.0f} s in all (runtime model, without compilation). {} is {}",
                     o.to, o.from, seconds(o.last_before), seconds(o.last_after), o.saving_seconds, seconds(o.earlier),
                     o.net_seconds >= 0 ? "saves" : "costs", std::abs(o.net_seconds), o.to, o.to_origin);
}

}  // namespace

std::string stage_text(const StagingPlan& p, const std::vector<std::string>& written) {
  std::string out = fmt::format("Staged folding of {} ({}): {} stages up to {} of {} copies\n", p.name, p.file,
                                p.stages.size(), p.stages.back().staged.copies, p.full);
  out += "Entities:\n";
  for (const std::string& g : p.groups) out += "  " + g + "\n";
  for (std::size_t i = 0; i < p.stages.size(); ++i) {
    const PlannedStage& s = p.stages[i];
    const Plan& plan = s.planned.plan;
    out += fmt::format("\nStage {}: {} cop{} -> {}\n", i + 1, s.staged.copies, s.staged.copies == 1 ? "y" : "ies",
                       s.file_name);
    for (const std::string& g : s.staged.per_group) out += "  " + g + "\n";
    if (s.staged.bonds_kept + s.staged.bonds_dropped > 0)
      out += fmt::format("  bonds: {} kept, {} dropped with their chains\n", s.staged.bonds_kept, s.staged.bonds_dropped);
    out += fmt::format("  tokens {} -> padded {}; peak {} ({:.1f}-{:.1f} GB); {} on {}\n", s.planned.inputs.sizes.tokens,
                       plan.padded_tokens, format_gb(plan.after.total), plan.after.low.gb(), plan.after.high.gb(),
                       verdict_name(plan.verdict), s.planned.inputs.device.origin);
    for (const Change& c : plan.changes) out += fmt::format("  plan: {}: {} -> {} ({})\n", c.setting, c.from, c.to, c.reason);
    out += fmt::format("  runtime {} at {} recycles\n", seconds(plan.runtime), plan.settings.num_recycles.value);
    if (i > 0) {
      Input previous;
      previous.name = p.stages[i - 1].staged.name;
      out += fmt::format("  templates: foldfit template --json_path={} --model=<output dir>/{}/{}_model.cif --output=...\n",
                         s.file_name, previous.sanitised_name(), previous.sanitised_name());
    }
  }
  out += "\nWhat staging changes:\n  Memory: " + memory_statement(p) + ".\n  Time: " + offer_statement(p.offer) + ".\n";
  const SubAssemblyAdvice& a = p.subassemblies;
  if (!a.why.empty()) {
    out += "\nSub-assemblies: " + a.why + ".\n";
    if (a.needed) {
      if (a.copies > 0)
        out += fmt::format("  largest part that fits: {} copies ({} tokens, peak {}, {})\n", a.copies,
                           a.planned.inputs.sizes.tokens, format_gb(a.planned.plan.after.total),
                           verdict_name(a.planned.plan.verdict));
      for (const SubAssembly& w : a.windows)
        out += fmt::format("  {}: chains {}{} -> {}\n", w.name, fmt::join(w.chains, ","),
                           w.overlap.empty() ? "" : fmt::format(" (overlap {})", fmt::join(w.overlap, ",")), w.file_name);
      out += "  " + a.instructions + ".\n";
    }
  }
  out += release_line(p.release) + "\n";
  if (!written.empty()) {
    out += "\nWritten:\n";
    for (const std::string& f : written) out += "  " + f + "\n";
  }
  return out;
}

nlohmann::ordered_json stage_json(const StagingPlan& p, const std::vector<std::string>& written) {
  nlohmann::ordered_json j;
  j["schema"] = "foldfit.stage/1";
  j["foldfit_version"] = version();
  j["file"] = p.file;
  j["name"] = p.name;
  j["af3_release"] = release_json(p.release);
  j["full_copies"] = p.full;
  j["entities"] = p.groups;
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  for (const PlannedStage& s : p.stages) {
    nlohmann::ordered_json st;
    st["copies"] = s.staged.copies;
    st["name"] = s.staged.name;
    st["file_name"] = s.file_name;
    st["chains_kept"] = s.staged.kept;
    st["chains_dropped"] = s.staged.dropped;
    st["entities"] = s.staged.per_group;
    st["bonds_kept"] = s.staged.bonds_kept;
    st["bonds_dropped"] = s.staged.bonds_dropped;
    st["estimate"] = estimate_json(report_of(s.planned));
    stages.push_back(std::move(st));
  }
  j["stages"] = std::move(stages);
  nlohmann::ordered_json change;
  change["memory"] = memory_statement(p);
  change["last_stage_peak_bytes"] = p.stages.back().planned.plan.after.total.count();
  change["last_stage_is_full_complex"] = p.stages.back().staged.copies == p.full;
  const RecyclesOffer& o = p.offer;
  nlohmann::ordered_json offer;
  offer["user_set"] = o.user_set;
  offer["num_recycles_from"] = o.from;
  offer["num_recycles_to"] = o.to;
  offer["num_recycles_to_origin"] = o.to_origin;
  offer["last_stage_seconds_before"] = o.last_before.seconds;
  offer["last_stage_seconds_after"] = o.last_after.seconds;
  offer["earlier_stages_seconds"] = o.earlier.seconds;
  offer["saving_seconds"] = o.saving_seconds;
  offer["net_seconds"] = o.net_seconds;
  offer["origin"] = o.last_before.origin;
  offer["statement"] = offer_statement(o);
  change["recycles"] = std::move(offer);
  j["what_staging_changes"] = std::move(change);
  const SubAssemblyAdvice& a = p.subassemblies;
  nlohmann::ordered_json sub;
  sub["checked"] = !a.why.empty();
  sub["needed"] = a.needed;
  sub["why"] = a.why;
  sub["copies"] = a.copies;
  if (a.copies > 0) {
    sub["tokens"] = a.planned.inputs.sizes.tokens;
    sub["peak_bytes"] = a.planned.plan.after.total.count();
    sub["verdict"] = verdict_name(a.planned.plan.verdict);
  }
  nlohmann::ordered_json windows = nlohmann::ordered_json::array();
  for (const SubAssembly& w : a.windows)
    windows.push_back({{"name", w.name}, {"file_name", w.file_name}, {"chains", w.chains}, {"overlap", w.overlap}});
  sub["windows"] = std::move(windows);
  sub["instructions"] = a.instructions;
  j["subassemblies"] = std::move(sub);
  j["written"] = written;
  return j;
}

}  // namespace foldfit::report
