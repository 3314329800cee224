// campaign_bench.cpp - `foldfit plan` on a folder of many inputs (a mix of sizes), against
// the time to just read the same files, and to read and size them (`foldfit tokens`).
//
// Inputs: 50..2,000 residues in one or two chains, and every 50th 2,500..6,500 residues
// (some of which fit only the larger class, some nowhere). The cluster: two GPU classes
// (A100-40GB, H100-80GB) and a CPU partition, from a cluster file. Each command runs
// pinned to one core (sched_setaffinity). Prints wall seconds and inputs per second.
//
// usage: campaign_bench [--foldfit=PATH] [--inputs=N] [--dir=PATH] [--keep]
#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_inputs.hpp"
#include "child_process.hpp"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

void write_inputs(const fs::path& dir, std::size_t n) {
  foldfit::bench::write_protein_inputs(
      dir, n, [](std::size_t i) -> std::size_t { return i % 50 == 49 ? 2500 + (i * 104729) % 4000 : 50 + (i * 7919) % 1950; },
      [](std::size_t i) -> std::size_t { return i % 5 + 1; });
}

void pin_to_one_core() {
  cpu_set_t now;
  CPU_ZERO(&now);
  if (sched_getaffinity(0, sizeof now, &now) != 0) return;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &now)) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(c, &one);
      sched_setaffinity(0, sizeof one, &one);
      return;
    }
}

using foldfit::bench::Figures;

Figures run(const std::vector<std::string>& args) { return foldfit::bench::run_child(args, pin_to_one_core); }

// Reads every file's bytes (open, read, close), as the cheapest possible pass over them.
Figures read_all(const fs::path& dir) {
  pin_to_one_core();
  auto start = Clock::now();
  std::vector<char> buf(1 << 16);
  std::size_t bytes = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    int fd = ::open(e.path().c_str(), O_RDONLY);
    if (fd < 0) continue;
    ssize_t got;
    while ((got = ::read(fd, buf.data(), buf.size())) > 0) bytes += static_cast<std::size_t>(got);
    ::close(fd);
  }
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.status = bytes > 0 ? 0 : 1;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::string foldfit = FOLDFIT_BINARY;
  std::size_t n = 100000;
  fs::path root = fs::temp_directory_path() / fmt::format("foldfit_campaign_bench_{}", getpid());
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--foldfit=", 0) == 0) foldfit = a.substr(10);
    else if (a.rfind("--dir=", 0) == 0) root = a.substr(6);
    else if (a == "--keep") keep = true;
    else if (a.rfind("--inputs=", 0) == 0) n = std::stoul(a.substr(9));
    else {
      std::fprintf(stderr, "usage: campaign_bench [--foldfit=PATH] [--inputs=N] [--dir=PATH] [--keep]\n");
      return 2;
    }
  }
  fs::path dir = root / fmt::format("inputs{}", n);
  if (!fs::exists(dir)) write_inputs(dir, n);
  fs::path cluster = root / "cluster.json";
  {
    FILE* f = std::fopen(cluster.c_str(), "w");
    std::fprintf(f, "%s",
                 R"({"cpu_partition": {"name": "cpu", "cpus": 32, "mem_mb": 256000, "time_limit": "2-00:00:00"},
 "gpu_classes": [
  {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 4, "mem_mb": 512000, "cpus": 64, "time_limit": "1-00:00:00"},
  {"partition": "gpu", "gres_type": "h100", "gpus_per_node": 4, "mem_mb": 1024000, "cpus": 96, "time_limit": "1-00:00:00"}]}
)");
    std::fclose(f);
  }
  fs::path plan = root / "plan";
  fs::remove_all(plan);
  fmt::print("{:>8}  {:<44} {:>9} {:>12} {:>12} {:>5}\n", "inputs", "pass (one core)", "seconds", "inputs/s", "peak RSS MB", "exit");
  auto show = [&](const std::string& name, const Figures& f) {
    fmt::print("{:>8}  {:<44} {:>9.2f} {:>12.0f} {:>12.1f} {:>5}\n", n, name, f.seconds, n / f.seconds, f.max_rss_kb / 1024.0,
               f.status);
    std::fflush(stdout);
  };
  read_all(dir);  // warm the page cache once, so every pass reads from memory
  show("read every file (open/read/close)", read_all(dir));
  show("foldfit tokens --input_dir (read + size)",
       run({foldfit, "tokens", "--input_dir=" + dir.string(), "--format=json"}));
  show("foldfit plan (read + size + place + write)",
       run({foldfit, "plan", "--input_dir=" + dir.string(), "--cluster_file=" + cluster.string(), "--plan_dir=" + plan.string(),
            "--output_dir=" + (root / "out").string()}));
  if (!keep) fs::remove_all(root);
  return 0;
}
