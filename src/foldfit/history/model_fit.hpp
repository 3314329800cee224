// model_fit.hpp - the calibration fits `foldfit calibrate` uses: history samples -> overlay,
// and XLA's compiled figures (data/xla/*.csv) -> one overlay per GPU architecture.
#pragma once

#include "foldfit/history/calibrate.hpp"
#include "foldfit/model/calibration_fit.hpp"
#include "foldfit/model/memory_model.hpp"
#include "foldfit/model/xla_table.hpp"

namespace foldfit {

// Fits `model`'s calibration overlay to the measured peaks in the samples (bounds from
// out-of-memory runs are left out: they do not pin a value). Samples are grouped by
// what an overlay applies to, GPU architecture x attention implementation, and the
// largest group is fitted. The function throws UsageError when no sample has a peak.
CalibrationFitFn model_calibration_fit(const MemoryModel& model);

// One overlay fitted to the compiles of one GPU architecture x attention implementation.
struct XlaOverlayFit {
  std::string architecture, flash_attention;
  std::vector<std::int64_t> fitted_tokens, held_out_tokens;  // distinct padded sizes
  CalibrationFit fit;  // fit.residuals: every compile of the group, fitted or held out
};

// Fits an overlay per (architecture of the compile's target in data/gpus.tsv, flash
// attention) to the GPU rows of an XLA table; backend cpu rows are never used. Rows whose
// padded size is in `fit_tokens` are fitted, the others held out and checked; an empty
// `fit_tokens` means every other distinct size of the group, from the smallest. A group
// with nothing to fit gets no overlay. Throws InputError naming the table's line for a
// target foldfit does not know, UsageError when the table has no GPU row.
std::vector<XlaOverlayFit> fit_xla_table(const MemoryModel& model, const std::vector<XlaCompile>& compiles,
                                         const std::string& table, const std::vector<std::int64_t>& fit_tokens = {});

}  // namespace foldfit
