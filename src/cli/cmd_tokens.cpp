// cmd_tokens.cpp - `foldfit tokens`: how many tokens AlphaFold 3 will see, per chain and padded.
#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/report/sizes_report.hpp"
#include "inputs.hpp"

namespace foldfit::cli {

namespace {
std::vector<OptionSpec> tokens_options() {
  std::vector<OptionSpec> o = input_option_specs();
  o.push_back({"format", "text|json", "text", "output format; json is documented in docs/json-output.md"});
  o.push_back({"output", "FILE", "", "write the report to FILE (atomically) instead of standard output"});
  o.push_back({"force", "", "false", "with --output: replace FILE if it exists"});
  return o;
}
}  // namespace

const CommandSpec kTokensSpec{
    "tokens",
    "Read AlphaFold 3 inputs exactly as AlphaFold 3 does and print their sizes: tokens per chain,\n"
    "the padded token count (bucket), flat atoms, chains, MSA rows and templates.",
    "(--json_path=FILE | --input_dir=DIR | --input_list=FILE) [flags]",
    "Exit codes: 0 success; 2 invalid input or usage (nothing is printed to standard output or written\n"
    "to --output); 1 other errors, such as an output file that cannot be written.\n"
    "With --format=json: one object for an alphafold3-dialect file, a list for --input_dir or an\n"
    "AlphaFold Server job list.",
    tokens_options(),
};

int run_tokens(const ParsedOptions& options) {
  SizeOptions size_options = size_options_from(options, release_from(options));
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  const bool force = options.flag("force", false);
  SizedInputs in = load_inputs(options, size_options);
  if (report_load_problems(in)) return kInvalid;
  // File names need not be UTF-8; such bytes become U+FFFD instead of failing the report.
  auto dump = [](const nlohmann::ordered_json& j) {
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  };
  std::ostringstream report;
  if (format == "json") {
    if (!in.from_dir) {
      report << dump(report::sizes_json(in.sizes.front(), size_options)) << "\n";
    } else {
      nlohmann::ordered_json all = nlohmann::ordered_json::array();
      for (const Sizes& s : in.sizes) all.push_back(report::sizes_json(s, size_options));
      report << dump(all) << "\n";
    }
  } else {
    for (const Sizes& s : in.sizes) report << report::sizes_text(s);
    if (in.sizes.size() > 1) report << "\n" << report::sizes_summary_text(in.sizes);
    report << report::release_line(size_options.release) << "; buckets " << size_options.buckets.to_string() << "\n";
  }
  if (auto output = options.get("output"))
    write_file_atomically(*output, report.str(), force);
  else
    std::cout << report.str();
  return kOk;
}

}  // namespace foldfit::cli
