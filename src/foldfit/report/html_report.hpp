// html_report.hpp - `foldfit estimate --html` and `foldfit plan --html`: one self-contained
// HTML page (inline SVG and CSS, no scripts, nothing fetched) with the memory curve, the
// estimate by phase, the plan, the GPU table's verdicts and, for a campaign, its placement.
//
// The page shows what the JSON reports carry (estimate_json, campaign_summary) plus the
// curves, computed with the planner's own estimate (plan/planner.hpp estimate_at) and
// verdicts (fit_settings), and XLA's compiled figures (model/xla_table.hpp). Elements carry
// their figures as data-* attributes (data-peak-bytes, data-verdict, ...) for tests and
// scrapers; the formats are in docs/report.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/model/xla_table.hpp"
#include "foldfit/plan/pipeline.hpp"
#include "foldfit/schedule/campaign.hpp"

namespace foldfit::report {

// One step of a memory curve: token counts from..to (before padding) run at `padded`.
struct CurveStep {
  std::int64_t from = 0, to = 0;
  std::int64_t padded = 0;
  Bytes total, low, high;  // peak device memory and its band (MemoryEstimate)
};
struct Curve {
  std::string key;    // "plan", "as_given", "xla_attention", "one_sample", "shard_40gb"
  std::string label;  // "plan's settings", ...
  std::vector<CurveStep> steps;
};
// A GPU of the table and what `foldfit estimate --gpu=NAME` with the same settings says.
struct GpuVerdict {
  std::string gpu;
  Bytes memory;
  Verdict verdict = Verdict::cannot_fit;
  Bytes peak;            // with that GPU's plan
  std::size_t changes = 0;
  std::string error;     // the settings are refused on this GPU (UsageError): why; verdict unset
};
// An XLA compile of this GPU (deviceless) at the settings of the plan's curve.
struct XlaPoint {
  std::int64_t padded = 0;
  Bytes pool;  // argument + output + temp - alias
};
struct EstimateCharts {
  std::int64_t max_tokens = 0;  // the x axis ends here
  std::vector<Curve> curves;    // "plan" first
  std::vector<XlaPoint> xla;
  std::vector<GpuVerdict> gpus;
};

// XLA's compiled figures shipped with foldfit (data/xla/alphafold3-v3.0.4.csv, embedded).
const std::vector<XlaCompile>& builtin_xla_compiles();

// The curves, the GPU verdicts and the XLA points for `planned` (planned under `request`).
EstimateCharts estimate_charts(const PlannedInput& planned, const PlanRequest& request,
                               const std::vector<XlaCompile>& xla = builtin_xla_compiles());

// The page of one estimate: `estimate` is estimate_json() of the same report.
std::string estimate_html(const nlohmann::ordered_json& estimate, const EstimateCharts& charts);

// The page of a campaign: `summary` is campaign_summary(campaign).
std::string campaign_html(const Campaign& campaign, const nlohmann::ordered_json& summary);

}  // namespace foldfit::report
