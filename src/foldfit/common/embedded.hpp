// embedded.hpp - access to the data files compiled into the library.
#pragma once

#include <string_view>

namespace foldfit::embedded {

// data/ccd_atoms.tsv: per-component atom counts from the wwPDB CCD.
std::string_view ccd_atoms_tsv();

// python/foldfit_af3_adapter.py: written out next to a run that needs it.
std::string_view af3_adapter_py();

}  // namespace foldfit::embedded
