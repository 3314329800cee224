#include "foldfit/input/template_cif.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include <cif++.hpp>

#include "foldfit/chem/cif_dict.hpp"
#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

// AlphaFold 3's protein residues with one-letter codes (MSE is read as MET).
char one_letter(const std::string& mon) {
  static const std::map<std::string, char> table = {
      {"ALA", 'A'}, {"ARG", 'R'}, {"ASN", 'N'}, {"ASP", 'D'}, {"CYS", 'C'}, {"GLN", 'Q'}, {"GLU", 'E'},
      {"GLY", 'G'}, {"HIS", 'H'}, {"ILE", 'I'}, {"LEU", 'L'}, {"LYS", 'K'}, {"MET", 'M'}, {"PHE", 'F'},
      {"PRO", 'P'}, {"SER", 'S'}, {"THR", 'T'}, {"TRP", 'W'}, {"TYR", 'Y'}, {"VAL", 'V'}, {"UNK", 'X'},
      {"MSE", 'M'}};
  auto it = table.find(mon);
  return it == table.end() ? '\0' : it->second;
}

// Refuses, before libcifpp sees it, text that libcifpp 5.0.7 cannot parse safely: it
// loops without end, allocating, on a loop_ whose first token is not an item name
// (tests/robustness/fuzz_regression_test.cpp), and on bytes >= 0x80, which its lexer
// does not take as part of a name. CIF 1.1 allows neither: text is printable ASCII,
// tabs and line ends, and a loop_ starts with at least one _category.item.
void check_cif_text(std::string_view text, const std::string& source, std::uint32_t first_line = 1) {
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
    after_loop = word.size() == 5 && std::equal(word.begin(), word.end(), "loop_", [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == b;
                 });
  }
}

// The categories a single-chain template keeps, with the item that names the chain's
// rows (empty: every row is kept).
struct Kept {
  const char* category;
  const char* asym_item;    // rows kept where this item is the chain's label_asym_id
  const char* entity_item;  // or where this item is the chain's entity id
};
constexpr Kept kKept[] = {
    {"entry", nullptr, nullptr},
    {"chem_comp", nullptr, nullptr},
    {"atom_type", nullptr, nullptr},
    {"entity", nullptr, "id"},
    {"entity_poly", nullptr, "entity_id"},
    {"entity_poly_seq", nullptr, "entity_id"},
    {"struct_asym", "id", nullptr},
    {"pdbx_poly_seq_scheme", "asym_id", nullptr},
    {"atom_site", "label_asym_id", nullptr},
};

}  // namespace

struct ModelCif::Impl {
  ::cif::file file;
};

ModelCif::ModelCif(const std::string& text, std::string source) : impl_(nullptr), source_(std::move(source)) {
  // AlphaFold 3 reads a template's mmCIF with its own reader; text it refuses is refused
  // here, where it goes wrong, and libcifpp sees only text it can parse safely.
  foldfit::cif::read_block(text, source_, 1, false);
  check_cif_text(text, source_);
  impl_ = new Impl;
  try {
    std::istringstream is(text);
    impl_->file.load(is);
  } catch (const std::exception& e) {
    delete impl_;
    throw InputError(SourceLocation{source_, 0, 0, ""}, fmt::format("invalid mmCIF: {}", e.what()));
  }
  if (impl_->file.empty() || impl_->file.front()["atom_site"].empty()) {
    delete impl_;
    throw InputError(SourceLocation{source_, 0, 0, ""}, "not a model mmCIF: no _atom_site rows");
  }
}

ModelCif::~ModelCif() { delete impl_; }
ModelCif::ModelCif(ModelCif&& o) noexcept : impl_(o.impl_), source_(std::move(o.source_)) { o.impl_ = nullptr; }

std::vector<std::string> ModelCif::chains() const {
  std::vector<std::string> out;
  const ::cif::datablock& db = impl_->file.front();
  std::set<std::string> polymer_entities;
  for (auto r : db["entity_poly"]) polymer_entities.insert(r["entity_id"].as<std::string>());
  for (auto r : db["atom_site"]) {
    std::string chain = r["auth_asym_id"].as<std::string>();
    if (chain.empty()) chain = r["label_asym_id"].as<std::string>();
    if (!polymer_entities.empty() && !polymer_entities.count(r["label_entity_id"].as<std::string>())) continue;
    if (std::find(out.begin(), out.end(), chain) == out.end()) out.push_back(chain);
  }
  return out;
}

ChainTemplate ModelCif::extract(const std::string& chain, const Entity& query) const {
  SourceLocation where{source_, 0, 0, ""};
  const ::cif::datablock& db = impl_->file.front();
  std::string asym, entity;
  std::set<long> resolved;
  for (auto r : db["atom_site"]) {
    std::string auth = r["auth_asym_id"].as<std::string>();
    if (auth.empty()) auth = r["label_asym_id"].as<std::string>();
    if (auth != chain) continue;
    asym = r["label_asym_id"].as<std::string>();
    entity = r["label_entity_id"].as<std::string>();
    resolved.insert(r["label_seq_id"].as<long>());
  }
  if (asym.empty()) throw InputError(where, fmt::format("the model has no chain {}", chain));
  if (query.type != EntityType::protein)
    throw InputError(query.where, fmt::format("chain {}: AlphaFold 3 takes templates for protein chains only", chain));

  // The chain's residues in _entity_poly_seq order: the template's indices.
  std::vector<std::pair<long, std::string>> seq;
  for (auto r : db["entity_poly_seq"])
    if (r["entity_id"].as<std::string>() == entity) seq.emplace_back(r["num"].as<long>(), r["mon_id"].as<std::string>());
  std::stable_sort(seq.begin(), seq.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (seq.empty())
    throw InputError(where, fmt::format("chain {} (entity {}) has no _entity_poly_seq rows: not a polymer chain AlphaFold 3 "
                                        "can use as a template",
                                        chain, entity));
  std::map<std::int64_t, std::string> mods;
  for (const Modification& m : query.modifications) mods[m.position] = m.ccd;
  if (seq.size() != query.sequence.size())
    throw InputError(where, fmt::format("chain {} has {} residues, the query entity ({}) {}: not the same chain", chain,
                                        seq.size(), format_location(query.where), query.sequence.size()));

  ChainTemplate t;
  t.chain = chain;
  t.residues = seq.size();
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const std::string& mon = seq[i].second;
    auto mod = mods.find(static_cast<std::int64_t>(i) + 1);
    bool same = mod != mods.end() ? mod->second == mon : one_letter(mon) == query.sequence[i];
    if (!same)
      throw InputError(where, fmt::format("chain {} residue {} is {}, the query has {} there ({}): not the same chain",
                                          chain, i + 1, mon,
                                          mod != mods.end() ? mod->second : std::string(1, query.sequence[i]),
                                          format_location(query.where)));
    if (!resolved.count(seq[i].first)) continue;  // unresolved: counted in the indices, not mapped
    t.query_indices.push_back(static_cast<std::int64_t>(i));
    t.template_indices.push_back(static_cast<std::int64_t>(i));
  }
  t.resolved = t.query_indices.size();

  ::cif::datablock out = db;
  for (auto it = out.begin(); it != out.end();) {
    auto kept = std::find_if(std::begin(kKept), std::end(kKept), [&](const Kept& k) { return it->name() == k.category; });
    if (kept == std::end(kKept)) {
      it = out.erase(it);
      continue;
    }
    if (kept->asym_item) it->erase(::cif::key(kept->asym_item) != asym);
    if (kept->entity_item) it->erase(::cif::key(kept->entity_item) != entity);
    ++it;
  }
  std::string name = fmt::format("{}_{}", db.name(), chain);
  out.set_name(name);
  for (auto r : out["entry"]) r["id"] = name;
  if (out["entry"].empty()) out["entry"].emplace({{"id", name}});
  out["pdbx_audit_revision_history"].emplace({{"ordinal", 1},
                                              {"data_content_type", "Structure model"},
                                              {"major_revision", 1},
                                              {"minor_revision", 0},
                                              {"revision_date", kTemplateReleaseDate}});
  std::ostringstream os;
  out.write(os);
  t.mmcif = os.str();
  return t;
}

void require_msas_for_templates(const Entity& e) {
  if (e.type != EntityType::protein || (e.unpaired_msa.set && e.paired_msa.set)) return;
  throw InputError(e.where,
                   fmt::format("protein chain {} has no {}: AlphaFold 3 takes templates only beside both MSAs (its "
                               "data pipeline refuses them set only partially); give the data pipeline's output "
                               "(<name>_data.json, from run_alphafold.py --norun_inference) or set unpairedMsa and "
                               "pairedMsa (an empty string for no MSA)",
                               e.ids.front(),
                               !e.unpaired_msa.set && !e.paired_msa.set ? "unpairedMsa and pairedMsa"
                               : !e.unpaired_msa.set                    ? "unpairedMsa"
                                                                        : "pairedMsa"));
}

AttachedTemplates attach_templates(const Input& input, const nlohmann::ordered_json& document, const ModelCif& model) {
  AttachedTemplates out;
  out.document = document;
  std::vector<std::string> chains = model.chains();
  auto& sequences = out.document["sequences"];
  for (std::size_t i = 0; i < input.entities.size() && i < sequences.size(); ++i) {
    const Entity& e = input.entities[i];
    std::vector<std::string> have;
    for (const std::string& id : e.ids)
      if (std::find(chains.begin(), chains.end(), id) != chains.end()) have.push_back(id);
    if (have.empty()) {
      out.notes.push_back(fmt::format("{} ({}): the model has none of its chains; left as it was", e.where.path,
                                      fmt::join(e.ids, ",")));
      continue;
    }
    if (e.type != EntityType::protein) {
      out.notes.push_back(fmt::format("{} ({}): {} chains take no templates in AlphaFold 3; left as it was", e.where.path,
                                      fmt::join(e.ids, ","), entity_type_name(e.type)));
      continue;
    }
    require_msas_for_templates(e);
    auto& body = sequences[i].begin().value();
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    std::vector<std::string> used;
    for (const std::string& c : have) {
      if (list.size() == 4) break;  // AlphaFold 3 embeds at most 4 (max_templates)
      ChainTemplate t = model.extract(c, e);
      nlohmann::ordered_json tpl;
      tpl["mmcif"] = t.mmcif;
      tpl["queryIndices"] = t.query_indices;
      tpl["templateIndices"] = t.template_indices;
      list.push_back(std::move(tpl));
      used.push_back(fmt::format("{} ({} of {} residues resolved)", c, t.resolved, t.residues));
    }
    std::size_t own = 0, own_kept = 0;
    if (body.contains("templates") && body["templates"].is_array())
      for (auto& t : body["templates"]) {
        ++own;
        if (list.size() < 4) {
          list.push_back(t);
          ++own_kept;
        }
      }
    bool searched = !body.contains("templates") || body["templates"].is_null();
    body["templates"] = list;
    out.attached += used.size();
    std::string note = fmt::format("{} ({}): templates from model chains {}", e.where.path, fmt::join(e.ids, ","),
                                   fmt::join(used, ", "));
    if (have.size() > used.size())
      note += fmt::format("; {} more model chains left out (AlphaFold 3 embeds at most 4 templates)", have.size() - used.size());
    if (own > 0) note += fmt::format("; {} of its own {} templates kept after them", own_kept, own);
    if (searched) note += "; it had no templates list, so AlphaFold 3's template search is replaced by these";
    out.notes.push_back(std::move(note));
  }
  return out;
}

}  // namespace foldfit
