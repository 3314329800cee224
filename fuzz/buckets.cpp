// Fuzz target: --buckets parsing and padding. Any text must give buckets or a UsageError;
// padding must never shrink a token count or overflow.
#include <limits>

#include "foldfit/common/error.hpp"
#include "foldfit/sizes/buckets.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace foldfit;
  try {
    Buckets b = Buckets::parse(fuzz::as_text(data, size));
    fuzz::check(Buckets::parse(b.to_string()).sizes() == b.sizes(), "to_string does not round-trip");
    const std::int64_t largest = b.sizes().back();
    for (std::int64_t tokens : {std::int64_t{0}, std::int64_t{1}, b.sizes().front(), largest - 1, largest, largest + 1}) {
      std::int64_t padded = b.pad(tokens);
      fuzz::check(padded >= tokens, "padding shrank the token count");
      fuzz::check(flat_atoms(padded) >= 24 * padded, "flat atoms below 24 per token");
      fuzz::check(b.above_largest(tokens) == (tokens > largest), "above_largest disagrees with the list");
    }
  } catch (const UsageError&) {
  }
  return 0;
}
