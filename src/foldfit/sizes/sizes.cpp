#include "foldfit/sizes/sizes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "foldfit/chem/smiles.hpp"
#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

// One-letter protein codes (residue_names.py); every other letter is UNK.
std::string_view protein_code(char letter) {
  static constexpr std::array<std::pair<char, std::string_view>, 20> kCodes = {{
      {'A', "ALA"}, {'R', "ARG"}, {'N', "ASN"}, {'D', "ASP"}, {'C', "CYS"}, {'Q', "GLN"}, {'E', "GLU"},
      {'G', "GLY"}, {'H', "HIS"}, {'I', "ILE"}, {'L', "LEU"}, {'K', "LYS"}, {'M', "MET"}, {'F', "PHE"},
      {'P', "PRO"}, {'S', "SER"}, {'T', "THR"}, {'W', "TRP"}, {'Y', "TYR"}, {'V', "VAL"},
  }};
  for (const auto& [l, code] : kCodes)
    if (l == letter) return code;
  return "UNK";
}

std::string_view rna_code(char letter) {
  switch (letter) {
    case 'A': return "A";
    case 'C': return "C";
    case 'G': return "G";
    case 'U': return "U";
    default: return "N";
  }
}

std::string_view dna_code(char letter) {
  switch (letter) {
    case 'A': return "DA";
    case 'C': return "DC";
    case 'G': return "DG";
    case 'T': return "DT";
    default: return "DN";
  }
}

// Residues AlphaFold 3's tokenizer keeps as one token (features.py, residue_names.py).
bool is_standard(std::string_view code, EntityType type) {
  static const std::set<std::string_view> kProtein = {"ALA", "ARG", "ASN", "ASP", "CYS", "GLN", "GLU", "GLY",
                                                      "HIS", "ILE", "LEU", "LYS", "MET", "PHE", "PRO", "SER",
                                                      "THR", "TRP", "TYR", "VAL", "UNK", "MSE"};
  static const std::set<std::string_view> kNucleic = {"A", "G", "C", "U", "DA", "DG", "DC", "DT", "N", "DN"};
  if (type == EntityType::protein) return kProtein.count(code) > 0;
  if (type == EntityType::rna || type == EntityType::dna) return kNucleic.count(code) > 0;
  return false;
}

bool is_unknown(std::string_view code) { return code == "UNK" || code == "N" || code == "DN" || code == "UNL"; }

// Heavy atoms AlphaFold 3 keeps for a polymer residue: the link atom is dropped by
// name, OXT except at the C-terminus (protein), OP3 except at the 5' end (nucleic).
std::int64_t polymer_atoms(const Component& c, EntityType type, bool first, bool last) {
  std::int64_t atoms = c.heavy_atoms;
  if (type == EntityType::protein && !last && c.has_leaving("OXT")) --atoms;
  if (type != EntityType::protein && !first && c.has_leaving("OP3")) --atoms;
  return atoms;
}

struct BondEnds {
  bool o1_bonded = false;
  bool any = false;
};

std::string entity_signature(const Entity& e) {
  std::string s = std::string(entity_type_name(e.type)) + ":" + e.sequence;
  for (const Modification& m : e.modifications) s += fmt::format("|{}@{}", m.ccd, m.position);
  for (const auto& c : e.ccd_codes) s += "|" + c.value;
  if (e.smiles) s += "|smiles:" + e.smiles->value;
  return s;
}

}  // namespace

std::int64_t residue_tokens(const Component& c, EntityType type, bool first, bool last) {
  if (is_standard(c.code, type)) return 1;
  return polymer_atoms(c, type, first, last);
}

Sizes size_input(const Input& input, const Ccd& ccd, const SizeOptions& options) {
  Sizes s;
  s.name = input.name;
  s.file = input.file;
  s.job_index = input.job_index;
  s.entities = input.entities.size();
  s.seeds = input.seeds_sampled ? 1 : input.seeds.size();

  auto lookup = [&](const std::string& code, const SourceLocation& where) -> const Component& {
    const Component* c = ccd.find(code);
    if (!c)
      throw InputError(where, fmt::format("unknown CCD code '{}' (searched: {}; give --ccd_path=components.cif or "
                                          "define it in userCCD)",
                                          code, ccd.sources_description()));
    return *c;
  };

  // Each bonded atom must be an atom of its residue's component: AlphaFold 3 (v3.0.2 and
  // later) refuses the input in Input.to_structure otherwise, after the data pipeline.
  // Checked where the component's atom names are known (mmCIF: userCCD, --ccd_path).
  std::map<std::string, const Entity*> entity_of;
  for (const Entity& e : input.entities)
    for (const std::string& id : e.ids) entity_of[id] = &e;
  auto component_at = [&](const BondAtom& a) -> const Component* {
    auto it = entity_of.find(a.chain);
    if (it == entity_of.end() || a.residue < 1) return nullptr;
    const Entity& e = *it->second;
    const auto r = static_cast<std::size_t>(a.residue - 1);
    if (e.type == EntityType::ligand) return e.smiles || r >= e.ccd_codes.size() ? nullptr : ccd.find(e.ccd_codes[r].value);
    if (r >= e.sequence.size()) return nullptr;
    for (const Modification& m : e.modifications)
      if (m.position == a.residue) return ccd.find(m.ccd);
    const char letter = e.sequence[r];
    return ccd.find(e.type == EntityType::protein ? protein_code(letter)
                    : e.type == EntityType::rna   ? rna_code(letter)
                                                  : dna_code(letter));
  };
  for (const Bond& b : input.bonds)
    for (const auto& [atom, where] : {std::pair{&b.a, &b.where_a}, std::pair{&b.b, &b.where_b}}) {
      const Component* comp = component_at(*atom);
      if (!comp || !comp->atoms_known) continue;
      if (std::find(comp->atoms.begin(), comp->atoms.end(), atom->atom) != comp->atoms.end()) continue;
      std::string names = fmt::format("{}", fmt::join(comp->atoms, ", "));
      if (names.size() > 300) names = names.substr(0, 297) + "...";
      const std::string message = fmt::format(
          "bonded atom '{}' (chain {}, residue {}) is not an atom of component {} (from {}; its atoms: {})", atom->atom,
          atom->chain, atom->residue, comp->code, comp->source, names);
      if (options.release.release->checks_bond_atoms) throw InputError(*where, message + "; AlphaFold 3 refuses the input");
      s.warnings.push_back(fmt::format("{}{}; AlphaFold 3 {} does not check this", format_location(*where), message,
                                       options.release.release->name));
    }

  // Bonds that count for the glycan O1 rule: at least one end in a ligand, ends in
  // different residues (model/atom_layout inter-chain bond layout).
  std::map<std::pair<std::string, std::int64_t>, BondEnds> bonded;
  std::map<std::string, EntityType> chain_type;
  for (const Entity& e : input.entities)
    for (const std::string& id : e.ids) chain_type[id] = e.type;
  for (const Bond& b : input.bonds) {
    bool ligand = chain_type[b.a.chain] == EntityType::ligand || chain_type[b.b.chain] == EntityType::ligand;
    bool same_residue = b.a.chain == b.b.chain && b.a.residue == b.b.residue;
    if (!ligand || same_residue) continue;
    for (const BondAtom* a : {&b.a, &b.b}) {
      BondEnds& ends = bonded[{a->chain, a->residue}];
      ends.any = true;
      if (a->atom == "O1") ends.o1_bonded = true;
    }
  }

  std::set<std::string> signatures;
  for (std::size_t ei = 0; ei < input.entities.size(); ++ei) {
    const Entity& e = input.entities[ei];
    // Polymer copies are identical, so they are tokenized once; ligand copies may differ
    // through their bonds (glycan O1). This keeps a job with thousands of copies linear.
    struct Copy {
      std::int64_t residues = 0, tokens = 0, heavy_atoms = 0;
      bool all_unknown = true;
      std::string first_code;
    };
    auto tokenize = [&](const std::string& id) {
      Copy c;
      auto note_code = [&](std::string_view code) {
        if (c.first_code.empty()) c.first_code = code;
        if (!is_unknown(code) || code != c.first_code) c.all_unknown = false;
      };
      if (e.type == EntityType::ligand && e.smiles) {
        std::string why;
        auto atoms = count_smiles_atoms(e.smiles->value, &why);
        if (!atoms)
          throw InputError(e.smiles->where,
                           fmt::format("unable to make an RDKit molecule from SMILES '{}': {}", e.smiles->value, why));
        c.residues = 1;
        c.tokens = c.heavy_atoms = atoms->heavy_atoms;
        c.all_unknown = false;
      } else if (e.type == EntityType::ligand) {
        c.residues = static_cast<std::int64_t>(e.ccd_codes.size());
        for (std::size_t r = 0; r < e.ccd_codes.size(); ++r) {
          const Component& comp = lookup(e.ccd_codes[r].value, e.ccd_codes[r].where);
          note_code(comp.code);
          std::int64_t atoms = comp.heavy_atoms;
          if (comp.glycan && comp.has_leaving("O1")) {
            auto it = bonded.find({id, static_cast<std::int64_t>(r + 1)});
            bool any = it != bonded.end() && it->second.any;
            bool o1 = it != bonded.end() && it->second.o1_bonded;
            if (!o1 && (!options.fix_standalone_glycans || any)) --atoms;
          }
          c.tokens += atoms;
          c.heavy_atoms += atoms;
        }
      } else {
        const std::int64_t len = static_cast<std::int64_t>(e.sequence.size());
        c.residues = len;
        std::vector<const Modification*> mods(e.sequence.size(), nullptr);
        for (const Modification& m : e.modifications) mods[static_cast<std::size_t>(m.position - 1)] = &m;
        // One dictionary lookup per distinct letter, not per residue.
        std::array<const Component*, 256> by_letter{};
        for (std::int64_t i = 0; i < len; ++i) {
          const Component* found = nullptr;
          if (const Modification* m = mods[static_cast<std::size_t>(i)]) {
            found = &lookup(m->ccd, m->where);
          } else {
            char letter = e.sequence[static_cast<std::size_t>(i)];
            const Component*& slot = by_letter[static_cast<unsigned char>(letter)];
            if (!slot)
              slot = &lookup(std::string(e.type == EntityType::protein ? protein_code(letter)
                                         : e.type == EntityType::rna   ? rna_code(letter)
                                                                       : dna_code(letter)),
                             e.where);
            found = slot;
          }
          const Component& comp = *found;
          note_code(comp.code);
          bool first = i == 0, last = i == len - 1;
          c.tokens += residue_tokens(comp, e.type, first, last);
          c.heavy_atoms += polymer_atoms(comp, e.type, first, last);
        }
      }
      return c;
    };
    std::optional<Copy> shared;
    if (e.type != EntityType::ligand || e.smiles) shared = e.ids.empty() ? Copy{} : tokenize(e.ids.front());
    std::string signature = entity_signature(e);
    if (e.type == EntityType::rna && !e.ids.empty()) {
      // AlphaFold 3 maps every letter but A, C, G and U to N (unknown) in RNA.
      std::size_t thymine = static_cast<std::size_t>(std::count(e.sequence.begin(), e.sequence.end(), 'T'));
      if (thymine > 0)
        s.warnings.push_back(fmt::format("chain {}: the RNA sequence has {} T (thymine) residue{}; AlphaFold 3 reads "
                                         "them as N (unknown RNA residue): use U for uracil, or a dna entry",
                                         e.ids.front(), thymine, thymine == 1 ? "" : "s"));
    }
    for (const std::string& id : e.ids) {
      Copy copy = shared ? *shared : tokenize(id);
      ChainSize c;
      c.id = id;
      c.type = e.type;
      c.entity = ei;
      c.unpaired_msa_rows = e.unpaired_msa.rows;
      c.paired_msa_rows = e.paired_msa.rows;
      c.msa_given = e.unpaired_msa.set || e.paired_msa.set;
      c.templates = e.templates ? static_cast<std::int64_t>(e.templates->size()) : -1;
      c.residues = copy.residues;
      c.tokens = copy.tokens;
      c.heavy_atoms = copy.heavy_atoms;
      if (copy.all_unknown) {
        c.dropped = true;
        s.warnings.push_back(fmt::format("chain {}: every residue is {}; AlphaFold 3 drops such chains", id,
                                         copy.first_code));
        c.tokens = c.heavy_atoms = 0;
      } else {
        ++s.chains;
        signatures.insert(signature);
      }
      s.tokens += c.tokens;
      s.heavy_atoms += c.heavy_atoms;
      s.msa_rows += c.unpaired_msa_rows + c.paired_msa_rows;
      s.chain_sizes.push_back(std::move(c));
    }
    if (e.templates) s.templates += static_cast<std::int64_t>(e.templates->size() * e.ids.size());
  }
  if (s.chains == 0)
    throw InputError(SourceLocation{input.file, 0, 0, "sequences"},
                     "no chains left to fold: every chain is made only of unknown residues");
  s.homomer = s.chains >= 2 && signatures.size() == 1;
  s.padded_tokens = options.buckets.pad(s.tokens);
  s.above_largest_bucket = options.buckets.above_largest(s.tokens);
  if (s.above_largest_bucket)
    s.warnings.push_back(fmt::format("{} tokens is above the largest bucket ({}); AlphaFold 3 compiles a model for "
                                     "exactly {} tokens",
                                     s.tokens, options.buckets.sizes().back(), s.tokens));
  s.flat_atoms = flat_atoms(s.padded_tokens);
  return s;
}

}  // namespace foldfit

namespace foldfit {

Ccd ccd_for_input(const Input& input, const Ccd& base) {
  if (!input.user_ccd) return Ccd::overlay(base, "", "");
  std::string source = input.user_ccd_path.empty() ? "userCCD of " + input.file : input.user_ccd_path;
  try {
    return Ccd::overlay(base, *input.user_ccd, source);
  } catch (const InputError& e) {
    // Point at the field; a file's own name and line are part of the message, and inline
    // text's line and column are counted within the text.
    std::string message = e.what();
    if (input.user_ccd_path.empty())
      message = e.location().line == 0 ? e.message()
                                       : fmt::format("mmCIF line {}, column {}: {}", e.location().line,
                                                     e.location().column, e.message());
    throw InputError(input.user_ccd_where, message);
  }
}

}  // namespace foldfit

namespace foldfit {

std::vector<Sizes> size_file(const std::string& path, const Ccd& base, const SizeOptions& options,
                             const ReadOptions& read_options, std::vector<std::string>* warnings) {
  std::vector<Sizes> out;
  for (const Input& input : read_input_file(path, read_options, warnings)) {
    Ccd ccd = ccd_for_input(input, base);
    out.push_back(size_input(input, ccd, options));
  }
  return out;
}

}  // namespace foldfit
