#include "foldfit/report/sizes_report.hpp"

#include <fmt/format.h>

#include "foldfit/common/version.hpp"

namespace foldfit::report {

namespace {

// What AlphaFold 3's data pipeline does for a chain given no MSA / no templates: it
// searches MSAs for protein and RNA only, and templates for protein only.
std::string rows_text(const ChainSize& c) {
  if (c.msa_given) return std::to_string(c.unpaired_msa_rows + c.paired_msa_rows);
  return c.type == EntityType::protein || c.type == EntityType::rna ? "search" : "none";
}

std::string templates_text(const ChainSize& c) {
  if (c.type != EntityType::protein) return "none";
  return c.templates < 0 ? "search" : std::to_string(c.templates);
}

std::string display_name(const Sizes& s) {
  return s.job_index >= 0 ? fmt::format("{} (job {} of {})", s.name, s.job_index + 1, s.file)
                          : fmt::format("{} ({})", s.name, s.file);
}

}  // namespace

std::string sizes_text(const Sizes& s) {
  std::string out = display_name(s) + "\n";
  out += fmt::format("  {:<6} {:<8} {:>6} {:>9} {:>7} {:>7} {:>9} {:>9}\n", "chain", "type", "entity", "residues",
                     "tokens", "atoms", "msa_rows", "templates");
  for (const ChainSize& c : s.chain_sizes) {
    out += fmt::format("  {:<6} {:<8} {:>6} {:>9} {:>7} {:>7} {:>9} {:>9}{}\n", c.id, entity_type_name(c.type),
                       c.entity + 1, c.residues, c.tokens, c.heavy_atoms, rows_text(c), templates_text(c),
                       c.dropped ? "  (dropped: all unknown)" : "");
  }
  out += fmt::format("  tokens {} -> padded {}{}; flat atoms {}; chains {}{}; entities {}; seeds {}\n", s.tokens,
                     s.padded_tokens, s.above_largest_bucket ? " (above the largest bucket: exact size)" : "",
                     s.flat_atoms, s.chains, s.homomer ? " (homomer)" : "", s.entities, s.seeds);
  for (const std::string& w : s.warnings) out += "  warning: " + w + "\n";
  return out;
}

std::string sizes_summary_text(const std::vector<Sizes>& all) {
  std::string out = fmt::format("{:<32} {:>7} {:>7} {:>7} {:>6}\n", "name", "tokens", "padded", "atoms", "chains");
  std::int64_t tokens = 0;
  for (const Sizes& s : all) {
    out += fmt::format("{:<32} {:>7} {:>7} {:>7} {:>6}\n", s.name, s.tokens, s.padded_tokens, s.flat_atoms, s.chains);
    tokens += s.tokens;
  }
  out += fmt::format("{} inputs, {} tokens in all\n", all.size(), tokens);
  return out;
}

nlohmann::ordered_json release_json(const Af3ReleaseChoice& r) {
  return {{"name", r.release->name}, {"origin", r.origin}, {"detail", r.detail}, {"commit", r.release->commit}};
}

std::string release_line(const Af3ReleaseChoice& r) { return "AlphaFold 3 release: " + r.text(); }

nlohmann::ordered_json sizes_json(const Sizes& s, const SizeOptions& options) {
  nlohmann::ordered_json j;
  j["schema"] = "foldfit.tokens/1";
  j["foldfit_version"] = std::string(version());
  j["name"] = s.name;
  j["file"] = s.file;
  if (s.job_index >= 0) j["job_index"] = s.job_index;
  j["tokens"] = s.tokens;
  j["padded_tokens"] = s.padded_tokens;
  j["above_largest_bucket"] = s.above_largest_bucket;
  j["atoms"] = s.flat_atoms;
  j["heavy_atoms"] = s.heavy_atoms;
  j["chains"] = s.chains;
  j["entities"] = s.entities;
  j["homomer"] = s.homomer;
  j["msa_rows"] = s.msa_rows;
  j["templates"] = s.templates;
  j["seeds"] = s.seeds;
  j["buckets"] = options.buckets.sizes();
  j["af3_release"] = release_json(options.release);
  auto& chains = j["per_chain"] = nlohmann::ordered_json::array();
  for (const ChainSize& c : s.chain_sizes) {
    nlohmann::ordered_json cj;
    cj["id"] = c.id;
    cj["type"] = std::string(entity_type_name(c.type));
    cj["entity"] = c.entity;
    cj["residues"] = c.residues;
    cj["tokens"] = c.tokens;
    cj["heavy_atoms"] = c.heavy_atoms;
    cj["dropped"] = c.dropped;
    cj["msa_given"] = c.msa_given;
    cj["unpaired_msa_rows"] = c.unpaired_msa_rows;
    cj["paired_msa_rows"] = c.paired_msa_rows;
    if (c.templates >= 0) cj["templates"] = c.templates;
    else cj["templates"] = nullptr;
    chains.push_back(std::move(cj));
  }
  j["warnings"] = s.warnings;
  return j;
}

}  // namespace foldfit::report
