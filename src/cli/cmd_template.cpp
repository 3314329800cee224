// cmd_template.cpp - `foldfit template`: a predicted model's chains attached as templates
// to the matching chains of an input (the next stage of a staged fold).
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/input/stage.hpp"
#include "foldfit/input/template_cif.hpp"
#include "foldfit/input/text_file.hpp"

namespace fs = std::filesystem;

namespace foldfit::cli {

const CommandSpec kTemplateSpec{
    "template",
    "Attach the chains of a predicted model (AlphaFold 3's <name>_model.cif) as templates to the\n"
    "matching chains of an input: the step between two stages of a staged fold.",
    "--json_path=FILE --model=MODEL.cif --output=FILE [--force]",
    "Each protein entity of the input whose chain ids the model has gets one template per such\n"
    "chain (at most 4, AlphaFold 3's limit, before any templates it had): a single-chain mmCIF\n"
    "cut from the model (read as AlphaFold 3 reads mmCIF), with a name and a release date\n"
    "(1970-01-01) as AlphaFold 3 requires, inline in the templates list with queryIndices/\n"
    "templateIndices (0-based, over the chain's _entity_poly_seq, unresolved residues counted\n"
    "but not mapped). Every residue\n"
    "is checked against the query sequence and its modifications. An entity that had no\n"
    "templates list loses AlphaFold 3's template search for these templates. The output is\n"
    "written atomically, never over a file without --force.\n"
    "Exit codes: 0 written; 2 invalid input or usage; 1 other errors.",
    {
        {"json_path", "FILE", "", "the AlphaFold 3 input to attach templates to (alphafold3 dialect)"},
        {"model", "FILE", "", "the predicted model mmCIF (plain or compressed)"},
        {"output", "FILE", "", "the input with templates, written atomically (required)"},
        {"force", "", "false", "overwrite --output if it exists"},
        {"format", "text|json", "text", "report format"},
    },
};

int run_template(const ParsedOptions& options) {
  auto json_path = options.get("json_path");
  auto model_path = options.get("model");
  auto output = options.get("output");
  if (!json_path || !model_path || !output) throw UsageError("give --json_path=FILE, --model=MODEL.cif and --output=FILE");
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  bool force = options.flag("force", false);
  if (!force && fs::exists(*output)) throw UsageError(fmt::format("{} exists; give --force to overwrite it", *output));
  std::vector<std::string> warnings;
  std::vector<Input> inputs = read_input_file(*json_path, ReadOptions{}, &warnings);
  for (const std::string& w : warnings) std::cerr << "foldfit: warning: " << w << "\n";
  if (inputs.size() != 1)
    throw InputError(SourceLocation{*json_path, 0, 0, ""}, "foldfit template takes one input, not a job list");
  ModelCif model(read_text_file(*model_path, std::uint64_t{4} << 30), *model_path);
  AttachedTemplates a = attach_templates(inputs.front(), source_document(inputs.front()), model);
  if (a.attached == 0)
    throw InputError(SourceLocation{*model_path, 0, 0, ""},
                     fmt::format("the model's chains ({}) match no protein chain of {}", fmt::join(model.chains(), ","),
                                 *json_path));
  std::string text = a.document.dump(2) + "\n";
  read_input_text(text, *output, ReadOptions{});  // what is written is a valid AlphaFold 3 input
  write_file_atomically(*output, text, force);
  if (format == "json") {
    nlohmann::ordered_json j{{"schema", "foldfit.template/1"}, {"input", *json_path}, {"model", *model_path},
                             {"output", *output}, {"templates_attached", a.attached}, {"entities", a.notes}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{} templates from {} attached; written {}\n", a.attached, *model_path, *output);
    for (const std::string& n : a.notes) std::cout << "  " << n << "\n";
  }
  return kOk;
}

}  // namespace foldfit::cli
