// version.hpp - the foldfit version, stamped into the binary and every report.
#pragma once

#include <string_view>

namespace foldfit {

// "0.1.0" (the release) and "0.1.0 (g1234abc)" (with the source revision, when known).
std::string_view version();
std::string_view version_long();

}  // namespace foldfit
