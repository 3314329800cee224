// CUDA_VISIBLE_DEVICES and --gpu_device: which GPU AlphaFold 3's JAX process gets.
#include <algorithm>
#include <cctype>

#include "foldfit/device/nvml.hpp"

namespace foldfit {

namespace {

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The device an entry names, or -1 when CUDA would reject it.
int resolve_entry(const std::string& entry, const std::vector<DetectedGpu>& gpus) {
  if (entry.empty()) return -1;
  if (std::all_of(entry.begin(), entry.end(), ::isdigit)) {
    if (entry.size() > 6) return -1;
    int index = std::stoi(entry);
    for (std::size_t i = 0; i < gpus.size(); ++i)
      if (gpus[i].index == index) return static_cast<int>(i);
    return -1;
  }
  // "GPU-" followed by a unique prefix of the UUID; MIG-<uuid> names an instance that
  // foldfit does not enumerate, so it resolves to nothing here.
  std::string key = lower(entry);
  if (key.rfind("gpu-", 0) != 0 || key.size() <= 4) return -1;
  int found = -1;
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    if (lower(gpus[i].uuid).rfind(key, 0) == 0) {
      if (found != -1) return -1;  // ambiguous prefix
      found = static_cast<int>(i);
    }
  }
  return found;
}

}  // namespace

void apply_visible_devices(std::vector<DetectedGpu>& gpus, const std::optional<std::string>& value) {
  if (!value) {
    for (std::size_t i = 0; i < gpus.size(); ++i) gpus[i].visible_index = static_cast<int>(i);
    return;
  }
  for (DetectedGpu& g : gpus) g.visible_index = -1;
  int next = 0;
  std::string list = *value;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t comma = list.find(',', start);
    std::string entry = trim(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    int at = resolve_entry(entry, gpus);
    if (at < 0 || gpus[at].visible_index != -1) return;  // CUDA stops at the first invalid entry
    gpus[at].visible_index = next++;
    if (comma == std::string::npos) return;
    start = comma + 1;
  }
}

const DetectedGpu* select_gpu(const std::vector<DetectedGpu>& gpus, int gpu_device) {
  if (gpu_device < 0) return nullptr;
  for (const DetectedGpu& g : gpus)
    if (g.visible_index == gpu_device) return &g;
  return nullptr;
}

}  // namespace foldfit
