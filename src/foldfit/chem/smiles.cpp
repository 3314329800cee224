#include "foldfit/chem/smiles.hpp"

#include <GraphMol/ROMol.h>
#include <GraphMol/SmilesParse/SmilesParse.h>
#include <RDGeneral/RDLog.h>

#include <memory>
#include <mutex>

namespace foldfit {

std::optional<SmilesAtoms> count_smiles_atoms(const std::string& smiles, std::string* error) {
  // RDKit prints parse errors to stderr; foldfit reports them itself.
  static std::once_flag quiet;
  std::call_once(quiet, [] { boost::logging::disable_logs("rdApp.*"); });
  std::unique_ptr<RDKit::RWMol> mol;
  try {
    mol.reset(RDKit::SmilesToMol(smiles));
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
  if (!mol) {
    if (error) *error = "RDKit could not parse it";
    return std::nullopt;
  }
  SmilesAtoms out;
  for (const RDKit::Atom* atom : mol->atoms())
    if (atom->getAtomicNum() != 1) ++out.heavy_atoms;
  return out;
}

}  // namespace foldfit
