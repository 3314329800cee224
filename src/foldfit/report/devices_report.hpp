// devices_report.hpp - `foldfit devices`: detected GPUs, the GPU table and the JAX/XLA
// environment with its findings, as text and JSON.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/device/environment.hpp"
#include "foldfit/device/gpu_table.hpp"
#include "foldfit/device/nvml.hpp"

namespace foldfit::report {

// The device the environment is checked against.
struct Target {
  std::string label;  // "GPU 0 (NVIDIA A100-SXM4-40GB)", "table GPU V100-16GB"
  Bytes total;
  int cc_major = 0;
  int cc_minor = 0;
};

nlohmann::ordered_json gpu_json(const DetectedGpu& g);
nlohmann::ordered_json spec_json(const GpuSpec& s);
nlohmann::ordered_json environment_json(const XlaEnvironment& env, const std::optional<Target>& target,
                                        const std::vector<EnvFinding>& findings);
std::string detected_text(const std::vector<DetectedGpu>& gpus, const std::string& reason,
                          const std::optional<std::string>& visible);
std::string table_text();
std::string environment_text(const XlaEnvironment& env, const std::optional<Target>& target,
                             const std::vector<EnvFinding>& findings);

// What `foldfit devices` reports: the GPUs NVML lists (after CUDA_VISIBLE_DEVICES), the one
// --gpu_device selects, and the environment checked against it or the named table GPU.
struct DevicesReport {
  std::vector<DetectedGpu> gpus;
  std::string unavailable_reason;
  std::optional<std::string> visible;  // CUDA_VISIBLE_DEVICES
  int gpu_device = 0;
  int selected_index = -1;  // NVML index of the GPU --gpu_device selects; -1: none
  XlaEnvironment env;
  std::optional<Target> target;
  std::vector<EnvFinding> findings;
};

// Surveys the GPUs `query` lists and checks `environment` (the variables AlphaFold 3 runs
// under) for the GPU --gpu_device selects, or the table GPU `gpu_name` names (UsageError
// when unknown).
DevicesReport survey_devices(GpuQuery& query, int gpu_device, const std::optional<std::string>& gpu_name,
                             const std::string& flash_attention_implementation,
                             const std::map<std::string, std::string>& environment);

nlohmann::ordered_json devices_json(const DevicesReport& r);
std::string devices_text(const DevicesReport& r);

}  // namespace foldfit::report
