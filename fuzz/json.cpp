// Fuzz target: the streaming JSON reader. Any bytes must give a tree or a ParseError,
// and the outcome must not depend on where the read chunks happen to end.
#include <fmt/format.h>

#include "foldfit/input/input.hpp"
#include "foldfit/input/json.hpp"
#include "fuzz_util.hpp"

namespace {

using namespace foldfit;

void describe(const json::Value& v, std::string& out) {
  out += fmt::format("{}@{}:{}:{}[{}|{}|{}|{}|{}]", json::type_name(v.type), v.pos.offset, v.pos.line, v.pos.column,
                     v.boolean, v.text, v.summarised, v.length, v.header_lines);
  for (const json::Value& item : v.items) describe(item, out);
  for (const json::Member& m : v.members) {
    out += fmt::format("<{}@{}:{}>", m.key, m.key_pos.line, m.key_pos.column);
    describe(m.value, out);
  }
  out += ';';
}

// Everything observable about one parse, as text.
std::string outcome(std::string_view text, const json::ParseOptions& options) {
  try {
    json::Document doc = json::parse_string(text, options);
    std::string out = fmt::format("ok {} bytes;", doc.bytes);
    for (const json::ParseWarning& w : doc.warnings) out += fmt::format("warn {}:{} {};", w.pos.line, w.pos.column, w.message);
    describe(doc.root, out);
    return out;
  } catch (const json::ParseError& e) {
    return fmt::format("error {}:{}:{} {}", e.position().offset, e.position().line, e.position().column, e.message());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = foldfit::fuzz::as_text(data, size);
  json::ParseOptions whole;
  whole.summarise_keys = summarised_members();
  whole.max_depth = 32;  // keeps deep inputs cheap; the limit itself is what is tested
  whole.max_values = 20000;
  json::ParseOptions chunked = whole;
  chunked.chunk_bytes = 16 + size % 23;  // the smallest chunks, so every boundary case is met
  foldfit::fuzz::check(outcome(text, whole) == outcome(text, chunked), "parse depends on chunk boundaries");
  return 0;
}
