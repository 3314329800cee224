// atomic_file.hpp - output files written all or nothing: temporary file, fsync, rename.
//
// A reader of the output path sees either the old file (or none) or the complete new
// one, never a partial write, whatever fails in between (disk full, permissions, a
// killed process leaves at most a hidden temporary file beside it). Existing files are
// never replaced unless the caller says so.
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace foldfit {

// An output file could not be written (I/O): the CLI exits with code 1. what() names
// the path and the system's reason, "out/report.json: cannot write: No space left on device".
class OutputError : public std::runtime_error {
 public:
  OutputError(std::string path, const std::string& message);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// How bytes reach the file descriptor: ::write, or a fake in tests (returns -1 and
// sets errno to simulate a failure such as ENOSPC).
using WriteFn = std::function<ssize_t(int fd, const char* data, std::size_t n)>;

class AtomicFile {
 public:
  // Creates a hidden temporary file in `path`'s folder. Throws UsageError when `path`
  // exists and `force` is false, or names something other than a regular file (a
  // folder, a device); OutputError when the folder is missing or not writable.
  AtomicFile(std::string path, bool force, WriteFn write = {});
  ~AtomicFile();  // removes the temporary file unless commit() succeeded
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends bytes. Throws OutputError (and removes the temporary file) on failure.
  void write(std::string_view data);
  // fsync, then rename over `path` (refusing, without force, if it appeared meanwhile).
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }

 private:
  void discard() noexcept;
  [[noreturn]] void fail(const std::string& what, int err);

  std::string path_;
  std::string temp_;
  bool force_;
  WriteFn write_;
  int fd_ = -1;
  bool committed_ = false;
};

// Writes `content` to `path` atomically (see AtomicFile).
void write_file_atomically(const std::string& path, std::string_view content, bool force, WriteFn write = {});

// Replaces `path`, creating missing parent folders: for foldfit's own files (history
// outputs, the calibration overlay, the adapter), which it owns and may overwrite.
void replace_file_atomically(const std::string& path, std::string_view content);

}  // namespace foldfit
