// foldfit calibrate end to end in the library: measured runs in a history database ->
// the model's fit -> an overlay file -> estimates that move towards the measurements.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "foldfit/history/database.hpp"
#include "foldfit/history/model_fit.hpp"
#include "foldfit/run/launch.hpp"

namespace foldfit {
namespace {

namespace fs = std::filesystem;

TEST(CalibrateFromHistory, EstimateMovesTowardsTheMeasurements) {
  fs::path dir = fs::temp_directory_path() / ("foldfit_calibrate_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const MemoryModel& model = MemoryModel::builtin();
  {
    HistoryDb db((dir / "history.sqlite").string());
    // Runs on an H100 with preallocation off (NVML sees the true usage): each measured
    // 20% above the uncalibrated model.
    for (std::int64_t n : {2048, 3072, 4096, 5120}) {
      ModelConfig c;
      c.padded_tokens = n;
      MemoryEstimate e = model.estimate(c, Calibration());
      RunRecord r;
      r.input_name = "run" + std::to_string(n);
      r.padded_tokens = n;
      RunSettings settings;
      settings.preallocate = {false, Origin::environment};
      r.config_json = nlohmann::ordered_json{{"settings", settings.to_json()}}.dump();
      r.gpu = "NVIDIA H100 80GB HBM3";
      r.outcome = RunOutcome::succeeded;
      r.observed_peak = e.total.scaled(1.2);
      r.observed_source = "nvml";
      r.preallocated = false;
      db.update([&] {
        RunRecord x = r;
        x.id = db.add(r);
        return x;
      }());
    }
    CalibrationResult result =
        calibrate_from_history(db, model_calibration_fit(model), (dir / "calibration.json").string());
    EXPECT_EQ(result.samples, 4u);
  }
  Calibration cal = CalibrationSet::with_file((dir / "calibration.json").string()).lookup(model.id(), "hopper", "triton");
  // Another architecture: no overlay in the file, so uncalibrated (never an error).
  EXPECT_TRUE(CalibrationSet::with_file((dir / "calibration.json").string()).lookup(model.id(), "turing", "xla").empty());
  ASSERT_FALSE(cal.empty());
  EXPECT_NE(cal.id().find("history (4 runs)"), std::string::npos) << cal.id();
  ModelConfig c;
  c.padded_tokens = 4096;
  MemoryEstimate before = model.estimate(c, Calibration());
  MemoryEstimate after = model.estimate(c, cal);
  EXPECT_TRUE(after.calibrated);
  double measured = static_cast<double>(before.total.scaled(1.2).count());
  EXPECT_LT(std::abs(static_cast<double>(after.total.count()) - measured),
            std::abs(static_cast<double>(before.total.count()) - measured));
  fs::remove_all(dir);
}

// A run on compute capability 7.0 ran the XLA GLU: the fit models it with that GLU.
TEST(CalibrateModel, RunsAreFittedWithTheGluTheirGpuRan) {
  const MemoryModel& model = MemoryModel::builtin();
  CalibrationSample s;
  s.gpu = "V100-16GB";
  s.af3_version = "not a version foldfit reads";
  s.padded_tokens = 1024;
  s.settings.flash_attention.value = "xla";
  s.observed = Bytes::from_gb(9.0);
  s.kind = ObservationKind::peak;
  s.source = "xla";
  CalibrationSample h100 = s;
  h100.gpu = "H100-80GB";
  h100.af3_version = "3.0.4";
  for (const auto& [sample, glu] : {std::pair{s, "xla"}, std::pair{h100, "fused"}}) {
    nlohmann::json overlay = nlohmann::json::parse(model_calibration_fit(model)({sample}));
    EXPECT_EQ(overlay["measurements"][0]["glu_implementation"], glu) << sample.gpu;
  }
}

}  // namespace
}  // namespace foldfit
