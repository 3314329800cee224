#include "foldfit/plan/pipeline.hpp"

namespace foldfit {

PlannedInput plan_input(const Sizes& sizes, const PlanRequest& request, Bytes extra_margin) {
  PlannedInput out;
  PlanInputs& in = out.inputs;
  in.sizes = sizes;
  // --num_seeds replaces the input's modelSeeds (run_alphafold.py): time only.
  if (request.settings.num_seeds.user_set()) in.sizes.seeds = static_cast<std::size_t>(request.settings.num_seeds.value);
  in.settings = request.settings;
  in.device = request.device;
  in.margin = request.margin + extra_margin;
  in.release = request.release;
  in.af3_release = request.release.release->name;
  in.model = request.model ? request.model : &MemoryModel::builtin();
  in.calibrations = request.calibrations;
  out.plan = fit_settings(in);
  if (request.details) {
    out.trade_offs = trade_offs(in);
    out.minimum_gpu = minimum_gpu(in);
    out.recommended_gpu = recommended_gpu(in);
  }
  return out;
}

}  // namespace foldfit
