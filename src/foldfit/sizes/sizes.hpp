// sizes.hpp - how big an input is for AlphaFold 3: tokens, padded tokens, atoms, chains.
//
// Token rules follow AlphaFold 3's tokenizer (model/features.py) over the atom layout it
// builds from the CCD (model/atom_layout/atom_layout.py, model/pipeline/structure_cleaning.py):
//   - a standard residue (20 amino acids, UNK, MSE; A C G U N; DA DC DG DT DN) is 1 token;
//   - any other residue (a modification) is 1 token per heavy atom, less OXT unless it
//     is the C-terminal residue (protein) or OP3 unless it is the first residue (RNA/DNA);
//   - a ligand is 1 token per heavy atom; a glycan drops O1 unless O1 is bonded
//     (standalone glycans keep it with --fix_standalone_glycans);
//   - a SMILES ligand is 1 token per heavy atom as RDKit parses it;
//   - a chain made only of one unknown residue type (UNK, N, DN, UNL) is dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "foldfit/chem/ccd.hpp"
#include "foldfit/input/input.hpp"
#include "foldfit/sizes/buckets.hpp"

namespace foldfit {

struct SizeOptions {
  Af3ReleaseChoice release;  // the release sized for (reports say which, and why)
  Buckets buckets;           // that release's default list unless --buckets was given
  bool fix_standalone_glycans = false;  // AlphaFold 3's --fix_standalone_glycans
};

struct ChainSize {
  std::string id;
  EntityType type = EntityType::protein;
  std::size_t entity = 0;         // index into Input::entities
  std::int64_t residues = 0;      // polymer length, or number of ligand components
  std::int64_t tokens = 0;
  std::int64_t heavy_atoms = 0;   // atoms the model places for this chain
  bool dropped = false;           // all-unknown chain, removed by AlphaFold 3
  std::uint64_t unpaired_msa_rows = 0;
  std::uint64_t paired_msa_rows = 0;
  bool msa_given = false;         // an MSA was provided (else the data pipeline builds it)
  std::int64_t templates = -1;    // -1: unset, the data pipeline searches
};

struct Sizes {
  std::string name;
  std::string file;
  int job_index = -1;
  std::int64_t tokens = 0;         // N, before padding
  std::int64_t padded_tokens = 0;  // the bucket the model is compiled for
  bool above_largest_bucket = false;
  std::int64_t heavy_atoms = 0;    // real atoms
  std::int64_t flat_atoms = 0;     // ceil(24 * padded / 32) * 32 atom slots
  std::size_t chains = 0;
  std::size_t entities = 0;
  bool homomer = false;            // two or more chains, all copies of one entity
  std::uint64_t msa_rows = 0;      // unpaired + paired rows given, over all chains
  std::int64_t templates = 0;      // templates given, over all chains
  std::size_t seeds = 0;
  std::vector<ChainSize> chain_sizes;
  std::vector<std::string> warnings;
};

// Sizes one input. `ccd` must already hold the input's userCCD (see ccd_for_input).
// Throws InputError for unknown CCD codes or bad SMILES, naming the JSON path.
Sizes size_input(const Input& input, const Ccd& ccd, const SizeOptions& options);

// Tokens of one residue / ligand component, exposed for tests.
std::int64_t residue_tokens(const Component& c, EntityType type, bool first, bool last);

}  // namespace foldfit

namespace foldfit {

// The dictionary to size `input` with: `base` plus the input's userCCD, if any.
// Throws InputError when the userCCD is not valid mmCIF or lacks mandatory fields.
Ccd ccd_for_input(const Input& input, const Ccd& base);

}  // namespace foldfit

namespace foldfit {

// read_input_file -> ccd_for_input -> size_input, for every input in one JSON file.
std::vector<Sizes> size_file(const std::string& path, const Ccd& base, const SizeOptions& options,
                             const ReadOptions& read_options, std::vector<std::string>* warnings = nullptr);

}  // namespace foldfit
