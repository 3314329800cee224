// history_report.hpp - `foldfit history`: recorded runs, newest first, as text and JSON.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/history/database.hpp"

namespace foldfit::report {

nlohmann::ordered_json history_json(const std::vector<StoredRun>& runs);
std::string history_text(const std::vector<StoredRun>& runs, const std::string& db_path);

}  // namespace foldfit::report
