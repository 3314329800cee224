// cmd_calibrate.cpp - `foldfit calibrate`: fit the memory model's calibration overlay to recorded runs.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "foldfit/history/calibrate.hpp"
#include "foldfit/history/model_fit.hpp"

namespace foldfit::cli {

const CommandSpec kCalibrateSpec{
    "calibrate",
    "Fit the memory model's calibration overlay to the peaks observed in recorded runs, and write it\n"
    "where 'foldfit estimate' reads it.",
    "[--history_db=FILE] [--output=FILE]",
    "Each run contributes one measurement: a peak (NVML without preallocation, or XLA's own program size),\n"
    "a lower bound (out of memory) or an upper bound (NVML with preallocation: the pool). The overlay is\n"
    "written atomically.",
    {
        {"history_db", "FILE", "$XDG_DATA_HOME/foldfit/history.sqlite", "the run history database"},
        {"output", "FILE", "$XDG_DATA_HOME/foldfit/calibration.json", "where to write the overlay"},
    },
};

int run_calibrate(const ParsedOptions& options) {
  HistoryDb db(options.get_or("history_db", default_history_path()));
  CalibrationFitFn fit = model_calibration_fit(MemoryModel::builtin());
  CalibrationResult r = calibrate_from_history(db, fit, options.get_or("output", default_calibration_path()));
  std::cout << fmt::format("calibrated on {} recorded run{}{}; overlay written to {}\n", r.samples, r.samples == 1 ? "" : "s",
                           r.skipped ? fmt::format(" ({} unreadable left out)", r.skipped) : "", r.path);
  return kOk;
}

}  // namespace foldfit::cli
