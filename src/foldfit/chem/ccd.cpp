#include "foldfit/chem/ccd.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "foldfit/chem/cif_dict.hpp"
#include "foldfit/common/embedded.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/input/text_file.hpp"

namespace foldfit {

namespace {

constexpr std::string_view kBuiltinSource = "the built-in CCD table (wwPDB, 2023-06-23)";

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

Component parse_row(std::string_view line) {
  std::vector<std::string> f = split(line, '\t');
  Component c;
  c.code = f[0];
  if (f.size() >= 4) {
    c.type = f[1];
    c.heavy_atoms = std::stoi(f[2]);
    c.leaving = split(f[3], ',');
  }
  if (f.size() >= 6) {  // every atom name, hydrogens included, space-separated
    c.atoms = split(f[5], ' ');
    c.atoms_known = true;
  }
  c.glycan = is_glycan_type(c.code, c.type);
  c.source = std::string(kBuiltinSource);
  return c;
}

// The embedded TSV (code, type, heavy_atoms, leaving_heavy_atoms, parent, atoms), sorted by
// code: found by binary search over the text itself, rows parsed only when looked up, so
// start-up neither scans the 8 MB table nor allocates per component.
class BuiltinTable {
 public:
  BuiltinTable() : tsv_(embedded::ccd_atoms_tsv()), begin_(tsv_.find('\n') + 1) {}  // past the header

  const Component* find(std::string_view code) const {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(std::string(code)); it != cache_.end()) return it->second.get();
    // Lines starting before lo have a smaller code; lines starting at or after hi do not.
    std::size_t lo = begin_, hi = tsv_.size();
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      const std::size_t start = mid == lo ? lo : tsv_.rfind('\n', mid - 1) + 1;  // the line holding mid
      if (key(start) < code) lo = line_end(start);
      else hi = start;
    }
    std::unique_ptr<Component> c;
    if (lo < tsv_.size() && key(lo) == code)
      c = std::make_unique<Component>(parse_row(tsv_.substr(lo, line_end(lo) - lo - 1)));
    return (cache_[std::string(code)] = std::move(c)).get();
  }

  std::size_t size() const {
    return static_cast<std::size_t>(std::count(tsv_.begin() + static_cast<std::ptrdiff_t>(begin_), tsv_.end(), '\n'));
  }

 private:
  std::size_t line_end(std::size_t start) const {  // just past the line's '\n'
    std::size_t eol = tsv_.find('\n', start);
    return eol == std::string_view::npos ? tsv_.size() + 1 : eol + 1;
  }
  std::string_view key(std::size_t start) const {
    std::string_view line = tsv_.substr(start, line_end(start) - start - 1);
    return line.substr(0, line.find('\t'));
  }

  std::string_view tsv_;
  std::size_t begin_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, std::unique_ptr<Component>> cache_;
};

const BuiltinTable& builtin() {
  static const BuiltinTable table;
  return table;
}

bool is_hydrogen(std::string_view element) {
  std::string e = upper(element);
  return e == "H" || e == "D";
}

}  // namespace

bool Component::has_leaving(std::string_view atom) const {
  return std::find(leaving.begin(), leaving.end(), atom) != leaving.end();
}

bool is_glycan_type(std::string_view code, std::string_view type) {
  if (code == "UNX") return false;
  std::string t = upper(type);
  std::size_t at = 0;
  while ((at = t.find("SACCHARIDE", at)) != std::string::npos) {
    bool left = at == 0 || (!std::isalnum(static_cast<unsigned char>(t[at - 1])) && t[at - 1] != '_');
    std::size_t end = at + 10;
    bool right = end == t.size() || (!std::isalnum(static_cast<unsigned char>(t[end])) && t[end] != '_');
    if (left && right) return true;
    at = end;
  }
  return false;
}

namespace {

// One component from a data block read as AlphaFold 3 reads it: the block's name is the
// code it is looked up by; every _chem_comp_atom row is one of its atoms.
Component component_of(const cif::Block& b, const std::string& source) {
  auto fail = [&](const std::string& message) {
    throw InputError(SourceLocation{source, b.line, b.column, ""}, message);
  };
  Component c;
  c.code = b.name;
  c.source = source;
  c.atoms_known = true;
  const std::vector<cif::Value>* type = b.find("_chem_comp.type");
  if (!type || type->empty()) fail(fmt::format("component data_{} has no _chem_comp.type", b.name));
  c.type = upper(type->front().text);
  const std::vector<cif::Value>* ids = b.find("_chem_comp_atom.atom_id");
  if (!ids) return c;
  const std::vector<cif::Value>* symbols = b.find("_chem_comp_atom.type_symbol");
  const std::vector<cif::Value>* leaving = b.find("_chem_comp_atom.pdbx_leaving_atom_flag");
  if (!symbols || symbols->size() != ids->size())
    fail(fmt::format("component data_{} has {} _chem_comp_atom.atom_id values but {} _chem_comp_atom.type_symbol "
                     "values",
                     b.name, ids->size(), symbols ? symbols->size() : 0));
  if (leaving && leaving->size() != ids->size())
    fail(fmt::format("component data_{} has {} _chem_comp_atom.atom_id values but {} "
                     "_chem_comp_atom.pdbx_leaving_atom_flag values",
                     b.name, ids->size(), leaving->size()));
  c.atoms.reserve(ids->size());
  for (std::size_t i = 0; i < ids->size(); ++i) {
    c.atoms.emplace_back((*ids)[i].text);
    if (is_hydrogen((*symbols)[i].text)) continue;
    ++c.heavy_atoms;
    if (leaving && upper((*leaving)[i].text) == "Y") c.leaving.emplace_back((*ids)[i].text);
  }
  return c;
}

// The blocks AlphaFold 3 keeps from a multi-block text: a name given twice keeps its last.
std::vector<const cif::Block*> last_of_each_name(const cif::Document& doc) {
  std::unordered_map<std::string_view, std::size_t> last;
  for (std::size_t i = 0; i < doc.blocks.size(); ++i) last[doc.blocks[i].name] = i;
  std::vector<const cif::Block*> out;
  for (std::size_t i = 0; i < doc.blocks.size(); ++i)
    if (last[doc.blocks[i].name] == i) out.push_back(&doc.blocks[i]);
  return out;
}

// AlphaFold 3 requires these items in every user-defined component
// (common/folding_input.py, _validate_user_ccd_keys).
void check_user_ccd_keys(const cif::Block& b, const std::string& source) {
  static constexpr const char* kMandatory[] = {
      "_chem_comp.id", "_chem_comp.name", "_chem_comp.type", "_chem_comp.formula",
      "_chem_comp.mon_nstd_parent_comp_id", "_chem_comp.pdbx_synonyms", "_chem_comp.formula_weight",
      "_chem_comp_atom.comp_id", "_chem_comp_atom.atom_id", "_chem_comp_atom.type_symbol", "_chem_comp_atom.charge",
      "_chem_comp_atom.pdbx_model_Cartn_x_ideal", "_chem_comp_atom.pdbx_model_Cartn_y_ideal",
      "_chem_comp_atom.pdbx_model_Cartn_z_ideal", "_chem_comp_bond.atom_id_1", "_chem_comp_bond.atom_id_2",
      "_chem_comp_bond.value_order", "_chem_comp_bond.pdbx_aromatic_flag"};
  std::vector<std::string_view> missing;
  for (const char* item : kMandatory)
    if (!b.find(item)) missing.emplace_back(item);
  if (!missing.empty())
    throw InputError(SourceLocation{source, b.line, b.column, ""},
                     fmt::format("component {} in the user-defined CCD is missing these keys: {}", b.name,
                                 fmt::join(missing, ", ")));
}

std::vector<Component> user_components(const std::string& text, const std::string& source, std::uint32_t first_line,
                                       bool check_keys) {
  const cif::Document doc = cif::read_multi_block(text, source, first_line);
  std::vector<const cif::Block*> blocks = last_of_each_name(doc);
  if (check_keys)
    for (const cif::Block* b : blocks) check_user_ccd_keys(*b, source);
  std::vector<Component> out;
  out.reserve(blocks.size());
  for (const cif::Block* b : blocks) out.push_back(component_of(*b, source));
  return out;
}

}  // namespace

std::vector<Component> parse_components_cif(const std::string& text, const std::string& source,
                                            std::uint32_t first_line) {
  return user_components(text, source, first_line, false);
}

// A components.cif indexed by block: offsets of each "data_CODE" line, parsed on demand.
struct ComponentsFile {
  std::string path;
  std::string text;  // decompressed
  struct Block {
    std::size_t begin = 0, end = 0;
    std::uint32_t line = 1;  // line of "data_CODE", for messages
  };
  std::unordered_map<std::string, Block> blocks;
  std::unordered_map<std::string, std::unique_ptr<Component>> parsed;

  explicit ComponentsFile(const std::string& p) : path(p) {
    text = read_text_file(p, std::uint64_t{4} << 30);
    std::size_t pos = 0;
    std::string current;
    Block block;
    std::uint32_t line = 1;
    while (pos < text.size()) {
      std::size_t eol = text.find('\n', pos);
      if (eol == std::string::npos) eol = text.size();
      if (text.compare(pos, 5, "data_") == 0) {
        if (!current.empty()) blocks[current] = {block.begin, pos, block.line};
        current = text.substr(pos + 5, eol - pos - 5);
        while (!current.empty() && std::isspace(static_cast<unsigned char>(current.back()))) current.pop_back();
        block = {pos, 0, line};
      }
      pos = eol + 1;
      ++line;
    }
    if (!current.empty()) blocks[current] = {block.begin, text.size(), block.line};
    if (blocks.empty()) throw InputError(SourceLocation{p, 0, 0, ""}, "no data_ blocks: not a components.cif file");
  }

  const Component* find(std::string_view code) {
    auto it = parsed.find(std::string(code));
    if (it != parsed.end()) return it->second.get();
    auto b = blocks.find(std::string(code));
    if (b == blocks.end()) return nullptr;
    const cif::Document doc = cif::read_block(
        std::string_view(text).substr(b->second.begin, b->second.end - b->second.begin), path, b->second.line);
    std::unique_ptr<Component> c;
    if (doc.blocks.front().name == code)  // read_block gives one block or throws
      c = std::make_unique<Component>(component_of(doc.blocks.front(), path));
    if (c) c->glycan = is_glycan_type(c->code, c->type);
    return (parsed[std::string(code)] = std::move(c)).get();
  }
};

struct Ccd::Impl {
  std::unordered_map<std::string, Component> user;
  std::vector<std::string> user_sources;
  std::unique_ptr<ComponentsFile> file;
  std::mutex mutex;  // guards lazy parsing of the components file
  const Ccd* base = nullptr;  // for overlays
};

Ccd::Ccd() : impl_(std::make_unique<Impl>()) {}
Ccd::~Ccd() = default;
Ccd::Ccd(Ccd&&) noexcept = default;
Ccd& Ccd::operator=(Ccd&&) noexcept = default;

void Ccd::add_components_file(const std::string& path) { impl_->file = std::make_unique<ComponentsFile>(path); }

void Ccd::add_user_components(const std::string& cif_text, const std::string& source) {
  std::vector<Component> components = user_components(cif_text, source, 1, true);
  for (Component& c : components) {
    // Glycan status is looked up by name in AlphaFold 3's built-in sets.
    const Component* known = builtin().find(c.code);
    c.glycan = known && known->glycan;
    impl_->user[c.code] = std::move(c);
  }
  impl_->user_sources.push_back(source);
}

Ccd Ccd::overlay(const Ccd& base, const std::string& user_cif, const std::string& source) {
  Ccd out;
  out.impl_->base = &base;
  if (!user_cif.empty()) out.add_user_components(user_cif, source);
  return out;
}

const Component* Ccd::find(std::string_view code) const {
  if (auto it = impl_->user.find(std::string(code)); it != impl_->user.end()) return &it->second;
  if (impl_->base) return impl_->base->find(code);
  if (impl_->file) {
    std::lock_guard lock(impl_->mutex);
    if (const Component* c = impl_->file->find(code)) return c;
  }
  return builtin().find(code);
}

std::string Ccd::sources_description() const {
  std::string out;
  for (const std::string& s : impl_->user_sources) out += s + ", ";
  if (impl_->base) return out + impl_->base->sources_description();
  if (impl_->file) out += impl_->file->path + ", ";
  out += kBuiltinSource;
  return out;
}

std::size_t Ccd::builtin_size() const { return builtin().size(); }

}  // namespace foldfit
