// report_bench.cpp - milliseconds to render the HTML page of a campaign (report/html_report.hpp)
// of many inputs, beside the time to build its JSON summary (campaign_summary) from the same
// placements, and the page's size. The placements themselves (the planner) are not timed.
//
// Inputs: as campaign_bench, 50..2,000 tokens and every 50th 2,500..6,500 (some fit only the
// larger class, some nowhere), sized in memory (no files). The cluster: A100-40GB and
// H100-80GB classes and a CPU partition.
//
// usage: report_bench [--inputs=N] [--iterations=N]
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "foldfit/report/html_report.hpp"
#include "foldfit/schedule/campaign.hpp"
#include "foldfit/schedule/cluster.hpp"
#include "foldfit/schedule/placement.hpp"

namespace {

using Clock = std::chrono::steady_clock;

const char* kCluster = R"({
  "gres_template": "gpu:{type}:1",
  "cpu_partition": {"name": "cpu", "cpus": 16, "mem_mb": 64000, "time_limit": "1-00:00:00"},
  "gpu_classes": [
    {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 4, "mem_mb": 256000, "cpus": 32},
    {"partition": "gpu", "gres_type": "h100", "gpu": "H100-80GB", "gpus_per_node": 4, "mem_mb": 512000, "cpus": 32}
  ]
})";

template <typename F>
double millis(int iterations, F&& f) {
  f();
  auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) f();
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 10000;
  int iterations = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--inputs=", 0) == 0) n = std::stoul(a.substr(9));
    else if (a.rfind("--iterations=", 0) == 0) iterations = std::stoi(a.substr(13));
    else {
      fmt::print(stderr, "usage: report_bench [--inputs=N] [--iterations=N]\n");
      return 2;
    }
  }
  using namespace foldfit;
  Campaign campaign;
  campaign.cluster = parse_cluster_file(kCluster, "report_bench cluster", ClusterOverrides{});
  campaign.release = choose_af3_release(std::string("v3.0.4"), std::nullopt);
  Placer placer(campaign.cluster, {{"af3_release", "v3.0.4"}}, {});
  for (std::size_t i = 0; i < n; ++i) {
    Sizes s;
    s.name = fmt::format("job{}", i);
    s.file = fmt::format("job{:06}.json", i);
    s.tokens = static_cast<std::int64_t>(i % 50 == 49 ? 2500 + (i * 104729) % 4000 : 50 + (i * 7919) % 1950);
    s.padded_tokens = Buckets().pad(s.tokens);
    s.chains = 1;
    s.seeds = i % 5 + 1;
    campaign.inputs.push_back(campaign_input(s, placer.place(s)));
  }
  CampaignOptions options;
  options.plan_dir = "/nonexistent/plan";
  options.output_dir = "/nonexistent/out";
  build_arrays(campaign, options);  // also counts the inputs that fit nowhere

  nlohmann::ordered_json summary;
  const double summary_ms = millis(iterations, [&] { summary = campaign_summary(campaign); });
  std::string page;
  const double html_ms = millis(iterations, [&] { page = report::campaign_html(campaign, summary); });
  fmt::print("campaign of {} inputs ({} fit nowhere), {} iterations\n", n, campaign.unplaced, iterations);
  fmt::print("{:<36} {:>10}\n", "", "ms");
  fmt::print("{:<36} {:>10.2f}\n", "campaign_summary (the JSON)", summary_ms);
  fmt::print("{:<36} {:>10.2f}\n", "campaign_html (the page)", html_ms);
  fmt::print("page: {} bytes\n", page.size());
  return 0;
}
