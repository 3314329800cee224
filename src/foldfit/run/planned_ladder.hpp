// planned_ladder.hpp - the production ladder of `foldfit run`: the shared planning pipeline
// (plan_input) with a growing extra margin after each out-of-memory.
#pragma once

#include <memory>

#include "foldfit/plan/pipeline.hpp"
#include "foldfit/run/ladder.hpp"

namespace foldfit {

// One rung from a plan: its settings, padded N, changes, expected peak, budget, runtime,
// and notes (environment findings; what unified memory spills to host RAM).
Rung rung_from_plan(const Plan& plan);

// plan_input(sizes, request) with the margin grown by what each out-of-memory teaches.
// After an out-of-memory whose log gives no figure, the extra margin grows by 5% of the
// device (at least 1 GB): a step large enough to change the plan, small enough not to
// skip rungs.
std::unique_ptr<Ladder> make_planned_ladder(const Sizes& sizes, PlanRequest request);

// The settings as given, run once (foldfit run --noauto_memory_optimization).
std::unique_ptr<Ladder> make_as_given_ladder(const Sizes& sizes, PlanRequest request);

}  // namespace foldfit
