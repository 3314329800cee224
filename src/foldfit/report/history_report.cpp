#include "foldfit/report/history_report.hpp"

#include <fmt/format.h>

namespace foldfit::report {

nlohmann::ordered_json history_json(const std::vector<StoredRun>& runs) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const StoredRun& s : runs) {
    const RunRecord& r = s.record;
    nlohmann::ordered_json j;
    j["id"] = r.id;
    j["batch"] = r.batch_id;
    j["input_name"] = r.input_name;
    j["input_hash"] = r.input_hash;
    j["input_path"] = r.input_path;
    j["tokens"] = r.tokens;
    j["padded_tokens"] = r.padded_tokens;
    j["attempt"] = r.attempt;
    j["part"] = r.part;
    j["outcome"] = outcome_name(r.outcome);
    j["gpu"] = r.gpu;
    j["driver"] = r.driver;
    j["af3_version"] = r.af3_version;
    j["foldfit_version"] = r.foldfit_version;
    j["expected_peak"] = r.expected_peak.count();
    j["budget"] = r.budget.count();
    j["observed_peak"] = r.observed_peak ? nlohmann::ordered_json(r.observed_peak->count()) : nlohmann::ordered_json();
    j["observed_source"] = r.observed_source;
    j["observed_is_lower_bound"] = r.observed_is_lower_bound;
    j["preallocated"] = r.preallocated;
    j["duration_seconds"] = r.duration_seconds;
    j["exit_status"] = r.exit_status;
    j["message"] = r.message;
    j["config"] = r.config_json.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(r.config_json);
    j["sizes"] = r.sizes_json.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json::parse(r.sizes_json);
    j["log"] = r.log_path;
    j["created_at"] = s.created_at;
    j["updated_at"] = s.updated_at;
    j["host"] = s.host;
    all.push_back(std::move(j));
  }
  return all;
}

std::string history_text(const std::vector<StoredRun>& runs, const std::string& db_path) {
  std::string out;
  out += fmt::format("{:>5}  {:<24}  {:<20}  {:>6}  {:>4}  {:<11}  {:>9}  {:>16}  {:>8}  {}\n", "id", "when (UTC)", "input",
                           "bucket", "try", "outcome", "expected", "observed", "duration", "gpu");
  for (const StoredRun& s : runs) {
    const RunRecord& r = s.record;
    std::string observed = "-";
    if (r.observed_peak)
      observed = fmt::format("{}{}{}", r.observed_is_lower_bound ? ">=" : "", format_gb(*r.observed_peak, 1),
                             r.observed_source == "nvml" && r.preallocated ? " (pool)" : "");
    std::string attempt = r.part > 1 ? fmt::format("{}.{}", r.attempt, r.part) : std::to_string(r.attempt);
    out += fmt::format("{:>5}  {:<24}  {:<20}  {:>6}  {:>4}  {:<11}  {:>9}  {:>16}  {:>7.0f}s  {}\n", r.id,
                             s.created_at.substr(0, 19), r.input_name.substr(0, 20), r.padded_tokens, attempt,
                             outcome_name(r.outcome), r.expected_peak.count() > 0 ? format_gb(r.expected_peak, 1) : "-",
                             observed, r.duration_seconds, r.gpu);
  }
  if (runs.empty()) out += "(no runs recorded in " + db_path + ")\n";
  return out;
}

}  // namespace foldfit::report
