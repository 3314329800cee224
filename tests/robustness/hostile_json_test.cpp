// Hostile and broken JSON text: every case fails with file:line:col (and the JSON path
// where there is one) or is read exactly as AlphaFold 3 reads it. See docs/robustness.md.
#include <gtest/gtest.h>

#include <chrono>

#include "foldfit/input/input.hpp"
#include "foldfit/sizes/sizes.hpp"

namespace foldfit {
namespace {

const std::string kProtein = R"({"protein": {"id": "A", "sequence": "MVLS"}})";

std::string af3(const std::string& seeds = "[1]", const std::string& sequences = kProtein,
                const std::string& extra = "") {
  return R"({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": )" + seeds + R"(, "sequences": [)" +
         sequences + "]" + extra + "}";
}

// The error message reading `text` gives, or "ok".
std::string error_of(const std::string& text, std::vector<std::string>* warnings = nullptr) {
  try {
    read_input_text(text, "in.json", ReadOptions{}, warnings);
  } catch (const InputError& e) {
    return e.what();
  }
  return "ok";
}

// Seconds `f` takes. Used only as a hang guard with a wide margin (a linear pass takes
// well under a second; the quadratic or unbounded behaviour it guards against, minutes).
template <typename F>
double seconds(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(HostileJson, EmptyFile) {
  EXPECT_EQ(error_of(""), "in.json:1:1: invalid JSON: empty file: expected a JSON value");
  EXPECT_EQ(error_of(" \n\t\n"), "in.json:3:1: invalid JSON: empty file: expected a JSON value");
}

TEST(HostileJson, NotJson) {
  EXPECT_EQ(error_of("hello"), "in.json:1:1: invalid JSON: expected a JSON value, found 'h'");
  EXPECT_EQ(error_of("\x7f" "ELF"), "in.json:1:1: invalid JSON: expected a JSON value, found byte 0x7f");
  EXPECT_EQ(error_of("{} {}"), "in.json:1:4: invalid JSON: unexpected '{' after the JSON value");
}

TEST(HostileJson, TruncatedJson) {
  std::string full = af3();
  EXPECT_EQ(error_of(full.substr(0, 30)), "in.json:1:27: invalid JSON: unterminated string");
  EXPECT_EQ(error_of(full.substr(0, full.size() - 1)),
            "in.json:1:" + std::to_string(full.size()) + ": invalid JSON: expected ',' or '}' in object, found end of file");
  EXPECT_EQ(error_of("[1, 2"), "in.json:1:6: invalid JSON: expected ',' or ']' in array, found end of file");
  EXPECT_EQ(error_of("{\"a\": tru"), "in.json:1:7: invalid JSON: invalid literal: expected 'true'");
  // Every prefix of a valid input fails cleanly (no crash, no out-of-bounds read).
  for (std::size_t n = 0; n < full.size(); ++n) EXPECT_NE(error_of(full.substr(0, n)), "ok") << n;
}

TEST(HostileJson, Utf8ByteOrderMark) {
  EXPECT_EQ(error_of("\xEF\xBB\xBF" + af3()),
            "in.json:1:1: invalid JSON: file starts with a UTF-8 byte-order mark, which AlphaFold 3's JSON reader "
            "rejects; save the file without it");
}

TEST(HostileJson, CrlfLineEndingsReadAsLf) {
  std::string crlf = "{\r\n  \"dialect\": \"alphafold3\",\r\n  \"version\": 4,\r\n  \"name\": \"t\",\r\n"
                     "  \"modelSeeds\": [1],\r\n  \"sequences\": [" + kProtein + "]\r\n}\r\n";
  EXPECT_EQ(error_of(crlf), "ok");
  // Lines and columns still count from the '\n': the bad seed is on line 5, column 18.
  std::string bad = crlf;
  bad.replace(bad.find("[1]"), 3, "[-1]");
  EXPECT_EQ(error_of(bad), "in.json:5:18: modelSeeds[0]: seed must be an integer from 0 to 4294967295 (32-bit "
                           "unsigned), found -1");
}

TEST(HostileJson, NonUtf8Bytes) {
  std::string text = af3();
  text.replace(text.find("\"t\""), 3, "\"t\xff\"");
  EXPECT_EQ(error_of(text), "in.json:1:51: invalid JSON: invalid UTF-8 byte 0xff in string");
  // Latin-1 é (0xE9) followed by an ASCII letter: a truncated sequence.
  EXPECT_EQ(error_of("\"caf\xe9s\""), "in.json:1:5: invalid JSON: invalid UTF-8 sequence in string");
  // Overlong encoding of '/' and an encoded surrogate are not UTF-8 either.
  EXPECT_EQ(error_of("\"\xc0\xaf\""), "in.json:1:2: invalid JSON: invalid UTF-8 byte 0xc0 in string");
  EXPECT_EQ(error_of("\"\xed\xa0\x80\""), "in.json:1:2: invalid JSON: invalid UTF-8 sequence in string");
  // Outside strings a stray byte is not a JSON value.
  EXPECT_EQ(error_of("\xff"), "in.json:1:1: invalid JSON: expected a JSON value, found byte 0xff");
}

TEST(HostileJson, DeepNestingStopsAtTheLimit) {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  EXPECT_EQ(error_of(deep), "in.json:1:129: invalid JSON: nesting deeper than 128 levels");
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  EXPECT_EQ(error_of(objects), "in.json:1:641: invalid JSON: nesting deeper than 128 levels");
  // 128 levels are accepted by the JSON reader (and then rejected as not an input).
  EXPECT_EQ(error_of(std::string(128, '[') + std::string(128, ']')), "in.json:1:2: [0]: expected object, found array");
}

TEST(HostileJson, HugeNumbers) {
  EXPECT_EQ(error_of(af3("[1e400]")), "in.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 "
                                      "(32-bit unsigned), found 1e400");
  EXPECT_EQ(error_of(af3("[-1e400]")), "in.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 "
                                       "(32-bit unsigned), found -1e400");
  EXPECT_EQ(error_of(af3("[123456789012345678901234567890]")),
            "in.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 (32-bit unsigned), found "
            "123456789012345678901234567890");
  EXPECT_EQ(error_of(af3("[4294967296]")),
            "in.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 (32-bit unsigned), found "
            "4294967296");
  std::string text = af3();
  text.replace(text.find("\"version\": 4"), 12, "\"version\": 1e999999999");
  EXPECT_EQ(error_of(text), "in.json:1:38: version: unsupported version 1e999999999, expected one of 1, 2, 3, 4 (AlphaFold 3 v3.0.4)");
  EXPECT_EQ(error_of(af3("[" + std::string(5000, '7') + "]")),
            "in.json:1:69: invalid JSON: number literal longer than 4096 characters");
  EXPECT_EQ(error_of("[" + std::string(1 << 20, '1') + "]"),
            "in.json:1:2: invalid JSON: number literal longer than 4096 characters");
  std::string bond = af3("[1]", kProtein + "," + R"({"ligand": {"id": "L", "ccdCodes": ["ATP"]}})",
                         R"(, "bondedAtomPairs": [[["A", 99999999999999999999, "CA"], ["L", 1, "PG"]]])");
  EXPECT_EQ(error_of(bond), "in.json:1:200: bondedAtomPairs[0][0]: a bonded atom must be [chain_id (string), "
                            "residue_id (integer), atom_name (string)]");
}

TEST(HostileJson, SeedsOfTheWrongKind) {
  EXPECT_EQ(error_of(af3("[-1]")), "in.json:1:69: modelSeeds[0]: seed must be an integer from 0 to 4294967295 "
                                   "(32-bit unsigned), found -1");
  // What AlphaFold 3's int() reads passes (with a warning): 1.5 is 1, "1" is 1, true is 1.
  EXPECT_EQ(error_of(af3("[1.5]")), "ok");
  EXPECT_EQ(error_of(af3("[\"1\"]")), "ok");
  EXPECT_EQ(error_of(af3("[true]")), "ok");
  EXPECT_EQ(error_of(af3("[{}]")), "in.json:1:69: modelSeeds[0]: seed must be an integer, found object (AlphaFold 3's "
                                   "int() refuses it)");
  EXPECT_EQ(error_of(af3("7")), "in.json:1:68: modelSeeds: expected array, found number");
  EXPECT_EQ(error_of(af3("[]")), "in.json:1:68: modelSeeds: AlphaFold 3 input JSON must specify at least one rng "
                                 "seed in `modelSeeds`");
  // Integral values written with an exponent or a fraction are integers.
  std::vector<Input> in = read_input_text(af3("[1e2, 7.0, 4294967295, -0]"), "in.json", ReadOptions{});
  EXPECT_EQ(in.front().seeds, (std::vector<std::uint32_t>{100, 7, 4294967295u, 0}));
}

TEST(HostileJson, DuplicateKeysWarnAndKeepTheLast) {
  std::string text = af3();
  text.replace(text.find("\"name\": \"t\""), 11, "\"name\": \"first\", \"name\": \"last\"");
  std::vector<std::string> warnings;
  std::vector<Input> in = read_input_text(text, "in.json", ReadOptions{}, &warnings);
  EXPECT_EQ(in.front().name, "last");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "in.json:1:58: duplicate member 'name' (first at line 1); the last one is used, as "
                         "AlphaFold 3 does");
}

TEST(HostileJson, ManyMembersStayLinear) {
  // 400,000 distinct keys and then a duplicate of the first: the lookup must not be
  // quadratic. The duplicate replaces the first, so the error points at the last 'k0'.
  std::string text = "{";
  for (int i = 0; i < 400000; ++i) text += "\"k" + std::to_string(i) + "\":0,";
  text += "\"k0\":1}";
  std::vector<std::string> warnings;
  std::string error;
  double s = seconds([&] { error = error_of(text, &warnings); });
  EXPECT_EQ(error, "in.json:1:" + std::to_string(text.size() - 6) + ": k0: unexpected key 'k0'; allowed here: dialect, version, name, modelSeeds, "
                   "sequences, bondedAtomPairs, userCCD, userCCDPath");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("duplicate member 'k0'"), std::string::npos);
  EXPECT_LT(s, 60.0) << "hang guard";
}

TEST(HostileJson, TooManyValues) {
  json::ParseOptions options;
  options.max_values = 1000;
  std::string text = "[0";
  for (int i = 1; i < 999; ++i) text += ",0";
  EXPECT_NO_THROW(json::parse_string(text + "]", options));  // 1 array + 999 numbers
  try {
    json::parse_string(text + ",0]", options);
    FAIL() << "no error";
  } catch (const json::ParseError& e) {
    EXPECT_EQ(e.position().column, 2000u);  // the 1001st value
    EXPECT_EQ(e.message(), "more than 1000 JSON values; this is not an AlphaFold 3 input");
  }
}

TEST(HostileJson, DuplicateChainIds) {
  EXPECT_EQ(error_of(af3("[1]", R"({"protein": {"id": ["A", "A"], "sequence": "MV"}})")),
            "in.json:1:99: sequences[0].protein: chain id 'A' is used more than once (also in sequences[0])");
  EXPECT_EQ(error_of(af3("[1]", kProtein + "," + R"({"rna": {"id": "A", "sequence": "ACGU"}})")),
            "in.json:1:140: sequences[1].rna: chain id 'A' is used more than once (also in sequences[0])");
}

TEST(HostileJson, ZeroChains) {
  EXPECT_EQ(error_of(af3("[1]", "")), "in.json:1:86: sequences: sequences is empty: nothing to fold");
  EXPECT_EQ(error_of(R"([{"name": "j", "sequences": []}])"),
            "in.json:1:29: [0].sequences: the job has no chains: nothing to fold");
  EXPECT_EQ(error_of(R"([{"name": "j", "sequences": [{"proteinChain": {"sequence": "MV", "count": 0}}]}])"),
            "in.json:1:29: [0].sequences: the job has no chains: nothing to fold");
  EXPECT_EQ(error_of("[]"), "in.json:1:1: the AlphaFold Server job list is empty");
}

TEST(HostileJson, HugeServerCountIsRefused) {
  EXPECT_EQ(error_of(R"([{"name": "j", "sequences": [{"proteinChain": {"sequence": "MV", "count": 1000000000000}}]}])"),
            "in.json:1:75: [0].sequences[0].proteinChain.count: count 1000000000000 makes more than 100000 chains; "
            "no GPU can hold such a job");
  EXPECT_EQ(error_of(R"([{"name": "j", "sequences": [{"ion": {"ion": "MG", "count": 60000}},
                                                  {"ion": {"ion": "NA", "count": 60000}}]}])"),
            "in.json:2:82: [0].sequences[1].ion.count: count 60000 makes more than 100000 chains; no GPU can hold "
            "such a job");
}

TEST(HostileJson, HundredThousandTokensAreQuick) {
  Ccd base;
  SizeOptions options;
  // One 120,000-residue protein.
  std::string seq(120000, 'A');
  std::vector<Input> one = read_input_text(af3("[1]", R"({"protein": {"id": "A", "sequence": ")" + seq + "\"}}"),
                                           "in.json", ReadOptions{});
  Sizes s1;
  double t1 = seconds([&] { s1 = size_input(one.front(), ccd_for_input(one.front(), base), options); });
  EXPECT_EQ(s1.tokens, 120000);
  EXPECT_EQ(s1.padded_tokens, 120000);  // above the largest bucket: padded to itself
  // An AlphaFold Server job of 100,000 chains (the most accepted) of 2 residues each.
  std::vector<Input> many = read_input_text(
      R"([{"name": "j", "sequences": [{"proteinChain": {"sequence": "MV", "count": 100000}}]}])", "in.json",
      ReadOptions{});
  Sizes s2;
  double t2 = seconds([&] { s2 = size_input(many.front(), ccd_for_input(many.front(), base), options); });
  EXPECT_EQ(s2.tokens, 200000);
  EXPECT_EQ(s2.chains, 100000u);
  EXPECT_EQ(s2.chain_sizes.back().id, "DXQE");  // chain 100,000 in mmCIF's reverse spreadsheet order
  EXPECT_LT(t1 + t2, 60.0) << "hang guard";
}

}  // namespace
}  // namespace foldfit

namespace foldfit {
namespace {

std::string size_error_of(const std::string& text) {
  try {
    std::vector<Input> in = read_input_text(text, "in.json", ReadOptions{});
    Ccd base;
    size_input(in.front(), ccd_for_input(in.front(), base), SizeOptions{});
  } catch (const InputError& e) {
    return e.what();
  }
  return "ok";
}

// The chemistry libraries see hostile text too; the sanitizer build runs these.
TEST(HostileChemistry, BadSmilesAndUserCcd) {
  EXPECT_EQ(size_error_of(af3("[1]", R"({"ligand": {"id": "L", "smiles": "C1CC(("}})")).substr(0, 96),
            "in.json:1:120: sequences[0].ligand.smiles: unable to make an RDKit molecule from SMILES 'C1CC(('");
  EXPECT_EQ(size_error_of(af3("[1]", R"({"ligand": {"id": "L", "smiles": "c1ccccc1O"}})")), "ok");
  EXPECT_EQ(size_error_of(af3("[1]", kProtein, R"(, "userCCD": "data_X\nloop_\n_a.b\n_a.b\n")")),
            "in.json:1:145: userCCD: mmCIF line 4, column 1: loop item name '_a.b' appears twice in block data_X");
  EXPECT_EQ(size_error_of(af3("[1]", kProtein, R"(, "userCCD": "data_X\n_chem_comp.id X\n_chem_comp.type ion\n")")),
            "in.json:1:145: userCCD: mmCIF line 1, column 1: component X in the user-defined CCD is missing these keys: "
            "_chem_comp.name, "
            "_chem_comp.formula, _chem_comp.mon_nstd_parent_comp_id, _chem_comp.pdbx_synonyms, "
            "_chem_comp.formula_weight, _chem_comp_atom.comp_id, _chem_comp_atom.atom_id, _chem_comp_atom.type_symbol, "
            "_chem_comp_atom.charge, _chem_comp_atom.pdbx_model_Cartn_x_ideal, _chem_comp_atom.pdbx_model_Cartn_y_ideal, "
            "_chem_comp_atom.pdbx_model_Cartn_z_ideal, _chem_comp_bond.atom_id_1, _chem_comp_bond.atom_id_2, "
            "_chem_comp_bond.value_order, _chem_comp_bond.pdbx_aromatic_flag");
  EXPECT_EQ(size_error_of(af3("[1]", kProtein, R"(, "userCCD": "data_X\n_a.b 'unterminated\n")")),
            "in.json:1:145: userCCD: mmCIF line 2, column 6: quoted string opened here with ' is not closed on its line");
}

}  // namespace
}  // namespace foldfit
