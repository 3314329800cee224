// buckets.hpp - AlphaFold 3's padding of the token count to a compiled size.
//
// run_alphafold.py pads the token count N to the smallest bucket >= N (bisect_left);
// above the largest bucket it uses N itself (with a warning and a fresh compile).
// Atoms are laid out flat: ceil(24 * padded / 32) * 32 (model/pipeline/pipeline.py).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "foldfit/common/af3_release.hpp"

namespace foldfit {

// Largest bucket accepted. AlphaFold 3 indexes tokens with JAX's default 32-bit
// integers; this also keeps flat_atoms (24 x padded) far from int64 overflow.
inline constexpr std::int64_t kMaxBucket = 2'147'483'647;

class Buckets {
 public:
  Buckets();  // the default list of the newest tagged AlphaFold 3 release (common/af3_release.hpp)
  explicit Buckets(const Af3Release& release);  // that release's default list
  // Throws std::invalid_argument when `sizes` is empty, not strictly increasing or
  // holds a size outside 1..kMaxBucket.
  explicit Buckets(std::vector<std::int64_t> sizes);

  // Parses a comma-separated list ("256,512,1024"), as AlphaFold 3's --buckets flag.
  // Throws UsageError naming the bad element.
  static Buckets parse(std::string_view text);

  // The newest tagged release's default list (v3.0.4: 256, 512, 768, ..., 5120).
  static const std::vector<std::int64_t>& defaults();

  // The padded token count for `tokens`.
  std::int64_t pad(std::int64_t tokens) const;
  // True when `tokens` is above the largest bucket (AlphaFold 3 compiles for N exactly).
  bool above_largest(std::int64_t tokens) const { return tokens > sizes_.back(); }

  const std::vector<std::int64_t>& sizes() const { return sizes_; }
  std::string to_string() const;  // "256,512,..."
  bool operator==(const Buckets&) const = default;

 private:
  std::vector<std::int64_t> sizes_;
};

// Flat atom slots for a padded token count: ceil(24 * padded / 32) * 32.
std::int64_t flat_atoms(std::int64_t padded_tokens);

}  // namespace foldfit
