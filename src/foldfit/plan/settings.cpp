#include "foldfit/plan/settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

// Every setting with the name the user knows it by, in report order.
constexpr auto kMembers = std::make_tuple(
    std::pair{"buckets", &RunSettings::buckets},
    std::pair{"flash_attention_implementation", &RunSettings::flash_attention},
    std::pair{"num_diffusion_samples", &RunSettings::num_diffusion_samples},
    std::pair{"num_recycles", &RunSettings::num_recycles},
    std::pair{"num_seeds", &RunSettings::num_seeds},
    std::pair{"save_embeddings", &RunSettings::save_embeddings},
    std::pair{"save_distogram", &RunSettings::save_distogram},
    std::pair{"pair_transition_shard_spec", &RunSettings::pair_transition_shard_spec},
    std::pair{"pair_attention_chunk_size", &RunSettings::pair_attention_chunk_size},
    std::pair{"bfloat16", &RunSettings::bfloat16},
    std::pair{"sample_runs", &RunSettings::sample_runs},
    std::pair{"XLA_PYTHON_CLIENT_PREALLOCATE", &RunSettings::preallocate},
    std::pair{"XLA_CLIENT_MEM_FRACTION", &RunSettings::mem_fraction},
    std::pair{"TF_FORCE_UNIFIED_MEMORY", &RunSettings::unified_memory},
    std::pair{"XLA_PYTHON_CLIENT_ALLOCATOR", &RunSettings::allocator},
    std::pair{"XLA_FLAGS", &RunSettings::xla_flags});

template <typename F>
void each_member(F&& f) {
  std::apply([&](const auto&... m) { (f(m.first, m.second), ...); }, kMembers);
}

nlohmann::ordered_json json_value(const Buckets& b) { return b.to_string(); }
nlohmann::ordered_json json_value(const SizeSpec& s) { return s.to_string(); }
template <typename T>
nlohmann::ordered_json json_value(const T& v) { return v; }

void read_value(const nlohmann::json& j, Buckets& b) { b = Buckets::parse(j.get<std::string>()); }
void read_value(const nlohmann::json& j, SizeSpec& s) { s = SizeSpec::parse(j.get<std::string>()); }
template <typename T>
void read_value(const nlohmann::json& j, T& v) { j.get_to(v); }

std::string text(const Buckets& b) { return b.to_string(); }
std::string text(const SizeSpec& s) { return s.to_string(); }
std::string text(bool b) { return b ? "true" : "false"; }
std::string text(int v) { return std::to_string(v); }
std::string text(double v) { return fmt::format("{:g}", v); }
std::string text(const std::string& s) { return s.empty() ? "(unset)" : s; }

template <typename T>
std::string described(const char* name, const Setting<T>& s) {
  std::string_view n = name;
  if (s.origin == Origin::default_value) {
    if (n == "XLA_CLIENT_MEM_FRACTION") return fmt::format("unset ({:g})", kJaxDefaultFraction);
    if (n == "num_seeds") return "the input's modelSeeds";
  }
  return text(s.value);
}

std::optional<Origin> origin_from_name(std::string_view name) {
  for (Origin o : {Origin::default_value, Origin::flag, Origin::environment, Origin::plan})
    if (origin_name(o) == name) return o;
  return std::nullopt;
}

}  // namespace

std::string_view origin_name(Origin o) {
  switch (o) {
    case Origin::default_value: return "default";
    case Origin::flag: return "flag";
    case Origin::environment: return "environment";
    case Origin::plan: return "plan";
  }
  return "default";
}

int RunSettings::samples_per_run() const {
  int runs = std::max(1, sample_runs.value);
  return (num_diffusion_samples.value + runs - 1) / runs;
}

ModelConfig RunSettings::model_config(std::int64_t padded) const {
  ModelConfig c;
  c.padded_tokens = padded;
  c.num_diffusion_samples = samples_per_run();
  c.flash_attention = flash_attention.value;
  c.pair_transition_shard_spec = pair_transition_shard_spec.value;
  c.pair_attention_chunk_size = pair_attention_chunk_size.value;
  c.save_embeddings = save_embeddings.value;
  c.save_distogram = save_distogram.value;
  c.bfloat16 = bfloat16.value;
  return c;
}

XlaEnvironment RunSettings::environment() const {
  XlaEnvironment env;
  env.preallocate = preallocate.value;
  // JAX's own default stays implicit, so reports say where the fraction came from.
  // A lever changes the value before the plan marks its origin: either makes it explicit.
  if (mem_fraction.explicit_value() || mem_fraction.value != kJaxDefaultFraction) {
    env.mem_fraction = mem_fraction.value;
    env.mem_fraction_variable = mem_fraction_variable;
  }
  env.unified_memory = unified_memory.value;
  env.allocator = allocator.value;
  env.xla_flags = xla_flags.value;
  return env;
}

nlohmann::ordered_json RunSettings::to_json() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  each_member([&](const char* name, auto member) {
    const auto& s = this->*member;
    j[name] = {{"value", json_value(s.value)}, {"origin", origin_name(s.origin)}};
  });
  if (mem_fraction.user_set() && mem_fraction_variable != "XLA_CLIENT_MEM_FRACTION")
    j["XLA_CLIENT_MEM_FRACTION"]["variable"] = mem_fraction_variable;
  return j;
}

RunSettings RunSettings::from_json(const nlohmann::json& j, const std::string& source) {
  RunSettings out;
  if (!j.is_object()) throw InputError(SourceLocation{source, 0, 0, ""}, "expected a JSON object of settings");
  each_member([&](const char* name, auto member) {
    auto it = j.find(name);
    if (it == j.end()) return;
    auto& s = out.*member;
    std::string where = std::string(name);
    try {
      if (!it->is_object() || !it->contains("value")) throw std::invalid_argument("expected {\"value\", \"origin\"}");
      read_value(it->at("value"), s.value);
      auto origin = origin_from_name(it->value("origin", "default"));
      if (!origin) throw std::invalid_argument("unknown origin");
      s.origin = *origin;
    } catch (const std::exception& e) {
      throw InputError(SourceLocation{source, 0, 0, where}, fmt::format("unexpected setting {}: {}", it->dump(), e.what()));
    }
  });
  if (auto it = j.find("XLA_CLIENT_MEM_FRACTION"); it != j.end() && it->is_object() && it->contains("variable"))
    out.mem_fraction_variable = it->at("variable").get<std::string>();
  if (out.num_diffusion_samples.value < 1 || out.sample_runs.value < 1 ||
      out.sample_runs.value > out.num_diffusion_samples.value)
    throw InputError(SourceLocation{source, 0, 0, "sample_runs"}, fmt::format("{} sample runs for {} samples",
                                                                              out.sample_runs.value,
                                                                              out.num_diffusion_samples.value));
  return out;
}

bool RunSettings::same_values(const RunSettings& other) const {
  bool same = true;
  each_member([&](const char*, auto member) { same = same && (this->*member).value == (other.*member).value; });
  return same;
}

std::vector<SettingDifference> setting_differences(const RunSettings& from, const RunSettings& to) {
  std::vector<SettingDifference> out;
  each_member([&](const char* name, auto member) {
    const auto& a = from.*member;
    const auto& b = to.*member;
    if (a.value != b.value || a.explicit_value() != b.explicit_value())
      out.push_back({name, described(name, a), described(name, b)});
  });
  return out;
}

void mark_planned(RunSettings& planned, const RunSettings& given) {
  each_member([&](const char*, auto member) {
    auto& p = planned.*member;
    if (p.value != (given.*member).value) p.origin = Origin::plan;
  });
}

}  // namespace foldfit
