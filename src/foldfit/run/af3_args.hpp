// af3_args.hpp - run_alphafold.py's flags: which exist, their defaults, which the user gave.
//
// The table is run_alphafold.py v3.0.4's flag definitions (names, kinds, defaults) plus
// absl's built-in flags. Syntax is absl's: --flag=value, --flag value, and for booleans
// --flag, --flag=true|false, --noflag.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace foldfit {

enum class Af3FlagKind { boolean, integer, number, text, list, multi_text };

struct Af3Flag {
  std::string_view name;
  Af3FlagKind kind;
  std::string_view default_value;  // as run_alphafold.py defines it ("" for None)
  bool absl_builtin = false;       // --flagfile, --verbosity, ... (absl's own)
};

// Every flag run_alphafold.py accepts, in its definition order, then absl's.
const std::vector<Af3Flag>& af3_flag_table();
const Af3Flag* find_af3_flag(std::string_view name);

// One flag as the user gave it, normalised.
struct Af3Arg {
  std::string name;
  std::string value;  // booleans: "true" / "false"
};

// The run_alphafold.py flags of a command line, in order.
class Af3Args {
 public:
  // Parses `raw` (flags only, absl syntax). Throws UsageError for an unknown flag
  // (with "did you mean"), a missing value, or a boolean that is not true/false.
  static Af3Args parse(const std::vector<std::string>& raw);

  bool given(std::string_view name) const;
  // The last value given (absl: the last one wins); multi_text flags: see values().
  std::optional<std::string> value(std::string_view name) const;
  std::vector<std::string> values(std::string_view name) const;
  // A boolean flag's value, or its run_alphafold.py default when not given.
  bool boolean(std::string_view name) const;
  // An integer flag's value when given. Throws UsageError naming the flag on a bad value.
  std::optional<long long> integer(std::string_view name, long long lo, long long hi) const;

  // The flags to pass on to run_alphafold.py as "--name=value", leaving out `drop`.
  std::vector<std::string> argv_without(const std::set<std::string>& drop) const;
  const std::vector<Af3Arg>& args() const { return args_; }

 private:
  std::vector<Af3Arg> args_;
};

// Splits a command string into argv the way a POSIX shell splits words, without any
// expansion: whitespace separates, '...' is literal, "..." allows \" \\ \$ \`, and a
// backslash outside quotes escapes the next character. Throws UsageError on an
// unterminated quote or an empty command.
std::vector<std::string> split_command(std::string_view command);

}  // namespace foldfit
