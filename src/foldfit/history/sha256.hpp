// sha256.hpp - SHA-256 (FIPS 180-4) of bytes and files, to recognise an input across runs.
#pragma once

#include <string>
#include <string_view>

namespace foldfit {

// Lower-case hex digest of `data`.
std::string sha256_hex(std::string_view data);
// Of a file's bytes, read in blocks. Throws InputError when it cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace foldfit
