#include "foldfit/input/stage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "foldfit/common/error.hpp"
#include "foldfit/input/text_file.hpp"

namespace fs = std::filesystem;

namespace foldfit {

namespace {

// What makes two entities copies of one another.
std::string identity(const Entity& e) {
  std::string key{entity_type_name(e.type)};
  key += '|';
  if (e.type == EntityType::ligand) {
    if (e.smiles) key += "smiles:" + e.smiles->value;
    for (const auto& c : e.ccd_codes) key += c.value + ",";
    return key;
  }
  key += e.sequence + '|';
  for (const Modification& m : e.modifications) key += fmt::format("{}@{},", m.ccd, m.position);
  return key;
}

std::string label_of(const Entity& e) {
  if (e.type != EntityType::ligand)
    return fmt::format("{} of {} residues", entity_type_name(e.type), e.sequence.size());
  if (e.smiles) return "ligand (SMILES)";
  std::string codes;
  for (const auto& c : e.ccd_codes) codes += (codes.empty() ? "" : "-") + c.value;
  return "ligand " + codes;
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

// Makes every relative string member named *Path absolute against `folder`.
void absolute_paths(nlohmann::ordered_json& j, const fs::path& folder) {
  if (j.is_array()) {
    for (auto& item : j) absolute_paths(item, folder);
    return;
  }
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    if (it->is_string() && key.size() > 4 && key.compare(key.size() - 4, 4, "Path") == 0) {
      fs::path p(it->get<std::string>());
      if (!p.empty() && p.is_relative()) *it = (folder / p).lexically_normal().string();
    } else {
      absolute_paths(*it, folder);
    }
  }
}

}  // namespace

std::vector<CopyGroup> copy_groups(const Input& input) {
  std::vector<CopyGroup> groups;
  std::map<std::string, std::size_t> by_identity;
  for (std::size_t i = 0; i < input.entities.size(); ++i) {
    const Entity& e = input.entities[i];
    auto [it, fresh] = by_identity.emplace(identity(e), groups.size());
    if (fresh) {
      CopyGroup g;
      g.type = e.type;
      g.label = label_of(e);
      g.where = e.where;
      groups.push_back(std::move(g));
    }
    CopyGroup& g = groups[it->second];
    g.entities.push_back(i);
    for (const std::string& id : e.ids) g.chains.push_back(id);
  }
  return groups;
}

std::size_t full_copies(const std::vector<CopyGroup>& groups) {
  std::size_t n = 1;
  for (const CopyGroup& g : groups) n = std::max(n, g.chains.size());
  return n;
}

nlohmann::ordered_json source_document(const Input& input) {
  SourceLocation file{input.file, 0, 0, ""};
  if (input.dialect != "alphafold3")
    throw InputError(file, "staging reads the alphafold3 dialect only; this is an AlphaFold Server job (convert it "
                           "to an AlphaFold 3 input, e.g. with AlphaFold 3's --output_dir data JSON, first)");
  std::string text = read_text_file(input.file, std::uint64_t{64} << 30);
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("sequences"))
    throw InputError(file, "not an AlphaFold 3 input object");
  absolute_paths(doc, fs::absolute(fs::path(input.file)).parent_path());
  return doc;
}

StagedInput stage_input(const Input& input, const nlohmann::ordered_json& document, int copies) {
  std::vector<CopyGroup> groups = copy_groups(input);
  const int full = static_cast<int>(full_copies(groups));
  SourceLocation file{input.file, 0, 0, ""};
  if (full < 2) throw InputError(file, "no entity has more than one copy: there is nothing to stage");
  if (copies < 1 || copies > full)
    throw UsageError(fmt::format("stage {}: a stage keeps from 1 to {} copies (the most copies an entity of {} has)",
                                 copies, full, input.file));

  StagedInput out;
  out.copies = copies;
  out.full = full;
  out.name = fmt::format("{}_stage{}", input.name, copies);

  std::set<std::string> kept;
  // How many chains each entity keeps (entities dropped entirely keep 0).
  std::vector<std::size_t> keep_of_entity(input.entities.size(), 0);
  for (const CopyGroup& g : groups) {
    std::size_t c = g.chains.size();
    std::size_t keep = c;
    if (c > 1) {
      if ((static_cast<std::size_t>(copies) * c) % static_cast<std::size_t>(full) != 0)
        throw InputError(g.where,
                         fmt::format("stage {} of {}: this {} has {} copies, and {}x{}/{} is not a whole number of "
                                     "copies; choose stages that scale every entity with copies",
                                     copies, full, g.label, c, copies, c, full));
      keep = static_cast<std::size_t>(copies) * c / static_cast<std::size_t>(full);
    }
    std::vector<std::string> ids(g.chains.begin(), g.chains.begin() + static_cast<std::ptrdiff_t>(keep));
    kept.insert(ids.begin(), ids.end());
    out.per_group.push_back(c > 1 ? fmt::format("{}: {} of {} copies ({})", g.label, keep, c, joined(ids))
                                  : fmt::format("{}: its one copy ({})", g.label, joined(ids)));
    std::size_t left = keep;
    for (std::size_t ei : g.entities) {
      std::size_t n = std::min(left, input.entities[ei].ids.size());
      keep_of_entity[ei] = n;
      left -= n;
    }
  }
  for (const Entity& e : input.entities)
    for (const std::string& id : e.ids) (kept.count(id) ? out.kept : out.dropped).push_back(id);

  // Bonds: both ends kept, both dropped, or refused.
  std::vector<bool> keep_bond(input.bonds.size(), false);
  for (std::size_t i = 0; i < input.bonds.size(); ++i) {
    const Bond& b = input.bonds[i];
    bool ka = kept.count(b.a.chain) > 0, kb = kept.count(b.b.chain) > 0;
    if (ka != kb) {
      const BondAtom& in = ka ? b.a : b.b;
      const BondAtom& gone = ka ? b.b : b.a;
      throw InputError(b.where, fmt::format("stage {} of {} keeps chain {} but drops chain {}, and this bond joins "
                                            "them ({} {} {} - {} {} {}); a stage cannot keep one end of a bond. "
                                            "Give the copies in an order where bonded chains are kept together, "
                                            "or leave this stage out",
                                            copies, full, in.chain, gone.chain, in.chain, in.residue, in.atom,
                                            gone.chain, gone.residue, gone.atom));
    }
    keep_bond[i] = ka;
    (ka ? out.bonds_kept : out.bonds_dropped) += 1;
  }

  nlohmann::ordered_json doc = document;
  doc["name"] = out.name;
  nlohmann::ordered_json sequences = nlohmann::ordered_json::array();
  const auto& source = document.at("sequences");
  if (source.size() != input.entities.size())
    throw InputError(file, "the sequences list does not match the entities read");  // cannot happen for a valid input
  for (std::size_t i = 0; i < input.entities.size(); ++i) {
    std::size_t n = keep_of_entity[i];
    if (n == 0) continue;
    nlohmann::ordered_json entry = source[i];
    auto body = entry.begin();  // {"protein": {...}}
    if (n < input.entities[i].ids.size()) {
      nlohmann::ordered_json ids = nlohmann::ordered_json::array();
      for (std::size_t c = 0; c < n; ++c) ids.push_back(input.entities[i].ids[c]);
      (*body)["id"] = n == 1 ? nlohmann::ordered_json(input.entities[i].ids[0]) : ids;
    }
    sequences.push_back(std::move(entry));
  }
  doc["sequences"] = std::move(sequences);
  if (doc.contains("bondedAtomPairs") && doc["bondedAtomPairs"].is_array()) {
    nlohmann::ordered_json bonds = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < keep_bond.size() && i < doc["bondedAtomPairs"].size(); ++i)
      if (keep_bond[i]) bonds.push_back(doc["bondedAtomPairs"][i]);
    if (bonds.empty()) doc.erase("bondedAtomPairs");
    else doc["bondedAtomPairs"] = std::move(bonds);
  }
  out.document = std::move(doc);
  return out;
}

std::vector<int> parse_stages(const std::string& text, int full) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    int v = 0;
    bool ok = !part.empty() && part.size() < 7 && part.find_first_not_of("0123456789") == std::string::npos;
    if (ok) v = std::stoi(part);
    if (!ok || v < 1 || v > full)
      throw UsageError(fmt::format("--stages: '{}' is not a copy count from 1 to {} (the most copies an entity has)",
                                   part, full));
    if (!out.empty() && v <= out.back())
      throw UsageError(fmt::format("--stages: copy counts must be strictly increasing: {} follows {}", v, out.back()));
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (out.size() < 2) throw UsageError("--stages: give at least two stages, e.g. --stages=1," + std::to_string(full));
  return out;
}

}  // namespace foldfit
