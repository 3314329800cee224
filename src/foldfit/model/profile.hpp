// profile.hpp - a memory profile as read from data/profiles/*.json (the model's data).
//
// Internal to the model module: MemoryModel evaluates it, the calibration fit reads its
// uncertainty policy. The format is documented in docs/memory-model.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/bytes.hpp"
#include "foldfit/model/config.hpp"
#include "foldfit/model/expression.hpp"
#include "foldfit/model/memory_model.hpp"

namespace foldfit {

struct ProfileTensor {
  std::string name;
  std::string shape_text;
  expr::Shape shape;
  std::string dtype;
  int dtype_bytes = 0;
  std::optional<expr::Expression> when;
  std::string category;
  std::string source;
};

struct ProfilePhase {
  std::string name, title, category, source;
  std::vector<ProfileTensor> tensors;  // including those of the phase it extends
};

struct ProfileOverhead {
  std::string name, status, source;
  Bytes bytes;                   // fixed size (outside the pool)
  double fraction_of_pool = 0;   // relative size (inside the pool)
};

struct ProfileUncertainty {
  double uncalibrated_low = 0, uncalibrated_high = 0, calibrated_floor = 0;
  std::string why;
};

struct Profile {
  std::string id;           // "alphafold3-v3.0.4"
  int version = 0;          // profile_version
  std::string af3_release;  // "v3.0.4"
  std::string origin;
  std::string file;         // where it was read from
  std::map<std::string, std::int64_t> constants;  // dimensions and fixed sizes
  std::vector<std::string> flash_choices;
  std::vector<std::string> glu_choices;
  ModelConfig defaults;     // knob defaults (padded_tokens 0)
  std::vector<std::string> categories;
  ProfileUncertainty uncertainty;
  std::vector<ProfileTensor> persistent;
  std::vector<ProfileOverhead> pool_overheads;
  std::vector<ProfileOverhead> overheads;
  std::vector<ProfilePhase> phases;
};

// Throws InputError naming `source` and the JSON path on any bad content.
Profile parse_profile(const std::string& text, const std::string& source);

// The symbols a configuration binds: N, S, A, K, chunk, shard, flash, save_embeddings,
// save_distogram, glu_implementation, and every dimension and fixed size of the profile.
expr::Bindings bind_config(const Profile& profile, const ModelConfig& config);

struct MemoryModel::Impl {
  Profile profile;
};

}  // namespace foldfit
