// size_bench.cpp - sizing a large MSA-laden data JSON: foldfit against Python's json.load.
//
// Writes a data JSON like the one AlphaFold 3's data pipeline produces (several protein
// chains with deep inline unpaired and paired MSAs and inline template mmCIFs), then, in
// one run and on one core, times foldfit's reader + sizer and
//   python3 -c "import json,sys; json.load(open(sys.argv[1]))"
// on the same file, and reports throughput, the ratio and the peak RSS of each. Where
// simdjson is installed (Debian's libsimdjson-dev), also simdjson's DOM parser on the same
// file (load, parse, count the first chain's MSA rows): the reference for the best a JSON
// library does, which holds the whole document, so its peak RSS is above the file's size.
//
// usage: size_bench [--mb=N] [--repeat=K] [--file=PATH] [--keep]
#include <fmt/format.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "foldfit/sizes/sizes.hpp"

#ifdef FOLDFIT_BENCH_SIMDJSON
#include <simdjson.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

// Writes ~target_bytes of data JSON; returns the bytes written.
std::size_t write_data_json(const std::string& path, std::size_t target_bytes) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path);
  std::mt19937 rng(42);
  const char* aa = "ACDEFGHIKLMNPQRSTVWY-";
  const int chains = 4;
  const int length = 600;
  std::string query;
  for (int i = 0; i < length; ++i) query.push_back(aa[rng() % 20]);
  std::size_t per_msa = target_bytes / (chains * 2);
  std::size_t written = 0;
  auto put = [&](const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), f);
    written += s.size();
  };
  put("{\n  \"dialect\": \"alphafold3\",\n  \"version\": 2,\n  \"name\": \"bench_complex\",\n"
      "  \"modelSeeds\": [1],\n  \"sequences\": [\n");
  std::string line;
  for (int c = 0; c < chains; ++c) {
    put(fmt::format("    {{\"protein\": {{\"id\": \"{}\", \"sequence\": \"{}\",\n", static_cast<char>('A' + c), query));
    for (const char* key : {"unpairedMsa", "pairedMsa"}) {
      put(fmt::format("      \"{}\": \">query\\n{}\\n", key, query));
      std::size_t start = written;
      int row = 0;
      while (written - start < per_msa) {
        line = fmt::format(">UniRef100_{}/{}-{}\\n", row, 1 + row % 50, 500 + row % 97);
        for (int i = 0; i < length; ++i) {
          char ch = aa[rng() % 21];
          line.push_back(ch);
          if (rng() % 40 == 0) line.push_back('a' + static_cast<char>(rng() % 26));  // A3M insertion
        }
        line += "\\n";
        put(line);
        ++row;
      }
      put("\",\n");
    }
    put("      \"templates\": [{\"mmcif\": \"data_T\\n_entry.id T\\n\", \"queryIndices\": [0, 1], "
        "\"templateIndices\": [0, 1]}]\n");
    put(c + 1 < chains ? "    }},\n" : "    }}\n");
  }
  put("  ]\n}\n");
  // On disk before the timed runs: otherwise the kernel writes the file back while
  // they run, and that competes with the reading being measured.
  if (std::fflush(f) != 0 || fsync(fileno(f)) != 0) throw std::runtime_error("cannot write " + path);
  std::fclose(f);
  return written;
}

struct Run {
  double seconds = 0;
  long max_rss_kb = 0;
};

// Forks, runs `work` in the child (which returns a count that must be > 0), and returns
// the wall time and the child's peak RSS.
template <typename Work>
Run time_child(const char* what, Work work) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe");
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    std::int64_t n = work();
    if (write(fds[1], &n, sizeof n) != sizeof n) _exit(3);
    _exit(0);
  }
  std::int64_t n = 0;
  ssize_t got = read(fds[0], &n, sizeof n);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  Run r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.max_rss_kb = ru.ru_maxrss;
  close(fds[0]);
  close(fds[1]);
  if (got != sizeof n || n <= 0) throw std::runtime_error(std::string(what) + " failed");
  return r;
}

Run time_foldfit(const std::string& path) {
  // In a child so its peak RSS is its own.
  return time_child("foldfit", [&]() -> std::int64_t {
    foldfit::Ccd ccd;
    std::vector<foldfit::Sizes> s = foldfit::size_file(path, ccd, {}, {});
    return static_cast<std::int64_t>(s.front().msa_rows);
  });
}

#ifdef FOLDFIT_BENCH_SIMDJSON
Run time_simdjson(const std::string& path) {
  return time_child("simdjson", [&]() -> std::int64_t {
    simdjson::padded_string json;
    if (simdjson::padded_string::load(path).get(json)) return 0;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json).get(doc)) return 0;
    std::string_view msa;
    if (doc["sequences"].at(0)["protein"]["unpairedMsa"].get(msa)) return 0;
    return static_cast<std::int64_t>(std::count(msa.begin(), msa.end(), '>'));
  });
}
#endif

Run time_python(const std::string& path) {
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    execlp("python3", "python3", "-c", "import json,sys; json.load(open(sys.argv[1]))", path.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("python3 json.load failed");
  Run r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.max_rss_kb = ru.ru_maxrss;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mb = 220;
  int repeat = 3;
  std::string file;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--mb=", 0) == 0) mb = std::stoul(a.substr(5));
    else if (a.rfind("--repeat=", 0) == 0) repeat = std::stoi(a.substr(9));
    else if (a.rfind("--file=", 0) == 0) file = a.substr(7);
    else if (a == "--keep") keep = true;
    else {
      std::fprintf(stderr, "usage: size_bench [--mb=N] [--repeat=K] [--file=PATH] [--keep]\n");
      return 2;
    }
  }
  // One core for both contenders.
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  sched_setaffinity(0, sizeof set, &set);

  bool generated = file.empty();
  if (generated) file = fmt::format("/tmp/foldfit_size_bench_{}.json", getpid());
  std::size_t bytes = 0;
  if (generated) {
    bytes = write_data_json(file, mb << 20);
  } else {
    FILE* f = std::fopen(file.c_str(), "rb");
    if (!f) return 1;
    std::fseek(f, 0, SEEK_END);
    bytes = static_cast<std::size_t>(std::ftell(f));
    std::fclose(f);
  }
  double mbytes = static_cast<double>(bytes) / 1e6;
  fmt::print("file: {} ({:.1f} MB), best of {} runs each, pinned to one core\n", file, mbytes, repeat);
  Run best_ff{1e9, 0}, best_py{1e9, 0}, best_sj{1e9, 0};
  for (int k = 0; k < repeat; ++k) {
    Run f = time_foldfit(file);
    Run p = time_python(file);
    std::string sj_text;
#ifdef FOLDFIT_BENCH_SIMDJSON
    Run j = time_simdjson(file);
    if (j.seconds < best_sj.seconds) best_sj = j;
    sj_text = fmt::format(", simdjson {:.3f} s", j.seconds);
#endif
    fmt::print("  run {}: foldfit {:.3f} s, python {:.3f} s{}\n", k + 1, f.seconds, p.seconds, sj_text);
    if (f.seconds < best_ff.seconds) best_ff = f;
    if (p.seconds < best_py.seconds) best_py = p;
  }
  fmt::print("{:<26} {:>9} {:>10} {:>13}\n", "", "seconds", "GB/s", "peak RSS MB");
  fmt::print("{:<26} {:>9.3f} {:>10.2f} {:>13.1f}\n", "foldfit size_file", best_ff.seconds,
             mbytes / 1e3 / best_ff.seconds, best_ff.max_rss_kb / 1024.0);
  fmt::print("{:<26} {:>9.3f} {:>10.2f} {:>13.1f}\n", "python3 json.load", best_py.seconds,
             mbytes / 1e3 / best_py.seconds, best_py.max_rss_kb / 1024.0);
#ifdef FOLDFIT_BENCH_SIMDJSON
  fmt::print("{:<26} {:>9.3f} {:>10.2f} {:>13.1f}\n", "simdjson DOM parse", best_sj.seconds,
             mbytes / 1e3 / best_sj.seconds, best_sj.max_rss_kb / 1024.0);
#else
  fmt::print("(simdjson not found at build time: no reference row; Debian: libsimdjson-dev)\n");
#endif
  fmt::print("speed-up foldfit / python: {:.1f}x; foldfit peak RSS / file size: {:.3f}\n",
             best_py.seconds / best_ff.seconds, best_ff.max_rss_kb * 1024.0 / static_cast<double>(bytes));
#ifdef FOLDFIT_BENCH_SIMDJSON
  fmt::print("foldfit time / simdjson time: {:.2f}\n", best_ff.seconds / best_sj.seconds);
#endif
  if (generated && !keep) std::remove(file.c_str());
  return 0;
}
