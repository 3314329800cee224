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
