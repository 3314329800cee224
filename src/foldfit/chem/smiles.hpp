// smiles.hpp - heavy-atom counts of SMILES ligands, through RDKit (as AlphaFold 3 does).
#pragma once

#include <optional>
#include <string>

namespace foldfit {

struct SmilesAtoms {
  int heavy_atoms = 0;  // atoms that are not hydrogen (deuterium included as hydrogen)
};

// Parses `smiles` with RDKit's MolFromSmiles (sanitised, hydrogens implicit). Returns
// nullopt when RDKit cannot make a molecule from it; `error` then holds RDKit's reason.
std::optional<SmilesAtoms> count_smiles_atoms(const std::string& smiles, std::string* error = nullptr);

}  // namespace foldfit
