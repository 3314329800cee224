#include "foldfit/device/gpu_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "foldfit/common/embedded.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/common/suggest.hpp"

namespace foldfit {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

double parse_number(std::string_view text, const SourceLocation& loc, const char* column) {
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || value < 0)
    throw InputError(loc, fmt::format("column {}: '{}' is not a non-negative number", column, text));
  return value;
}

// "8.6" -> 8, 6; "12.0" -> 12, 0.
void parse_cc(std::string_view text, const SourceLocation& loc, GpuSpec& spec) {
  std::size_t dot = text.find('.');
  auto digits = [](std::string_view d) { return !d.empty() && std::all_of(d.begin(), d.end(), ::isdigit); };
  if (dot == std::string_view::npos || !digits(text.substr(0, dot)) || !digits(text.substr(dot + 1)))
    throw InputError(loc, fmt::format("column cc: '{}' is not a compute capability like 8.6", text));
  spec.cc_major = std::stoi(std::string(text.substr(0, dot)));
  spec.cc_minor = std::stoi(std::string(text.substr(dot + 1)));
}

// The form names are compared in: lower case, '-', '_' and ' ' all '-', runs collapsed,
// and the vendor words NVML puts first ("NVIDIA", "Tesla", "GeForce") dropped, so that
// "NVIDIA GeForce RTX 4090" and "rtx_4090" meet.
std::string normalize(std::string_view name) {
  std::string out;
  for (char c : name) {
    char n = (c == '_' || c == ' ' || c == '-') ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (n == '-' && (out.empty() || out.back() == '-')) continue;
    out.push_back(n);
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  for (bool dropped = true; dropped;) {
    dropped = false;
    for (std::string_view vendor : {"nvidia-", "tesla-", "geforce-"}) {
      if (out.rfind(vendor, 0) == 0) {
        out.erase(0, vendor.size());
        dropped = true;
      }
    }
  }
  return out;
}

}  // namespace

std::vector<GpuSpec> parse_gpu_table(std::string_view tsv, const std::string& source) {
  std::vector<GpuSpec> out;
  bool header_seen = false;
  std::uint32_t line_no = 0;
  for (std::string_view line : split(tsv, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    SourceLocation loc{source, line_no, 0, ""};
    std::vector<std::string_view> f = split(line, '\t');
    if (!header_seen) {
      if (f.empty() || f[0] != "name") throw InputError(loc, "expected the header line starting with 'name'");
      header_seen = true;
      continue;
    }
    if (f.size() != 9) throw InputError(loc, fmt::format("expected 9 tab-separated columns, found {}", f.size()));
    GpuSpec spec;
    spec.name = std::string(f[0]);
    for (std::string_view n : split(f[1], ';'))
      if (!n.empty()) spec.nvml_names.emplace_back(n);
    if (spec.name.empty() || spec.nvml_names.empty()) throw InputError(loc, "name and nvml_names must not be empty");
    spec.full_name = spec.nvml_names.front();
    double mib = parse_number(f[2], loc, "memory_mib");
    if (mib < 1024 || mib != static_cast<double>(static_cast<std::int64_t>(mib)))
      throw InputError(loc, fmt::format("column memory_mib: '{}' is not a whole number of MiB above 1024", f[2]));
    spec.memory = Bytes::from_mib(static_cast<std::int64_t>(mib));
    spec.memory_origin = std::string(f[3]);
    parse_cc(f[4], loc, spec);
    spec.architecture = std::string(f[5]);
    spec.bf16_tflops = parse_number(f[6], loc, "bf16_tflops");
    spec.bandwidth_gbs = parse_number(f[7], loc, "bandwidth_gbs");
    spec.origin = std::string(f[8]);
    if (spec.memory_origin.empty() || spec.origin.empty()) throw InputError(loc, "every row needs both origins");
    out.push_back(std::move(spec));
  }
  if (!header_seen) throw InputError({source, 0, 0, ""}, "no header line");
  return out;
}

const std::vector<GpuSpec>& gpu_table() {
  static const std::vector<GpuSpec> table = parse_gpu_table(embedded::gpus_tsv(), "data/gpus.tsv");
  return table;
}

const GpuSpec* find_gpu(std::string_view name) {
  std::string key = normalize(name);
  if (key.empty()) return nullptr;
  for (const GpuSpec& g : gpu_table()) {
    if (normalize(g.name) == key) return &g;
    for (const std::string& n : g.nvml_names)
      if (normalize(n) == key) return &g;
  }
  return nullptr;
}

std::vector<std::string> close_gpu_names(std::string_view name) {
  std::string key = normalize(name);
  std::vector<std::pair<std::size_t, std::string>> scored;  // (rank, canonical name)
  std::size_t limit = std::max<std::size_t>(2, key.size() / 3);
  for (const GpuSpec& g : gpu_table()) {
    std::size_t best = std::string::npos;
    std::vector<std::string> forms{normalize(g.name)};
    for (const std::string& n : g.nvml_names) forms.push_back(normalize(n));
    for (const std::string& form : forms) {
      // A partial name ("a100", "h100") ranks first: it names a family, not a typo.
      std::size_t rank = (key.size() >= 2 && form.find(key) != std::string::npos) ? 0 : edit_distance(key, form);
      if (rank == 0 || rank <= limit) best = std::min(best, rank);
    }
    if (best != std::string::npos) scored.emplace_back(best, g.name);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // When the name is part of some table names, those are the answer, not near-typos.
  bool partial = !scored.empty() && scored.front().first == 0;
  std::vector<std::string> out;
  for (auto& [rank, n] : scored)
    if (!partial || rank == 0) out.push_back(n);
  if (out.size() > 3) out.resize(3);
  return out;
}

const GpuSpec& require_gpu(std::string_view name) {
  if (const GpuSpec* g = find_gpu(name)) return *g;
  std::string hint;
  for (const std::string& n : close_gpu_names(name)) hint += fmt::format("{}'{}'", hint.empty() ? "" : " or ", n);
  throw UsageError(fmt::format("--gpu: unknown GPU '{}'{}; 'foldfit devices' lists the known ones", name,
                               hint.empty() ? "" : fmt::format(" (did you mean {}?)", hint)));
}

}  // namespace foldfit
