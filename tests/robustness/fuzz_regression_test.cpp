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

// fuzz_ccd, timeout: libcifpp 5.0.7 never returned (and allocated without bound) when a
// byte >= 0x80 followed a loop_ tag. foldfit now reads CCD text with its own reader, as
// AlphaFold 3 does (cif_dict.hpp): bytes >= 0x80 and NUL are plain characters there.
TEST(FuzzRegression, CcdNonAsciiInLoopDoesNotHang) {
  const std::string cif = "data_LG1\nloop_\n_chem_comp_atom.pdbx_model_Car\x8c\x91_z_qdeal";
  EXPECT_EQ(error_of([&] { parse_components_cif(cif, "user.cif"); }), "user.cif:1:1: component data_LG1 has no _chem_comp.type");
  const std::string named = "data_X\n_chem_comp.type non-polymer\n_chem_comp.name caf\xc3\xa9\n"
                            "loop_\n_chem_comp_atom.atom_id\n_chem_comp_atom.type_symbol\nC\xc3\xa9 C\nO\x8c O\n";
  std::vector<Component> c = parse_components_cif(named, "user.cif");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].atoms, (std::vector<std::string>{"C\xc3\xa9", "O\x8c"}));
  EXPECT_EQ(c[0].heavy_atoms, 2);
  EXPECT_EQ(error_of([&] { parse_components_cif(std::string("data_X\n_a.b \0\n", 14), "c.cif"); }),
            "c.cif:1:1: component data_X has no _chem_comp.type");
}

// fuzz_ccd, out of memory: libcifpp 5.0.7 also looped without end when loop_ was followed
// by a value instead of an item name. AlphaFold 3 refuses that text ("Too many columns").
TEST(FuzzRegression, CcdLoopWithoutItemNamesDoesNotHang) {
  EXPECT_EQ(error_of([&] { parse_components_cif("data_LG1\n_a.b 1\nloop_\ncomp_atom.charge\n", "user.cif"); }),
            "user.cif:4:1: loop_ must start with item names (_category.item), found 'comp_atom.charge'");
  EXPECT_EQ(error_of([&] { parse_components_cif("data_X\n# c\nLoop_ # c\n'x y'\n", "user.cif", 100); }),
            "user.cif:103:1: loop_ must start with item names (_category.item), found 'x y'");
  // A CR inside a line is an ordinary character for AlphaFold 3's reader: "#a_\re" is a
  // comment to the end of the line, so the last loop_ has no names and no values.
  EXPECT_EQ(error_of([&] { parse_components_cif("data_LG1\nloop_\n_chem 0.000\nloop_\n#a_\re", "user.cif"); }),
            "user.cif:1:1: component data_LG1 has no _chem_comp.type");
  // Quoted strings and text fields that merely contain "loop_" are values, not keywords.
  const std::string ok = "data_X\n_chem_comp.id X\n_chem_comp.type 'loop_ x'\n_chem_comp.name\n;loop_\nx\n;\n"
                         "loop_\n_chem_comp_atom.comp_id\n_chem_comp_atom.atom_id\n_chem_comp_atom.type_symbol\n"
                         "X C1 C\nX O1 O\n";
  std::vector<Component> c = parse_components_cif(ok, "user.cif");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].type, "LOOP_ X");
  EXPECT_EQ(c[0].heavy_atoms, 2);
}

// fuzz_ccd, out of memory (4 GB from 424 bytes): an unclosed quoted string and an unclosed
// text field made libcifpp 5.0.7 and foldfit's check split the text differently. AlphaFold
// 3 refuses both, and so does foldfit, where they open.
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

// Found while writing the chunk-boundary fuzz property: a multi-byte character that did
// not fit the summary prefix was skipped and later ASCII appended, so the "prefix" was not
// a prefix of the text.
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
