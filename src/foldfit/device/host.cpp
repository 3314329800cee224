#include "foldfit/device/host.hpp"

#include <fstream>
#include <sstream>
#include <string>

namespace foldfit {

Bytes host_memory_total() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemTotal:", 0) != 0) continue;
    std::istringstream fields(line.substr(9));
    long long kib = 0;
    fields >> kib;
    return Bytes(kib * 1024);
  }
  return Bytes(0);
}

}  // namespace foldfit
