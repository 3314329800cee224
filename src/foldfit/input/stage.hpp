// stage.hpp - the inputs of staged folding: the same chains with fewer copies of each
// homomeric entity (docs/staging.md).
//
// An entity has copies when its `id` lists several chains or when identical entities
// repeat (same type, sequence and modifications; a ligand: the same ccdCodes or SMILES).
// With N the most copies any entity has, stage k keeps k*c/N copies of an entity of c
// copies (the first ones, in file order) and every single-copy entity. Bonds between two
// kept chains stay, bonds between two dropped ones go, and a bond between a kept and a
// dropped chain is refused with its location. Modifications belong to the entity, so
// they stay with every copy kept. Relative *Path fields are made absolute, so the stage
// file reads the same files wherever it is written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/input/input.hpp"

namespace foldfit {

// One entity with its copies: an id list, or identical entities repeated.
struct CopyGroup {
  EntityType type = EntityType::protein;
  std::string label;                  // "protein of 120 residues", "ligand ZN"
  std::vector<std::size_t> entities;  // indices into Input::entities, in file order
  std::vector<std::string> chains;    // every chain id of the copies, in file order
  SourceLocation where;               // the first entity
};

// The copy groups of an input, in file order of their first entity.
std::vector<CopyGroup> copy_groups(const Input& input);
// The most copies any entity has (1: nothing to stage).
std::size_t full_copies(const std::vector<CopyGroup>& groups);

struct StagedInput {
  int copies = 0;                    // k: the stage
  int full = 0;                      // N
  std::string name;                  // "<name>_stage<k>"
  nlohmann::ordered_json document;   // the stage's AlphaFold 3 input
  std::vector<std::string> kept;     // chain ids, in file order
  std::vector<std::string> dropped;
  std::vector<std::string> per_group;  // "protein of 120 residues: 2 of 8 copies (A, B)"
  std::size_t bonds_kept = 0;
  std::size_t bonds_dropped = 0;
};

// The source document of `input` (an alphafold3-dialect file read by read_input_file):
// parsed again as JSON, with its relative *Path fields made absolute. Throws InputError
// for an AlphaFold Server job (it has no id lists or bonds to keep consistent).
nlohmann::ordered_json source_document(const Input& input);

// Stage `copies` of `input`. `document` is source_document(input). Throws InputError,
// naming the place in the file, when the stage cannot be made consistent (a bond
// between a kept and a dropped chain, copies that do not scale to a whole number).
StagedInput stage_input(const Input& input, const nlohmann::ordered_json& document, int copies);

// Parses --stages: strictly increasing copy counts from 1 to `full`. Throws UsageError.
std::vector<int> parse_stages(const std::string& text, int full);

}  // namespace foldfit
