// af3_release.hpp - the AlphaFold 3 releases foldfit knows, what differs between them, and
// which one an installation is.
//
// AlphaFold 3's own version string cannot tell them apart (the v3.0.3 and v3.0.4 tags
// report 3.0.2, and a Docker build without .git falls back to 3.0.2), so a release is
// identified by what its run_alphafold.py defines: the flags it has and the default of
// --buckets. The facts are read from AlphaFold 3's source at each tag (docs/releases.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foldfit {

struct Af3Release {
  std::string name;                   // "v3.0.4", "main"
  std::string commit;                 // the tag's commit, or the commit that defines "main"
  std::string date;                   // that commit's date
  std::vector<std::int64_t> buckets;  // run_alphafold.py's default --buckets
  bool buckets_flag = true;           // --buckets exists (v3.0.0 has a fixed list)
  std::vector<int> json_versions;     // "version"s of the alphafold3 dialect accepted
  // Input.to_structure refuses a bonded atom that its CCD component does not have.
  bool checks_bond_atoms = true;
  // The data pipeline's "set only partially" rule: true for v3.0.0's form (any MSA or
  // template given non-empty needs all three set), false for the later form (both MSAs
  // set, or neither; templates without both MSAs only as an empty list).
  bool partial_msa_rule_v300 = false;
  // run_alphafold.py flags foldfit run always passes that this release does not define.
  std::vector<std::string> lacks_run_flags;
  std::string profile;                // memory profile the estimate uses
  std::string note;                   // what defines it in one line
};

// Every known release, oldest first; the last tagged one is the default.
const std::vector<Af3Release>& af3_releases();
const Af3Release& newest_tagged_release();
// "v3.0.4", "3.0.4" or "main"; nullptr when unknown.
const Af3Release* find_af3_release(std::string_view name);
// The same, throwing UsageError naming the known releases.
const Af3Release& af3_release_from_flag(std::string_view name);

// Identifies the release that a run_alphafold.py defines from its text; nullopt when the
// text is not one foldfit recognises. `evidence` says what decided it.
struct Af3Identification {
  const Af3Release* release = nullptr;
  std::string evidence;
};
std::optional<Af3Identification> identify_af3_release(std::string_view run_alphafold_text);

// The release a command plans for, with where that came from.
struct Af3ReleaseChoice {
  const Af3Release* release = &newest_tagged_release();
  std::string origin = "default";  // "flag" | "detected" | "default"
  std::string detail = "the newest tagged release";  // "--af3_release=main", "/app/...: ...", why the default
  std::string text() const;  // "v3.0.4 (default: ...)"
};

// --af3_release when given (`flag`), else what the run_alphafold.py at `script` defines
// (when a script is known and readable), else the newest tagged release. `looked_at`
// lists where an installation was looked for, for the default's explanation.
Af3ReleaseChoice choose_af3_release(const std::optional<std::string>& flag, const std::optional<std::string>& script,
                                    const std::vector<std::string>& looked_at = {});

}  // namespace foldfit
