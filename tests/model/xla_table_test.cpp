// XLA's compiled figures (data/xla/alphafold3-v3.0.4.csv) against the model: the table is
// read as XLA wrote it, the shipped overlays reproduce every GPU row, and a fit on half the
// sizes predicts the other half. These fail when the profile or the overlays drift.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "foldfit/common/error.hpp"
#include "foldfit/device/gpu_table.hpp"
#include "foldfit/history/model_fit.hpp"
#include "foldfit/model/memory_model.hpp"
#include "foldfit/model/xla_table.hpp"

namespace foldfit {
namespace {

const std::string kTable = std::string(FOLDFIT_SOURCE_DIR) + "/data/xla/alphafold3-v3.0.4.csv";

const char* kHeader =
    "af3_release,af3_commit,jax,jaxlib,tokamax,backend,target,padded_tokens,num_diffusion_samples,flash_attention,"
    "pair_transition_shard_spec,argument_bytes,output_bytes,alias_bytes,temp_bytes,compile_seconds,date,"
    "glu_implementation\n";

TEST(XlaTable, ReadsARowAsXlaWroteIt) {
  std::string csv = std::string(kHeader) +
                    "v3.0.4,85c4d20,0.10.2,0.10.2,0.0.12,cuda-deviceless,A100-40GB,2048,5,triton,"
                    "\"((2048, None), (3072, 1024), (None, 512))\",1255288048,357482856,0,14332841216,52.84,2026-12-03,xla\n"
                    "v3.0.4,85c4d20,0.10.2,0.10.2,0.0.12,cpu,A100-40GB,256,1,xla,default,1,2,0,3,1.0,2026-12-03,default\n";
  std::vector<XlaCompile> rows = parse_xla_table(csv, "t.csv");
  ASSERT_EQ(rows.size(), 2u);
  const XlaCompile& r = rows[0];
  EXPECT_TRUE(r.gpu());
  EXPECT_EQ(r.target, "A100-40GB");
  EXPECT_EQ(r.line, 2u);
  EXPECT_EQ(r.measurement.config.padded_tokens, 2048);
  EXPECT_EQ(r.measurement.config.num_diffusion_samples, 5);
  EXPECT_EQ(r.measurement.config.pair_transition_shard_spec.to_string(), "((2048, None), (3072, 1024), (None, 512))");
  EXPECT_EQ(r.measurement.config.glu_implementation, "xla");
  EXPECT_EQ(r.measurement.pool_peak, Bytes(1255288048LL + 357482856 + 14332841216));
  EXPECT_EQ(r.measurement.source, "xla cuda-deviceless");
  EXPECT_FALSE(rows[1].gpu());  // a CPU figure is never a GPU figure
  EXPECT_EQ(rows[1].measurement.config.glu_implementation, "fused");
  EXPECT_EQ(rows[1].measurement.config.pair_transition_shard_spec, default_pair_transition_shard_spec());
}

TEST(XlaTable, ErrorsNameTheLineAndColumn) {
  auto error = [](const std::string& csv) {
    try {
      parse_xla_table(csv, "t.csv");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("target,padded_tokens\n"), "t.csv:1: af3_release: missing column");
  EXPECT_EQ(error(std::string(kHeader) + "v3.0.4,c,0.10.2,0.10.2,0.0.12,cuda-deviceless,H100-80GB,1O24,5,triton,default,"
                                         "1,2,0,3,1.0,2026-12-03,default\n"),
            "t.csv:2: padded_tokens: expected a non-negative integer, got '1O24'");
  EXPECT_EQ(error(std::string(kHeader) + "v3.0.4,c,0.10.2,0.10.2,0.0.12,tpu,H100-80GB,1024,5,triton,default,"
                                         "1,2,0,3,1.0,2026-12-03,default\n"),
            "t.csv:2: backend: unknown backend 'tpu' (cuda-deviceless, cuda-device, cpu)");
  // Only GPU rows calibrate; a table of CPU rows alone has nothing to fit.
  std::vector<XlaCompile> cpu = parse_xla_table(
      std::string(kHeader) + "v3.0.4,c,0.10.2,0.10.2,0.0.12,cpu,H100-80GB,1024,5,xla,default,1,2,0,3,1.0,2026-12-03,default\n",
      "t.csv");
  EXPECT_THROW(fit_xla_table(MemoryModel::builtin(), cpu, "t.csv"), UsageError);
}

const std::vector<XlaCompile>& table() {
  static const std::vector<XlaCompile> rows = read_xla_table(kTable);
  return rows;
}

double relative(Bytes model, Bytes measured) {
  return static_cast<double>((model - measured).count()) / static_cast<double>(measured.count());
}

// The shipped overlays (data/calibration/overlays.json) against every GPU row of the table
// whose architecture has one: within 5% on the sizes they were fitted on, within 10% on
// the held-out ones (data/calibration/README.md names the command that wrote them).
TEST(XlaTable, ShippedOverlaysReproduceEveryGpuRow) {
  const MemoryModel& model = MemoryModel::builtin();
  const CalibrationSet overlays;
  std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>> fitted;
  for (const XlaOverlayFit& o : fit_xla_table(model, table(), kTable))
    fitted[{o.architecture, o.flash_attention}] = o.fitted_tokens;
  int checked = 0;
  for (const XlaCompile& c : table()) {
    if (!c.gpu()) continue;
    const GpuSpec* g = find_gpu(c.target);
    ASSERT_NE(g, nullptr) << c.target;
    Calibration cal = overlays.lookup(model.id(), g->architecture, c.measurement.config.flash_attention);
    if (cal.empty()) continue;
    const auto& sizes = fitted[{g->architecture, c.measurement.config.flash_attention}];
    const bool in_fit =
        std::find(sizes.begin(), sizes.end(), c.measurement.config.padded_tokens) != sizes.end();
    MemoryEstimate e = model.estimate(c.measurement.config, cal);
    EXPECT_LE(std::abs(relative(e.pool, c.measurement.pool_peak)), in_fit ? 0.05 : 0.10)
        << (in_fit ? "fitted " : "held out ") << "line " << c.line << ": " << c.target << " N=" << c.measurement.config.padded_tokens
        << " S=" << c.measurement.config.num_diffusion_samples << " " << c.measurement.config.flash_attention
        << " glu=" << c.measurement.config.glu_implementation << ": model " << e.pool.gb() << " GB, XLA "
        << c.measurement.pool_peak.gb() << " GB";
    EXPECT_NE(e.uncertainty_origin.find("XLA compiles"), std::string::npos) << e.uncertainty_origin;
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

// Fitted on every other size, the overlay predicts the held-out sizes within 10%, and
// its own within 5%; the shipped overlay is that fit (same pool on every row).
TEST(XlaTable, HalfTheSizesPredictTheOtherHalf) {
  const MemoryModel& model = MemoryModel::builtin();
  std::vector<XlaOverlayFit> fits = fit_xla_table(model, table(), kTable);
  ASSERT_FALSE(fits.empty());
  for (const XlaOverlayFit& o : fits) {
    Calibration shipped = CalibrationSet().lookup(model.id(), o.architecture, o.flash_attention);
    EXPECT_FALSE(shipped.empty()) << o.architecture << "/" << o.flash_attention << ": not in overlays.json";
    for (const CalibrationResidual& r : o.fit.residuals)
      EXPECT_LE(std::abs(relative(model.estimate(r.measurement.config, shipped).pool, r.calibrated_pool)), 0.001)
          << o.architecture << " N=" << r.measurement.config.padded_tokens
          << ": overlays.json differs from a fit to the table; rerun the command in data/calibration/README.md";
    EXPECT_FALSE(o.fitted_tokens.empty());
    for (const CalibrationResidual& r : o.fit.residuals)
      EXPECT_LE(std::abs(r.calibrated_relative), r.held_out ? 0.10 : 0.05)
          << o.architecture << "/" << o.flash_attention << " " << r.measurement.gpu
          << " N=" << r.measurement.config.padded_tokens << (r.held_out ? " (held out)" : " (fitted)");
    EXPECT_LE(o.fit.residual_relative, 0.05);
    EXPECT_LE(o.fit.held_out_residual_relative, 0.10);
  }
}

// The uncalibrated profile itself, corrected to XLA's live sets, stays within 10% of every
// GPU row compiled with the default settings.
TEST(XlaTable, UncalibratedProfileWithinTenPercent) {
  const MemoryModel& model = MemoryModel::builtin();
  for (const XlaCompile& c : table()) {
    if (!c.gpu()) continue;
    MemoryEstimate e = model.estimate(c.measurement.config, Calibration());
    EXPECT_LE(std::abs(relative(e.pool, c.measurement.pool_peak)), 0.10)
        << "line " << c.line << ": " << c.target << " N=" << c.measurement.config.padded_tokens << ": model "
        << e.pool.gb() << " GB, XLA " << c.measurement.pool_peak.gb() << " GB";
  }
}

}  // namespace
}  // namespace foldfit
