// cif_dict.hpp - mmCIF text read as AlphaFold 3 reads a user CCD: flat data blocks.
//
// AlphaFold 3 reads a userCCD with its own CIF 1.1 tokenizer (parsers/cpp/cif_dict):
// the text is cut at every "data_" into blocks, and each block becomes a flat map from
// item name ("_chem_comp_atom.atom_id") to its values, loops and single items alike.
// foldfit reads the same way, so it accepts and refuses exactly the text AlphaFold 3
// does, and points at the line and column where the text goes wrong. Values are views
// into the text (a multi-line text field is joined into storage the document owns), so
// memory and time are linear in the text's size whatever it holds. The text must outlive
// the Document.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace foldfit::cif {

struct Value {
  std::string_view text;  // unquoted; a text field's lines joined with '\n'
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

struct Block {
  std::string name;  // what follows "data_"
  std::uint32_t line = 0, column = 0;  // of the data_ token
  // Item name -> values, for every item in the block, in file order.
  std::vector<std::pair<std::string_view, std::vector<Value>>> items;

  const std::vector<Value>* find(std::string_view item) const;

 private:
  friend class Reader;
  std::unordered_map<std::string_view, std::size_t> index_;
};

struct Document {
  std::vector<Block> blocks;  // in file order; a repeated name is kept each time
  std::deque<std::string> joined;  // storage for text fields of more than one line
};

// Reads `text` as AlphaFold 3's parse_multi_data_cif does: it must start with "data_",
// is cut at every "data_" (even one inside a value or a comment, as AlphaFold 3 cuts it),
// and each piece is read as one block. Throws InputError naming `source`, with
// line:column counted from `first_line`, where AlphaFold 3 would refuse the text.
Document read_multi_block(std::string_view text, const std::string& source, std::uint32_t first_line = 1);

// Reads `text` as one data block (AlphaFold 3's CifDict.from_string): a later "data_"
// token is an item name without an underscore and refused.
Document read_block(std::string_view text, const std::string& source, std::uint32_t first_line = 1);

// True when `s` starts with `keyword` (lower case: "loop_", "data_"), in any case, as
// CIF's reserved words are matched.
bool starts_with_keyword(std::string_view s, std::string_view keyword);

}  // namespace foldfit::cif
