// embedded.hpp - access to the data files compiled into the library.
#pragma once

#include <string_view>
#include <vector>

namespace foldfit::embedded {

// data/ccd_atoms.tsv: per-component atom counts from the wwPDB CCD.
std::string_view ccd_atoms_tsv();
// data/gpus.tsv: GPU memory as drivers report it, compute capability, throughput.
std::string_view gpus_tsv();

// data/profiles/alphafold3-v3.0.4.json: the memory profile of AlphaFold 3 v3.0.4.
std::string_view profile_alphafold3_v3_0_4_json();

// data/calibration/overlays.json: the calibration overlays shipped with foldfit.
std::string_view calibration_overlays_json();

// data/af3_documented_limits.csv: AlphaFold 3's documented token limits and timings.
std::string_view documented_limits_csv();

// data/xla/alphafold3-v3.0.4.csv: XLA's memory figures of AlphaFold 3 v3.0.4 compiles.
std::string_view xla_compiles_csv();

// data/runtime_model.json: the runtime model's anchor GPUs and assumptions.
std::string_view runtime_model_json();

// python/foldfit_af3_adapter.py: written out next to a run that needs it.
std::string_view af3_adapter_py();

// The XLA verify helper (python/foldfit_xla_*.py) and the GPU target table it reads
// (data/xla/gpu_targets.tsv), each with its path relative to the source tree: written
// out together, the helper finds its table as it does in the tree.
struct EmbeddedFile {
  std::string_view path;
  std::string_view content;
};
std::vector<EmbeddedFile> verify_helper_files();

}  // namespace foldfit::embedded
