// Calibration overlays: identity until measured, fitted from measurements, read back.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "foldfit/common/error.hpp"
#include "foldfit/model/calibration_fit.hpp"
#include "foldfit/model/calibration_overlay.hpp"
#include "foldfit/model/memory_model.hpp"

namespace foldfit {
namespace {

const MemoryModel& af3() { return MemoryModel::builtin(); }

// The shipped overlays come from XLA's compiles (data/xla): Hopper and Ampere with triton
// attention; every other architecture and attention stays uncalibrated.
TEST(Calibration, ShippedOverlaysOnlyWhereCompiled) {
  for (const char* arch : {"ampere", "hopper", "ada", "volta", "turing", "pascal"})
    for (const char* flash : {"triton", "cudnn"}) {
      Calibration c = CalibrationSet().lookup(af3().display_id(), arch, flash);
      bool compiled = std::string(flash) == "triton" && (std::string(arch) == "hopper" || std::string(arch) == "ampere");
      EXPECT_EQ(c.empty(), !compiled) << arch << " " << flash;
      if (!compiled) {
        EXPECT_EQ(c.id(), "uncalibrated");
      }
    }
  Calibration hopper = CalibrationSet().lookup(af3().id(), "hopper", "triton");
  MemoryEstimate h = af3().estimate(af3().default_config(4096), hopper);
  EXPECT_TRUE(h.calibrated);
  EXPECT_EQ(h.uncertainty_origin.rfind("calibrated on ", 0), 0u) << h.uncertainty_origin;
  EXPECT_NE(h.uncertainty_origin.find("XLA compiles (H100-80GB, deviceless), max residual "), std::string::npos)
      << h.uncertainty_origin;
  EXPECT_NE(h.uncertainty_origin.find(" held out"), std::string::npos) << h.uncertainty_origin;
  MemoryEstimate e = af3().estimate(af3().default_config(2048), Calibration());
  EXPECT_FALSE(e.calibrated);
  EXPECT_EQ(e.calibration_id, "uncalibrated");
}

// Measurements made by a known correction: the fit must find it again.
std::vector<CalibrationMeasurement> synthetic(double scale, std::int64_t offset, std::int64_t overhead) {
  auto truth = std::make_shared<Calibration::Impl>();
  truth->id = "truth";
  truth->profile = af3().id();
  truth->architecture = "hopper";
  truth->flash_attention = "triton";
  for (const std::string& phase : af3().phase_names()) truth->phases[phase] = {scale, offset, 0};
  truth->overhead_offset = overhead;
  truth->measurement_count = 1;
  Calibration truth_cal(truth);
  std::vector<CalibrationMeasurement> out;
  for (std::int64_t n : {256, 512, 768, 1024, 2048, 3072, 4096, 5120}) {
    ModelConfig c = af3().default_config(n);
    MemoryEstimate e = af3().estimate(c, truth_cal);
    out.push_back({c, e.pool, e.total, "NVIDIA H100 80GB HBM3", "550.54.15", "0.10.2", "3.0.4", "2026-05-01"});
  }
  return out;
}

TEST(Calibration, FitRecoversAKnownScaleAndOffset) {
  const double scale = 1.12;
  const std::int64_t offset = 300'000'000, overhead = 250'000'000;
  CalibrationFit fit = fit_calibration(af3(), synthetic(scale, offset, overhead), {"test-fit", "hopper", "triton", {}});
  ASSERT_EQ(fit.phases.size(), 2u);  // atom cross-attention up to 768 tokens, conditioning above
  for (const PhaseFit& p : fit.phases) {
    EXPECT_NEAR(p.scale, scale, 1e-3) << p.phase;
    EXPECT_NEAR(static_cast<double>(p.offset.count()), static_cast<double>(offset), 2e6) << p.phase;
  }
  EXPECT_NEAR(static_cast<double>(fit.overhead_offset.count()), static_cast<double>(overhead), 1e3);
  EXPECT_LT(fit.residual_relative, 1e-4);

  // The estimate moves by the fitted correction and carries the overlay's id and band.
  ModelConfig c = af3().default_config(4096);
  MemoryEstimate before = af3().estimate(c, Calibration());
  MemoryEstimate after = af3().estimate(c, fit.calibration);
  EXPECT_GT(after.total, before.total);
  EXPECT_TRUE(after.calibrated);
  EXPECT_EQ(after.calibration_id, "test-fit");
  EXPECT_NEAR(after.relative_uncertainty, 0.02, 1e-6);  // residual ~0: the profile's floor
  Bytes sum;
  for (const auto& [category, bytes] : after.categories) sum += bytes;
  EXPECT_EQ(sum, after.total);
}

TEST(Calibration, SinglePointFitsAScale) {
  auto m = synthetic(0.9, 0, 0);
  m.erase(m.begin(), m.begin() + 4);
  m.resize(1);  // 2048 tokens alone
  CalibrationFit fit = fit_calibration(af3(), m, {"one", "hopper", "triton", {}});
  ASSERT_EQ(fit.phases.size(), 1u);
  EXPECT_NEAR(fit.phases[0].scale, 0.9, 1e-4);
  EXPECT_EQ(fit.phases[0].offset, Bytes());
  EXPECT_EQ(fit.overhead_offset.count(), 0);
}

TEST(Calibration, JsonRoundTripsThroughLookup) {
  CalibrationFit fit = fit_calibration(af3(), synthetic(1.05, 0, 0), {"roundtrip", "hopper", "triton", {}});
  const std::string path = ::testing::TempDir() + "foldfit_calibration_test.json";
  {
    std::ofstream out(path);
    out << fit.json;
  }
  CalibrationSet set = CalibrationSet::with_file(path);
  EXPECT_EQ(set.file(), path);
  Calibration c = set.lookup(af3().display_id(), "hopper", "triton");
  EXPECT_EQ(c.id(), "roundtrip");
  ModelConfig cfg = af3().default_config(3072);
  EXPECT_EQ(af3().estimate(cfg, c).total, af3().estimate(cfg, fit.calibration).total);
  // No overlay for another architecture: uncalibrated, so estimates for it go on.
  Calibration other = set.lookup(af3().id(), "ada", "triton");
  EXPECT_TRUE(other.empty());
  EXPECT_EQ(other.id(), "uncalibrated");
  // An unreadable or invalid file is an error naming it.
  EXPECT_THROW(CalibrationSet::with_file(path + ".missing"), InputError);
  std::remove(path.c_str());
}

TEST(Calibration, BadOverlaysAndMeasurements) {
  try {
    Calibration::parse(R"({"id": "x", "profile": "p", "architecture": "a", "flash_attention": "triton",
                          "phases": {"diffusion_conditioning": {"scale": -1, "offset_bytes": 0}},
                          "overhead_offset_bytes": 0, "residual_relative": 0, "measurements": []})",
                       "overlay.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "overlay.json: phases.diffusion_conditioning.scale: must be positive");
  }
  EXPECT_THROW(Calibration::parse(R"({"id": "x", "profile": "p", "architecture": "a", "flash_attention": "triton",
                                      "phases": {}, "overhead_offset_bytes": 0, "residual_relative": 0,
                                      "measurements": []})",
                                  "overlay.json"),
               InputError);
  // An overlay for another profile, or naming a phase this profile lacks, cannot be applied.
  const char* other = R"({"id": "x", "profile": "%s", "architecture": "a", "flash_attention": "triton",
      "phases": {"%s": {"scale": 1.1, "offset_bytes": 0}}, "overhead_offset_bytes": 0, "residual_relative": 0.01,
      "measurements": [{"gpu": "g", "driver": "d", "jax": "j", "af3": "3.0.4", "date": "2026-05-01"}]})";
  char buf[1024];
  std::snprintf(buf, sizeof buf, other, "alphafold3-v9", "diffusion_conditioning");
  EXPECT_THROW(af3().estimate(af3().default_config(1024), Calibration::parse(buf, "o.json")), UsageError);
  std::snprintf(buf, sizeof buf, other, "alphafold3-v3.0.4", "no_such_phase");
  EXPECT_THROW(af3().estimate(af3().default_config(1024), Calibration::parse(buf, "o.json")), InputError);

  EXPECT_THROW(fit_calibration(af3(), {}, {"x", "hopper", "triton", {}}), UsageError);
  auto m = synthetic(1.0, 0, 0);
  m[0].config.flash_attention = "xla";
  EXPECT_THROW(fit_calibration(af3(), m, {"x", "hopper", "triton", {}}), UsageError);
}

}  // namespace
}  // namespace foldfit
