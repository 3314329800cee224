#include "foldfit/run/host_memory.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace foldfit {

std::optional<HostMemory> parse_meminfo(const std::string& text) {
  std::istringstream in(text);
  std::string key, unit;
  std::int64_t value = 0;
  std::optional<Bytes> total, available;
  while (in >> key >> value) {
    std::getline(in, unit);
    Bytes b(unit.find("kB") != std::string::npos ? value * 1024 : value);
    if (key == "MemTotal:") total = b;
    if (key == "MemAvailable:") available = b;
  }
  if (!total || !available) return std::nullopt;
  return HostMemory{*total, *available};
}

std::optional<HostMemory> read_host_memory(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_meminfo(ss.str());
}

SpillCheck check_spill(Bytes wanted, Bytes device_total, const std::optional<HostMemory>& host) {
  SpillCheck c;
  c.fraction = static_cast<double>(wanted.count()) / static_cast<double>(device_total.count());
  c.spill = wanted > device_total ? wanted - device_total : Bytes(0);
  if (c.spill == Bytes(0)) {
    c.message = "no spill: the requested memory is within the card's";
    return c;
  }
  c.fits = !host || c.spill <= host->available;
  c.message = fmt::format(
      "unified memory: XLA_CLIENT_MEM_FRACTION={:.3f} with TF_FORCE_UNIFIED_MEMORY=true lets up to {} spill to host RAM "
      "({}); pages that spill cross the host link, so inference is much slower (AlphaFold 3 docs/performance.md)",
      c.fraction, format_gb(c.spill),
      host ? fmt::format("{} available of {}", format_gb(host->available), format_gb(host->total)) : "host RAM unknown");
  if (!c.fits) c.message += fmt::format("; host RAM cannot hold it: {} more needed", format_gb(c.spill - host->available));
  return c;
}

}  // namespace foldfit
