// reader_context.hpp - typed access to a located JSON tree, shared by both dialect readers.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "foldfit/common/error.hpp"
#include "foldfit/input/input.hpp"
#include "foldfit/input/json.hpp"

namespace foldfit {

struct ReaderContext {
  std::string file;

  SourceLocation at(const json::Value& v, const std::string& path) const;
  [[noreturn]] void fail(const json::Value& v, const std::string& path, const std::string& message) const;
  // Returns v when it has the given type, else fails with "expected X, found Y".
  const json::Value& expect(const json::Value& v, json::Type type, const std::string& path) const;
  // Fails on the first member not in `allowed`, pointing at that member's name.
  void check_keys(const json::Value& obj, const std::string& path, std::initializer_list<std::string_view> allowed) const;
  const std::string& string_member(const json::Value& obj, std::string_view key, const std::string& path) const;
  std::int64_t integer(const json::Value& v, const std::string& path) const;
  // The "modifications" list of a polymer entity: {type_key: CCD code, pos_key: residue}.
  std::vector<Modification> modifications(const json::Value& obj, const std::string& path, std::string_view type_key,
                                          std::string_view pos_key) const;
  // A polymer sequence: not empty, letters only; modification positions inside it.
  void check_sequence(const json::Value& obj, const std::string& path, const Entity& e, std::string_view kind) const;
  // A *Path field resolved against the JSON file's folder, as AlphaFold 3 does.
  std::string resolve(const std::string& path) const;
  bool looks_like_existing_path(const std::string& text) const;

  static std::string join(const std::string& path, std::string_view key);
  static std::string index(const std::string& path, std::size_t i);
};

Input read_af3_dialect(const ReaderContext& ctx, const json::Value& root, const ReadOptions& options);
std::vector<Input> read_server_dialect(const ReaderContext& ctx, const json::Value& root);

}  // namespace foldfit
