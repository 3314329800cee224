#include "foldfit/run/outputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "foldfit/common/error.hpp"
#include "foldfit/common/atomic_file.hpp"

namespace fs = std::filesystem;

namespace foldfit {

std::string af3_sanitised_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ' ') c = '_';
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') out += c;
  }
  return out;
}

OutputState inspect_output(const std::string& output_dir, const std::string& name) {
  OutputState s;
  std::string base = af3_sanitised_name(name);
  s.dir = (fs::path(output_dir) / base).string();
  std::error_code ec;
  s.exists = fs::is_directory(s.dir, ec);
  if (!s.exists) return s;
  s.empty = fs::is_empty(s.dir, ec);
  fs::path dir(s.dir);
  bool ranking = fs::exists(dir / (base + "_ranking_scores.csv"), ec);
  bool model = fs::exists(dir / (base + "_model.cif"), ec) || fs::exists(dir / (base + "_model.cif.zst"), ec);
  s.finished = ranking && model;
  s.data_json = (dir / (base + "_data.json")).string();
  s.has_data_json = fs::exists(s.data_json, ec);
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (e.is_directory() && n.rfind("seed-", 0) == 0 && n.find("_sample-") != std::string::npos) s.sample_dirs.push_back(n);
  }
  std::sort(s.sample_dirs.begin(), s.sample_dirs.end());
  return s;
}

std::vector<std::uint32_t> split_run_seeds(const std::vector<std::uint32_t>& seeds, int run) {
  if (run == 0 || seeds.empty()) return seeds;
  std::uint64_t next = static_cast<std::uint64_t>(*std::max_element(seeds.begin(), seeds.end())) + 1 +
                       static_cast<std::uint64_t>(run - 1) * seeds.size();
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < seeds.size(); ++i) out.push_back(static_cast<std::uint32_t>((next + i) & 0xffffffffu));
  return out;
}

std::string write_split_input(const std::string& input_path, int run, int runs, const std::string& dir, std::string* name) {
  std::ifstream in(input_path);
  if (!in) throw InputError(SourceLocation{input_path, 0, 0, ""}, "cannot read the input");
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(SourceLocation{input_path, 0, 0, ""}, e.what());
  }
  if (!j.is_object() || j.value("dialect", "") != "alphafold3" || !j.contains("modelSeeds"))
    throw InputError(SourceLocation{input_path, 0, 0, ""},
                     "splitting the diffusion samples over several runs needs an alphafold3-dialect input with modelSeeds");
  std::vector<std::uint32_t> seeds = j["modelSeeds"].get<std::vector<std::uint32_t>>();
  std::string new_name = fmt::format("{}_split{}of{}", j.value("name", "job"), run + 1, runs);
  j["name"] = new_name;
  j["modelSeeds"] = split_run_seeds(seeds, run);
  fs::create_directories(dir);
  std::string path = (fs::path(dir) / (af3_sanitised_name(new_name) + ".json")).string();
  replace_file_atomically(path, j.dump(2) + "\n");
  if (name) *name = new_name;
  return path;
}

}  // namespace foldfit
