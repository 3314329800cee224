// host_memory.hpp - host RAM for unified memory: what /proc/meminfo says, and whether a spill fits.
//
// With TF_FORCE_UNIFIED_MEMORY and a pool fraction above 1, XLA's pool is
// total * fraction and the part above the card's memory lives in host RAM
// (AlphaFold 3 docs/performance.md), paged over the host link: much slower.
#pragma once

#include <optional>
#include <string>

#include "foldfit/common/bytes.hpp"

namespace foldfit {

struct HostMemory {
  Bytes total;      // MemTotal
  Bytes available;  // MemAvailable
};

// Parses /proc/meminfo text ("MemTotal:  131072000 kB"). nullopt when the fields are missing.
std::optional<HostMemory> parse_meminfo(const std::string& text);
std::optional<HostMemory> read_host_memory(const std::string& path = "/proc/meminfo");

struct SpillCheck {
  double fraction = 0;  // the pool fraction that gives the requested memory
  Bytes spill;          // what lives in host RAM at most
  bool fits = true;     // host RAM can hold it
  std::string message;  // what it means, for the user
};

// --max_gpu_memory_gb above the card: the fraction that gives `wanted` on a card of
// `device_total`, the spill, and whether `host` can hold it (nullopt host: unknown, fits).
SpillCheck check_spill(Bytes wanted, Bytes device_total, const std::optional<HostMemory>& host);

}  // namespace foldfit
