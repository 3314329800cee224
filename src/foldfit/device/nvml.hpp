// nvml.hpp - what the installed GPUs say about themselves, through NVML loaded at run time.
//
// libnvidia-ml.so.1 is opened with dlopen: foldfit builds and runs without a GPU or the
// CUDA toolkit. The query sits behind an interface so tests use a fake.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/bytes.hpp"

namespace foldfit {

struct GpuProcess {
  std::uint32_t pid = 0;
  std::string name;  // from /proc/PID/comm when readable
  Bytes used;        // GPU memory the process holds
};

struct DetectedGpu {
  int index = 0;            // NVML index (physical)
  int visible_index = -1;   // index as CUDA/JAX see it under CUDA_VISIBLE_DEVICES, -1 if hidden
  std::string name;         // NVML name, e.g. "NVIDIA A100-SXM4-40GB"
  std::string uuid;
  Bytes total;
  Bytes free;
  Bytes used;
  int cc_major = 0;
  int cc_minor = 0;
  bool mig = false;         // a MIG instance (memory is the slice's)
  std::string driver_version;
  std::vector<GpuProcess> processes;  // compute processes holding memory on it
};

class GpuQuery {
 public:
  virtual ~GpuQuery() = default;
  // Every GPU the driver reports; empty when there is none or NVML is missing.
  virtual std::vector<DetectedGpu> list() = 0;
  // Why list() is empty ("libnvidia-ml.so.1 not found", ...); empty when it is not.
  virtual std::string unavailable_reason() const = 0;
};

// The real query (NVML via dlopen).
std::unique_ptr<GpuQuery> make_nvml_query();

// Applies CUDA_VISIBLE_DEVICES (indices or UUIDs, as CUDA reads it) to set
// visible_index; `value` nullopt means the variable is unset (all visible).
void apply_visible_devices(std::vector<DetectedGpu>& gpus, const std::optional<std::string>& value);

// The GPU AlphaFold 3 would use with --gpu_device=N (N counts visible devices).
// nullptr when there is no such device.
const DetectedGpu* select_gpu(const std::vector<DetectedGpu>& gpus, int gpu_device);

}  // namespace foldfit
