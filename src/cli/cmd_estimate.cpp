// cmd_estimate.cpp - `foldfit estimate`: will this input fit this GPU, and with which settings.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/report/estimate_report.hpp"
#include "foldfit/report/html_report.hpp"
#include "foldfit/report/sizes_report.hpp"
#include "foldfit/run/af3_args.hpp"
#include "inputs.hpp"
#include "planning.hpp"

namespace foldfit::cli {

namespace {

std::vector<OptionSpec> estimate_options() {
  std::vector<OptionSpec> o = planning_option_specs();
  o.push_back({"format", "text|json", "text", "output format; json is documented in docs/json-output.md"});
  o.push_back({"explain", "", "false", "show every phase with its tensors, shapes and AlphaFold 3 sources"});
  o.push_back({"html", "FILE", "", "also write the report as one self-contained HTML page (one input; docs/report.md)"});
  o.push_back({"force", "", "false", "replace an existing --html file"});
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

// Every line of `text` indented by two spaces, for a JSON array streamed element by element.
std::string indented(const std::string& text) {
  std::string out = "  ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

}  // namespace

const CommandSpec kEstimateSpec{
    "estimate",
    "Estimate AlphaFold 3's peak GPU memory for each input, say whether it fits the GPU, and\n"
    "which settings make it fit (never changing a setting you gave).",
    "(--json_path=FILE | --input_dir=DIR | --input_list=FILE) [--gpu=NAME] [flags] [run_alphafold.py flags]",
    "Accepts AlphaFold 3's own flags, so a run_alphafold.py command line can be pasted: the\n"
    "memory-relevant ones are read, the others are checked and ignored. The JAX/XLA environment\n"
    "is read from this process's environment, as AlphaFold 3 would see it; a value AlphaFold 3\n"
    "would reject or JAX would misread is an error. foldfit run --estimate_memory_only prints\n"
    "the same report.\n"
    "Exit codes: 0 fits as given; 10 fits with the plan's changes; 11 cannot fit; 2 invalid input\n"
    "or usage; 1 other errors. With --input_dir: the worst outcome over all inputs (2 when any\n"
    "input is invalid), each input reported as it is read.\n"
    "--html=FILE writes the same report as an HTML page (memory against token count for this GPU,\n"
    "the estimate by phase, the plan, every table GPU's verdict; docs/report.md) for one input,\n"
    "atomically, never over an existing file without --force.\n"
    "Units: GB = 10^9 bytes, GiB = 2^30 bytes.",
    estimate_options(),
};

int print_estimates(const ParsedOptions& options, const Planning& planning, const std::string& format, bool explain) {
  SizeOptions size_options = size_options_from(options, planning.release);
  // --html: refused before anything is read when the file exists (unless --force).
  std::unique_ptr<AtomicFile> html;
  if (auto path = options.get("html")) {
    if (options.has("input_dir") || options.has("input_list"))
      throw UsageError("--html shows one input: give --json_path=FILE (the page of a campaign: foldfit plan --html)");
    html = std::make_unique<AtomicFile>(*path, options.flag("force", false));
  }
  int worst = kOk;
  std::size_t counts[3] = {0, 0, 0};
  bool list = false;
  std::size_t shown = 0;
  std::size_t invalid = for_each_input(options, size_options, [&](const Sizes& s, const InputVisit& visit) {
    list = visit.list;
    PlanRequest request = planning.request;
    // A row per input shows no trade-offs or GPU suggestions: leave them out of the work.
    request.details = !(list && format == "text");
    PlannedInput planned = plan_input(s, request);
    const Plan& p = planned.plan;
    require_runnable(p);
    report::EstimateReport r = report::report_of(planned);
    if (html) {
      if (list) throw UsageError(fmt::format("--html shows one input: {} holds several", s.file));
      html->write(report::estimate_html(report::estimate_json(r), report::estimate_charts(planned, planning.request)));
      html->commit();
    }
    if (format == "json") {
      std::string text = report::estimate_json(r).dump(2);
      if (!list) std::cout << text << "\n";
      else std::cout << (shown == 0 ? "[\n" : ",\n") << indented(text);
    } else if (!list) {
      std::cout << report::estimate_text(r, explain);
    } else {
      if (shown == 0) std::cout << report::estimate_row_header();
      std::cout << report::estimate_row(r);
    }
    std::cout.flush();
    ++shown;
    ++counts[static_cast<int>(p.verdict)];
    worst = std::max(worst, exit_code_for(p.verdict));
  });
  if (list && format == "json") std::cout << (shown == 0 ? "[]\n" : "\n]\n");
  if (list && format == "text" && shown > 0)
    std::cout << fmt::format("{} inputs: {} fit as given, {} fit with a plan, {} cannot fit ({}; {})\n", shown, counts[0],
                             counts[1], counts[2], planning.request.device.origin, report::release_line(planning.release));
  return invalid > 0 ? kInvalid : worst;
}

int run_estimate(const ParsedOptions& options) {
  // A pasted run_alphafold.py command line: its other flags must be real flags of it.
  Af3Args::parse(options.unknown());
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  bool explain = options.flag("explain", false);
  Planning planning = planning_from(options);
  return print_estimates(options, planning, format, explain);
}

}  // namespace foldfit::cli
