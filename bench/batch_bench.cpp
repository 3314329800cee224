// batch_bench.cpp - planning a folder of many small inputs, as a whole command: foldfit
// estimate --input_dir against foldfit run --estimate_memory_only --input_dir, the same
// folder, the same GPU, in one run, at 10,000 and 100,000 inputs.
//
// Both commands share one pipeline and stream their output, so their figures should be
// alike and their peak memory flat in the number of inputs. Prints, per size and
// command: wall seconds, inputs per second and the child's peak RSS (getrusage).
//
// usage: batch_bench [--foldfit=PATH] [--inputs=N,N,...] [--dir=PATH] [--keep]
#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_inputs.hpp"
#include "child_process.hpp"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// n inputs of 50..2,000 residues in one or two chains, written once per size.
void write_inputs(const fs::path& dir, std::size_t n) {
  foldfit::bench::write_protein_inputs(
      dir, n, [](std::size_t i) -> std::size_t { return 50 + (i * 7919) % 1950; },
      [](std::size_t) -> std::size_t { return 1; });
}

using foldfit::bench::Figures;

Figures run(const std::vector<std::string>& args) { return foldfit::bench::run_child(args); }

}  // namespace

int main(int argc, char** argv) {
  std::string foldfit = FOLDFIT_BINARY;
  std::vector<std::size_t> sizes{10000, 100000};
  fs::path root = fs::temp_directory_path() / fmt::format("foldfit_batch_bench_{}", getpid());
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--foldfit=", 0) == 0) foldfit = a.substr(10);
    else if (a.rfind("--dir=", 0) == 0) root = a.substr(6);
    else if (a == "--keep") keep = true;
    else if (a.rfind("--inputs=", 0) == 0) {
      sizes.clear();
      std::string list = a.substr(9);
      for (std::size_t p = 0; p < list.size();) {
        std::size_t q = list.find(',', p);
        sizes.push_back(std::stoul(list.substr(p, q - p)));
        p = q == std::string::npos ? list.size() : q + 1;
      }
    } else {
      std::fprintf(stderr, "usage: batch_bench [--foldfit=PATH] [--inputs=N,N,...] [--dir=PATH] [--keep]\n");
      return 2;
    }
  }
  fmt::print("{:>8}  {:<34} {:>9} {:>12} {:>12} {:>5}\n", "inputs", "command", "seconds", "inputs/s", "peak RSS MB",
             "exit");
  for (std::size_t n : sizes) {
    fs::path dir = root / std::to_string(n);
    if (!fs::exists(dir)) write_inputs(dir, n);
    const std::vector<std::pair<std::string, std::vector<std::string>>> commands{
        {"estimate", {foldfit, "estimate", "--input_dir=" + dir.string(), "--gpu=A100-40GB"}},
        {"run --estimate_memory_only",
         {foldfit, "run", "--estimate_memory_only", "--input_dir=" + dir.string(), "--gpu=A100-40GB"}},
    };
    for (const auto& [name, args] : commands) {
      Figures f = run(args);
      fmt::print("{:>8}  {:<34} {:>9.2f} {:>12.0f} {:>12.1f} {:>5}\n", n, name, f.seconds, n / f.seconds,
                 f.max_rss_kb / 1024.0, f.status);
      std::fflush(stdout);
    }
  }
  if (!keep) fs::remove_all(root);
  return 0;
}
