// xla_verify.hpp - asking XLA for AlphaFold 3's compiled memory: the request a plan makes
// of the verify helper (python/foldfit_xla_verify.py, docs/xla.md), the helper's run
// with the user's AlphaFold 3 interpreter, its response, and the comparison with
// foldfit's estimate.
//
//   Plan ──verify_request──▶ JSON ──run_verify_helper──▶ XLA's memory_analysis ──compare──▶ report
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "foldfit/common/bytes.hpp"
#include "foldfit/plan/planner.hpp"

namespace foldfit {

enum class XlaBackend { cuda_device, cuda_deviceless, cpu };
std::string_view backend_name(XlaBackend b);  // "cuda-device" | "cuda-deviceless" | "cpu"
std::optional<XlaBackend> backend_from_name(std::string_view name);

struct VerifyOptions {
  XlaBackend backend = XlaBackend::cuda_deviceless;
  std::string target;               // foldfit's GPU name (a row of data/xla/gpu_targets.tsv)
  std::string target_config;        // a GpuTargetConfigProto text file instead of the table row
  std::optional<Bytes> device_memory;  // the pool XLA plans for (its rematerialization base)
  std::string model_dir;            // parameter shapes from real weights
  std::string run_alphafold;        // run_alphafold.py, whose make_model_config builds the config
  std::string cache_dir;            // the helper's result cache
  std::string glu_implementation;   // "" (tokamax chooses), "fused" or "xla"
  int top_buffers = 10;
};

// The helper's request for a plan: its padded N, samples per run, attention, the
// model-config fields it changes, optional outputs, and the options. A pure function.
nlohmann::ordered_json verify_request(const Plan& plan, const VerifyOptions& options);

struct XlaBuffer {
  Bytes bytes;
  std::string shape;
  std::string dtype;
  std::string name;   // XLA's op_name: the JAX name stack with haiku's module path
  std::string phase;  // foldfit's phase it belongs to ("" when the name says nothing)
};

// XLA's figures for one compile (the helper's response).
struct XlaFigures {
  Bytes argument, output, alias, temp, generated_code;
  Bytes pool;                    // argument + output + temp - alias: what JAX's allocator must hold
  std::optional<Bytes> peak;     // XLA's own peak, where jaxlib reports it
  std::optional<Bytes> device_peak;  // cuda-device: peak_bytes_in_use after one run
  double compile_seconds = 0;
  double lower_seconds = 0;
  Bytes host_peak_rss;
  std::string rematerialization_warning;  // empty: none
  std::vector<XlaBuffer> largest;
  std::string backend;
  std::string target;
  nlohmann::ordered_json versions;
  bool cached = false;
  nlohmann::ordered_json response;  // the whole response, as the helper wrote it
};

// Reads a successful response. Throws InputError naming `source` and the member on a
// malformed one.
XlaFigures parse_verify_response(const nlohmann::json& response, const std::string& source);

// foldfit's phase for an XLA buffer, from its op_name (haiku module path), e.g.
// ".../vmap(diffusion_head)/pair_cond_initial_norm/..." -> "diffusion_conditioning".
std::string phase_of_buffer(std::string_view op_name);

// One run of the helper.
struct HelperRun {
  int exit_code = -1;            // the helper's (2 request/environment, 1 compile), or -1 if it did not start
  nlohmann::json response;       // its stdout, parsed (null when it is not JSON)
  std::string error;             // the helper's error, or why it could not start
  std::string kind;              // "request" | "environment" | "compile" | "start"
  double seconds = 0;
};
using LineFn = std::function<void(const std::string& line)>;
// Runs `python... helper --request=FILE` (the request written to FILE in `work_dir`)
// with `environment`, its stdout to a file and each stderr line to `on_line`.
HelperRun run_verify_helper(const std::vector<std::string>& python, const std::string& helper,
                            const nlohmann::ordered_json& request, const std::map<std::string, std::string>& environment,
                            const std::string& work_dir, const LineFn& on_line);

// Writes the helper and the table it reads (embedded in foldfit) under `dir`, as they
// lie in the source tree, unless already there; returns the helper's path.
std::string install_verify_helper(const std::string& dir);

}  // namespace foldfit
