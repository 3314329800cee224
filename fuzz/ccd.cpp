// Fuzz target: user CCD mmCIF (an input's userCCD, or --ccd_path blocks), read as AlphaFold 3
// reads it (chem/cif_dict.hpp).
// Any text must give components or an InputError.
#include "foldfit/chem/ccd.hpp"
#include "foldfit/common/error.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace foldfit;
  static const Ccd base;
  const std::string text(fuzz::as_text(data, size));
  std::vector<Component> parsed;
  try {
    parsed = parse_components_cif(text, "fuzz.cif");
    for (const Component& c : parsed) fuzz::check(c.heavy_atoms >= 0, "negative atom count");
  } catch (const InputError&) {
  }
  try {
    Ccd ccd = Ccd::overlay(base, text, "fuzz.cif");
    for (const Component& c : parsed) fuzz::check(ccd.find(c.code) != nullptr, "a parsed component is not found");
    ccd.find("ALA");
  } catch (const InputError&) {
  }
  return 0;
}
