// child_process.hpp - the benchmarks' way to time a whole command: fork, exec with stdout
// to /dev/null, wall time and the child's own peak RSS (wait4's rusage).
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace foldfit::bench {

struct Figures {
  double seconds = 0;
  long max_rss_kb = 0;
  int status = 0;
};

// Runs args (args[0] a path) with stdout to /dev/null; in_child runs in the child before exec
// (e.g. pinning it to one core).
template <typename InChild = void (*)()>
Figures run_child(const std::vector<std::string>& args, InChild in_child = [] {}) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);  // the child must not inherit buffered output
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    in_child();
    if (!std::freopen("/dev/null", "w", stdout)) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Figures f;
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  f.max_rss_kb = usage.ru_maxrss;
  f.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return f;
}

}  // namespace foldfit::bench
