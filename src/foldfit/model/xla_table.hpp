// xla_table.hpp - XLA's own memory figures for AlphaFold 3 compiles (data/xla/*.csv) as
// calibration measurements.
//
// One row per compile of AlphaFold 3's forward pass (python/foldfit_xla_verify.py; columns
// in data/xla/README.md). What JAX's allocator must hold for the program is
// argument + output + temp - alias, which is what the model's pool is compared with.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "foldfit/model/calibration_fit.hpp"

namespace foldfit {

struct XlaCompile {
  std::string backend;  // "cuda-deviceless", "cuda-device" or "cpu"
  std::string target;   // foldfit's GPU name (data/gpus.tsv), e.g. "H100-80GB"
  CalibrationMeasurement measurement;  // pool_peak = argument + output + temp - alias
  std::uint32_t line = 0;              // in the table, for messages
  // XLA's CPU backend upcasts bfloat16 and schedules for parallelism: a structural check,
  // never a GPU figure.
  bool gpu() const { return backend != "cpu"; }
};

// Reads a table with the columns of data/xla/alphafold3-v3.0.4.csv (in any order; extra
// columns are ignored). `pair_transition_shard_spec` "default" is `default_shard_spec`;
// `glu_implementation` "default" is tokamax's own choice, its fused kernel on the GPUs
// compiled so far. Throws InputError naming source:line and the column on bad content.
std::vector<XlaCompile> parse_xla_table(std::string_view csv, const std::string& source,
                                        const SizeSpec& default_shard_spec = default_pair_transition_shard_spec());
std::vector<XlaCompile> read_xla_table(const std::string& path,
                                       const SizeSpec& default_shard_spec = default_pair_transition_shard_spec());

}  // namespace foldfit
