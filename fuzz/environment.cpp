// Fuzz target: the JAX/XLA environment parser and checks. The input is lines of
// NAME=VALUE; whatever they say, parsing, the budget and the checks must not crash, and
// the budget must stay within what the fraction allows.
#include <cmath>
#include <map>
#include <string>

#include "foldfit/device/environment.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace foldfit;
  std::string_view text = fuzz::as_text(data, size);
  std::map<std::string, std::string> env;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    std::string_view line = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? text.size() : eol + 1;
    std::size_t eq = line.find('=');
    if (eq != std::string_view::npos) env[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  XlaEnvironment e = parse_environment(env);
  for (std::int64_t total : {std::int64_t{16} << 30, std::int64_t{80} << 30}) {
    MemoryBudget b = memory_budget(e, Bytes(total));
    fuzz::check(b.pool.count() >= 0 && b.host_spill.count() >= 0, "negative budget");
    double f = e.effective_fraction();
    if (std::isfinite(f) && f >= 0 && f <= 100 && !e.unified_memory)
      fuzz::check(b.pool.count() <= static_cast<std::int64_t>(static_cast<double>(total) * std::max(1.0, f)) + 1,
                  "pool above the fraction's cap");
    for (const char* flash : {"triton", "cudnn", "xla"})
      for (int cc : {6, 7, 8, 9}) check_environment(e, cc, 0, flash, Bytes(total));
  }
  return 0;
}
