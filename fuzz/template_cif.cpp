// Fuzz target: a model mmCIF given to `foldfit template` or `run --stages`, read as
// AlphaFold 3 reads mmCIF. Any text must give a model or an InputError; each chain cut out
// against a query (MKS, the seed's sequence) must read back and still have that chain.
#include <algorithm>

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
    query.sequence = "MKS";
    for (const std::string& chain : model.chains()) {
      ChainTemplate t;
      try {
        t = model.extract(chain, query);
      } catch (const InputError&) {
        continue;
      }
      fuzz::check(t.query_indices.size() == t.template_indices.size(), "query and template indices do not pair up");
      std::vector<std::string> chains;
      try {
        chains = ModelCif(t.mmcif, "written.cif").chains();
      } catch (const InputError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        fuzz::check(false, "a written template does not read back");
      }
      fuzz::check(std::find(chains.begin(), chains.end(), chain) != chains.end(), "the written template lost its chain");
    }
  } catch (const InputError&) {
  }
  return 0;
}
