// flag_values.hpp - parsing flag values the same way for foldfit's and AlphaFold 3's flags.
#pragma once

#include <string_view>

namespace foldfit {

// `text` as an integer within [lo, hi]. Throws UsageError naming --flag:
// "--num_recycles: expected an integer, found 'x'", "--gpu_device: 99 is outside 0..7".
long long parse_flag_integer(std::string_view flag, std::string_view text, long long lo, long long hi);

// `text` as a finite number within [lo, hi]. Throws UsageError naming --flag:
// "--margin_gb: expected a number, found 'x'", "--host_ram_gb: 0 is outside 0.1..1e+06".
double parse_flag_number(std::string_view flag, std::string_view text, double lo, double hi);

}  // namespace foldfit
