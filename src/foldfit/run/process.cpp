#include "foldfit/run/process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

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

    std::vector<std::string> env_strings;
    for (const auto& [k, v] : spec.environment) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, argv;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = spec.argv;
    for (auto& s : args) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (args.empty()) {
      result.start_error = "cannot start '': no command";
      return result;
    }

    // execve does not search PATH; look the program up in the child's environment.
    std::string program = resolve(spec.argv[0], spec.environment);
    // The child reports an exec failure through this pipe (closed by a successful exec).
    int err_fds[2];
    if (::pipe2(err_fds, O_CLOEXEC) != 0) {
      result.start_error = fmt::format("pipe: {}", std::strerror(errno));
      return result;
    }
    Fd err_read(err_fds[0]), err_write(err_fds[1]);
    const pid_t parent = ::getpid();
    auto start = Clock::now();
    // fork rather than posix_spawn: only the child, between fork and exec, can ask the
    // kernel to kill it when foldfit dies (PR_SET_PDEATHSIG), which posix_spawn cannot.
    // Everything it needs is prepared above; it calls only async-signal-safe functions.
    pid_t pid = ::fork();
    if (pid < 0) {
      result.start_error = fmt::format("cannot start '{}': fork: {}", spec.argv[0], std::strerror(errno));
      return result;
    }
    if (pid == 0) {
      // Its own process group: a terminal's Ctrl-C reaches foldfit only, which passes it
      // on exactly once (to the group, so AlphaFold 3's own children get it too).
      ::setpgid(0, 0);
      // Die with foldfit: a SIGKILLed foldfit (scancel, a time limit, preemption, the OOM
      // killer) takes its AlphaFold 3 with it instead of leaving it holding the GPU.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      // foldfit may have died before the line above took effect: then the parent is
      // already someone else, and no signal would ever come.
      if (::getppid() != parent) ::_exit(127);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      for (int sig : {SIGINT, SIGTERM, SIGPIPE}) ::sigaction(sig, &dfl, nullptr);
      ::sigprocmask(SIG_SETMASK, &signals.old_mask(), nullptr);
      int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(write_end.fd, 1) < 0 || ::dup2(write_end.fd, 2) < 0) {
        int e = errno;
        [[maybe_unused]] ssize_t w = ::write(err_write.fd, &e, sizeof e);
        ::_exit(127);
      }
      if (null_fd > 2) ::close(null_fd);  // AlphaFold 3 gets /dev/null as stdin only
      ::execve(program.c_str(), argv.data(), envp.data());
      int e = errno;
      [[maybe_unused]] ssize_t w = ::write(err_write.fd, &e, sizeof e);
      ::_exit(127);
    }
    ::setpgid(pid, pid);  // also here, so the group exists before any signal is passed on
    ::close(write_end.fd);
    write_end.fd = -1;
    ::close(err_write.fd);
    err_write.fd = -1;
    int child_errno = 0;
    ssize_t got_err;
    do got_err = ::read(err_read.fd, &child_errno, sizeof child_errno);
    while (got_err < 0 && errno == EINTR);
    if (got_err == static_cast<ssize_t>(sizeof child_errno)) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      result.start_error = fmt::format("cannot start '{}': {}", spec.argv[0], std::strerror(child_errno));
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

namespace {

// The fields of /proc/PID/stat after "pid (comm)": [0] is field 3 (state), [2] field 5
// (pgrp), [19] field 22 (starttime). comm may hold spaces and parentheses, so the split
// is after the last ')'. Empty when the file cannot be read.
std::vector<std::string> proc_stat_fields(const std::filesystem::path& stat_path) {
  std::ifstream in(stat_path);
  std::string stat;
  if (!std::getline(in, stat)) return {};
  auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(stat.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

bool dead_state(const std::string& state) { return state == "Z" || state == "X"; }

// Whether a process other than a zombie is in process group `pgid` (a scan of /proc).
bool group_has_live_member(int pgid) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::vector<std::string> f = proc_stat_fields(entry.path() / "stat");
    if (f.size() < 3 || dead_state(f[0])) continue;
    if (f[2] == std::to_string(pgid)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::uint64_t> process_start_time(int pid) {
  if (pid <= 0) return std::nullopt;
  std::vector<std::string> f = proc_stat_fields(fmt::format("/proc/{}/stat", pid));
  if (f.size() < 20 || dead_state(f[0])) return std::nullopt;
  std::uint64_t start = 0;
  auto [end, ec] = std::from_chars(f[19].data(), f[19].data() + f[19].size(), start);
  if (ec != std::errc() || end != f[19].data() + f[19].size()) return std::nullopt;
  return start;
}

bool earlier_process_alive(int pid, std::uint64_t start_time) {
  if (pid <= 0) return false;
  if (auto now = process_start_time(pid)) return *now == start_time;
  // The leader is gone (or a zombie no one reaps). Linux does not hand out a PID while it
  // still names a process group, so live members of group `pid` are the earlier
  // process's own children.
  if (::kill(-pid, 0) != 0 && errno != EPERM) return false;
  return group_has_live_member(pid);
}

}  // namespace foldfit
