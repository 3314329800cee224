// Fuzz target: command-line flag parsing with a sample command. Arguments are the input
// split at newlines; any of them must give options or a UsageError.
#include <limits>

#include "foldfit/common/error.hpp"
#include "fuzz_util.hpp"
#include "options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace foldfit;
  using namespace foldfit::cli;
  static const CommandSpec spec{
      "sample", "A command with one flag of each kind.", "[flags]", "",
      {{"json_path", "FILE", "", "a file"},
       {"buckets", "N,N,...", "", "a list"},
       {"num_samples", "N", "5", "an integer"},
       {"fraction", "X", "0.95", "a number"},
       {"format", "text|json", "text", "a choice"},
       {"force", "", "false", "a boolean"}},
  };
  std::vector<std::string> args;
  std::string_view text = fuzz::as_text(data, size);
  bool pass_unknown = !text.empty() && (text[0] & 1);
  for (std::size_t start = 0; start <= text.size() && args.size() < 64;) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    args.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  try {
    ParsedOptions o = parse_options(spec, args, pass_unknown);
    try { o.integer("num_samples", 1, 1000); } catch (const UsageError&) {}
    try { o.number("fraction", 0.0, 1.0); } catch (const UsageError&) {}
    try { o.choice("format", {"text", "json"}); } catch (const UsageError&) {}
    try { o.flag("force", false); } catch (const UsageError&) {}
    o.get_or("json_path", "");
    fuzz::check(pass_unknown || o.unknown().empty(), "unknown flags collected without pass_unknown");
  } catch (const UsageError&) {
  }
  std::vector<std::string> names;
  for (const OptionSpec& s : spec.options) names.push_back(s.name);
  for (const std::string& a : args) fuzz::check(close_matches(a, names).size() <= 3, "more than 3 suggestions");
  return 0;
}
