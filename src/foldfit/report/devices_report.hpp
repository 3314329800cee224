// devices_report.hpp - `foldfit devices`: detected GPUs, the GPU table and the JAX/XLA
// environment with its findings, as text and JSON.
#pragma once

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

// The whole report of `foldfit devices`: `selected_index` is the NVML index of the GPU
// --gpu_device selects (-1: none).
nlohmann::ordered_json devices_json(const std::vector<DetectedGpu>& gpus, const std::string& unavailable_reason,
                                    const std::optional<std::string>& visible, int gpu_device, int selected_index,
                                    const XlaEnvironment& env, const std::optional<Target>& target,
                                    const std::vector<EnvFinding>& findings);
std::string devices_text(const std::vector<DetectedGpu>& gpus, const std::string& unavailable_reason,
                         const std::optional<std::string>& visible, int gpu_device, int selected_index,
                         const XlaEnvironment& env, const std::optional<Target>& target,
                         const std::vector<EnvFinding>& findings);

}  // namespace foldfit::report
