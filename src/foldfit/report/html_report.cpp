#include "foldfit/report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "foldfit/common/embedded.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/common/version.hpp"
#include "foldfit/plan/resolve_device.hpp"

namespace foldfit::report {

namespace {

using json = nlohmann::ordered_json;

// Okabe-Ito: distinguishable with every common colour-vision deficiency.
constexpr const char* kBlack = "#000000";
constexpr const char* kOrange = "#E69F00";
constexpr const char* kSky = "#56B4E9";
constexpr const char* kGreen = "#009E73";
constexpr const char* kYellow = "#F0E442";
constexpr const char* kBlue = "#0072B2";
constexpr const char* kVermillion = "#D55E00";
constexpr const char* kPurple = "#CC79A7";
constexpr const char* kGrey = "#999999";

// The memory chart's fixed geometry (CSS pixels; the SVG's viewBox is the same).
constexpr double kChartW = 960, kChartH = 520;
constexpr double kPlotX0 = 80, kPlotX1 = 930, kPlotY0 = 40, kPlotY1 = 380;

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string gb(std::int64_t bytes) { return fmt::format("{:.2f}", static_cast<double>(bytes) / 1e9); }
std::string gb(Bytes b) { return gb(b.count()); }
std::string num(double v) { return fmt::format("{:.1f}", v); }

const char* verdict_class(const std::string& v) {
  if (v == "fits") return "fits";
  if (v == "fits_with_plan") return "plan";
  return "nofit";
}

std::string verdict_words(const std::string& v) {
  if (v == "fits") return "fits as given";
  if (v == "fits_with_plan") return "fits with the plan";
  return "cannot fit";
}

const char* kCss = R"(
*{box-sizing:border-box}
body{margin:0;font-family:'DejaVu Sans',Arial,sans-serif;font-size:14px;color:#000;background:#fff}
#memory-chart{display:block;position:absolute;left:0;top:0;width:960px;height:520px;margin:0}
main{position:relative;margin-top:530px;padding:0 16px 16px 16px;max-width:1000px}
main.campaign{margin-top:0;padding-top:8px}
h1{font-size:20px;margin:8px 0}
h2{font-size:17px;margin:18px 0 6px 0;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:4px 0}
th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top;max-width:420px;overflow-wrap:anywhere}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.fits td.v{background:#cfe8dc}
tr.plan td.v{background:#fbe7b8}
tr.nofit td.v{background:#f4cfb8}
.note{color:#333;font-size:12px}
svg text{font-family:'DejaVu Sans',Arial,sans-serif}
@media print{
  body{font-size:11pt}
  #memory-chart{position:static}
  main{margin-top:0;max-width:none}
  h2{break-after:avoid}
  table,svg{break-inside:avoid}
  tr.fits td.v,tr.plan td.v,tr.nofit td.v{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)";

std::string page_start(const std::string& title) {
  return fmt::format("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{}</title>\n"
                     "<style>{}</style>\n</head>\n<body>\n",
                     esc(title), kCss);
}

std::string provenance(const std::string& version, const std::string& profile, const std::string& calibration,
                       const json& release) {
  std::string out = "<h2>Provenance and units</h2>\n<p class=\"note\">";
  out += fmt::format("foldfit {}; memory profile {}; calibration {}; AlphaFold 3 release {} ({}: {}).<br/>", esc(version),
                     esc(profile), esc(calibration), esc(release.value("name", "")), esc(release.value("origin", "")),
                     esc(release.value("detail", "")));
  out += "Units: GB = 10<sup>9</sup> bytes; times in seconds or GPU-hours. Every figure is foldfit's estimate "
         "(its memory and runtime models), not a measurement, except the XLA compile points.</p>\n";
  return out;
}

// Tick spacing: 1, 2 or 5 x 10^k, about `want` ticks over `range`.
double tick_step(double range, int want) {
  double raw = range / want;
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

struct Scale {
  double x_max, y_max;  // tokens, GB
  double x(double tokens) const { return kPlotX0 + (kPlotX1 - kPlotX0) * tokens / x_max; }
  double y(double gb_value) const { return kPlotY1 - (kPlotY1 - kPlotY0) * gb_value / y_max; }
  double yb(Bytes b) const { return y(b.gb()); }
};

const char* curve_colour(const std::string& key) {
  if (key == "plan") return kBlue;
  if (key == "as_given") return kOrange;
  if (key == "xla_attention") return kPurple;
  if (key == "shard_40gb") return kBlack;
  if (key == "custom_bucket") return kVermillion;
  return kGreen;
}
const char* curve_dash(const std::string& key) {
  if (key == "plan") return "";
  if (key == "as_given") return " stroke-dasharray=\"8 4\"";
  if (key == "xla_attention") return " stroke-dasharray=\"2 3\"";
  if (key == "shard_40gb") return " stroke-dasharray=\"3 2 8 2\"";
  if (key == "custom_bucket") return " stroke-dasharray=\"6 2\"";
  return " stroke-dasharray=\"10 3 2 3\"";
}

std::string curve_path(const Curve& c, const Scale& sc, Bytes CurveStep::*field) {
  std::string d;
  double prev_x = sc.x(0);
  bool first = true;
  for (const CurveStep& s : c.steps) {
    double y = sc.yb(s.*field);
    if (first) d += fmt::format("M{} {}", num(prev_x), num(y)), first = false;
    else d += fmt::format(" V{}", num(y));
    d += fmt::format(" H{}", num(sc.x(static_cast<double>(s.to))));
  }
  return d;
}

std::string band_path(const Curve& c, const Scale& sc) {
  if (c.steps.empty()) return "";
  std::string d = fmt::format("M{} {}", num(sc.x(0)), num(sc.yb(c.steps.front().high)));
  for (const CurveStep& s : c.steps)
    d += fmt::format(" V{} H{}", num(sc.yb(s.high)), num(sc.x(static_cast<double>(s.to))));
  for (auto it = c.steps.rbegin(); it != c.steps.rend(); ++it) {
    double from = it + 1 == c.steps.rend() ? 0 : static_cast<double>((it + 1)->to);
    d += fmt::format(" V{} H{}", num(sc.yb(it->low)), num(sc.x(from)));
  }
  return d + " Z";
}

std::string memory_chart(const json& e, const EstimateCharts& ch) {
  const json& gpu = e["gpu"];
  const Bytes device(gpu["total_bytes"].get<std::int64_t>());
  const Bytes pool(gpu["budget_bytes"].get<std::int64_t>());
  const Bytes spill(gpu["budget_host_spill_bytes"].get<std::int64_t>());
  const Bytes peak(e["plan"]["total_bytes"].get<std::int64_t>());
  const Bytes peak_high(e["plan"]["estimate"]["high_bytes"].get<std::int64_t>());
  const std::int64_t tokens = e["tokens"].get<std::int64_t>();
  const std::int64_t padded = e["padded_tokens"].get<std::int64_t>();

  double top = std::max({(device + spill).gb(), peak_high.gb(), pool.gb()});
  double curve_max = 0;
  for (const Curve& c : ch.curves)
    for (const CurveStep& s : c.steps) curve_max = std::max(curve_max, s.high.gb());
  Scale sc{static_cast<double>(ch.max_tokens), std::max(top, std::min(curve_max, 2.0 * top)) * 1.08};

  std::string o = fmt::format(
      "<svg id=\"memory-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "role=\"img\" aria-labelledby=\"chart-title\" data-x-max-tokens=\"{2}\" data-y-max-gb=\"{3:.6f}\" "
      "data-plot-x0=\"{4}\" data-plot-x1=\"{5}\" data-plot-y0=\"{6}\" data-plot-y1=\"{7}\">\n",
      kChartW, kChartH, ch.max_tokens, sc.y_max, kPlotX0, kPlotX1, kPlotY0, kPlotY1);
  o += fmt::format("<title id=\"chart-title\">Peak GPU memory against token count on {}</title>\n",
                   esc(gpu["name"].get<std::string>().empty() ? gpu["origin"].get<std::string>() : gpu["name"].get<std::string>()));
  o += "<rect x=\"0\" y=\"0\" width=\"960\" height=\"520\" fill=\"#ffffff\"/>\n";
  o += "<defs><clipPath id=\"plot-area\">";
  o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>", kPlotX0, kPlotY0, kPlotX1 - kPlotX0, kPlotY1 - kPlotY0);
  o += "</clipPath></defs>\n";
  o += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"16\" font-weight=\"bold\">Peak GPU memory of {} on {} (GB = 10^9 B)</text>\n",
                   kPlotX0, esc(e["name"].get<std::string>()),
                   esc(gpu["name"].get<std::string>().empty() ? gpu["origin"].get<std::string>() : gpu["name"].get<std::string>()));

  // Grid and axes.
  double ys = tick_step(sc.y_max, 6);
  for (double v = 0; v <= sc.y_max + 1e-9; v += ys) {
    o += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"#e0e0e0\" stroke-width=\"1\"/>", kPlotX0,
                     kPlotX1, num(sc.y(v)));
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{:g}</text>\n", kPlotX0 - 6,
                     num(sc.y(v) + 4), v);
  }
  double xs = tick_step(sc.x_max, 8);
  for (double v = 0; v <= sc.x_max + 1e-9; v += xs) {
    o += fmt::format("<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#e0e0e0\" stroke-width=\"1\"/>", num(sc.x(v)),
                     kPlotY0, kPlotY1);
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{:g}</text>\n", num(sc.x(v)),
                     kPlotY1 + 16, v);
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"middle\">tokens before padding (AlphaFold 3 runs "
                   "at the bucket above; steps: buckets)</text>\n",
                   (kPlotX0 + kPlotX1) / 2, kPlotY1 + 34);
  o += fmt::format("<text x=\"18\" y=\"{0}\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 18 {0})\">"
                   "peak GPU memory (GB)</text>\n",
                   (kPlotY0 + kPlotY1) / 2);

  o += "<g clip-path=\"url(#plot-area)\">\n";
  // Above the card: unified memory's region (host RAM), or memory the card does not have.
  double dev_y = sc.yb(device);
  if (spill > Bytes(0)) {
    double spill_y = sc.yb(device + spill);
    o += fmt::format("<rect id=\"unified-memory-region\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
                     "fill-opacity=\"0.25\" data-from-bytes=\"{}\" data-to-bytes=\"{}\"/>\n",
                     kPlotX0, num(spill_y), kPlotX1 - kPlotX0, num(dev_y - spill_y), kYellow, device.count(),
                     (device + spill).count());
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#dddddd\" fill-opacity=\"0.5\"/>\n", kPlotX0,
                     kPlotY0, kPlotX1 - kPlotX0, num(std::max(0.0, spill_y - kPlotY0)));
  } else {
    o += fmt::format("<rect id=\"unified-memory-region\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#dddddd\" "
                     "fill-opacity=\"0.5\" data-from-bytes=\"{}\" data-to-bytes=\"0\"/>\n",
                     kPlotX0, kPlotY0, kPlotX1 - kPlotX0, num(std::max(0.0, dev_y - kPlotY0)), device.count());
  }
  // The plan curve's uncertainty band.
  for (const Curve& c : ch.curves)
    if (c.key == "plan")
      o += fmt::format("<path id=\"band-plan\" d=\"{}\" fill=\"{}\" fill-opacity=\"0.18\" stroke=\"none\"/>\n", band_path(c, sc),
                       kSky);
  // GPU memory and JAX's pool.
  o += fmt::format("<line id=\"line-gpu-memory\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"2\" "
                   "data-bytes=\"{4}\"/>\n",
                   kPlotX0, kPlotX1, num(dev_y), kBlack, device.count());
  o += fmt::format("<line id=\"line-jax-pool\" x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"2\" "
                   "stroke-dasharray=\"6 4\" data-bytes=\"{4}\"/>\n",
                   kPlotX0, kPlotX1, num(sc.yb(pool)), kGrey, pool.count());
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">GPU memory {} GB</text>\n", kPlotX1 - 4,
                   num(dev_y - 4), gb(device));
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">JAX pool {} GB</text>\n", kPlotX1 - 4,
                   num(sc.yb(pool) + 14), gb(pool));
  // Alternatives under the plan's curve.
  for (auto it = ch.curves.rbegin(); it != ch.curves.rend(); ++it) {
    const Curve& c = *it;
    bool main = c.key == "plan";
    o += fmt::format("<path id=\"curve-{}\" class=\"curve\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{}",
                     c.key, curve_path(c, sc, &CurveStep::total), curve_colour(c.key), main ? 5 : 2, curve_dash(c.key));
    if (main) {
      // A point on the curve away from the marker, for a renderer to check.
      double mx = sc.x(static_cast<double>(tokens)), my = sc.yb(peak);
      double prev = 0;
      for (const CurveStep& s : c.steps) {
        double x0 = sc.x(prev), x1 = sc.x(static_cast<double>(s.to)), y = sc.yb(s.total);
        prev = static_cast<double>(s.to);
        double cx = std::round((x0 + x1) / 2), cy = std::round(y);
        if (x1 - x0 < 20 || y < kPlotY0 + 6 || y > kPlotY1 - 6) continue;
        if (std::hypot(cx - mx, cy - my) < 30 || std::abs(cy - dev_y) < 8 || std::abs(cy - sc.yb(pool)) < 8) continue;
        o += fmt::format(" data-probe-x=\"{}\" data-probe-y=\"{}\"", cx, cy);
        break;
      }
    }
    o += "/>\n";
  }
  // XLA's compiled figures for this GPU.
  for (const XlaPoint& p : ch.xla)
    o += fmt::format("<rect class=\"xla-point\" x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{}\" stroke=\"#000\" "
                     "stroke-width=\"1\" data-padded-tokens=\"{}\" data-pool-bytes=\"{}\"><title>deviceless XLA compile, "
                     "N={}: {} GB (argument + output + temp - alias: JAX's pool, without the CUDA context)</title></rect>\n",
                     num(sc.x(static_cast<double>(p.padded)) - 4), num(sc.yb(p.pool) - 4), kSky, p.padded, p.pool.count(),
                     p.padded, gb(p.pool));
  o += "</g>\n";
  // This input.
  double mx = std::round(sc.x(static_cast<double>(tokens))), my = std::round(sc.yb(peak));
  o += fmt::format("<circle id=\"marker\" cx=\"{0}\" cy=\"{1}\" r=\"8\" fill=\"{2}\" stroke=\"#000\" stroke-width=\"1\" "
                   "data-probe-x=\"{0}\" data-probe-y=\"{1}\" data-tokens=\"{3}\" data-padded-tokens=\"{4}\" "
                   "data-peak-bytes=\"{5}\" data-budget-bytes=\"{6}\" data-gpu-bytes=\"{7}\"><title>{8}: {3} tokens (padded "
                   "{4}), peak {9} GB with the plan's settings</title></circle>\n",
                   mx, my, kVermillion, tokens, padded, peak.count(), pool.count(), device.count(),
                   esc(e["name"].get<std::string>()), gb(peak));

  // Legend: a row of swatches under the axis label.
  struct Entry {
    std::string id, colour, text;
  };
  std::vector<Entry> legend;
  for (const Curve& c : ch.curves) legend.push_back({"curve-" + c.key, curve_colour(c.key), c.label});
  legend.push_back({"band", kSky, "plan's uncertainty band"});
  legend.push_back({"marker", kVermillion, "this input"});
  if (!ch.xla.empty()) legend.push_back({"xla", kSky, "deviceless XLA compiles (JAX pool)"});
  legend.push_back({"gpu-memory", kBlack, "GPU memory"});
  legend.push_back({"jax-pool", kGrey, "JAX pool"});
  legend.push_back({"unified-memory", spill > Bytes(0) ? kYellow : "#dddddd",
                    spill > Bytes(0) ? "unified memory (host RAM, slower)" : "beyond the card (unified memory only)"});
  for (std::size_t i = 0; i < legend.size(); ++i) {
    double x = kPlotX0 + static_cast<double>(i % 3) * 290, y = kPlotY1 + 52 + static_cast<double>(i / 3) * 22;
    o += fmt::format("<rect id=\"legend-{0}\" class=\"legend-swatch\" x=\"{1}\" y=\"{2}\" width=\"16\" height=\"16\" "
                     "fill=\"{3}\" stroke=\"#000\" stroke-width=\"0.5\" data-probe-x=\"{4}\" data-probe-y=\"{5}\"/>"
                     "<text x=\"{6}\" y=\"{7}\" font-size=\"12\">{8}</text>\n",
                     legend[i].id, x, y, legend[i].colour, x + 8, y + 8, x + 22, y + 13, esc(legend[i].text));
  }
  o += "</svg>\n";
  return o;
}

const std::vector<std::string>& category_order() {
  static const std::vector<std::string> k = {"Model parameters", "Inputs", "Embeddings", "Pairformer", "Attention",
                                             "Diffusion", "Confidence", "Outputs", "Overhead"};
  return k;
}
const char* category_colour(const std::string& name) {
  static const char* colours[] = {kGrey, kYellow, kOrange, kBlue, kPurple, kGreen, kSky, kVermillion, kBlack};
  const auto& k = category_order();
  auto it = std::find(k.begin(), k.end(), name);
  return it == k.end() ? "#cccccc" : colours[it - k.begin()];
}

std::string estimate_bars(const json& est) {
  const std::int64_t persistent = est["persistent_bytes"].get<std::int64_t>();
  const std::string peak_phase = est["peak_phase"].get<std::string>();
  std::int64_t total = est["total_bytes"].get<std::int64_t>();
  std::int64_t largest = total;
  for (const auto& p : est["phases"]) largest = std::max(largest, p["bytes"].get<std::int64_t>());
  const double w0 = 300, w1 = 880;
  auto w = [&](std::int64_t b) { return (w1 - w0) * static_cast<double>(b) / static_cast<double>(std::max<std::int64_t>(1, largest)); };
  std::size_t rows = est["phases"].size() + 1;
  double h = 40 + 22.0 * static_cast<double>(rows) + 80;
  std::string o = fmt::format("<svg id=\"phase-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"{0}\" "
                              "viewBox=\"0 0 960 {0}\" role=\"img\" data-peak-phase=\"{1}\">\n",
                              h, esc(peak_phase));
  o += fmt::format("<title>Estimate by phase and category; peak phase {}</title>\n", esc(peak_phase));
  // The peak as categories.
  double x = w0, y = 20;
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">peak by category</text>\n", w0 - 6, y + 13);
  std::vector<std::pair<std::string, std::int64_t>> cats;
  for (const std::string& c : category_order())
    if (est["categories"].contains(c)) cats.emplace_back(c, est["categories"][c].get<std::int64_t>());
  for (const auto& [name, bytes] : est["categories"].items())
    if (std::find(category_order().begin(), category_order().end(), name) == category_order().end())
      cats.emplace_back(name, bytes.get<std::int64_t>());
  for (const auto& [name, bytes] : cats) {
    o += fmt::format("<rect class=\"category\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{}\" data-category=\"{}\" "
                     "data-bytes=\"{}\"><title>{}: {} GB</title></rect>\n",
                     num(x), y, num(w(bytes)), category_colour(name), esc(name), bytes, esc(name), gb(bytes));
    x += w(bytes);
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\">{} GB</text>\n", num(x + 4), y + 13, gb(total));
  // Each phase: persistent + its own tensors.
  y += 30;
  for (const auto& p : est["phases"]) {
    std::string name = p["name"].get<std::string>();
    std::int64_t bytes = p["bytes"].get<std::int64_t>();
    bool peak = name == peak_phase;
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\"{}>{}{}</text>\n", w0 - 6, y + 13,
                     peak ? " font-weight=\"bold\"" : "", esc(name), peak ? " (peak)" : "");
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{}\"><title>persistent: {} GB</title></rect>",
                     w0, y, num(w(std::min(persistent, bytes))), kGrey, gb(persistent));
    o += fmt::format("<rect class=\"phase\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"{}\" data-phase=\"{}\" "
                     "data-bytes=\"{}\"{}><title>{} ({}): {} GB in the pool</title></rect>",
                     num(w0 + w(std::min(persistent, bytes))), y, num(w(std::max<std::int64_t>(0, bytes - persistent))),
                     category_colour(p["category"].get<std::string>()), esc(name), bytes,
                     peak ? " stroke=\"#000\" stroke-width=\"2\"" : "", esc(name), esc(p["category"].get<std::string>()),
                     gb(bytes));
    o += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\">{} GB</text>\n", num(w0 + w(bytes) + 4), y + 13, gb(bytes));
    y += 22;
  }
  // Legend of categories.
  y += 8;
  x = w0;
  for (const auto& [name, bytes] : cats) {
    (void)bytes;
    const double item = 15 + 7.0 * static_cast<double>(name.size()) + 14;
    if (x + item > 950) x = w0, y += 18;
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\" stroke=\"#000\" stroke-width=\"0.5\"/>"
                     "<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>\n",
                     num(x), y, category_colour(name), num(x + 15), y + 10, esc(name));
    x += item;
  }
  o += "</svg>\n";
  return o;
}

std::string plan_section(const json& e) {
  const json& plan = e["plan"];
  std::string o = "<h2>Plan</h2>\n";
  std::string verdict = e["verdict"].get<std::string>();
  o += fmt::format("<p id=\"verdict\" data-verdict=\"{}\">Verdict: <strong>{}</strong>. Padded tokens {} (as given {}); peak "
                   "{} GB as given, {} GB with the plan (band {}-{} GB); JAX pool {} GB with the plan ({}); margin {} GB. "
                   "Runtime {:.0f} s ({:.0f}-{:.0f} s) without compilation.</p>\n",
                   verdict, verdict_words(verdict), e["padded_tokens"].get<std::int64_t>(),
                   e["padded_tokens_as_given"].get<std::int64_t>(), gb(e["estimate"]["total_bytes"].get<std::int64_t>()),
                   gb(plan["total_bytes"].get<std::int64_t>()), gb(plan["estimate"]["low_bytes"].get<std::int64_t>()),
                   gb(plan["estimate"]["high_bytes"].get<std::int64_t>()), gb(e["gpu"]["budget_bytes"].get<std::int64_t>()),
                   esc(e["gpu"]["budget_origin"].get<std::string>()), gb(e["margin_bytes"].get<std::int64_t>()),
                   plan["runtime_seconds"].get<double>(), plan["runtime_low_seconds"].get<double>(),
                   plan["runtime_high_seconds"].get<double>());
  if (plan["changes"].empty()) {
    o += "<p>No change of the settings: none is needed, or none of those left to foldfit helps.</p>\n";
  } else {
    o += "<table id=\"plan-changes\"><tr><th>setting</th><th>from</th><th>to</th><th>reason</th><th class=\"n\">memory "
         "saved (GB)</th><th class=\"n\">pool added (GB)</th><th>quality</th><th>time</th></tr>\n";
    for (const auto& c : plan["changes"])
      o += fmt::format("<tr class=\"change\" data-setting=\"{}\" data-saves-bytes=\"{}\" data-budget-gain-bytes=\"{}\"><td>{}</td>"
                       "<td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td>"
                       "</tr>\n",
                       esc(c["setting"].get<std::string>()), c["saves_bytes"].get<std::int64_t>(),
                       c["budget_gain_bytes"].get<std::int64_t>(), esc(c["setting"].get<std::string>()),
                       esc(c["from"].get<std::string>()), esc(c["to"].get<std::string>()),
                       esc(c["reason"].get<std::string>()), gb(c["saves_bytes"].get<std::int64_t>()),
                       gb(c["budget_gain_bytes"].get<std::int64_t>()), esc(c["quality"].get<std::string>()),
                       esc(c["speed"].get<std::string>()));
    o += "</table>\n";
  }
  if (plan.contains("blocked_by")) {
    for (const auto& b : plan["blocked_by"]) o += "<p>Blocked by your settings: " + esc(b.get<std::string>()) + "</p>\n";
    o += "<p>Smallest GPU in the table that fits: " + esc(plan["smallest_fitting_gpu"].get<std::string>()) + "</p>\n";
    if (!plan["unified_memory_option"].get<std::string>().empty())
      o += "<p>Or: " + esc(plan["unified_memory_option"].get<std::string>()) + "</p>\n";
    o += "<p>Or: " + esc(plan["split_advice"].get<std::string>()) + "</p>\n";
  }
  if (!e["trade_offs"].empty()) {
    o += "<h2>Trade-offs (one change at a time)</h2>\n<table id=\"trade-offs\"><tr><th>change</th><th class=\"n\">peak "
         "(GB)</th><th class=\"n\">saves (GB)</th><th>quality</th><th>time</th></tr>\n";
    for (const auto& t : e["trade_offs"])
      o += fmt::format("<tr data-peak-bytes=\"{}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td>"
                       "</tr>\n",
                       t["peak_bytes"].get<std::int64_t>(), esc(t["change"].get<std::string>()),
                       gb(t["peak_bytes"].get<std::int64_t>()), gb(t["saves_bytes"].get<std::int64_t>()),
                       esc(t["quality"].get<std::string>()), esc(t["speed"].get<std::string>()));
    o += "</table>\n";
  }
  return o;
}

std::string fmt_bucket_list(const json& settings) {
  if (settings.contains("buckets") && settings["buckets"].is_object() && settings["buckets"].contains("value"))
    return settings["buckets"]["value"].dump();
  return "";
}

}  // namespace

const std::vector<XlaCompile>& builtin_xla_compiles() {
  static const std::vector<XlaCompile> table =
      parse_xla_table(embedded::xla_compiles_csv(), "data/xla/alphafold3-v3.0.4.csv");
  return table;
}

EstimateCharts estimate_charts(const PlannedInput& planned, const PlanRequest& request, const std::vector<XlaCompile>& xla) {
  const PlanInputs& in = planned.inputs;
  const Plan& p = planned.plan;
  EstimateCharts ch;
  const std::vector<std::int64_t>& buckets = p.settings.buckets.value.sizes();
  const std::int64_t largest = buckets.back();
  const std::int64_t tokens = in.sizes.tokens;
  ch.max_tokens = std::max(tokens > largest ? tokens + tokens / 4 : largest, tokens + tokens / 4);

  auto curve = [&](const std::string& key, const std::string& label, const RunSettings& s) {
    Curve c{key, label, {}};
    std::int64_t prev = 0;
    for (std::int64_t b : s.buckets.value.sizes()) {
      if (prev >= ch.max_tokens) break;
      MemoryEstimate e = estimate_at(in, s, b);
      c.steps.push_back({prev + 1, std::min(b, ch.max_tokens), s.padded_tokens(b), e.total, e.low, e.high});
      prev = b;
    }
    // Above the largest bucket AlphaFold 3 runs at N itself: a step per 1/32 of the axis.
    const std::int64_t step = std::max<std::int64_t>(1, ch.max_tokens / 32);
    for (std::int64_t t = prev + step; prev < ch.max_tokens; t += step) {
      std::int64_t to = std::min(t, ch.max_tokens);
      MemoryEstimate e = estimate_at(in, s, to);
      c.steps.push_back({prev + 1, to, s.padded_tokens(to), e.total, e.low, e.high});
      prev = to;
    }
    ch.curves.push_back(std::move(c));
  };
  curve("plan", "plan's settings", p.settings);
  if (!p.changes.empty()) curve("as_given", "settings as given", in.settings);
  if (p.settings.flash_attention.value != "xla") {
    RunSettings s = p.settings;
    s.flash_attention.value = "xla";
    curve("xla_attention", "plan with XLA attention", s);
  }
  if (p.settings.num_diffusion_samples.value > 1) {
    RunSettings s = p.settings;
    s.num_diffusion_samples.value = 1;
    curve("one_sample", "plan with 1 diffusion sample", s);
  }
  if (!p.settings.pair_transition_shard_spec.user_set() &&
      !(p.settings.pair_transition_shard_spec.value == documented_40gb_shard_spec())) {
    RunSettings s = p.settings;
    s.pair_transition_shard_spec.value = documented_40gb_shard_spec();
    curve("shard_40gb", "plan with the 40 GB pair-transition shards", s);
  }
  // The planner's custom bucket for this input, where it pads less than the plan's buckets
  // (one extra compile for this size); only the step holding the input differs.
  if (!p.settings.buckets.user_set() && tight_bucket(tokens) < p.settings.buckets.value.pad(tokens)) {
    RunSettings s = p.settings;
    std::vector<std::int64_t> b = s.buckets.value.sizes();
    b.push_back(tight_bucket(tokens));
    std::sort(b.begin(), b.end());
    s.buckets.value = Buckets(b);
    curve("custom_bucket", fmt::format("plan with a custom {}-token bucket", tight_bucket(tokens)), s);
  }

  // XLA's figures for this GPU, at the plan curve's settings that change memory (and its GLU).
  for (const XlaCompile& x : xla) {
    const ModelConfig& c = x.measurement.config;
    if (x.backend != "cuda-deviceless" || x.target != in.device.spec.name || x.measurement.af3 != in.af3_release) continue;
    if (c.flash_attention != p.settings.flash_attention.value ||
        c.num_diffusion_samples != p.settings.num_diffusion_samples.value ||
        !(c.pair_transition_shard_spec == p.settings.pair_transition_shard_spec.value) ||
        c.glu_implementation != p.after.glu_implementation || c.padded_tokens > ch.max_tokens)
      continue;
    ch.xla.push_back({c.padded_tokens, x.measurement.pool_peak});
  }

  // Every table GPU, as `foldfit estimate --gpu=NAME` with the same settings would plan it.
  for (const GpuSpec& g : gpu_table()) {
    DeviceRequest dr;
    dr.gpu_name = g.name;
    if (request.device.host_ram_origin == "--host_ram_gb") dr.host_ram_gb = request.device.host_ram.gb();
    PlanRequest r = request;
    r.device = resolve_device(dr, LocalMachine{});
    r.details = false;
    try {
      PlannedInput pi = plan_input(in.sizes, r);
      ch.gpus.push_back({g.name, g.memory, pi.plan.verdict, pi.plan.after.total, pi.plan.changes.size(), ""});
    } catch (const UsageError& e) {
      ch.gpus.push_back({g.name, g.memory, Verdict::cannot_fit, Bytes(0), 0, e.what()});
    }
  }
  return ch;
}

std::string estimate_html(const json& e, const EstimateCharts& ch) {
  const std::string name = e["name"].get<std::string>();
  std::string o = page_start("foldfit estimate: " + name);
  o += memory_chart(e, ch);
  o += "<main>\n";
  o += fmt::format("<h1>AlphaFold 3 memory estimate for {}</h1>\n", esc(name));
  const json& gpu = e["gpu"];
  o += fmt::format("<p id=\"summary\" data-tokens=\"{}\" data-padded-tokens=\"{}\" data-peak-bytes=\"{}\" "
                   "data-peak-as-given-bytes=\"{}\" data-budget-bytes=\"{}\" data-gpu-bytes=\"{}\" data-verdict=\"{}\">"
                   "{} tokens, padded to {}; {} chain(s); GPU {} ({} GB, {}). Peak with the plan: {} GB; JAX pool {} GB. "
                   "Verdict: {}.</p>\n",
                   e["tokens"].get<std::int64_t>(), e["padded_tokens"].get<std::int64_t>(),
                   e["plan"]["total_bytes"].get<std::int64_t>(), e["estimate"]["total_bytes"].get<std::int64_t>(),
                   gpu["budget_bytes"].get<std::int64_t>(), gpu["total_bytes"].get<std::int64_t>(),
                   e["verdict"].get<std::string>(), e["tokens"].get<std::int64_t>(), e["padded_tokens"].get<std::int64_t>(),
                   e["chains"].get<std::size_t>(), esc(gpu["name"].get<std::string>()),
                   gb(gpu["total_bytes"].get<std::int64_t>()), esc(gpu["origin"].get<std::string>()),
                   gb(e["plan"]["total_bytes"].get<std::int64_t>()), gb(gpu["budget_bytes"].get<std::int64_t>()),
                   verdict_words(e["verdict"].get<std::string>()));
  o += "<p class=\"note\">The chart above: peak GPU memory (pool + CUDA context and workspaces) against the token count, "
       "from foldfit's memory model, in steps where AlphaFold 3 pads to a bucket";
  if (std::string b = fmt_bucket_list(e["plan"]["settings"]); !b.empty()) o += " (" + esc(b) + ")";
  o += ". Curves other than the plan's are alternatives the planner weighs, each one change from the plan's settings. ";
  o += ch.xla.empty() ? "No XLA compile figures exist for this GPU, release and settings."
                      : "Squares: deviceless XLA compiles of AlphaFold 3 for this GPU (argument + output + temp - alias, "
                        "JAX's pool without the CUDA context).";
  o += "</p>\n";

  o += fmt::format("<h2>Estimate by phase (plan's settings; peak phase: {})</h2>\n",
                   esc(e["plan"]["estimate"]["peak_phase"].get<std::string>()));
  o += estimate_bars(e["plan"]["estimate"]);
  o += plan_section(e);

  o += "<h2>GPUs of the table for this input</h2>\n<table id=\"gpu-table\"><tr><th>GPU</th><th class=\"n\">memory (GB)</th>"
       "<th>verdict</th><th class=\"n\">peak with its plan (GB)</th><th class=\"n\">changes</th></tr>\n";
  for (const GpuVerdict& g : ch.gpus) {
    if (!g.error.empty()) {
      o += fmt::format("<tr class=\"nofit\" data-gpu=\"{}\" data-verdict=\"refused\"><td>{}</td><td class=\"n\">{}</td>"
                       "<td class=\"v\">settings refused: {}</td><td class=\"n\">-</td><td class=\"n\">-</td></tr>\n",
                       esc(g.gpu), esc(g.gpu), gb(g.memory), esc(g.error));
      continue;
    }
    std::string v(verdict_name(g.verdict));
    o += fmt::format("<tr class=\"{}\" data-gpu=\"{}\" data-verdict=\"{}\" data-peak-bytes=\"{}\"><td>{}</td><td class=\"n\">{}"
                     "</td><td class=\"v\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
                     verdict_class(v), esc(g.gpu), v, g.peak.count(), esc(g.gpu), gb(g.memory), verdict_words(v), gb(g.peak),
                     g.changes);
  }
  o += "</table>\n<p class=\"note\">Each row is what <code>foldfit estimate --gpu=NAME</code> says with the same settings "
       "and flags (--max_gpu_memory_gb aside).</p>\n";
  o += provenance(e["foldfit_version"].get<std::string>(), e["plan"]["estimate"]["profile"].get<std::string>(),
                  e["plan"]["estimate"]["calibration"].get<std::string>(), e["af3_release"]);
  o += "</main>\n</body>\n</html>\n";
  return o;
}

std::string campaign_html(const Campaign& c, const json& s) {
  std::string o = page_start("foldfit plan: campaign of " + std::to_string(s["inputs"].get<std::size_t>()) + " inputs");
  o += "<main class=\"campaign\">\n";
  o += fmt::format("<h1>AlphaFold 3 campaign: {} inputs</h1>\n", s["inputs"].get<std::size_t>());
  o += fmt::format("<p id=\"summary\" data-inputs=\"{}\" data-placed=\"{}\" data-fit-nowhere=\"{}\" data-gpu-hours=\"{:.6f}\">"
                   "{} placed, {} fit nowhere. GPU-hours {:.2f} ({:.2f}-{:.2f}), from {}. Inference tasks {} (one compile "
                   "each).</p>\n",
                   s["inputs"].get<std::size_t>(), s["placed"].get<std::size_t>(), s["fit_nowhere"].get<std::size_t>(),
                   s["gpu_hours"].get<double>(), s["placed"].get<std::size_t>(), s["fit_nowhere"].get<std::size_t>(),
                   s["gpu_hours"].get<double>(), s["gpu_hours_low"].get<double>(), s["gpu_hours_high"].get<double>(),
                   esc(s["gpu_hours_origin"].get<std::string>()), s["inference_tasks"].get<std::size_t>());

  // Inputs per GPU class: a bar each.
  std::size_t most = 1;
  for (const auto& k : s["classes"]) most = std::max(most, k["inputs"].get<std::size_t>());
  double h = 30 + 24.0 * static_cast<double>(s["classes"].size()) + 30;
  o += "<h2>Inputs per GPU class</h2>\n";
  o += fmt::format("<svg id=\"class-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"{0}\" "
                   "viewBox=\"0 0 960 {0}\" role=\"img\"><title>Inputs per GPU class</title>\n",
                   h);
  double y = 10;
  for (const auto& k : s["classes"]) {
    std::size_t n = k["inputs"].get<std::size_t>();
    double w = 460.0 * static_cast<double>(n) / static_cast<double>(most);
    o += fmt::format("<text x=\"254\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{} ({})</text>"
                     "<rect class=\"class-bar\" x=\"260\" y=\"{}\" width=\"{}\" height=\"18\" fill=\"{}\" data-class=\"{}\" "
                     "data-inputs=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{} inputs, {:.2f} GPU-hours</text>\n",
                     y + 13, esc(k["class"].get<std::string>()), esc(k["gpu"].get<std::string>()), y, num(w), kBlue,
                     esc(k["class"].get<std::string>()), n, num(264 + w), y + 13, n, k["gpu_hours"].get<double>());
    y += 24;
  }
  o += fmt::format("<text x=\"260\" y=\"{}\" font-size=\"12\">inputs (count)</text>\n</svg>\n", y + 16);
  o += "<table id=\"class-table\"><tr><th>class</th><th>GPU</th><th class=\"n\">cost per GPU-hour</th><th class=\"n\">inputs"
       "</th><th class=\"n\">tasks</th><th class=\"n\">GPU-hours (range)</th></tr>\n";
  for (const auto& k : s["classes"])
    o += fmt::format("<tr data-class=\"{}\" data-inputs=\"{}\" data-gpu-hours=\"{:.6f}\"><td>{}</td><td>{}</td><td class=\"n\">"
                     "{:.3g}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2f} ({:.2f}-{:.2f})</td></tr>\n",
                     esc(k["class"].get<std::string>()), k["inputs"].get<std::size_t>(), k["gpu_hours"].get<double>(),
                     esc(k["class"].get<std::string>()), esc(k["gpu"].get<std::string>()), k["cost"].get<double>(),
                     k["inputs"].get<std::size_t>(), k["tasks"].get<std::size_t>(), k["gpu_hours"].get<double>(),
                     k["gpu_hours_low"].get<double>(), k["gpu_hours_high"].get<double>());
  o += "</table>\n";

  // Padded sizes: the N each placed input runs at (its plan's buckets).
  std::map<std::int64_t, std::size_t> hist;
  for (const CampaignInput& in : c.inputs)
    if (in.placement->class_index >= 0) ++hist[in.placement->plan.padded_tokens];
  o += "<h2>Padded sizes of the placed inputs</h2>\n";
  std::size_t tallest = 1;
  for (const auto& [n, count] : hist) tallest = std::max(tallest, count);
  const double bw = hist.empty() ? 0 : std::min(60.0, 840.0 / static_cast<double>(hist.size()));
  o += "<svg id=\"padded-histogram\" xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"300\" viewBox=\"0 0 960 300\" "
       "role=\"img\"><title>Histogram of padded token counts</title>\n";
  o += "<line x1=\"80\" x2=\"930\" y1=\"240\" y2=\"240\" stroke=\"#000\"/>\n";
  double x = 90;
  for (const auto& [n, count] : hist) {
    double bh = 200.0 * static_cast<double>(count) / static_cast<double>(tallest);
    o += fmt::format("<rect class=\"bin\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" data-padded-tokens=\"{}\" "
                     "data-count=\"{}\"><title>N={}: {} inputs</title></rect>"
                     "<text x=\"{}\" y=\"256\" font-size=\"10\" text-anchor=\"middle\">{}</text>"
                     "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">{}</text>\n",
                     num(x), num(240 - bh), num(bw * 0.8), num(bh), kGreen, n, count, n, count, num(x + bw * 0.4), n,
                     num(x + bw * 0.4), num(236 - bh), count);
    x += bw;
  }
  o += "<text x=\"500\" y=\"280\" font-size=\"13\" text-anchor=\"middle\">padded tokens (the bucket AlphaFold 3 runs at)</text>"
       "<text x=\"20\" y=\"140\" font-size=\"13\" text-anchor=\"middle\" transform=\"rotate(-90 20 140)\">inputs (count)</text>\n"
       "</svg>\n";

  o += fmt::format("<h2>Inputs that fit nowhere ({})</h2>\n", s["fit_nowhere"].get<std::size_t>());
  if (s["unplaced"].empty()) {
    o += "<p>None: every input has a GPU class.</p>\n";
  } else {
    o += "<table id=\"unplaced\"><tr><th>input</th><th>file</th><th class=\"n\">tokens</th><th class=\"n\">expected peak (GB)"
         "</th><th>what would fit</th></tr>\n";
    for (const auto& u : s["unplaced"])
      o += fmt::format("<tr data-input=\"{}\" data-peak-bytes=\"{}\"><td>{}</td><td>{}</td><td class=\"n\">{}</td>"
                       "<td class=\"n\">{}</td><td>{}</td></tr>\n",
                       esc(u["input"].get<std::string>()), u["expected_peak"].get<std::int64_t>(),
                       esc(u["input"].get<std::string>()), esc(u["file"].get<std::string>()), u["tokens"].get<std::int64_t>(),
                       gb(u["expected_peak"].get<std::int64_t>()), esc(u["would_fit"].get<std::string>()));
    o += "</table>\n";
  }
  // Profile and calibration of the plans, per class.
  std::set<std::string> profiles, calibrations;
  for (const CampaignInput& in : c.inputs) {
    profiles.insert(in.placement->plan.after.profile_id);
    calibrations.insert(in.placement->plan.after.calibration_id);
  }
  auto joined = [](const std::set<std::string>& v) {
    std::string out;
    for (const std::string& x : v) out += (out.empty() ? "" : ", ") + x;
    return out.empty() ? std::string("none (no inputs)") : out;
  };
  o += provenance(std::string(version()), joined(profiles), joined(calibrations), s["af3_release"]);
  o += "</main>\n</body>\n</html>\n";
  return o;
}

}  // namespace foldfit::report
