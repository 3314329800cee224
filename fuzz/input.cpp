// Fuzz target: the whole input reader and validator (both dialects). Any bytes must give
// inputs or an InputError; every other exception or crash is a bug.
#include "foldfit/input/input.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace foldfit;
  // A folder that does not exist: relative *Path fields then name no real file.
  const std::string file = "/nonexistent-foldfit-fuzz/input.json";
  ReadOptions options;
  options.read_msa_files = false;
  std::vector<std::string> warnings;
  try {
    std::vector<Input> inputs = read_input_text(fuzz::as_text(data, size), file, options, &warnings);
    fuzz::check(!inputs.empty(), "reader returned no input and no error");
    for (const Input& in : inputs) {
      fuzz::check(in.chain_count() > 0, "an input without chains was accepted");
      fuzz::check(in.sanitised_name().size() <= in.name.size(), "sanitised name grew");
    }
  } catch (const InputError& e) {
    fuzz::check(e.location().file == file, "error does not name the file");
  }
  return 0;
}
