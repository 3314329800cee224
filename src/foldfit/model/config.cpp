#include "foldfit/model/config.hpp"

#include <cctype>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

// Reads "((2048, None), (None, 1024))": a tuple of 2-tuples of integers or None.
class SpecReader {
 public:
  explicit SpecReader(const std::string& text) : text_(text) {}

  SizeSpec read() {
    SizeSpec spec;
    expect('(');
    while (!peek(')')) {
      expect('(');
      auto bound = value();
      expect(',');
      auto size = value();
      if (peek(',')) ++pos_;
      expect(')');
      spec.entries.emplace_back(bound, size);
      if (!peek(')')) expect(',');
    }
    expect(')');
    skip();
    if (pos_ != text_.size()) fail("unexpected text after the closing ')'");
    if (spec.entries.empty()) fail("empty spec");
    return spec;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError("bad size spec '" + text_ + "': " + what +
                     " (expected Python tuple syntax, e.g. ((2048, None), (None, 1024)))");
  }
  void skip() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool peek(char c) {
    skip();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
    ++pos_;
  }
  std::optional<std::int64_t> value() {
    skip();
    if (text_.compare(pos_, 4, "None") == 0) {
      pos_ += 4;
      return std::nullopt;
    }
    std::int64_t v = 0;
    std::size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
      if (v > 1'000'000'000) fail("number too large");
      v = v * 10 + (text_[pos_++] - '0');
    }
    if (pos_ == start) fail("expected an integer or None at offset " + std::to_string(pos_));
    if (v == 0) fail("sizes must be positive");
    return v;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
};

std::string show(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "None"; }

}  // namespace

SizeSpec SizeSpec::parse(const std::string& text) { return SpecReader(text).read(); }

std::string SizeSpec::to_string() const {
  std::string out = "(";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i) out += ", ";
    out += "(" + show(entries[i].first) + ", " + show(entries[i].second) + ")";
  }
  // A one-element tuple needs its comma in Python: ((None, 64)) is just (None, 64).
  return out + (entries.size() == 1 ? ",)" : ")");
}

// As AlphaFold 3's modules.get_shard_size: the first entry whose bound is None or >= n;
// past every bound, the last entry's value.
std::optional<std::int64_t> SizeSpec::value_for(std::int64_t n) const {
  std::optional<std::int64_t> value;
  for (const auto& [bound, size] : entries) {
    value = size;
    if (!bound || n <= *bound) break;
  }
  return value;
}

SizeSpec default_pair_transition_shard_spec() { return {{{2048, std::nullopt}, {std::nullopt, 1024}}}; }
SizeSpec default_pair_attention_chunk_size() { return {{{1536, 128}, {std::nullopt, 32}}}; }

}  // namespace foldfit
