// template_cif.hpp - a predicted model's chains as AlphaFold 3 templates (docs/staging.md).
//
// AlphaFold 3 accepts a template as an mmCIF holding a single polymer chain, with a name
// and a release date (_pdbx_audit_revision_history.revision_date; templates.py
// get_polymer_features), and a 0-based mapping from query residues to template residues
// that counts unresolved residues (docs/input.md, "Structural Templates"). From a model
// mmCIF (AlphaFold 3's <name>_model.cif), read as AlphaFold 3 reads mmCIF
// (chem/cif_dict.hpp), each chain is cut out: the entry,
// chem_comp, and the rows of entity, entity_poly, entity_poly_seq, struct_asym,
// pdbx_poly_seq_scheme and atom_site that belong to the chain. Template indices are
// positions in the chain's _entity_poly_seq (so unresolved residues count); query indices
// are the positions in the query sequence of the same residues, checked residue by
// residue against the query (a modified residue must be the query's modification).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/input/input.hpp"

namespace foldfit {

// The release date written into every extracted template: before any template date
// cutoff (AlphaFold 3 requires one; a prediction has none).
inline constexpr const char* kTemplateReleaseDate = "1970-01-01";

struct ChainTemplate {
  std::string chain;                        // the model's chain (auth_asym_id)
  std::string mmcif;                        // the single-chain mmCIF text
  std::vector<std::int64_t> query_indices;  // 0-based, in the query sequence
  std::vector<std::int64_t> template_indices;  // 0-based, in _entity_poly_seq
  std::size_t residues = 0;                 // residues in _entity_poly_seq
  std::size_t resolved = 0;                 // residues with atoms in _atom_site
};

// A model mmCIF, read as AlphaFold 3 reads it (chem/cif_dict.hpp), in time and memory
// linear in its size. Throws InputError naming `source`, with line:column where the text
// goes wrong, on mmCIF AlphaFold 3 refuses, ragged tables, or no _atom_site rows.
class ModelCif {
 public:
  ModelCif(std::string text, std::string source);
  ~ModelCif();
  ModelCif(ModelCif&&) noexcept;
  // Polymer chains (auth_asym_id) in atom_site order.
  std::vector<std::string> chains() const;
  // `chain` as a template for `query` (a protein entity). Throws InputError naming the
  // model and the chain when the chain is absent, not a protein, or its residues do not
  // match the query sequence.
  ChainTemplate extract(const std::string& chain, const Entity& query) const;
  const std::string& source() const { return source_; }

 private:
  struct Impl;
  Impl* impl_;
  std::string source_;
};

// Throws InputError at `e` when it is a protein entity without both MSAs set: AlphaFold 3's
// data pipeline refuses templates given that way ("set only partially"), so templates can
// only be attached to an entity whose MSAs are given, e.g. from the data pipeline's
// <name>_data.json.
void require_msas_for_templates(const Entity& e);

struct AttachedTemplates {
  nlohmann::ordered_json document;   // the input with the templates attached
  std::vector<std::string> notes;    // per entity: which chains went where, what was left out
  std::size_t attached = 0;
};

// Attaches the chains of `model` to the protein entities of `input` (whose source
// document is `document`) whose chain ids the model has: each such entity's `templates`
// gets one inline template per chain of it that the model holds (up to AlphaFold 3's 4,
// before any templates it had). Entities of other types, or whose chains the model lacks,
// are left as they are and said so in `notes`. A protein entity that would take templates
// must set both unpairedMsa and pairedMsa (every AlphaFold 3 release refuses templates
// without them): InputError at the entity otherwise, see require_msas_for_templates.
AttachedTemplates attach_templates(const Input& input, const nlohmann::ordered_json& document, const ModelCif& model);

}  // namespace foldfit
