// resolve_device.hpp - which GPU to plan for: the detected one, a table entry, or an override.
#pragma once

#include <optional>
#include <string>

#include "foldfit/device/nvml.hpp"
#include "foldfit/plan/planner.hpp"

namespace foldfit {

struct DeviceRequest {
  std::optional<std::string> gpu_name;         // --gpu: plan for a table GPU (no detection)
  std::optional<double> max_gpu_memory_gb;     // --max_gpu_memory_gb: memory to plan with
  int gpu_device = 0;                          // --gpu_device, among visible devices
  std::optional<std::string> visible_devices;  // CUDA_VISIBLE_DEVICES
};

// Throws UsageError for an unknown --gpu name (with close matches) or when no GPU is
// detected and none is named (with the reason detection failed).
Device resolve_device(const DeviceRequest& request, GpuQuery& query);

}  // namespace foldfit
