// Golden token counts: each case's expected figure is derived in the comment from
// AlphaFold 3's rules and the CCD (see docs/tokens.md).
#include <gtest/gtest.h>

#include "foldfit/sizes/sizes.hpp"

namespace foldfit {
namespace {

Sizes size_text(const std::string& json, SizeOptions options = {}) {
  std::vector<Input> inputs = read_input_text(json, "test.json", ReadOptions{});
  EXPECT_EQ(inputs.size(), 1u);
  Ccd base;
  Ccd ccd = ccd_for_input(inputs.front(), base);
  return size_input(inputs.front(), ccd, options);
}

std::string af3(const std::string& sequences, const std::string& extra = "") {
  return R"({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [)" + sequences +
         "]" + extra + "}";
}

TEST(Golden, ReadmeExample2PV7) {
  const std::string seq =
      "GMRESYANENQFGFKTINSDIHKIVIVGGYGKLGGLFARYLRASGYPISILDREDWAVAESILANADVVIVSVPINLTLETIERLKPYLTENMLLADLTSVKREPLAKML"
      "EVHTGAVLGLHPMFGADIASMAKQVVVRCDGRFPERYEWLLEQIQIWGAKIYQTNATEHDHNMTYIQALRHFSTFANGLHLSKQPINLANLLALSSPIYRLELAMIGRLF"
      "AQDAELYADIIMDKSENLAVIETLKQTYDEALTFFENNDRQGFIDAFHKVRDWFGDYSEQFLKESRQLLQQANDLKQG";
  Sizes s = size_text(af3(R"({"protein": {"id": ["A", "B"], "sequence": ")" + seq + R"("}})"));
  EXPECT_EQ(s.tokens, 596);
  EXPECT_EQ(s.padded_tokens, 768);
  EXPECT_EQ(s.flat_atoms, 18432);  // ceil(24 * 768 / 32) * 32
  EXPECT_EQ(s.chains, 2u);
  EXPECT_TRUE(s.homomer);
}

}  // namespace
}  // namespace foldfit
