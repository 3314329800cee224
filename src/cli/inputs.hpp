// inputs.hpp - the input flags shared by tokens, estimate and run: which files, how to size them.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "foldfit/sizes/sizes.hpp"
#include "options.hpp"

namespace foldfit::cli {

// --json_path / --input_dir / --buckets / --ccd_path / --fix_standalone_glycans. Commands
// that plan declare --buckets with the other settings (planning.hpp) instead.
std::vector<OptionSpec> input_option_specs(bool with_buckets = true);

struct SizedInputs {
  std::vector<Sizes> sizes;
  std::vector<std::string> errors;    // one message per invalid file
  std::vector<std::string> warnings;
  bool from_dir = false;              // --input_dir, or a job list: output is a list
};

// The AlphaFold 3 release of a command that sizes without planning (--af3_release, else
// the installation's, else the newest tagged release; plan/planning.hpp).
Af3ReleaseChoice release_from(const ParsedOptions& options);

// The sizing flags for `release` (a planning command's: Planning::release).
SizeOptions size_options_from(const ParsedOptions& options, const Af3ReleaseChoice& release);

// Reads and sizes every input named by the flags. Invalid files are collected in
// `errors`; usage errors throw UsageError.
SizedInputs load_inputs(const ParsedOptions& options, const SizeOptions& size_options);

// Reads and sizes one input file at a time and hands each job to `each`, so a folder of
// any size is planned in bounded memory. Warnings and invalid files go to standard
// error as they are met; returns the number of invalid files. `each` gets the job's
// position among all jobs (1-based) and whether the output is a list (--input_dir or
// a job list), known before the first job.
struct InputVisit {
  std::size_t index = 0;  // 1-based
  bool list = false;
};
std::size_t for_each_input(const ParsedOptions& options, const SizeOptions& size_options,
                           const std::function<void(const Sizes&, const InputVisit&)>& each);

// Prints the warnings and errors of load_inputs to standard error; true when any file
// was invalid (the command then exits with kInvalid and prints nothing else).
bool report_load_problems(const SizedInputs& in);

}  // namespace foldfit::cli
