// json.hpp - a streaming JSON reader that builds a located value tree in bounded memory.
//
// AlphaFold 3 data JSONs carry MSAs and template mmCIFs inline and can be hundreds of
// megabytes. foldfit never needs their text, only their size and row count, so the
// reader streams the file in fixed-size chunks and, for the member names it is told to
// summarise, keeps only a short prefix, the length and the number of A3M header lines.
// Every value keeps its line and column, so validation errors can point at the source.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace foldfit::json {

struct Position {
  std::uint64_t offset = 0;  // byte offset in the file
  std::uint32_t line = 1;    // 1-based
  std::uint32_t column = 1;  // 1-based, in bytes
};

enum class Type : std::uint8_t { null, boolean, number, string, array, object };

std::string_view type_name(Type t);

struct Member;

// One JSON value. Strings hold their decoded UTF-8 text; numbers keep the literal text
// so that integers of any size are checked exactly. A summarised string keeps at most
// `kSummaryPrefix` bytes of text plus its full decoded length and its count of lines
// starting with '>' (A3M sequence headers).
struct Value {
  Type type = Type::null;
  Position pos;
  bool boolean = false;
  std::string text;
  bool summarised = false;
  std::uint64_t length = 0;        // decoded length of a string, summarised or not
  std::uint64_t header_lines = 0;  // lines starting with '>' in a string
  std::vector<Value> items;        // array elements
  std::vector<Member> members;     // object members, in file order (duplicates removed)

  bool is_null() const { return type == Type::null; }
  bool is_string() const { return type == Type::string; }
  bool is_number() const { return type == Type::number; }
  bool is_array() const { return type == Type::array; }
  bool is_object() const { return type == Type::object; }

  // Member lookup; nullptr when absent.
  const Value* find(std::string_view key) const;
  const Member* find_member(std::string_view key) const;

  // The number as an exact integer, if the literal is an integer that fits.
  std::optional<std::int64_t> as_int64() const;
  // The number as a double (any numeric literal); out-of-range literals give +-inf or +-0.
  double as_double() const;
};

struct Member {
  std::string key;
  Position key_pos;
  Value value;
};

inline constexpr std::size_t kSummaryPrefix = 256;

struct ParseOptions {
  // Object member names whose string values are summarised rather than kept.
  std::vector<std::string> summarise_keys;
  // Deepest nesting of arrays and objects accepted.
  int max_depth = 128;
  // Most values (of any type) in one document. Each costs about 150 bytes, so this
  // bounds the tree at about 600 MB whatever the file holds. A real input stays far
  // below: a 100,000-token job with 4 templates per residue indexed twice is 800,000.
  std::uint64_t max_values = std::uint64_t{1} << 22;
  // Read-buffer size; the reader holds about this much of the file at once.
  std::size_t chunk_bytes = std::size_t{1} << 20;
};

struct ParseWarning {
  Position pos;
  std::string message;
};

struct Document {
  Value root;
  std::vector<ParseWarning> warnings;
  std::uint64_t bytes = 0;  // size of the text read
};

// A syntax error, with the position it was found at.
class ParseError : public std::exception {
 public:
  ParseError(Position pos, std::string message);
  const char* what() const noexcept override { return message_.c_str(); }
  const Position& position() const { return pos_; }
  const std::string& message() const { return message_; }

 private:
  Position pos_;
  std::string message_;
};

// Reads the JSON text produced by `read`, a function that fills up to n bytes of its
// buffer and returns how many it wrote (0 at the end). Throws ParseError on bad syntax
// and whatever `read` throws on I/O errors.
using ReadFn = std::function<std::size_t(char* buf, std::size_t n)>;
Document parse(const ReadFn& read, const ParseOptions& options = {});

// Convenience: parse a string held in memory.
Document parse_string(std::string_view text, const ParseOptions& options = {});

}  // namespace foldfit::json
