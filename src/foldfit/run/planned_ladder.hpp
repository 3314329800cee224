// planned_ladder.hpp - the production ladder of `foldfit run`: foldfit's planner (fit_settings)
// with a growing extra margin after each out-of-memory, and the translation between the
// planner's RunSettings and a launch configuration.
#pragma once

#include <memory>

#include "foldfit/plan/planner.hpp"
#include "foldfit/run/ladder.hpp"

namespace foldfit {

// The user's configuration as planner settings, each marked user-set as given.
RunSettings settings_from_user(const UserConfig& user);

// A plan's settings as a launch configuration. Model-config fields equal to AlphaFold 3's
// defaults stay empty, so the adapter is only used when the plan changes one.
LaunchConfig launch_config_from(const RunSettings& settings);

// One rung from a plan: its configuration, changes, expected peak, budget, runtime, and
// notes (environment findings; unified memory's spill checked against host RAM).
Rung rung_from_plan(const Plan& plan);

// fit_settings over `inputs`, the margin grown by what each out-of-memory teaches. After
// an out-of-memory whose log gives no figure, the extra margin grows by 5% of the device
// (at least 1 GB): a step large enough to change the plan, small enough not to skip rungs.
std::unique_ptr<Ladder> make_planned_ladder(PlanInputs inputs);

}  // namespace foldfit
