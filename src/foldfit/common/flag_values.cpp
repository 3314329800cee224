#include "foldfit/common/flag_values.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "foldfit/common/error.hpp"

namespace foldfit {

long long parse_flag_integer(std::string_view flag, std::string_view text, long long lo, long long hi) {
  long long x = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
    throw UsageError(fmt::format("--{}: expected an integer, found '{}'", flag, text));
  if (x < lo || x > hi) throw UsageError(fmt::format("--{}: {} is outside {}..{}", flag, x, lo, hi));
  return x;
}

double parse_flag_number(std::string_view flag, std::string_view text, double lo, double hi) {
  double x = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || !std::isfinite(x))
    throw UsageError(fmt::format("--{}: expected a number, found '{}'", flag, text));
  if (x < lo || x > hi) throw UsageError(fmt::format("--{}: {} is outside {}..{}", flag, text, lo, hi));
  return x;
}

}  // namespace foldfit
