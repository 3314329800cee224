#include "foldfit/run/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>

namespace foldfit {

namespace {

using Clock = std::chrono::steady_clock;

std::string signal_text(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? fmt::format("{} (SIG{})", sig, abbrev) : std::to_string(sig);
}

// Owns a file descriptor.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Blocks SIGINT/SIGTERM for the duration and reads them through a signalfd, so they
// are handled in the wait loop without a signal handler (and without global state).
class SignalCatcher {
 public:
  SignalCatcher() {
    sigemptyset(&mask_);
    sigaddset(&mask_, SIGINT);
    sigaddset(&mask_, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask_, &old_);
    fd_.fd = signalfd(-1, &mask_, SFD_CLOEXEC | SFD_NONBLOCK);
  }
  ~SignalCatcher() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
  int fd() const { return fd_.fd; }
  const sigset_t& old_mask() const { return old_; }
  // The next pending signal, or 0.
  int take() {
    signalfd_siginfo info{};
    if (::read(fd_.fd, &info, sizeof info) != static_cast<ssize_t>(sizeof info)) return 0;
    return static_cast<int>(info.ssi_signo);
  }

 private:
  sigset_t mask_{}, old_{};
  Fd fd_;
};

class PosixLauncher final : public ProcessLauncher {
 public:
  ProcessResult run(const ProcessSpec& spec, ProcessObserver& observer) override {
    ProcessResult result;
    std::ofstream log(spec.log_path, std::ios::app);
    if (!log) {
      result.start_error = fmt::format("cannot write the log file {}: {}", spec.log_path, std::strerror(errno));
      return result;
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      result.start_error = fmt::format("pipe: {}", std::strerror(errno));
      return result;
    }
    Fd read_end(pipe_fds[0]), write_end(pipe_fds[1]);
    SignalCatcher signals;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, write_end.fd, 1);
    posix_spawn_file_actions_adddup2(&actions, write_end.fd, 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setsigmask(&attr, &signals.old_mask());
    // Its own process group: a terminal's Ctrl-C reaches foldfit only, which passes it
    // on exactly once (to the group, so AlphaFold 3's own children get it too).
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

    std::vector<std::string> env_strings;
    for (const auto& [k, v] : spec.environment) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = spec.argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);

    // posix_spawnp searches PATH of foldfit's own environment; look it up in the child's.
    std::string program = resolve(spec.argv.empty() ? "" : spec.argv[0], spec.environment);
    pid_t pid = -1;
    auto start = Clock::now();
    int rc = args.empty() ? EINVAL : posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(write_end.fd);
    write_end.fd = -1;
    if (rc != 0) {
      result.start_error = fmt::format("cannot start '{}': {}", spec.argv.empty() ? "" : spec.argv[0], std::strerror(rc));
      return result;
    }
    result.started = true;
    observer.on_start(pid);

    std::string pending;
    auto emit = [&](std::string_view line) {
      log << line << '\n';
      log.flush();
      if (spec.echo) std::cerr << line << '\n';
      observer.on_line(line);
    };
    auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
    double next_tick = spec.tick_seconds;
    bool open = true;
    int status = 0;
    bool exited = false;
    while (!exited) {
      pollfd fds[2] = {{signals.fd(), POLLIN, 0}, {read_end.fd, POLLIN, 0}};
      int wait_ms = static_cast<int>(std::max(0.0, (next_tick - elapsed()) * 1000.0)) + 1;
      if (!open) wait_ms = std::min(wait_ms, 50);  // output closed: poll for the exit
      int n = ::poll(fds, open ? 2 : 1, wait_ms);
      if (n < 0 && errno != EINTR) break;
      if (fds[0].revents & POLLIN) {
        while (int sig = signals.take()) {
          result.forwarded_signal = sig;
          ::kill(-pid, sig);
        }
      }
      if (open && (fds[1].revents & (POLLIN | POLLHUP))) {
        char buf[65536];
        ssize_t got = ::read(read_end.fd, buf, sizeof buf);
        if (got <= 0) {
          open = false;
        } else {
          pending.append(buf, static_cast<std::size_t>(got));
          std::size_t from = 0;
          for (std::size_t i = 0; i < pending.size(); ++i) {
            if (pending[i] != '\n' && pending[i] != '\r') continue;
            if (i > from || pending[i] == '\n') emit(std::string_view(pending).substr(from, i - from));
            from = i + 1;
          }
          pending.erase(0, from);
          // A line without an end (a progress bar, a runaway print) is passed on in
          // pieces rather than held without bound.
          constexpr std::size_t kMaxLine = std::size_t{1} << 20;
          while (pending.size() >= kMaxLine) {
            emit(std::string_view(pending).substr(0, kMaxLine));
            pending.erase(0, kMaxLine);
          }
        }
      }
      if (elapsed() >= next_tick) {
        observer.on_tick(pid, elapsed());
        next_tick += spec.tick_seconds;
      }
      if (!open) {
        pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) exited = true;
      }
    }
    if (!pending.empty()) emit(pending);
    result.seconds = elapsed();
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
  }

 private:
  static std::string resolve(const std::string& name, const std::map<std::string, std::string>& env) {
    if (name.empty() || name.find('/') != std::string::npos) return name;
    auto it = env.find("PATH");
    std::string_view path = it == env.end() ? "/usr/local/bin:/usr/bin:/bin" : std::string_view(it->second);
    while (!path.empty()) {
      auto colon = path.find(':');
      std::string dir(path.substr(0, colon));
      path = colon == std::string_view::npos ? "" : path.substr(colon + 1);
      std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return name;
  }
};

}  // namespace

std::string ProcessResult::describe() const {
  if (!started) return "not started: " + start_error;
  if (signal != 0) return "killed by signal " + signal_text(signal);
  return fmt::format("exit status {}", exit_code);
}

std::unique_ptr<ProcessLauncher> make_process_launcher() { return std::make_unique<PosixLauncher>(); }

}  // namespace foldfit
