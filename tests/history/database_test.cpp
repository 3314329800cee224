#include "foldfit/history/database.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "foldfit/common/error.hpp"
#include "foldfit/history/calibrate.hpp"

namespace fs = std::filesystem;

namespace foldfit {
namespace {

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("foldfit_history_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    path = (dir / "sub" / "history.sqlite").string();
  }
  void TearDown() override { fs::remove_all(dir); }
  static RunRecord record(const std::string& name) {
    RunRecord r;
    r.batch_id = "b";
    r.input_hash = "abc123" + name;
    r.input_name = name;
    r.padded_tokens = 512;
    r.config_json = nlohmann::ordered_json{{"settings", RunSettings{}.to_json()}}.dump();
    return r;
  }
  fs::path dir;
  std::string path;
};

TEST_F(HistoryTest, StoresTransitionsAndLists) {
  HistoryDb db(path);
  RunRecord r = record("job");
  r.id = db.add(r);
  r.outcome = RunOutcome::running;
  db.update(r);
  r.outcome = RunOutcome::oom;
  r.observed_peak = Bytes(123);
  r.observed_is_lower_bound = true;
  r.observed_source = "oom";
  db.update(r);
  db.add(record("other"));
  auto all = db.list({});
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].record.input_name, "other");  // newest first
  EXPECT_EQ(all[1].record.outcome, RunOutcome::oom);
  EXPECT_EQ(all[1].record.observed_peak, Bytes(123));
  EXPECT_EQ(all[1].pid, ::getpid());
  EXPECT_EQ(db.list({"job", "", 10}).size(), 1u);
  EXPECT_EQ(db.list({"abc123o", "", 10}).size(), 1u);  // hash prefix
  EXPECT_EQ(db.list({"", "oom", 10}).size(), 1u);
  EXPECT_EQ(db.observations().size(), 1u);
  RunRecord missing = record("x");
  missing.id = 999;
  EXPECT_THROW(db.update(missing), std::runtime_error);
}

TEST_F(HistoryTest, CalibrationSamplesAndOverlay) {
  HistoryDb db(path);
  RunRecord a = record("a");
  a.outcome = RunOutcome::oom;
  a.observed_peak = Bytes(100);
  a.observed_is_lower_bound = true;
  a.observed_source = "oom";
  db.add(a);
  RunRecord b = record("b");
  b.outcome = RunOutcome::succeeded;
  b.observed_peak = Bytes(200);
  b.observed_source = "nvml";
  b.preallocated = true;
  db.add(b);
  RunRecord c = record("c");
  c.observed_peak = Bytes(300);
  c.observed_source = "nvml";
  c.preallocated = false;
  db.add(c);
  RunRecord bad = record("bad");
  bad.observed_peak = Bytes(1);
  bad.config_json = "not json";
  db.add(bad);
  std::size_t skipped = 0;
  auto samples = calibration_samples(db, &skipped);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_EQ(skipped, 1u);
  EXPECT_EQ(samples[0].kind, ObservationKind::lower_bound);
  EXPECT_EQ(samples[1].kind, ObservationKind::upper_bound);
  EXPECT_EQ(samples[2].kind, ObservationKind::peak);
  std::string out = (dir / "cal" / "calibration.json").string();
  std::size_t seen = 0;
  auto result = calibrate_from_history(db, [&](const std::vector<CalibrationSample>& s) {
    seen = s.size();
    return std::string("{\"fitted\": true}\n");
  }, out);
  EXPECT_EQ(seen, 3u);
  EXPECT_EQ(result.samples, 3u);
  EXPECT_TRUE(fs::exists(out));
  HistoryDb empty((dir / "empty.sqlite").string());
  EXPECT_THROW(calibrate_from_history(empty, [](const auto&) { return std::string(); }, out), InputError);
}

TEST_F(HistoryTest, ConcurrentProcessesShareTheDatabase) {
  { HistoryDb create(path); }  // create it first
  constexpr int kWriters = 4, kRows = 50;
  std::vector<pid_t> kids;
  for (int w = 0; w < kWriters; ++w) {
    pid_t pid = ::fork();
    if (pid == 0) {
      int rc = 0;
      try {
        HistoryDb db(path);
        for (int i = 0; i < kRows; ++i) {
          RunRecord r = record("w" + std::to_string(w));
          r.id = db.add(r);
          r.outcome = RunOutcome::succeeded;
          db.update(r);
        }
      } catch (...) {
        rc = 1;
      }
      ::_exit(rc);
    }
    kids.push_back(pid);
  }
  for (pid_t k : kids) {
    int status = 0;
    ::waitpid(k, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  HistoryDb db(path);
  auto all = db.list({"", "succeeded", 100000});
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kWriters * kRows));
}

TEST_F(HistoryTest, SurvivesAProcessKilledMidTransaction) {
  { HistoryDb db(path); db.add(record("before")); }
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; BEGIN IMMEDIATE; UPDATE runs SET outcome='failed'; DELETE FROM transitions;",
                 nullptr, nullptr, nullptr);
    char c = 'x';
    if (::write(ready[1], &c, 1) != 1) ::_exit(2);
    ::pause();
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  HistoryDb db(path);
  auto all = db.list({});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].record.outcome, RunOutcome::planned);  // the killed transaction left nothing
  db.add(record("after"));                                 // and no lock behind
  EXPECT_EQ(db.list({}).size(), 2u);
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST_F(HistoryTest, ReapsRowsOfDeadProcesses) {
  pid_t pid = ::fork();
  if (pid == 0) {
    HistoryDb db(path);
    RunRecord r = record("orphan");
    r.outcome = RunOutcome::running;
    db.add(r);
    ::_exit(0);
  }
  ::waitpid(pid, nullptr, 0);
  HistoryDb db(path);
  RunRecord mine = record("mine");
  mine.outcome = RunOutcome::running;
  db.add(mine);
  EXPECT_EQ(db.reap_stale(), 1);
  EXPECT_EQ(db.list({"orphan", "", 10}).at(0).record.outcome, RunOutcome::interrupted);
  EXPECT_EQ(db.list({"mine", "", 10}).at(0).record.outcome, RunOutcome::running);
}

TEST_F(HistoryTest, RecordsTheChildAndListsUnendedOnes) {
  HistoryDb db(path);
  RunRecord a = record("a");
  a.outcome = RunOutcome::running;
  a.id = db.add(a);
  a.child_pid = 4242;
  a.child_start_time = 123456789012ULL;
  db.set_child(a);
  RunRecord done = record("a");
  done.child_pid = 4343;
  done.child_start_time = 7;
  done.outcome = RunOutcome::succeeded;
  db.add(done);
  RunRecord other = record("b");
  other.child_pid = 4444;
  other.outcome = RunOutcome::interrupted;
  db.add(other);
  auto open = db.unended_children(a.input_hash);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].child_pid, 4242);
  EXPECT_EQ(open[0].child_start_time, 123456789012ULL);
  EXPECT_EQ(db.list({"a", "succeeded", 10}).at(0).record.child_pid, 4343);
  EXPECT_EQ(db.unended_children(other.input_hash).size(), 1u);
}

TEST_F(HistoryTest, MigratesAVersion1Database) {
  fs::create_directories(fs::path(path).parent_path());
  {
    // The version 1 table: the columns up to updated_at, no child_pid / child_start_time.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const char* v1 =
        "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT NOT NULL, input_hash TEXT NOT NULL, "
        "input_name TEXT NOT NULL, input_path TEXT NOT NULL, tokens INTEGER NOT NULL, padded_tokens INTEGER NOT NULL, "
        "sizes_json TEXT NOT NULL, config_json TEXT NOT NULL, attempt INTEGER NOT NULL, part INTEGER NOT NULL, gpu TEXT "
        "NOT NULL, driver TEXT NOT NULL, af3_version TEXT NOT NULL, foldfit_version TEXT NOT NULL, outcome TEXT NOT NULL, "
        "expected_peak INTEGER NOT NULL, budget INTEGER NOT NULL, observed_peak INTEGER, observed_source TEXT NOT NULL, "
        "observed_is_lower_bound INTEGER NOT NULL, preallocated INTEGER NOT NULL, duration_seconds REAL NOT NULL, "
        "exit_status TEXT NOT NULL, message TEXT NOT NULL, log_path TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT "
        "NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
        "CREATE TABLE transitions (run_id INTEGER NOT NULL REFERENCES runs(id), outcome TEXT NOT NULL, at TEXT NOT NULL);"
        "INSERT INTO runs VALUES (NULL, 'old', 'h', 'old', 'p', 1, 128, '{}', '{}', 1, 1, 'g', 'd', 'v', 'f', "
        "'succeeded', 0, 0, NULL, '', 0, 1, 0, '', '', '', 'host', 1, 't', 't');"
        "PRAGMA user_version = 1;";
    ASSERT_EQ(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  HistoryDb db(path);
  EXPECT_EQ(db.list({"old", "", 10}).at(0).record.child_pid, 0);
  RunRecord r = record("new");
  r.child_pid = 99;
  db.add(r);
  EXPECT_EQ(db.list({"new", "", 10}).at(0).record.child_pid, 99);
}

}  // namespace
}  // namespace foldfit
