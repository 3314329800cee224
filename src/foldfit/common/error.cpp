#include "foldfit/common/error.hpp"

namespace foldfit {

std::string format_location(const SourceLocation& loc) {
  std::string out;
  if (!loc.file.empty()) {
    out += loc.file;
    if (loc.line) {
      out += ':' + std::to_string(loc.line);
      if (loc.column) out += ':' + std::to_string(loc.column);
    }
    out += ": ";
  }
  if (!loc.path.empty()) out += loc.path + ": ";
  return out;
}

InputError::InputError(SourceLocation loc, const std::string& message)
    : std::runtime_error(format_location(loc) + message), loc_(std::move(loc)), message_(message) {}

}  // namespace foldfit
