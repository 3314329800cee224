#include "foldfit/model/runtime_model.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "foldfit/common/embedded.hpp"
#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

struct Range {
  double value = 0, low = 0, high = 0;
};

struct AnchorGpu {
  std::string csv_name;
  double tflops = 0, bandwidth = 0;
  std::vector<std::pair<double, double>> points;  // (tokens, seconds), ascending
};

struct RuntimeData {
  int recycles = 0, samples = 0;
  std::vector<AnchorGpu> gpus;
  Range trunk_share, spill_slowdown;
  double run_to_run = 0, extrapolation = 0;
  std::vector<RuntimeAnchor> anchors;
};

// One CSV line; fields may be double-quoted and then contain commas.
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) fields.emplace_back();
    else if (c != '\r') fields.back() += c;
  }
  return fields;
}

std::string normalise(std::string_view name) {
  std::string out;
  for (char c : name)
    if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Range range(const nlohmann::json& j) {
  return {j.at("value").get<double>(), j.value("low", j.at("value").get<double>()),
          j.value("high", j.at("value").get<double>())};
}

RuntimeData load() {
  RuntimeData d;
  auto j = nlohmann::json::parse(embedded::runtime_model_json());
  d.recycles = j.at("anchor_settings").at("num_recycles").get<int>();
  d.samples = j.at("anchor_settings").at("num_diffusion_samples").get<int>();
  for (const auto& g : j.at("anchor_gpus"))
    d.gpus.push_back({g.at("csv_name").get<std::string>(), g.at("bf16_tflops").get<double>(),
                      g.at("bandwidth_gbs").get<double>(), {}});
  d.trunk_share = range(j.at("trunk_share"));
  d.spill_slowdown = range(j.at("unified_memory"));
  d.run_to_run = j.at("run_to_run").at("value").get<double>();
  d.extrapolation = j.at("extrapolation").at("value").get<double>();

  std::istringstream csv{std::string(embedded::documented_limits_csv())};
  std::string line;
  std::getline(csv, line);
  std::vector<std::string> header = split_csv(line);
  auto column = [&](const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw std::logic_error("af3_documented_limits.csv lacks column " + name);
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t gpu_col = column("gpu"), tokens_col = column("tokens"), seconds_col = column("seconds"),
                    source_col = column("source");
  while (std::getline(csv, line)) {
    if (line.empty()) continue;
    auto f = split_csv(line);
    if (f.size() != header.size() || f[seconds_col].empty() || f[source_col] != "docs/performance.md") continue;
    for (AnchorGpu& g : d.gpus)
      if (g.csv_name == f[gpu_col]) {
        RuntimeAnchor a{g.csv_name, std::stoll(f[tokens_col]), std::stod(f[seconds_col])};
        g.points.emplace_back(static_cast<double>(a.tokens), a.seconds);
        d.anchors.push_back(a);
      }
  }
  for (AnchorGpu& g : d.gpus) {
    std::sort(g.points.begin(), g.points.end());
    if (g.points.size() < 2) throw std::logic_error("fewer than two documented timings for " + g.csv_name);
  }
  return d;
}

const RuntimeData& data() {
  static const RuntimeData d = load();
  return d;
}

// Power law between neighbouring anchors (linear in log-log); the end slopes beyond them.
double interpolate(const AnchorGpu& g, double n) {
  const auto& p = g.points;
  std::size_t i = 0;
  while (i + 2 < p.size() && n > p[i + 1].first) ++i;
  double slope = std::log(p[i + 1].second / p[i].second) / std::log(p[i + 1].first / p[i].first);
  return p[i].second * std::pow(n / p[i].first, slope);
}

}  // namespace

const std::vector<RuntimeAnchor>& runtime_anchors() { return data().anchors; }

RuntimeEstimate estimate_runtime(const RuntimeInputs& in, const GpuSpec& gpu) {
  const RuntimeData& d = data();
  if (in.padded_tokens < 1) throw UsageError("padded token count must be positive");
  if (in.num_recycles < 0) throw UsageError("num_recycles must not be negative");
  if (in.num_diffusion_samples < 1 || in.num_seeds < 1) throw UsageError("samples and seeds must be at least 1");
  if (!(in.spill_fraction >= 0 && in.spill_fraction <= 1)) throw UsageError("spill fraction must be in [0, 1]");
  const double n = static_cast<double>(in.padded_tokens);
  std::vector<std::string> origin;

  // 1. Seconds on this GPU at the anchors' settings.
  double base = 0, base_low = 0, base_high = 0;
  const AnchorGpu* same = nullptr;
  for (const AnchorGpu& g : d.gpus)
    if (normalise(g.csv_name) == normalise(gpu.name)) same = &g;
  if (same) {
    base = base_low = base_high = interpolate(*same, n);
    origin.push_back(fmt::format("AlphaFold 3's documented {} timings (docs/performance.md), power law in N between them",
                                 same->csv_name));
  } else {
    if (gpu.bf16_tflops <= 0 && gpu.bandwidth_gbs <= 0)
      throw UsageError("no throughput figures for GPU " + gpu.name + "; cannot scale the documented timings");
    const AnchorGpu& slow = d.gpus.front();
    const AnchorGpu& fast = d.gpus.back();
    // The anchor GPUs' own speed ratio sets how much of a throughput ratio turns into time.
    const double alpha = std::log(interpolate(slow, n) / interpolate(fast, n)) / std::log(fast.tflops / slow.tflops);
    const double tflops = gpu.bf16_tflops > 0 ? gpu.bf16_tflops : slow.tflops * gpu.bandwidth_gbs / slow.bandwidth;
    const AnchorGpu& ref = std::abs(std::log(tflops / slow.tflops)) <= std::abs(std::log(tflops / fast.tflops)) ? slow : fast;
    const double t_ref = interpolate(ref, n);
    std::vector<double> factors = {std::pow(ref.tflops / tflops, alpha), ref.tflops / tflops};
    if (gpu.bandwidth_gbs > 0) factors.push_back(ref.bandwidth / gpu.bandwidth_gbs);
    base = t_ref * factors[0];
    base_low = t_ref * *std::min_element(factors.begin(), factors.end());
    base_high = t_ref * *std::max_element(factors.begin(), factors.end());
    origin.push_back(fmt::format(
        "{} documented timing scaled by bf16 throughput ({:.0f} vs {:.0f} TFLOP/s) to the power {:.2f}, the exponent "
        "the A100->H100 timings show at this size (a throughput-ratio assumption; band: plain throughput and "
        "bandwidth ratios)",
        ref.csv_name, tflops, ref.tflops, alpha));
  }
  const auto& first = d.gpus.front().points;
  const double lo_n = first.front().first, hi_n = first.back().first;
  double band = d.run_to_run;
  if (n < lo_n || n > hi_n) {
    band += d.extrapolation;
    origin.push_back(fmt::format("extrapolated beyond the documented {:.0f}..{:.0f} tokens", lo_n, hi_n));
  }

  // 2. Recycles and samples: the trunk runs recycles+1 times, diffusion and confidence scale with S.
  auto settings_factor = [&](double share) {
    return share * (in.num_recycles + 1) / (d.recycles + 1) +
           (1 - share) * static_cast<double>(in.num_diffusion_samples) / d.samples;
  };
  const double f = settings_factor(d.trunk_share.value);
  const double f_a = settings_factor(d.trunk_share.low), f_b = settings_factor(d.trunk_share.high);
  if (in.num_recycles != d.recycles || in.num_diffusion_samples != d.samples)
    origin.push_back(fmt::format("{} recycles, {} samples: trunk share {:.2f} (assumed, {:.2f}..{:.2f}) x {}/{} passes, "
                                 "the rest x {}/{} samples",
                                 in.num_recycles, in.num_diffusion_samples, d.trunk_share.value, d.trunk_share.low,
                                 d.trunk_share.high, in.num_recycles + 1, d.recycles + 1, in.num_diffusion_samples,
                                 d.samples));

  // 3. Unified memory: the spilled share of the working set runs at host-link speed.
  const double spill = 1 + d.spill_slowdown.value * in.spill_fraction;
  const double spill_low = 1 + d.spill_slowdown.low * in.spill_fraction;
  const double spill_high = 1 + d.spill_slowdown.high * in.spill_fraction;
  if (in.spill_fraction > 0)
    origin.push_back(fmt::format("unified memory: {:.0f}% spilled, slowdown x{:.2f} (assumed {:.2f}..{:.2f})",
                                 in.spill_fraction * 100, spill, spill_low, spill_high));

  // 4. Seeds (or sample splits) run one after another.
  const double runs = in.num_seeds;
  if (in.num_seeds != 1) origin.push_back(fmt::format("{} runs in sequence", in.num_seeds));

  RuntimeEstimate e;
  e.seconds = base * f * spill * runs;
  e.low = base_low * std::min({f, f_a, f_b}) * spill_low * runs * (1 - band);
  e.high = base_high * std::max({f, f_a, f_b}) * spill_high * runs * (1 + band);
  for (std::size_t i = 0; i < origin.size(); ++i) e.origin += (i ? "; " : "") + origin[i];
  return e;
}

}  // namespace foldfit
