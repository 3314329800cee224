#include "foldfit/schedule/slurm.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "foldfit/common/error.hpp"

extern char** environ;

namespace foldfit {

namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  }
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) ::close(f);
  }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
};

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

// "0-5%2", "1,3,7-9": the indices a pending array's bracket names.
std::vector<int> expand_range(const std::string& text) {
  std::vector<int> out;
  std::string body = text.substr(0, text.find('%'));
  std::stringstream ss(body);
  std::string part;
  while (std::getline(ss, part, ',')) {
    auto dash = part.find('-');
    try {
      if (dash == std::string::npos) {
        out.push_back(std::stoi(part));
      } else {
        int lo = std::stoi(part.substr(0, dash)), hi = std::stoi(part.substr(dash + 1));
        for (int i = lo; i <= hi && out.size() < 10000000; ++i) out.push_back(i);
      }
    } catch (const std::exception&) {
      throw UsageError(fmt::format("sacct: cannot read the array range '{}'", text));
    }
  }
  return out;
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& argv) {
  ToolResult r;
  Pipe out, err;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err.fd[1], 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  out.close_end(1);
  err.close_end(1);
  if (rc != 0) {
    r.status = 127;
    r.err = fmt::format("cannot run {}: {}", argv[0], std::strerror(rc));
    return r;
  }
  pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
  return r;
}

std::optional<std::string> parse_sbatch_job_id(const std::string& out) {
  std::string line = trim(out);
  if (auto nl = line.rfind('\n'); nl != std::string::npos) line = trim(line.substr(nl + 1));
  line = line.substr(0, line.find(';'));
  if (line.empty()) return std::nullopt;
  for (char ch : line)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return std::nullopt;
  return line;
}

std::map<std::pair<std::string, int>, SacctTask> parse_sacct(const std::string& text) {
  std::map<std::pair<std::string, int>, SacctTask> out;
  std::stringstream ss(text);
  std::string line;
  int number = 0;
  std::vector<std::pair<std::pair<std::string, int>, bool>> step_oom;  // steps seen before their task
  while (std::getline(ss, line)) {
    ++number;
    if (trim(line).empty()) continue;
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string field;
    while (std::getline(ls, field, '|')) f.push_back(field);
    if (!line.empty() && line.back() == '|') f.push_back("");
    if (f.size() != 4)
      throw UsageError(fmt::format("sacct output line {}: expected JobID|State|ExitCode|Elapsed, got '{}'", number, line));
    std::string id = trim(f[0]);
    std::string state = trim(f[1]);
    state = state.substr(0, state.find(' '));  // "CANCELLED by 1000"
    std::string step;
    if (auto dot = id.find('.'); dot != std::string::npos) step = id.substr(dot + 1), id = id.substr(0, dot);
    auto us = id.find('_');
    if (us == std::string::npos) continue;  // not an array task
    std::string job = id.substr(0, us), index = id.substr(us + 1);
    std::vector<int> tasks;
    if (!index.empty() && index.front() == '[') {
      tasks = expand_range(index.substr(1, index.find(']') - 1));
    } else {
      try {
        tasks.push_back(std::stoi(index));
      } catch (const std::exception&) {
        throw UsageError(fmt::format("sacct output line {}: cannot read the job id '{}'", number, f[0]));
      }
    }
    for (int t : tasks) {
      auto key = std::make_pair(job, t);
      if (!step.empty()) {
        if (state == "OUT_OF_MEMORY") step_oom.push_back({key, true});
        continue;
      }
      SacctTask& s = out[key];
      s.job_id = job;
      s.task = t;
      s.state = state;
      s.exit_code = trim(f[2]);
      s.elapsed = trim(f[3]);
    }
  }
  for (const auto& [key, oom] : step_oom)
    if (auto it = out.find(key); it != out.end()) it->second.step_out_of_memory = oom;
  return out;
}

ToolResult SystemSlurm::sbatch(const std::string& script, const std::string& dependency) {
  std::vector<std::string> argv = {"sbatch", "--parsable"};
  if (!dependency.empty()) argv.push_back("--dependency=" + dependency);
  argv.push_back(script);
  return run_tool(argv);
}

ToolResult SystemSlurm::sacct(const std::vector<std::string>& job_ids) {
  std::string ids;
  for (const std::string& id : job_ids) ids += (ids.empty() ? "" : ",") + id;
  return run_tool({"sacct", "-n", "-P", "-j", ids, "--format=JobID,State,ExitCode,Elapsed"});
}

}  // namespace foldfit
