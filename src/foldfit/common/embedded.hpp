// embedded.hpp - access to the data files compiled into the library.
#pragma once

#include <string_view>

namespace foldfit::embedded {

// data/ccd_atoms.tsv: per-component atom counts from the wwPDB CCD.
std::string_view ccd_atoms_tsv();
// data/gpus.tsv: GPU memory as drivers report it, compute capability, throughput.
std::string_view gpus_tsv();

}  // namespace foldfit::embedded
