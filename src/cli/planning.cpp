#include "planning.hpp"

#include <fstream>

#include "foldfit/common/process_environment.hpp"
#include "foldfit/history/calibrate.hpp"
#include "foldfit/plan/read_settings.hpp"
#include "inputs.hpp"

namespace foldfit::cli {

std::vector<OptionSpec> setting_option_specs() {
  std::vector<OptionSpec> out;
  for (const SettingFlag& f : setting_flags()) out.push_back({f.name, f.value_hint, f.default_text, f.help});
  return out;
}

std::vector<OptionSpec> device_option_specs() {
  return {
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
  };
}

std::vector<OptionSpec> planning_option_specs() {
  std::vector<OptionSpec> o = input_option_specs(false);
  for (OptionSpec& s : setting_option_specs()) o.push_back(s);
  for (OptionSpec& s : device_option_specs()) o.push_back(s);
  return o;
}

Planning planning_from(const ParsedOptions& o) {
  Planning p;
  p.environment = process_environment();

  std::map<std::string, std::string> flags;
  for (const OptionSpec& spec : setting_option_specs()) {
    if (!o.has(spec.name)) continue;
    if (spec.value_hint.empty()) flags[spec.name] = *o.flag_if_set(spec.name) ? "true" : "false";
    else flags[spec.name] = *o.get(spec.name);
  }
  p.request.settings = read_settings(flags, p.environment);

  DeviceRequest d;
  d.gpu_name = o.get("gpu");
  d.max_gpu_memory_gb = o.number("max_gpu_memory_gb", 0.1, 1e6);
  d.host_ram_gb = o.number("host_ram_gb", 0.1, 1e6);
  d.gpu_device = static_cast<int>(o.integer("gpu_device", 0, 1023).value_or(0));
  if (auto it = p.environment.find("CUDA_VISIBLE_DEVICES"); it != p.environment.end()) d.visible_devices = it->second;
  std::unique_ptr<GpuQuery> query = make_nvml_query();
  p.local = probe_local_machine(*query, !d.gpu_name);
  p.request.device = resolve_device(d, p.local);
  p.request.margin = Bytes::from_gb(o.number("margin_gb", 0, 10000).value_or(kDefaultMarginGb));
  p.request.model = &MemoryModel::builtin();

  // What `foldfit calibrate` wrote, when there is one; --calibration names another file.
  std::string file = o.get_or("calibration", "");
  if (file.empty() && std::ifstream(default_calibration_path()).good()) file = default_calibration_path();
  p.calibrations = std::make_shared<const CalibrationSet>(file.empty() ? CalibrationSet() : CalibrationSet::with_file(file));
  p.request.calibrations = p.calibrations.get();
  return p;
}

}  // namespace foldfit::cli
