// resolve_device.hpp - which GPU to plan for: the detected one, a table entry, or an override.
#pragma once

#include <optional>
#include <string>

#include "foldfit/device/nvml.hpp"
#include "foldfit/plan/planner.hpp"

namespace foldfit {

struct DeviceRequest {
  std::optional<std::string> gpu_name;         // --gpu: plan for a table GPU (no detection)
  // --max_gpu_memory_gb: below the card's memory, a smaller budget; above it, permission
  // to spill the difference to host RAM (unified memory with the matching fraction).
  std::optional<double> max_gpu_memory_gb;
  std::optional<double> host_ram_gb;           // --host_ram_gb: the GPU node's host RAM
  int gpu_device = 0;                          // --gpu_device, among visible devices
  std::optional<std::string> visible_devices;  // CUDA_VISIBLE_DEVICES
};

// What this machine says about itself, read once at the edge.
struct LocalMachine {
  std::vector<DetectedGpu> gpus;
  std::string gpu_unavailable_reason;  // why NVML gave nothing
  Bytes host_ram;                      // 0: unknown
};
// NVML's GPUs (skipped when `need_gpus` is false) and the host's RAM.
LocalMachine probe_local_machine(GpuQuery& query, bool need_gpus = true);

// Throws UsageError for an unknown --gpu name (with close matches) or when no GPU is
// detected and none is named (with the reason detection failed).
Device resolve_device(const DeviceRequest& request, const LocalMachine& local);

}  // namespace foldfit
