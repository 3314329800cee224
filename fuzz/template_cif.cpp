// Fuzz target: a model mmCIF given to `foldfit template` or `run --stages`, checked as
// AlphaFold 3 reads it and then read by libcifpp. Any text must give a model or an
// InputError, and extracting each chain against a query must not crash.
#include "foldfit/common/error.hpp"
#include "foldfit/input/template_cif.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace foldfit;
  const std::string text(fuzz::as_text(data, size));
  try {
    ModelCif model(text, "fuzz.cif");
    Entity query;
    query.ids = {"A"};
    query.sequence = "MKVLAAGIV";
    for (const std::string& chain : model.chains()) {
      try {
        ChainTemplate t = model.extract(chain, query);
        fuzz::check(t.query_indices.size() == t.template_indices.size(), "query and template indices do not pair up");
      } catch (const InputError&) {
      }
    }
  } catch (const InputError&) {
  }
  return 0;
}
