#include "foldfit/input/template_cif.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <charconv>
#include <memory>
#include <optional>

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

// A category of the model's block: its items, in file order, and their values.
struct Category {
  std::string_view name;  // without the leading '_'
  std::vector<std::pair<std::string_view, const std::vector<cif::Value>*>> items;  // full item names
  std::size_t rows = 0;

  const std::vector<cif::Value>* column(std::string_view item) const {
    for (const auto& [full, values] : items)
      if (full.size() == name.size() + 2 + item.size() && full.substr(name.size() + 2) == item &&
          full[name.size() + 1] == '.')
        return values;
    return nullptr;
  }
};

// A value as mmCIF means it: '?' (unknown) and '.' (not applicable) are empty.
std::string_view str(const cif::Value& v) { return v.text == "?" || v.text == "." ? std::string_view() : v.text; }

std::optional<long> as_long(const cif::Value& v) {
  long out = 0;
  auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), out);
  if (ec != std::errc() || end != v.text.data() + v.text.size()) return std::nullopt;
  return out;
}

// A value written so that AlphaFold 3's reader (and any CIF 1.1 reader) reads it back.
void write_value(std::string& out, std::string_view v, bool loop) {
  const bool has_single = v.find('\'') != std::string_view::npos, has_double = v.find('"') != std::string_view::npos;
  if (v.find('\n') != std::string_view::npos || (has_single && has_double)) {
    out += "\n;";
    out += v;
    out += "\n;\n";
    return;
  }
  auto reserved = [&] {
    for (std::string_view w : {"data_", "loop_", "save_", "stop_", "global_"})
      if (cif::starts_with_keyword(v, w)) return true;
    return false;
  };
  const bool quote = v.empty() || std::string_view("_#$'\"[];").find(v.front()) != std::string_view::npos ||
                     v.find_first_of(" \t\r") != std::string_view::npos || reserved();
  if (!quote) {
    out += v;
  } else {
    const char q = has_double ? '\'' : '"';
    out += q;
    out += v;
    out += q;
  }
  out += loop ? ' ' : '\n';
}

}  // namespace

struct ModelCif::Impl {
  std::string text;  // the values are views into it
  cif::Document doc;
  std::vector<Category> categories;

  const Category* category(std::string_view name) const {
    for (const Category& c : categories)
      if (c.name == name) return &c;
    return nullptr;
  }
  const std::vector<cif::Value>& column(std::string_view category, std::string_view item) const {
    static const std::vector<cif::Value> none;
    const Category* c = this->category(category);
    const std::vector<cif::Value>* v = c ? c->column(item) : nullptr;
    return v ? *v : none;
  }
};

ModelCif::ModelCif(std::string text, std::string source) : impl_(new Impl), source_(std::move(source)) {
  // Read as AlphaFold 3 reads a template's mmCIF: one block, a flat map of items.
  std::unique_ptr<Impl> impl(impl_);
  impl->text = std::move(text);
  impl->doc = cif::read_block(impl->text, source_);
  const cif::Block& b = impl->doc.blocks.front();
  for (const auto& [name, values] : b.items) {
    std::string_view n = name.substr(1);
    std::size_t dot = n.find('.');
    std::string_view category = n.substr(0, dot);
    auto it = std::find_if(impl->categories.begin(), impl->categories.end(),
                           [&](const Category& c) { return c.name == category; });
    if (it == impl->categories.end()) {
      impl->categories.push_back(Category{category, {}, values.size()});
      it = impl->categories.end() - 1;
    } else if (values.size() != it->rows) {
      const std::uint32_t line = values.empty() ? b.line : values.front().line;
      throw InputError(SourceLocation{source_, line, values.empty() ? b.column : values.front().column, ""},
                       fmt::format("{} has {} values, other items of _{} have {}: a table with ragged columns", name,
                                   values.size(), category, it->rows));
    }
    it->items.emplace_back(name, &values);
  }
  if (impl->column("atom_site", "label_asym_id").empty())
    throw InputError(SourceLocation{source_, b.line, b.column, ""}, "not a model mmCIF: no _atom_site rows");
  impl.release();
}

ModelCif::~ModelCif() { delete impl_; }
ModelCif::ModelCif(ModelCif&& o) noexcept : impl_(o.impl_), source_(std::move(o.source_)) { o.impl_ = nullptr; }

namespace {

// The chain an atom_site row belongs to: auth_asym_id, else label_asym_id.
std::string_view chain_of(const std::vector<cif::Value>& auth, const std::vector<cif::Value>& label, std::size_t r) {
  std::string_view a = r < auth.size() ? str(auth[r]) : std::string_view();
  return a.empty() ? str(label[r]) : a;
}

}  // namespace

std::vector<std::string> ModelCif::chains() const {
  std::vector<std::string> out;
  std::set<std::string_view> polymer_entities;
  for (const cif::Value& v : impl_->column("entity_poly", "entity_id")) polymer_entities.insert(str(v));
  const auto& label = impl_->column("atom_site", "label_asym_id");
  const auto& auth = impl_->column("atom_site", "auth_asym_id");
  const auto& entity = impl_->column("atom_site", "label_entity_id");
  for (std::size_t r = 0; r < label.size(); ++r) {
    std::string_view e = r < entity.size() ? str(entity[r]) : std::string_view();
    if (!polymer_entities.empty() && !polymer_entities.count(e)) continue;
    std::string chain(chain_of(auth, label, r));
    if (std::find(out.begin(), out.end(), chain) == out.end()) out.push_back(chain);
  }
  return out;
}

ChainTemplate ModelCif::extract(const std::string& chain, const Entity& query) const {
  SourceLocation where{source_, 0, 0, ""};
  const cif::Block& block = impl_->doc.blocks.front();
  std::string asym, entity;
  std::set<long> resolved;
  {
    const auto& label = impl_->column("atom_site", "label_asym_id");
    const auto& auth = impl_->column("atom_site", "auth_asym_id");
    const auto& entities = impl_->column("atom_site", "label_entity_id");
    const auto& seq_ids = impl_->column("atom_site", "label_seq_id");
    for (std::size_t r = 0; r < label.size(); ++r) {
      if (chain_of(auth, label, r) != chain) continue;
      asym = str(label[r]);
      entity = r < entities.size() ? str(entities[r]) : std::string_view();
      if (r < seq_ids.size())
        if (std::optional<long> id = as_long(seq_ids[r])) resolved.insert(*id);
    }
  }
  if (asym.empty()) throw InputError(where, fmt::format("the model has no chain {}", chain));
  if (query.type != EntityType::protein)
    throw InputError(query.where, fmt::format("chain {}: AlphaFold 3 takes templates for protein chains only", chain));

  // The chain's residues in _entity_poly_seq order: the template's indices.
  std::vector<std::pair<long, std::string>> seq;
  {
    const auto& ids = impl_->column("entity_poly_seq", "entity_id");
    const auto& nums = impl_->column("entity_poly_seq", "num");
    const auto& mons = impl_->column("entity_poly_seq", "mon_id");
    for (std::size_t r = 0; r < ids.size() && r < nums.size() && r < mons.size(); ++r)
      if (str(ids[r]) == entity) seq.emplace_back(as_long(nums[r]).value_or(0), std::string(str(mons[r])));
  }
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

  // The single-chain mmCIF: the kept categories, in the model's order, with the chain's
  // rows; the entry renamed; a revision date.
  // The block name is one token: white space in it (a quoted chain id) becomes '_'.
  std::string name = fmt::format("{}_{}", block.name, chain);
  std::replace_if(name.begin(), name.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; }, '_');
  std::string& out = t.mmcif;
  out = fmt::format("data_{}\n#\n", name);
  bool entry = false;
  for (const Category& c : impl_->categories) {
    auto kept = std::find_if(std::begin(kKept), std::end(kKept), [&](const Kept& k) { return c.name == k.category; });
    if (kept == std::end(kKept)) continue;
    std::vector<std::size_t> rows;
    const std::vector<cif::Value>* asym_col = kept->asym_item ? c.column(kept->asym_item) : nullptr;
    const std::vector<cif::Value>* entity_col = kept->entity_item ? c.column(kept->entity_item) : nullptr;
    for (std::size_t r = 0; r < c.rows; ++r) {
      if (kept->asym_item && (!asym_col || str((*asym_col)[r]) != asym)) continue;
      if (kept->entity_item && (!entity_col || str((*entity_col)[r]) != entity)) continue;
      rows.push_back(r);
    }
    const bool is_entry = c.name == "entry";
    if (rows.empty()) continue;
    entry = entry || is_entry;
    const bool loop = rows.size() > 1;
    // AlphaFold 3's reader takes a value that starts with '_' in a loop's first column for
    // a name, quoted or not: the first column must be one without such values.
    std::vector<std::size_t> order(c.items.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    if (loop) {
      auto plain = [&](std::size_t i) {
        return std::none_of(rows.begin(), rows.end(), [&](std::size_t r) {
          std::string_view v = (*c.items[i].second)[r].text;
          return !v.empty() && v.front() == '_';
        });
      };
      auto first = std::find_if(order.begin(), order.end(), plain);
      if (first == order.end())
        throw InputError(SourceLocation{source_, c.items.front().second->front().line,
                                        c.items.front().second->front().column, ""},
                         fmt::format("every item of _{} has a value that starts with '_': AlphaFold 3 would read such a "
                                     "table back as item names",
                                     c.name));
      std::rotate(order.begin(), first, first + 1);
      out += "loop_\n";
      for (std::size_t i : order) out += fmt::format("{}\n", c.items[i].first);
    }
    for (std::size_t r : rows) {
      for (std::size_t i : order) {
        const auto& [full, values] = c.items[i];
        if (!loop) out += fmt::format("{} ", full);
        const bool id = is_entry && full == "_entry.id";
        write_value(out, id ? std::string_view(name) : (*values)[r].text, loop);
      }
      if (loop) out += '\n';
    }
    out += "#\n";
  }
  if (!entry) {
    out += "_entry.id ";
    write_value(out, name, false);
    out += "#\n";
  }
  out += fmt::format(
      "_pdbx_audit_revision_history.ordinal 1\n_pdbx_audit_revision_history.data_content_type 'Structure model'\n"
      "_pdbx_audit_revision_history.major_revision 1\n_pdbx_audit_revision_history.minor_revision 0\n"
      "_pdbx_audit_revision_history.revision_date {}\n#\n",
      kTemplateReleaseDate);
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
