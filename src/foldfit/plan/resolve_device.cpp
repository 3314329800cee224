#include "foldfit/plan/resolve_device.hpp"

#include <fmt/format.h>

#include "foldfit/common/error.hpp"
#include "foldfit/device/host.hpp"

namespace foldfit {

namespace {

// Architecture from compute capability, for GPUs not in the table.
std::string architecture_of(int major, int minor) {
  switch (major) {
    case 6: return "pascal";
    case 7: return minor >= 5 ? "turing" : "volta";
    case 8: return minor >= 9 ? "ada" : "ampere";
    case 9: return "hopper";
    case 10:
    case 12: return "blackwell";
    default: return "unknown";
  }
}

}  // namespace

Device resolve_device(const DeviceRequest& request, GpuQuery& query) {
  Device d;
  if (request.gpu_name) {
    const GpuSpec* g = find_gpu(*request.gpu_name);
    if (!g) {
      std::vector<std::string> near = close_gpu_names(*request.gpu_name);
      std::string hint;
      for (const std::string& n : near) hint += (hint.empty() ? "" : ", ") + n;
      throw UsageError(fmt::format("--gpu: unknown GPU '{}'{}; 'foldfit devices' lists the table", *request.gpu_name,
                                   hint.empty() ? "" : " (did you mean " + hint + "?)"));
    }
    d.spec = *g;
    d.total = g->memory;
    d.origin = fmt::format("table: {}, {} as its driver reports", g->name, format_gb(g->memory));
  } else {
    std::vector<DetectedGpu> gpus = query.list();
    if (gpus.empty()) {
      std::string why = query.unavailable_reason();
      throw UsageError(fmt::format("no GPU detected ({}); name the GPU to plan for with --gpu=NAME, e.g. --gpu=A100-80GB",
                                   why.empty() ? "NVML reports none" : why));
    }
    apply_visible_devices(gpus, request.visible_devices);
    const DetectedGpu* g = select_gpu(gpus, request.gpu_device);
    if (!g)
      throw UsageError(fmt::format("--gpu_device={}: no such visible GPU ({} detected, CUDA_VISIBLE_DEVICES={})",
                                   request.gpu_device, gpus.size(), request.visible_devices.value_or("unset")));
    if (const GpuSpec* known = find_gpu(g->name)) d.spec = *known;
    d.spec.name = d.spec.name.empty() ? g->name : d.spec.name;
    d.spec.full_name = g->name;
    d.spec.memory = g->total;
    d.spec.cc_major = g->cc_major;
    d.spec.cc_minor = g->cc_minor;
    if (d.spec.architecture.empty()) d.spec.architecture = architecture_of(g->cc_major, g->cc_minor);
    d.total = g->total;
    d.detected = true;
    d.host_ram = host_memory_total();  // planning for this machine: its RAM takes unified-memory overflow
    d.used_by_others = g->used;
    d.other_processes = g->processes;
    d.origin = fmt::format("NVML: {} (GPU {}{}), driver {}", g->name, g->index, g->mig ? ", MIG slice" : "",
                           g->driver_version);
  }
  if (request.max_gpu_memory_gb) {
    d.total = Bytes::from_gb(*request.max_gpu_memory_gb);
    d.origin += fmt::format("; memory set to {} by --max_gpu_memory_gb", format_gb(d.total));
  }
  return d;
}

}  // namespace foldfit
