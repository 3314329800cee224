// The streaming JSON reader: values, positions, summaries and errors, across chunk sizes.
#include <gtest/gtest.h>

#include "foldfit/input/json.hpp"

namespace foldfit::json {
namespace {

ParseOptions chunked(std::size_t bytes, std::vector<std::string> summarise = {}) {
  ParseOptions o;
  o.chunk_bytes = bytes;
  o.summarise_keys = std::move(summarise);
  return o;
}

std::string error_of(std::string_view text, ParseOptions o = {}) {
  try {
    parse_string(text, o);
  } catch (const ParseError& e) {
    return std::to_string(e.position().line) + ":" + std::to_string(e.position().column) + ": " + e.message();
  }
  return "";
}

TEST(Json, ValuesAndPositions) {
  const char* text = "{\n  \"a\": [1, -2.5e3, true, false, null],\n  \"b\": \"x\\u00e9\\ud83d\\ude00\"\n}";
  for (std::size_t chunk : {16, 17, 31, 1 << 20}) {
    Document d = parse_string(text, chunked(chunk));
    const Value* a = d.root.find("a");
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->items.size(), 5u);
    EXPECT_EQ(a->items[0].as_int64(), 1);
    EXPECT_DOUBLE_EQ(a->items[1].as_double(), -2500.0);
    EXPECT_FALSE(a->items[1].as_int64());
    EXPECT_TRUE(a->items[2].boolean);
    EXPECT_TRUE(a->items[4].is_null());
    EXPECT_EQ(a->pos.line, 2u);
    EXPECT_EQ(a->pos.column, 8u);
    EXPECT_EQ(d.root.find("b")->text, "x\xc3\xa9\xf0\x9f\x98\x80");
    EXPECT_EQ(d.root.find_member("b")->key_pos.line, 3u);
  }
}

TEST(Json, SummarisedStringsCountA3mRowsAcrossChunks) {
  std::string msa = ">query\\nMKV\\n";
  for (int i = 0; i < 500; ++i) msa += ">hit" + std::to_string(i) + "\\nMK-V\\n";
  std::string text = "{\"unpairedMsa\": \"" + msa + "\", \"other\": \">a\\n>b\"}";
  for (std::size_t chunk : {16, 23, 64, 4096}) {
    Document d = parse_string(text, chunked(chunk, {"unpairedMsa"}));
    const Value* v = d.root.find("unpairedMsa");
    EXPECT_TRUE(v->summarised);
    EXPECT_EQ(v->header_lines, 501u);
    EXPECT_LE(v->text.size(), kSummaryPrefix);
    EXPECT_EQ(v->text.substr(0, 7), ">query\n");
    const Value* o = d.root.find("other");
    EXPECT_FALSE(o->summarised);
    EXPECT_EQ(o->text, ">a\n>b");
    EXPECT_EQ(o->header_lines, 2u);
  }
}

// The string scanner works 16 or 64 bytes at a time and handles the common escapes in
// place; every kind of byte it stops at, at every offset around those widths and across
// buffer ends, must give the same text, length, header count and error position.
TEST(Json, StringSpecialsAtEveryOffsetAndChunkEnd) {
  struct Case {
    std::string raw;      // as written in the JSON text
    std::string decoded;  // "" for an error
    std::string error;    // message after "1:<col>: ", col computed below
    int error_col_delta;  // error column relative to the special's first byte (1-based), or
                          // -1 for the string's opening quote
  };
  const std::vector<Case> cases = {
      {"\\n>h", "\n>h", "", 0},
      {"\\\"", "\"", "", 0},
      {"\\\\", "\\", "", 0},
      {"\\/\\b\\f\\r\\t", "/\b\f\r\t", "", 0},
      {"\\u00e9", "\xc3\xa9", "", 0},
      {"\\ud83d\\ude00", "\xf0\x9f\x98\x80", "", 0},
      {"\xc3\xa9", "\xc3\xa9", "", 0},
      {"\\q", "", "invalid escape '\\q' in string", -1},
      {"\\udc00", "", "unpaired UTF-16 surrogate in \\u escape", -1},
      {"\x01", "", "control character byte 0x01 inside a string (newlines must be written as \\n)", 0},
      {"\x80", "", "invalid UTF-8 byte 0x80 in string", 0},
  };
  for (const Case& c : cases) {
    for (std::size_t before : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129}) {
      std::string a(before, 'a');
      std::string text = "{\"m\": \"" + a + c.raw + std::string(70, 'b') + "\"}";
      for (std::size_t chunk : {16, 17, 64, 100, 1 << 20}) {
        SCOPED_TRACE(c.raw + " after " + std::to_string(before) + " bytes, chunk " + std::to_string(chunk));
        if (c.error.empty()) {
          Document d = parse_string(text, chunked(chunk, {"m"}));
          const Value* m = d.root.find("m");
          std::string full = a + c.decoded + std::string(70, 'b');
          EXPECT_EQ(m->length, full.size());
          EXPECT_EQ(m->text, full.substr(0, std::min(full.size(), kSummaryPrefix)));
          EXPECT_EQ(m->header_lines, c.raw == "\\n>h" ? 1u : 0u);
          Document kept = parse_string(text, chunked(chunk));
          EXPECT_EQ(kept.root.find("m")->text, full);
        } else {
          // The string opens at column 7; its text starts at column 8.
          std::size_t col = c.error_col_delta < 0 ? 7 : 8 + before + static_cast<std::size_t>(c.error_col_delta);
          EXPECT_EQ(error_of(text, chunked(chunk, {"m"})), "1:" + std::to_string(col) + ": " + c.error);
        }
      }
    }
  }
}

// Past its prefix a summarised string is counted, not kept, and long runs of A3M text
// take a block-wise path; its length, header count and errors must match what the
// reader finds when it keeps the whole text.
TEST(Json, SummarisedStringsCountWhatKeptStringsHold) {
  const std::vector<std::string> pieces = {"A", "a", "-", "MKVLA", "\\n", "\\n>", ">", "\\n\\n", "\\\"",
                                           "\\\\", "\\\\n", "\\/", "\\u00e9", "\xc3\xa9", "\\t"};
  const std::vector<std::string> faults = {"\x01", "\\x", "\xff", "\\ud800"};
  std::uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  for (int round = 0; round < 300; ++round) {
    std::string raw;
    std::size_t target = 200 + next() % 1800;
    bool faulty = round % 5 == 4;
    std::size_t fault_at = 300 + next() % 1500;  // past the prefix, between two pieces
    // Mostly A3M-like text: long residue runs between \n, with the odd other piece.
    while (raw.size() < target || (faulty && fault_at != 0)) {
      if (faulty && fault_at != 0 && raw.size() >= fault_at) {
        raw += faults[next() % faults.size()];
        fault_at = 0;
      }
      std::uint32_t r = next() % 100;
      if (r < 60) raw += std::string(1 + next() % 90, "ACDEFGHIKLMNPQRSTVWY-"[next() % 21]);
      else if (r < 80) raw += "\\n>";
      else raw += pieces[next() % pieces.size()];
    }
    std::string text = "{\"m\": \"" + raw + "\"}";
    for (std::size_t chunk : {16, 64, 100, 4096, 1 << 20}) {
      SCOPED_TRACE("round " + std::to_string(round) + ", chunk " + std::to_string(chunk));
      if (faulty) {
        std::string kept_error = error_of(text, chunked(chunk));
        EXPECT_NE(kept_error, "");
        EXPECT_EQ(error_of(text, chunked(chunk, {"m"})), kept_error);
        continue;
      }
      Document whole = parse_string(text, chunked(chunk));
      const Value* kept = whole.root.find("m");
      Document d = parse_string(text, chunked(chunk, {"m"}));
      const Value* m = d.root.find("m");
      std::uint64_t headers = 0;
      for (std::size_t i = 0; i < kept->text.size(); ++i)
        if (kept->text[i] == '>' && (i == 0 || kept->text[i - 1] == '\n')) ++headers;
      EXPECT_EQ(kept->header_lines, headers);
      EXPECT_EQ(m->header_lines, headers);
      EXPECT_EQ(m->length, kept->text.size());
      EXPECT_LE(m->text.size(), kSummaryPrefix);
      EXPECT_EQ(m->text, kept->text.substr(0, m->text.size()));
    }
  }
}

TEST(Json, DuplicateKeysWarnAndKeepTheLast) {
  Document d = parse_string("{\"a\": 1,\n \"a\": 2}");
  EXPECT_EQ(d.root.members.size(), 1u);
  EXPECT_EQ(d.root.find("a")->as_int64(), 2);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].message, "duplicate member 'a' (first at line 1); the last one is used, as AlphaFold 3 does");
  EXPECT_EQ(d.warnings[0].pos.line, 2u);
}

TEST(Json, Errors) {
  EXPECT_EQ(error_of(""), "1:1: empty file: expected a JSON value");
  EXPECT_EQ(error_of("{\"a\": 1"), "1:8: expected ',' or '}' in object, found end of file");
  EXPECT_EQ(error_of("{\"a\": \"x"), "1:7: unterminated string");
  EXPECT_EQ(error_of("[1, 2,]"), "1:7: trailing comma before ']'");
  EXPECT_EQ(error_of("{\"a\": 01}"), "1:7: numbers must not have leading zeros");
  EXPECT_EQ(error_of("[NaN]"), "1:2: NaN and Infinity are not valid JSON numbers");
  EXPECT_EQ(error_of("{\"a\": \"x\ny\"}"), "1:9: control character byte 0x0a inside a string (newlines must be written as \\n)");
  EXPECT_EQ(error_of("[\"\\q\"]"), "1:2: invalid escape '\\q' in string");
  EXPECT_EQ(error_of("[\"\\ud800\"]"), "1:2: unpaired UTF-16 surrogate in \\u escape");
  EXPECT_EQ(error_of("[\"\xff\"]"), "1:3: invalid UTF-8 byte 0xff in string");
  EXPECT_EQ(error_of("\xEF\xBB\xBF{}"),
            "1:1: file starts with a UTF-8 byte-order mark, which AlphaFold 3's JSON reader rejects; save the file "
            "without it");
  EXPECT_EQ(error_of("{} x"), "1:4: unexpected 'x' after the JSON value");
  EXPECT_EQ(error_of("[tru]"), "1:2: invalid literal: expected 'true'");
  EXPECT_EQ(error_of("{\n\n  \"a\" 1}"), "3:7: expected ':' after the member name");
}

TEST(Json, DepthLimit) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_EQ(error_of(deep), "1:129: nesting deeper than 128 levels");
  ParseOptions o;
  o.max_depth = 300;
  EXPECT_EQ(error_of(deep, o), "");
}

TEST(Json, CrlfLineEndingsCountLines) {
  Document d = parse_string("{\r\n\"a\":\r\n 1}");
  EXPECT_EQ(d.root.find("a")->pos.line, 3u);
  EXPECT_EQ(d.root.find("a")->pos.column, 2u);
}

}  // namespace
}  // namespace foldfit::json
