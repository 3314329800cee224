#include "foldfit/run/ladder.hpp"

#include <fmt/format.h>

#include <algorithm>


namespace foldfit {

MarginLadder::MarginLadder(PlanFn plan, Bytes step) : plan_(std::move(plan)), step_(step) {}

Rung MarginLadder::first() {
  Rung r = plan_(extra_);
  r.extra_margin = extra_;
  tried_.push_back(r.settings);
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
    if (std::any_of(tried_.begin(), tried_.end(), [&](const RunSettings& t) { return t.same_values(r.settings); }))
      continue;
    extra_ = next;
    tried_.push_back(r.settings);
    return r;
  }
  why_not = fmt::format("the planner offers no configuration not already tried, up to {} kept free beyond the margin",
                        format_gb(next - step_));
  return std::nullopt;
}

}  // namespace foldfit
