#include "foldfit/model/glu.hpp"

#include <cctype>

#include <fmt/format.h>

#include "foldfit/common/error.hpp"

namespace foldfit {
namespace {

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "3.0.4" or "v3.0.4".
bool release_tag(std::string_view s) {
  if (!s.empty() && s.front() == 'v') s.remove_prefix(1);
  int parts = 0;
  while (true) {
    std::size_t dot = s.find('.');
    if (!digits(s.substr(0, dot))) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return parts == 3;
}

// "YYYY-MM-DD".
bool iso_date(std::string_view s) {
  return s.size() == 10 && digits(s.substr(0, 4)) && s[4] == '-' && digits(s.substr(5, 2)) && s[7] == '-' &&
         digits(s.substr(8, 2));
}

constexpr std::string_view kBrokenFrom = "2025-10-21";   // cf40461: backend='triton' to pallas_call
constexpr std::string_view kBrokenUntil = "2025-11-29";  // the switch to tokamax

}  // namespace

GluChoice glu_for(int cc_major, int cc_minor, std::string_view release) {
  std::string build;
  bool broken_main = false;
  if (release.empty()) {
    build = "AlphaFold 3 build not identified";
  } else if (release_tag(release)) {
    build = fmt::format("AlphaFold 3 {}", release);
  } else if (release == "main") {
    build = "AlphaFold 3 main (tokamax)";
  } else if (release.rfind("main@", 0) == 0 && iso_date(release.substr(5))) {
    std::string_view date = release.substr(5);
    broken_main = date >= kBrokenFrom && date < kBrokenUntil;
    build = fmt::format("AlphaFold 3 main of {}", date);
  } else {
    throw UsageError(fmt::format("AlphaFold 3 release '{}' is not vX.Y.Z, main or main@YYYY-MM-DD", release));
  }
  if (broken_main)
    return {"xla", build + ": its fused GLU call passes backend='triton', which its pinned jax 0.4.34 rejects, and the "
                           "fallback runs the XLA GLU on every GPU (main from 2025-10-21, cf40461, to 2025-11-29)"};
  if (cc_major > 0 && cc_major < 8)
    return {"xla", fmt::format("compute capability {}.{}: the fused Triton GLU needs 8.0, the XLA GLU runs ({})", cc_major,
                               cc_minor, build)};
  if (cc_major == 0)
    return {"fused", build + ", compute capability unknown: assumed 8.0 or above, the fused Triton GLU"};
  return {"fused", fmt::format("compute capability {}.{}, {}: the fused Triton GLU", cc_major, cc_minor, build)};
}

}  // namespace foldfit
