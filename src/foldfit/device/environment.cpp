// The JAX/XLA memory settings, read as jaxlib and XLA read them:
// - jaxlib xla_client.py generate_pjrt_gpu_plugin_options(): XLA_PYTHON_CLIENT_ALLOCATOR
//   (lower-cased, one of default/platform/bfc/cuda_async/vmm), XLA_CLIENT_MEM_FRACTION or
//   the deprecated XLA_PYTHON_CLIENT_MEM_FRACTION (float(); both set is a ValueError),
//   XLA_PYTHON_CLIENT_PREALLOCATE (false unless exactly "false", "False" or "0");
// - XLA xla/pjrt/gpu/gpu_helpers.cc CreateBFCAllocator(): TF_FORCE_UNIFIED_MEMORY through
//   tsl::ReadBoolFromEnvVar ("true"/"false"/"1"/"0", any case; else an error is logged and
//   false used), pool = total * fraction, or total * max(1, fraction) with unified memory;
// - AlphaFold 3 run_alphafold.py: compute capability below 6.0 refused; 7.x needs the XLA
//   flag below and --flash_attention_implementation=xla.
#include "foldfit/device/environment.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

constexpr const char* kPreallocate = "XLA_PYTHON_CLIENT_PREALLOCATE";
constexpr const char* kFraction = "XLA_CLIENT_MEM_FRACTION";
constexpr const char* kOldFraction = "XLA_PYTHON_CLIENT_MEM_FRACTION";
constexpr const char* kUnified = "TF_FORCE_UNIFIED_MEMORY";
constexpr const char* kAllocator = "XLA_PYTHON_CLIENT_ALLOCATOR";
constexpr const char* kXlaFlags = "XLA_FLAGS";
constexpr const char* kRequiredFlag = "--xla_disable_hlo_passes=custom-kernel-fusion-rewriter";
// AF3's Dockerfile and docs/performance.md: the fraction with which 5,120 tokens fit on 80 GB.
constexpr double kAf3Fraction = 0.95;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
}

// Python's float() on the value (surrounding whitespace allowed); nullopt if it fails.
std::optional<double> python_float(const std::string& value) {
  std::string t = trim(value);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return std::nullopt;
  return d;
}

std::optional<std::string> get(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

std::string fraction_text(double f) { return fmt::format("{:g}", f); }

}  // namespace

bool XlaEnvironment::disables_custom_kernel_fusion() const {
  // AF3 tests for this exact text in XLA_FLAGS (run_alphafold.py), so foldfit does too.
  return xla_flags.find(kRequiredFlag) != std::string::npos;
}

XlaEnvironment parse_environment(const std::map<std::string, std::string>& env) {
  XlaEnvironment out;
  for (const char* name : {kPreallocate, kFraction, kOldFraction, kUnified, kAllocator, kXlaFlags})
    if (auto v = get(env, name)) out.raw[name] = *v;

  // jaxlib treats an empty value as unset, and every other value but exactly false,
  // False or 0 as true: a value that reads as "off" to a person but on to jaxlib, or
  // as nothing at all, is refused rather than guessed.
  if (auto v = get(env, kPreallocate); v && !v->empty()) {
    static const std::vector<std::string> on{"true", "True", "TRUE", "1", "yes", "Yes", "YES", "on", "On", "ON"};
    out.preallocate = !(*v == "false" || *v == "False" || *v == "0");
    if (out.preallocate && std::find(on.begin(), on.end(), *v) == on.end())
      out.invalid[kPreallocate] = fmt::format(
          "'{}' is not a boolean jaxlib reads as meant: jaxlib turns preallocation ON for every value other than "
          "exactly false, False or 0", *v);
  }

  // XLA_CLIENT_MEM_FRACTION wins; jaxlib refuses both at once (check_environment says so).
  const char* fraction_variable = nullptr;
  if (auto v = get(env, kFraction); v && !v->empty()) fraction_variable = kFraction;
  else if (auto old = get(env, kOldFraction); old && !old->empty()) fraction_variable = kOldFraction;
  if (auto v = get(env, kFraction), old = get(env, kOldFraction); v && old && !v->empty() && !old->empty())
    out.invalid[kOldFraction] = fmt::format("both {} and the deprecated {} are set: jaxlib raises ValueError and JAX "
                                            "does not start", kFraction, kOldFraction);
  if (fraction_variable) {
    const std::string& text = out.raw[fraction_variable];
    std::optional<double> f = python_float(text);
    if (!f) {
      out.invalid[fraction_variable] = fmt::format("'{}' is not a number (jaxlib fails on float('{}'))", text, text);
    } else if (!std::isfinite(*f) || *f <= 0) {
      out.invalid[fraction_variable] = fmt::format(
          "'{}' is not a fraction above 0: jaxlib passes float('{}') to XLA, which sizes the pool from it", text, text);
    } else {
      out.mem_fraction = *f;
      out.mem_fraction_variable = fraction_variable;
    }
  }

  if (auto v = get(env, kUnified); v && !v->empty()) {
    std::string b = lower(*v);
    if (b == "true" || b == "1") out.unified_memory = true;
    else if (b == "false" || b == "0") out.unified_memory = false;
    else
      out.invalid[kUnified] = fmt::format(
          "'{}' is not a boolean: XLA accepts true, false, 1 or 0 (any case), logs "
          "'Unable to read TF_FORCE_UNIFIED_MEMORY' and runs without unified memory", *v);
  }

  if (auto v = get(env, kAllocator)) {
    out.allocator = lower(*v);
    static const std::vector<std::string> known{"default", "platform", "bfc", "cuda_async", "vmm"};
    if (std::find(known.begin(), known.end(), out.allocator) == known.end())
      out.invalid[kAllocator] = fmt::format(
          "'{}' is not an allocator jaxlib knows (default, platform, bfc, cuda_async, vmm): JAX refuses to start", *v);
  }

  if (auto v = get(env, kXlaFlags)) out.xla_flags = *v;

  // XLA sizes the pool as total x fraction: above 1 only unified memory can give it.
  if (out.mem_fraction && *out.mem_fraction > 1.0 && !out.unified_memory && !out.invalid.count(kUnified))
    out.invalid[out.mem_fraction_variable] = fmt::format(
        "{}={} asks for more than the device's memory, which only unified memory can give (XLA sizes the pool as "
        "total x fraction)", out.mem_fraction_variable, out.raw[out.mem_fraction_variable]);
  return out;
}

MemoryBudget memory_budget(const XlaEnvironment& env, Bytes device_total) {
  MemoryBudget b;
  b.device_total = device_total;
  double f = env.effective_fraction();
  std::string source = env.mem_fraction ? fmt::format("{}={}", env.mem_fraction_variable, fraction_text(f))
                                        : fmt::format("JAX's default fraction {}", fraction_text(f));
  if (env.allocator == "platform") {
    b.pool = device_total;
    b.origin = "XLA_PYTHON_CLIENT_ALLOCATOR=platform: no pool and no fraction; each buffer is allocated "
               "from the device as needed, up to what is free";
    return b;
  }
  if (env.unified_memory) {
    double u = std::max(1.0, f);
    b.pool = device_total.scaled(u);
    b.host_spill = b.pool - device_total;
    b.origin = fmt::format("total x max(1, fraction) = total x {} ({}, TF_FORCE_UNIFIED_MEMORY=true; "
                           "XLA CreateBFCAllocator); the part above the device's memory lives in host RAM",
                           fraction_text(u), source);
    return b;
  }
  b.pool = device_total.scaled(std::min(f, 1.0));
  b.origin = fmt::format("total x fraction = total x {} ({}; XLA CreateBFCAllocator){}", fraction_text(f), source,
                         f > 1.0 ? ", capped at the device's memory: above 1 needs unified memory" : "");
  if (!env.preallocate) b.origin += "; PREALLOCATE=false: grows on demand up to this cap";
  return b;
}

std::vector<EnvFinding> check_environment(const XlaEnvironment& env, int cc_major, int cc_minor,
                                          const std::string& flash_implementation) {
  return check_environment(env, cc_major, cc_minor, flash_implementation, Bytes(0));
}

std::vector<EnvFinding> check_environment(const XlaEnvironment& env, int cc_major, int cc_minor,
                                          const std::string& flash_implementation, Bytes device_total) {
  using S = EnvFinding::Severity;
  std::vector<EnvFinding> out;
  auto add = [&](S s, std::string variable, std::string message, std::string fix) {
    out.push_back({s, std::move(variable), std::move(message), std::move(fix)});
  };

  // Values that cannot be read.
  for (const auto& [variable, why] : env.invalid) {
    std::string fix;
    if (variable == kUnified) fix = fmt::format("set {}=true or {}=false", kUnified, kUnified);
    else if (variable == kAllocator) fix = fmt::format("unset {} (the default is the BFC allocator)", kAllocator);
    else if (variable == kPreallocate) fix = fmt::format("set {}=true or {}=false", kPreallocate, kPreallocate);
    else if (variable == kOldFraction && env.raw.count(kFraction)) fix = fmt::format("unset {}", kOldFraction);
    else if (env.mem_fraction && *env.mem_fraction > 1.0)
      fix = fmt::format("set {}=true and {}=false to spill to host RAM (much slower), or set {}={}", kUnified,
                        kPreallocate, variable, fraction_text(kAf3Fraction));
    else fix = fmt::format("set {}={} (AlphaFold 3's setting) or unset it", kFraction, fraction_text(kAf3Fraction));
    add(S::error, variable, why, fix);
  }

  // The pool's size.
  bool fraction_usable = !env.invalid.count(kFraction) && !env.invalid.count(kOldFraction);
  double f = env.effective_fraction();
  std::string fv = env.mem_fraction ? env.mem_fraction_variable : std::string(kFraction);
  if (env.allocator == "platform") {
    add(S::warning, kAllocator,
        "the platform allocator has no pool: every buffer is allocated and freed on the device as needed, "
        "which is very slow (JAX docs: for debugging only); the memory fraction does not apply",
        fmt::format("unset {}", kAllocator));
  } else if (fraction_usable && !env.unified_memory && f <= 1.0) {
    Bytes left = device_total - device_total.scaled(f);
    if (f > 1.0 - kMinHeadroomShare) {
      add(S::warning, fv,
          fmt::format("{}={} leaves less than {:g}% of the device outside JAX's pool for the CUDA context and "
                      "library workspaces; the process can fail outside the pool",
                      fv, fraction_text(f), kMinHeadroomShare * 100),
          fmt::format("set {}={}", fv, fraction_text(kAf3Fraction)));
    } else if (device_total.count() > 0 && left < kOutsidePoolReserve) {
      double safe = std::floor(static_cast<double>((device_total - kOutsidePoolReserve).count()) /
                               static_cast<double>(device_total.count()) * 100.0) / 100.0;
      add(S::warning, fv,
          fmt::format("{}={} leaves {} of this {} device outside JAX's pool, less than the ~{} the CUDA context "
                      "and library workspaces take",
                      fv, fraction_text(f), format_gb(left), format_gb(device_total, 1), format_gb(kOutsidePoolReserve, 0)),
          fmt::format("set {}={} or lower", fv, fraction_text(safe)));
    }
  }
  if (!env.mem_fraction && fraction_usable && env.allocator != "platform" && !env.unified_memory)
    add(S::note, kFraction,
        fmt::format("not set: JAX's default fraction {} applies; AlphaFold 3's Dockerfile sets {} (with which "
                    "5,120 tokens fit on an 80 GB A100/H100)", fraction_text(kJaxDefaultFraction),
                    fraction_text(kAf3Fraction)),
        fmt::format("set {}={} for a {}% larger pool", kFraction, fraction_text(kAf3Fraction),
                    static_cast<int>(std::lround((kAf3Fraction / kJaxDefaultFraction - 1) * 100))));

  // Unified memory and preallocation.
  if (env.unified_memory && fraction_usable) {
    if (f <= 1.0)
      add(S::note, kUnified,
          fmt::format("unified memory with a fraction of {} gives no room beyond the device: the pool is "
                      "total x max(1, fraction)", fraction_text(f)),
          fmt::format("set {}=3.2 as AlphaFold 3's docs do (host RAM must hold the part above the device)", kFraction));
    else
      add(S::note, kUnified,
          fmt::format("unified memory: the pool is {} x the device's memory; up to {:g} x of it spills to host RAM, "
                      "which must be free, and spilled steps run much slower", fraction_text(f), f - 1.0),
          "check the host's free RAM against the spill; prefer a smaller bucket or sharding when they suffice");
    if (env.preallocate)
      add(S::warning, kPreallocate,
          "unified memory with preallocation reserves the whole pool, host part included, when JAX starts; "
          "AlphaFold 3's docs pair unified memory with XLA_PYTHON_CLIENT_PREALLOCATE=false",
          fmt::format("set {}=false", kPreallocate));
  }
  if (!env.preallocate)
    add(S::note, kPreallocate,
        "preallocation off: the pool grows on demand up to the same cap, and is more prone to fragmentation "
        "(JAX docs), so a run near the cap can fail where a preallocated one fits",
        "for the largest inputs keep XLA_PYTHON_CLIENT_PREALLOCATE=true (unless using unified memory)");

  // The device and the attention implementation (AF3 run_alphafold.py).
  static const std::vector<std::string> flash_known{"triton", "cudnn", "xla"};
  bool flash_valid = std::find(flash_known.begin(), flash_known.end(), flash_implementation) != flash_known.end();
  if (!flash_valid)
    add(S::error, "", fmt::format("--flash_attention_implementation={} is not one of triton, cudnn, xla",
                                  flash_implementation),
        "use --flash_attention_implementation=triton (the default), cudnn or xla");
  std::string cc = fmt::format("{}.{}", cc_major, cc_minor);
  if (cc_major > 0 && cc_major < 6) {
    add(S::error, "", fmt::format("compute capability {} is below 6.0: AlphaFold 3 refuses to run", cc),
        "use a GPU of compute capability 6.0 or higher (Pascal or newer)");
  } else if (cc_major == 7) {
    if (!env.disables_custom_kernel_fusion())
      add(S::error, kXlaFlags,
          fmt::format("compute capability {} needs XLA_FLAGS to include {}: without it outputs are silently "
                      "wrong and AlphaFold 3 refuses to run", cc, kRequiredFlag),
          env.xla_flags.empty() ? fmt::format("export XLA_FLAGS=\"{}\"", kRequiredFlag)
                                : fmt::format("export XLA_FLAGS=\"{} {}\"", env.xla_flags, kRequiredFlag));
    if (flash_valid && flash_implementation != "xla")
      add(S::error, "",
          fmt::format("compute capability {} needs --flash_attention_implementation=xla (not {}): AlphaFold 3 "
                      "refuses to run", cc, flash_implementation),
          "pass --flash_attention_implementation=xla");
  } else if (cc_major == 6 && flash_valid && flash_implementation != "xla") {
    add(S::warning, "",
        fmt::format("compute capability {}: the {} flash attention kernels need compute capability 8.0 or higher",
                    cc, flash_implementation),
        "pass --flash_attention_implementation=xla");
  }
  // Errors first, then warnings, then notes; rule order within each.
  std::stable_sort(out.begin(), out.end(),
                   [](const EnvFinding& a, const EnvFinding& b) { return a.severity < b.severity; });
  return out;
}

void require_valid(const XlaEnvironment& env) {
  if (env.invalid.empty()) return;
  for (const EnvFinding& f : check_environment(env, 0, 0, "triton"))
    if (f.severity == EnvFinding::Severity::error && env.invalid.count(f.variable))
      throw UsageError(fmt::format("environment: {}{}{}",
                                   f.message.rfind(f.variable + "=", 0) == 0 ? "" : f.variable + ": ", f.message,
                                   f.fix.empty() ? "" : "; fix: " + f.fix));
  const auto& [variable, why] = *env.invalid.begin();
  throw UsageError(fmt::format("environment: {}: {}", variable, why));
}

const char* severity_name(EnvFinding::Severity s) {
  switch (s) {
    case EnvFinding::Severity::error: return "error";
    case EnvFinding::Severity::warning: return "warning";
    case EnvFinding::Severity::note: return "note";
  }
  return "note";
}

std::string format_findings(const std::vector<EnvFinding>& findings) {
  std::string out;
  for (const EnvFinding& f : findings) {
    out += fmt::format("{}: {}{}\n", severity_name(f.severity), f.variable.empty() ? "" : f.variable + ": ", f.message);
    if (!f.fix.empty()) out += fmt::format("  fix: {}\n", f.fix);
  }
  return out;
}

}  // namespace foldfit
