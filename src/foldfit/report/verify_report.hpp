// verify_report.hpp - `foldfit verify`: foldfit's estimate beside XLA's compiled figures,
// the difference, and XLA's largest live buffers mapped to foldfit's phases.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "foldfit/plan/pipeline.hpp"
#include "foldfit/verify/xla_verify.hpp"

namespace foldfit::report {

struct VerifyReport {
  const PlannedInput* planned = nullptr;
  const XlaFigures* xla = nullptr;
  std::string target;                  // what was compiled for, in words
  std::optional<std::int64_t> run_id;  // the history row recorded
};

// (XLA - foldfit) / XLA, for the pool.
double pool_difference(const VerifyReport& r);

std::string verify_text(const VerifyReport& r);
nlohmann::ordered_json verify_json(const VerifyReport& r);

}  // namespace foldfit::report
