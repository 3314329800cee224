// server_reader.cpp - AlphaFold Server dialect: a list of fold jobs -> one Input each.
//
// Follows Input.from_alphafoldserver_fold_job in AlphaFold 3's common/folding_input.py:
// entities are expanded by `count`, chains are named A, B, ..., Z, AA, BA, ... in order
// (mmCIF "reverse spreadsheet" ids), CCD_ prefixes are removed.
#include <fmt/format.h>

#include "foldfit/input/reader_context.hpp"

namespace foldfit {

// 1 -> A, 26 -> Z, 27 -> AA, 28 -> BA, as mmcif.int_id_to_str_id.
std::string chain_id_from_index(std::size_t one_based) {
  std::string out;
  long long num = static_cast<long long>(one_based) - 1;
  while (num >= 0) {
    out.push_back(static_cast<char>('A' + num % 26));
    num = num / 26 - 1;
  }
  return out;
}

namespace {

std::string strip_ccd_prefix(const std::string& s) { return s.rfind("CCD_", 0) == 0 ? s.substr(4) : s; }

// Most chains a job may expand to. `count` is the one field whose cost is not bounded by
// the file's size; past this, no GPU could hold the job anyway: every chain is at least
// one token, and 100,000 tokens need 100,000^2 x 128 channels x 2 bytes = 2.56 TB for
// the pair representation alone.
constexpr std::int64_t kMaxChains = 100'000;

std::int64_t read_count(const ReaderContext& ctx, const json::Value& obj, const std::string& path,
                        std::size_t chains_so_far) {
  const json::Value* c = obj.find("count");
  if (!c) return 1;
  std::int64_t n = ctx.integer(*c, ReaderContext::join(path, "count"));
  if (n < 0) ctx.fail(*c, ReaderContext::join(path, "count"), fmt::format("count must not be negative, found {}", n));
  if (n > kMaxChains - static_cast<std::int64_t>(chains_so_far))
    ctx.fail(*c, ReaderContext::join(path, "count"),
             fmt::format("count {} makes more than {} chains; no GPU can hold such a job", n, kMaxChains));
  return n;
}

// As the alphafold3 dialect, with AlphaFold Server's "CCD_" prefix removed.
std::vector<Modification> read_server_mods(const ReaderContext& ctx, const json::Value& obj, const std::string& path,
                                           std::string_view type_key, std::string_view pos_key) {
  std::vector<Modification> mods = ctx.modifications(obj, path, type_key, pos_key);
  for (Modification& m : mods) m.ccd = strip_ccd_prefix(m.ccd);
  return mods;
}

Input read_job(const ReaderContext& ctx, const json::Value& job, std::size_t index) {
  std::string jpath = ReaderContext::index("", index);
  ctx.expect(job, json::Type::object, jpath);
  ctx.check_keys(job, jpath, {"name", "modelSeeds", "sequences", "dialect", "version"});
  Input in;
  in.file = ctx.file;
  in.dialect = "alphafoldserver";
  in.version = 1;
  in.job_index = static_cast<int>(index);
  const json::Value* dialect = job.find("dialect");
  const json::Value* version = job.find("version");
  if ((dialect == nullptr) != (version == nullptr))
    ctx.fail(job, jpath, "an AlphaFold Server job must contain both `dialect` and `version`, or neither");
  if (dialect && (!dialect->is_string() || dialect->text != "alphafoldserver"))
    ctx.fail(*dialect, ReaderContext::join(jpath, "dialect"),
             fmt::format("unsupported dialect {}, expected \"alphafoldserver\"", dialect->text));
  if (version && version->as_int64() != std::optional<std::int64_t>(1))
    ctx.fail(*version, ReaderContext::join(jpath, "version"),
             fmt::format("unsupported version {}, expected 1", version->text));

  const std::string& name = ctx.string_member(job, "name", jpath);
  in.name = name;
  if (in.sanitised_name().empty())
    ctx.fail(*job.find("name"), ReaderContext::join(jpath, "name"),
             "name must be non-empty and contain at least one letter, digit, '.', '-' or '_'");

  const json::Value* seeds = job.find("modelSeeds");
  if (seeds && !(seeds->is_array() && seeds->items.empty()) && !seeds->is_null()) {
    std::string spath = ReaderContext::join(jpath, "modelSeeds");
    ctx.expect(*seeds, json::Type::array, spath);
    for (std::size_t i = 0; i < seeds->items.size(); ++i) {
      const json::Value& s = seeds->items[i];
      std::string p = ReaderContext::index(spath, i);
      // AlphaFold Server writes seeds as strings; AlphaFold 3 converts them with int().
      std::optional<std::int64_t> v;
      if (s.is_number()) v = s.as_int64();
      else if (s.is_string() && !s.text.empty() && s.text.size() < 19 &&
               s.text.find_first_not_of("0123456789") == std::string::npos)
        v = std::stoll(s.text);
      if (!v || *v < 0 || *v > 4294967295LL)
        ctx.fail(s, p, fmt::format("seed must be an integer from 0 to 4294967295, found {}",
                                   s.is_string() ? "\"" + s.text + "\"" : s.text));
      in.seeds.push_back(static_cast<std::uint32_t>(*v));
    }
  } else {
    in.seeds_sampled = true;  // AlphaFold 3 draws one random seed
  }

  const json::Value* seqs = job.find("sequences");
  std::string qpath = ReaderContext::join(jpath, "sequences");
  if (!seqs) ctx.fail(job, jpath, "missing required field 'sequences'");
  ctx.expect(*seqs, json::Type::array, qpath);
  std::size_t chains = 0;
  for (std::size_t i = 0; i < seqs->items.size(); ++i) {
    const json::Value& entry = seqs->items[i];
    std::string epath = ReaderContext::index(qpath, i);
    ctx.expect(entry, json::Type::object, epath);
    if (entry.members.empty()) ctx.fail(entry, epath, "empty entry");
    // AlphaFold 3 picks the first known kind present, in this order.
    const char* kinds[] = {"proteinChain", "rnaSequence", "dnaSequence", "ion", "ligand"};
    const json::Member* m = nullptr;
    for (const char* k : kinds)
      if ((m = entry.find_member(k))) break;
    if (!m)
      throw InputError(SourceLocation{ctx.file, entry.members[0].key_pos.line, entry.members[0].key_pos.column,
                                      ReaderContext::join(epath, entry.members[0].key)},
                       fmt::format("unknown sequence type '{}'; expected proteinChain, rnaSequence, dnaSequence, "
                                   "ligand or ion",
                                   entry.members[0].key));
    std::string path = ReaderContext::join(epath, m->key);
    const json::Value& obj = ctx.expect(m->value, json::Type::object, path);
    Entity e;
    e.where = ctx.at(obj, path);
    if (m->key == "proteinChain") {
      ctx.check_keys(obj, path, {"sequence", "glycans", "modifications", "count", "maxTemplateDate",
                                 "useStructureTemplate"});
      e.type = EntityType::protein;
      e.sequence = ctx.string_member(obj, "sequence", path);
      if (const json::Value* g = obj.find("glycans"))
        ctx.fail(*g, ReaderContext::join(path, "glycans"),
                 "glycans are not supported in the alphafoldserver dialect; use the alphafold3 dialect with "
                 "bondedAtomPairs");
      if (const json::Value* d = obj.find("maxTemplateDate"))
        ctx.fail(*d, ReaderContext::join(path, "maxTemplateDate"),
                 "maxTemplateDate is not supported in the alphafoldserver dialect; use AlphaFold 3's "
                 "--max_template_date flag");
      e.modifications = read_server_mods(ctx, obj, path, "ptmType", "ptmPosition");
      if (const json::Value* u = obj.find("useStructureTemplate")) {
        if (u->type != json::Type::boolean)
          ctx.fail(*u, ReaderContext::join(path, "useStructureTemplate"), "expected boolean");
        if (!u->boolean) e.templates = std::vector<Template>{};
      }
      ctx.check_sequence(obj, path, e, "protein");
    } else if (m->key == "rnaSequence" || m->key == "dnaSequence") {
      ctx.check_keys(obj, path, {"sequence", "modifications", "count"});
      e.type = m->key == "rnaSequence" ? EntityType::rna : EntityType::dna;
      e.sequence = ctx.string_member(obj, "sequence", path);
      e.modifications = read_server_mods(ctx, obj, path, "modificationType", "basePosition");
      ctx.check_sequence(obj, path, e, e.type == EntityType::rna ? "RNA" : "DNA");
    } else {
      ctx.check_keys(obj, path, {"ligand", "ion", "count"});
      e.type = EntityType::ligand;
      const json::Value* code = obj.find("ligand");
      std::string cpath = ReaderContext::join(path, "ligand");
      bool ion = false;
      if (!code) {
        code = obj.find("ion");
        cpath = ReaderContext::join(path, "ion");
        ion = true;
      }
      if (!code) ctx.fail(obj, path, "missing required field 'ligand' or 'ion'");
      const std::string& text = ctx.expect(*code, json::Type::string, cpath).text;
      std::string ccd = ion ? text : strip_ccd_prefix(text);
      if (ccd.empty()) ctx.fail(*code, cpath, "empty CCD code");
      e.ccd_codes.push_back({ccd, ctx.at(*code, cpath)});
    }
    std::int64_t count = read_count(ctx, obj, path, chains);
    for (std::int64_t k = 0; k < count; ++k) e.ids.push_back(chain_id_from_index(++chains));
    if (!e.ids.empty()) in.entities.push_back(std::move(e));
  }
  if (in.entities.empty()) ctx.fail(*seqs, qpath, "the job has no chains: nothing to fold");
  return in;
}

}  // namespace

std::vector<Input> read_server_dialect(const ReaderContext& ctx, const json::Value& root) {
  if (root.items.empty()) ctx.fail(root, "", "the AlphaFold Server job list is empty");
  std::vector<Input> jobs;
  for (std::size_t i = 0; i < root.items.size(); ++i) jobs.push_back(read_job(ctx, root.items[i], i));
  return jobs;
}

}  // namespace foldfit
