// suggest.hpp - "did you mean": the closest names to a misspelt one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace foldfit {

// Levenshtein distance (insertions, deletions, substitutions).
std::size_t edit_distance(std::string_view a, std::string_view b);

// Up to `most` names among `candidates` close to `word` (within a third of its length,
// at least 2 edits, or sharing a prefix of 3+ characters), best first.
std::vector<std::string> close_matches(std::string_view word, const std::vector<std::string>& candidates,
                                       std::size_t most = 3);

}  // namespace foldfit
