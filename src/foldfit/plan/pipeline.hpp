// pipeline.hpp - plan one input: sizes -> estimate -> fit -> plan. Every command that
// plans (estimate, run, verify) calls plan_input with a request built the same way, so
// the same input, GPU, flags and environment give the same plan everywhere.
//
//   Sizes ──estimate──▶ MemoryEstimate ──fit──▶ Plan (settings with origins, padded N,
//                                                      changes, verdict, runtime)
//
// The world (NVML, host RAM, calibration overlays, the environment) enters before: in
// read_settings, probe_local_machine + resolve_device and CalibrationSet, once per command.
#pragma once

#include <string>
#include <vector>

#include "foldfit/plan/planner.hpp"

namespace foldfit {

struct PlanRequest {
  RunSettings settings;                          // read_settings
  Device device;                                 // resolve_device
  Bytes margin;                                  // kept free in JAX's pool
  Af3ReleaseChoice release;                      // the AlphaFold 3 release planned for
  const MemoryModel* model = nullptr;            // null: the built-in profile
  const CalibrationSet* calibrations = nullptr;  // null: the built-in overlays
  // Trade-offs and GPU suggestions: what a report of one input shows. Off for long
  // batches that print a row per input.
  bool details = true;
};

struct PlannedInput {
  PlanInputs inputs;
  Plan plan;
  std::vector<TradeOff> trade_offs;  // with details
  std::string minimum_gpu;           // with details
  std::string recommended_gpu;       // with details
};

// Plans `sizes` under `request`; `extra_margin` is kept free on top of the margin (what
// out-of-memory retries have learnt). Throws UsageError for impossible settings.
PlannedInput plan_input(const Sizes& sizes, const PlanRequest& request, Bytes extra_margin = Bytes(0));

}  // namespace foldfit
