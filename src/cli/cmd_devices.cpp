// cmd_devices.cpp - `foldfit devices`: the GPUs this machine has, the GPUs foldfit knows,
// and the JAX/XLA memory settings AlphaFold 3 would run under here.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "foldfit/common/process_environment.hpp"
#include "foldfit/common/version.hpp"
#include "foldfit/device/nvml.hpp"
#include "foldfit/report/devices_report.hpp"

namespace foldfit::cli {

const CommandSpec kDevicesSpec{
    "devices",
    "List the GPUs NVML reports on this machine, the GPUs foldfit knows (memory as drivers report it),\n"
    "and the JAX/XLA memory settings AlphaFold 3 would run under, with what is wrong in them.",
    "[flags]",
    "The environment is read from this process: XLA_PYTHON_CLIENT_PREALLOCATE, XLA_CLIENT_MEM_FRACTION\n"
    "(or XLA_PYTHON_CLIENT_MEM_FRACTION), TF_FORCE_UNIFIED_MEMORY, XLA_PYTHON_CLIENT_ALLOCATOR, XLA_FLAGS,\n"
    "and CUDA_VISIBLE_DEVICES. It is checked against the GPU --gpu_device selects, or the table GPU --gpu\n"
    "names. Exit codes: 0 (also when no GPU is found or a setting is wrong); 2 invalid usage.",
    {
        {"format", "text|json", "text", "output format"},
        {"gpu_device", "N", "0", "the GPU AlphaFold 3 would use, counted among visible devices (as AlphaFold 3's flag)"},
        {"gpu", "NAME", "", "check the environment against this table GPU instead of a detected one (e.g. V100-16GB)"},
        {"flash_attention_implementation", "triton|cudnn|xla", "triton", "as AlphaFold 3's flag, for the checks"},
    },
};

int run_devices(const ParsedOptions& options) {
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  int gpu_device = static_cast<int>(options.integer("gpu_device", 0, 1023).value_or(0));
  std::string flash =
      options.choice("flash_attention_implementation", {"triton", "cudnn", "xla"}).value_or("triton");
  std::unique_ptr<GpuQuery> query = make_nvml_query();
  const report::DevicesReport r =
      report::survey_devices(*query, gpu_device, options.get("gpu"), flash, process_environment());
  if (format == "json")
    std::cout << report::devices_json(r).dump(2) << "\n";
  else
    std::cout << report::devices_text(r);
  return kOk;
}

}  // namespace foldfit::cli
