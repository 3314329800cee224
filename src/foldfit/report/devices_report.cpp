#include "foldfit/report/devices_report.hpp"

#include <fmt/format.h>

#include <sstream>

#include "foldfit/common/version.hpp"

namespace foldfit::report {

using nlohmann::ordered_json;

namespace {

std::string cc_text(int major, int minor) { return fmt::format("{}.{}", major, minor); }
std::string gb_gib(Bytes b) { return fmt::format("{:.2f} GB / {:.2f} GiB", b.gb(), b.gib()); }

}  // namespace

ordered_json gpu_json(const DetectedGpu& g) {
  ordered_json procs = ordered_json::array();
  for (const GpuProcess& p : g.processes)
    procs.push_back({{"pid", p.pid}, {"name", p.name},
                     {"used_bytes", p.used_known ? ordered_json(p.used.count()) : ordered_json(nullptr)}});
  const GpuSpec* spec = find_gpu(g.name);
  return {{"index", g.index},
          {"visible_index", g.visible_index >= 0 ? ordered_json(g.visible_index) : ordered_json(nullptr)},
          {"name", g.name},
          {"table_name", spec ? ordered_json(spec->name) : ordered_json(nullptr)},
          {"uuid", g.uuid},
          {"total_bytes", g.total.count()},
          {"free_bytes", g.free.count()},
          {"used_bytes", g.used.count()},
          {"compute_capability", cc_text(g.cc_major, g.cc_minor)},
          {"mig", g.mig},
          {"driver_version", g.driver_version},
          {"processes", procs}};
}

ordered_json spec_json(const GpuSpec& s) {
  return {{"name", s.name},
          {"nvml_names", s.nvml_names},
          {"memory_bytes", s.memory.count()},
          {"memory_origin", s.memory_origin},
          {"compute_capability", cc_text(s.cc_major, s.cc_minor)},
          {"architecture", s.architecture},
          {"bf16_tflops", s.bf16_tflops},
          {"bandwidth_gbs", s.bandwidth_gbs},
          {"origin", s.origin}};
}

ordered_json environment_json(const XlaEnvironment& env, const std::optional<Target>& target,
                              const std::vector<EnvFinding>& findings) {
  ordered_json j;
  j["variables"] = env.raw;
  j["preallocate"] = env.preallocate;
  j["mem_fraction"] = env.mem_fraction ? ordered_json(*env.mem_fraction) : ordered_json(nullptr);
  j["mem_fraction_variable"] = env.mem_fraction_variable;
  j["effective_fraction"] = env.effective_fraction();
  j["unified_memory"] = env.unified_memory;
  j["allocator"] = env.allocator.empty() ? "default" : env.allocator;
  j["xla_flags"] = env.xla_flags;
  if (target) {
    MemoryBudget b = memory_budget(env, target->total);
    j["checked_against"] = target->label;
    j["budget"] = {{"device_total_bytes", b.device_total.count()}, {"pool_bytes", b.pool.count()},
                   {"host_spill_bytes", b.host_spill.count()}, {"origin", b.origin}};
  } else {
    j["checked_against"] = nullptr;
    j["budget"] = nullptr;
  }
  ordered_json fs = ordered_json::array();
  for (const EnvFinding& f : findings)
    fs.push_back({{"severity", severity_name(f.severity)}, {"variable", f.variable}, {"message", f.message},
                  {"fix", f.fix}});
  j["findings"] = fs;
  return j;
}

std::string detected_text(const std::vector<DetectedGpu>& gpus, const std::string& reason,
                    const std::optional<std::string>& visible) {
  std::ostringstream out;
  out << "Detected GPUs (NVML):\n";
  if (gpus.empty()) {
    out << "  none: " << reason << "\n";
  }
  for (const DetectedGpu& g : gpus) {
    const GpuSpec* spec = find_gpu(g.name);
    out << fmt::format("  GPU {} ({}): {}{}\n", g.index,
                             g.visible_index >= 0 ? fmt::format("visible as {}", g.visible_index) : "hidden",
                             g.name, spec ? fmt::format("  [table: {}]", spec->name) : "  [not in the table]");
    out << fmt::format("    memory total {}, free {}, used {}\n", gb_gib(g.total), gb_gib(g.free),
                             gb_gib(g.used));
    out << fmt::format("    compute capability {}, MIG {}, driver {}, {}\n", cc_text(g.cc_major, g.cc_minor),
                             g.mig ? "on (CUDA sees MIG instances, each a slice of this memory)" : "off",
                             g.driver_version.empty() ? "unknown" : g.driver_version, g.uuid);
    for (const GpuProcess& p : g.processes)
      out << fmt::format("    process {} {}: {}\n", p.pid, p.name.empty() ? "(name unreadable)" : p.name,
                               p.used_known ? gb_gib(p.used) : "memory not reported");
  }
  out << "  CUDA_VISIBLE_DEVICES: " << (visible ? fmt::format("'{}'", *visible) : "unset (all visible)") << "\n";
  return out.str();
}

std::string table_text() {
  std::ostringstream out;
  out << "\nBuilt-in GPU table (data/gpus.tsv; memory as the driver reports it, GB = 1e9 B, GiB = 2^30 B):\n";
  out << fmt::format("  {:<14}{:>10}{:>10}{:>6}  {:<11}{:>14}{:>8}\n", "name", "mem GB", "mem GiB", "cc",
                           "arch", "bf16 TFLOP/s", "GB/s");
  for (const GpuSpec& s : gpu_table())
    out << fmt::format("  {:<14}{:>10.2f}{:>10.2f}{:>6}  {:<11}{:>14g}{:>8g}\n", s.name, s.memory.gb(),
                             s.memory.gib(), cc_text(s.cc_major, s.cc_minor), s.architecture, s.bf16_tflops,
                             s.bandwidth_gbs);
  out << "  (each row's origins: data/gpus.tsv, or foldfit devices --format=json)\n";
  return out.str();
}

std::string environment_text(const XlaEnvironment& env, const std::optional<Target>& target,
                       const std::vector<EnvFinding>& findings) {
  std::ostringstream out;
  out << "\nJAX/XLA environment:\n";
  for (const char* name : {"XLA_PYTHON_CLIENT_PREALLOCATE", "XLA_CLIENT_MEM_FRACTION", "XLA_PYTHON_CLIENT_MEM_FRACTION",
                           "TF_FORCE_UNIFIED_MEMORY", "XLA_PYTHON_CLIENT_ALLOCATOR", "XLA_FLAGS"}) {
    auto it = env.raw.find(name);
    out << fmt::format("  {:<32}{}\n", name, it == env.raw.end() ? "(unset)" : fmt::format("'{}'", it->second));
  }
  out << fmt::format("  read as: preallocate {}, fraction {}{}, unified memory {}, allocator {}\n",
                           env.preallocate ? "true" : "false", fmt::format("{:g}", env.effective_fraction()),
                           env.mem_fraction ? "" : " (JAX default)", env.unified_memory ? "true" : "false",
                           env.allocator.empty() ? "default (BFC)" : env.allocator);
  if (target) {
    MemoryBudget b = memory_budget(env, target->total);
    out << fmt::format("  budget on {}: pool {} of {}", target->label, gb_gib(b.pool), gb_gib(b.device_total));
    if (b.host_spill.count() > 0) out << fmt::format(", of which up to {} in host RAM", gb_gib(b.host_spill));
    out << "\n    = " << b.origin << "\n";
  } else {
    out << "  budget: no GPU to check against (use --gpu=NAME for a table GPU)\n";
  }
  out << "\nFindings" << (target ? " for " + target->label : "") << ":\n";
  if (findings.empty()) out << "  none\n";
  std::string text = format_findings(findings);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    out << "  " << text.substr(start, end - start) << "\n";
    start = end + 1;
  }
  return out.str();
}

DevicesReport survey_devices(GpuQuery& query, int gpu_device, const std::optional<std::string>& gpu_name,
                             const std::string& flash_attention_implementation,
                             const std::map<std::string, std::string>& environment) {
  const GpuSpec* named = gpu_name ? &require_gpu(*gpu_name) : nullptr;
  DevicesReport r;
  r.gpus = query.list();
  r.unavailable_reason = query.unavailable_reason();
  if (auto it = environment.find("CUDA_VISIBLE_DEVICES"); it != environment.end()) r.visible = it->second;
  apply_visible_devices(r.gpus, r.visible);
  r.gpu_device = gpu_device;
  const DetectedGpu* selected = select_gpu(r.gpus, gpu_device);
  r.selected_index = selected ? selected->index : -1;
  if (named) {
    r.target = Target{fmt::format("table GPU {}", named->name), named->memory, named->cc_major, named->cc_minor};
  } else if (selected) {
    r.target = Target{fmt::format("GPU {} ({}, --gpu_device={})", selected->index, selected->name, gpu_device),
                      selected->total, selected->cc_major, selected->cc_minor};
  }
  r.env = parse_environment(environment);
  r.findings = r.target ? check_environment(r.env, r.target->cc_major, r.target->cc_minor,
                                            flash_attention_implementation, r.target->total)
                        : check_environment(r.env, 0, 0, flash_attention_implementation);
  return r;
}

ordered_json devices_json(const DevicesReport& r) {
  ordered_json j;
  j["foldfit_version"] = std::string(version_long());
  ordered_json detected = ordered_json::array();
  for (const DetectedGpu& g : r.gpus) detected.push_back(gpu_json(g));
  j["detected"] = {{"gpus", detected}, {"unavailable_reason", r.unavailable_reason},
                   {"cuda_visible_devices", r.visible ? ordered_json(*r.visible) : ordered_json(nullptr)},
                   {"gpu_device", r.gpu_device},
                   {"selected_index", r.selected_index >= 0 ? ordered_json(r.selected_index) : ordered_json(nullptr)}};
  ordered_json table = ordered_json::array();
  for (const GpuSpec& s : gpu_table()) table.push_back(spec_json(s));
  j["table"] = table;
  j["environment"] = environment_json(r.env, r.target, r.findings);
  return j;
}

std::string devices_text(const DevicesReport& r) {
  std::string out = fmt::format("foldfit {} devices\n\n", version_long());
  out += detected_text(r.gpus, r.unavailable_reason, r.visible);
  if (!r.gpus.empty() && r.selected_index < 0) out += fmt::format("  --gpu_device={}: no such visible GPU\n", r.gpu_device);
  out += table_text();
  out += environment_text(r.env, r.target, r.findings);
  return out;
}

}  // namespace foldfit::report
