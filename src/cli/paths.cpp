#include "paths.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <ctime>

namespace foldfit::cli {

std::string xdg_cache(const std::map<std::string, std::string>& env) {
  if (auto it = env.find("XDG_CACHE_HOME"); it != env.end() && !it->second.empty()) return it->second + "/foldfit";
  auto home = env.find("HOME");
  return (home != env.end() ? home->second : std::string(".")) + "/.cache/foldfit";
}

std::string batch_id(const std::string& prefix) {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", std::gmtime(&t));
  return fmt::format("{}{}-{}", prefix, buf, ::getpid());
}

}  // namespace foldfit::cli
