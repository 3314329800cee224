// options.hpp - flags declared once per subcommand in a table; parsing and --help come from it.
//
// Flags use AlphaFold 3's (absl) syntax so a run_alphafold.py command line can be reused:
// --flag=value, --flag value, and for booleans --flag, --flag=true|false, --noflag.
// Unknown flags get a "did you mean"; which flags the user set is tracked, because the
// planner must never silently override them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace foldfit::cli {

struct OptionSpec {
  std::string name;          // without the leading dashes
  std::string value_hint;    // "FILE", "N", ...; empty for a boolean flag
  std::string default_text;  // shown in --help; empty when there is no default
  std::string help;
};

struct CommandSpec {
  std::string name;
  std::string summary;
  std::string usage;    // the line after "usage: foldfit NAME "
  std::string details;  // paragraphs after the option list
  std::vector<OptionSpec> options;
};

class ParsedOptions {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  // Boolean flags: true/false when set, else `fallback`. Throws UsageError on a bad value.
  bool flag(const std::string& name, bool fallback) const;
  std::optional<bool> flag_if_set(const std::string& name) const;
  // Integer flags. Throws UsageError naming the flag on a bad value or one outside [lo, hi].
  std::optional<long long> integer(const std::string& name, long long lo, long long hi) const;
  std::optional<double> number(const std::string& name, double lo, double hi) const;
  // A value from a fixed set. Throws UsageError listing the choices.
  std::optional<std::string> choice(const std::string& name, const std::vector<std::string>& choices) const;

  const std::vector<std::string>& positional() const { return positional_; }
  // Flags that are not in the spec, in order, as given (for pass-through to AlphaFold 3).
  const std::vector<std::string>& unknown() const { return unknown_; }
  bool help() const { return help_; }

 private:
  friend ParsedOptions parse_options(const CommandSpec&, const std::vector<std::string>&, bool);
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  std::vector<std::string> unknown_;
  bool help_ = false;
};

// Parses `args` (after the subcommand name). With `pass_unknown`, unknown flags are
// collected instead of rejected. Throws UsageError.
ParsedOptions parse_options(const CommandSpec& spec, const std::vector<std::string>& args, bool pass_unknown = false);

// The --help text of a command, generated from its spec.
std::string help_text(const CommandSpec& spec);

// The closest names to `word` among `candidates` (edit distance), best first.
std::vector<std::string> close_matches(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace foldfit::cli
