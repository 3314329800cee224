// cmd_calibrate.cpp - `foldfit calibrate`: fit the memory model's calibration overlay to recorded
// runs, or to XLA's own compiled figures (--xla_table).
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/history/calibrate.hpp"
#include "foldfit/history/model_fit.hpp"

namespace foldfit::cli {

const CommandSpec kCalibrateSpec{
    "calibrate",
    "Fit the memory model's calibration overlay to the peaks observed in recorded runs, or to XLA's\n"
    "compiled figures (--xla_table), and write it where 'foldfit estimate' reads it.",
    "[--history_db=FILE | --xla_table=FILE [--fit_tokens=N,N,...]] [--output=FILE]",
    "Each run contributes one measurement: a peak (NVML without preallocation, or XLA's own program size),\n"
    "a lower bound (out of memory) or an upper bound (NVML with preallocation: the pool). With --xla_table,\n"
    "each GPU row of the table (data/xla/README.md) is one measurement, argument + output + temp - alias;\n"
    "one overlay is fitted per GPU architecture and attention implementation on the sizes --fit_tokens\n"
    "names, and the other rows are held out and reported. The overlay is written atomically.",
    {
        {"history_db", "FILE", "$XDG_DATA_HOME/foldfit/history.sqlite", "the run history database"},
        {"xla_table", "FILE", "", "fit to XLA's compiled figures in this table (columns of data/xla/alphafold3-v3.0.4.csv)"},
        {"fit_tokens", "N,N,...", "every other size of each group, from the smallest",
         "with --xla_table: the padded sizes fitted; the other rows are held out"},
        {"output", "FILE", "$XDG_DATA_HOME/foldfit/calibration.json", "where to write the overlay"},
    },
};

namespace {

std::vector<std::int64_t> token_list(const std::string& text) {
  std::vector<std::int64_t> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      std::size_t used = 0;
      long long n = std::stoll(item, &used);
      if (used != item.size() || n < 1) throw std::invalid_argument(item);
      out.push_back(n);
    } catch (const std::exception&) {
      throw UsageError("--fit_tokens: '" + item + "' is not a positive integer (expected N,N,...)");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string sizes(const std::vector<std::int64_t>& tokens) {
  std::string out;
  for (std::int64_t n : tokens) out += (out.empty() ? "" : ", ") + std::to_string(n);
  return out.empty() ? "none" : out;
}

void print_fit(const XlaOverlayFit& o) {
  const CalibrationFit& f = o.fit;
  std::cout << fmt::format("{} / {}: overlay {}\n  fitted on N = {}; held out N = {}\n", o.architecture, o.flash_attention,
                           f.calibration.id(), sizes(o.fitted_tokens), sizes(o.held_out_tokens));
  std::cout << fmt::format("  {:<10} {:>5} {:>2} {:<7} {:<7} {:<5} {:>12} {:>20} {:>20}  {}\n", "target", "N", "S", "flash",
                           "shard", "glu", "XLA pool GB", "uncalibrated GB", "calibrated GB", "");
  for (const CalibrationResidual& r : f.residuals) {
    const ModelConfig& c = r.measurement.config;
    bool default_shard = c.pair_transition_shard_spec == default_pair_transition_shard_spec();
    std::cout << fmt::format("  {:<10} {:>5} {:>2} {:<7} {:<7} {:<5} {:>12.3f} {:>12.3f} ({:+5.1f}%) {:>12.3f} ({:+5.1f}%)  {}\n",
                             r.measurement.gpu, c.padded_tokens, c.num_diffusion_samples, c.flash_attention,
                             default_shard ? "default" : "custom", c.glu_implementation, r.measurement.pool_peak.gb(),
                             r.uncalibrated_pool.gb(), 100 * r.uncalibrated_relative, r.calibrated_pool.gb(),
                             100 * r.calibrated_relative, r.held_out ? "held out" : "fitted");
  }
  std::cout << fmt::format("  largest residual: {:.1f}% fitted, {:.1f}% held out\n", 100 * f.residual_relative,
                           100 * f.held_out_residual_relative);
}

int calibrate_to_xla_table(const ParsedOptions& options) {
  const std::string table = *options.get("xla_table");
  std::vector<std::int64_t> fit_tokens;
  if (auto list = options.get("fit_tokens")) fit_tokens = token_list(*list);
  std::vector<XlaCompile> compiles = read_xla_table(table);
  std::vector<XlaOverlayFit> fits = fit_xla_table(MemoryModel::builtin(), compiles, table, fit_tokens);
  if (fits.empty()) throw UsageError(table + ": no group has a compile at the sizes --fit_tokens names");
  nlohmann::ordered_json overlays = nlohmann::ordered_json::array();
  for (const XlaOverlayFit& o : fits) {
    print_fit(o);
    overlays.push_back(nlohmann::ordered_json::parse(o.fit.json));
  }
  const std::string output = options.get_or("output", default_calibration_path());
  nlohmann::ordered_json doc;
  doc["overlays"] = overlays;
  replace_file_atomically(output, doc.dump(2) + "\n");
  std::size_t cpu = 0;
  for (const XlaCompile& c : compiles) cpu += c.gpu() ? 0 : 1;
  std::cout << fmt::format("{} overlay{} from {} ({} GPU compiles{}); written to {}\n", fits.size(),
                           fits.size() == 1 ? "" : "s", table, compiles.size() - cpu,
                           cpu ? fmt::format(", {} cpu rows left out", cpu) : "", output);
  return kOk;
}

}  // namespace

int run_calibrate(const ParsedOptions& options) {
  if (options.has("xla_table")) {
    if (options.has("history_db")) throw UsageError("--xla_table and --history_db are two sources; give one");
    return calibrate_to_xla_table(options);
  }
  if (options.has("fit_tokens")) throw UsageError("--fit_tokens needs --xla_table");
  HistoryDb db(options.get_or("history_db", default_history_path()));
  CalibrationFitFn fit = model_calibration_fit(MemoryModel::builtin());
  CalibrationResult r = calibrate_from_history(db, fit, options.get_or("output", default_calibration_path()));
  std::cout << fmt::format("calibrated on {} recorded run{}{}; overlay written to {}\n", r.samples, r.samples == 1 ? "" : "s",
                           r.skipped ? fmt::format(" ({} unreadable left out)", r.skipped) : "", r.path);
  return kOk;
}

}  // namespace foldfit::cli
