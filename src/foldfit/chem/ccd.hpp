// ccd.hpp - Chemical Component Dictionary facts needed to count AlphaFold 3 tokens.
//
// Three sources, searched in this order: the input's userCCD (AlphaFold 3 merges it over
// its own dictionary), a components.cif given with --ccd_path, and the table embedded
// from data/ccd_atoms.tsv (wwPDB CCD, June 2023; see data/ccd_atoms.README.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace foldfit {

struct Component {
  std::string code;
  std::string type;                  // _chem_comp.type, upper case
  int heavy_atoms = 0;               // non-hydrogen atoms, leaving atoms included
  std::vector<std::string> leaving;  // names of heavy leaving atoms
  // Every _chem_comp_atom.atom_id, hydrogens included, in the CCD's order.
  std::vector<std::string> atoms;
  bool atoms_known = false;
  bool glycan = false;               // AlphaFold 3's glycan set (type mentions SACCHARIDE)
  std::string source;                // where the entry came from, for messages

  bool has_leaving(std::string_view atom) const;
};

// True when a CCD type names a saccharide, as AlphaFold 3 builds its glycan sets
// (constants/converters/chemical_component_sets_gen.py).
bool is_glycan_type(std::string_view code, std::string_view type);

class Ccd {
 public:
  Ccd();  // the embedded table only
  ~Ccd();
  Ccd(Ccd&&) noexcept;
  Ccd& operator=(Ccd&&) noexcept;

  // Adds a components.cif file (plain or compressed). Its blocks are indexed on first
  // use and parsed only for the codes looked up. Throws InputError when unreadable.
  void add_components_file(const std::string& path);

  // Adds user-defined components (mmCIF text, e.g. an input's userCCD), read as AlphaFold
  // 3 reads them (cif_dict.hpp): each data block is the component named after it. They
  // take precedence. As in AlphaFold 3, a new code is never a glycan; a code that already
  // exists keeps its glycan status. Throws InputError naming `source`, with line:column,
  // on text AlphaFold 3 refuses or a block without its mandatory items.
  void add_user_components(const std::string& cif_text, const std::string& source);

  // A dictionary that searches `user_cif` (an input's userCCD) first, then `base`,
  // which must outlive it.
  static Ccd overlay(const Ccd& base, const std::string& user_cif, const std::string& source);

  // The component, or nullptr. Searches user components, the components file, then
  // the embedded table.
  const Component* find(std::string_view code) const;

  // "userCCD of job.json, /data/components.cif, the built-in CCD table (wwPDB, 2023-06-23)"
  std::string sources_description() const;

  std::size_t builtin_size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads mmCIF text holding chem_comp / chem_comp_atom items into components, one per
// data block (the last of blocks with the same name), as AlphaFold 3 reads a user CCD.
// Time and memory are linear in the text's size. Throws InputError naming `source`,
// with line:column counted from `first_line`, where AlphaFold 3 would refuse the text,
// or where a block has no _chem_comp.type or its atom items do not pair up.
std::vector<Component> parse_components_cif(const std::string& text, const std::string& source,
                                            std::uint32_t first_line = 1);

}  // namespace foldfit
