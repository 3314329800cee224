// paths.hpp - where commands keep their caches, and the id of one invocation.
#pragma once

#include <map>
#include <string>

namespace foldfit::cli {

// $XDG_CACHE_HOME/foldfit, or ~/.cache/foldfit.
std::string xdg_cache(const std::map<std::string, std::string>& env);

// "20261203T081500Z-1234" (UTC time and process id), prefixed with `prefix` when given.
std::string batch_id(const std::string& prefix = "");

}  // namespace foldfit::cli
