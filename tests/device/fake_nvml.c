/* fake_nvml.c - a stand-in for libnvidia-ml.so.1 with two GPUs, so that the dlopen path of
   the NVML query runs in tests: an H100 with 20 compute processes (more than the first
   buffer holds, one with its memory not available) and an A100 in MIG mode. */
#include <stdio.h>
#include <string.h>

typedef int nvmlReturn_t;
typedef struct nvmlDevice_st* nvmlDevice_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;

static struct nvmlDevice_st { int index; } devices[2] = {{0}, {1}};

nvmlReturn_t nvmlInit_v2(void) { return 0; }
nvmlReturn_t nvmlShutdown(void) { return 0; }
const char* nvmlErrorString(nvmlReturn_t rc) { return rc == 3 ? "Not Supported" : "Unknown Error"; }
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* n) { *n = 2; return 0; }
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int i, nvmlDevice_t* d) {
  if (i > 1) return 2;
  *d = &devices[i];
  return 0;
}
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* out, unsigned int len) {
  snprintf(out, len, "%s", d->index == 0 ? "NVIDIA H100 80GB HBM3" : "NVIDIA A100-SXM4-40GB");
  return 0;
}
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* out, unsigned int len) {
  snprintf(out, len, "GPU-%08d-1111-2222-3333-444444444444", d->index);
  return 0;
}
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* m) {
  m->total = (d->index == 0 ? 81559ULL : 40960ULL) << 20;
  m->used = (d->index == 0 ? 2048ULL : 0ULL) << 20;
  m->free = m->total - m->used;
  return 0;
}
nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int* major, int* minor) {
  *major = d->index == 0 ? 9 : 8;
  *minor = 0;
  return 0;
}
nvmlReturn_t nvmlSystemGetDriverVersion(char* out, unsigned int len) {
  snprintf(out, len, "550.54.15");
  return 0;
}
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int* n, nvmlProcessInfo_t* infos) {
  unsigned int have = d->index == 0 ? 20 : 0;
  if (*n < have) {
    *n = have;
    return 7; /* NVML_ERROR_INSUFFICIENT_SIZE */
  }
  for (unsigned int i = 0; i < have; ++i) {
    memset(&infos[i], 0, sizeof infos[i]);
    infos[i].pid = 1000 + i;
    infos[i].usedGpuMemory = i == 19 ? ~0ULL : (unsigned long long)(i + 1) << 20;
  }
  *n = have;
  return 0;
}
nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t d, unsigned int* current, unsigned int* pending) {
  if (d->index == 0) return 3; /* NVML_ERROR_NOT_SUPPORTED */
  *current = *pending = 1;
  return 0;
}
