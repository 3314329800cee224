#include "run_wiring.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "foldfit/common/error.hpp"
#include "foldfit/history/model_fit.hpp"
#include "foldfit/plan/resolve_device.hpp"
#include "foldfit/run/planned_ladder.hpp"
#include "run_settings_flags.hpp"

namespace foldfit::cli {

namespace {

std::string env_or(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

}  // namespace

std::unique_ptr<Ladder> make_ladder(const LadderContext& c) {
  if (!c.auto_optimize) {
    Rung as_given;
    as_given.config = c.user.config;
    as_given.origin = "as given (--noauto_memory_optimization)";
    return std::make_unique<ScriptedLadder>(std::vector<Rung>{as_given});
  }
  if (std::string file = env_or(c.environment, "FOLDFIT_TEST_LADDER"); !file.empty()) {
    std::ifstream in(file);
    if (!in) throw InputError(SourceLocation{file, 0, 0, ""}, "cannot read the test ladder (FOLDFIT_TEST_LADDER)");
    std::stringstream ss;
    ss << in.rdbuf();
    return std::make_unique<ScriptedLadder>(ScriptedLadder::parse(ss.str(), file, c.user.config));
  }
  PlanInputs in;
  in.sizes = c.sizes;
  in.settings = settings_from_user(c.user);
  DeviceRequest request;
  if (!c.gpu.empty()) request.gpu_name = c.gpu;
  request.gpu_device = c.gpu_device;
  if (auto it = c.environment.find("CUDA_VISIBLE_DEVICES"); it != c.environment.end()) request.visible_devices = it->second;
  std::unique_ptr<GpuQuery> query = make_nvml_query();
  in.device = resolve_device(request, *query);
  if (c.max_gpu_memory_gb) {
    Bytes wanted = Bytes::from_gb(*c.max_gpu_memory_gb);
    if (wanted > in.device.total) {
      // More than the card has: allow the overflow to spill to host RAM (unified memory
      // with the matching fraction); the planner checks it against host RAM.
      double fraction = static_cast<double>(wanted.count()) / static_cast<double>(in.device.total.count());
      in.settings.unified_memory = {true, true};
      in.settings.preallocate = {false, true};
      in.settings.mem_fraction = {std::ceil(fraction * 100) / 100, true};
      in.device.origin += fmt::format("; --max_gpu_memory_gb={} above the card's {}: unified memory, fraction {:.2f} "
                                      "(much slower: the overflow lives in host RAM)",
                                      *c.max_gpu_memory_gb, format_gb(in.device.total), in.settings.mem_fraction.value);
    } else {
      in.device.total = wanted;
      in.device.origin += fmt::format("; planned with {} (--max_gpu_memory_gb)", format_gb(wanted));
    }
  }
  in.margin = Bytes::from_gb(c.margin_gb.value_or(kDefaultMarginGb));
  in.model = &MemoryModel::builtin();
  if (std::string cal = default_calibration_path(); std::ifstream(cal).good()) in.calibration_path = cal;
  return make_planned_ladder(std::move(in));
}

std::unique_ptr<GpuQuery> make_gpu_query() { return make_nvml_query(); }

CalibrationFitFn calibration_fit() {
  if (const char* t = std::getenv("FOLDFIT_TEST_CALIBRATION_FIT"); t && std::string(t) == "1") {
    return [](const std::vector<CalibrationSample>& samples) {
      nlohmann::ordered_json j;
      j["id"] = "test fit (FOLDFIT_TEST_CALIBRATION_FIT)";
      j["samples"] = nlohmann::ordered_json::array();
      for (const CalibrationSample& s : samples)
        j["samples"].push_back({{"run", s.run_id},
                                {"padded_tokens", s.padded_tokens},
                                {"observed", s.observed.count()},
                                {"kind", observation_kind_name(s.kind)},
                                {"source", s.source}});
      return j.dump(2) + "\n";
    };
  }
  return model_calibration_fit(MemoryModel::builtin());
}

}  // namespace foldfit::cli
