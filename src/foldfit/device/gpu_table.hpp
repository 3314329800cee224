// gpu_table.hpp - the GPUs people run AlphaFold 3 on: memory as the driver reports it,
// compute capability and throughput (data/gpus.tsv, origins in data/README.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "foldfit/common/bytes.hpp"

namespace foldfit {

struct GpuSpec {
  std::string name;          // canonical spelling, e.g. "H100-80GB", "A100-40GB", "L40S", "RTX-4090"
  std::string full_name;     // as NVML names it, e.g. "NVIDIA H100 80GB HBM3"
  Bytes memory;              // total memory as the driver reports it (not the marketing figure)
  int cc_major = 0;          // compute capability
  int cc_minor = 0;
  std::string architecture;  // "volta", "ampere", "hopper", ...
  double bf16_tflops = 0;    // dense bf16 (fp16 where no bf16) tensor throughput
  double bandwidth_gbs = 0;  // memory bandwidth, GB/s
  std::string origin;        // where cc, throughput and bandwidth come from
  std::string memory_origin; // where `memory` comes from (an nvidia-smi total, ...)
  std::vector<std::string> nvml_names;  // every NVML name of this card; full_name is the first
};

// Reads a table in the data/gpus.tsv format. Throws InputError naming `source`, the
// line and the column on a malformed row.
std::vector<GpuSpec> parse_gpu_table(std::string_view tsv, const std::string& source);

// Every GPU in the embedded data/gpus.tsv, in table order.
const std::vector<GpuSpec>& gpu_table();

// Case-insensitive; '-', '_' and ' ' are equivalent ("h100_80gb" finds "H100-80GB").
// Also matches NVML's full names. nullptr when unknown.
const GpuSpec* find_gpu(std::string_view name);

// Up to three canonical names close to `name`, for "did you mean".
std::vector<std::string> close_gpu_names(std::string_view name);

// find_gpu, or a UsageError naming --gpu with "did you mean" and where the table is listed.
const GpuSpec& require_gpu(std::string_view name);

}  // namespace foldfit
