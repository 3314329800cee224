// inputs.hpp - the input flags shared by tokens, estimate and run: which files, how to size them.
#pragma once

#include <string>
#include <vector>

#include "foldfit/sizes/sizes.hpp"
#include "options.hpp"

namespace foldfit::cli {

// --json_path / --input_dir / --buckets / --ccd_path / --fix_standalone_glycans.
std::vector<OptionSpec> input_option_specs();

struct SizedInputs {
  std::vector<Sizes> sizes;
  std::vector<std::string> errors;    // one message per invalid file
  std::vector<std::string> warnings;
  bool from_dir = false;              // --input_dir, or a job list: output is a list
};

SizeOptions size_options_from(const ParsedOptions& options);

// Reads and sizes every input named by the flags. Invalid files are collected in
// `errors`; usage errors throw UsageError.
SizedInputs load_inputs(const ParsedOptions& options, const SizeOptions& size_options);

// Prints the warnings and errors of load_inputs to standard error; true when any file
// was invalid (the command then exits with kInvalid and prints nothing else).
bool report_load_problems(const SizedInputs& in);

}  // namespace foldfit::cli
