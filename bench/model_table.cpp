// model_table.cpp - prints the memory model's figures for docs/memory-model.md: the peak at
// every default bucket and at each row of data/af3_documented_limits.csv.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "foldfit/common/embedded.hpp"
#include "foldfit/model/memory_model.hpp"
#include "foldfit/model/runtime_model.hpp"
#include "foldfit/history/model_fit.hpp"
#include "foldfit/model/xla_table.hpp"

namespace {

using foldfit::Bytes;

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) fields.emplace_back();
    else fields.back() += c;
  }
  return fields;
}

std::string gb(Bytes b) { return fmt::format("{:.1f}", b.gb()); }

double rel(Bytes model, Bytes measured) {
  return 100.0 * static_cast<double>((model - measured).count()) / static_cast<double>(measured.count());
}

// foldfit's pool against XLA's argument + output + temp - alias for every GPU row of the
// table: `before` (a profile file, e.g. profile 1), the built-in profile uncalibrated, and
// with the overlay fitted to the table's every other size (the shipped one).
void xla_rows(const foldfit::MemoryModel& model, const std::string& before_path, const std::string& table) {
  const foldfit::MemoryModel before = foldfit::MemoryModel::from_file(before_path);
  std::vector<foldfit::XlaCompile> rows = foldfit::read_xla_table(table);
  std::vector<foldfit::XlaOverlayFit> fits = foldfit::fit_xla_table(model, rows, table);
  fmt::print("| target | N | S | flash | shard | GLU | XLA pool GB | {} GB (err) | {} GB (err) | calibrated GB (err) | in the fit |\n",
             before.display_id(), model.display_id());
  fmt::print("|---|---:|---:|---|---|---|---:|---:|---:|---:|---|\n");
  double max_before = 0, max_after = 0, max_fit = 0, max_held = 0;
  for (const foldfit::XlaOverlayFit& o : fits)
    for (const foldfit::CalibrationResidual& r : o.fit.residuals) {
      foldfit::ModelConfig c = r.measurement.config;
      bool custom = !(c.pair_transition_shard_spec == foldfit::default_pair_transition_shard_spec());
      std::string glu = c.glu_implementation;
      if (before.version() < 2) c.glu_implementation = "fused";  // no GLU knob: the fused GLU only
      Bytes b = before.estimate(c, foldfit::Calibration()).pool;
      double eb = rel(b, r.measurement.pool_peak), ea = 100 * r.uncalibrated_relative, ec = 100 * r.calibrated_relative;
      max_before = std::max(max_before, std::abs(eb));
      max_after = std::max(max_after, std::abs(ea));
      (r.held_out ? max_held : max_fit) = std::max(r.held_out ? max_held : max_fit, std::abs(ec));
      fmt::print("| {} | {} | {} | {} | {} | {} | {:.2f} | {:.2f} ({:+.1f}%) | {:.2f} ({:+.1f}%) | {:.2f} ({:+.1f}%) | {} |\n",
                 r.measurement.gpu, c.padded_tokens, c.num_diffusion_samples, c.flash_attention, custom ? "40 GB" : "default",
                 glu, r.measurement.pool_peak.gb(), b.gb(), eb, r.uncalibrated_pool.gb(), ea, r.calibrated_pool.gb(), ec,
                 r.held_out ? "held out" : "fitted");
    }
  fmt::print("\nLargest |error|: {} {:.1f}%; {} uncalibrated {:.1f}%; calibrated {:.1f}% on fitted rows, {:.1f}% on held-out rows.\n",
             before.display_id(), max_before, model.display_id(), max_after, max_fit, max_held);
}

// The pool and per-phase figures for one configuration, as a table row.
void bucket_rows(const foldfit::MemoryModel& model, const std::string& flash, int samples) {
  const foldfit::Calibration identity;
  fmt::print("| N | peak phase | pool GB | + overhead GB | total GB (low..high) | trunk tri-mult | pair attention | "
             "pair transition | diffusion cond. | diffusion transformer | confidence |\n");
  fmt::print("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
  for (std::int64_t n : {128, 256, 384, 512, 768, 1024, 1280, 1536, 2048, 2560, 3072, 3584, 4096, 4608, 5120}) {
    foldfit::ModelConfig c = model.default_config(n);
    c.flash_attention = flash;
    c.num_diffusion_samples = samples;
    auto e = model.estimate(c, identity);
    auto phase = [&](const std::string& name) {
      for (const auto& p : e.phases)
        if (p.name == name) return gb(p.total);
      return std::string("-");
    };
    fmt::print("| {} | {} | {} | {} | {} ({}..{}) | {} | {} | {} | {} | {} | {} |\n", n, e.peak_phase, gb(e.pool),
               gb(e.overhead), gb(e.total), gb(e.low), gb(e.high), phase("triangle_multiplication"),
               phase("pair_attention"), phase("pair_transition"), phase("diffusion_conditioning"),
               phase("diffusion_transformer"), phase("confidence_head"));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto& model = foldfit::MemoryModel::builtin();
  if (argc == 3) {  // model_table BEFORE_PROFILE XLA_TABLE: the row-by-row comparison only
    xla_rows(model, argv[1], argv[2]);
    return 0;
  }
  const foldfit::Calibration identity;
  fmt::print("Profile {}, {}.\n\n", model.display_id(), identity.id());
  fmt::print("### Default buckets, triton, S = 5\n\n");
  bucket_rows(model, "triton", 5);
  fmt::print("\n### Default buckets, xla, S = 5\n\n");
  bucket_rows(model, "xla", 5);
  fmt::print("\n### Default buckets, triton, S = 10\n\n");
  bucket_rows(model, "triton", 10);

  fmt::print("\n### Documented rows (data/af3_documented_limits.csv)\n\n");
  fmt::print("| GPU | tokens | N | flash | config | documented | model total GB (low..high) | pool GB | peak phase |\n");
  fmt::print("|---|---:|---:|---|---|---|---|---:|---|\n");
  std::istringstream csv{std::string(foldfit::embedded::documented_limits_csv())};
  std::string line;
  std::getline(csv, line);
  const std::vector<std::int64_t> buckets = {128, 256, 384, 512, 768, 1024, 1280, 1536,
                                             2048, 2560, 3072, 3584, 4096, 4608, 5120};
  while (std::getline(csv, line)) {
    auto f = split_csv(line);
    if (f.size() < 9) continue;
    std::int64_t tokens = std::stoll(f[3]);
    std::int64_t n = tokens;
    for (std::int64_t b : buckets)
      if (b >= tokens) {
        n = b;
        break;
      }
    foldfit::ModelConfig c = model.default_config(n);
    c.flash_attention = f[4];
    std::string config = f[6];
    if (config.rfind("pair_transition_shard_spec=", 0) == 0)
      c.pair_transition_shard_spec = foldfit::SizeSpec::parse(config.substr(config.find('=') + 1));
    auto e = model.estimate(c, identity);
    fmt::print("| {} | {} | {} | {} | {} | {} | {} ({}..{}) | {} | {} |\n", f[1], tokens, n, f[4], config, f[7],
               gb(e.total), gb(e.low), gb(e.high), gb(e.pool), e.peak_phase);
  }

  fmt::print("\n### Runtime at the anchors' settings (10 recycles, 5 samples, 1 seed)\n\n");
  fmt::print("| N | A100 80GB s | H100 80GB s |\n|---:|---:|---:|\n");
  foldfit::GpuSpec a100{"A100-80GB", "", Bytes(), 8, 0, "ampere", 312, 2039, "", "", {}};
  foldfit::GpuSpec h100{"H100-80GB", "", Bytes(), 9, 0, "hopper", 989, 3350, "", "", {}};
  for (std::int64_t n : buckets) {
    auto a = foldfit::estimate_runtime({n, 10, 5, 1, 0}, a100);
    auto h = foldfit::estimate_runtime({n, 10, 5, 1, 0}, h100);
    fmt::print("| {} | {:.0f} ({:.0f}..{:.0f}) | {:.0f} ({:.0f}..{:.0f}) |\n", n, a.seconds, a.low, a.high, h.seconds,
               h.low, h.high);
  }
  return 0;
}
