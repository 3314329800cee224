#include "foldfit/run/planned_ladder.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace foldfit {

namespace {

// A ladder of one rung: the settings as the user gave them, with the model's figures.
class AsGivenLadder final : public Ladder {
 public:
  explicit AsGivenLadder(Rung rung) : rung_(std::move(rung)) {}
  Rung first() override { return rung_; }
  std::optional<Rung> after_oom(const OomLesson&, std::string& why_not) override {
    why_not = "automatic memory optimization is off (--noauto_memory_optimization)";
    return std::nullopt;
  }

 private:
  Rung rung_;
};

}  // namespace

Rung rung_from_plan(const Plan& plan) {
  Rung r;
  r.settings = plan.settings;
  r.changes = plan.changes;
  r.verdict = std::string(verdict_name(plan.verdict));
  r.padded_tokens = plan.padded_tokens;
  r.expected_peak = plan.after.total;
  r.budget = plan.budget.pool;
  r.runtime = plan.runtime;
  r.origin = fmt::format("planner, {} {}", plan.after.profile_id, plan.after.calibration_id);
  for (const EnvFinding& f : plan.findings)
    if (f.severity != EnvFinding::Severity::note) r.notes.push_back(f.message + (f.fix.empty() ? "" : " (" + f.fix + ")"));
  if (plan.host_ram_needed > Bytes(0))
    r.notes.push_back(fmt::format("unified memory: about {} spills to host RAM; spilled steps run much slower",
                                  format_gb(plan.host_ram_needed)));
  for (const std::string& b : plan.blocked_by) r.notes.push_back("blocked by your setting: " + b);
  return r;
}

std::unique_ptr<Ladder> make_planned_ladder(const Sizes& sizes, PlanRequest request) {
  request.details = false;
  Bytes step = std::max(Bytes::from_gb(1), request.device.total.scaled(0.05));
  auto plan = [sizes, request](Bytes extra) { return rung_from_plan(plan_input(sizes, request, extra).plan); };
  return std::make_unique<MarginLadder>(plan, step);
}

std::unique_ptr<Ladder> make_as_given_ladder(const Sizes& sizes, PlanRequest request) {
  request.details = false;
  PlannedInput p = plan_input(sizes, request);
  Rung r;
  r.settings = request.settings;
  r.verdict = "fits";
  r.padded_tokens = request.settings.padded_tokens(sizes.tokens);
  r.expected_peak = p.plan.before.total;
  r.budget = p.plan.budget_before.pool;
  r.origin = "as given (--noauto_memory_optimization)";
  return std::make_unique<AsGivenLadder>(std::move(r));
}

}  // namespace foldfit
