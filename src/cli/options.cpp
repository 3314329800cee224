#include "options.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "foldfit/common/error.hpp"
#include "foldfit/common/flag_values.hpp"
#include "foldfit/common/suggest.hpp"

namespace foldfit::cli {

namespace {

const OptionSpec* find_spec(const CommandSpec& spec, const std::string& name) {
  for (const OptionSpec& o : spec.options)
    if (o.name == name) return &o;
  return nullptr;
}

}  // namespace

std::vector<std::string> close_matches(const std::string& word, const std::vector<std::string>& candidates) {
  return foldfit::close_matches(word, candidates);
}

ParsedOptions parse_options(const CommandSpec& spec, const std::vector<std::string>& args, bool pass_unknown) {
  ParsedOptions out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h" || arg == "--helpfull") {
      out.help_ = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      out.positional_.push_back(arg);
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (auto eq = body.find('='); eq != std::string::npos) {
      value = body.substr(eq + 1);
      body = body.substr(0, eq);
    }
    const OptionSpec* o = find_spec(spec, body);
    if (!o && !value && body.rfind("no", 0) == 0) {
      const OptionSpec* neg = find_spec(spec, body.substr(2));
      if (neg && neg->value_hint.empty()) {
        out.values_[neg->name] = "false";
        continue;
      }
    }
    if (!o) {
      if (pass_unknown) {
        out.unknown_.push_back(arg);
        // "--flag value": keep the value with its flag.
        if (!value && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) out.unknown_.push_back(args[++i]);
        continue;
      }
      std::vector<std::string> names;
      for (const OptionSpec& s : spec.options) names.push_back(s.name);
      auto near = close_matches(body, names);
      std::string hint = near.empty() ? "" : fmt::format(" (did you mean --{}?)", near.front());
      throw UsageError(fmt::format("foldfit {}: unknown flag --{}{}; see 'foldfit {} --help'", spec.name, body, hint,
                                   spec.name));
    }
    if (o->value_hint.empty()) {
      out.values_[o->name] = value.value_or("true");
      continue;
    }
    if (!value) {
      if (i + 1 >= args.size()) throw UsageError(fmt::format("foldfit {}: --{} needs a value ({})", spec.name, o->name, o->value_hint));
      value = args[++i];
    }
    out.values_[o->name] = *value;
  }
  return out;
}

std::optional<std::string> ParsedOptions::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string ParsedOptions::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

std::optional<bool> ParsedOptions::flag_if_set(const std::string& name) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  std::string s = *v;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "true" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "no") return false;
  throw UsageError(fmt::format("--{}: expected true or false, found '{}'", name, *v));
}

bool ParsedOptions::flag(const std::string& name, bool fallback) const { return flag_if_set(name).value_or(fallback); }

std::optional<long long> ParsedOptions::integer(const std::string& name, long long lo, long long hi) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  return parse_flag_integer(name, *v, lo, hi);
}

std::optional<double> ParsedOptions::number(const std::string& name, double lo, double hi) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  return parse_flag_number(name, *v, lo, hi);
}

std::optional<std::string> ParsedOptions::choice(const std::string& name, const std::vector<std::string>& choices) const {
  auto v = get(name);
  if (!v) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *v) == choices.end()) {
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    throw UsageError(fmt::format("--{}: '{}' is not one of {}", name, *v, list));
  }
  return v;
}

std::string help_text(const CommandSpec& spec) {
  std::string out = fmt::format("usage: foldfit {} {}\n\n{}\n\nflags:\n", spec.name, spec.usage, spec.summary);
  for (const OptionSpec& o : spec.options) {
    std::string head = o.value_hint.empty() ? fmt::format("  --{}", o.name) : fmt::format("  --{}={}", o.name, o.value_hint);
    if (head.size() < 30) head.resize(30, ' ');
    else head += "\n" + std::string(30, ' ');
    std::string help = o.help;
    if (!o.default_text.empty()) help += fmt::format(" (default: {})", o.default_text);
    out += head + help + "\n";
  }
  out += "  --help                      this text\n";
  if (!spec.details.empty()) out += "\n" + spec.details + "\n";
  return out;
}

}  // namespace foldfit::cli
