#include "foldfit/common/embedded.hpp"

extern "C" {
extern const char foldfit_ccd_atoms_begin[];
extern const char foldfit_ccd_atoms_end[];
extern const char foldfit_af3_adapter_begin[];
extern const char foldfit_af3_adapter_end[];
}

namespace foldfit::embedded {

std::string_view ccd_atoms_tsv() {
  return {foldfit_ccd_atoms_begin, static_cast<std::size_t>(foldfit_ccd_atoms_end - foldfit_ccd_atoms_begin)};
}

std::string_view af3_adapter_py() {
  return {foldfit_af3_adapter_begin, static_cast<std::size_t>(foldfit_af3_adapter_end - foldfit_af3_adapter_begin)};
}

}  // namespace foldfit::embedded
