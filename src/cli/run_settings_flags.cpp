#include "run_settings_flags.hpp"

#include <cstdlib>

namespace foldfit::cli {

std::vector<OptionSpec> run_settings_option_specs() {
  return {
      {"num_recycles", "N", "10", "AlphaFold 3's recycles (time only, no memory effect)"},
      {"num_diffusion_samples", "N", "5", "AlphaFold 3's diffusion samples per seed"},
      {"num_seeds", "N", "the input's modelSeeds", "AlphaFold 3's --num_seeds (seeds run one after another)"},
      {"flash_attention_implementation", "triton|cudnn|xla", "triton", "AlphaFold 3's attention kernels"},
      {"save_embeddings", "", "false", "AlphaFold 3's flag: also write the trunk embeddings"},
      {"save_distogram", "", "false", "AlphaFold 3's flag: also write the distogram"},
      {"pair_transition_shard_spec", "SPEC", "((2048, None), (None, 1024))",
       "AlphaFold 3 model config field, Python tuple syntax"},
      {"pair_attention_chunk_size", "SPEC", "((1536, 128), (None, 32))",
       "AlphaFold 3 model config field, Python tuple syntax"},
      {"bfloat16", "all|none", "all", "AlphaFold 3 model config field: none keeps activations in float32"},
  };
}

std::vector<OptionSpec> device_option_specs() {
  return {
      {"gpu", "NAME", "the detected GPU", "plan for a GPU from the table (e.g. A100-40GB, L40S, H100-80GB)"},
      {"gpu_device", "N", "0", "AlphaFold 3's --gpu_device: which visible GPU"},
      {"max_gpu_memory_gb", "GB", "the GPU's memory", "plan with this much GPU memory (GB = 10^9 bytes)"},
      {"margin_gb", "GB", "1.0", "memory kept free in JAX's pool as a safety margin"},
  };
}

RunSettings run_settings_from(const ParsedOptions& o, const SizeOptions& size_options) {
  RunSettings s;
  s.buckets = {size_options.buckets, o.has("buckets")};
  if (auto v = o.integer("num_recycles", 1, 1000)) s.num_recycles = {static_cast<int>(*v), true};
  if (auto v = o.integer("num_diffusion_samples", 1, 1000)) s.num_diffusion_samples = {static_cast<int>(*v), true};
  if (auto v = o.choice("flash_attention_implementation", {"triton", "cudnn", "xla"})) s.flash_attention = {*v, true};
  if (auto v = o.flag_if_set("save_embeddings")) s.save_embeddings = {*v, true};
  if (auto v = o.flag_if_set("save_distogram")) s.save_distogram = {*v, true};
  if (auto v = o.get("pair_transition_shard_spec")) s.pair_transition_shard_spec = {SizeSpec::parse(*v), true};
  if (auto v = o.get("pair_attention_chunk_size")) s.pair_attention_chunk_size = {SizeSpec::parse(*v), true};
  if (auto v = o.choice("bfloat16", {"all", "none"})) s.bfloat16 = {*v, true};
  return s;
}

DeviceRequest device_request_from(const ParsedOptions& o) {
  DeviceRequest r;
  r.gpu_name = o.get("gpu");
  r.max_gpu_memory_gb = o.number("max_gpu_memory_gb", 0.1, 100000);
  r.gpu_device = static_cast<int>(o.integer("gpu_device", 0, 1023).value_or(0));
  if (const char* v = std::getenv("CUDA_VISIBLE_DEVICES")) r.visible_devices = std::string(v);
  return r;
}

Bytes margin_from(const ParsedOptions& o) {
  return Bytes::from_gb(o.number("margin_gb", 0, 10000).value_or(kDefaultMarginGb));
}

}  // namespace foldfit::cli
