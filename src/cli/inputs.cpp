#include "inputs.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "foldfit/common/error.hpp"
#include "foldfit/common/process_environment.hpp"
#include "foldfit/plan/planning.hpp"

namespace foldfit::cli {

std::vector<OptionSpec> input_option_specs(bool with_buckets) {
  std::vector<OptionSpec> o{
      {"json_path", "FILE", "", "an AlphaFold 3 input JSON (alphafold3 or alphafoldserver dialect)"},
      {"input_dir", "DIR", "", "every *.json file in DIR, as AlphaFold 3 reads them"},
      {"input_list", "FILE", "", "the input JSONs named in FILE, one path a line (relative to FILE's folder; '#' starts a comment)"},
      {"ccd_path", "FILE", "", "a components.cif (plain or compressed) searched before the built-in CCD table"},
      {"fix_standalone_glycans", "", "false", "AlphaFold 3's flag: unbonded glycans keep their O1 atom"},
  };
  if (with_buckets) {
    o.insert(o.begin() + 2, {"buckets", "N,N,...", "the AlphaFold 3 release's list (v3.0.4: 256,...,5120)",
                             "token buckets, strictly increasing, as AlphaFold 3's --buckets"});
    o.push_back({"af3_release", "NAME", "the installation's, else v3.0.4",
                 "the AlphaFold 3 release to read and pad for: v3.0.0 ... v3.0.4 or main (docs/releases.md)"});
  }
  return o;
}

Af3ReleaseChoice release_from(const ParsedOptions& options) {
  return resolve_af3_release(options.get("af3_release"), std::nullopt, process_environment());
}

SizeOptions size_options_from(const ParsedOptions& options, const Af3ReleaseChoice& release) {
  SizeOptions s;
  s.release = release;
  s.buckets = Buckets(*release.release);
  if (auto b = options.get("buckets")) s.buckets = Buckets::parse(*b);
  s.fix_standalone_glycans = options.flag("fix_standalone_glycans", false);
  return s;
}

namespace {

// The files the flags name; `from_dir` when they come from --input_dir.
std::vector<std::string> input_files(const ParsedOptions& options, bool* from_dir) {
  auto json_path = options.get("json_path");
  auto input_dir = options.get("input_dir");
  auto input_list = options.get("input_list");
  if (int(json_path.has_value()) + int(input_dir.has_value()) + int(input_list.has_value()) > 1)
    throw UsageError("give exactly one of --json_path, --input_dir and --input_list");
  if (!json_path && !input_dir && !input_list) throw UsageError("give --json_path=FILE, --input_dir=DIR or --input_list=FILE");
  *from_dir = input_dir.has_value() || input_list.has_value();
  if (input_list) {
    std::ifstream in(*input_list);
    if (!in) throw InputError(SourceLocation{*input_list, 0, 0, ""}, "cannot read the input list");
    std::filesystem::path base = std::filesystem::path(*input_list).parent_path();
    std::vector<std::string> files;
    std::string line;
    while (std::getline(in, line)) {
      if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
      while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
      std::size_t start = 0;
      while (start < line.size() && std::isspace(static_cast<unsigned char>(line[start]))) ++start;
      line.erase(0, start);
      if (line.empty()) continue;
      std::filesystem::path p(line);
      files.push_back(p.is_absolute() || base.empty() ? p.string() : (base / p).string());
    }
    if (files.empty()) throw InputError(SourceLocation{*input_list, 0, 0, ""}, "the input list names no file");
    return files;
  }
  if (!input_dir) return {*json_path};
  std::vector<std::string> files = list_input_dir(*input_dir);
  if (files.empty()) throw InputError(SourceLocation{*input_dir, 0, 0, ""}, "no *.json files in the input directory");
  return files;
}

ReadOptions read_options(const SizeOptions& size_options) {
  ReadOptions r;
  r.release = size_options.release.release;
  return r;
}

Ccd base_ccd(const ParsedOptions& options) {
  Ccd base;
  if (auto ccd = options.get("ccd_path")) base.add_components_file(*ccd);
  return base;
}

}  // namespace

std::size_t for_each_input(const ParsedOptions& options, const SizeOptions& size_options,
                           const std::function<void(const Sizes&, const InputVisit&)>& each) {
  bool from_dir = false;
  std::vector<std::string> files = input_files(options, &from_dir);
  Ccd base = base_ccd(options);
  InputVisit visit;
  std::size_t invalid = 0;
  for (const std::string& f : files) {
    std::vector<std::string> warnings;
    std::vector<Sizes> sized;
    try {
      sized = size_file(f, base, size_options, read_options(size_options), &warnings);
    } catch (const InputError& e) {
      std::cerr << "foldfit: error: " << e.what() << "\n";
      ++invalid;
      continue;
    }
    for (const std::string& w : warnings) std::cerr << "foldfit: warning: " << w << "\n";
    visit.list = from_dir || sized.size() != 1 || sized.front().job_index >= 0;
    for (const Sizes& s : sized) {
      ++visit.index;
      each(s, visit);
    }
  }
  return invalid;
}

SizedInputs load_inputs(const ParsedOptions& options, const SizeOptions& size_options) {
  SizedInputs out;
  std::vector<std::string> files = input_files(options, &out.from_dir);
  Ccd base = base_ccd(options);
  for (const std::string& f : files) {
    try {
      std::vector<std::string> warnings;
      std::vector<Sizes> sized = size_file(f, base, size_options, read_options(size_options), &warnings);
      if (sized.size() != 1 || sized.front().job_index >= 0) out.from_dir = true;
      for (auto& s : sized) out.sizes.push_back(std::move(s));
      for (auto& w : warnings) out.warnings.push_back(std::move(w));
    } catch (const InputError& e) {
      out.errors.push_back(e.what());
    }
  }
  return out;
}

bool report_load_problems(const SizedInputs& in) {
  for (const std::string& w : in.warnings) std::cerr << "foldfit: warning: " << w << "\n";
  for (const std::string& e : in.errors) std::cerr << "foldfit: error: " << e << "\n";
  return !in.errors.empty();
}

}  // namespace foldfit::cli
