// process.hpp - starting AlphaFold 3 as a child process: argv (never a shell), output
// streamed to a log file line by line, SIGINT/SIGTERM passed on, exit status reported.
#pragma once

#include <map>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foldfit {

struct ProcessSpec {
  std::vector<std::string> argv;                   // argv[0] is looked up on PATH
  std::map<std::string, std::string> environment;  // the child's whole environment
  std::string log_path;                            // stdout + stderr appended here
  bool echo = false;                               // also copy the output to our stderr
  double tick_seconds = 1.0;                       // how often on_tick is called
};

struct ProcessResult {
  bool started = false;
  std::string start_error;   // why it could not start
  int exit_code = -1;        // when it exited
  int signal = 0;            // when a signal ended it
  int forwarded_signal = 0;  // SIGINT / SIGTERM foldfit received and passed on (0: none)
  double seconds = 0;

  bool success() const { return started && signal == 0 && exit_code == 0; }
  std::string describe() const;  // "exit status 0", "killed by signal 9 (SIGKILL)", ...
};

class ProcessObserver {
 public:
  virtual ~ProcessObserver() = default;
  virtual void on_start(int /*pid*/) {}
  virtual void on_line(std::string_view line) = 0;
  virtual void on_tick(int pid, double elapsed_seconds) = 0;
};

class ProcessLauncher {
 public:
  virtual ~ProcessLauncher() = default;
  // Runs the process to its end. SIGINT/SIGTERM that reach foldfit meanwhile go to the
  // child's process group, and foldfit keeps waiting for it.
  virtual ProcessResult run(const ProcessSpec& spec, ProcessObserver& observer) = 0;
};

// fork/exec launcher; the child gets its own process group, /dev/null as stdin, and is
// killed (SIGKILL) by the kernel when foldfit dies (PR_SET_PDEATHSIG).
std::unique_ptr<ProcessLauncher> make_process_launcher();

// A process's start time, field 22 of /proc/PID/stat (clock ticks after boot); with its
// PID it names the process uniquely for as long as the machine runs. nullopt: no such
// process, or a zombie.
std::optional<std::uint64_t> process_start_time(int pid);

// Whether the AlphaFold 3 process recorded as (pid, start_time) - or a process of its
// process group, such as a data-pipeline tool it started - is still alive on this
// machine. A PID reused by an unrelated process (another start time) is not it.
bool earlier_process_alive(int pid, std::uint64_t start_time);

}  // namespace foldfit
