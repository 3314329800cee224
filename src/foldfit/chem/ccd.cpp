#include "foldfit/chem/ccd.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <cif++.hpp>
#include <mutex>
#include <sstream>

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
  c.glycan = is_glycan_type(c.code, c.type);
  c.source = std::string(kBuiltinSource);
  return c;
}

// The embedded TSV (code, type, heavy_atoms, leaving_heavy_atoms, parent), sorted by
// code: found by binary search over its line starts, rows parsed only when looked up,
// so start-up costs one scan for newlines and no allocation per component.
class BuiltinTable {
 public:
  BuiltinTable() {
    std::string_view tsv = embedded::ccd_atoms_tsv();
    std::size_t pos = tsv.find('\n') + 1;  // skip the header
    while (pos < tsv.size()) {
      std::size_t eol = tsv.find('\n', pos);
      if (eol == std::string_view::npos) eol = tsv.size();
      if (eol > pos) lines_.push_back(tsv.substr(pos, eol - pos));
      pos = eol + 1;
    }
  }

  const Component* find(std::string_view code) const {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(std::string(code)); it != cache_.end()) return it->second.get();
    auto key = [](std::string_view line) { return line.substr(0, line.find('\t')); };
    auto it = std::lower_bound(lines_.begin(), lines_.end(), code,
                               [&](std::string_view line, std::string_view c) { return key(line) < c; });
    std::unique_ptr<Component> c;
    if (it != lines_.end() && key(*it) == code) c = std::make_unique<Component>(parse_row(*it));
    return (cache_[std::string(code)] = std::move(c)).get();
  }

  std::size_t size() const { return lines_.size(); }

 private:
  std::vector<std::string_view> lines_;
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

// Refuses, before libcifpp sees it, text that libcifpp 5.0.7 cannot parse safely: it
// loops without end, allocating, on a loop_ whose first token is not an item name
// (tests/robustness/fuzz_regression_test.cpp), and on bytes >= 0x80, which its lexer
// does not take as part of a name. CIF 1.1 allows neither: text is printable ASCII,
// tabs and line ends, and a loop_ starts with at least one _category.item.
void check_cif_text(std::string_view text, const std::string& source, std::uint32_t first_line) {
  std::uint32_t line = first_line;
  std::size_t line_start = 0;
  auto fail = [&](std::size_t at, const std::string& message) {
    throw InputError(SourceLocation{source, line, static_cast<std::uint32_t>(at - line_start + 1), ""}, message);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      line_start = i + 1;
    } else if ((c < 0x20 && c != '\t' && c != '\r') || c >= 0x7f) {
      fail(i, fmt::format("byte 0x{:02x} in mmCIF text; foldfit reads CIF 1.1, which allows only printable ASCII, "
                          "tabs and line ends",
                          c));
    }
  }
  // Tokens, as CIF 1.1 splits them: comments, quoted strings, ;-text fields, bare words.
  // A lone CR ends a line too, as it does for libcifpp; only LF counts lines in messages.
  line = first_line;
  line_start = 0;
  bool after_loop = false;
  std::size_t i = 0;
  auto is_eol = [](char c) { return c == '\n' || c == '\r'; };
  auto is_space = [&](char c) { return c == ' ' || c == '\t' || is_eol(c); };
  auto new_line = [&](std::size_t at) {
    if (text[at] == '\n') ++line;
    line_start = at + 1;
  };
  while (i < text.size()) {
    char c = text[i];
    if (is_eol(c)) {
      new_line(i++);
      continue;
    }
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < text.size() && !is_eol(text[i])) ++i;
      continue;
    }
    const std::size_t token = i, token_line_start = line_start;
    const std::uint32_t token_line = line;
    // An unclosed text field or quoted string is refused too: libcifpp 5.0.7 and this
    // check would split the rest of the text differently (fuzz_ccd, out of memory).
    auto fail_at_token = [&](const std::string& message) {
      line = token_line;
      line_start = token_line_start;
      fail(token, message);
    };
    if (c == ';' && i == line_start) {  // text field: up to a line that starts with ';'
      ++i;
      while (i < text.size() && !(text[i] == ';' && is_eol(text[i - 1]))) {
        if (is_eol(text[i])) new_line(i);
        ++i;
      }
      if (i >= text.size()) fail_at_token("text field opened here with ';' is never closed (a line that starts with ';')");
      ++i;
    } else if (c == '\'' || c == '"') {  // ends at the same quote followed by white space
      ++i;
      while (i < text.size() && !is_eol(text[i]) && !(text[i] == c && (i + 1 == text.size() || is_space(text[i + 1]))))
        ++i;
      if (i >= text.size() || is_eol(text[i]))
        fail_at_token(fmt::format("quoted string opened here with {} is not closed on its line", c));
      ++i;
    } else {
      while (i < text.size() && !is_space(text[i])) ++i;
    }
    std::string_view word = text.substr(token, i - token);
    if (after_loop && word.front() != '_') {
      line = token_line;
      line_start = token_line_start;
      fail(token, fmt::format("loop_ must start with item names (_category.item), found '{}'",
                              word.substr(0, std::min<std::size_t>(word.size(), 40))));
    }
    after_loop = word.size() == 5 && (word[0] == 'l' || word[0] == 'L') && upper(word) == "LOOP_";
  }
}

}  // namespace

std::vector<Component> parse_components_cif(const std::string& text, const std::string& source,
                                            std::uint32_t first_line) {
  check_cif_text(text, source, first_line);
  cif::file file;
  try {
    std::istringstream is(text);
    file.load(is);
  } catch (const std::exception& e) {
    throw InputError(SourceLocation{source, 0, 0, ""}, fmt::format("invalid mmCIF: {}", e.what()));
  }
  std::vector<Component> out;
  for (auto& block : file) {
    auto& chem_comp = block["chem_comp"];
    auto& atoms = block["chem_comp_atom"];
    if (chem_comp.empty())
      throw InputError(SourceLocation{source, 0, 0, ""},
                       fmt::format("component block data_{} has no _chem_comp category", block.name()));
    for (auto row : chem_comp) {
      Component c;
      c.code = row["id"].as<std::string>();
      c.type = upper(row["type"].as<std::string>());
      c.source = source;
      c.atoms_known = true;
      for (auto a : atoms) {
        if (a["comp_id"].as<std::string>() != c.code) continue;
        c.atoms.push_back(a["atom_id"].as<std::string>());
        if (is_hydrogen(a["type_symbol"].as<std::string>())) continue;
        ++c.heavy_atoms;
        if (upper(a["pdbx_leaving_atom_flag"].as<std::string>()) == "Y") c.leaving.push_back(a["atom_id"].as<std::string>());
      }
      if (c.code.empty())
        throw InputError(SourceLocation{source, 0, 0, ""}, fmt::format("block data_{} has no _chem_comp.id", block.name()));
      out.push_back(std::move(c));
    }
  }
  return out;
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
    std::vector<Component> cs =
        parse_components_cif(text.substr(b->second.begin, b->second.end - b->second.begin), path, b->second.line);
    std::unique_ptr<Component> c;
    for (Component& x : cs)
      if (x.code == code) c = std::make_unique<Component>(std::move(x));
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

static void check_user_ccd_keys(const std::string& cif_text, const std::string& source) {
  // AlphaFold 3 requires these fields in every user-defined component
  // (common/folding_input.py, _validate_user_ccd_keys).
  static const std::pair<const char*, std::vector<const char*>> kMandatory[] = {
      {"chem_comp", {"id", "name", "type", "formula", "mon_nstd_parent_comp_id", "pdbx_synonyms", "formula_weight"}},
      {"chem_comp_atom",
       {"comp_id", "atom_id", "type_symbol", "charge", "pdbx_model_Cartn_x_ideal", "pdbx_model_Cartn_y_ideal",
        "pdbx_model_Cartn_z_ideal"}},
      {"chem_comp_bond", {"atom_id_1", "atom_id_2", "value_order", "pdbx_aromatic_flag"}},
  };
  cif::file file;
  std::istringstream is(cif_text);
  file.load(is);
  for (auto& block : file) {
    std::vector<std::string> missing;
    for (const auto& [category, items] : kMandatory) {
      auto& cat = block[category];
      for (const char* item : items)
        if (!cat.has_column(item)) missing.push_back(fmt::format("_{}.{}", category, item));
    }
    if (!missing.empty())
      throw InputError(SourceLocation{source, 0, 0, ""},
                       fmt::format("component {} in the user-defined CCD is missing these keys: {}", block.name(),
                                   fmt::join(missing, ", ")));
  }
}

void Ccd::add_user_components(const std::string& cif_text, const std::string& source) {
  std::vector<Component> components = parse_components_cif(cif_text, source);
  check_user_ccd_keys(cif_text, source);
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
