#include "foldfit/run/af3_args.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "foldfit/common/error.hpp"
#include "foldfit/common/flag_values.hpp"

#include "foldfit/common/suggest.hpp"

namespace foldfit {

namespace {

using K = Af3FlagKind;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string did_you_mean(std::string_view name) {
  std::vector<std::string> names;
  for (const Af3Flag& f : af3_flag_table()) names.emplace_back(f.name);
  std::vector<std::string> near = close_matches(name, names, 1);
  return near.empty() ? "" : fmt::format(" (did you mean --{}?)", near.front());
}

}  // namespace

const std::vector<Af3Flag>& af3_flag_table() {
  // run_alphafold.py v3.0.4, in definition order; "" is None. Path defaults with ${DB_DIR}
  // are expanded by run_alphafold.py itself.
  static const std::vector<Af3Flag> table = {
      {"json_path", K::text, ""},
      {"input_dir", K::text, ""},
      {"output_dir", K::text, ""},
      {"model_dir", K::text, "~/models"},
      {"run_data_pipeline", K::boolean, "true"},
      {"run_inference", K::boolean, "true"},
      {"jackhmmer_binary_path", K::text, "which jackhmmer"},
      {"nhmmer_binary_path", K::text, "which nhmmer"},
      {"hmmalign_binary_path", K::text, "which hmmalign"},
      {"hmmsearch_binary_path", K::text, "which hmmsearch"},
      {"hmmbuild_binary_path", K::text, "which hmmbuild"},
      {"db_dir", K::multi_text, "~/public_databases"},
      {"small_bfd_database_path", K::text, "${DB_DIR}/bfd-first_non_consensus_sequences.fasta"},
      {"small_bfd_z_value", K::integer, ""},
      {"mgnify_database_path", K::text, "${DB_DIR}/mgy_clusters_2022_05.fa"},
      {"mgnify_z_value", K::integer, ""},
      {"uniprot_cluster_annot_database_path", K::text, "${DB_DIR}/uniprot_all_2021_04.fa"},
      {"uniprot_cluster_annot_z_value", K::integer, ""},
      {"uniref90_database_path", K::text, "${DB_DIR}/uniref90_2022_05.fa"},
      {"uniref90_z_value", K::integer, ""},
      {"ntrna_database_path", K::text, "${DB_DIR}/nt_rna_2023_02_23_clust_seq_id_90_cov_80_rep_seq.fasta"},
      {"ntrna_z_value", K::number, ""},
      {"rfam_database_path", K::text, "${DB_DIR}/rfam_14_9_clust_seq_id_90_cov_80_rep_seq.fasta"},
      {"rfam_z_value", K::number, ""},
      {"rna_central_database_path", K::text, "${DB_DIR}/rnacentral_active_seq_id_90_cov_80_linclust.fasta"},
      {"rna_central_z_value", K::number, ""},
      {"pdb_database_path", K::text, "${DB_DIR}/mmcif_files"},
      {"seqres_database_path", K::text, "${DB_DIR}/pdb_seqres_2022_09_28.fasta"},
      {"jackhmmer_n_cpu", K::integer, "min(cpus, 8)"},
      {"jackhmmer_max_parallel_shards", K::integer, ""},
      {"nhmmer_n_cpu", K::integer, "min(cpus, 8)"},
      {"nhmmer_max_parallel_shards", K::integer, ""},
      {"hmmsearch_n_cpu", K::integer, "min(cpus, 8)"},
      {"resolve_msa_overlaps", K::boolean, "true"},
      {"max_template_date", K::text, "2021-09-30"},
      {"conformer_max_iterations", K::integer, ""},
      {"fix_standalone_glycans", K::boolean, "false"},
      {"jax_compilation_cache_dir", K::text, ""},
      {"gpu_device", K::integer, "0"},
      {"jax_backend", K::text, "gpu"},
      {"buckets", K::list, "128,256,384,512,768,1024,1280,1536,2048,2560,3072,3584,4096,4608,5120"},
      {"flash_attention_implementation", K::text, "triton"},
      {"num_recycles", K::integer, "10"},
      {"num_diffusion_samples", K::integer, "5"},
      {"num_seeds", K::integer, ""},
      {"save_embeddings", K::boolean, "false"},
      {"save_distogram", K::boolean, "false"},
      {"save_terms_of_use", K::boolean, "true"},
      {"force_output_dir", K::boolean, "false"},
      {"compress_large_output_files", K::boolean, "false"},
      // absl's built-in flags (absl.app / absl.logging).
      {"flagfile", K::multi_text, "", true},
      {"undefok", K::list, "", true},
      {"logtostderr", K::boolean, "false", true},
      {"alsologtostderr", K::boolean, "false", true},
      {"log_dir", K::text, "", true},
      {"verbosity", K::integer, "0", true},
      {"v", K::integer, "0", true},
      {"stderrthreshold", K::text, "fatal", true},
      {"showprefixforinfo", K::boolean, "true", true},
      {"logger_levels", K::text, "", true},
      {"only_check_args", K::boolean, "false", true},
      {"pdb", K::boolean, "false", true},
      {"pdb_post_mortem", K::boolean, "false", true},
      {"run_with_pdb", K::boolean, "false", true},
      {"run_with_profiling", K::boolean, "false", true},
      {"use_cprofile_for_profiling", K::boolean, "true", true},
      {"profile_file", K::text, "", true},
  };
  return table;
}

const Af3Flag* find_af3_flag(std::string_view name) {
  for (const Af3Flag& f : af3_flag_table())
    if (f.name == name) return &f;
  return nullptr;
}

Af3Args Af3Args::parse(const std::vector<std::string>& raw) {
  Af3Args out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& arg = raw[i];
    if (arg.size() < 2 || arg[0] != '-') throw UsageError(fmt::format("unexpected argument '{}'", arg));
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (auto eq = body.find('='); eq != std::string::npos) {
      value = body.substr(eq + 1);
      body.resize(eq);
    }
    const Af3Flag* flag = find_af3_flag(body);
    if (!flag && !value && body.rfind("no", 0) == 0) {
      const Af3Flag* negated = find_af3_flag(std::string_view(body).substr(2));
      if (negated && negated->kind == K::boolean) {
        out.args_.push_back({std::string(negated->name), "false"});
        continue;
      }
    }
    if (!flag)
      throw UsageError(fmt::format("unknown flag --{}: neither foldfit's nor run_alphafold.py's{}", body, did_you_mean(body)));
    if (flag->kind == K::boolean) {
      std::string v = lower(value.value_or("true"));
      if (v == "1") v = "true";
      if (v == "0") v = "false";
      if (v != "true" && v != "false")
        throw UsageError(fmt::format("--{}: expected true or false, found '{}'", body, *value));
      out.args_.push_back({body, v});
      continue;
    }
    if (!value) {
      if (i + 1 >= raw.size()) throw UsageError(fmt::format("--{} needs a value", body));
      value = raw[++i];
    }
    out.args_.push_back({body, *value});
  }
  return out;
}

bool Af3Args::given(std::string_view name) const {
  return std::any_of(args_.begin(), args_.end(), [&](const Af3Arg& a) { return a.name == name; });
}

std::optional<std::string> Af3Args::value(std::string_view name) const {
  for (auto it = args_.rbegin(); it != args_.rend(); ++it)
    if (it->name == name) return it->value;
  return std::nullopt;
}

std::vector<std::string> Af3Args::values(std::string_view name) const {
  std::vector<std::string> out;
  for (const Af3Arg& a : args_)
    if (a.name == name) out.push_back(a.value);
  return out;
}

bool Af3Args::boolean(std::string_view name) const {
  if (auto v = value(name)) return *v == "true";
  const Af3Flag* f = find_af3_flag(name);
  return f && f->default_value == "true";
}

std::optional<long long> Af3Args::integer(std::string_view name, long long lo, long long hi) const {
  auto v = value(name);
  if (!v) return std::nullopt;
  return parse_flag_integer(name, *v, lo, hi);
}

std::vector<std::string> Af3Args::argv_without(const std::set<std::string>& drop) const {
  std::vector<std::string> out;
  for (const Af3Arg& a : args_)
    if (!drop.count(a.name)) out.push_back(fmt::format("--{}={}", a.name, a.value));
  return out;
}

std::vector<std::string> split_command(std::string_view command) {
  std::vector<std::string> out;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(std::move(word)), word.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i >= command.size()) throw UsageError(fmt::format("command '{}' ends with a lone backslash", command));
      word += command[i];
    } else if (c == '\'') {
      auto close = command.find('\'', i + 1);
      if (close == std::string_view::npos) throw UsageError(fmt::format("command '{}': unterminated ' quote", command));
      word += command.substr(i + 1, close - i - 1);
      i = close;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i >= command.size()) throw UsageError(fmt::format("command '{}': unterminated \" quote", command));
        if (command[i] == '"') break;
        if (command[i] == '\\' && i + 1 < command.size() && std::string_view("\"\\$`").find(command[i + 1]) != std::string_view::npos)
          ++i;
        word += command[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) out.push_back(std::move(word));
  if (out.empty()) throw UsageError("the AlphaFold 3 command is empty");
  return out;
}

}  // namespace foldfit
