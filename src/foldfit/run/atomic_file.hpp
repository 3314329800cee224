// atomic_file.hpp - writing a file so that readers see the old or the new content, never half.
#pragma once

#include <string>

namespace foldfit {

// Writes `content` to a temporary file beside `path`, flushes it to disk and renames it
// over `path`. Creates missing parent folders. Throws std::runtime_error naming the path.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace foldfit
