// glu.hpp - which gated linear unit implementation AlphaFold 3 runs, a memory setting.
//
// tokamax's fused GLU (a Triton kernel) keeps only the GLU output; its XLA implementation
// also materialises the [.., 2C] pre-activation, which in the diffusion conditioning alone
// is 2,048 N^2 bytes (f32). Which one runs is not a flag: the GPU and the AlphaFold 3
// build decide it (docs/memory-model.md, "The gated linear unit").
#pragma once

#include <string>
#include <string_view>

namespace foldfit {

struct GluChoice {
  std::string implementation;  // "fused" | "xla" (the profile's glu_implementation knob)
  std::string why;             // one line: what chose it
};

// The GLU AlphaFold 3 runs on a GPU of compute capability `cc_major`.`cc_minor` (0.0:
// unknown) for the AlphaFold 3 build `af3_release`:
//   "v3.0.4" (any release tag "vX.Y.Z" or "X.Y.Z"), "main" (main as it is now), or
//   "main@YYYY-MM-DD" (a build of main from that date); "" when not identified.
// Compute capability 7.x runs the XLA implementation (the Triton kernel needs 8.0); so do
// builds of main from 2025-10-21 (cf40461, which passes backend='triton' to pallas_call,
// an argument its pinned jax 0.4.34 lacks, so the fused call raises and the fallback
// catches it) to before 2025-11-29 (the switch to tokamax), on every GPU. Otherwise fused.
// Throws UsageError for a release name it cannot read.
GluChoice glu_for(int cc_major, int cc_minor, std::string_view af3_release);

}  // namespace foldfit
