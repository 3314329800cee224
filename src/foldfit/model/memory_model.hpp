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
  std::string category;  // category at the peak breakdown ("Embeddings", "Attention", ...)
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
                         // plus the allocator's rounding (pool_overhead)
  Bytes pool_overhead;   // allocator rounding and fragmentation, inside the pool
  std::vector<TensorTerm> pool_overhead_terms;
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
  std::string uncertainty_origin;         // why the band is what it is
  std::string glu_implementation;         // the gated linear unit assumed: fused | xla
  std::string glu_origin;                 // why (model/glu.hpp glu_for), or that it was given
};

class Calibration;

class MemoryModel {
 public:
  // The profile embedded in foldfit (data/profiles/alphafold3-v3.0.4.json).
  static const MemoryModel& builtin();
  // A profile file; throws InputError naming file and JSON path on bad content.
  static MemoryModel from_file(const std::string& path);
  static MemoryModel from_text(const std::string& text, const std::string& source);

  // Throws UsageError for an impossible config (N < 1, S < 1, unknown flash implementation)
  // and InputError when the calibration names a phase this profile lacks.
  MemoryEstimate estimate(const ModelConfig& config, const Calibration& calibration) const;
  const std::string& id() const;       // "alphafold3-v3.0.4"
  int version() const;                 // profile_version
  std::string display_id() const;      // "alphafold3-v3.0.4 (profile 1)"
  // The profile's knob defaults (AlphaFold 3's own) for padded size N.
  ModelConfig default_config(std::int64_t padded_tokens) const;
  std::vector<std::string> phase_names() const;

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
  struct Impl;
  explicit Calibration(std::shared_ptr<const Impl> impl);
  // One overlay document (format: data/calibration/README.md); InputError on bad content.
  static Calibration parse(const std::string& json_text, const std::string& source);

  const Impl& impl() const { return *impl_; }
  const std::string& id() const;
  bool empty() const;

 private:
  std::shared_ptr<const Impl> impl_;
};

// The calibration overlays in force, read once at the edge: the built-in ones
// (data/calibration/overlays.json, embedded) and optionally a file (what `foldfit
// calibrate` wrote, or --calibration). A file's overlays come before the built-in ones.
// A lookup with no matching overlay is uncalibrated, never an error.
class CalibrationSet {
 public:
  CalibrationSet();  // the built-in overlays
  // The built-in overlays and those in `path` (one overlay or {"overlays": [...]}).
  // Throws InputError naming the file for an unreadable or invalid file.
  static CalibrationSet with_file(const std::string& path);

  // `profile_id` may be MemoryModel::id() or display_id().
  Calibration lookup(const std::string& profile_id, const std::string& architecture,
                     const std::string& flash_implementation) const;
  const std::string& file() const { return file_; }  // empty: built-in only

 private:
  std::vector<Calibration> overlays_;
  std::string file_;
};

}  // namespace foldfit
