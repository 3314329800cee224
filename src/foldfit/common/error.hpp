// error.hpp - the exceptions the library throws; only the CLI turns them into exit codes.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace foldfit {

// Where in an input something was found. Empty fields are left out when printed.
struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string path;  // JSON path, e.g. "sequences[2].ligand.ccdCodes[0]"
};

// "file:line:col: path: " (the parts that are known).
std::string format_location(const SourceLocation& loc);

// Invalid input or usage: the CLI exits with code 2. what() is the full message,
// "job.json:17:9: sequences[2].ligand.ccdCodes[0]: unknown CCD code 'XYZ'".
class InputError : public std::runtime_error {
 public:
  InputError(SourceLocation loc, const std::string& message);
  const SourceLocation& location() const { return loc_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation loc_;
  std::string message_;
};

// Usage errors: bad flags, bad flag values. Also exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace foldfit
