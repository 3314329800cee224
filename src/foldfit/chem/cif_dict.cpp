#include "foldfit/chem/cif_dict.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "foldfit/common/error.hpp"

namespace foldfit::cif {

bool starts_with_keyword(std::string_view s, std::string_view keyword) {
  return s.size() >= keyword.size() && std::equal(keyword.begin(), keyword.end(), s.begin(), [](char k, char c) {
           return k == std::tolower(static_cast<unsigned char>(c));
         });
}

const std::vector<Value>* Block::find(std::string_view item) const {
  auto it = index_.find(item);
  return it == index_.end() ? nullptr : &items[it->second].second;
}

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }  // the tokenizer's white space
bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view strip_trailing_space(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view shown(std::string_view s) { return s.substr(0, std::min<std::size_t>(s.size(), 40)); }

}  // namespace

// Reads one block: its text, where it starts in the whole text (line, and the column of
// its first byte), into `doc`.
class Reader {
 public:
  Reader(Document& doc, const std::string& source) : doc_(doc), source_(source) {}

  void read(std::string_view text, std::uint32_t first_line, std::uint32_t first_column) {
    first_line_ = first_line;
    first_column_ = first_column;
    // Lines as the tokenizer splits them: at '\n' only; one '\r' before it is dropped.
    std::size_t start = 0;
    for (;;) {
      std::size_t eol = text.find('\n', start);
      lines_.push_back(text.substr(start, eol == std::string_view::npos ? std::string_view::npos : eol - start));
      if (eol == std::string_view::npos) break;
      start = eol + 1;
    }
    for (std::size_t n = 0; n < lines_.size();) {
      std::string_view line = lines_[n];
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const std::size_t at = n++;
      if (line.empty() || line[0] == '#') continue;
      if (line[0] == ';') {
        // A text field: up to a line whose first non-blank-stripped character is ';'.
        // Each line loses its trailing white space; whatever follows the closing ';' is
        // ignored. A field opened on the last line is taken as it is.
        std::vector<std::string_view> parts{strip_trailing_space(line.substr(1))};
        while (n < lines_.size()) {
          std::string_view part = strip_trailing_space(lines_[n]);
          ++n;
          if (!part.empty() && part[0] == ';') break;
          if (n == lines_.size())
            fail(at, 0, "text field opened here with ';' is never closed (a line that starts with ';')");
          parts.push_back(part);
        }
        std::string_view value = parts.front();
        if (parts.size() > 1) {
          std::string& joined = doc_.joined.emplace_back();
          for (std::size_t i = 0; i < parts.size(); ++i) {
            if (i) joined += '\n';
            joined += parts[i];
          }
          value = joined;
        }
        token(Value{value, line_of(at), column_of(at, 0)});
        continue;
      }
      split_line(at, line);
    }
    if (!block_) fail(0, 0, "the CIF text is empty");
    end_loop();
  }

 private:
  std::uint32_t line_of(std::size_t at) const { return first_line_ + static_cast<std::uint32_t>(at); }
  std::uint32_t column_of(std::size_t at, std::size_t offset) const {
    return static_cast<std::uint32_t>(offset + 1 + (at == 0 ? first_column_ - 1 : 0));
  }

  [[noreturn]] void fail(std::size_t at, std::size_t offset, const std::string& message) const {
    fail_at(line_of(at), column_of(at, offset), message);
  }
  [[noreturn]] void fail_at(std::uint32_t line, std::uint32_t column, const std::string& message) const {
    throw InputError(SourceLocation{source_, line, column, ""}, message);
  }

  void split_line(std::size_t at, std::string_view line) {
    const std::size_t n = line.size();
    for (std::size_t i = 0; i < n;) {
      while (i < n && is_blank(line[i])) ++i;
      if (i == n || line[i] == '#') break;  // the rest of the line is a comment
      const std::size_t token_at = i;
      std::string_view value;
      if (line[i] == '\'' || line[i] == '"') {
        // Ends at the same quote followed by white space or the end of the line.
        const char quote = line[i++];
        const std::size_t begin = i;
        for (;;) {
          while (i < n && line[i] != quote) ++i;
          if (i == n) fail(at, token_at, fmt::format("quoted string opened here with {} is not closed on its line", quote));
          if (i + 1 == n || is_blank(line[i + 1])) break;
          ++i;
        }
        value = line.substr(begin, i - begin);
        ++i;
      } else {
        const std::size_t begin = i++;
        while (i < n && !is_blank(line[i])) ++i;
        value = line.substr(begin, i - begin);
      }
      token(Value{value, line_of(at), column_of(at, token_at)});
    }
  }

  // Adds an item; returns its index in the block's items.
  std::size_t add_item(std::string_view name, const Value& where, const char* what) {
    Block& b = doc_.blocks.back();
    auto [it, inserted] = b.index_.try_emplace(name, b.items.size());
    if (!inserted) {
      const auto& values = b.items[it->second].second;
      std::string first = values.empty() ? "" : fmt::format(" (its first value is at line {})", values.front().line);
      fail_at(where.line, where.column, fmt::format("{} '{}' appears twice in block data_{}{}", what, shown(name), b.name, first));
    }
    b.items.emplace_back(name, std::vector<Value>{});
    return b.items.size() - 1;
  }

  void end_loop() {
    if (loop_keys_ > 0 && loop_values_ % loop_keys_ != 0)
      fail_at(loop_.line, loop_.column,
              fmt::format("loop_ has {} values, not a multiple of its {} item names (a row is incomplete)", loop_values_,
                          loop_keys_));
  }

  // The token state machine of AlphaFold 3's reader, rule for rule.
  void token(const Value& v) {
    std::string_view t = v.text;
    if (!block_) {
      block_ = true;
      if (t.substr(0, 5) != "data_") fail_at(v.line, v.column, "mmCIF text must start with a data_ block name");
      if (t.size() == 5) fail_at(v.line, v.column, "data_ without a block name");
      Block& b = doc_.blocks.emplace_back();
      b.name = std::string(t.substr(5));
      b.line = v.line;
      b.column = v.column;
      return;
    }
    if (t.size() == 5 && starts_with_keyword(t, "loop_")) {
      end_loop();
      in_loop_ = true;
      loop_ = v;
      columns_.clear();
      column_ = 0;
      loop_values_ = 0;
      loop_keys_ = 0;
      return;
    }
    if (in_loop_) {
      // A name in the first column ends the loop once it has values; before that it is
      // one of the loop's names. In other columns, '_' starts a value.
      if (column_ == 0 && !t.empty() && t[0] == '_') {
        if (loop_values_ > 0) {
          in_loop_ = false;
        } else {
          columns_.push_back(add_item(t, v, "loop item name"));
          ++loop_keys_;
          return;
        }
      } else {
        if (column_ >= columns_.size())
          fail_at(v.line, v.column,
                  fmt::format("loop_ must start with item names (_category.item), found '{}'", shown(t)));
        doc_.blocks.back().items[columns_[column_]].second.push_back(v);
        ++loop_values_;
        if (++column_ == loop_keys_) column_ = 0;
        return;
      }
    }
    if (!pending_) {
      if (t.empty() || t[0] != '_')
        fail_at(v.line, v.column, fmt::format("'{}' is not an item name (_category.item) nor a value after one", shown(t)));
      pending_ = v;
    } else {
      doc_.blocks.back().items[add_item(pending_->text, *pending_, "item name")].second.push_back(v);
      pending_.reset();
    }
  }

  Document& doc_;
  const std::string& source_;
  std::uint32_t first_line_ = 1, first_column_ = 1;
  std::vector<std::string_view> lines_;
  bool block_ = false;
  bool in_loop_ = false;
  Value loop_;
  std::vector<std::size_t> columns_;  // the loop's items, by index
  std::size_t column_ = 0, loop_keys_ = 0, loop_values_ = 0;
  std::optional<Value> pending_;  // an item name waiting for its value
};

Document read_block(std::string_view text, const std::string& source, std::uint32_t first_line) {
  Document doc;
  Reader(doc, source).read(text, first_line, 1);
  return doc;
}

Document read_multi_block(std::string_view text, const std::string& source, std::uint32_t first_line) {
  Document doc;
  if (text.empty()) return doc;
  constexpr std::string_view kData = "data_";
  if (text.substr(0, kData.size()) != kData)
    throw InputError(SourceLocation{source, first_line, 1, ""},
                     "mmCIF text must start with 'data_' (AlphaFold 3 reads a user CCD as data blocks, cut at "
                     "every 'data_')");
  // Cut at every "data_"; pieces between two adjacent cuts are empty and skipped.
  std::uint32_t line = first_line;
  std::size_t counted = 0, line_start = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t next = text.find(kData, at + kData.size());
    if (next == std::string_view::npos) next = text.size();
    if (next > at + kData.size()) {
      for (std::size_t i = counted; i < at; ++i)
        if (text[i] == '\n') {
          ++line;
          line_start = i + 1;
        }
      counted = at;
      Reader(doc, source).read(text.substr(at, next - at), line, static_cast<std::uint32_t>(at - line_start + 1));
    }
    at = next;
  }
  return doc;
}

}  // namespace foldfit::cif
