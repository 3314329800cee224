#include "foldfit/common/af3_release.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

const std::vector<std::int64_t> kTaggedBuckets = {256, 512, 768, 1024, 1280, 1536, 2048, 2560, 3072, 3584, 4096, 4608, 5120};
const std::vector<std::int64_t> kMainBuckets = {128,  256,  384,  512,  768,  1024, 1280, 1536,
                                                2048, 2560, 3072, 3584, 4096, 4608, 5120};
constexpr const char* kProfile = "alphafold3-v3.0.4";

bool ident_char(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

std::size_t skip_space_and_comments(std::string_view t, std::size_t i) {
  while (i < t.size()) {
    if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') ++i;
    else if (t[i] == '#') {
      while (i < t.size() && t[i] != '\n') ++i;
    } else break;
  }
  return i;
}

// The flags a run_alphafold.py defines (flags.DEFINE_x('name', ...)), each with the offset
// just after its name.
std::vector<std::pair<std::string, std::size_t>> defined_flags(std::string_view t) {
  std::vector<std::pair<std::string, std::size_t>> out;
  for (std::size_t at = t.find("DEFINE_"); at != std::string_view::npos; at = t.find("DEFINE_", at + 1)) {
    std::size_t i = at + 7;
    while (i < t.size() && ident_char(t[i])) ++i;
    if (i >= t.size() || t[i] != '(') continue;
    i = skip_space_and_comments(t, i + 1);
    if (i >= t.size() || (t[i] != '\'' && t[i] != '"')) continue;
    char quote = t[i];
    std::size_t end = t.find(quote, i + 1);
    if (end == std::string_view::npos) break;
    std::string name(t.substr(i + 1, end - i - 1));
    if (!name.empty() && std::all_of(name.begin(), name.end(), ident_char)) out.emplace_back(name, end + 1);
  }
  return out;
}

// The integers of a bracketed list starting at `i` (after optional space and comments):
// ['128', '256'] or (256, 512). Empty when no literal list is there.
std::vector<std::int64_t> literal_list(std::string_view t, std::size_t i) {
  std::vector<std::int64_t> out;
  i = skip_space_and_comments(t, i);
  if (i >= t.size() || (t[i] != '[' && t[i] != '(')) return out;
  const char close = t[i] == '[' ? ']' : ')';
  std::int64_t v = 0;
  bool in_number = false;
  for (++i; i < t.size() && t[i] != close; ++i) {
    char c = t[i];
    if (c == '#') {
      while (i < t.size() && t[i] != '\n') ++i;
      continue;
    }
    if (c >= '0' && c <= '9') {
      if (v < 1'000'000'000) v = v * 10 + (c - '0');
      in_number = true;
    } else if (in_number) {
      out.push_back(v);
      v = 0;
      in_number = false;
    }
  }
  if (in_number) out.push_back(v);
  return out;
}

}  // namespace

const std::vector<Af3Release>& af3_releases() {
  static const std::vector<Af3Release> releases = {
      {"v3.0.0", "4f52a3b", "2024-11-11", kTaggedBuckets, false, {1}, false, true,
       {"buckets", "num_diffusion_samples", "num_recycles", "save_embeddings", "save_distogram"}, kProfile,
       "fixed bucket list, no --buckets flag"},
      {"v3.0.1", "231efc9", "2025-01-20", kTaggedBuckets, true, {1, 2}, false, false, {"save_distogram"}, kProfile,
       "adds --buckets, --num_diffusion_samples, --num_recycles, --num_seeds, --save_embeddings"},
      {"v3.0.2", "f6a5aec", "2026-04-20", kTaggedBuckets, true, {1, 2, 3, 4}, true, false, {}, kProfile,
       "adds --save_distogram, --force_output_dir, --resolve_msa_overlaps"},
      {"v3.0.3", "7b197fe", "2026-06-09", kTaggedBuckets, true, {1, 2, 3, 4}, true, false, {}, kProfile,
       "adds --fix_standalone_glycans"},
      {"v3.0.4", "85c4d20", "2026-07-28", kTaggedBuckets, true, {1, 2, 3, 4}, true, false, {}, kProfile,
       "adds --jax_backend, --save_terms_of_use"},
      {"main", "29596b9", "2026-08-11", kMainBuckets, true, {1, 2, 3, 4}, true, false, {}, kProfile,
       "main after v3.0.4 from 29596b9, which adds buckets 128 and 384 to the default list"},
  };
  return releases;
}

const Af3Release& newest_tagged_release() {
  const auto& all = af3_releases();
  return all[all.size() - 2];
}

const Af3Release* find_af3_release(std::string_view name) {
  for (const Af3Release& r : af3_releases())
    if (r.name == name || (r.name.starts_with('v') && std::string_view(r.name).substr(1) == name)) return &r;
  return nullptr;
}

const Af3Release& af3_release_from_flag(std::string_view name) {
  if (const Af3Release* r = find_af3_release(name)) return *r;
  std::vector<std::string> names;
  for (const Af3Release& r : af3_releases()) names.push_back(r.name);
  throw UsageError(fmt::format("--af3_release: '{}' is not a release foldfit knows ({})", name, fmt::join(names, ", ")));
}

std::optional<Af3Identification> identify_af3_release(std::string_view t) {
  auto flags = defined_flags(t);
  std::set<std::string> names;
  for (const auto& f : flags) names.insert(f.first);
  // Every release defines these; anything else is not a run_alphafold.py.
  if (!names.count("json_path") || !names.count("output_dir") || !names.count("model_dir")) return std::nullopt;
  auto release = [](const char* n) { return find_af3_release(n); };
  std::vector<std::int64_t> buckets;
  for (const auto& f : flags)
    if (f.first == "buckets") {
      std::size_t i = skip_space_and_comments(t, f.second);
      if (i < t.size() && t[i] == ',') buckets = literal_list(t, i + 1);
    }
  if (std::find(buckets.begin(), buckets.end(), 128) != buckets.end())
    return Af3Identification{release("main"), "its --buckets default includes 128 (added on main in 29596b9, after v3.0.4)"};
  if (names.count("jax_backend") || names.count("save_terms_of_use"))
    return Af3Identification{release("v3.0.4"), "it defines --jax_backend / --save_terms_of_use (new in v3.0.4) and "
                                                "its --buckets default has no 128"};
  if (names.count("fix_standalone_glycans"))
    return Af3Identification{release("v3.0.3"), "it defines --fix_standalone_glycans (new in v3.0.3) but not --jax_backend"};
  if (names.count("save_distogram") || names.count("force_output_dir"))
    return Af3Identification{release("v3.0.2"), "it defines --save_distogram / --force_output_dir (new in v3.0.2) but "
                                                "not --fix_standalone_glycans"};
  if (names.count("buckets"))
    return Af3Identification{release("v3.0.1"), "it defines --buckets (new in v3.0.1) but not --save_distogram"};
  return Af3Identification{release("v3.0.0"), "it defines no --buckets flag (v3.0.0's fixed list)"};
}

std::string Af3ReleaseChoice::text() const { return fmt::format("{} ({}: {})", release->name, origin, detail); }

Af3ReleaseChoice choose_af3_release(const std::optional<std::string>& flag, const std::optional<std::string>& script,
                                    const std::vector<std::string>& looked_at) {
  Af3ReleaseChoice c;
  if (flag) {
    c.release = &af3_release_from_flag(*flag);
    c.origin = "flag";
    c.detail = "--af3_release=" + *flag;
    return c;
  }
  c.release = &newest_tagged_release();
  c.origin = "default";
  if (script) {
    std::ifstream in(*script, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in) {
      c.detail = fmt::format("{} cannot be read; the newest tagged release is assumed (give --af3_release)", *script);
      return c;
    }
    if (auto id = identify_af3_release(text.str())) {
      c.release = id->release;
      c.origin = "detected";
      c.detail = fmt::format("{}: {}", *script, id->evidence);
    } else {
      c.detail = fmt::format("{} is not a run_alphafold.py foldfit recognises; the newest tagged release is assumed "
                             "(give --af3_release)",
                             *script);
    }
    return c;
  }
  c.detail = looked_at.empty()
                 ? "no AlphaFold 3 installation found; the newest tagged release is assumed (give --af3_release)"
                 : fmt::format("no AlphaFold 3 installation found ({}); the newest tagged release is assumed "
                               "(give --af3_release)",
                               fmt::join(looked_at, ", "));
  return c;
}

}  // namespace foldfit
