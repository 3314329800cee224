// stage_report.hpp - the report of `foldfit stage`, as text and JSON (docs/staging.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "foldfit/plan/staging.hpp"

namespace foldfit::report {

// `written`: the files written, in the order of the stages then the sub-assemblies
// (empty when nothing was written).
std::string stage_text(const StagingPlan& p, const std::vector<std::string>& written);
nlohmann::ordered_json stage_json(const StagingPlan& p, const std::vector<std::string>& written);

}  // namespace foldfit::report
