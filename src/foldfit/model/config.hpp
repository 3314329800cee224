// config.hpp - the AlphaFold 3 settings that change peak GPU memory (and nothing else).
//
// Recycles, seeds, chain count, MSA depth and template count are deliberately absent:
// they do not change peak memory (see docs/memory-model.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace foldfit {

// AlphaFold 3's size-dependent specs, e.g. pair_transition_shard_spec
// ((2048, None), (None, 1024)): the first entry whose threshold is None or >= N gives
// the value (None: unsharded / unchunked). Written and parsed in Python tuple syntax.
struct SizeSpec {
  std::vector<std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>> entries;

  // Throws UsageError on bad syntax.
  static SizeSpec parse(const std::string& text);
  std::string to_string() const;
  // The value for padded size N; nullopt means None (no sharding / no chunking).
  std::optional<std::int64_t> value_for(std::int64_t n) const;
  bool operator==(const SizeSpec&) const = default;
};

// global_config defaults of AlphaFold 3 v3.0.4 (model/model_config.py).
SizeSpec default_pair_transition_shard_spec();  // ((2048, None), (None, 1024))
SizeSpec default_pair_attention_chunk_size();   // ((1536, 128), (None, 32))

struct ModelConfig {
  std::int64_t padded_tokens = 0;            // N, the bucket
  int num_diffusion_samples = 5;             // S
  std::string flash_attention = "triton";    // triton | cudnn | xla
  SizeSpec pair_transition_shard_spec = default_pair_transition_shard_spec();
  SizeSpec pair_attention_chunk_size = default_pair_attention_chunk_size();
  bool save_embeddings = false;
  bool save_distogram = false;
  std::string bfloat16 = "all";              // global_config.bfloat16: all | none (f32 activations)
  // tokamax's gated linear unit: fused (its Triton kernel keeps only the GLU output) | xla
  // (its XLA implementation also materialises the [.., 2C] pre-activation).
  std::string glu_implementation = "fused";
  std::string glu_origin;  // why this GLU (glu_for, model/glu.hpp); "" when set by hand
};

}  // namespace foldfit
