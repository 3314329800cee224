#include "foldfit/schedule/placement.hpp"

#include <fmt/format.h>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

// make_planning never asks NVML when a GPU is named; this stands in for it.
class NoGpus final : public GpuQuery {
 public:
  std::vector<DetectedGpu> list() override { return {}; }
  std::string unavailable_reason() const override { return "not used: the cluster names its GPUs"; }
};

}  // namespace

std::vector<std::string> class_device_flags(const GpuClass& g) {
  std::vector<std::string> f = {"--gpu=" + g.table_gpu};
  // A MIG slice: its parent card with the slice's memory as the budget.
  if (g.mig) f.push_back(fmt::format("--max_gpu_memory_gb={:.6f}", g.gpu.memory.count() / 1e9));
  if (g.node_ram > Bytes(0)) f.push_back(fmt::format("--host_ram_gb={:.6f}", g.node_ram.count() / 1e9));
  return f;
}

Placer::Placer(const Cluster& cluster, const std::map<std::string, std::string>& setting_flags,
               const std::map<std::string, std::string>& environment)
    : cluster_(cluster) {
  NoGpus none;
  for (const GpuClass& g : cluster.classes) {
    std::map<std::string, std::string> flags = setting_flags;
    for (const std::string& f : class_device_flags(g)) {
      auto eq = f.find('=');
      flags[f.substr(2, eq - 2)] = f.substr(eq + 1);
    }
    Planning p = make_planning(flags, environment, none);
    p.request.device.origin = fmt::format("{}: {}", g.name, p.request.device.origin);
    p.request.details = false;
    requests_.push_back(std::move(p));
  }
}

const Placement& Placer::place(const Sizes& sizes) {
  auto key = std::make_pair(sizes.tokens, sizes.seeds);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  std::vector<int> all;
  for (std::size_t i = 0; i < requests_.size(); ++i) all.push_back(static_cast<int>(i));
  return memo_.emplace(key, place_among(sizes, all)).first->second;
}

Placement Placer::place_among(const Sizes& sizes, const std::vector<int>& classes) const {
  Placement out;
  for (int ci : classes) {
    std::size_t i = static_cast<std::size_t>(ci);
    // Planning uses the request exactly as `foldfit estimate` would; the calibration set
    // is shared by pointer, kept alive by requests_.
    PlannedInput pi = plan_input(sizes, requests_[i].request);
    const GpuClass& g = cluster_.classes[i];
    if (pi.plan.verdict != Verdict::cannot_fit) {
      out.class_index = static_cast<int>(i);
      out.plan = std::move(pi.plan);
      break;
    }
    out.passed.push_back(fmt::format("{} ({}): cannot fit, expected peak {}", g.name, g.gpu.name, format_gb(pi.plan.after.total)));
    out.plan = std::move(pi.plan);
  }
  if (out.class_index < 0) {
    std::vector<std::string> w;
    if (!out.plan.smallest_fitting_gpu.empty()) w.push_back("a " + out.plan.smallest_fitting_gpu);
    if (!out.plan.unified_memory_option.empty()) w.push_back(out.plan.unified_memory_option);
    if (!out.plan.split_advice.empty()) w.push_back(out.plan.split_advice);
    out.would_fit = w.empty() ? "no GPU in the table" : fmt::format("{}", fmt::join(w, "; or "));
  }
  return out;
}

}  // namespace foldfit
