// memory_model.hpp - peak GPU memory of AlphaFold 3 inference, phase by phase.
//
// The model is data: a profile (data/profiles/*.json) describes, for one AlphaFold 3
// release, the tensors live at each phase's peak (shape, dtype, condition, source file).
// A small evaluator binds N, S, A = ceil(24N/32)*32 and the config knobs, sums each
// phase, adds the persistent set and the runtime overheads, and takes the maximum.
// A calibration overlay (data/calibration/*.json) corrects phases from measurements.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "foldfit/common/bytes.hpp"
#include "foldfit/model/config.hpp"

namespace foldfit {

struct TensorTerm {
  std::string name;    // "trunk pair activations"
  std::string shape;   // "[N,N,128]"
  std::string dtype;   // "bf16", "f32", "bytes"
  Bytes bytes;
  std::string source;  // "src/alphafold3/model/network/pairformer.py (PairFormerIteration)"
};

struct PhaseEstimate {
  std::string name;      // "diffusion_conditioning"
  std::string title;     // "Diffusion conditioning"
  std::string category;  // "Embeddings" | "Attention" | "Diffusion" | "Confidence" | ...
  Bytes tensors;         // phase-local tensors only (after calibration)
  Bytes total;           // persistent + tensors (in the allocator pool)
  std::vector<TensorTerm> terms;
};

struct MemoryEstimate {
  Bytes pool;            // peak bytes inside JAX's allocator pool = max over phases of total
  Bytes overhead;        // outside the pool: CUDA context, library workspaces
  Bytes total;           // pool + overhead: peak device memory
  Bytes low, high;       // uncertainty band of `total`
  Bytes persistent;      // weights, inputs, recycled embeddings, outputs
  std::vector<TensorTerm> persistent_terms;
  std::vector<TensorTerm> overhead_terms;
  std::vector<PhaseEstimate> phases;
  std::string peak_phase;                 // name of the phase that sets `pool`
  std::map<std::string, Bytes> categories;  // breakdown of `total` at the peak phase
  std::string profile_id;                 // "alphafold3-v3.0.4 (profile 1)"
  std::string calibration_id;             // "uncalibrated" or the overlay's id
  bool calibrated = false;
  double relative_uncertainty = 0;        // (high - total) / total
};

class Calibration;

class MemoryModel {
 public:
  // The profile embedded in foldfit (data/profiles/alphafold3-v3.0.4.json).
  static const MemoryModel& builtin();
  // A profile file; throws InputError naming file and JSON path on bad content.
  static MemoryModel from_file(const std::string& path);
  static MemoryModel from_text(const std::string& text, const std::string& source);

  MemoryEstimate estimate(const ModelConfig& config, const Calibration& calibration) const;
  const std::string& id() const;

  struct Impl;
  explicit MemoryModel(std::shared_ptr<const Impl> impl);

 private:
  std::shared_ptr<const Impl> impl_;
};

// Corrections fitted to measurements for one profile x GPU architecture x attention
// implementation; empty (identity) until measured.
class Calibration {
 public:
  Calibration();  // identity, "uncalibrated"
  // Loads the overlay for (profile, architecture, flash) from data/calibration/ (embedded)
  // or from `path` when given; identity when none matches.
  static Calibration lookup(const std::string& profile_id, const std::string& architecture,
                            const std::string& flash_implementation, const std::string& path = "");

  struct Impl;
  const Impl& impl() const { return *impl_; }
  const std::string& id() const;
  bool empty() const;

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace foldfit
