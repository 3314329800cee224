// The NVML query: libnvidia-ml.so.1 opened at run time, the few entry points foldfit
// needs declared here with their C signatures (nvml.h, NVML API reference), so that
// neither the CUDA toolkit nor a GPU is needed to build.
#include "foldfit/device/nvml.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <fstream>

namespace foldfit {

namespace {

using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr nvmlReturn_t kNvmlInsufficientSize = 7;            // NVML_ERROR_INSUFFICIENT_SIZE
constexpr unsigned long long kNvmlValueNotAvailable = ~0ULL;  // NVML_VALUE_NOT_AVAILABLE
constexpr unsigned int kNvmlMigEnable = 1;                    // NVML_DEVICE_MIG_ENABLE
constexpr unsigned int kNameBuffer = 96;     // NVML_DEVICE_NAME_V2_BUFFER_SIZE
constexpr unsigned int kUuidBuffer = 96;     // NVML_DEVICE_UUID_V2_BUFFER_SIZE
constexpr unsigned int kDriverBuffer = 80;   // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

struct NvmlMemory {  // nvmlMemory_t
  unsigned long long total, free, used;
};
struct NvmlProcessInfoV1 {  // nvmlProcessInfo_v1_t (nvmlDeviceGetComputeRunningProcesses)
  unsigned int pid;
  unsigned long long usedGpuMemory;
};
struct NvmlProcessInfoV2 {  // nvmlProcessInfo_v2_t, used by the _v2 and _v3 entry points
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
};

using InitFn = nvmlReturn_t (*)();
using ShutdownFn = nvmlReturn_t (*)();
using ErrorStringFn = const char* (*)(nvmlReturn_t);
using CountFn = nvmlReturn_t (*)(unsigned int*);
using HandleFn = nvmlReturn_t (*)(unsigned int, nvmlDevice_t*);
using StringFn = nvmlReturn_t (*)(nvmlDevice_t, char*, unsigned int);
using MemoryFn = nvmlReturn_t (*)(nvmlDevice_t, NvmlMemory*);
using CapabilityFn = nvmlReturn_t (*)(nvmlDevice_t, int*, int*);
using DriverFn = nvmlReturn_t (*)(char*, unsigned int);
using ProcessesV1Fn = nvmlReturn_t (*)(nvmlDevice_t, unsigned int*, NvmlProcessInfoV1*);
using ProcessesV2Fn = nvmlReturn_t (*)(nvmlDevice_t, unsigned int*, NvmlProcessInfoV2*);
using MigModeFn = nvmlReturn_t (*)(nvmlDevice_t, unsigned int*, unsigned int*);

class NvmlQuery final : public GpuQuery {
 public:
  explicit NvmlQuery(std::string library) : library_(std::move(library)) {
    handle_ = dlopen(library_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      const char* why = dlerror();
      reason_ = fmt::format("cannot load {} (the NVIDIA driver's NVML library): {}", library_,
                            why ? why : "dlopen failed");
      return;
    }
    init_ = symbol<InitFn>("nvmlInit_v2");
    shutdown_ = symbol<ShutdownFn>("nvmlShutdown");
    error_string_ = symbol<ErrorStringFn>("nvmlErrorString");
    count_ = symbol<CountFn>("nvmlDeviceGetCount_v2");
    handle_by_index_ = symbol<HandleFn>("nvmlDeviceGetHandleByIndex_v2");
    name_ = symbol<StringFn>("nvmlDeviceGetName");
    uuid_ = symbol<StringFn>("nvmlDeviceGetUUID");
    memory_ = symbol<MemoryFn>("nvmlDeviceGetMemoryInfo");
    capability_ = symbol<CapabilityFn>("nvmlDeviceGetCudaComputeCapability");
    driver_ = symbol<DriverFn>("nvmlSystemGetDriverVersion");
    processes_v3_ = symbol<ProcessesV2Fn>("nvmlDeviceGetComputeRunningProcesses_v3");
    processes_v2_ = symbol<ProcessesV2Fn>("nvmlDeviceGetComputeRunningProcesses_v2");
    processes_v1_ = symbol<ProcessesV1Fn>("nvmlDeviceGetComputeRunningProcesses");
    mig_mode_ = symbol<MigModeFn>("nvmlDeviceGetMigMode");
    if (!init_ || !shutdown_ || !count_ || !handle_by_index_ || !name_ || !memory_)
      reason_ = fmt::format("{} is too old: it lacks nvmlInit_v2 or another required entry point", library_);
  }
  ~NvmlQuery() override {
    if (handle_) dlclose(handle_);
  }
  NvmlQuery(const NvmlQuery&) = delete;
  NvmlQuery& operator=(const NvmlQuery&) = delete;

  std::vector<DetectedGpu> list() override {
    if (!reason_.empty()) return {};
    if (nvmlReturn_t rc = init_(); rc != kNvmlSuccess) {
      reason_ = fmt::format("NVML could not start: {}", error(rc));
      return {};
    }
    std::vector<DetectedGpu> out = query_devices();
    shutdown_();
    if (out.empty() && reason_.empty()) reason_ = "NVML reports no GPU";
    return out;
  }

  std::string unavailable_reason() const override { return reason_; }

 private:
  template <typename Fn>
  Fn symbol(const char* name) {
    return reinterpret_cast<Fn>(dlsym(handle_, name));
  }

  std::string error(nvmlReturn_t rc) const {
    const char* text = error_string_ ? error_string_(rc) : nullptr;
    return text ? fmt::format("{} (NVML error {})", text, rc) : fmt::format("NVML error {}", rc);
  }

  std::vector<DetectedGpu> query_devices() {
    unsigned int count = 0;
    if (nvmlReturn_t rc = count_(&count); rc != kNvmlSuccess) {
      reason_ = fmt::format("NVML could not count the GPUs: {}", error(rc));
      return {};
    }
    std::string driver;
    if (driver_) {
      char buffer[kDriverBuffer] = {};
      if (driver_(buffer, kDriverBuffer) == kNvmlSuccess) driver = buffer;
    }
    std::vector<DetectedGpu> out;
    for (unsigned int i = 0; i < count; ++i) {
      nvmlDevice_t device = nullptr;
      if (handle_by_index_(i, &device) != kNvmlSuccess) continue;  // e.g. a GPU the user may not access
      DetectedGpu gpu;
      gpu.index = static_cast<int>(i);
      gpu.driver_version = driver;
      char name[kNameBuffer] = {};
      if (name_(device, name, kNameBuffer) == kNvmlSuccess) gpu.name = name;
      char uuid[kUuidBuffer] = {};
      if (uuid_ && uuid_(device, uuid, kUuidBuffer) == kNvmlSuccess) gpu.uuid = uuid;
      NvmlMemory memory{};
      if (memory_(device, &memory) == kNvmlSuccess) {
        gpu.total = Bytes(static_cast<std::int64_t>(memory.total));
        gpu.free = Bytes(static_cast<std::int64_t>(memory.free));
        gpu.used = Bytes(static_cast<std::int64_t>(memory.used));
      }
      if (capability_) capability_(device, &gpu.cc_major, &gpu.cc_minor);
      unsigned int current = 0, pending = 0;
      // Not supported on GPUs without MIG: that leaves mig false.
      if (mig_mode_ && mig_mode_(device, &current, &pending) == kNvmlSuccess) gpu.mig = current == kNvmlMigEnable;
      gpu.processes = processes(device);
      out.push_back(std::move(gpu));
    }
    return out;
  }

  // Compute processes: the newest entry point the driver has (_v3, then _v2, then the
  // original with the shorter record), growing the buffer while NVML says it is short.
  std::vector<GpuProcess> processes(nvmlDevice_t device) {
    std::vector<GpuProcess> out;
    auto add = [&](unsigned int pid, unsigned long long used) {
      GpuProcess p;
      p.pid = pid;
      p.name = process_name(pid);
      p.used_known = used != kNvmlValueNotAvailable;
      p.used = Bytes(p.used_known ? static_cast<std::int64_t>(used) : 0);
      out.push_back(std::move(p));
    };
    // NVML's "buffer too small" protocol, for either struct layout: grow and ask again.
    auto query = [&](auto fn, auto info) {
      std::vector<decltype(info)> infos(16);
      for (int attempt = 0; attempt < 4; ++attempt) {
        unsigned int n = static_cast<unsigned int>(infos.size());
        nvmlReturn_t rc = fn(device, &n, infos.data());
        if (rc == kNvmlInsufficientSize) {
          infos.resize(n + 16);
          continue;
        }
        if (rc == kNvmlSuccess)
          for (unsigned int k = 0; k < n; ++k) add(infos[k].pid, infos[k].usedGpuMemory);
        return;
      }
    };
    if (ProcessesV2Fn v2 = processes_v3_ ? processes_v3_ : processes_v2_) query(v2, NvmlProcessInfoV2{});
    else if (processes_v1_) query(processes_v1_, NvmlProcessInfoV1{});
    return out;
  }

  std::string library_;
  void* handle_ = nullptr;
  std::string reason_;
  InitFn init_ = nullptr;
  ShutdownFn shutdown_ = nullptr;
  ErrorStringFn error_string_ = nullptr;
  CountFn count_ = nullptr;
  HandleFn handle_by_index_ = nullptr;
  StringFn name_ = nullptr;
  StringFn uuid_ = nullptr;
  MemoryFn memory_ = nullptr;
  CapabilityFn capability_ = nullptr;
  DriverFn driver_ = nullptr;
  ProcessesV2Fn processes_v3_ = nullptr;
  ProcessesV2Fn processes_v2_ = nullptr;
  ProcessesV1Fn processes_v1_ = nullptr;
  MigModeFn mig_mode_ = nullptr;
};

}  // namespace

std::unique_ptr<GpuQuery> make_nvml_query() { return make_nvml_query("libnvidia-ml.so.1"); }

std::unique_ptr<GpuQuery> make_nvml_query(const std::string& library) {
  return std::make_unique<NvmlQuery>(library);
}

std::string process_name(std::uint32_t pid, const std::string& proc_root) {
  std::ifstream in(fmt::format("{}/{}/comm", proc_root, pid));
  std::string name;
  if (in) std::getline(in, name);
  return name;
}

}  // namespace foldfit
