// The user-CCD reader follows AlphaFold 3's CIF reader rule for rule (cif_dict.hpp); each
// test is one rule, with the line:column foldfit gives where AlphaFold 3 refuses.
#include "foldfit/chem/cif_dict.hpp"

#include <gtest/gtest.h>

#include "foldfit/chem/ccd.hpp"
#include "foldfit/common/error.hpp"

namespace foldfit::cif {
namespace {

std::string error_of(std::string_view text, bool multi = true) {
  try {
    if (multi) read_multi_block(text, "u.cif");
    else read_block(text, "u.cif");
  } catch (const InputError& e) {
    return e.what();
  }
  return "ok";
}

std::vector<std::string> texts(const Block& b, std::string_view item) {
  std::vector<std::string> out;
  if (const std::vector<Value>* v = b.find(item))
    for (const Value& x : *v) out.emplace_back(x.text);
  return out;
}

TEST(CifDict, ItemsAndLoopsBecomeOneFlatMap) {
  const std::string text =
      "data_MYL\n#\n_chem_comp.id MYL\n_chem_comp.name 'my ligand'\n_chem_comp.formula \"C2 H6 O\"\n"
      "loop_\n_chem_comp_atom.atom_id\n_chem_comp_atom.type_symbol\nC1 C\n\"C1'\" C  # a comment\nO1 O\n";
  Document doc = read_multi_block(text, "u.cif");
  ASSERT_EQ(doc.blocks.size(), 1u);
  const Block& b = doc.blocks[0];
  EXPECT_EQ(b.name, "MYL");
  EXPECT_EQ(texts(b, "_chem_comp.name"), std::vector<std::string>{"my ligand"});
  EXPECT_EQ(texts(b, "_chem_comp.formula"), std::vector<std::string>{"C2 H6 O"});
  EXPECT_EQ(texts(b, "_chem_comp_atom.atom_id"), (std::vector<std::string>{"C1", "C1'", "O1"}));
  EXPECT_EQ(texts(b, "_chem_comp_atom.type_symbol"), (std::vector<std::string>{"C", "C", "O"}));
  const Value& c1 = b.find("_chem_comp_atom.atom_id")->at(1);
  EXPECT_EQ(c1.line, 10u);
  EXPECT_EQ(c1.column, 1u);
  EXPECT_EQ(b.find("_CHEM_COMP.ID"), nullptr);  // names are case-sensitive, as in AlphaFold 3
}

TEST(CifDict, QuotesCloseOnlyBeforeWhiteSpace) {
  Document doc = read_block("data_X\n_a.b 'it's here'\n_a.c don't\n", "u.cif");
  EXPECT_EQ(texts(doc.blocks[0], "_a.b"), std::vector<std::string>{"it's here"});
  EXPECT_EQ(texts(doc.blocks[0], "_a.c"), std::vector<std::string>{"don't"});
  EXPECT_EQ(error_of("data_X\n_a.b 'open\n"), "u.cif:2:6: quoted string opened here with ' is not closed on its line");
}

TEST(CifDict, TextFieldsJoinLinesWithoutTrailingSpace) {
  Document doc = read_block("data_X\n_a.b\n;first  \n second\t\n;  ignored after the closing ;\n_a.c 1\n", "u.cif");
  EXPECT_EQ(texts(doc.blocks[0], "_a.b"), std::vector<std::string>{"first\n second"});
  EXPECT_EQ(texts(doc.blocks[0], "_a.c"), std::vector<std::string>{"1"});
  // A field opened on the last line is taken as it is; one left open over more lines is refused.
  EXPECT_EQ(texts(read_block("data_X\n_a.b\n;x", "u.cif").blocks[0], "_a.b"), std::vector<std::string>{"x"});
  EXPECT_EQ(error_of("data_X\n_a.b\n;x\ny\n"),
            "u.cif:3:1: text field opened here with ';' is never closed (a line that starts with ';')");
  // Windows line ends are read as line ends.
  EXPECT_EQ(texts(read_block("data_X\r\n_a.b 1\r\n", "u.cif").blocks[0], "_a.b"), std::vector<std::string>{"1"});
}

TEST(CifDict, TextMustStartWithData) {
  EXPECT_EQ(error_of(" data_X\n_a.b 1\n"),
            "u.cif:1:1: mmCIF text must start with 'data_' (AlphaFold 3 reads a user CCD as data blocks, cut at every "
            "'data_')");
  EXPECT_EQ(error_of("data_ \n_a.b 1\n"), "u.cif:1:1: data_ without a block name");
  EXPECT_TRUE(read_multi_block("", "u.cif").blocks.empty());
  EXPECT_EQ(error_of("", false), "u.cif:1:1: the CIF text is empty");
}

TEST(CifDict, TextIsCutAtEveryDataEvenInsideValuesAndComments) {
  // AlphaFold 3 cuts before it tokenizes: a comment naming data_B starts block B.
  Document doc = read_multi_block("data_A\n_a.b 1\n# see data_B\n_c.d 2\n", "u.cif");
  ASSERT_EQ(doc.blocks.size(), 2u);
  EXPECT_EQ(doc.blocks[1].name, "B");
  EXPECT_EQ(doc.blocks[1].line, 3u);
  EXPECT_EQ(doc.blocks[1].column, 7u);
  EXPECT_EQ(texts(doc.blocks[1], "_c.d"), std::vector<std::string>{"2"});
  // ...and a quoted value holding "data_" is cut open, so AlphaFold 3 refuses it.
  EXPECT_EQ(error_of("data_A\n_x.name 'metadata_B'\n"), "u.cif:2:9: quoted string opened here with ' is not closed on its line");
  // As one block (from_string), a later data_ token is an item name without '_'.
  EXPECT_EQ(error_of("data_A\n_a.b 1\ndata_B\n", false),
            "u.cif:3:1: 'data_B' is not an item name (_category.item) nor a value after one");
}

TEST(CifDict, NamesAppearOnce) {
  EXPECT_EQ(error_of("data_A\n_a.b 1\n_a.b 2\n"), "u.cif:3:1: item name '_a.b' appears twice in block data_A (its first value is at line 2)");
  EXPECT_EQ(error_of("data_A\n_a.b 1\nloop_\n_a.b\n1\n"), "u.cif:4:1: loop item name '_a.b' appears twice in block data_A (its first value is at line 2)");
  // A block name given twice is two blocks; the CCD keeps the last (test below).
  EXPECT_EQ(read_multi_block("data_A\n_a.b 1\ndata_A\n_a.b 2\n", "u.cif").blocks.size(), 2u);
}

TEST(CifDict, LoopRowsMustBeComplete) {
  EXPECT_EQ(error_of("data_A\nloop_\n_a.x\n_a.y\n1 2\n3\n"),
            "u.cif:2:1: loop_ has 3 values, not a multiple of its 2 item names (a row is incomplete)");
  EXPECT_EQ(error_of("data_A\n_a.x\n"), "ok");  // a name without a value at the end is dropped, as AlphaFold 3 does
  EXPECT_EQ(error_of("data_A\nloop_\n1 2\n"), "u.cif:3:1: loop_ must start with item names (_category.item), found '1'");
  EXPECT_EQ(error_of("data_A\nvalue\n"), "u.cif:2:1: 'value' is not an item name (_category.item) nor a value after one");
}

TEST(CifDict, LoopEndsAtANameInItsFirstColumn) {
  // '_' starts a value in later columns; in the first column, once the loop has values,
  // it ends the loop. A name left waiting before loop_ takes the next value after it.
  Document doc = read_block("data_A\n_p.q\nloop_\n_a.x\n_a.y\nv _w\n_e.f\n", "u.cif");
  const Block& b = doc.blocks[0];
  EXPECT_EQ(texts(b, "_a.y"), std::vector<std::string>{"_w"});
  EXPECT_EQ(texts(b, "_p.q"), std::vector<std::string>{"_e.f"});
  EXPECT_EQ(b.find("_e.f"), nullptr);
}

TEST(CifDict, CcdKeepsTheLastBlockOfAName) {
  const std::string one = "_chem_comp.type non-polymer\nloop_\n_chem_comp_atom.atom_id\n_chem_comp_atom.type_symbol\n";
  std::vector<Component> c = parse_components_cif("data_A\n" + one + "C1 C\ndata_A\n" + one + "C1 C\nO1 O\n", "u.cif");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].code, "A");
  EXPECT_EQ(c[0].heavy_atoms, 2);
  EXPECT_EQ(error_of("data_A\n_chem_comp.type x\nloop_\n_chem_comp_atom.atom_id\nC1\n"), "ok");
  EXPECT_THROW(parse_components_cif("data_A\n_chem_comp.type x\nloop_\n_chem_comp_atom.atom_id\nC1\n", "u.cif"),
               InputError);  // atoms need their type_symbol
}

TEST(CifDict, SizeIsLinearInTheText) {
  // A megabyte of one-character tokens in one loop: every value is a view into the text.
  std::string text = "data_A\nloop_\n_a.x\n_a.y\n";
  while (text.size() < (1u << 20)) text += "a b\n";
  Document doc = read_block(text, "u.cif");
  EXPECT_EQ(doc.blocks[0].find("_a.x")->size(), (text.size() - 23) / 4);
  EXPECT_TRUE(doc.joined.empty());
}

}  // namespace
}  // namespace foldfit::cif
