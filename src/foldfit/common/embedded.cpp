#include "foldfit/common/embedded.hpp"

extern "C" {
extern const char foldfit_ccd_atoms_begin[];
extern const char foldfit_ccd_atoms_end[];
extern const char foldfit_gpus_begin[];
extern const char foldfit_gpus_end[];
extern const char foldfit_profile_af3_v304_begin[];
extern const char foldfit_profile_af3_v304_end[];
extern const char foldfit_calibration_overlays_begin[];
extern const char foldfit_calibration_overlays_end[];
extern const char foldfit_documented_limits_begin[];
extern const char foldfit_documented_limits_end[];
extern const char foldfit_runtime_model_begin[];
extern const char foldfit_runtime_model_end[];
extern const char foldfit_af3_adapter_begin[];
extern const char foldfit_af3_adapter_end[];
extern const char foldfit_verify_helper_begin[];
extern const char foldfit_verify_helper_end[];
extern const char foldfit_verify_request_begin[];
extern const char foldfit_verify_request_end[];
extern const char foldfit_verify_model_begin[];
extern const char foldfit_verify_model_end[];
extern const char foldfit_verify_buffers_begin[];
extern const char foldfit_verify_buffers_end[];
extern const char foldfit_verify_targets_begin[];
extern const char foldfit_verify_targets_end[];
extern const char foldfit_xla_gpu_targets_begin[];
extern const char foldfit_xla_gpu_targets_end[];
extern const char foldfit_xla_compiles_begin[];
extern const char foldfit_xla_compiles_end[];
}

namespace foldfit::embedded {

std::string_view ccd_atoms_tsv() {
  return {foldfit_ccd_atoms_begin, static_cast<std::size_t>(foldfit_ccd_atoms_end - foldfit_ccd_atoms_begin)};
}

std::string_view xla_compiles_csv() {
  return {foldfit_xla_compiles_begin, static_cast<std::size_t>(foldfit_xla_compiles_end - foldfit_xla_compiles_begin)};
}

std::string_view gpus_tsv() {
  return {foldfit_gpus_begin, static_cast<std::size_t>(foldfit_gpus_end - foldfit_gpus_begin)};
}

std::string_view profile_alphafold3_v3_0_4_json() {
  return {foldfit_profile_af3_v304_begin,
          static_cast<std::size_t>(foldfit_profile_af3_v304_end - foldfit_profile_af3_v304_begin)};
}

std::string_view calibration_overlays_json() {
  return {foldfit_calibration_overlays_begin,
          static_cast<std::size_t>(foldfit_calibration_overlays_end - foldfit_calibration_overlays_begin)};
}

std::string_view documented_limits_csv() {
  return {foldfit_documented_limits_begin,
          static_cast<std::size_t>(foldfit_documented_limits_end - foldfit_documented_limits_begin)};
}

std::string_view runtime_model_json() {
  return {foldfit_runtime_model_begin,
          static_cast<std::size_t>(foldfit_runtime_model_end - foldfit_runtime_model_begin)};
}

std::string_view af3_adapter_py() {
  return {foldfit_af3_adapter_begin, static_cast<std::size_t>(foldfit_af3_adapter_end - foldfit_af3_adapter_begin)};
}

std::vector<EmbeddedFile> verify_helper_files() {
  auto view = [](const char* b, const char* e) { return std::string_view(b, static_cast<std::size_t>(e - b)); };
  return {
      {"python/foldfit_xla_verify.py", view(foldfit_verify_helper_begin, foldfit_verify_helper_end)},
      {"python/foldfit_xla_request.py", view(foldfit_verify_request_begin, foldfit_verify_request_end)},
      {"python/foldfit_xla_model.py", view(foldfit_verify_model_begin, foldfit_verify_model_end)},
      {"python/foldfit_xla_buffers.py", view(foldfit_verify_buffers_begin, foldfit_verify_buffers_end)},
      {"python/foldfit_xla_targets.py", view(foldfit_verify_targets_begin, foldfit_verify_targets_end)},
      {"data/xla/gpu_targets.tsv", view(foldfit_xla_gpu_targets_begin, foldfit_xla_gpu_targets_end)},
  };
}

}  // namespace foldfit::embedded
