#include "foldfit/run/ladder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "foldfit/common/error.hpp"

namespace foldfit {

MarginLadder::MarginLadder(PlanFn plan, Bytes step) : plan_(std::move(plan)), step_(step) {}

Rung MarginLadder::first() {
  Rung r = plan_(extra_);
  r.extra_margin = extra_;
  tried_.push_back(r.config);
  return r;
}

std::optional<Rung> MarginLadder::after_oom(const OomLesson& lesson, std::string& why_not) {
  // The model was short by at least this much for the configuration that ran out.
  Bytes shortfall(0);
  if (lesson.lower_bound && lesson.expected_peak > Bytes(0)) shortfall = *lesson.lower_bound - lesson.expected_peak;
  Bytes next = std::max(extra_ + step_, shortfall);
  // A plan that repeats a tried configuration taught nothing new: widen further, a few times.
  for (int widen = 0; widen < 4; ++widen, next += step_) {
    Rung r = plan_(next);
    r.extra_margin = next;
    if (r.verdict == "cannot_fit") {
      why_not = fmt::format("no configuration fits with {} kept free beyond the margin (learnt from out-of-memory)",
                            format_gb(next));
      return std::nullopt;
    }
    if (std::find(tried_.begin(), tried_.end(), r.config) != tried_.end()) continue;
    extra_ = next;
    tried_.push_back(r.config);
    return r;
  }
  why_not = fmt::format("the planner offers no configuration not already tried, up to {} kept free beyond the margin",
                        format_gb(next - step_));
  return std::nullopt;
}

ScriptedLadder::ScriptedLadder(std::vector<Rung> rungs) : rungs_(std::move(rungs)) {
  if (rungs_.empty()) throw UsageError("a ladder needs at least one rung");
}

std::vector<Rung> ScriptedLadder::parse(const std::string& text, const std::string& source, const LaunchConfig& base) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(SourceLocation{source, 0, 0, ""}, e.what());
  }
  if (!j.is_object() || !j.contains("rungs") || !j["rungs"].is_array() || j["rungs"].empty())
    throw InputError(SourceLocation{source, 0, 0, "rungs"}, "expected a non-empty list of rungs");
  std::vector<Rung> out;
  for (std::size_t i = 0; i < j["rungs"].size(); ++i) {
    const auto& r = j["rungs"][i];
    std::string where = fmt::format("rungs[{}]", i);
    Rung rung;
    rung.config = LaunchConfig::from_json(r.value("config", nlohmann::json::object()), source + ": " + where, base);
    rung.expected_peak = Bytes(r.value("expected_peak", std::int64_t{0}));
    rung.budget = Bytes(r.value("budget", std::int64_t{0}));
    rung.runtime.seconds = r.value("runtime_seconds", 0.0);
    rung.runtime.low = rung.runtime.high = rung.runtime.seconds;
    rung.runtime.origin = "given by " + source;
    rung.verdict = r.value("verdict", i == 0 && rung.config == base ? "fits" : "fits_with_plan");
    rung.origin = fmt::format("{} {}", source, where);
    if (r.contains("changes")) {
      for (const auto& c : r["changes"])
        rung.changes.push_back(Change{c.value("setting", ""), c.value("from", ""), c.value("to", ""), c.value("reason", ""),
                                      Bytes(c.value("saves", std::int64_t{0})), c.value("quality", "none"),
                                      c.value("speed", "none")});
    } else {
      rung.changes = changes_between(base, rung.config, "listed in " + source);
    }
    out.push_back(std::move(rung));
  }
  return out;
}

Rung ScriptedLadder::first() {
  next_ = 1;
  return rungs_.front();
}

std::optional<Rung> ScriptedLadder::after_oom(const OomLesson&, std::string& why_not) {
  if (next_ >= rungs_.size()) {
    why_not = fmt::format("all {} configurations of the ladder were tried", rungs_.size());
    return std::nullopt;
  }
  return rungs_[next_++];
}

std::vector<Change> changes_between(const LaunchConfig& from, const LaunchConfig& to, const std::string& reason) {
  std::vector<Change> out;
  for (const ConfigDifference& d : config_differences(from, to))
    out.push_back(Change{d.setting, d.from, d.to, reason, Bytes(0), "", ""});
  return out;
}

}  // namespace foldfit
