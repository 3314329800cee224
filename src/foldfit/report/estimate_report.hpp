// estimate_report.hpp - the "Memory Analysis" report of `foldfit estimate`, as text and JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "foldfit/plan/pipeline.hpp"

namespace foldfit::report {

// What one report shows: a planned input (plan/pipeline.hpp).
struct EstimateReport {
  const Sizes* sizes = nullptr;
  const PlanInputs* inputs = nullptr;
  const Plan* plan = nullptr;
  const std::vector<TradeOff>* trade_offs = nullptr;
  std::string minimum_gpu;
  std::string recommended_gpu;
};
EstimateReport report_of(const PlannedInput& planned);

// The familiar block: sizes, GPU and budget, estimate with categories, verdict and plan,
// runtime, provenance. `explain` adds every phase with its tensors and sources.
std::string estimate_text(const EstimateReport& r, bool explain);

// One line per input, for --input_dir.
std::string estimate_row_header();
std::string estimate_row(const EstimateReport& r);

// The documented JSON object (docs/json-output.md). Carries no sequence or MSA data.
nlohmann::ordered_json estimate_json(const EstimateReport& r);

}  // namespace foldfit::report
