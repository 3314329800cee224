// reader.cpp - AlphaFold 3 dialect: JSON tree -> Input, with AlphaFold 3's validation.
//
// Rules and their order follow Input.from_json and the chain classes' from_dict in
// AlphaFold 3's common/folding_input.py; each failure names the JSON path.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <dirent.h>
#include <filesystem>
#include <map>
#include <set>
#include <sys/stat.h>

#include "foldfit/input/input.hpp"
#include "foldfit/input/reader_context.hpp"
#include "foldfit/input/text_file.hpp"

namespace foldfit {

namespace fs = std::filesystem;

std::string_view entity_type_name(EntityType t) {
  switch (t) {
    case EntityType::protein: return "protein";
    case EntityType::rna: return "rna";
    case EntityType::dna: return "dna";
    case EntityType::ligand: return "ligand";
  }
  return "?";
}

std::size_t Input::chain_count() const {
  std::size_t n = 0;
  for (const Entity& e : entities) n += e.ids.size();
  return n;
}

std::string Input::sanitised_name() const {
  std::string out;
  for (char c : name) {
    if (c == ' ') c = '_';
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
        c == '.')
      out.push_back(c);
  }
  return out;
}

const std::vector<std::string>& summarised_members() {
  static const std::vector<std::string> keys = {"unpairedMsa", "pairedMsa", "mmcif"};
  return keys;
}

// ---- ReaderContext ----------------------------------------------------------------

SourceLocation ReaderContext::at(const json::Value& v, const std::string& path) const {
  return SourceLocation{file, v.pos.line, v.pos.column, path};
}

void ReaderContext::fail(const json::Value& v, const std::string& path, const std::string& message) const {
  throw InputError(at(v, path), message);
}

const json::Value& ReaderContext::expect(const json::Value& v, json::Type type, const std::string& path) const {
  if (v.type != type)
    fail(v, path, fmt::format("expected {}, found {}", json::type_name(type), json::type_name(v.type)));
  return v;
}

void ReaderContext::check_keys(const json::Value& obj, const std::string& path,
                               std::initializer_list<std::string_view> allowed) const {
  for (const json::Member& m : obj.members) {
    if (std::find(allowed.begin(), allowed.end(), m.key) != allowed.end()) continue;
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw InputError(SourceLocation{file, m.key_pos.line, m.key_pos.column, join(path, m.key)},
                     fmt::format("unexpected key '{}'; allowed here: {}", m.key, list));
  }
}

const std::string& ReaderContext::string_member(const json::Value& obj, std::string_view key,
                                                const std::string& path) const {
  const json::Value* v = obj.find(key);
  if (!v) fail(obj, path, fmt::format("missing required field '{}'", key));
  return expect(*v, json::Type::string, join(path, key)).text;
}

std::int64_t ReaderContext::integer(const json::Value& v, const std::string& path) const {
  expect(v, json::Type::number, path);
  auto i = v.as_int64();
  if (!i) fail(v, path, fmt::format("expected an integer, found {}", v.text));
  return *i;
}

std::vector<Modification> ReaderContext::modifications(const json::Value& obj, const std::string& path,
                                                       std::string_view type_key, std::string_view pos_key) const {
  std::vector<Modification> mods;
  const json::Value* list = obj.find("modifications");
  if (!list || list->is_null()) return mods;
  std::string lpath = join(path, "modifications");
  expect(*list, json::Type::array, lpath);
  for (std::size_t i = 0; i < list->items.size(); ++i) {
    const json::Value& m = list->items[i];
    std::string mpath = index(lpath, i);
    expect(m, json::Type::object, mpath);
    Modification mod;
    mod.ccd = string_member(m, type_key, mpath);
    const json::Value* p = m.find(pos_key);
    if (!p) fail(m, mpath, fmt::format("missing required field '{}'", pos_key));
    mod.position = integer(*p, join(mpath, pos_key));
    mod.where = at(m, mpath);
    mods.push_back(std::move(mod));
  }
  return mods;
}

void ReaderContext::check_sequence(const json::Value& obj, const std::string& path, const Entity& e,
                                   std::string_view kind) const {
  const json::Value* seq = obj.find("sequence");
  std::string spath = join(path, "sequence");
  if (e.sequence.empty()) fail(*seq, spath, fmt::format("{} sequence is empty", kind));
  for (std::size_t i = 0; i < e.sequence.size(); ++i) {
    char c = e.sequence[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
      fail(*seq, spath, fmt::format("{} sequence must contain only letters, found '{}' at position {}", kind,
                                    std::string(1, c), i + 1));
  }
  for (const Modification& m : e.modifications)
    if (m.position < 1 || m.position > static_cast<std::int64_t>(e.sequence.size()))
      throw InputError(m.where, fmt::format("modification position {} is outside the sequence (1..{})", m.position,
                                            e.sequence.size()));
}

std::string ReaderContext::join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string ReaderContext::index(const std::string& path, std::size_t i) { return fmt::format("{}[{}]", path, i); }

std::string ReaderContext::resolve(const std::string& p) const {
  fs::path fp(p);
  if (fp.is_absolute()) return fp.lexically_normal().string();
  return (fs::path(file).parent_path() / fp).lexically_normal().string();
}

bool ReaderContext::looks_like_existing_path(const std::string& text) const {
  // AlphaFold 3 rejects inline text shorter than 256 characters that names an existing
  // file (checked relative to its working directory).
  struct stat st {};
  return !text.empty() && text.size() < 256 && ::stat(text.c_str(), &st) == 0;
}

// ---- alphafold3 dialect --------------------------------------------------------

namespace {

// An MSA given inline or by path.
Msa read_msa(const ReaderContext& ctx, const json::Value& obj, const std::string& path, std::string_view inline_key,
             std::string_view path_key, const ReadOptions& options) {
  Msa msa;
  const json::Value* text = obj.find(inline_key);
  const json::Value* file = obj.find(path_key);
  if (text && !text->is_null()) ctx.expect(*text, json::Type::string, ReaderContext::join(path, inline_key));
  if (file && !file->is_null()) ctx.expect(*file, json::Type::string, ReaderContext::join(path, path_key));
  bool has_text = text && text->is_string() && text->length > 0;
  bool has_file = file && file->is_string() && file->length > 0;
  if (has_text && has_file)
    ctx.fail(*file, ReaderContext::join(path, path_key),
             fmt::format("only one of {}/{} can be set", inline_key, path_key));
  if (has_text && text->length < 256 && ctx.looks_like_existing_path(text->text))
    ctx.fail(*text, ReaderContext::join(path, inline_key),
             fmt::format("'{}' names a file; set the MSA path using the \"{}\" field", text->text, path_key));
  if (has_file) {
    msa.set = true;
    msa.path = ctx.resolve(file->text);
    try {
      if (options.read_msa_files) {
        A3mCount c = count_a3m_file(msa.path);
        msa.rows = c.rows;
        msa.bytes = c.bytes;
      } else {
        TextFile probe(msa.path);
      }
    } catch (const InputError& e) {
      ctx.fail(*file, ReaderContext::join(path, path_key), e.what());
    }
  } else if (text && text->is_string()) {
    // An empty string is a custom MSA with no sequences.
    msa.set = true;
    msa.rows = text->header_lines;
    msa.bytes = text->length;
  }
  return msa;
}

void check_polymer(const ReaderContext& ctx, const json::Value& obj, const std::string& path, Entity& e,
                   std::string_view kind, std::string_view type_key) {
  ctx.check_sequence(obj, path, e, kind);
  for (const Modification& m : e.modifications) {
    if (m.ccd.rfind("CCD_", 0) == 0)
      throw InputError(m.where, fmt::format("{} '{}' must not have the \"CCD_\" prefix in the alphafold3 dialect",
                                            type_key, m.ccd));
  }
}

std::vector<Template> read_templates(const ReaderContext& ctx, const json::Value& list, const std::string& lpath) {
  std::vector<Template> out;
  if (!list.is_array()) ctx.fail(list, lpath, fmt::format("templates must be a list, found {}", json::type_name(list.type)));
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const json::Value& t = list.items[i];
    std::string tpath = ReaderContext::index(lpath, i);
    ctx.expect(t, json::Type::object, tpath);
    ctx.check_keys(t, tpath, {"mmcif", "mmcifPath", "queryIndices", "templateIndices"});
    Template tpl;
    const json::Value* text = t.find("mmcif");
    const json::Value* file = t.find("mmcifPath");
    if (text && !text->is_null()) ctx.expect(*text, json::Type::string, ReaderContext::join(tpath, "mmcif"));
    if (file && !file->is_null()) ctx.expect(*file, json::Type::string, ReaderContext::join(tpath, "mmcifPath"));
    bool has_text = text && text->is_string() && text->length > 0;
    bool has_file = file && file->is_string() && file->length > 0;
    if (has_text && has_file) ctx.fail(*file, ReaderContext::join(tpath, "mmcifPath"), "only one of mmcif/mmcifPath can be set");
    if (!has_text && !has_file) ctx.fail(t, tpath, "the template mmCIF must be a non-empty string (set mmcif or mmcifPath)");
    if (has_text && ctx.looks_like_existing_path(text->text))
      ctx.fail(*text, ReaderContext::join(tpath, "mmcif"),
               fmt::format("'{}' names a file; set the template path using the \"mmcifPath\" field", text->text));
    if (has_file) {
      tpl.path = ctx.resolve(file->text);
      try {
        TextFile probe(tpl.path);
      } catch (const InputError& e) {
        ctx.fail(*file, ReaderContext::join(tpath, "mmcifPath"), e.what());
      }
    } else {
      tpl.bytes = text->length;
    }
    auto indices = [&](std::string_view key, bool required) {
      std::vector<std::int64_t> v;
      const json::Value* l = t.find(key);
      std::string kpath = ReaderContext::join(tpath, key);
      if (!l) {
        if (required) ctx.fail(t, tpath, fmt::format("missing required field '{}'", key));
        return v;
      }
      if (l->is_null() && !required) return v;  // AlphaFold < 3.0.4 wrote null
      ctx.expect(*l, json::Type::array, kpath);
      for (std::size_t k = 0; k < l->items.size(); ++k) {
        std::int64_t x = ctx.integer(l->items[k], ReaderContext::index(kpath, k));
        if (x < 0) ctx.fail(l->items[k], ReaderContext::index(kpath, k), "template index must not be negative");
        v.push_back(x);
      }
      return v;
    };
    tpl.query_indices = indices("queryIndices", true);
    tpl.template_indices = indices("templateIndices", true);
    if (tpl.query_indices.size() != tpl.template_indices.size())
      ctx.fail(t, tpath,
               fmt::format("queryIndices has {} entries but templateIndices has {}; they must pair up",
                           tpl.query_indices.size(), tpl.template_indices.size()));
    out.push_back(std::move(tpl));
  }
  return out;
}

// The data pipeline's rule for a protein's MSAs and templates (DataPipeline.
// process_protein_chain): AlphaFold 3 refuses "unpaired MSA, paired MSA, or templates set
// only partially", after the chains before it have been searched. From v3.0.1: both MSAs
// set, or neither; templates given without both MSAs only as an empty list. v3.0.0: once
// any of them is non-empty, all three must be set.
void check_msa_templates_set(const ReaderContext& ctx, const json::Value& obj, const std::string& path, const Entity& e,
                             const Af3Release& release) {
  const bool u = e.unpaired_msa.set, p = e.paired_msa.set, t = e.templates.has_value();
  const bool t_nonempty = t && !e.templates->empty();
  auto field = [&](const char* inline_key, const char* path_key) -> std::pair<const json::Value*, std::string> {
    for (const char* k : {inline_key, path_key})
      if (const json::Value* v = obj.find(k); v && !v->is_null()) return {v, ReaderContext::join(path, k)};
    return {&obj, path};
  };
  auto missing = [&]() {
    std::vector<std::string> m;
    if (!u) m.push_back("unpairedMsa");
    if (!p) m.push_back("pairedMsa");
    if (!t) m.push_back("templates");
    return fmt::format("{}", fmt::join(m, " and "));
  };
  const std::string advice =
      "give all three (an empty string for no MSA, [] for no templates), or none to let the data pipeline search";
  if (release.partial_msa_rule_v300) {
    auto truthy = [](const Msa& m) { return m.set && (m.bytes > 0 || !m.path.empty()); };
    if ((truthy(e.unpaired_msa) || truthy(e.paired_msa) || t_nonempty) && !(u && p && t)) {
      auto [v, where] = u ? field("unpairedMsa", "unpairedMsaPath") : p ? field("pairedMsa", "pairedMsaPath")
                                                                        : std::pair{&obj, path};
      ctx.fail(*v, where, fmt::format("protein chain {} has its MSAs and templates set only partially ({} not set); "
                                      "AlphaFold 3 {} refuses it in the data pipeline: {}",
                                      e.ids.front(), missing(), release.name, advice));
    }
    return;
  }
  if (u != p) {
    auto [v, where] = u ? field("unpairedMsa", "unpairedMsaPath") : field("pairedMsa", "pairedMsaPath");
    ctx.fail(*v, where, fmt::format("protein chain {} sets {} but not {}: AlphaFold 3 {} refuses MSAs set only partially "
                                    "in the data pipeline; {}",
                                    e.ids.front(), u ? "unpairedMsa" : "pairedMsa", u ? "pairedMsa" : "unpairedMsa",
                                    release.name, advice));
  }
  if (!u && !p && t_nonempty) {
    const json::Value* v = obj.find("templates");
    ctx.fail(*v, ReaderContext::join(path, "templates"),
             fmt::format("protein chain {} gives templates without MSAs: AlphaFold 3 {} refuses templates set without "
                         "unpairedMsa and pairedMsa in the data pipeline; {}",
                         e.ids.front(), release.name, advice));
  }
}

Entity read_entity(const ReaderContext& ctx, const json::Value& entry, const std::string& epath,
                   const ReadOptions& options) {
  ctx.expect(entry, json::Type::object, epath);
  if (entry.members.size() != 1) {
    if (entry.members.empty()) ctx.fail(entry, epath, "empty entry: expected one of protein, rna, dna, ligand");
    std::string keys;
    for (const auto& m : entry.members) keys += (keys.empty() ? "" : ", ") + m.key;
    ctx.fail(entry, epath, fmt::format("an entry must hold exactly one of protein, rna, dna, ligand; found {}", keys));
  }
  const json::Member& m = entry.members.front();
  std::string path = ReaderContext::join(epath, m.key);
  const json::Value& obj = m.value;
  Entity e;
  if (m.key == "protein") e.type = EntityType::protein;
  else if (m.key == "rna") e.type = EntityType::rna;
  else if (m.key == "dna") e.type = EntityType::dna;
  else if (m.key == "ligand") e.type = EntityType::ligand;
  else
    throw InputError(SourceLocation{ctx.file, m.key_pos.line, m.key_pos.column, path},
                     fmt::format("unknown sequence type '{}'; expected protein, rna, dna or ligand", m.key));
  ctx.expect(obj, json::Type::object, path);
  e.where = ctx.at(obj, path);

  switch (e.type) {
    case EntityType::protein:
      ctx.check_keys(obj, path, {"id", "sequence", "modifications", "description", "unpairedMsa", "unpairedMsaPath",
                                 "pairedMsa", "pairedMsaPath", "templates"});
      break;
    case EntityType::rna:
      ctx.check_keys(obj, path, {"id", "sequence", "modifications", "description", "unpairedMsa", "unpairedMsaPath"});
      break;
    case EntityType::dna: ctx.check_keys(obj, path, {"id", "sequence", "modifications", "description"}); break;
    case EntityType::ligand: ctx.check_keys(obj, path, {"id", "ccdCodes", "smiles", "description"}); break;
  }

  // id: a string or a list of strings, one per copy.
  const json::Value* id = obj.find("id");
  std::string ipath = ReaderContext::join(path, "id");
  if (!id || id->is_null() || (id->is_string() && id->length == 0) || (id->is_array() && id->items.empty()))
    ctx.fail(id ? *id : obj, id ? ipath : path, "sequence id is not set (AlphaFold 3 requires an id for every entry)");
  if (id->is_string()) {
    e.ids.push_back(id->text);
  } else if (id->is_array()) {
    for (std::size_t i = 0; i < id->items.size(); ++i)
      e.ids.push_back(ctx.expect(id->items[i], json::Type::string, ReaderContext::index(ipath, i)).text);
  } else {
    ctx.fail(*id, ipath, fmt::format("id must be a string or a list of strings, found {}", json::type_name(id->type)));
  }
  for (std::size_t i = 0; i < e.ids.size(); ++i) {
    const std::string& s = e.ids[i];
    bool letters = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    });
    bool lower = std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!letters || lower)
      ctx.fail(id->is_array() ? id->items[i] : *id, id->is_array() ? ReaderContext::index(ipath, i) : ipath,
               fmt::format("chain id '{}' must be upper case letters (A, B, ..., AA, ...)", s));
  }

  if (const json::Value* d = obj.find("description"); d && !d->is_null())
    e.description = ctx.expect(*d, json::Type::string, ReaderContext::join(path, "description")).text;

  if (e.type == EntityType::ligand) {
    const json::Value* ccd = obj.find("ccdCodes");
    const json::Value* smi = obj.find("smiles");
    bool has_ccd = ccd && !ccd->is_null() && !(ccd->is_array() && ccd->items.empty());
    bool has_smi = smi && !smi->is_null() && !(smi->is_string() && smi->length == 0);
    if (has_ccd && has_smi)
      ctx.fail(*smi, ReaderContext::join(path, "smiles"), "a ligand cannot have both ccdCodes and smiles");
    if (ccd) {
      std::string cpath = ReaderContext::join(path, "ccdCodes");
      if (!ccd->is_array())
        ctx.fail(*ccd, cpath, fmt::format("ccdCodes must be a list of strings, found {}", json::type_name(ccd->type)));
      if (ccd->items.empty()) ctx.fail(*ccd, cpath, "ccdCodes is empty");
      for (std::size_t i = 0; i < ccd->items.size(); ++i) {
        std::string p = ReaderContext::index(cpath, i);
        const std::string& code = ctx.expect(ccd->items[i], json::Type::string, p).text;
        if (code.empty()) ctx.fail(ccd->items[i], p, "empty CCD code");
        e.ccd_codes.push_back({code, ctx.at(ccd->items[i], p)});
      }
    } else if (smi) {
      std::string spath = ReaderContext::join(path, "smiles");
      const std::string& s = ctx.expect(*smi, json::Type::string, spath).text;
      if (s.empty()) ctx.fail(*smi, spath, "smiles is empty");
      e.smiles = Located<std::string>{s, ctx.at(*smi, spath)};
    } else {
      ctx.fail(obj, path, "a ligand needs one of ccdCodes or smiles");
    }
    return e;
  }

  e.sequence = ctx.string_member(obj, "sequence", path);
  if (e.type == EntityType::protein) {
    e.modifications = ctx.modifications(obj, path, "ptmType", "ptmPosition");
    check_polymer(ctx, obj, path, e, "protein", "ptmType");
  } else {
    e.modifications = ctx.modifications(obj, path, "modificationType", "basePosition");
    check_polymer(ctx, obj, path, e, e.type == EntityType::rna ? "RNA" : "DNA", "modificationType");
  }
  if (e.type != EntityType::dna)
    e.unpaired_msa = read_msa(ctx, obj, path, "unpairedMsa", "unpairedMsaPath", options);
  if (e.type == EntityType::protein) {
    e.paired_msa = read_msa(ctx, obj, path, "pairedMsa", "pairedMsaPath", options);
    if (const json::Value* t = obj.find("templates"); t && !t->is_null())
      e.templates = read_templates(ctx, *t, ReaderContext::join(path, "templates"));
    check_msa_templates_set(ctx, obj, path, e, *options.release);
  }
  return e;
}

BondAtom read_bond_atom(const ReaderContext& ctx, const json::Value& v, const std::string& path) {
  if (!v.is_array() || v.items.size() != 3 || !v.items[0].is_string() || !v.items[1].is_number() ||
      !v.items[1].as_int64() || !v.items[2].is_string())
    ctx.fail(v, path, "a bonded atom must be [chain_id (string), residue_id (integer), atom_name (string)]");
  return BondAtom{v.items[0].text, *v.items[1].as_int64(), v.items[2].text};
}

std::size_t entity_length(const Entity& e) {
  if (e.type != EntityType::ligand) return e.sequence.size();
  return e.smiles ? 1 : e.ccd_codes.size();
}

void read_bonds(const ReaderContext& ctx, const json::Value& list, Input& in) {
  const std::string lpath = "bondedAtomPairs";
  ctx.expect(list, json::Type::array, lpath);
  std::map<std::string, const Entity*> chains;
  for (const Entity& e : in.entities)
    for (const std::string& id : e.ids) chains[id] = &e;
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const json::Value& b = list.items[i];
    std::string bpath = ReaderContext::index(lpath, i);
    if (!b.is_array() || b.items.size() != 2)
      ctx.fail(b, bpath, fmt::format("a bond must have 2 atoms, found {}",
                                     b.is_array() ? std::to_string(b.items.size()) : std::string(json::type_name(b.type))));
    Bond bond;
    bond.where = ctx.at(b, bpath);
    BondAtom atoms[2];
    for (int k = 0; k < 2; ++k) {
      std::string apath = ReaderContext::index(bpath, static_cast<std::size_t>(k));
      atoms[k] = read_bond_atom(ctx, b.items[static_cast<std::size_t>(k)], apath);
      auto it = chains.find(atoms[k].chain);
      if (it == chains.end())
        ctx.fail(b.items[static_cast<std::size_t>(k)], apath, fmt::format("bond names chain '{}', which is not in sequences", atoms[k].chain));
      std::size_t len = entity_length(*it->second);
      if (atoms[k].residue < 1 || atoms[k].residue > static_cast<std::int64_t>(len))
        ctx.fail(b.items[static_cast<std::size_t>(k)], apath,
                 fmt::format("residue {} is outside chain '{}' (1..{})", atoms[k].residue, atoms[k].chain, len));
      if (it->second->smiles)
        ctx.fail(b.items[static_cast<std::size_t>(k)], apath,
                 fmt::format("bond involves SMILES ligand '{}'; SMILES atoms have no names to bond (use userCCD)",
                             atoms[k].chain));
    }
    bond.a = atoms[0];
    bond.b = atoms[1];
    bond.where_a = ctx.at(b.items[0], ReaderContext::index(bpath, 0));
    bond.where_b = ctx.at(b.items[1], ReaderContext::index(bpath, 1));
    for (const Bond& o : in.bonds) {
      auto same = [](const BondAtom& x, const BondAtom& y) {
        return x.chain == y.chain && x.residue == y.residue && x.atom == y.atom;
      };
      if (same(o.a, bond.a) && same(o.b, bond.b))
        ctx.fail(b, bpath, fmt::format("bond repeats {} (line {}); bonds must be unique", o.where.path, o.where.line));
    }
    in.bonds.push_back(std::move(bond));
  }
}

// Python's int() of a str, base 10, ASCII: surrounding whitespace, an optional sign, digits
// with single underscores between them. nullopt when int() would raise (or for digits
// outside ASCII, which int() reads but foldfit does not) or the value is far out of range.
std::optional<std::int64_t> python_int(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty() || s.front() == '_' || s.back() == '_') return std::nullopt;
  std::int64_t v = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      if (s[i + 1] == '_') return std::nullopt;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (v > 1'000'000'000'000LL) return std::nullopt;  // far outside any seed's range
    v = v * 10 + (c - '0');
  }
  return negative ? -v : v;
}

// One seed as AlphaFold 3 reads it: int(seed), then 0 <= seed < 2^32 (Input.__post_init__).
void read_seed(const ReaderContext& ctx, const json::Value& s, const std::string& spath, Input& in) {
  constexpr const char* kRange = "seed must be an integer from 0 to 4294967295 (32-bit unsigned), found {}";
  std::int64_t v = 0;
  auto lenient = [&](const std::string& what) {
    in.warnings.push_back(format_location(ctx.at(s, spath)) +
                          fmt::format("{}; AlphaFold 3 reads it as seed {} (int()); write the number itself", what, v));
  };
  switch (s.type) {
    case json::Type::number:
      if (auto i = s.as_int64()) {
        v = *i;
      } else {
        // A literal such as 1e3 or 7.5 (or an integer too long for 64 bits): int() truncates
        // toward zero. The range is checked before converting: casting an out-of-range
        // double is undefined.
        double d = s.as_double();
        if (!(d > -1 && d < 4294967296.0)) ctx.fail(s, spath, fmt::format(kRange, s.text));
        v = static_cast<std::int64_t>(std::trunc(d));
        if (d != std::trunc(d)) lenient(fmt::format("seed {} is not a whole number", s.text));
      }
      break;
    case json::Type::string: {
      auto i = python_int(s.text);
      if (!i)
        ctx.fail(s, spath, fmt::format("seed \"{}\" is not an integer: AlphaFold 3's int() cannot read it", s.text));
      v = *i;
      if (v >= 0 && v <= 4294967295LL) lenient(fmt::format("seed \"{}\" is a string", s.text));
      break;
    }
    case json::Type::boolean:
      v = s.boolean ? 1 : 0;
      lenient(fmt::format("seed {} is a boolean", s.boolean ? "true" : "false"));
      break;
    default:
      ctx.fail(s, spath, fmt::format("seed must be an integer, found {} (AlphaFold 3's int() refuses it)",
                                     json::type_name(s.type)));
  }
  if (v < 0 || v > 4294967295LL)
    ctx.fail(s, spath, fmt::format(kRange, s.is_string() ? "\"" + s.text + "\"" : s.text));
  in.seeds.push_back(static_cast<std::uint32_t>(v));
}

void read_seeds(const ReaderContext& ctx, const json::Value& list, const std::string& path, Input& in) {
  if (list.is_string()) {
    // AlphaFold 3 iterates a string: "42" is the seeds 4 and 2.
    for (char c : list.text) {
      if (c < '0' || c > '9')
        ctx.fail(list, path, fmt::format("modelSeeds must be a list of integers; AlphaFold 3 reads a string one "
                                         "character at a time and int() refuses '{}'",
                                         std::string(1, c)));
      in.seeds.push_back(static_cast<std::uint32_t>(c - '0'));
    }
    in.warnings.push_back(format_location(ctx.at(list, path)) +
                          fmt::format("modelSeeds is the string \"{}\"; AlphaFold 3 reads it one character at a time, "
                                      "as the seeds {}; write a list such as [{}]",
                                      list.text, fmt::join(in.seeds, ", "), list.text));
    return;
  }
  ctx.expect(list, json::Type::array, path);
  for (std::size_t i = 0; i < list.items.size(); ++i) read_seed(ctx, list.items[i], ReaderContext::index(path, i), in);
}

// The "version" AlphaFold 3 compares with `in JSON_VERSIONS` (v3.0.0: `!= 1`): a Python
// comparison, so 4.0 and true (== 1) pass as 4 and 1.
int read_version(const ReaderContext& ctx, const json::Value& version, const Af3Release& release, Input& in) {
  std::optional<double> value;
  if (version.is_number()) {
    if (auto i = version.as_int64()) value = static_cast<double>(*i);
    else value = version.as_double();
  } else if (version.type == json::Type::boolean) {
    value = version.boolean ? 1.0 : 0.0;
  }
  const std::vector<int>& accepted = release.json_versions;
  for (int a : accepted)
    if (value && *value == a) {
      if (!version.as_int64())
        in.warnings.push_back(format_location(ctx.at(version, "version")) +
                              fmt::format("\"version\": {} is read as {} (AlphaFold 3 compares it with == ); write {}",
                                          version.text.empty() ? (version.boolean ? "true" : "false") : version.text, a, a));
      return a;
    }
  std::string shown = version.is_string() ? "\"" + version.text + "\""
                      : version.type == json::Type::boolean ? (version.boolean ? "true" : "false")
                      : version.text.empty() ? std::string(json::type_name(version.type))
                                             : version.text;
  ctx.fail(version, "version", fmt::format("unsupported version {}, expected one of {} (AlphaFold 3 {})", shown,
                                           fmt::join(accepted, ", "), release.name));
}

void check_name(const ReaderContext& ctx, const json::Value& root, const std::string& path, Input& in) {
  const std::string& name = ctx.string_member(root, "name", path);
  in.name = name;
  if (in.sanitised_name().empty() || name.find_first_not_of(" \t\n\r\f\v") == std::string::npos)
    ctx.fail(*root.find("name"), ReaderContext::join(path, "name"),
             "name must be non-empty and contain at least one letter, digit, '.', '-' or '_'");
}

void check_unique_ids(const std::string& seq_path, const Input& in) {
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < in.entities.size(); ++i)
    for (const std::string& id : in.entities[i].ids) {
      auto [it, fresh] = seen.emplace(id, i);
      if (!fresh)
        throw InputError(in.entities[i].where,
                         fmt::format("chain id '{}' is used more than once (also in {}[{}])", id, seq_path, it->second));
    }
}

}  // namespace

Input read_af3_dialect(const ReaderContext& ctx, const json::Value& root, const ReadOptions& options) {
  Input in;
  in.file = ctx.file;
  in.dialect = "alphafold3";
  ctx.check_keys(root, "",
                 {"dialect", "version", "name", "modelSeeds", "sequences", "bondedAtomPairs", "userCCD", "userCCDPath"});
  const json::Value* dialect = root.find("dialect");
  const json::Value* version = root.find("version");
  if (!dialect || !version) ctx.fail(root, "", "AlphaFold 3 input JSON must contain `dialect` and `version` fields");
  if (!dialect->is_string() || dialect->text != "alphafold3")
    ctx.fail(*dialect, "dialect", fmt::format("unsupported dialect {}, expected \"alphafold3\"",
                                              dialect->is_string() ? "\"" + dialect->text + "\"" : dialect->text));
  in.version = read_version(ctx, *version, *options.release, in);
  const json::Value* seqs = root.find("sequences");
  if (!seqs) ctx.fail(root, "", "AlphaFold 3 input JSON does not contain any sequences (field 'sequences')");
  const json::Value* seeds = root.find("modelSeeds");
  if (!seeds || seeds->is_null() || (seeds->is_array() && seeds->items.empty()) ||
      (seeds->is_string() && seeds->text.empty()))
    ctx.fail(seeds ? *seeds : root, seeds ? "modelSeeds" : "",
             "AlphaFold 3 input JSON must specify at least one rng seed in `modelSeeds`");
  check_name(ctx, root, "", in);
  read_seeds(ctx, *seeds, "modelSeeds", in);

  ctx.expect(*seqs, json::Type::array, "sequences");
  if (seqs->items.empty()) ctx.fail(*seqs, "sequences", "sequences is empty: nothing to fold");
  for (std::size_t i = 0; i < seqs->items.size(); ++i)
    in.entities.push_back(read_entity(ctx, seqs->items[i], ReaderContext::index("sequences", i), options));
  check_unique_ids("sequences", in);

  if (const json::Value* b = root.find("bondedAtomPairs"); b && !b->is_null() && !(b->is_array() && b->items.empty()))
    read_bonds(ctx, *b, in);

  const json::Value* ccd = root.find("userCCD");
  const json::Value* ccd_path = root.find("userCCDPath");
  if (ccd && !ccd->is_null()) ctx.expect(*ccd, json::Type::string, "userCCD");
  if (ccd_path && !ccd_path->is_null()) ctx.expect(*ccd_path, json::Type::string, "userCCDPath");
  bool has_ccd = ccd && ccd->is_string() && ccd->length > 0;
  bool has_path = ccd_path && ccd_path->is_string() && ccd_path->length > 0;
  if (has_ccd && has_path) ctx.fail(*ccd_path, "userCCDPath", "only one of userCCD/userCCDPath can be set");
  if (has_ccd && ctx.looks_like_existing_path(ccd->text))
    ctx.fail(*ccd, "userCCD", fmt::format("'{}' names a file; set the user CCD path using the \"userCCDPath\" field",
                                          ccd->text));
  if (has_ccd) {
    in.user_ccd = ccd->text;
    in.user_ccd_where = ctx.at(*ccd, "userCCD");
  }
  // AlphaFold 3 passes an empty user CCD on to featurisation, which refuses it.
  constexpr const char* kEmptyCcd =
      "the user CCD is empty; AlphaFold 3 refuses it when it featurises, after the data pipeline (\"User CCD cannot "
      "be an empty string\"): leave userCCD out or set it to null";
  if (!has_path && ccd && ccd->is_string() && ccd->length == 0) ctx.fail(*ccd, "userCCD", kEmptyCcd);
  if (has_path) {
    in.user_ccd_path = ctx.resolve(ccd_path->text);
    in.user_ccd_where = ctx.at(*ccd_path, "userCCDPath");
    try {
      in.user_ccd = read_text_file(in.user_ccd_path, std::uint64_t{1} << 30);
    } catch (const InputError& e) {
      ctx.fail(*ccd_path, "userCCDPath", e.what());
    }
    if (in.user_ccd->empty()) ctx.fail(*ccd_path, "userCCDPath", in.user_ccd_path + ": " + kEmptyCcd);
  }
  return in;
}


std::vector<Input> read_input_json(const json::Document& doc, const std::string& file, const ReadOptions& options,
                                   std::vector<std::string>* warnings) {
  ReaderContext ctx{file};
  if (warnings)
    for (const json::ParseWarning& w : doc.warnings)
      warnings->push_back(format_location(SourceLocation{file, w.pos.line, w.pos.column, ""}) + w.message);
  std::vector<Input> out;
  if (doc.root.is_array()) {
    out = read_server_dialect(ctx, doc.root);
  } else {
    if (!doc.root.is_object())
      ctx.fail(doc.root, "", fmt::format("expected a JSON object (AlphaFold 3 input) or a list of AlphaFold Server jobs, "
                                         "found {}",
                                         json::type_name(doc.root.type)));
    out.push_back(read_af3_dialect(ctx, doc.root, options));
  }
  if (warnings)
    for (const Input& in : out) warnings->insert(warnings->end(), in.warnings.begin(), in.warnings.end());
  return out;
}

namespace {
json::ParseOptions parse_options() {
  json::ParseOptions o;
  o.summarise_keys = summarised_members();
  return o;
}

[[noreturn]] void rethrow_parse(const json::ParseError& e, const std::string& file) {
  throw InputError(SourceLocation{file, e.position().line, e.position().column, ""},
                   "invalid JSON: " + e.message());
}
}  // namespace

std::vector<Input> read_input_file(const std::string& path, const ReadOptions& options,
                                   std::vector<std::string>* warnings) {
  TextFile f(path);
  json::Document doc;
  json::ParseOptions po = parse_options();
  // A small file needs no 1 MiB buffer (allocated and cleared per file, it dominated
  // folders of small inputs). Compressed files may hold more text: the parser streams.
  std::error_code size_error;
  std::uintmax_t bytes = std::filesystem::file_size(path, size_error);
  if (!size_error) po.chunk_bytes = static_cast<std::size_t>(std::clamp<std::uintmax_t>(bytes + 1, 4096, po.chunk_bytes));
  try {
    doc = json::parse([&](char* buf, std::size_t n) { return f.read(buf, n); }, po);
  } catch (const json::ParseError& e) {
    rethrow_parse(e, path);
  }
  return read_input_json(doc, path, options, warnings);
}

std::vector<Input> read_input_text(std::string_view text, const std::string& file, const ReadOptions& options,
                                   std::vector<std::string>* warnings) {
  json::Document doc;
  try {
    doc = json::parse_string(text, parse_options());
  } catch (const json::ParseError& e) {
    rethrow_parse(e, file);
  }
  return read_input_json(doc, file, options, warnings);
}

std::vector<std::string> list_input_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) throw InputError(SourceLocation{dir, 0, 0, ""}, "input directory does not exist");
  if (!S_ISDIR(st.st_mode)) throw InputError(SourceLocation{dir, 0, 0, ""}, "is not a directory");
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".json") != 0) continue;
    // As AlphaFold 3: only regular files (following symlinks); others are skipped.
    std::error_code fec;
    if (!fs::is_regular_file(entry.path(), fec)) continue;
    files.push_back(entry.path().string());
  }
  if (ec) throw InputError(SourceLocation{dir, 0, 0, ""}, "cannot list directory: " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace foldfit
