// planner.cpp - the fitting search (see planner.hpp and docs/planner.md).
#include "foldfit/plan/planner.hpp"

#include "foldfit/model/glu.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace foldfit {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::fits: return "fits";
    case Verdict::fits_with_plan: return "fits_with_plan";
    case Verdict::cannot_fit: return "cannot_fit";
  }
  return "?";
}

namespace {

// AlphaFold 3's Docker image preallocates 95% of the device (docker/Dockerfile).
constexpr double kDockerFraction = 0.95;
// The pair-transition spec AlphaFold 3 documents for 40 GB cards (docs/performance.md).
const char* kShardSpec40GB = "((2048, None), (3072, 1024), (None, 512))";
// Smaller shards / chunks than AlphaFold 3 documents: the model credits what they save.
const char* kShardSpecSmall = "((None, 256),)";
const char* kChunkSmall = "((None, 16),)";
// AlphaFold 3 documents unified memory with fraction 3.2 (docs/performance.md).
constexpr double kDocumentedUnifiedFraction = 3.2;
// A change that cannot make an input fit is kept in the best attempt only when it
// saves at least this share of the peak (a 5-way sample split saving 1% is not worth 5x
// the trunk's time).
constexpr double kMinUsefulShare = 0.02;

const CalibrationSet& calibrations_of(const PlanInputs& in) {
  static const CalibrationSet builtin;
  return in.calibrations ? *in.calibrations : builtin;
}

Calibration calibration_for(const PlanInputs& in, const std::string& architecture, const std::string& flash) {
  return calibrations_of(in).lookup(in.model->id(), architecture, flash);
}

// The model config AlphaFold 3 runs for settings `s` at padded size n on `gpu`: the
// settings' fields plus the gated linear unit the GPU and the AlphaFold 3 build choose.
ModelConfig model_config_on(const PlanInputs& in, const RunSettings& s, std::int64_t n, const GpuSpec& gpu) {
  ModelConfig c = s.model_config(n);
  GluChoice glu = glu_for(gpu.cc_major, gpu.cc_minor, in.af3_release);
  c.glu_implementation = glu.implementation;
  c.glu_origin = glu.why;
  return c;
}

struct Context {
  const PlanInputs& in;
  Calibration calibration;

  MemoryEstimate estimate(const RunSettings& s) const {
    return in.model->estimate(model_config_on(in, s, s.padded_tokens(in.sizes.tokens), in.device.spec), calibration);
  }
  bool fits(const RunSettings& s) const {
    return foldfit::fits(estimate(s), s, in.device, in.margin);
  }
};

std::string on_off(bool b) { return b ? "true" : "false"; }

// The unified-memory fraction --max_gpu_memory_gb permits: (card + spill) / card, rounded
// down to a hundredth so the pool never exceeds what the user allowed.
double permitted_fraction(const Device& d) {
  if (d.total <= Bytes(0)) return 0;
  double f = static_cast<double>((d.total + d.spill_permitted).count()) / static_cast<double>(d.total.count());
  return std::floor(f * 100) / 100;
}
std::string fraction_text(double f) { return fmt::format("{:.2f}", f); }

// One lever: a change to the settings and how to describe it. `apply` returns false
// when the lever does not apply (user set it, already at that value, not supported).
struct Lever {
  std::string setting;
  std::string quality;  // "none" or what is lost
  std::string speed;
  std::function<bool(RunSettings&, const Context&, Change&)> apply;
};

std::vector<Lever> levers(const Context& ctx) {
  const Device& dev = ctx.in.device;
  const Sizes& sz = ctx.in.sizes;
  std::vector<Lever> out;

  out.push_back({"XLA_CLIENT_MEM_FRACTION", "none", "none", [&](RunSettings& s, const Context&, Change& c) {
                   if (s.mem_fraction.user_set() || s.unified_memory.value || s.mem_fraction.value >= kDockerFraction)
                     return false;
                   c.from = fraction_text(s.mem_fraction.value);
                   s.mem_fraction.value = kDockerFraction;
                   c.to = fraction_text(kDockerFraction);
                   c.reason = "let JAX's allocator use 95% of the device, as AlphaFold 3's Docker image does";
                   return true;
                 }});

  out.push_back({"buckets", "none", "one extra compile for this size", [&](RunSettings& s, const Context&, Change& c) {
                   if (s.buckets.user_set()) return false;
                   std::int64_t padded = s.buckets.value.pad(sz.tokens);
                   std::int64_t tight = tight_bucket(sz.tokens);
                   if (tight >= padded) return false;
                   std::vector<std::int64_t> b = s.buckets.value.sizes();
                   b.push_back(tight);
                   std::sort(b.begin(), b.end());
                   c.from = fmt::format("pads to {}", padded);
                   s.buckets.value = Buckets(b);
                   c.to = fmt::format("pads to {} ({})", tight, s.buckets.value.to_string());
                   c.reason = fmt::format("{} tokens need less padding than the {} bucket", sz.tokens, padded);
                   return true;
                 }});

  out.push_back({"flash_attention_implementation", "none", "faster", [&](RunSettings& s, const Context&, Change& c) {
                   if (s.flash_attention.user_set() || s.flash_attention.value != "xla" || dev.spec.cc_major < 8)
                     return false;
                   c.from = s.flash_attention.value;
                   s.flash_attention.value = "triton";
                   c.to = "triton";
                   c.reason = "flash attention avoids materialising attention logits (compute capability >= 8.0)";
                   return true;
                 }});

  for (const char* field : {"save_embeddings", "save_distogram"}) {
    std::string name = field;
    out.push_back({name, "the optional output is not written", "none", [name](RunSettings& s, const Context&, Change& c) {
                     Setting<bool>& f = name == "save_embeddings" ? s.save_embeddings : s.save_distogram;
                     if (f.user_set() || !f.value) return false;
                     f.value = false;
                     c.from = "true";
                     c.to = "false";
                     c.reason = "the saved output is an extra [N,N,C] buffer";
                     return true;
                   }});
  }

  for (const char* spec : {kShardSpec40GB, kShardSpecSmall}) {
    std::string text = spec;
    out.push_back({"pair_transition_shard_spec", "none", "slightly slower", [text](RunSettings& s, const Context&, Change& c) {
                     SizeSpec next = SizeSpec::parse(text);
                     if (s.pair_transition_shard_spec.user_set() || s.pair_transition_shard_spec.value == next) return false;
                     c.from = s.pair_transition_shard_spec.value.to_string();
                     s.pair_transition_shard_spec.value = next;
                     c.to = next.to_string();
                     c.reason = "shard the pair transition over rows (model config, applied by foldfit's adapter)";
                     return true;
                   }});
  }

  out.push_back({"pair_attention_chunk_size", "none", "slightly slower", [](RunSettings& s, const Context&, Change& c) {
                   SizeSpec next = SizeSpec::parse(kChunkSmall);
                   if (s.pair_attention_chunk_size.user_set() || s.pair_attention_chunk_size.value == next) return false;
                   c.from = s.pair_attention_chunk_size.value.to_string();
                   s.pair_attention_chunk_size.value = next;
                   c.to = next.to_string();
                   c.reason = "smaller pair-attention chunks (model config, applied by foldfit's adapter)";
                   return true;
                 }});

  out.push_back({"sample_runs", "none (same number of samples, split over seeds)", "slower: the trunk runs once per split",
                 [](RunSettings& s, const Context& cx, Change& c) {
                   if (s.sample_runs.user_set() || s.num_diffusion_samples.user_set()) return false;
                   int samples = s.num_diffusion_samples.value;
                   int before = s.samples_per_run();
                   // Fewest runs that fit, else one sample per run.
                   for (int runs = s.sample_runs.value + 1; runs <= samples; ++runs) {
                     RunSettings t = s;
                     t.sample_runs.value = runs;
                     if (t.samples_per_run() == before) continue;
                     if (cx.fits(t) || t.samples_per_run() == 1) {
                       c.from = fmt::format("1 run of {} samples", samples);
                       s.sample_runs.value = runs;
                       c.to = fmt::format("{} runs of {} samples, each with its own seed", runs, s.samples_per_run());
                       c.reason = "diffusion samples run together; fewer per run lowers the diffusion peak";
                       return true;
                     }
                   }
                   return false;
                 }});

  out.push_back({"unified memory", "none", "much slower (spills to host RAM)", [&](RunSettings& s, const Context&, Change& c) {
                   // Only with the user's permission (--max_gpu_memory_gb above the card).
                   if (dev.spill_permitted <= Bytes(0) || s.unified_memory.user_set() || s.unified_memory.value ||
                       s.mem_fraction.user_set() || s.preallocate.user_set())
                     return false;
                   double fraction = permitted_fraction(dev);
                   if (fraction <= 1.0) return false;
                   c.from = fmt::format("PREALLOCATE={}, fraction {}", on_off(s.preallocate.value),
                                        fraction_text(s.mem_fraction.value));
                   s.unified_memory.value = true;
                   s.preallocate.value = false;
                   s.mem_fraction.value = fraction;
                   c.to = fmt::format("TF_FORCE_UNIFIED_MEMORY=true, PREALLOCATE=false, fraction {}", fraction_text(fraction));
                   c.reason = "let the peak spill from GPU memory into host RAM";
                   return true;
                 }});

  out.push_back({"num_diffusion_samples", "fewer structures to rank", "faster", [](RunSettings& s, const Context& cx, Change& c) {
                   if (s.num_diffusion_samples.user_set()) return false;
                   int start = s.num_diffusion_samples.value;
                   for (int n = start - 1; n >= 1; --n) {
                     RunSettings t = s;
                     t.num_diffusion_samples.value = n;
                     t.sample_runs.value = 1;
                     if (cx.fits(t) || n == 1) {
                       c.from = std::to_string(start);
                       s.num_diffusion_samples.value = n;
                       s.sample_runs.value = 1;
                       c.to = std::to_string(n);
                       c.reason = "lossy: fewer diffusion samples lower the diffusion peak";
                       return true;
                     }
                   }
                   return false;
                 }});
  return out;
}

// The settings AlphaFold 3 needs to run at all on this GPU: compute capability below 8.0
// has no triton/cudnn kernels, so attention must be xla (unless the user chose otherwise,
// which the environment check then reports as an error).
RunSettings required_settings(const PlanInputs& in, const Context& ctx, std::vector<Change>* changes) {
  RunSettings s = in.settings;
  const GpuSpec& g = in.device.spec;
  if (g.cc_major > 0 && g.cc_major < 8 && s.flash_attention.value != "xla" && !s.flash_attention.user_set()) {
    RunSettings t = s;
    t.flash_attention.value = "xla";
    if (changes)
      changes->push_back({"flash_attention_implementation", s.flash_attention.value, "xla",
                          fmt::format("compute capability {}.{} supports only xla attention", g.cc_major, g.cc_minor),
                          ctx.estimate(s).pool - ctx.estimate(t).pool, "none", "slower", Bytes(0)});
    s = t;
  }
  return s;
}

std::string user_blocker(const RunSettings& s, const Context& ctx) {
  std::vector<std::string> b;
  if (s.num_diffusion_samples.user_set() && s.num_diffusion_samples.value > 1)
    b.push_back(fmt::format("--num_diffusion_samples={} (set by you)", s.num_diffusion_samples.value));
  if (s.flash_attention.user_set() && s.flash_attention.value == "xla" && ctx.in.device.spec.cc_major >= 8)
    b.push_back("--flash_attention_implementation=xla (set by you)");
  if (s.buckets.user_set()) b.push_back(fmt::format("--buckets={} (set by you)", s.buckets.value.to_string()));
  if (s.mem_fraction.user_set()) b.push_back(fmt::format("the memory fraction {} (set in the environment)", s.mem_fraction.value));
  if (s.unified_memory.user_set() && !s.unified_memory.value) b.push_back("TF_FORCE_UNIFIED_MEMORY=false (set in the environment)");
  if (s.save_embeddings.user_set() && s.save_embeddings.value) b.push_back("--save_embeddings (set by you)");
  if (s.save_distogram.user_set() && s.save_distogram.value) b.push_back("--save_distogram (set by you)");
  std::string out;
  for (const std::string& x : b) out += (out.empty() ? "" : "; ") + x;
  return out;
}

}  // namespace

MemoryBudget budget_for(const RunSettings& s, const Device& d) { return memory_budget(s.environment(), d.total); }

bool fits(const MemoryEstimate& e, const RunSettings& s, const Device& d, Bytes margin) {
  MemoryBudget b = budget_for(s, d);
  Bytes need = e.pool + margin;
  if (need > b.pool) return false;
  // What the device can give the pool once the CUDA context, library workspaces and
  // other processes have their share. A preallocating BFC allocator that cannot get its
  // whole cap retries with 90% of the request (tsl BFCAllocator::Extend, kBackpedalFactor),
  // so the pool shrinks to what is free rather than failing.
  Bytes room = d.total - d.used_by_others - e.overhead;
  if (need <= room) return true;
  if (!s.unified_memory.value) return false;
  // Unified memory: the overflow lives in host RAM (unknown host RAM is not checked).
  return d.host_ram == Bytes(0) || need - room <= d.host_ram;
}

Plan fit_settings(const PlanInputs& in) {
  Context ctx{in, calibration_for(in, in.device.spec.architecture, in.settings.flash_attention.value)};
  Plan plan;
  plan.margin = in.margin;
  RunSettings s = required_settings(in, ctx, &plan.changes);
  plan.before = ctx.estimate(in.settings);
  plan.budget_before = budget_for(in.settings, in.device);
  plan.padded_tokens_before = in.settings.padded_tokens(in.sizes.tokens);

  // Pull levers cheapest first until the input fits.
  const std::vector<Lever> all = levers(ctx);
  const RunSettings start = s;
  // Applies the levers `chosen` (indices into `all`) to `start`; their changes go to `changes`.
  auto rebuild = [&](const std::vector<std::size_t>& chosen, std::vector<Change>* changes) {
    RunSettings t = start;
    for (std::size_t i : chosen) {
      RunSettings next = t;
      Change c{all[i].setting, "", "", "", Bytes(0), all[i].quality, all[i].speed, Bytes(0)};
      if (!all[i].apply(next, ctx, c)) continue;
      c.saves = ctx.estimate(t).pool - ctx.estimate(next).pool;
      c.budget_gain = budget_for(next, in.device).pool - budget_for(t, in.device).pool;
      if (changes) changes->push_back(c);
      t = next;
    }
    return t;
  };
  auto is_budget_lever = [&](std::size_t i) {
    return all[i].setting == "XLA_CLIENT_MEM_FRACTION" || all[i].setting == "unified memory";
  };
  std::vector<std::size_t> chosen;
  bool ok = ctx.fits(s);
  for (std::size_t i = 0; !ok && i < all.size(); ++i) {
    RunSettings next = s;
    Change c;
    if (!all[i].apply(next, ctx, c)) continue;
    // Budget levers enlarge the pool; every other lever must lower the peak to count.
    if (!is_budget_lever(i) && ctx.estimate(next).pool >= ctx.estimate(s).pool) continue;
    chosen.push_back(i);
    s = next;
    ok = ctx.fits(s);
  }
  if (ok) {
    // Drop levers the fit does not need, costliest first. With unified memory in the plan
    // a lossless lever that costs no time stays: it shrinks the spill and its slowdown.
    bool spills = std::any_of(chosen.begin(), chosen.end(), [&](std::size_t i) { return all[i].setting == "unified memory"; });
    for (std::size_t k = chosen.size(); k-- > 0;) {
      if (spills && !is_budget_lever(chosen[k]) && all[chosen[k]].speed.find("slower") == std::string::npos &&
          all[chosen[k]].quality == "none")
        continue;
      std::vector<std::size_t> without;
      for (std::size_t i = 0; i < chosen.size(); ++i)
        if (i != k) without.push_back(chosen[i]);
      if (ctx.fits(rebuild(without, nullptr))) chosen = without;
    }
  } else {
    // Nothing fits: the best attempt keeps only the changes that really help, each
    // saving at least kMinUsefulShare of the peak as given.
    Bytes useful = plan.before.pool.scaled(kMinUsefulShare);
    std::vector<std::size_t> kept;
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      std::vector<std::size_t> with = kept, without = kept;
      with.push_back(chosen[k]);
      if (is_budget_lever(chosen[k]) ||
          ctx.estimate(rebuild(without, nullptr)).pool - ctx.estimate(rebuild(with, nullptr)).pool >= useful)
        kept = with;
    }
    chosen = kept;
  }
  std::vector<Change> applied = plan.changes;
  s = rebuild(chosen, &applied);
  mark_planned(s, in.settings);
  plan.changes = applied;
  plan.settings = s;
  plan.padded_tokens = s.padded_tokens(in.sizes.tokens);
  plan.after = ctx.estimate(s);
  plan.budget = budget_for(s, in.device);
  plan.findings = check_environment(s.environment(), in.device.spec.cc_major, in.device.spec.cc_minor,
                                    s.flash_attention.value, in.device.total);
  bool changed = !plan.changes.empty();
  plan.verdict = ok ? (changed ? Verdict::fits_with_plan : Verdict::fits) : Verdict::cannot_fit;

  Bytes room = in.device.total - in.device.used_by_others - plan.after.overhead;
  if (s.unified_memory.value && plan.after.pool + in.margin > room) plan.host_ram_needed = plan.after.pool + in.margin - room;

  plan.runtime = estimate_runtime(runtime_inputs(plan, in), in.device.spec);

  if (!ok) {
    std::string blockers = user_blocker(in.settings, ctx);
    if (!blockers.empty()) plan.blocked_by.push_back(blockers);
    plan.smallest_fitting_gpu = minimum_gpu(in);
    MemoryEstimate e = plan.after;
    Bytes spill = e.pool + in.margin - room;
    double fraction = std::ceil(static_cast<double>((e.pool + in.margin).count()) /
                                static_cast<double>(std::max<std::int64_t>(1, in.device.total.count())) * 10) / 10;
    fraction = std::max(1.1, fraction);
    std::string host = in.device.host_ram > Bytes(0)
                           ? fmt::format("; this node has {} ({})", format_gb(in.device.host_ram), in.device.host_ram_origin)
                           : "; give --host_ram_gb to check it against the GPU node's RAM";
    if (spill > Bytes(0) && !s.unified_memory.value)
      plan.unified_memory_option = fmt::format(
          "with --max_gpu_memory_gb={:.0f} foldfit may plan unified memory (TF_FORCE_UNIFIED_MEMORY=true, "
          "XLA_PYTHON_CLIENT_PREALLOCATE=false, XLA_CLIENT_MEM_FRACTION={:.1f}): about {} would spill to host RAM{}, "
          "and spilled steps run much slower{}",
          std::ceil(in.device.total.gb() * fraction), fraction, format_gb(spill), host,
          fraction > kDocumentedUnifiedFraction ? "; beyond the 3.2 AlphaFold 3 documents" : "");
    else if (spill > Bytes(0))
      plan.unified_memory_option = fmt::format("unified memory is on, and about {} would have to spill to host RAM{}",
                                               format_gb(spill), host);
    // The largest size this device holds at the plan's settings.
    std::int64_t lo = 0;
    for (std::int64_t n = 128; n <= in.sizes.tokens; n += 128) {
      RunSettings t = s;
      t.buckets.value = Buckets({n});
      if (fits(in.model->estimate(model_config_on(in, t, n, in.device.spec), ctx.calibration), t, in.device, in.margin)) lo = n;
    }
    plan.split_advice = lo > 0 ? fmt::format("split the complex into parts of at most {} tokens (this GPU's limit at "
                                             "these settings), e.g. fold sub-complexes separately",
                                             lo)
                               : "even the smallest bucket does not fit this GPU at these settings";
  }
  return plan;
}

std::int64_t tight_bucket(std::int64_t tokens) { return (tokens + 31) / 32 * 32; }

const SizeSpec& documented_40gb_shard_spec() {
  static const SizeSpec spec = SizeSpec::parse(kShardSpec40GB);
  return spec;
}

MemoryEstimate estimate_at(const PlanInputs& in, const RunSettings& s, std::int64_t tokens) {
  Calibration cal = calibration_for(in, in.device.spec.architecture, s.flash_attention.value);
  return in.model->estimate(model_config_on(in, s, s.padded_tokens(tokens), in.device.spec), cal);
}

RuntimeInputs runtime_inputs(const Plan& plan, const PlanInputs& in) {
  const RunSettings& s = plan.settings;
  RuntimeInputs rt;
  rt.padded_tokens = plan.padded_tokens;
  rt.num_recycles = s.num_recycles.value;
  rt.num_diffusion_samples = s.samples_per_run();
  rt.num_seeds = static_cast<int>(std::max<std::size_t>(1, in.sizes.seeds)) * std::max(1, s.sample_runs.value);
  if (s.unified_memory.value && plan.after.pool > Bytes(0)) {
    Bytes room = in.device.total - in.device.used_by_others - plan.after.overhead;
    double spill = static_cast<double>((plan.after.pool - room).count()) / static_cast<double>(plan.after.pool.count());
    rt.spill_fraction = std::clamp(spill, 0.0, 1.0);
  }
  return rt;
}

namespace {

Device table_device(const GpuSpec& g, const Device& like) {
  Device d;
  d.spec = g;
  d.total = g.memory;
  d.host_ram = like.host_ram;
  d.origin = "table: " + g.name;
  return d;
}

// Smallest table GPU on which the settings as given, under AlphaFold 3's Docker memory
// settings, hold `bytes_of(estimate)` with the margin.
std::string smallest_gpu(const PlanInputs& in, const std::function<Bytes(const MemoryEstimate&)>& bytes_of) {
  std::vector<const GpuSpec*> gpus;
  for (const GpuSpec& g : gpu_table()) gpus.push_back(&g);
  std::stable_sort(gpus.begin(), gpus.end(), [](const GpuSpec* a, const GpuSpec* b) { return a->memory < b->memory; });
  for (const GpuSpec* g : gpus) {
    Device d = table_device(*g, in.device);
    RunSettings s = in.settings;
    if (!s.mem_fraction.user_set()) s.mem_fraction.value = kDockerFraction;
    if (!s.preallocate.user_set()) s.preallocate.value = true;
    if (g->cc_major < 8 && !s.flash_attention.user_set()) s.flash_attention.value = "xla";
    if (g->cc_major < 8 && s.flash_attention.value != "xla") continue;
    Calibration cal = calibration_for(in, g->architecture, s.flash_attention.value);
    MemoryEstimate e = in.model->estimate(model_config_on(in, s, s.buckets.value.pad(in.sizes.tokens), *g), cal);
    MemoryEstimate probe = e;
    probe.pool = bytes_of(e) - e.overhead;
    if (fits(probe, s, d, in.margin)) return g->name;
  }
  return "";
}

}  // namespace

std::string minimum_gpu(const PlanInputs& in) {
  return smallest_gpu(in, [](const MemoryEstimate& e) { return e.total; });
}

std::string recommended_gpu(const PlanInputs& in) {
  return smallest_gpu(in, [](const MemoryEstimate& e) { return e.high; });
}

std::vector<TradeOff> trade_offs(const PlanInputs& in) {
  Context ctx{in, calibration_for(in, in.device.spec.architecture, in.settings.flash_attention.value)};
  RunSettings base = required_settings(in, ctx, nullptr);
  // Each lever alone, ignoring whether the user set it: the table informs, it does not plan.
  auto unlocked = [](RunSettings s) {
    for (Setting<bool>* b : {&s.save_embeddings, &s.save_distogram, &s.preallocate, &s.unified_memory})
      b->origin = Origin::default_value;
    s.buckets.origin = s.flash_attention.origin = s.num_diffusion_samples.origin = Origin::default_value;
    s.pair_transition_shard_spec.origin = s.pair_attention_chunk_size.origin = Origin::default_value;
    s.sample_runs.origin = s.mem_fraction.origin = s.num_recycles.origin = Origin::default_value;
    return s;
  };
  Bytes peak = ctx.estimate(base).total;
  std::vector<TradeOff> out;
  // Only what changes something for this input: a memory lever that saves nothing here
  // (a shard spec above N, an output not saved) is left out; recycles change time only.
  auto add = [&](const std::string& what, const RunSettings& s, const std::string& quality, const std::string& speed,
                 bool memory_lever = true) {
    Bytes after = ctx.estimate(s).total;
    if (memory_lever && after == peak) return;
    out.push_back({what, after, peak - after, quality, speed});
  };
  RunSettings u = unlocked(base);
  for (const Lever& lever : levers(ctx)) {
    // Budget levers do not change the peak; the sample levers are listed below by count.
    if (lever.setting == "XLA_CLIENT_MEM_FRACTION" || lever.setting == "unified memory" ||
        lever.setting == "sample_runs" || lever.setting == "num_diffusion_samples")
      continue;
    RunSettings t = u;
    Change c;
    if (!lever.apply(t, ctx, c)) continue;
    add(fmt::format("{}: {} -> {}", lever.setting, c.from, c.to), t, lever.quality, lever.speed);
  }
  if (u.flash_attention.value != "xla") {
    RunSettings t = u;
    t.flash_attention.value = "xla";
    add(fmt::format("flash_attention_implementation: {} -> xla", u.flash_attention.value), t, "none", "slower");
  }
  for (int n : {3, 1}) {
    if (n >= u.num_diffusion_samples.value) continue;
    RunSettings t = u;
    t.num_diffusion_samples.value = n;
    add(fmt::format("num_diffusion_samples: {} -> {}", u.num_diffusion_samples.value, n), t, "fewer structures to rank",
        "faster");
  }
  if (u.num_diffusion_samples.value > 1) {
    RunSettings t = u;
    t.sample_runs.value = u.num_diffusion_samples.value;
    add(fmt::format("sample_runs: {} samples in one run -> {} runs of 1 sample, each with its own seed",
                    u.num_diffusion_samples.value, u.num_diffusion_samples.value),
        t, "none (same samples, split over seeds)", "slower: the trunk runs once per split");
  }
  RunSettings t = u;
  t.num_recycles.value = std::max(1, u.num_recycles.value / 2);
  add(fmt::format("num_recycles: {} -> {}", u.num_recycles.value, t.num_recycles.value), t,
      "possibly less converged structures", "faster (trunk runs fewer times)", false);
  return out;
}

}  // namespace foldfit
