#include "foldfit/plan/planning.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "foldfit/common/error.hpp"
#include "foldfit/common/flag_values.hpp"
#include "foldfit/common/suggest.hpp"
#include "foldfit/history/calibrate.hpp"
#include "foldfit/run/launch.hpp"

namespace foldfit {

const std::vector<SettingFlag>& device_flags() {
  static const std::vector<SettingFlag> flags = {
      {"gpu", "NAME", "the detected GPU", "plan for a GPU from the table (e.g. A100-40GB, L40S, H100-80GB)"},
      {"gpu_device", "N", "0", "AlphaFold 3's --gpu_device: which visible GPU"},
      {"max_gpu_memory_gb", "GB", "the GPU's memory",
       "below the card's memory: plan with this much; above it: allow the difference to spill to host RAM "
       "(unified memory, much slower). GB = 10^9 bytes"},
      {"host_ram_gb", "GB", "this machine's RAM for a detected GPU, unknown for --gpu",
       "host RAM of the GPU's node, which takes unified memory's overflow"},
      {"margin_gb", "GB", "1.0", "memory kept free in JAX's pool as a safety margin"},
      {"calibration", "FILE", "the file foldfit calibrate writes, else the built-in overlays",
       "a calibration overlay (data/calibration/README.md)"},
      {"af3_release", "NAME", "the installation's, else v3.0.4",
       "the AlphaFold 3 release to plan for: v3.0.0 ... v3.0.4 or main (docs/releases.md); it decides the default "
       "buckets and the input versions accepted"},
  };
  return flags;
}

namespace {

// The flags that are settings, for read_settings; unknown names are refused.
std::map<std::string, std::string> setting_values(const std::map<std::string, std::string>& flags) {
  std::vector<std::string> known;
  for (const SettingFlag& f : setting_flags()) known.push_back(f.name);
  const std::size_t settings = known.size();
  for (const SettingFlag& f : device_flags()) known.push_back(f.name);
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : flags) {
    auto at = std::find(known.begin(), known.end(), name);
    if (at == known.end()) {
      auto near = close_matches(name, known, 1);
      throw UsageError(fmt::format("unknown flag --{}{}", name,
                                   near.empty() ? "" : fmt::format(" (did you mean --{}?)", near.front())));
    }
    if (static_cast<std::size_t>(at - known.begin()) < settings) out[name] = value;
  }
  return out;
}

std::optional<std::string> given(const std::map<std::string, std::string>& flags, const std::string& name) {
  auto it = flags.find(name);
  return it == flags.end() ? std::nullopt : std::optional(it->second);
}

std::optional<double> number(const std::map<std::string, std::string>& flags, const std::string& name, double lo, double hi) {
  auto v = given(flags, name);
  return v ? std::optional(parse_flag_number(name, *v, lo, hi)) : std::nullopt;
}

}  // namespace

Af3ReleaseChoice resolve_af3_release(const std::optional<std::string>& flag,
                                     const std::optional<std::string>& af3_command,
                                     const std::map<std::string, std::string>& environment) {
  if (flag) return choose_af3_release(flag, std::nullopt);
  std::vector<std::string> tried;
  std::optional<std::string> command = af3_command ? af3_command : find_af3_command(environment, &tried);
  if (!command) return choose_af3_release(std::nullopt, std::nullopt, {"none on $FOLDFIT_AF3_COMMAND, in AlphaFold 3's "
                                                                       "Docker image or on PATH"});
  std::optional<std::string> script = af3_script_of(*command, environment);
  if (!script) {
    Af3ReleaseChoice c;
    c.detail = fmt::format("the AlphaFold 3 command '{}' names no run_alphafold.py to read; the newest tagged release "
                           "is assumed (give --af3_release)",
                           *command);
    return c;
  }
  return choose_af3_release(std::nullopt, script);
}

Planning make_planning(const std::map<std::string, std::string>& flags, std::map<std::string, std::string> environment,
                       GpuQuery& gpus, const std::optional<std::string>& af3_command) {
  Planning p;
  p.environment = std::move(environment);
  p.release = resolve_af3_release(given(flags, "af3_release"), af3_command, p.environment);
  p.request.release = p.release;
  p.request.settings = read_settings(setting_values(flags), p.environment, *p.release.release);

  DeviceRequest d;
  d.gpu_name = given(flags, "gpu");
  d.max_gpu_memory_gb = number(flags, "max_gpu_memory_gb", 0.1, 1e6);
  d.host_ram_gb = number(flags, "host_ram_gb", 0.1, 1e6);
  if (auto n = given(flags, "gpu_device")) d.gpu_device = static_cast<int>(parse_flag_integer("gpu_device", *n, 0, 1023));
  if (auto it = p.environment.find("CUDA_VISIBLE_DEVICES"); it != p.environment.end()) d.visible_devices = it->second;
  p.local = probe_local_machine(gpus, !d.gpu_name);
  p.request.device = resolve_device(d, p.local);
  p.request.margin = Bytes::from_gb(number(flags, "margin_gb", 0, 10000).value_or(kDefaultMarginGb));
  p.request.model = &MemoryModel::builtin();

  // What `foldfit calibrate` wrote, when there is one; --calibration names another file.
  std::string file = given(flags, "calibration").value_or("");
  if (file.empty() && std::ifstream(default_calibration_path()).good()) file = default_calibration_path();
  p.calibrations = std::make_shared<const CalibrationSet>(file.empty() ? CalibrationSet() : CalibrationSet::with_file(file));
  p.request.calibrations = p.calibrations.get();
  return p;
}

void require_runnable(const Plan& plan) {
  for (const EnvFinding& f : plan.findings)
    if (f.severity == EnvFinding::Severity::error && plan.verdict != Verdict::cannot_fit)
      throw UsageError(fmt::format("error: {}{}", f.message, f.fix.empty() ? "" : " Fix: " + f.fix));
}

}  // namespace foldfit
