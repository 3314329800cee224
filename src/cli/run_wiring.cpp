#include "run_wiring.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "foldfit/common/error.hpp"

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
  // The planner (plan/planner.hpp, fit_settings) joins here: make_planned_ladder in
  // src/foldfit/run/planned_ladder.hpp.
  throw UsageError(
      "automatic memory optimization needs foldfit's planner, which this build does not include; "
      "run with --noauto_memory_optimization to launch AlphaFold 3 as given");
}

std::unique_ptr<GpuQuery> make_gpu_query() {
  // NVML (device/nvml.hpp, make_nvml_query) joins here.
  return nullptr;
}

CalibrationFit calibration_fit() {
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
  // The model module's fit (fit_calibration in src/foldfit/model/) joins here.
  throw UsageError("calibration fitting needs foldfit's model module, which this build does not include");
}

}  // namespace foldfit::cli
