// cmd_run_stages.cpp - `foldfit run --stages=...`: the stages of a staged fold run one
// after another, each as `foldfit run` runs one input, with the previous stage's
// top-ranked model attached as templates (docs/staging.md).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/input/template_cif.hpp"
#include "foldfit/input/text_file.hpp"
#include "foldfit/plan/staging.hpp"
#include "foldfit/report/stage_report.hpp"
#include "foldfit/run/outputs.hpp"
#include "inputs.hpp"
#include "planning.hpp"

namespace fs = std::filesystem;

namespace foldfit::cli {

namespace {

// The flags of this invocation as an argument list, with --json_path replaced and
// --stages left out: what `foldfit run` is given for one stage.
std::vector<std::string> stage_args(const ParsedOptions& options, const std::string& json_path) {
  std::vector<std::string> args{"--json_path=" + json_path};
  for (const OptionSpec& spec : kRunSpec.options) {
    if (spec.name == "json_path" || spec.name == "stages" || !options.has(spec.name)) continue;
    if (spec.value_hint.empty()) args.push_back(fmt::format("--{}={}", spec.name, *options.flag_if_set(spec.name) ? "true" : "false"));
    else args.push_back(fmt::format("--{}={}", spec.name, *options.get(spec.name)));
  }
  for (const std::string& u : options.unknown()) args.push_back(u);
  return args;
}

}  // namespace

int run_staged(const ParsedOptions& options) {
  if (options.has("input_dir"))
    throw UsageError("--stages runs the stages of one input: give --json_path=FILE");
  auto json_path = options.get("json_path");
  if (!json_path) throw UsageError("--stages needs --json_path=FILE");
  auto output_dir = options.get("output_dir");
  if (!output_dir && !options.flag("estimate_memory_only", false))
    throw UsageError("give --output_dir=DIR (run_alphafold.py requires it)");

  std::vector<std::string> warnings;
  Planning planning = planning_from(options);
  ReadOptions read_options;
  read_options.release = planning.release.release;
  std::vector<Input> inputs = read_input_file(*json_path, read_options, &warnings);
  for (const std::string& w : warnings) std::cerr << "foldfit: warning: " << w << "\n";
  if (inputs.size() != 1)
    throw InputError(SourceLocation{*json_path, 0, 0, ""}, "--stages takes one input, not a job list");
  const Input& input = inputs.front();
  StagingRequest staging;
  staging.stages = parse_stages(*options.get("stages"), static_cast<int>(full_copies(copy_groups(input))));
  staging.subassemblies = false;
  Ccd base;
  if (auto ccd = options.get("ccd_path")) base.add_components_file(*ccd);
  StagingPlan plan = plan_stages(input, base, size_options_from(options, planning.release), planning.request, staging);
  for (const PlannedStage& s : plan.stages) require_runnable(s.planned.plan);
  // Every stage after the first takes templates: refused now, not after stage 1 has run.
  if (plan.stages.size() > 1)
    for (const Entity& e : input.entities) require_msas_for_templates(e);
  if (options.flag("estimate_memory_only", false)) {
    std::cout << report::stage_text(plan, {});
    return kOk;
  }
  require_launchable(planning.release);

  // Stage inputs are foldfit's own files, beside its other working files.
  fs::path dir = fs::path(*output_dir) / ".foldfit" / "stages";
  for (std::size_t i = 0; i < plan.stages.size(); ++i) {
    const PlannedStage& s = plan.stages[i];
    std::string text = s.text;
    std::string path = (dir / s.file_name).string();
    std::cerr << fmt::format("foldfit: stage {} of {}: {} copies ({})\n", i + 1, plan.stages.size(), s.staged.copies,
                             path);
    if (i > 0) {
      const PlannedStage& prev = plan.stages[i - 1];
      OutputState out = inspect_output(*output_dir, prev.staged.name);
      std::string base_name = af3_sanitised_name(prev.staged.name);
      fs::path model = fs::path(out.dir) / (base_name + "_model.cif");
      if (!fs::exists(model) && fs::exists(model.string() + ".zst")) model += ".zst";
      if (!out.finished || !fs::exists(model))
        throw OutputError(model.string(), fmt::format("stage {} has no finished model to take templates from", i));
      // Read back the stage without templates, then attach the model's chains.
      std::vector<Input> staged = read_input_text(s.text, path, ReadOptions{});
      ModelCif cif(read_text_file(model.string(), std::uint64_t{4} << 30), model.string());
      AttachedTemplates a = attach_templates(staged.front(), s.staged.document, cif);
      text = a.document.dump(2) + "\n";
      read_input_text(text, path, ReadOptions{});
      for (const std::string& n : a.notes) std::cerr << "foldfit:   " << n << "\n";
    }
    replace_file_atomically(path, text);
    ParsedOptions one = parse_options(kRunSpec, stage_args(options, path), true);
    int rc = run_run(one);
    if (rc != kOk) {
      std::cerr << fmt::format(
          "foldfit: stage {} of {} ({}) did not finish (exit {}): the later stages were not run. Finished stages keep "
          "their outputs; run the same command again to resume (finished stages are skipped).\n",
          i + 1, plan.stages.size(), s.staged.name, rc);
      return rc;
    }
  }
  std::cerr << fmt::format("foldfit: all {} stages done; the full complex is {}\n", plan.stages.size(),
                           inspect_output(*output_dir, plan.stages.back().staged.name).dir);
  return kOk;
}

}  // namespace foldfit::cli
