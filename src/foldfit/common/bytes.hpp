// bytes.hpp - a signed 64-bit byte count; GB (10^9) and GiB (2^30) only when printing.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

namespace foldfit {

class Bytes {
 public:
  constexpr Bytes() = default;
  constexpr explicit Bytes(std::int64_t n) : n_(n) {}
  static Bytes from_gb(double gb) { return Bytes(saturate(gb * 1e9 + (gb >= 0 ? 0.5 : -0.5))); }
  static constexpr Bytes from_mib(std::int64_t mib) { return Bytes(mib << 20); }

  constexpr std::int64_t count() const { return n_; }
  double gb() const { return static_cast<double>(n_) / 1e9; }
  double gib() const { return static_cast<double>(n_) / static_cast<double>(std::int64_t{1} << 30); }

  constexpr Bytes operator+(Bytes o) const { return Bytes(n_ + o.n_); }
  constexpr Bytes operator-(Bytes o) const { return Bytes(n_ - o.n_); }
  constexpr Bytes& operator+=(Bytes o) { n_ += o.n_; return *this; }
  constexpr Bytes& operator-=(Bytes o) { n_ -= o.n_; return *this; }
  // Saturates at the int64 range (a fraction read from the environment can be anything).
  Bytes scaled(double f) const { return Bytes(saturate(static_cast<double>(n_) * f)); }
  constexpr auto operator<=>(const Bytes&) const = default;

 private:
  // double -> int64 without undefined behaviour: NaN is 0, out-of-range values clamp.
  static std::int64_t saturate(double v) {
    constexpr double hi = 9223372036854774784.0;  // largest double below 2^63
    if (!(v == v)) return 0;
    if (v >= hi) return std::numeric_limits<std::int64_t>::max();
    if (v <= -hi) return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(v);
  }
  std::int64_t n_ = 0;
};

// "12.34 GB"
std::string format_gb(Bytes b, int decimals = 2);
// "11.49 GiB"
std::string format_gib(Bytes b, int decimals = 2);
// "12.34 GB (11.49 GiB)"
std::string format_gb_gib(Bytes b, int decimals = 2);

}  // namespace foldfit
