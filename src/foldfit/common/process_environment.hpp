// process_environment.hpp - this process's environment as a map, read once at the edge.
#pragma once

#include <map>
#include <string>

namespace foldfit {

std::map<std::string, std::string> process_environment();

}  // namespace foldfit
