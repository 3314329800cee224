// environment.hpp - the JAX/XLA memory settings AlphaFold 3 runs under, and the memory
// budget they give on a device.
//
// Variables read (as JAX 0.4+/XLA read them): XLA_PYTHON_CLIENT_PREALLOCATE,
// XLA_CLIENT_MEM_FRACTION (and the older XLA_PYTHON_CLIENT_MEM_FRACTION),
// TF_FORCE_UNIFIED_MEMORY, XLA_PYTHON_CLIENT_ALLOCATOR, XLA_FLAGS.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/bytes.hpp"

namespace foldfit {

// JAX's pool fraction when no variable sets one (jaxlib / XLA PJRT GPU client).
inline constexpr double kJaxDefaultFraction = 0.75;

struct XlaEnvironment {
  bool preallocate = true;              // XLA_PYTHON_CLIENT_PREALLOCATE (JAX default true)
  std::optional<double> mem_fraction;   // as given; nullopt: JAX's default 0.75
  std::string mem_fraction_variable;    // which variable gave it
  bool unified_memory = false;          // TF_FORCE_UNIFIED_MEMORY
  std::string allocator;                // XLA_PYTHON_CLIENT_ALLOCATOR ("", "platform", "bfc", ...)
  std::string xla_flags;                // XLA_FLAGS
  std::map<std::string, std::string> raw;  // the variables that were set, for reports
  std::map<std::string, std::string> invalid;  // variable -> why its value cannot be used

  double effective_fraction() const { return mem_fraction.value_or(kJaxDefaultFraction); }
  bool disables_custom_kernel_fusion() const;  // the flag compute capability 7.x needs
};

struct EnvFinding {
  enum class Severity { error, warning, note };
  Severity severity = Severity::note;
  std::string variable;  // the variable concerned, if one
  std::string message;   // what is wrong
  std::string fix;       // what to do
};

// Reads the variables from a name -> value map, exactly as jaxlib and XLA read them.
// Values AlphaFold 3 would fail on or that JAX would read other than meant (not a
// number, NaN, both fraction variables, a fraction above 1 without unified memory, a
// boolean jaxlib or XLA misreads, an unknown allocator) are recorded in `invalid`.
XlaEnvironment parse_environment(const std::map<std::string, std::string>& env);
// Throws UsageError naming the first invalid variable, what JAX would do with it and
// the fix. Every command that plans or launches calls it: an invalid environment is an
// error (exit 2), never a verdict.
void require_valid(const XlaEnvironment& env);

struct MemoryBudget {
  Bytes device_total;     // the card's memory
  Bytes pool;             // what JAX's allocator may use on the device
  Bytes host_spill;       // with unified memory: what may spill to host RAM
  std::string origin;     // how `pool` was computed, in words
};

// The pool JAX gets: total * fraction (PJRT GPU client, BFC allocator); with unified
// memory total * max(1, fraction), the part above total living in host RAM.
MemoryBudget memory_budget(const XlaEnvironment& env, Bytes device_total);

// Checks the settings against a device of compute capability `cc_major.cc_minor` and
// the flash attention implementation in use ("triton", "cudnn", "xla"): a fraction
// above 1 without unified memory (error), a fraction that leaves no headroom
// (warning), compute capability 7.x without the required XLA flag or with
// triton/cudnn (error), below 6.0 (error: unsupported), unparsable values (error).
// cc_major 0 means the device is unknown: only the settings themselves are checked.
std::vector<EnvFinding> check_environment(const XlaEnvironment& env, int cc_major, int cc_minor,
                                          const std::string& flash_implementation);
// The same, and with the device's total memory known, also whether the pool leaves
// room outside it for the CUDA context and library workspaces (kOutsidePoolReserve).
std::vector<EnvFinding> check_environment(const XlaEnvironment& env, int cc_major, int cc_minor,
                                          const std::string& flash_implementation, Bytes device_total);

// Memory a process needs on the device outside JAX's pool: the CUDA context (0.3-0.6 GB
// on recent drivers) plus cuBLAS/cuDNN workspaces. An estimate, not yet measured by foldfit.
inline constexpr Bytes kOutsidePoolReserve{1'000'000'000};
// Below this share of the device left outside the pool, a fraction is flagged.
inline constexpr double kMinHeadroomShare = 0.02;

// "error", "warning", "note".
const char* severity_name(EnvFinding::Severity s);
// One finding per paragraph: "error: XLA_CLIENT_MEM_FRACTION: ...", then "  fix: ..." when
// there is a fix, each line ending in a newline.
std::string format_findings(const std::vector<EnvFinding>& findings);

}  // namespace foldfit
