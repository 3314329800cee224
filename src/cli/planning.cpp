#include "planning.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "foldfit/common/error.hpp"
#include "foldfit/common/process_environment.hpp"
#include "inputs.hpp"

namespace foldfit::cli {

namespace {

std::vector<OptionSpec> specs_of(const std::vector<SettingFlag>& flags) {
  std::vector<OptionSpec> out;
  for (const SettingFlag& f : flags) out.push_back({f.name, f.value_hint, f.default_text, f.help});
  return out;
}

}  // namespace

std::vector<OptionSpec> setting_option_specs() { return specs_of(setting_flags()); }

std::vector<OptionSpec> device_option_specs() { return specs_of(device_flags()); }

std::vector<OptionSpec> planning_option_specs() {
  std::vector<OptionSpec> o = input_option_specs(false);
  for (OptionSpec& s : setting_option_specs()) o.push_back(s);
  for (OptionSpec& s : device_option_specs()) o.push_back(s);
  return o;
}

Planning planning_from(const ParsedOptions& o) {
  std::map<std::string, std::string> flags;
  for (const std::vector<OptionSpec>& specs : {setting_option_specs(), device_option_specs()})
    for (const OptionSpec& spec : specs) {
      if (!o.has(spec.name)) continue;
      if (spec.value_hint.empty()) flags[spec.name] = *o.flag_if_set(spec.name) ? "true" : "false";
      else flags[spec.name] = *o.get(spec.name);
    }
  std::unique_ptr<GpuQuery> query = make_nvml_query();
  // foldfit run's --af3_command is the installation whose release is planned for.
  return make_planning(flags, process_environment(), *query, o.get("af3_command"));
}

void require_launchable(const Af3ReleaseChoice& release) {
  if (release.release->lacks_run_flags.empty()) return;
  throw UsageError(fmt::format("AlphaFold 3 {} has no --{}, which foldfit run passes to every run; foldfit run "
                               "launches v3.0.2 and later (foldfit estimate plans for any release)",
                               release.text(), fmt::join(release.release->lacks_run_flags, ", --")));
}

}  // namespace foldfit::cli
