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

// The AlphaFold 3 release a report is for, with its origin: every report carries it.
// {"name": "v3.0.4", "origin": "flag"|"detected"|"default", "detail": "...", "commit": "85c4d20"}
nlohmann::ordered_json release_json(const Af3ReleaseChoice& release);
// "AlphaFold 3 release: v3.0.4 (default: ...)"
std::string release_line(const Af3ReleaseChoice& release);

}  // namespace foldfit::report
