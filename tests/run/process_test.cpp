#include "foldfit/run/process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace foldfit {
namespace {

struct Collect : ProcessObserver {
  std::vector<std::string> lines;
  int ticks = 0;
  int pid = 0;
  void on_start(int p) override { pid = p; }
  void on_line(std::string_view l) override { lines.emplace_back(l); }
  void on_tick(int, double) override { ++ticks; }
};

ProcessSpec spec(const std::string& script, const std::string& log) {
  ProcessSpec s;
  s.argv = {"sh", "-c", script};
  s.environment = {{"PATH", "/usr/bin:/bin"}, {"GREETING", "hello"}};
  s.log_path = log;
  s.tick_seconds = 0.05;
  return s;
}

std::string log_path(const std::string& name) {
  auto p = fs::temp_directory_path() / ("foldfit_process_" + name + "_" + std::to_string(::getpid()) + ".log");
  fs::remove(p);
  return p.string();
}

TEST(Process, StreamsLinesAndReportsExitStatus) {
  std::string log = log_path("exit");
  Collect c;
  auto r = make_process_launcher()->run(spec("echo $GREETING; echo err >&2; printf 'no newline'; exit 3", log), c);
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.describe(), "exit status 3");
  EXPECT_EQ(c.lines, (std::vector<std::string>{"hello", "err", "no newline"}));
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "hello\nerr\nno newline\n");
  fs::remove(log);
}

TEST(Process, LineWithoutAnEndIsPassedOnInPieces) {
  std::string log = log_path("long");
  Collect c;
  // 3 MiB and a bit, no newline: at most 1 MiB is held at a time.
  auto r = make_process_launcher()->run(spec("head -c 3146000 /dev/zero | tr '\\0' x", log), c);
  EXPECT_EQ(r.exit_code, 0);
  std::size_t total = 0;
  for (const std::string& l : c.lines) {
    EXPECT_LE(l.size(), std::size_t{1} << 20);
    total += l.size();
  }
  EXPECT_EQ(total, 3146000u);
  EXPECT_EQ(c.lines.size(), 4u);
  fs::remove(log);
}

TEST(Process, MissingProgram) {
  Collect c;
  ProcessSpec s = spec("", log_path("missing"));
  s.argv = {"/nonexistent/af3"};
  auto r = make_process_launcher()->run(s, c);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.start_error, "cannot start '/nonexistent/af3': No such file or directory");
  fs::remove(s.log_path);
}

TEST(Process, ForwardsSigtermAndWaits) {
  std::string log = log_path("signal");
  Collect c;
  // The child traps TERM, says so and exits 7: foldfit must pass the signal on and wait.
  std::thread killer([] {
    // Only the launching thread may take the signal (it reads it from its signalfd).
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &term, nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(::getpid(), SIGTERM);
  });
  auto r = make_process_launcher()->run(
      spec("trap 'echo got TERM; exit 7' TERM; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done", log), c);
  killer.join();
  EXPECT_EQ(r.forwarded_signal, SIGTERM);
  EXPECT_EQ(r.exit_code, 7);
  ASSERT_GE(c.lines.size(), 2u);
  EXPECT_EQ(c.lines.back(), "got TERM");
  EXPECT_GT(c.ticks, 2);
  fs::remove(log);
}

TEST(Process, StartTimeNamesAProcess) {
  auto mine = process_start_time(::getpid());
  ASSERT_TRUE(mine.has_value());
  EXPECT_GT(*mine, 0u);
  EXPECT_TRUE(earlier_process_alive(::getpid(), *mine));
  // The same PID with another start time is another process (a reused PID).
  EXPECT_FALSE(earlier_process_alive(::getpid(), *mine + 1));
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  EXPECT_FALSE(process_start_time(child).has_value());
  EXPECT_FALSE(earlier_process_alive(child, 1));
  EXPECT_FALSE(earlier_process_alive(0, 0));
}

TEST(Process, AChildIsRecordedAtStart) {
  std::string log = log_path("start");
  struct Starts : ProcessObserver {
    std::optional<std::uint64_t> start;
    void on_start(int p) override { start = process_start_time(p); }
    void on_line(std::string_view) override {}
    void on_tick(int, double) override {}
  } c;
  auto r = make_process_launcher()->run(spec("sleep 0.2", log), c);
  EXPECT_TRUE(r.success());
  EXPECT_TRUE(c.start.has_value());  // readable in on_start: the child exists until waited for
  fs::remove(log);
}

}  // namespace
}  // namespace foldfit
