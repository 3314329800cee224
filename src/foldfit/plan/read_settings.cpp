#include "foldfit/plan/read_settings.hpp"

#include <fmt/format.h>

#include "foldfit/common/error.hpp"
#include "foldfit/common/flag_values.hpp"

namespace foldfit {

const std::vector<SettingFlag>& setting_flags() {
  static const std::vector<SettingFlag> flags{
      {"buckets", "N,N,...", "the AlphaFold 3 release's list", "token buckets, strictly increasing, as AlphaFold 3's --buckets", true},
      {"flash_attention_implementation", "triton|cudnn|xla", "triton", "AlphaFold 3's attention kernels", true},
      {"num_diffusion_samples", "N", "5", "AlphaFold 3's diffusion samples per seed", true},
      {"num_recycles", "N", "10", "AlphaFold 3's recycles (time only, no memory effect)", true},
      {"num_seeds", "N", "the input's modelSeeds", "AlphaFold 3's --num_seeds (seeds run one after another)", true},
      {"save_embeddings", "", "false", "AlphaFold 3's flag: also write the trunk embeddings", true},
      {"save_distogram", "", "false", "AlphaFold 3's flag: also write the distogram", true},
      {"pair_transition_shard_spec", "SPEC", "((2048, None), (None, 1024))",
       "AlphaFold 3 model-config field, Python tuple syntax (set through foldfit's adapter)"},
      {"pair_attention_chunk_size", "SPEC", "((1536, 128), (None, 32))",
       "AlphaFold 3 model-config field, Python tuple syntax (set through foldfit's adapter)"},
      {"bfloat16", "all|none", "all", "AlphaFold 3 model-config field: none keeps activations in float32"},
  };
  return flags;
}

namespace {

template <typename T>
void given(Setting<T>& s, T value, Origin origin) {
  s.value = std::move(value);
  s.origin = origin;
}

std::string choice(const std::string& flag, const std::string& value, const std::vector<std::string>& choices) {
  for (const std::string& c : choices)
    if (c == value) return value;
  throw UsageError(fmt::format("--{}: '{}' is not one of {}", flag, value, fmt::join(choices, ", ")));
}

bool boolean(const std::string& flag, const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  throw UsageError(fmt::format("--{}: expected true or false, found '{}'", flag, value));
}

}  // namespace

RunSettings read_settings(const std::map<std::string, std::string>& flags,
                          const std::map<std::string, std::string>& environment, const Af3Release& release) {
  RunSettings s;
  s.buckets.value = Buckets(release);
  for (const auto& flag : flags) {
    const std::string& name = flag.first;
    const std::string& value = flag.second;
    const Origin f = Origin::flag;
    auto integer = [&name, &value](long long lo, long long hi) {
      return static_cast<int>(parse_flag_integer("--" + name, value, lo, hi));
    };
    if (name == "buckets") given(s.buckets, Buckets::parse(value), f);
    else if (name == "flash_attention_implementation") given(s.flash_attention, choice(name, value, {"triton", "cudnn", "xla"}), f);
    else if (name == "num_diffusion_samples") given(s.num_diffusion_samples, integer(1, 1000), f);
    else if (name == "num_recycles") given(s.num_recycles, integer(1, 1000), f);
    else if (name == "num_seeds") given(s.num_seeds, integer(1, 1000000), f);
    else if (name == "save_embeddings") given(s.save_embeddings, boolean(name, value), f);
    else if (name == "save_distogram") given(s.save_distogram, boolean(name, value), f);
    else if (name == "pair_transition_shard_spec") given(s.pair_transition_shard_spec, SizeSpec::parse(value), f);
    else if (name == "pair_attention_chunk_size") given(s.pair_attention_chunk_size, SizeSpec::parse(value), f);
    else if (name == "bfloat16") given(s.bfloat16, choice(name, value, {"all", "none"}), f);
    else throw UsageError(fmt::format("--{} is not a setting", name));
  }

  XlaEnvironment env = parse_environment(environment);
  require_valid(env);
  const Origin e = Origin::environment;
  auto set = [&](const char* variable) {
    auto it = env.raw.find(variable);
    return it != env.raw.end() && !it->second.empty();
  };
  if (set("XLA_PYTHON_CLIENT_PREALLOCATE")) given(s.preallocate, env.preallocate, e);
  if (env.mem_fraction) {
    given(s.mem_fraction, *env.mem_fraction, e);
    s.mem_fraction_variable = env.mem_fraction_variable;
  }
  if (set("TF_FORCE_UNIFIED_MEMORY")) given(s.unified_memory, env.unified_memory, e);
  if (set("XLA_PYTHON_CLIENT_ALLOCATOR")) given(s.allocator, env.allocator, e);
  if (env.raw.count("XLA_FLAGS")) given(s.xla_flags, env.xla_flags, e);
  return s;
}

}  // namespace foldfit
