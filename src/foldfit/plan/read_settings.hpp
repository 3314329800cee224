// read_settings.hpp - the one reader of settings: the flags the user gave and the process
// environment, as AlphaFold 3 and JAX would read them, into one RunSettings.
//
// Every command that plans or launches (estimate, run, verify) reads its settings here,
// so the same flags and environment give the same settings everywhere.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "foldfit/plan/settings.hpp"

namespace foldfit {

// A flag that carries a setting: run_alphafold.py's memory-relevant flags and the
// model-config fields foldfit sets through its adapter.
struct SettingFlag {
  std::string name;
  std::string value_hint;  // empty: a boolean flag
  std::string default_text;
  std::string help;
  bool af3_flag = false;   // also a run_alphafold.py flag (passed on by foldfit run)
};
const std::vector<SettingFlag>& setting_flags();

// Reads `flags` (name -> value as given; booleans "true"/"false"; only flags the user
// gave) and `environment` (the process environment). Throws UsageError naming the flag
// or the variable for a value AlphaFold 3 would reject or JAX would misread.
// The defaults are those of `release` (its --buckets list).
RunSettings read_settings(const std::map<std::string, std::string>& flags,
                          const std::map<std::string, std::string>& environment,
                          const Af3Release& release = newest_tagged_release());

}  // namespace foldfit
