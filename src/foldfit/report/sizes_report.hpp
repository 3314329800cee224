// sizes_report.hpp - rendering Sizes as a text table or as the documented JSON object.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "foldfit/sizes/sizes.hpp"

namespace foldfit::report {

// The per-chain table and totals for one input.
std::string sizes_text(const Sizes& s);

// One line per input plus a total line, for many inputs.
std::string sizes_summary_text(const std::vector<Sizes>& all);

// The `foldfit tokens --format=json` object (schema in docs/json-output.md).
nlohmann::ordered_json sizes_json(const Sizes& s, const SizeOptions& options);

}  // namespace foldfit::report
