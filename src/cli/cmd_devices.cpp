// cmd_devices.cpp - `foldfit devices`: the GPUs this machine has, the GPUs foldfit knows,
// and the JAX/XLA memory settings AlphaFold 3 would run under here.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "foldfit/common/process_environment.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/common/version.hpp"
#include "foldfit/device/environment.hpp"
#include "foldfit/device/gpu_table.hpp"
#include "foldfit/device/nvml.hpp"

namespace foldfit::cli {

const CommandSpec kDevicesSpec{
    "devices",
    "List the GPUs NVML reports on this machine, the GPUs foldfit knows (memory as drivers report it),\n"
    "and the JAX/XLA memory settings AlphaFold 3 would run under, with what is wrong in them.",
    "[flags]",
    "The environment is read from this process: XLA_PYTHON_CLIENT_PREALLOCATE, XLA_CLIENT_MEM_FRACTION\n"
    "(or XLA_PYTHON_CLIENT_MEM_FRACTION), TF_FORCE_UNIFIED_MEMORY, XLA_PYTHON_CLIENT_ALLOCATOR, XLA_FLAGS,\n"
    "and CUDA_VISIBLE_DEVICES. It is checked against the GPU --gpu_device selects, or the table GPU --gpu\n"
    "names. Exit codes: 0 (also when no GPU is found or a setting is wrong); 2 invalid usage.",
    {
        {"format", "text|json", "text", "output format"},
        {"gpu_device", "N", "0", "the GPU AlphaFold 3 would use, counted among visible devices (as AlphaFold 3's flag)"},
        {"gpu", "NAME", "", "check the environment against this table GPU instead of a detected one (e.g. V100-16GB)"},
        {"flash_attention_implementation", "triton|cudnn|xla", "triton", "as AlphaFold 3's flag, for the checks"},
    },
};

namespace {

using nlohmann::ordered_json;

std::string cc_text(int major, int minor) { return fmt::format("{}.{}", major, minor); }
std::string gb_gib(Bytes b) { return fmt::format("{:.2f} GB / {:.2f} GiB", b.gb(), b.gib()); }

// The device the environment is checked against.
struct Target {
  std::string label;  // "GPU 0 (NVIDIA A100-SXM4-40GB)", "table GPU V100-16GB"
  Bytes total;
  int cc_major = 0;
  int cc_minor = 0;
};

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

void print_detected(const std::vector<DetectedGpu>& gpus, const std::string& reason,
                    const std::optional<std::string>& visible) {
  std::cout << "Detected GPUs (NVML):\n";
  if (gpus.empty()) {
    std::cout << "  none: " << reason << "\n";
  }
  for (const DetectedGpu& g : gpus) {
    const GpuSpec* spec = find_gpu(g.name);
    std::cout << fmt::format("  GPU {} ({}): {}{}\n", g.index,
                             g.visible_index >= 0 ? fmt::format("visible as {}", g.visible_index) : "hidden",
                             g.name, spec ? fmt::format("  [table: {}]", spec->name) : "  [not in the table]");
    std::cout << fmt::format("    memory total {}, free {}, used {}\n", gb_gib(g.total), gb_gib(g.free),
                             gb_gib(g.used));
    std::cout << fmt::format("    compute capability {}, MIG {}, driver {}, {}\n", cc_text(g.cc_major, g.cc_minor),
                             g.mig ? "on (CUDA sees MIG instances, each a slice of this memory)" : "off",
                             g.driver_version.empty() ? "unknown" : g.driver_version, g.uuid);
    for (const GpuProcess& p : g.processes)
      std::cout << fmt::format("    process {} {}: {}\n", p.pid, p.name.empty() ? "(name unreadable)" : p.name,
                               p.used_known ? gb_gib(p.used) : "memory not reported");
  }
  std::cout << "  CUDA_VISIBLE_DEVICES: " << (visible ? fmt::format("'{}'", *visible) : "unset (all visible)") << "\n";
}

void print_table() {
  std::cout << "\nBuilt-in GPU table (data/gpus.tsv; memory as the driver reports it, GB = 1e9 B, GiB = 2^30 B):\n";
  std::cout << fmt::format("  {:<14}{:>10}{:>10}{:>6}  {:<11}{:>14}{:>8}\n", "name", "mem GB", "mem GiB", "cc",
                           "arch", "bf16 TFLOP/s", "GB/s");
  for (const GpuSpec& s : gpu_table())
    std::cout << fmt::format("  {:<14}{:>10.2f}{:>10.2f}{:>6}  {:<11}{:>14g}{:>8g}\n", s.name, s.memory.gb(),
                             s.memory.gib(), cc_text(s.cc_major, s.cc_minor), s.architecture, s.bf16_tflops,
                             s.bandwidth_gbs);
  std::cout << "  (each row's origins: data/gpus.tsv, or foldfit devices --format=json)\n";
}

void print_environment(const XlaEnvironment& env, const std::optional<Target>& target,
                       const std::vector<EnvFinding>& findings) {
  std::cout << "\nJAX/XLA environment:\n";
  for (const char* name : {"XLA_PYTHON_CLIENT_PREALLOCATE", "XLA_CLIENT_MEM_FRACTION", "XLA_PYTHON_CLIENT_MEM_FRACTION",
                           "TF_FORCE_UNIFIED_MEMORY", "XLA_PYTHON_CLIENT_ALLOCATOR", "XLA_FLAGS"}) {
    auto it = env.raw.find(name);
    std::cout << fmt::format("  {:<32}{}\n", name, it == env.raw.end() ? "(unset)" : fmt::format("'{}'", it->second));
  }
  std::cout << fmt::format("  read as: preallocate {}, fraction {}{}, unified memory {}, allocator {}\n",
                           env.preallocate ? "true" : "false", fmt::format("{:g}", env.effective_fraction()),
                           env.mem_fraction ? "" : " (JAX default)", env.unified_memory ? "true" : "false",
                           env.allocator.empty() ? "default (BFC)" : env.allocator);
  if (target) {
    MemoryBudget b = memory_budget(env, target->total);
    std::cout << fmt::format("  budget on {}: pool {} of {}", target->label, gb_gib(b.pool), gb_gib(b.device_total));
    if (b.host_spill.count() > 0) std::cout << fmt::format(", of which up to {} in host RAM", gb_gib(b.host_spill));
    std::cout << "\n    = " << b.origin << "\n";
  } else {
    std::cout << "  budget: no GPU to check against (use --gpu=NAME for a table GPU)\n";
  }
  std::cout << "\nFindings" << (target ? " for " + target->label : "") << ":\n";
  if (findings.empty()) std::cout << "  none\n";
  std::string text = format_findings(findings);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::cout << "  " << text.substr(start, end - start) << "\n";
    start = end + 1;
  }
}

}  // namespace

int run_devices(const ParsedOptions& options) {
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  int gpu_device = static_cast<int>(options.integer("gpu_device", 0, 1023).value_or(0));
  std::string flash =
      options.choice("flash_attention_implementation", {"triton", "cudnn", "xla"}).value_or("triton");
  const GpuSpec* named = nullptr;
  if (auto name = options.get("gpu")) {
    named = find_gpu(*name);
    if (!named) {
      auto near = close_gpu_names(*name);
      std::string hint;
      for (const std::string& n : near) hint += (hint.empty() ? "" : " or ") + fmt::format("'{}'", n);
      throw UsageError(fmt::format("--gpu: unknown GPU '{}'{}; 'foldfit devices' lists the known ones", *name,
                                   hint.empty() ? "" : fmt::format(" (did you mean {}?)", hint)));
    }
  }

  std::unique_ptr<GpuQuery> query = make_nvml_query();
  std::vector<DetectedGpu> gpus = query->list();
  std::optional<std::string> visible;
  if (const char* v = std::getenv("CUDA_VISIBLE_DEVICES")) visible = v;
  apply_visible_devices(gpus, visible);

  std::optional<Target> target;
  const DetectedGpu* selected = select_gpu(gpus, gpu_device);
  if (named) {
    target = Target{fmt::format("table GPU {}", named->name), named->memory, named->cc_major, named->cc_minor};
  } else if (selected) {
    target = Target{fmt::format("GPU {} ({}, --gpu_device={})", selected->index, selected->name, gpu_device),
                    selected->total, selected->cc_major, selected->cc_minor};
  }
  XlaEnvironment env = parse_environment(process_environment());
  std::vector<EnvFinding> findings =
      target ? check_environment(env, target->cc_major, target->cc_minor, flash, target->total)
             : check_environment(env, 0, 0, flash);

  if (format == "json") {
    ordered_json j;
    j["foldfit_version"] = std::string(version_long());
    ordered_json detected = ordered_json::array();
    for (const DetectedGpu& g : gpus) detected.push_back(gpu_json(g));
    j["detected"] = {{"gpus", detected}, {"unavailable_reason", query->unavailable_reason()},
                     {"cuda_visible_devices", visible ? ordered_json(*visible) : ordered_json(nullptr)},
                     {"gpu_device", gpu_device},
                     {"selected_index", selected ? ordered_json(selected->index) : ordered_json(nullptr)}};
    ordered_json table = ordered_json::array();
    for (const GpuSpec& s : gpu_table()) table.push_back(spec_json(s));
    j["table"] = table;
    j["environment"] = environment_json(env, target, findings);
    std::cout << j.dump(2) << "\n";
    return kOk;
  }
  std::cout << "foldfit " << version_long() << " devices\n\n";
  print_detected(gpus, query->unavailable_reason(), visible);
  if (!gpus.empty() && !selected)
    std::cout << fmt::format("  --gpu_device={}: no such visible GPU\n", gpu_device);
  print_table();
  print_environment(env, target, findings);
  return kOk;
}

}  // namespace foldfit::cli
