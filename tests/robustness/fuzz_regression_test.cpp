// Inputs found by the fuzzers (fuzz/, docs/robustness.md), each kept as a regression test
// with the smallest form that showed the fault.
#include <gtest/gtest.h>

#include "foldfit/chem/ccd.hpp"
#include "foldfit/input/json.hpp"
#include "foldfit/run/af3_log.hpp"
#include "foldfit/sizes/sizes.hpp"

namespace foldfit {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "ok";
}

// fuzz_af3_log, "negative peak lower bound": a figure of 4.9e15 GiB overflowed int64 when
// scaled, and a sum of two large figures when added. Figures above 1 EB are not figures.
TEST(FuzzRegression, HugeLogFiguresGiveNoNegativeBound) {
  Af3LogScanner s;
  s.feed("Sum Total of in-use chunks: 8.00GiB (9000000000000000000 bytes)");
  s.feed("W0000 bfc_allocator.cc:501] Allocator (GPU_0_bfc) ran out of memory trying to allocate 8.00GiB "
         "(rounded to 9000000000000000000)requested by op");
  ASSERT_TRUE(s.peak_lower_bound());
  EXPECT_GE(s.peak_lower_bound()->count(), 0);
  EXPECT_FALSE(parse_byte_figure("4901888000000GiB"));
  Af3LogScanner negative;
  negative.feed("Sum Total of in-use chunks: -5");
  negative.feed("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 10 bytes.");
  EXPECT_EQ(negative.peak_lower_bound(), Bytes(10));
}

// fuzz_ccd, timeout: libcifpp 5.0.7 never returns (and allocates without bound) when a
// byte >= 0x80 follows a loop_ tag. foldfit now refuses non-ASCII mmCIF before parsing.
TEST(FuzzRegression, CcdNonAsciiInLoopDoesNotHang) {
  const std::string cif = "data_LG1\nloop_\n_chem_comp_atom.pdbx_model_Car\x8c\x91_z_qdeal";
  EXPECT_EQ(error_of([&] { parse_components_cif(cif, "user.cif"); }),
            "user.cif:3:31: byte 0x8c in mmCIF text; foldfit reads CIF 1.1, which allows only printable ASCII, tabs "
            "and line ends");
  // The same text as an input's userCCD, through the tokenizer's path.
  Ccd base;
  EXPECT_EQ(error_of([&] { Ccd::overlay(base, "data_X\nloop_\n_a.b \xc3\xa9\n", "job.json (userCCD)"); }),
            "job.json (userCCD):3:6: byte 0xc3 in mmCIF text; foldfit reads CIF 1.1, which allows only printable "
            "ASCII, tabs and line ends");
  EXPECT_EQ(error_of([&] { parse_components_cif(std::string("data_X\n_a.b \0\n", 14), "c.cif"); }),
            "c.cif:2:6: byte 0x00 in mmCIF text; foldfit reads CIF 1.1, which allows only printable ASCII, tabs and "
            "line ends");
}

// fuzz_ccd, out of memory: libcifpp 5.0.7 also loops without end when loop_ is followed
// by a value instead of an item name.
TEST(FuzzRegression, CcdLoopWithoutItemNamesDoesNotHang) {
  EXPECT_EQ(error_of([&] { parse_components_cif("data_LG1\n_a.b 1\nloop_\ncomp_atom.charge\n", "user.cif"); }),
            "user.cif:4:1: loop_ must start with item names (_category.item), found 'comp_atom.charge'");
  EXPECT_EQ(error_of([&] { parse_components_cif("data_X\n# c\nLoop_ # c\n'x y'\n", "user.cif", 100); }),
            "user.cif:103:1: loop_ must start with item names (_category.item), found ''x y''");
  // A comment ends at a lone CR, so the 'e' after it is the loop's first token (column 1:
  // a lone CR starts a new line for columns, as it does for the tokenizer).
  EXPECT_EQ(error_of([&] { parse_components_cif("data_LG1\nloop_\n_chem 0.000\nloop_\n#a_\re", "user.cif"); }),
            "user.cif:5:1: loop_ must start with item names (_category.item), found 'e'");
  // Quoted strings and text fields that merely contain "loop_" are values, not keywords.
  const std::string ok = "data_X\n_chem_comp.id X\n_chem_comp.type 'loop_ x'\n_chem_comp.name\n;loop_\nx\n;\n"
                         "loop_\n_chem_comp_atom.comp_id\n_chem_comp_atom.type_symbol\nX C\nX O\n";
  std::vector<Component> c = parse_components_cif(ok, "user.cif");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].heavy_atoms, 2);
}

// Found while writing the chunk-boundary fuzz property: a multi-byte character that did
// not fit the summary prefix was skipped and later ASCII appended, so the "prefix" was not
// a prefix of the text.
// fuzz_ccd, out of memory (4 GB from 424 bytes): an unclosed quoted string and an unclosed
// text field made libcifpp 5.0.7 and foldfit's check split the text differently, so the
// check missed a loop_ without item names that libcifpp then looped on. Both are refused.
TEST(FuzzRegression, CcdUnclosedStringOrTextFieldIsRefused) {
  EXPECT_EQ(error_of([&] { parse_components_cif("data_LG1\n_chem_comp.formula 'C2 H O'0damkr\n_a.b 1\n", "user.cif"); }),
            "user.cif:2:20: quoted string opened here with ' is not closed on its line");
  EXPECT_EQ(error_of([&] { parse_components_cif("data_LG1\n_a.b 1\n_a.c\n;text\nloop_\nhem.x\nC1 C2\n", "user.cif"); }),
            "user.cif:4:1: text field opened here with ';' is never closed (a line that starts with ';')");
  // Quotes inside a word, and a closed text field, are fine.
  const std::string ok = "data_X\n_chem_comp.id X\n_chem_comp.type non-polymer\n_chem_comp.name \"N,N'-dimethyl\"\n"
                         "_chem_comp.formula\n;C2 H6\n;\nloop_\n_chem_comp_atom.comp_id\n_chem_comp_atom.type_symbol\nX C\n";
  EXPECT_NO_THROW(parse_components_cif(ok, "user.cif"));
}

TEST(FuzzRegression, SummaryPrefixIsATruePrefix) {
  json::ParseOptions options;
  options.summarise_keys = {"m"};
  std::string text = std::string(json::kSummaryPrefix - 1, 'a') + "\xc3\xa9" + "bcd";
  json::Document doc = json::parse_string("{\"m\": \"" + text + "\"}", options);
  const json::Value* m = doc.root.find("m");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->text, std::string(json::kSummaryPrefix - 1, 'a'));
  EXPECT_EQ(m->length, text.size());
}

}  // namespace
}  // namespace foldfit
