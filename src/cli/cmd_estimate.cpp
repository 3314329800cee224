// cmd_estimate.cpp - `foldfit estimate`: will this input fit this GPU, and with which settings.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "foldfit/history/calibrate.hpp"
#include "foldfit/plan/resolve_device.hpp"
#include "foldfit/report/estimate_report.hpp"
#include "inputs.hpp"
#include "run_settings_flags.hpp"

namespace foldfit::cli {

namespace {

std::vector<OptionSpec> estimate_options() {
  std::vector<OptionSpec> o = input_option_specs();
  for (OptionSpec& s : run_settings_option_specs()) o.push_back(s);
  for (OptionSpec& s : device_option_specs()) o.push_back(s);
  o.push_back({"format", "text|json", "text", "output format; json is documented in docs/json-output.md"});
  o.push_back({"explain", "", "false", "show every phase with its tensors, shapes and AlphaFold 3 sources"});
  o.push_back({"calibration", "FILE", "the file foldfit calibrate writes, else the built-in overlays",
               "a calibration overlay (data/calibration/README.md)"});
  return o;
}

int exit_code_for(Verdict v) {
  switch (v) {
    case Verdict::fits: return kOk;
    case Verdict::fits_with_plan: return kFitsWithPlan;
    case Verdict::cannot_fit: return kCannotFit;
  }
  return kError;
}

}  // namespace

const CommandSpec kEstimateSpec{
    "estimate",
    "Estimate AlphaFold 3's peak GPU memory for each input, say whether it fits the GPU, and\n"
    "which settings make it fit (never changing a setting you gave).",
    "(--json_path=FILE | --input_dir=DIR) [--gpu=NAME] [flags]",
    "Accepts AlphaFold 3's own flags where they matter. The JAX/XLA environment is read from\n"
    "this process's environment, as AlphaFold 3 would see it.\n"
    "Exit codes: 0 fits as given; 10 fits with the plan's changes; 11 cannot fit; 2 invalid input\n"
    "or usage; 1 other errors. With --input_dir: the worst outcome over all inputs.\n"
    "Units: GB = 10^9 bytes, GiB = 2^30 bytes.",
    estimate_options(),
};

int run_estimate(const ParsedOptions& options) {
  SizeOptions size_options = size_options_from(options);
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  bool explain = options.flag("explain", false);
  RunSettings settings = run_settings_from(options, size_options);
  apply_environment(settings, environment_from_process());
  std::unique_ptr<GpuQuery> query = make_nvml_query();
  Device device = resolve_device(device_request_from(options), *query);
  Bytes margin = margin_from(options);
  SizedInputs in = load_inputs(options, size_options);
  if (report_load_problems(in)) return kInvalid;

  std::vector<PlanInputs> inputs;
  std::vector<Plan> plans;
  inputs.reserve(in.sizes.size());
  plans.reserve(in.sizes.size());
  std::vector<report::EstimateReport> reports;
  int worst = kOk;
  for (const Sizes& s : in.sizes) {
    PlanInputs pi;
    pi.sizes = s;
    if (auto seeds = options.integer("num_seeds", 1, 1000000)) pi.sizes.seeds = static_cast<std::size_t>(*seeds);
    pi.settings = settings;
    pi.device = device;
    pi.margin = margin;
    pi.model = &MemoryModel::builtin();
    pi.calibration_path = options.get_or("calibration", "");
    // What `foldfit calibrate` wrote, when there is one.
    if (pi.calibration_path.empty() && std::ifstream(default_calibration_path()).good())
      pi.calibration_path = default_calibration_path();
    inputs.push_back(pi);
  }
  for (PlanInputs& pi : inputs) {
    plans.push_back(fit_settings(pi));
    report::EstimateReport r;
    r.sizes = &pi.sizes;
    r.inputs = &pi;
    r.plan = &plans.back();
    r.trade_offs = trade_offs(pi);
    r.minimum_gpu = minimum_gpu(pi);
    r.recommended_gpu = recommended_gpu(pi);
    reports.push_back(r);
    worst = std::max(worst, exit_code_for(plans.back().verdict));
  }
  // An environment AlphaFold 3 cannot run under is an error, not a verdict.
  for (const Plan& p : plans)
    for (const EnvFinding& f : p.findings)
      if (f.severity == EnvFinding::Severity::error && p.verdict != Verdict::cannot_fit) {
        std::cerr << "foldfit: error: " << f.message << (f.fix.empty() ? "" : " Fix: " + f.fix) << "\n";
        return kInvalid;
      }

  if (format == "json") {
    if (!in.from_dir) {
      std::cout << report::estimate_json(reports.front()).dump(2) << "\n";
    } else {
      nlohmann::ordered_json all = nlohmann::ordered_json::array();
      for (const auto& r : reports) all.push_back(report::estimate_json(r));
      std::cout << all.dump(2) << "\n";
    }
  } else if (reports.size() == 1) {
    std::cout << report::estimate_text(reports.front(), explain);
  } else {
    std::cout << report::estimate_row_header();
    std::size_t counts[3] = {0, 0, 0};
    for (const auto& r : reports) {
      std::cout << report::estimate_row(r);
      ++counts[static_cast<int>(r.plan->verdict)];
    }
    std::cout << fmt::format("{} inputs: {} fit as given, {} fit with a plan, {} cannot fit ({})\n", reports.size(),
                             counts[0], counts[1], counts[2], device.origin);
  }
  return worst;
}

}  // namespace foldfit::cli
