// database.hpp - the history of AlphaFold 3 runs in SQLite, shared by concurrent foldfit processes.
//
// WAL mode (readers never block the writer), a busy timeout (writers wait for each
// other instead of failing), every change in one IMMEDIATE transaction (a killed process
// leaves the database as it was before that change). Rows of a killed foldfit stay
// "running" until `reap_stale` finds their process gone and marks them "interrupted".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "foldfit/run/journal.hpp"

namespace foldfit {

// $XDG_DATA_HOME/foldfit/history.sqlite, or ~/.local/share/foldfit/history.sqlite.
std::string default_history_path();

struct HistoryFilter {
  std::string input;       // name or hash prefix; empty: all
  std::string outcome;     // empty: all
  int limit = 50;          // newest first
};

// A stored run, with the bookkeeping the journal adds.
struct StoredRun {
  RunRecord record;
  std::string created_at;  // UTC, ISO 8601
  std::string updated_at;
  std::string host;
  int pid = 0;             // the foldfit process that wrote it
};

class HistoryDb final : public RunJournal {
 public:
  // Opens (creating it and its folder when missing) the database at `path`.
  // Throws std::runtime_error naming the path on failure.
  explicit HistoryDb(const std::string& path);
  ~HistoryDb() override;
  HistoryDb(const HistoryDb&) = delete;
  HistoryDb& operator=(const HistoryDb&) = delete;

  std::int64_t add(const RunRecord& record) override;
  void update(const RunRecord& record) override;
  void set_child(const RunRecord& record) override;
  std::vector<RunRecord> unended_children(const std::string& input_hash) override;

  std::vector<StoredRun> list(const HistoryFilter& filter) const;
  // Runs with an observed peak (or bound), oldest first, for calibration.
  std::vector<StoredRun> observations() const;
  // Marks "planned"/"running" rows of dead foldfit processes on this host "interrupted".
  int reap_stale();
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

}  // namespace foldfit
