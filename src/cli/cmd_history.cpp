// cmd_history.cpp - `foldfit history`: the recorded AlphaFold 3 runs, newest first.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "foldfit/history/database.hpp"
#include "foldfit/report/history_report.hpp"

namespace foldfit::cli {

const CommandSpec kHistorySpec{
    "history",
    "List the AlphaFold 3 runs foldfit recorded: input, bucket, outcome, expected and observed peak, duration.",
    "[--input=NAME|HASH] [--outcome=OUTCOME] [--limit=N] [--format=text|json] [--history_db=FILE]",
    "Outcomes: planned, running, succeeded, oom, failed, skipped, interrupted. Observed peaks are marked\n"
    "'>=' when they are a lower bound (out of memory) and '(pool)' when preallocation hides the real peak.",
    {
        {"history_db", "FILE", "$XDG_DATA_HOME/foldfit/history.sqlite", "the run history database"},
        {"input", "NAME|HASH", "", "only runs of this input (name, or a prefix of its sha256)"},
        {"outcome", "OUTCOME", "", "only runs with this outcome"},
        {"limit", "N", "50", "at most N runs"},
        {"format", "text|json", "text", "output format"},
    },
};

int run_history(const ParsedOptions& options) {
  HistoryFilter f;
  f.input = options.get_or("input", "");
  f.outcome = options
                  .choice("outcome", {"planned", "running", "succeeded", "oom", "failed", "skipped", "interrupted"})
                  .value_or("");
  f.limit = static_cast<int>(options.integer("limit", 1, 1000000).value_or(50));
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  HistoryDb db(options.get_or("history_db", default_history_path()));
  db.reap_stale();
  std::vector<StoredRun> runs = db.list(f);
  if (format == "json") std::cout << report::history_json(runs).dump(2) << "\n";
  else std::cout << report::history_text(runs, db.path());
  return kOk;
}

}  // namespace foldfit::cli
