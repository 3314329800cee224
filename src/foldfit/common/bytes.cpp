#include "foldfit/common/bytes.hpp"

#include <fmt/format.h>

namespace foldfit {

std::string format_gb(Bytes b, int decimals) { return fmt::format("{:.{}f} GB", b.gb(), decimals); }
std::string format_gib(Bytes b, int decimals) { return fmt::format("{:.{}f} GiB", b.gib(), decimals); }
std::string format_gb_gib(Bytes b, int decimals) {
  return fmt::format("{:.{}f} GB ({:.{}f} GiB)", b.gb(), decimals, b.gib(), decimals);
}

}  // namespace foldfit
