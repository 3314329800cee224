#include "foldfit/history/database.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace foldfit {

namespace {

// Writers wait this long for each other; a foldfit run writes a few rows per attempt.
constexpr int kBusyTimeoutMs = 30000;
// 1: the first schema; 2: child_pid, child_start_time (the AlphaFold 3 process).
constexpr int kSchemaVersion = 2;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  input_name TEXT NOT NULL,
  input_path TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  padded_tokens INTEGER NOT NULL,
  sizes_json TEXT NOT NULL,
  config_json TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  part INTEGER NOT NULL,
  gpu TEXT NOT NULL,
  driver TEXT NOT NULL,
  af3_version TEXT NOT NULL,
  foldfit_version TEXT NOT NULL,
  outcome TEXT NOT NULL,
  expected_peak INTEGER NOT NULL,
  budget INTEGER NOT NULL,
  observed_peak INTEGER,
  observed_source TEXT NOT NULL,
  observed_is_lower_bound INTEGER NOT NULL,
  preallocated INTEGER NOT NULL,
  duration_seconds REAL NOT NULL,
  exit_status TEXT NOT NULL,
  message TEXT NOT NULL,
  log_path TEXT NOT NULL,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  child_pid INTEGER NOT NULL DEFAULT 0,
  child_start_time INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_input ON runs(input_hash);
CREATE TABLE IF NOT EXISTS transitions (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  outcome TEXT NOT NULL,
  at TEXT NOT NULL
);
)sql";

const char* kColumns =
    "id, batch_id, input_hash, input_name, input_path, tokens, padded_tokens, sizes_json, config_json, attempt, part, "
    "gpu, driver, af3_version, foldfit_version, outcome, expected_peak, budget, observed_peak, observed_source, "
    "observed_is_lower_bound, preallocated, duration_seconds, exit_status, message, log_path, host, pid, created_at, "
    "updated_at, child_pid, child_start_time";

std::string hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

struct HistoryDb::Impl {
  sqlite3* db = nullptr;
  std::string path;
  std::string host = hostname();

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(fmt::format("history database {}: {}: {}", path, what, sqlite3_errmsg(db)));
  }
  void exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "error";
      sqlite3_free(err);
      throw std::runtime_error(fmt::format("history database {}: {}: {}", path, sql, msg));
    }
  }

  // A prepared statement, finalised on scope exit.
  struct Stmt {
    sqlite3_stmt* s = nullptr;
    const Impl& owner;
    Stmt(const Impl& o, const char* sql) : owner(o) {
      if (sqlite3_prepare_v2(o.db, sql, -1, &s, nullptr) != SQLITE_OK) o.fail("prepare");
    }
    ~Stmt() { sqlite3_finalize(s); }
    void text(int i, const std::string& v) { sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
    void integer(int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
    void real(int i, double v) { sqlite3_bind_double(s, i, v); }
    void null(int i) { sqlite3_bind_null(s, i); }
    bool step() {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW) return true;
      if (rc != SQLITE_DONE) owner.fail("step");
      return false;
    }
    std::string col_text(int i) const {
      auto p = sqlite3_column_text(s, i);
      return p ? reinterpret_cast<const char*>(p) : "";
    }
    std::int64_t col_int(int i) const { return sqlite3_column_int64(s, i); }
  };

  // BEGIN IMMEDIATE takes the write lock up front, so the busy timeout applies to it
  // rather than failing a deferred transaction half-way.
  template <typename F>
  auto transaction(F&& body) {
    exec("BEGIN IMMEDIATE");
    try {
      auto result = body();
      exec("COMMIT");
      return result;
    } catch (...) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  void bind_record(Stmt& st, const RunRecord& r) {
    st.text(1, r.batch_id);
    st.text(2, r.input_hash);
    st.text(3, r.input_name);
    st.text(4, r.input_path);
    st.integer(5, r.tokens);
    st.integer(6, r.padded_tokens);
    st.text(7, r.sizes_json);
    st.text(8, r.config_json);
    st.integer(9, r.attempt);
    st.integer(10, r.part);
    st.text(11, r.gpu);
    st.text(12, r.driver);
    st.text(13, r.af3_version);
    st.text(14, r.foldfit_version);
    st.text(15, std::string(outcome_name(r.outcome)));
    st.integer(16, r.expected_peak.count());
    st.integer(17, r.budget.count());
    if (r.observed_peak) st.integer(18, r.observed_peak->count());
    else st.null(18);
    st.text(19, r.observed_source);
    st.integer(20, r.observed_is_lower_bound);
    st.integer(21, r.preallocated);
    st.real(22, r.duration_seconds);
    st.text(23, r.exit_status);
    st.text(24, r.message);
    st.text(25, r.log_path);
    st.integer(26, r.child_pid);
    st.integer(27, static_cast<std::int64_t>(r.child_start_time));
  }

  void add_transition(std::int64_t id, RunOutcome o) {
    Stmt st(*this, "INSERT INTO transitions (run_id, outcome, at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    st.integer(1, id);
    st.text(2, std::string(outcome_name(o)));
    st.step();
  }

  static StoredRun read_row(const Stmt& st) {
    StoredRun s;
    RunRecord& r = s.record;
    int i = 0;
    r.id = st.col_int(i++);
    r.batch_id = st.col_text(i++);
    r.input_hash = st.col_text(i++);
    r.input_name = st.col_text(i++);
    r.input_path = st.col_text(i++);
    r.tokens = st.col_int(i++);
    r.padded_tokens = st.col_int(i++);
    r.sizes_json = st.col_text(i++);
    r.config_json = st.col_text(i++);
    r.attempt = static_cast<int>(st.col_int(i++));
    r.part = static_cast<int>(st.col_int(i++));
    r.gpu = st.col_text(i++);
    r.driver = st.col_text(i++);
    r.af3_version = st.col_text(i++);
    r.foldfit_version = st.col_text(i++);
    r.outcome = outcome_from_name(st.col_text(i++)).value_or(RunOutcome::failed);
    r.expected_peak = Bytes(st.col_int(i++));
    r.budget = Bytes(st.col_int(i++));
    if (sqlite3_column_type(st.s, i) != SQLITE_NULL) r.observed_peak = Bytes(st.col_int(i));
    ++i;
    r.observed_source = st.col_text(i++);
    r.observed_is_lower_bound = st.col_int(i++) != 0;
    r.preallocated = st.col_int(i++) != 0;
    r.duration_seconds = sqlite3_column_double(st.s, i++);
    r.exit_status = st.col_text(i++);
    r.message = st.col_text(i++);
    r.log_path = st.col_text(i++);
    s.host = st.col_text(i++);
    s.pid = static_cast<int>(st.col_int(i++));
    s.created_at = st.col_text(i++);
    s.updated_at = st.col_text(i++);
    r.child_pid = static_cast<int>(st.col_int(i++));
    r.child_start_time = static_cast<std::uint64_t>(st.col_int(i++));
    return s;
  }
};

std::string default_history_path() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/foldfit/history.sqlite";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/foldfit/history.sqlite";
}

HistoryDb::HistoryDb(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
  impl_->path = path;
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  if (sqlite3_open_v2(path.c_str(), &impl_->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
      SQLITE_OK)
    impl_->fail("open");
  sqlite3_busy_timeout(impl_->db, kBusyTimeoutMs);
  // Switching a new database to WAL needs an exclusive lock, and SQLite returns SQLITE_BUSY
  // for it without calling the busy handler when another process is opening the same new
  // file (two `foldfit run`s starting at once): retry it for the busy timeout.
  int rc = SQLITE_OK;
  for (int waited_ms = 0;; waited_ms += 20) {
    rc = sqlite3_exec(impl_->db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited_ms >= kBusyTimeoutMs) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (rc != SQLITE_OK) impl_->fail("PRAGMA journal_mode=WAL");
  impl_->exec("PRAGMA synchronous=NORMAL");
  impl_->exec("PRAGMA foreign_keys=ON");
  impl_->transaction([&] {
    Impl::Stmt v(*impl_, "PRAGMA user_version");
    v.step();
    std::int64_t version = v.col_int(0);
    if (version > kSchemaVersion)
      throw std::runtime_error(fmt::format("history database {}: schema version {} is newer than this foldfit's ({})", path,
                                           version, kSchemaVersion));
    if (version == 1) {
      impl_->exec("ALTER TABLE runs ADD COLUMN child_pid INTEGER NOT NULL DEFAULT 0");
      impl_->exec("ALTER TABLE runs ADD COLUMN child_start_time INTEGER NOT NULL DEFAULT 0");
    }
    if (version < kSchemaVersion) {
      impl_->exec(kSchema);
      impl_->exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str());
    }
    return 0;
  });
}

HistoryDb::~HistoryDb() { sqlite3_close_v2(impl_->db); }

std::int64_t HistoryDb::add(const RunRecord& r) {
  return impl_->transaction([&] {
    Impl::Stmt st(*impl_,
                  "INSERT INTO runs (batch_id, input_hash, input_name, input_path, tokens, padded_tokens, sizes_json, "
                  "config_json, attempt, part, gpu, driver, af3_version, foldfit_version, outcome, expected_peak, budget, "
                  "observed_peak, observed_source, observed_is_lower_bound, preallocated, duration_seconds, exit_status, "
                  "message, log_path, child_pid, child_start_time, host, pid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
                  "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
                  "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    impl_->bind_record(st, r);
    st.text(28, impl_->host);
    st.integer(29, ::getpid());
    st.step();
    std::int64_t id = sqlite3_last_insert_rowid(impl_->db);
    impl_->add_transition(id, r.outcome);
    return id;
  });
}

void HistoryDb::update(const RunRecord& r) {
  impl_->transaction([&] {
    Impl::Stmt st(*impl_,
                  "UPDATE runs SET batch_id=?, input_hash=?, input_name=?, input_path=?, tokens=?, padded_tokens=?, "
                  "sizes_json=?, config_json=?, attempt=?, part=?, gpu=?, driver=?, af3_version=?, foldfit_version=?, "
                  "outcome=?, expected_peak=?, budget=?, observed_peak=?, observed_source=?, observed_is_lower_bound=?, "
                  "preallocated=?, duration_seconds=?, exit_status=?, message=?, log_path=?, child_pid=?, child_start_time=?, "
                  "updated_at=strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id=?");
    impl_->bind_record(st, r);
    st.integer(28, r.id);
    st.step();
    if (sqlite3_changes(impl_->db) != 1) throw std::runtime_error(fmt::format("history database {}: no run {}", path_, r.id));
    impl_->add_transition(r.id, r.outcome);
    return 0;
  });
}

std::vector<StoredRun> HistoryDb::list(const HistoryFilter& f) const {
  std::string sql = fmt::format(
      "SELECT {} FROM runs WHERE (?1 = '' OR input_name = ?1 OR input_hash LIKE ?1 || '%') AND (?2 = '' OR outcome = ?2) "
      "ORDER BY id DESC LIMIT ?3",
      kColumns);
  Impl::Stmt st(*impl_, sql.c_str());
  st.text(1, f.input);
  st.text(2, f.outcome);
  st.integer(3, f.limit);
  std::vector<StoredRun> out;
  while (st.step()) out.push_back(Impl::read_row(st));
  return out;
}

std::vector<StoredRun> HistoryDb::observations() const {
  std::string sql = fmt::format("SELECT {} FROM runs WHERE observed_peak IS NOT NULL ORDER BY id", kColumns);
  Impl::Stmt st(*impl_, sql.c_str());
  std::vector<StoredRun> out;
  while (st.step()) out.push_back(Impl::read_row(st));
  return out;
}

void HistoryDb::set_child(const RunRecord& r) {
  impl_->transaction([&] {
    Impl::Stmt st(*impl_,
                  "UPDATE runs SET child_pid=?, child_start_time=?, updated_at=strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id=?");
    st.integer(1, r.child_pid);
    st.integer(2, static_cast<std::int64_t>(r.child_start_time));
    st.integer(3, r.id);
    st.step();
    return 0;
  });
}

std::vector<RunRecord> HistoryDb::unended_children(const std::string& input_hash) {
  std::string sql = fmt::format(
      "SELECT {} FROM runs WHERE input_hash = ? AND host = ? AND child_pid > 0 AND outcome IN ('planned', 'running', "
      "'interrupted') ORDER BY id DESC",
      kColumns);
  Impl::Stmt st(*impl_, sql.c_str());
  st.text(1, input_hash);
  st.text(2, impl_->host);
  std::vector<RunRecord> out;
  while (st.step()) out.push_back(Impl::read_row(st).record);
  return out;
}

int HistoryDb::reap_stale() {
  return impl_->transaction([&] {
    std::vector<std::pair<std::int64_t, int>> open;
    {
      Impl::Stmt st(*impl_, "SELECT id, pid FROM runs WHERE outcome IN ('planned', 'running') AND host = ?");
      st.text(1, impl_->host);
      while (st.step()) open.emplace_back(st.col_int(0), static_cast<int>(st.col_int(1)));
    }
    int reaped = 0;
    for (auto [id, pid] : open) {
      if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM) continue;  // still alive
      Impl::Stmt st(*impl_,
                    "UPDATE runs SET outcome='interrupted', message='foldfit process ' || pid || ' ended without recording "
                    "an outcome', updated_at=strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id=?");
      st.integer(1, id);
      st.step();
      impl_->add_transition(id, RunOutcome::interrupted);
      ++reaped;
    }
    return reaped;
  });
}

}  // namespace foldfit
