// Fuzz target: the tokenizer, with the CCD (built-in table and the input's userCCD, read
// by libcifpp) and SMILES (RDKit), on every input that parses.
#include "foldfit/sizes/sizes.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace foldfit;
  static const Ccd base;
  ReadOptions options;
  options.read_msa_files = false;
  std::vector<Input> inputs;
  try {
    inputs = read_input_text(fuzz::as_text(data, size), "/nonexistent-foldfit-fuzz/input.json", options);
  } catch (const InputError&) {
    return 0;
  }
  SizeOptions size_options;
  size_options.fix_standalone_glycans = size % 2 == 1;
  for (const Input& in : inputs) {
    try {
      Ccd ccd = ccd_for_input(in, base);
      Sizes s = size_input(in, ccd, size_options);
      fuzz::check(s.tokens >= 0 && s.padded_tokens >= s.tokens, "padded tokens below tokens");
      fuzz::check(s.chains <= in.chain_count(), "more chains sized than given");
      fuzz::check(s.flat_atoms >= 24 * s.padded_tokens, "flat atoms below 24 per padded token");
    } catch (const InputError&) {
    }
  }
  return 0;
}
