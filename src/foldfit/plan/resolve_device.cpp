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

LocalMachine probe_local_machine(GpuQuery& query, bool need_gpus) {
  LocalMachine m;
  if (need_gpus) {
    m.gpus = query.list();
    if (m.gpus.empty()) m.gpu_unavailable_reason = query.unavailable_reason();
  }
  m.host_ram = host_memory_total();
  return m;
}

Device resolve_device(const DeviceRequest& request, const LocalMachine& local) {
  Device d;
  if (request.gpu_name) {
    const GpuSpec& g = require_gpu(*request.gpu_name);
    d.spec = g;
    d.total = g.memory;
    d.origin = fmt::format("table: {}, {} as its driver reports", g.name, format_gb(g.memory));
  } else {
    std::vector<DetectedGpu> gpus = local.gpus;
    if (gpus.empty()) {
      const std::string& why = local.gpu_unavailable_reason;
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
    // Planning for this machine: its RAM takes unified memory's overflow.
    d.host_ram = local.host_ram;
    d.host_ram_origin = "this machine's RAM";
    d.used_by_others = g->used;
    d.other_processes = g->processes;
    d.origin = fmt::format("NVML: {} (GPU {}{}), driver {}", g->name, g->index, g->mig ? ", MIG slice" : "",
                           g->driver_version);
  }
  if (request.host_ram_gb) {
    d.host_ram = Bytes::from_gb(*request.host_ram_gb);
    d.host_ram_origin = "--host_ram_gb";
  }
  if (request.max_gpu_memory_gb) {
    Bytes wanted = Bytes::from_gb(*request.max_gpu_memory_gb);
    if (wanted <= d.total) {
      d.total = wanted;
      d.origin += fmt::format("; planned with {} (--max_gpu_memory_gb)", format_gb(wanted));
    } else {
      d.spill_permitted = wanted - d.total;
      d.origin += fmt::format("; --max_gpu_memory_gb={:g} allows {} beyond the card's memory to spill to host RAM "
                              "(unified memory, much slower)", *request.max_gpu_memory_gb, format_gb(d.spill_permitted));
    }
  }
  return d;
}

}  // namespace foldfit
