// plan_bench.cpp - microseconds for one memory estimate (sizes given) and for one full
// plan search (including the drop-unneeded-levers pass), per input size and GPU.
//
// usage: plan_bench [--iterations=N]
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "foldfit/plan/planner.hpp"

namespace {

using Clock = std::chrono::steady_clock;

template <typename F>
double micros_per_call(int iterations, F&& f) {
  f();  // warm caches and lazy tables
  auto start = Clock::now();
  for (int i = 0; i < iterations; ++i) f();
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 2000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--iterations=", 0) == 0) iterations = std::stoi(a.substr(13));
  }
  using namespace foldfit;
  const MemoryModel& model = MemoryModel::builtin();
  Calibration identity;
  fmt::print("{:>6} {:<11} {:>14} {:>16} {:<15}\n", "tokens", "gpu", "estimate us", "plan search us", "verdict");
  for (std::int64_t tokens : {596, 2000, 3600, 5000}) {
    for (const char* gpu : {"A100-40GB", "H100-80GB", "L4"}) {
      PlanInputs in;
      in.sizes.name = "bench";
      in.sizes.tokens = tokens;
      in.sizes.padded_tokens = Buckets().pad(tokens);
      in.sizes.seeds = 1;
      in.device.spec = *find_gpu(gpu);
      in.device.total = in.device.spec.memory;
      in.margin = Bytes::from_gb(1);
      in.model = &model;
      ModelConfig config = in.settings.model_config(in.sizes.padded_tokens);
      Bytes sink;
      double est = micros_per_call(iterations, [&] { sink += model.estimate(config, identity).total; });
      Verdict verdict = Verdict::fits;
      double plan = micros_per_call(std::max(1, iterations / 20), [&] { verdict = fit_settings(in).verdict; });
      fmt::print("{:>6} {:<11} {:>14.1f} {:>16.1f} {:<15}\n", tokens, gpu, est, plan, verdict_name(verdict));
      if (sink.count() == 42) fmt::print("");  // keep the estimate from being optimised away
    }
  }
  return 0;
}
