// The HTML report: well-formed (every tag closed, attributes quoted: the SVG parts are XML),
// and its figures are the JSON report's, the planner's and XLA's table's.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "foldfit/plan/planning.hpp"
#include "foldfit/report/estimate_report.hpp"
#include "foldfit/report/html_report.hpp"

namespace foldfit {
namespace {

struct NoGpus : GpuQuery {
  std::vector<DetectedGpu> list() override { return {}; }
  std::string unavailable_reason() const override { return "no NVML in this test"; }
};

Sizes sizes_of(std::int64_t tokens) {
  Sizes s;
  s.name = "complex <A&B>";
  s.tokens = tokens;
  s.padded_tokens = Buckets().pad(tokens);
  s.chains = 2;
  s.seeds = 1;
  return s;
}

// An XML-ish check of the whole page: after the doctype, every element is closed in
// order (or self-closed), attribute values are double-quoted, text holds no raw '<' and
// '&' only starts an entity. Returns "" when well-formed, else what is wrong and where.
std::string well_formed(const std::string& doc) {
  std::size_t i = 0;
  const std::string doctype = "<!DOCTYPE html>";
  if (doc.compare(0, doctype.size(), doctype) != 0) return "no doctype";
  i = doctype.size();
  std::vector<std::string> open;
  const std::regex entity("^&(amp|lt|gt|quot|#[0-9]+);");
  while (i < doc.size()) {
    char c = doc[i];
    if (c == '&') {
      std::smatch m;
      std::string rest = doc.substr(i, 8);
      if (!std::regex_search(rest, m, entity)) return "bare & at " + std::to_string(i);
      i += static_cast<std::size_t>(m.length(0));
      continue;
    }
    if (c != '<') {
      if (c == '>') return "bare > at " + std::to_string(i);
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    bool closing = j < doc.size() && doc[j] == '/';
    if (closing) ++j;
    std::size_t name_start = j;
    while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == '-' || doc[j] == ':')) ++j;
    std::string name = doc.substr(name_start, j - name_start);
    if (name.empty()) return "bad tag at " + std::to_string(i);
    bool self_closed = false;
    // Attributes: name="value", values without '<' or a raw '&'.
    while (true) {
      while (j < doc.size() && std::isspace(static_cast<unsigned char>(doc[j]))) ++j;
      if (j >= doc.size()) return "unterminated tag " + name;
      if (doc[j] == '>') break;
      if (doc[j] == '/' && j + 1 < doc.size() && doc[j + 1] == '>') {
        self_closed = true;
        ++j;
        break;
      }
      if (closing) return "attributes on a closing tag " + name;
      std::size_t a = j;
      while (j < doc.size() && (std::isalnum(static_cast<unsigned char>(doc[j])) || doc[j] == '-' || doc[j] == ':')) ++j;
      if (j == a || j + 1 >= doc.size() || doc[j] != '=' || doc[j + 1] != '"')
        return "unquoted attribute in " + name + " at " + std::to_string(a);
      j += 2;
      while (j < doc.size() && doc[j] != '"') {
        if (doc[j] == '<') return "'<' in an attribute of " + name;
        if (doc[j] == '&') {
          std::smatch m;
          std::string rest = doc.substr(j, 8);
          if (!std::regex_search(rest, m, entity)) return "bare & in an attribute of " + name;
        }
        ++j;
      }
      ++j;
    }
    i = j + 1;
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes " + (open.empty() ? std::string("nothing") : "<" + open.back() + ">");
      open.pop_back();
    } else if (!self_closed) {
      open.push_back(name);
      // <style>: CSS up to </style>, no markup inside.
      if (name == "style") {
        std::size_t end = doc.find("</style>", i);
        if (end == std::string::npos || doc.substr(i, end - i).find('<') != std::string::npos) return "bad <style>";
        i = end;
      }
    }
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

// The attributes of the element with id `id`.
std::map<std::string, std::string> attributes_of_id(const std::string& html, const std::string& id) {
  std::size_t at = html.find(" id=\"" + id + "\"");
  EXPECT_NE(at, std::string::npos) << id;
  std::size_t start = html.rfind('<', at), end = html.find('>', at);
  std::string tag = html.substr(start, end - start);
  std::map<std::string, std::string> out;
  std::regex attr("([a-z-]+)=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(tag.begin(), tag.end(), attr); it != std::sregex_iterator(); ++it)
    out[(*it)[1]] = (*it)[2];
  return out;
}

std::int64_t num(const std::string& s) { return std::stoll(s); }

struct Page {
  Planning planning;
  PlannedInput planned;
  nlohmann::ordered_json json;
  report::EstimateCharts charts;
  std::string html;
};

Page page(std::int64_t tokens, std::map<std::string, std::string> flags) {
  NoGpus none;
  flags["af3_release"] = "v3.0.4";
  Page p;
  p.planning = make_planning(flags, {}, none);
  p.planned = plan_input(sizes_of(tokens), p.planning.request);
  p.json = report::estimate_json(report::report_of(p.planned));
  p.charts = report::estimate_charts(p.planned, p.planning.request);
  p.html = report::estimate_html(p.json, p.charts);
  return p;
}

TEST(HtmlReport, WellFormedAndSelfContained) {
  for (auto [tokens, gpu] : {std::pair<std::int64_t, const char*>{1500, "H100-80GB"}, {3000, "A100-40GB"}, {6000, "L4"}}) {
    Page p = page(tokens, {{"gpu", gpu}});
    EXPECT_EQ(well_formed(p.html), "") << gpu;
    // Nothing fetched, nothing run.
    for (const char* banned : {"<script", "http://", "https://", "src=", "<link", "@import", "url(http"}) {
      std::string h = p.html;
      // The SVG namespace is a name, not a fetch.
      for (std::size_t at; (at = h.find("http://www.w3.org/2000/svg")) != std::string::npos;) h.erase(at, 26);
      EXPECT_EQ(h.find(banned), std::string::npos) << banned;
    }
    // The input's name is escaped.
    EXPECT_NE(p.html.find("complex &lt;A&amp;B&gt;"), std::string::npos);
  }
}

TEST(HtmlReport, FiguresAreTheJsonReports) {
  Page p = page(3000, {{"gpu", "A100-40GB"}});
  auto marker = attributes_of_id(p.html, "marker");
  EXPECT_EQ(num(marker["data-peak-bytes"]), p.json["plan"]["total_bytes"].get<std::int64_t>());
  EXPECT_EQ(num(marker["data-budget-bytes"]), p.json["gpu"]["budget_bytes"].get<std::int64_t>());
  EXPECT_EQ(num(marker["data-gpu-bytes"]), p.json["gpu"]["total_bytes"].get<std::int64_t>());
  EXPECT_EQ(num(marker["data-padded-tokens"]), p.json["padded_tokens"].get<std::int64_t>());
  EXPECT_EQ(num(marker["data-tokens"]), 3000);
  auto summary = attributes_of_id(p.html, "summary");
  EXPECT_EQ(num(summary["data-peak-as-given-bytes"]), p.json["estimate"]["total_bytes"].get<std::int64_t>());
  EXPECT_EQ(summary["data-verdict"], p.json["verdict"].get<std::string>());
  EXPECT_EQ(attributes_of_id(p.html, "phase-chart")["data-peak-phase"],
            p.json["plan"]["estimate"]["peak_phase"].get<std::string>());
  EXPECT_EQ(num(attributes_of_id(p.html, "line-gpu-memory")["data-bytes"]), p.json["gpu"]["total_bytes"].get<std::int64_t>());
  EXPECT_EQ(num(attributes_of_id(p.html, "line-jax-pool")["data-bytes"]), p.json["gpu"]["budget_bytes"].get<std::int64_t>());
  // Each change of the plan, with what the JSON credits it.
  std::regex change("<tr class=\"change\" data-setting=\"([^\"]*)\" data-saves-bytes=\"([0-9-]+)\"");
  std::size_t k = 0;
  for (auto it = std::sregex_iterator(p.html.begin(), p.html.end(), change); it != std::sregex_iterator(); ++it, ++k) {
    ASSERT_LT(k, p.json["plan"]["changes"].size());
    EXPECT_EQ((*it)[1], p.json["plan"]["changes"][k]["setting"].get<std::string>());
    EXPECT_EQ(num((*it)[2]), p.json["plan"]["changes"][k]["saves_bytes"].get<std::int64_t>());
  }
  EXPECT_EQ(k, p.json["plan"]["changes"].size());
}

TEST(HtmlReport, CurveIsThePlannersEstimate) {
  Page p = page(3000, {{"gpu", "A100-40GB"}});
  ASSERT_FALSE(p.charts.curves.empty());
  const report::Curve& plan = p.charts.curves.front();
  EXPECT_EQ(plan.key, "plan");
  bool found = false;
  for (const report::CurveStep& s : plan.steps) {
    EXPECT_LE(s.from, s.to);
    if (s.from <= 3000 && 3000 <= s.to) {
      found = true;
      EXPECT_EQ(s.padded, p.planned.plan.padded_tokens);
      EXPECT_EQ(s.total, p.planned.plan.after.total);
      EXPECT_EQ(s.low, p.planned.plan.after.low);
      EXPECT_EQ(s.high, p.planned.plan.after.high);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_GE(p.charts.max_tokens, 3000);
  // Every curve is drawn, the plan's first in the legend.
  for (const report::Curve& c : p.charts.curves) {
    EXPECT_NE(p.html.find("id=\"curve-" + c.key + "\""), std::string::npos) << c.key;
    EXPECT_NE(p.html.find("id=\"legend-curve-" + c.key + "\""), std::string::npos) << c.key;
  }
}

TEST(HtmlReport, AlternativesAreOneChangeFromThePlan) {
  Page p = page(2000, {{"gpu", "A100-80GB"}});
  const Plan& plan = p.planned.plan;
  std::map<std::string, RunSettings> expected;
  RunSettings xla = plan.settings;
  xla.flash_attention.value = "xla";
  expected["xla_attention"] = xla;
  RunSettings one = plan.settings;
  one.num_diffusion_samples.value = 1;
  expected["one_sample"] = one;
  RunSettings shard = plan.settings;
  shard.pair_transition_shard_spec.value = documented_40gb_shard_spec();
  expected["shard_40gb"] = shard;
  // 2000 tokens pad to 2048 with v3.0.4's buckets; the planner's custom bucket is 2016.
  RunSettings custom = plan.settings;
  std::vector<std::int64_t> b = custom.buckets.value.sizes();
  b.push_back(2016);
  std::sort(b.begin(), b.end());
  custom.buckets.value = Buckets(b);
  expected["custom_bucket"] = custom;
  std::size_t checked = 0;
  for (const report::Curve& c : p.charts.curves) {
    auto it = expected.find(c.key);
    if (it == expected.end()) continue;
    ++checked;
    for (const report::CurveStep& s : c.steps) {
      MemoryEstimate e = estimate_at(p.planned.inputs, it->second, s.to);
      EXPECT_EQ(s.total, e.total) << c.key << " at " << s.to;
    }
  }
  EXPECT_EQ(checked, expected.size());
  // XLA attention needs more memory than flash attention at the largest size shown.
  const report::Curve* flash = &p.charts.curves.front();
  for (const report::Curve& c : p.charts.curves)
    if (c.key == "xla_attention") {
      EXPECT_GT(c.steps.back().total, flash->steps.back().total);
    }
}

TEST(HtmlReport, EveryTableGpuWithTheVerdictEstimateGives) {
  Page p = page(2500, {{"gpu", "A100-40GB"}, {"num_diffusion_samples", "5"}});
  std::regex row("<tr class=\"[a-z]+\" data-gpu=\"([^\"]+)\" data-verdict=\"([a-z_]+)\" data-peak-bytes=\"([0-9]+)\"");
  std::size_t rows = 0;
  for (auto it = std::sregex_iterator(p.html.begin(), p.html.end(), row); it != std::sregex_iterator(); ++it, ++rows) {
    // What `foldfit estimate --gpu=NAME` with the same flags reports.
    NoGpus none;
    Planning other = make_planning({{"gpu", (*it)[1]}, {"num_diffusion_samples", "5"}, {"af3_release", "v3.0.4"}}, {}, none);
    nlohmann::ordered_json j = report::estimate_json(report::report_of(plan_input(sizes_of(2500), other.request)));
    EXPECT_EQ((*it)[2], j["verdict"].get<std::string>()) << (*it)[1];
    EXPECT_EQ(num((*it)[3]), j["plan"]["total_bytes"].get<std::int64_t>()) << (*it)[1];
  }
  EXPECT_EQ(rows, gpu_table().size());
}

TEST(HtmlReport, XlaCompilesOfThisGpuOnTheSameAxes) {
  Page p = page(1500, {{"gpu", "H100-80GB"}});
  ASSERT_FALSE(p.charts.xla.empty());
  std::size_t expected = 0;
  for (const XlaCompile& x : report::builtin_xla_compiles())
    if (x.backend == "cuda-deviceless" && x.target == "H100-80GB" && x.measurement.config.flash_attention == "triton" &&
        x.measurement.config.num_diffusion_samples == 5 &&
        x.measurement.config.pair_transition_shard_spec == default_pair_transition_shard_spec() &&
        x.measurement.config.glu_implementation == p.planned.plan.after.glu_implementation &&
        x.measurement.config.padded_tokens <= p.charts.max_tokens)
      ++expected;
  EXPECT_EQ(p.charts.xla.size(), expected);
  std::regex point("class=\"xla-point\"[^>]* data-padded-tokens=\"([0-9]+)\" data-pool-bytes=\"([0-9]+)\"");
  std::size_t k = 0;
  for (auto it = std::sregex_iterator(p.html.begin(), p.html.end(), point); it != std::sregex_iterator(); ++it, ++k) {
    ASSERT_LT(k, p.charts.xla.size());
    EXPECT_EQ(num((*it)[1]), p.charts.xla[k].padded);
    EXPECT_EQ(num((*it)[2]), p.charts.xla[k].pool.count());
  }
  EXPECT_EQ(k, expected);
  EXPECT_NE(p.html.find("deviceless XLA compile"), std::string::npos);
  // No compile was made for this GPU: no points, and the page says so.
  Page l4 = page(1500, {{"gpu", "L4"}});
  EXPECT_TRUE(l4.charts.xla.empty());
  EXPECT_EQ(l4.html.find("class=\"xla-point\""), std::string::npos);
  EXPECT_NE(l4.html.find("No XLA compile figures exist"), std::string::npos);
}

TEST(HtmlReport, UnifiedMemoryRegion) {
  // --max_gpu_memory_gb above the card: the pool's part in host RAM is the region.
  Page p = page(5000, {{"gpu", "A100-40GB"}, {"max_gpu_memory_gb", "60"}, {"host_ram_gb", "500"}});
  auto region = attributes_of_id(p.html, "unified-memory-region");
  EXPECT_EQ(num(region["data-from-bytes"]), p.json["gpu"]["total_bytes"].get<std::int64_t>());
  EXPECT_EQ(num(region["data-to-bytes"]) - num(region["data-from-bytes"]),
            p.json["gpu"]["budget_host_spill_bytes"].get<std::int64_t>());
  EXPECT_EQ(well_formed(p.html), "");
}

TEST(HtmlReport, CheckerFindsFaults) {
  EXPECT_NE(well_formed("<!DOCTYPE html><html><body></html>"), "");
  EXPECT_NE(well_formed("<!DOCTYPE html><html><svg><g></svg></g></html>"), "");
  EXPECT_NE(well_formed("<!DOCTYPE html><html a=b></html>"), "");
  EXPECT_NE(well_formed("<!DOCTYPE html><p>a & b</p>"), "");
  EXPECT_EQ(well_formed("<!DOCTYPE html><p a=\"1\">a &amp; b<br/></p>"), "");
}

}  // namespace
}  // namespace foldfit
