// Fuzz target: the AlphaFold 3 log scanner. Any bytes, split into lines, must be scanned
// without crashing; byte figures it reports must be non-negative.
#include "foldfit/run/af3_log.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace foldfit;
  std::string_view text = fuzz::as_text(data, size);
  Af3LogScanner scanner;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    scanner.feed(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  if (auto peak = scanner.peak_lower_bound()) fuzz::check(peak->count() >= 0, "negative peak lower bound");
  (void)parse_byte_figure(text);
  return 0;
}
