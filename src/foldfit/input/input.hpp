// input.hpp - AlphaFold 3 fold inputs as foldfit reads them (both JSON dialects).
//
// Mirrors common/folding_input.py of AlphaFold 3: the same fields, the same validation
// rules, the same chain-id assignment for AlphaFold Server jobs. MSA and template text
// is never kept: only where it came from, its size and its row count.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/af3_release.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/input/json.hpp"

namespace foldfit {

enum class EntityType { protein, rna, dna, ligand };
std::string_view entity_type_name(EntityType t);

// A value with the place in the file it came from.
template <typename T>
struct Located {
  T value{};
  SourceLocation where;
};

struct Modification {
  std::string ccd;     // CCD code of the modified residue ("SEP"), no "CCD_" prefix
  std::int64_t position = 0;  // 1-based residue index
  SourceLocation where;
};

// An MSA field pair (inline text or *Path file). `set` is false when neither was
// given: the data pipeline will compute it.
struct Msa {
  bool set = false;
  std::string path;            // resolved path when read from *Path, else empty
  std::uint64_t rows = 0;      // A3M sequences (lines starting with '>')
  std::uint64_t bytes = 0;     // size of the (decompressed) A3M text
};

struct Template {
  std::string path;            // resolved mmcifPath, empty when inline
  std::uint64_t bytes = 0;     // size of the mmCIF text (inline only)
  std::vector<std::int64_t> query_indices;
  std::vector<std::int64_t> template_indices;
};

struct Entity {
  EntityType type = EntityType::protein;
  std::vector<std::string> ids;   // one per copy
  std::string sequence;           // polymer sequence (one-letter codes)
  std::vector<Modification> modifications;
  Msa unpaired_msa;
  Msa paired_msa;
  std::optional<std::vector<Template>> templates;  // nullopt: the data pipeline searches
  std::vector<Located<std::string>> ccd_codes;     // ligand from CCD codes
  std::optional<Located<std::string>> smiles;      // ligand from SMILES
  std::optional<std::string> description;
  SourceLocation where;  // the entity object, e.g. "sequences[2].ligand"
};

struct BondAtom {
  std::string chain;
  std::int64_t residue = 0;  // 1-based
  std::string atom;
};

struct Bond {
  BondAtom a;
  BondAtom b;
  SourceLocation where;    // the pair, "bondedAtomPairs[i]"
  SourceLocation where_a;  // "bondedAtomPairs[i][0]"
  SourceLocation where_b;  // "bondedAtomPairs[i][1]"
};

struct Input {
  std::string file;                 // the JSON file it came from
  std::string dialect;              // "alphafold3" or "alphafoldserver"
  int version = 0;
  std::string name;
  std::vector<std::uint32_t> seeds;
  bool seeds_sampled = false;       // AlphaFold Server job without seeds: AF3 draws one
  std::vector<Entity> entities;
  std::vector<Bond> bonds;
  std::optional<std::string> user_ccd;  // mmCIF text of user-defined components
  std::string user_ccd_path;            // resolved userCCDPath, when used
  SourceLocation user_ccd_where;        // the userCCD / userCCDPath field
  int job_index = -1;               // index in an AlphaFold Server job list
  // Where AlphaFold 3 is lenient (a seed given as a string, "version": 4.0): located
  // warnings, handed to the caller's `warnings` by read_input_file / read_input_text.
  std::vector<std::string> warnings;

  std::size_t chain_count() const;
  // AlphaFold 3's sanitised name (output folder name): spaces to '_', keep [A-Za-z0-9_.-].
  std::string sanitised_name() const;
};

struct ReadOptions {
  // Read MSA / mmCIF files named by *Path fields to count their rows. When false,
  // only their existence is checked.
  bool read_msa_files = true;
  // The AlphaFold 3 release whose acceptance rules apply (docs/input.md, "Rules").
  const Af3Release* release = &newest_tagged_release();
};

// Reads one JSON file: an AlphaFold 3 input (one Input) or an AlphaFold Server job list
// (one Input per job). Throws InputError naming file, line:column and JSON path.
// `warnings` receives non-fatal findings (e.g. duplicate keys), already located.
std::vector<Input> read_input_file(const std::string& path, const ReadOptions& options,
                                   std::vector<std::string>* warnings = nullptr);

// The same for JSON text held in memory; `file` is used for messages and to resolve
// relative *Path fields.
std::vector<Input> read_input_text(std::string_view text, const std::string& file, const ReadOptions& options,
                                   std::vector<std::string>* warnings = nullptr);

// The *.json files directly inside `dir`, sorted by name, as AlphaFold 3 lists them.
std::vector<std::string> list_input_dir(const std::string& dir);

// Member names whose string values the reader summarises instead of keeping.
const std::vector<std::string>& summarised_members();

}  // namespace foldfit
