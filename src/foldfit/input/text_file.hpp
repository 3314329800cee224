// text_file.hpp - reading input files as AlphaFold 3 does: plain, gzip, xz or zstd,
// detected from the first bytes, streamed in chunks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace foldfit {

class TextFile {
 public:
  // Opens `path`; throws InputError (naming the file and the reason) when it is
  // missing, unreadable, a directory or not a regular file or FIFO.
  explicit TextFile(const std::string& path);
  ~TextFile();
  TextFile(const TextFile&) = delete;
  TextFile& operator=(const TextFile&) = delete;

  // Fills up to n bytes of decompressed text; 0 at the end. Throws InputError on
  // read or decompression errors.
  std::size_t read(char* buf, std::size_t n);

  const std::string& path() const { return path_; }
  const char* compression() const;  // "none", "gzip", "xz", "zstd"

 private:
  struct Impl;
  std::string path_;
  std::unique_ptr<Impl> impl_;
};

// Streams a file and counts its A3M sequences (lines that start with '>') and bytes.
struct A3mCount {
  std::uint64_t rows = 0;
  std::uint64_t bytes = 0;
};
A3mCount count_a3m_file(const std::string& path);

// Counts header lines in A3M text held in memory.
std::uint64_t count_a3m_rows(std::string_view text);

// Reads a whole (possibly compressed) file into memory; for small files such as a
// user CCD. Throws InputError when it exceeds `max_bytes`.
std::string read_text_file(const std::string& path, std::uint64_t max_bytes);

}  // namespace foldfit
