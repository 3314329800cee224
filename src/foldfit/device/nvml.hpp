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
  bool used_known = true;  // false where the driver does not say (NVML_VALUE_NOT_AVAILABLE)
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
  bool mig = false;         // MIG mode is on: CUDA sees the GPU's MIG instances, each with a
                            // slice of `total`, not the whole GPU
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

// The real query (NVML via dlopen of `library`, by default the driver's libnvidia-ml.so.1).
std::unique_ptr<GpuQuery> make_nvml_query();
std::unique_ptr<GpuQuery> make_nvml_query(const std::string& library);

// A process's name from PROC_ROOT/PID/comm; empty when unreadable (another
// container's process, no permission).
std::string process_name(std::uint32_t pid, const std::string& proc_root = "/proc");

// Applies CUDA_VISIBLE_DEVICES (indices or UUIDs, as CUDA reads it) to set
// visible_index; `value` nullopt means the variable is unset (all visible).
// As CUDA does: entries are comma-separated indices or "GPU-<uuid prefix>"; the first
// invalid entry (unknown, out of range, ambiguous, repeated, a MIG-<uuid> instance
// foldfit does not enumerate) hides itself and every later entry; an empty value hides all.
// Indices are taken in NVML (PCI bus) order, which is CUDA's order with
// CUDA_DEVICE_ORDER=PCI_BUS_ID and on machines whose GPUs are all the same model.
void apply_visible_devices(std::vector<DetectedGpu>& gpus, const std::optional<std::string>& value);

// The GPU AlphaFold 3 would use with --gpu_device=N (N counts visible devices).
// nullptr when there is no such device.
const DetectedGpu* select_gpu(const std::vector<DetectedGpu>& gpus, int gpu_device);

}  // namespace foldfit
