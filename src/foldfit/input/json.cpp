// json.cpp - streaming JSON reader (see json.hpp).
//
// Strictness follows RFC 8259 as Python's json module applies it to AlphaFold 3 inputs:
// control characters in strings, invalid UTF-8, trailing commas, comments, NaN and
// leading zeros are errors. Duplicate member names are accepted with a warning and the
// last one wins, as Python does.
#include "foldfit/input/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <unordered_map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FOLDFIT_JSON_AVX2 1
#endif

namespace foldfit::json {

std::string_view type_name(Type t) {
  switch (t) {
    case Type::null: return "null";
    case Type::boolean: return "boolean";
    case Type::number: return "number";
    case Type::string: return "string";
    case Type::array: return "array";
    case Type::object: return "object";
  }
  return "?";
}

ParseError::ParseError(Position pos, std::string message) : pos_(pos), message_(std::move(message)) {}

const Member* Value::find_member(std::string_view key) const {
  for (const Member& m : members)
    if (m.key == key) return &m;
  return nullptr;
}

const Value* Value::find(std::string_view key) const {
  const Member* m = find_member(key);
  return m ? &m->value : nullptr;
}

std::optional<std::int64_t> Value::as_int64() const {
  if (type != Type::number) return std::nullopt;
  std::int64_t v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc{} || ptr != last) return std::nullopt;
  return v;
}

double Value::as_double() const {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  // Out of range: from_chars leaves v unchanged, which would read 1e400 as 0.
  if (ec == std::errc::result_out_of_range) {
    std::size_t e = text.find_first_of("eE");
    bool tiny = e != std::string::npos && e + 1 < text.size() && text[e + 1] == '-';
    double mag = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    return !text.empty() && text[0] == '-' ? -mag : mag;
  }
  return v;
}

namespace {

// Position of the first byte in [p, e) that is '"', '\\', a control character or non-ASCII.
// Strings are most of a data JSON (MSAs, template mmCIFs), so this loop is the reader's
// speed: 16 bytes a step with SSE2, 64 with AVX2 where the CPU has it (chosen at run
// time; the build targets generic x86-64), bytewise elsewhere and for the last few bytes.
const char* scan_plain_portable(const char* p, const char* e) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (e - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so this catches them and 0x00-0x1f.
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmplt_epi8(v, space));
    int mask = _mm_movemask_epi8(special);
    if (mask) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p < e; ++p) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
  }
  return e;
}

#if defined(FOLDFIT_JSON_AVX2)
// 0xff in each byte of the 32 at p that scan_plain stops at (signed compare: bytes >= 0x80
// are negative, so "below space" catches them and 0x00-0x1f).
__attribute__((target("avx2"))) inline __m256i special_avx2(const char* p) {
  __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  return _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')),
                                         _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))),
                         _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v));
}

__attribute__((target("avx2"))) const char* scan_plain_avx2(const char* p, const char* e) {
  while (e - p >= 64) {
    __m256i a = special_avx2(p);
    __m256i b = special_avx2(p + 32);
    if (!_mm256_testz_si256(_mm256_or_si256(a, b), _mm256_or_si256(a, b))) {
      std::uint64_t mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(a)) |
                           (static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(b))) << 32);
      return p + __builtin_ctzll(mask);
    }
    p += 64;
  }
  while (e - p >= 32) {
    auto mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(special_avx2(p)));
    if (mask) return p + __builtin_ctz(mask);
    p += 32;
  }
  return scan_plain_portable(p, e);  // the last 31 bytes or fewer
}
#endif

// Past a summarised string's prefix nothing is kept, so an MSA's A3M text (a \n every
// few hundred bytes, nothing else to decode) is taken 64 bytes at a time without
// returning to the caller per line: a block whose only special bytes are backslashes
// each starting a \n inside the block adds its decoded length (64 less one per \n) and
// its header lines ('>' after \n, or at its first byte where a line starts there).
// Stops at the first block that holds anything else (a quote, another escape, a control
// character, non-ASCII, a backslash at its last byte; the caller takes that block the
// general way, so errors and their positions are the general path's) or that does not
// fit in [p, e). `line_start`: a line starts at p on entry; on return, at the result.
#if defined(FOLDFIT_JSON_AVX2)
__attribute__((target("avx2"))) const char* skip_a3m_avx2(const char* p, const char* e, std::uint64_t& length,
                                                         std::uint64_t& headers, bool& line_start) {
  bool at_line = line_start;
  while (e - p >= 64) {
    if (at_line) {
      if (*p == '>') ++headers;
      at_line = false;
    }
    std::uint64_t special = static_cast<std::uint32_t>(_mm256_movemask_epi8(special_avx2(p))) |
                            (static_cast<std::uint64_t>(static_cast<std::uint32_t>(
                                 _mm256_movemask_epi8(special_avx2(p + 32))))
                             << 32);
    std::uint64_t len = 64, heads = 0;
    bool next_line = false, ok = true;
    while (special) {
      int i = __builtin_ctzll(special);
      if (i == 63 || p[i] != '\\' || p[i + 1] != 'n') {
        ok = false;
        break;
      }
      --len;
      if (i + 2 < 64) heads += p[i + 2] == '>';
      else next_line = true;
      special &= special - 1;
    }
    if (!ok) break;
    length += len;
    headers += heads;
    at_line = next_line;
    p += 64;
  }
  line_start = at_line;
  return p;
}
#endif

using ScanFn = const char* (*)(const char*, const char*);
using SkipFn = const char* (*)(const char*, const char*, std::uint64_t&, std::uint64_t&, bool&);

// The string loops for this CPU, chosen once: AVX2's where it has them.
struct StringKernels {
  ScanFn scan = scan_plain_portable;
  SkipFn skip = nullptr;  // no block path without AVX2
};

StringKernels pick_kernels() {
  StringKernels k;
#if defined(FOLDFIT_JSON_AVX2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) k = {scan_plain_avx2, skip_a3m_avx2};
#endif
  return k;
}

// The byte a two-character escape stands for (\n, \", ...), 0 for the others (\u, invalid).
constexpr std::array<char, 256> kSimpleEscapes = [] {
  std::array<char, 256> t{};
  t['"'] = '"';
  t['\\'] = '\\';
  t['/'] = '/';
  t['b'] = '\b';
  t['f'] = '\f';
  t['n'] = '\n';
  t['r'] = '\r';
  t['t'] = '\t';
  return t;
}();

// Pretty form of a byte for messages.
std::string describe_byte(int c) {
  if (c < 0) return "end of file";
  if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02x}", c & 0xff);
}

class Parser {
 public:
  Parser(const ReadFn& read, const ParseOptions& options)
      : read_(read),
        options_(options),
        buf_(static_cast<char*>(::operator new[](options.chunk_bytes + kPad, std::align_val_t{kBufferAlign}))) {
    static const StringKernels kernels = pick_kernels();
    scan_plain_ = kernels.scan;
    skip_a3m_ = kernels.skip;
  }

  Document run() {
    Document doc;
    warnings_ = &doc.warnings;
    fill();
    if (end_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0)
      fail(here(), "file starts with a UTF-8 byte-order mark, which AlphaFold 3's JSON reader rejects; "
                   "save the file without it");
    skip_ws();
    if (peek() < 0) fail(here(), "empty file: expected a JSON value");
    parse_value(doc.root, 0, false);
    skip_ws();
    if (peek() >= 0) fail(here(), fmt::format("unexpected {} after the JSON value", describe_byte(peek())));
    doc.bytes = base_ + pos_;
    return doc;
  }

 private:
  static constexpr std::size_t kPad = 64;
  static constexpr std::size_t kBufferAlign = 4096;
  static constexpr std::size_t kIndexAbove = 32;  // members before duplicate lookup uses a hash index
  static constexpr std::size_t kMaxNumber = 4096; // longest number literal accepted

  // ---- buffer -------------------------------------------------------------------

  bool fill() {
    if (eof_) return false;
    base_ += pos_;
    std::size_t keep = end_ - pos_;
    if (keep) std::memmove(buf_.get(), buf_.get() + pos_, keep);
    pos_ = 0;
    end_ = keep;
    while (end_ < options_.chunk_bytes) {
      std::size_t n = read_(buf_.get() + end_, options_.chunk_bytes - end_);
      if (n == 0) {
        eof_ = true;
        break;
      }
      end_ += n;
    }
    return end_ > keep;
  }

  int peek() {
    if (pos_ == end_ && !fill()) return -1;
    return static_cast<unsigned char>(buf_[pos_]);
  }

  int get() {
    int c = peek();
    if (c >= 0) ++pos_;
    return c;
  }

  Position here() const {
    Position p;
    p.offset = base_ + pos_;
    p.line = line_;
    p.column = static_cast<std::uint32_t>(p.offset - line_start_ + 1);
    return p;
  }

  [[noreturn]] void fail(Position p, std::string message) { throw ParseError(p, std::move(message)); }

  // ---- whitespace ---------------------------------------------------------------

  void skip_ws() {
    for (;;) {
      int c = peek();
      if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = base_ + pos_;
      } else {
        return;
      }
    }
  }

  void expect_literal(std::string_view word, Position start) {
    for (char want : word) {
      int c = get();
      if (c != static_cast<unsigned char>(want))
        fail(start, fmt::format("invalid literal: expected '{}'", word));
    }
  }

  // ---- values -------------------------------------------------------------------

  void parse_value(Value& v, int depth, bool summarise) {
    v.pos = here();
    if (++values_ > options_.max_values)
      fail(v.pos, fmt::format("more than {} JSON values; this is not an AlphaFold 3 input", options_.max_values));
    int c = peek();
    switch (c) {
      case '{': return parse_object(v, depth + 1);
      case '[': return parse_array(v, depth + 1);
      case '"':
        v.type = Type::string;
        return parse_string(v, summarise);
      case 't':
        v.type = Type::boolean;
        v.boolean = true;
        return expect_literal("true", v.pos);
      case 'f':
        v.type = Type::boolean;
        return expect_literal("false", v.pos);
      case 'n':
        v.type = Type::null;
        return expect_literal("null", v.pos);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return parse_number(v);
        if (c == 'N' || c == 'I')
          fail(v.pos, "NaN and Infinity are not valid JSON numbers");
        fail(v.pos, fmt::format("expected a JSON value, found {}", describe_byte(c)));
    }
  }

  void check_depth(int depth, Position p) {
    if (depth > options_.max_depth)
      fail(p, fmt::format("nesting deeper than {} levels", options_.max_depth));
  }

  void parse_object(Value& v, int depth) {
    check_depth(depth, v.pos);
    v.type = Type::object;
    get();  // '{'
    skip_ws();
    if (peek() == '}') {
      get();
      return;
    }
    // Objects in AlphaFold 3 inputs have a handful of members; a hostile one with
    // millions must not make duplicate detection quadratic, so large ones get an index.
    std::unordered_map<std::string, std::size_t> index;
    for (;;) {
      skip_ws();
      Position key_pos = here();
      if (peek() != '"') fail(key_pos, fmt::format("expected a member name in double quotes, found {}", describe_byte(peek())));
      Value key;
      key.type = Type::string;
      parse_string(key, false);
      skip_ws();
      if (peek() != ':') fail(here(), "expected ':' after the member name");
      get();
      skip_ws();
      bool summarise = std::find(options_.summarise_keys.begin(), options_.summarise_keys.end(), key.text) !=
                       options_.summarise_keys.end();
      Member m;
      m.key = std::move(key.text);
      m.key_pos = key_pos;
      parse_value(m.value, depth, summarise);
      auto dup = v.members.end();
      if (v.members.size() < kIndexAbove) {
        dup = std::find_if(v.members.begin(), v.members.end(), [&](const Member& o) { return o.key == m.key; });
      } else {
        if (index.empty())
          for (std::size_t i = 0; i < v.members.size(); ++i) index.emplace(v.members[i].key, i);
        if (auto it = index.find(m.key); it != index.end()) dup = v.members.begin() + static_cast<std::ptrdiff_t>(it->second);
      }
      if (dup != v.members.end()) {
        warnings_->push_back({key_pos, fmt::format("duplicate member '{}' (first at line {}); the last one is used, "
                                                   "as AlphaFold 3 does",
                                                   m.key, dup->key_pos.line)});
        dup->value = std::move(m.value);
        dup->key_pos = key_pos;
      } else {
        if (!index.empty()) index.emplace(m.key, v.members.size());
        v.members.push_back(std::move(m));
      }
      skip_ws();
      int c = peek();
      if (c != ',' && c != '}') fail(here(), fmt::format("expected ',' or '}}' in object, found {}", describe_byte(c)));
      get();
      if (c == '}') return;
      skip_ws();
      if (peek() == '}') fail(here(), "trailing comma before '}'");
    }
  }

  void parse_array(Value& v, int depth) {
    check_depth(depth, v.pos);
    v.type = Type::array;
    get();  // '['
    skip_ws();
    if (peek() == ']') {
      get();
      return;
    }
    for (;;) {
      skip_ws();
      v.items.emplace_back();
      parse_value(v.items.back(), depth, false);
      skip_ws();
      int c = peek();
      if (c != ',' && c != ']') fail(here(), fmt::format("expected ',' or ']' in array, found {}", describe_byte(c)));
      get();
      if (c == ']') return;
      skip_ws();
      if (peek() == ']') fail(here(), "trailing comma before ']'");
    }
  }

  void parse_number(Value& v) {
    v.type = Type::number;
    std::string& t = v.text;
    auto digits = [&] {
      std::size_t n = 0;
      while (peek() >= '0' && peek() <= '9') {
        // Checked while reading, so a gigabyte of digits is not buffered first.
        if (t.size() >= kMaxNumber) fail(v.pos, fmt::format("number literal longer than {} characters", kMaxNumber));
        t.push_back(static_cast<char>(get()));
        ++n;
      }
      return n;
    };
    if (peek() == '-') t.push_back(static_cast<char>(get()));
    if (peek() == '0') {
      t.push_back(static_cast<char>(get()));
      if (peek() >= '0' && peek() <= '9') fail(v.pos, "numbers must not have leading zeros");
    } else if (digits() == 0) {
      fail(v.pos, "invalid number: expected a digit");
    }
    if (peek() == '.') {
      t.push_back(static_cast<char>(get()));
      if (digits() == 0) fail(v.pos, "invalid number: expected a digit after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      t.push_back(static_cast<char>(get()));
      if (peek() == '+' || peek() == '-') t.push_back(static_cast<char>(get()));
      if (digits() == 0) fail(v.pos, "invalid number: expected a digit in the exponent");
    }
  }

  // ---- strings ------------------------------------------------------------------

  // Writes cp as UTF-8 to out (room for 4 bytes); returns the length.
  static std::size_t encode_utf8(char* out, std::uint32_t cp) {
    if (cp < 0x80) {
      out[0] = static_cast<char>(cp);
      return 1;
    }
    if (cp < 0x800) {
      out[0] = static_cast<char>(0xC0 | (cp >> 6));
      out[1] = static_cast<char>(0x80 | (cp & 0x3F));
      return 2;
    }
    if (cp < 0x10000) {
      out[0] = static_cast<char>(0xE0 | (cp >> 12));
      out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out[2] = static_cast<char>(0x80 | (cp & 0x3F));
      return 3;
    }
    out[0] = static_cast<char>(0xF0 | (cp >> 18));
    out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
  }

  std::uint32_t read_hex4(Position start) {
    std::uint32_t cp = 0;
    for (int i = 0; i < 4; ++i) {
      int c = get();
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else fail(start, "invalid \\u escape: expected 4 hexadecimal digits");
      cp = cp * 16 + static_cast<std::uint32_t>(d);
    }
    return cp;
  }

  // Decodes one escape after the backslash; returns the code point.
  std::uint32_t read_escape(Position start) {
    int c = get();
    switch (c) {
      case '"': return '"';
      case '\\': return '\\';
      case '/': return '/';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'u': {
        std::uint32_t cp = read_hex4(start);
        if (cp >= 0xD800 && cp < 0xDC00) {
          // Python accepts lone surrogates in \u escapes; foldfit needs valid text.
          if (get() != '\\' || get() != 'u') fail(start, "unpaired UTF-16 surrogate in \\u escape");
          std::uint32_t lo = read_hex4(start);
          if (lo < 0xDC00 || lo > 0xDFFF) fail(start, "unpaired UTF-16 surrogate in \\u escape");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          fail(start, "unpaired UTF-16 surrogate in \\u escape");
        }
        return cp;
      }
      default:
        fail(start, fmt::format("invalid escape '\\{}' in string", c < 0 ? ' ' : static_cast<char>(c)));
    }
  }

  // Validates one multi-byte UTF-8 sequence whose lead byte is at pos_; returns its length.
  std::size_t read_utf8(char* out, Position start) {
    int lead = get();
    int need;
    std::uint32_t cp;
    if (lead >= 0xC2 && lead <= 0xDF) { need = 1; cp = lead & 0x1F; }
    else if (lead >= 0xE0 && lead <= 0xEF) { need = 2; cp = lead & 0x0F; }
    else if (lead >= 0xF0 && lead <= 0xF4) { need = 3; cp = lead & 0x07; }
    else fail(start, fmt::format("invalid UTF-8 {} in string", describe_byte(lead)));
    out[0] = static_cast<char>(lead);
    for (int i = 1; i <= need; ++i) {
      int c = get();
      if (c < 0x80 || c > 0xBF) fail(start, "invalid UTF-8 sequence in string");
      out[i] = static_cast<char>(c);
      cp = (cp << 6) | static_cast<std::uint32_t>(c & 0x3F);
    }
    if ((need == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
      fail(start, "invalid UTF-8 sequence in string");
    return static_cast<std::size_t>(need + 1);
  }

  void parse_string(Value& v, bool summarise) {
    Position start = here();
    get();  // opening quote
    v.summarised = summarise;
    std::string& out = v.text;
    std::uint64_t length = 0;
    std::uint64_t headers = 0;
    bool line_start = true;
    bool full = false;  // summary prefix complete: nothing after it is kept
    // Keeps text while it fits the summary prefix. ASCII runs may be cut anywhere; an
    // escape or a multi-byte character that does not fit ends the prefix, so the prefix
    // is always a true prefix of the text.
    auto keep = [&](const char* p, std::size_t k, bool divisible) {
      if (full) return;
      std::size_t room = summarise ? kSummaryPrefix - out.size() : k;
      if (k <= room) {
        out.append(p, k);
        return;
      }
      if (divisible) out.append(p, room);
      full = true;
    };
    for (;;) {
      if (pos_ == end_ && !fill()) fail(start, "unterminated string");
      const char* b = buf_.get() + pos_;
      if (line_start) {
        if (*b == '>') ++headers;
        line_start = false;
      }
      if (full && skip_a3m_) {
        const char* s = skip_a3m_(b, buf_.get() + end_, length, headers, line_start);
        pos_ += static_cast<std::size_t>(s - b);
        if (line_start) continue;  // counted at the top, after a refill if need be
        b = s;
      }
      const char* hit = scan_plain_(b, buf_.get() + end_);
      std::size_t n = static_cast<std::size_t>(hit - b);
      if (n) {
        keep(b, n, true);
        length += n;
        pos_ += n;
      }
      if (pos_ == end_) continue;
      unsigned char c = static_cast<unsigned char>(buf_[pos_]);
      if (c == '"') {
        ++pos_;
        break;
      }
      if (c == '\\') {
        // The common escapes (an A3M line ends in \n every few hundred bytes) in place;
        // \u, an invalid escape or one split by the buffer's end take the general path.
        if (pos_ + 1 < end_) {
          char d = kSimpleEscapes[static_cast<unsigned char>(buf_[pos_ + 1])];
          if (d) {
            pos_ += 2;
            keep(&d, 1, false);
            ++length;
            if (d == '\n') line_start = true;
            continue;
          }
        }
        ++pos_;
        std::uint32_t cp = read_escape(start);
        char tmp[4];
        std::size_t k = encode_utf8(tmp, cp);
        keep(tmp, k, false);
        length += k;
        if (cp == '\n') line_start = true;
      } else if (c < 0x20) {
        fail(here(), fmt::format("control character {} inside a string (newlines must be written as \\n)",
                                 describe_byte(c)));
      } else {
        char tmp[4];
        std::size_t k = read_utf8(tmp, here());
        keep(tmp, k, false);
        length += k;
      }
    }
    v.length = length;
    v.header_lines = headers;
  }

  const ReadFn& read_;
  const ParseOptions& options_;
  ScanFn scan_plain_ = nullptr;
  SkipFn skip_a3m_ = nullptr;
  // Page-aligned: the kernel's copy in read() into a buffer at a page's 16th byte (where
  // malloc puts a fresh 1 MiB block) was a third slower on this project's machine,
  // and that copy is most of the reader's time on a large file.
  struct FreeBuffer {
    void operator()(char* p) const { ::operator delete[](p, std::align_val_t{kBufferAlign}); }
  };
  std::unique_ptr<char[], FreeBuffer> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t base_ = 0;  // file offset of buf_[0]
  bool eof_ = false;
  std::uint32_t line_ = 1;
  std::uint64_t line_start_ = 0;  // file offset of the current line's first byte
  std::vector<ParseWarning>* warnings_ = nullptr;
  std::uint64_t values_ = 0;
};

}  // namespace

Document parse(const ReadFn& read, const ParseOptions& options) {
  if (options.chunk_bytes < 16) throw std::invalid_argument("json::ParseOptions::chunk_bytes must be >= 16");
  return Parser(read, options).run();
}

Document parse_string(std::string_view text, const ParseOptions& options) {
  std::size_t at = 0;
  ReadFn read = [&](char* buf, std::size_t n) {
    std::size_t k = std::min(n, text.size() - at);
    std::memcpy(buf, text.data() + at, k);
    at += k;
    return k;
  };
  return parse(read, options);
}

}  // namespace foldfit::json
