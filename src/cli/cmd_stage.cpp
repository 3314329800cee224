// cmd_stage.cpp - `foldfit stage`: the inputs of staged folding of a large homomer, each
// planned like any input, and sub-assemblies where the full complex cannot fit.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/plan/staging.hpp"
#include "foldfit/report/stage_report.hpp"
#include "inputs.hpp"
#include "planning.hpp"

namespace fs = std::filesystem;

namespace foldfit::cli {

namespace {

std::vector<OptionSpec> stage_options() {
  std::vector<OptionSpec> o = planning_option_specs();
  o.push_back({"stages", "K,K,...", "", "copies of each homomeric entity per stage, strictly increasing, e.g. 1,2,4,8 "
                                        "(required; 1,N: fold a single copy first)"});
  o.push_back({"output_dir", "DIR", "the input file's folder", "where the stage inputs are written (created if missing)"});
  o.push_back({"force", "", "false", "overwrite stage files that exist"});
  o.push_back({"template_recycles", "N", std::to_string(kDefaultTemplateRecycles),
               "recycles offered for the last stage, which has a template (AlphaFold 2's default)"});
  o.push_back({"write_subassemblies", "", "false",
               "also write the sub-assembly inputs when the full complex cannot fit (see the report)"});
  o.push_back({"dry_run", "", "false", "plan and report, write nothing"});
  o.push_back({"format", "text|json", "text", "report format; json is documented in docs/staging.md"});
  return o;
}

}  // namespace

const CommandSpec kStageSpec{
    "stage",
    "Write the inputs of staged folding for a large homomer: the same chains with fewer copies per\n"
    "stage, each planned like any input; propose sub-assemblies when the full complex cannot fit.",
    "--json_path=FILE --stages=K,K,... [--output_dir=DIR] [--force] [flags]",
    "Copies are the chains of an id list or identical entities repeated. With N the most copies\n"
    "an entity has, stage K keeps K*c/N of an entity's c copies (the first ones) and every\n"
    "single-copy entity; bonds between two kept chains stay, a bond between a kept and a dropped\n"
    "chain is an error naming it. Relative *Path fields are written absolute.\n"
    "Staging does not reduce memory: the last stage is the full complex. What it gives is a\n"
    "template from the previous stage, which may let the last stage converge with fewer\n"
    "recycles; the report offers --num_recycles with its time saving against the earlier\n"
    "stages' cost. foldfit template attaches a stage's predicted chains as templates to the\n"
    "next stage (docs/staging.md).\n"
    "Files are written atomically and never overwritten without --force; nothing is written when\n"
    "any stage is invalid. Exit codes: 0 written (or planned with --dry_run); 2 invalid input or\n"
    "usage; 1 other errors.",
    stage_options(),
};

int run_stage(const ParsedOptions& options) {
  if (options.has("input_dir")) throw UsageError("foldfit stage takes one input: give --json_path=FILE");
  auto json_path = options.get("json_path");
  if (!json_path) throw UsageError("give --json_path=FILE");
  auto stages_text = options.get("stages");
  if (!stages_text) throw UsageError("give --stages=K,K,..., e.g. --stages=1,2,4");
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  bool force = options.flag("force", false);
  bool dry_run = options.flag("dry_run", false);
  bool write_sub = options.flag("write_subassemblies", false);
  StagingRequest staging;
  staging.offered_recycles = static_cast<int>(options.integer("template_recycles", 1, 1000).value_or(kDefaultTemplateRecycles));
  Planning planning = planning_from(options);
  SizeOptions size_options = size_options_from(options, planning.release);
  Ccd base;
  if (auto ccd = options.get("ccd_path")) base.add_components_file(*ccd);

  std::vector<std::string> warnings;
  ReadOptions read_options;
  read_options.release = planning.release.release;
  std::vector<Input> inputs = read_input_file(*json_path, read_options, &warnings);
  for (const std::string& w : warnings) std::cerr << "foldfit: warning: " << w << "\n";
  if (inputs.size() != 1)
    throw InputError(SourceLocation{*json_path, 0, 0, ""}, "foldfit stage takes one input, not a job list");
  const Input& input = inputs.front();
  staging.stages = parse_stages(*stages_text, static_cast<int>(full_copies(copy_groups(input))));
  StagingPlan plan = plan_stages(input, base, size_options, planning.request, staging);
  for (const PlannedStage& s : plan.stages) require_runnable(s.planned.plan);

  // Every file, checked before any is written.
  fs::path dir = options.get("output_dir") ? fs::path(*options.get("output_dir"))
                                           : fs::absolute(fs::path(*json_path)).parent_path();
  std::vector<std::pair<std::string, const std::string*>> files;
  for (const PlannedStage& s : plan.stages) files.emplace_back((dir / s.file_name).string(), &s.text);
  if (write_sub)
    for (const SubAssembly& w : plan.subassemblies.windows) files.emplace_back((dir / w.file_name).string(), &w.text);
  std::vector<std::string> written;
  if (!dry_run) {
    for (const auto& [path, text] : files)
      if (!force && fs::exists(path)) throw UsageError(fmt::format("{} exists; give --force to overwrite it", path));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw OutputError(dir.string(), "cannot create the folder: " + ec.message());
    std::vector<std::unique_ptr<AtomicFile>> open;
    for (const auto& [path, text] : files) {
      open.push_back(std::make_unique<AtomicFile>(path, force));
      open.back()->write(*text);
    }
    for (auto& f : open) {
      f->commit();
      written.push_back(f->path());
    }
  }
  if (format == "json") std::cout << report::stage_json(plan, written).dump(2) << "\n";
  else std::cout << report::stage_text(plan, written);
  return kOk;
}

}  // namespace foldfit::cli
