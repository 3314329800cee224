// process.hpp - starting AlphaFold 3 as a child process: argv (never a shell), output
// streamed to a log file line by line, SIGINT/SIGTERM passed on, exit status reported.
#pragma once

#include <map>
#include <memory>
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

// posix_spawn-based launcher; the child gets its own process group and /dev/null as stdin.
std::unique_ptr<ProcessLauncher> make_process_launcher();

}  // namespace foldfit
