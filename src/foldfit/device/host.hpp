// host.hpp - facts about the host machine the planner needs (RAM for unified memory).
#pragma once

#include "foldfit/common/bytes.hpp"

namespace foldfit {

// MemTotal from /proc/meminfo; Bytes(0) when unknown.
Bytes host_memory_total();

}  // namespace foldfit
