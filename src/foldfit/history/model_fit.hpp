// model_fit.hpp - the calibration fit `foldfit calibrate` uses: history samples -> overlay.
#pragma once

#include "foldfit/history/calibrate.hpp"
#include "foldfit/model/memory_model.hpp"

namespace foldfit {

// Fits `model`'s calibration overlay to the measured peaks in the samples (bounds from
// out-of-memory runs are left out: they do not pin a value). Samples are grouped by
// what an overlay applies to, GPU architecture x attention implementation, and the
// largest group is fitted. The function throws UsageError when no sample has a peak.
CalibrationFitFn model_calibration_fit(const MemoryModel& model);

}  // namespace foldfit
