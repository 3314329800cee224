// outputs.hpp - AlphaFold 3's output folders: what is finished, and inputs for split runs.
//
// run_alphafold.py writes each input to <output_dir>/<sanitised name>/ (or, when that
// folder is not empty and --force_output_dir is false, to a new <name>_<YYYYmmdd_HHMMSS>
// beside it): <name>_data.json first, then after inference seed-S_sample-I/ folders,
// <name>_model.cif(.zst) and, last, <name>_ranking_scores.csv. The ranking CSV is
// therefore the mark of a finished input; nothing is on disk for seeds of an unfinished one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace foldfit {

// folding_input.Input.sanitised_name(): spaces become '_', only [A-Za-z0-9_.-] kept.
std::string af3_sanitised_name(std::string_view name);

struct OutputState {
  std::string dir;            // <output_dir>/<sanitised name>
  bool exists = false;
  bool empty = true;
  bool finished = false;      // ranking scores CSV and model present
  bool has_data_json = false; // <name>_data.json: the input after the data pipeline
  std::string data_json;      // its path
  std::vector<std::string> sample_dirs;  // seed-S_sample-I folders present
};

OutputState inspect_output(const std::string& output_dir, const std::string& name);

// The seeds of split run `run` (0-based): run 0 keeps `seeds`; run j > 0 takes
// the next unused integers above the largest seed, as many as `seeds` holds, so every
// run's samples come from distinct seeds.
std::vector<std::uint32_t> split_run_seeds(const std::vector<std::uint32_t>& seeds, int run);

// Writes the input for split run `run`: the alphafold3-dialect JSON at `input_path` with
// name "<name>_split<run+1>of<runs>" and the run's seeds, to `dir`; returns its path
// and (in `name`) the new name. Throws InputError for other dialects.
std::string write_split_input(const std::string& input_path, int run, int runs, const std::string& dir,
                              std::string* name = nullptr);

}  // namespace foldfit
