#include "foldfit/model/xla_table.hpp"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

// One CSV record: comma-separated, fields optionally in double quotes ("" is a quote).
std::vector<std::string> split_record(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur.push_back(c);
    }
  }
  out.push_back(cur);
  return out;
}

class TableReader {
 public:
  TableReader(std::string source, const SizeSpec& default_shard)
      : source_(std::move(source)), default_shard_(default_shard) {}

  std::vector<XlaCompile> read(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string line;
    if (!std::getline(in, line)) fail(1, "", "empty table (expected a header row)");
    std::vector<std::string> header = split_record(line);
    for (std::size_t i = 0; i < header.size(); ++i) columns_[header[i]] = i;
    for (const char* needed : {"af3_release", "jax", "backend", "target", "padded_tokens", "num_diffusion_samples",
                               "flash_attention", "pair_transition_shard_spec", "argument_bytes", "output_bytes",
                               "alias_bytes", "temp_bytes", "date"})
      if (!columns_.count(needed)) fail(1, needed, "missing column");
    std::vector<XlaCompile> out;
    std::uint32_t number = 1;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty() || line == "\r") continue;
      out.push_back(row(split_record(line), number));
    }
    return out;
  }

 private:
  [[noreturn]] void fail(std::uint32_t line, const std::string& column, const std::string& message) const {
    throw InputError(SourceLocation{source_, line, 0, column}, message);
  }

  const std::string& field(const std::vector<std::string>& f, const std::string& column, std::uint32_t line) const {
    std::size_t i = columns_.at(column);
    if (i >= f.size()) fail(line, column, "row has " + std::to_string(f.size()) + " fields, the header more");
    return f[i];
  }

  std::int64_t integer(const std::vector<std::string>& f, const std::string& column, std::uint32_t line) const {
    const std::string& text = field(f, column, line);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 0)
      fail(line, column, "expected a non-negative integer, got '" + text + "'");
    return v;
  }

  XlaCompile row(const std::vector<std::string>& f, std::uint32_t line) const {
    XlaCompile c;
    c.line = line;
    c.backend = field(f, "backend", line);
    if (c.backend != "cuda-deviceless" && c.backend != "cuda-device" && c.backend != "cpu")
      fail(line, "backend", "unknown backend '" + c.backend + "' (cuda-deviceless, cuda-device, cpu)");
    c.target = field(f, "target", line);
    CalibrationMeasurement& m = c.measurement;
    m.config.padded_tokens = integer(f, "padded_tokens", line);
    if (m.config.padded_tokens < 1) fail(line, "padded_tokens", "must be positive");
    m.config.num_diffusion_samples = static_cast<int>(integer(f, "num_diffusion_samples", line));
    if (m.config.num_diffusion_samples < 1) fail(line, "num_diffusion_samples", "must be at least 1");
    m.config.flash_attention = field(f, "flash_attention", line);
    const std::string& shard = field(f, "pair_transition_shard_spec", line);
    try {
      m.config.pair_transition_shard_spec = shard == "default" ? default_shard_ : SizeSpec::parse(shard);
    } catch (const UsageError& e) {
      fail(line, "pair_transition_shard_spec", e.what());
    }
    if (columns_.count("glu_implementation")) {
      const std::string& glu = field(f, "glu_implementation", line);
      m.config.glu_implementation = glu == "default" ? "fused" : glu;
    }
    const std::int64_t pool = integer(f, "argument_bytes", line) + integer(f, "output_bytes", line) +
                              integer(f, "temp_bytes", line) - integer(f, "alias_bytes", line);
    if (pool <= 0) fail(line, "temp_bytes", "argument + output + temp - alias is not positive");
    m.pool_peak = Bytes(pool);
    m.gpu = c.target;
    m.driver = "none (" + c.backend + ")";
    m.jax = field(f, "jax", line);
    m.af3 = field(f, "af3_release", line);
    m.date = field(f, "date", line);
    m.source = "xla " + c.backend;
    return c;
  }

  std::string source_;
  SizeSpec default_shard_;
  std::map<std::string, std::size_t> columns_;
};

}  // namespace

std::vector<XlaCompile> parse_xla_table(std::string_view csv, const std::string& source,
                                        const SizeSpec& default_shard_spec) {
  return TableReader(source, default_shard_spec).read(csv);
}

std::vector<XlaCompile> read_xla_table(const std::string& path, const SizeSpec& default_shard_spec) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0, ""}, "cannot read XLA table");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_xla_table(text.str(), path, default_shard_spec);
}

}  // namespace foldfit
