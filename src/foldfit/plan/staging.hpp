// staging.hpp - staged folding of large homomers, planned like any input (docs/staging.md).
//
// Each stage's input (input/stage.hpp) is read back and validated as AlphaFold 3 would,
// sized and planned by plan_input with the one PlanRequest, so a stage gets the same plan
// `foldfit estimate` gives its file. What staging changes is stated, not sold: the last
// stage is the full complex and needs the full complex's memory; what the earlier stages
// give it is a template, which may let fewer recycles converge. The offer is that
// recycles setting with the time it saves on the last stage, against the time the
// earlier stages cost.
//
// When the full complex cannot fit the device even with unified memory over the node's
// host RAM, sub-assemblies are proposed: the largest k-mer that fits, as overlapping
// windows over the copies, for the user to fold and assemble by superposing the overlaps.
#pragma once

#include <string>
#include <vector>

#include "foldfit/chem/ccd.hpp"
#include "foldfit/input/stage.hpp"
#include "foldfit/plan/pipeline.hpp"
#include "foldfit/sizes/sizes.hpp"

namespace foldfit {

struct PlannedStage {
  StagedInput staged;
  std::string text;        // the stage's JSON text, as written
  std::string file_name;   // "<sanitised name>.json"
  PlannedInput planned;
};

// The recycles offer for the last stage (which has a template from the one before it).
struct RecyclesOffer {
  bool user_set = false;   // --num_recycles given: the plan keeps it, nothing is offered
  int from = 0;            // the last stage's planned recycles
  int to = 0;              // the offered value
  std::string to_origin;   // where the offered value comes from
  RuntimeEstimate last_before;   // last stage at `from`
  RuntimeEstimate last_after;    // last stage at `to`
  RuntimeEstimate earlier;       // every earlier stage, at its plan's settings, summed
  double saving_seconds = 0;     // last_before - last_after
  double net_seconds = 0;        // saving - earlier stages (negative: staging costs time)
};

struct SubAssembly {
  std::string name;
  std::vector<std::string> chains;   // the full complex's chain ids it holds
  std::vector<std::string> overlap;  // chain ids shared with the previous window
  std::string text;
  std::string file_name;
};

struct SubAssemblyAdvice {
  bool needed = false;          // the full complex fits no way on the device
  std::string why;              // why (or why not) sub-assemblies are proposed
  int copies = 0;               // k of the k-mers, 0 when none fits
  PlannedInput planned;         // the k-mer's plan (when copies > 0)
  std::vector<SubAssembly> windows;
  std::string instructions;     // what the user does with the predictions
};

struct StagingPlan {
  std::string file;
  std::string name;
  std::vector<std::string> groups;   // every entity with its copies, in words
  int full = 0;
  std::vector<PlannedStage> stages;
  RecyclesOffer offer;
  SubAssemblyAdvice subassemblies;
  Af3ReleaseChoice release;  // the AlphaFold 3 release planned for
};

struct StagingRequest {
  std::vector<int> stages;     // from parse_stages
  int offered_recycles = 3;    // --template_recycles
  bool subassemblies = true;   // check whether sub-assemblies are needed and plan them
};

// Plans every stage of `input` (read by read_input_file; alphafold3 dialect). `base` is
// the CCD the input is sized with (plus its userCCD). Throws InputError for an input that
// cannot be staged, naming the place in the file; UsageError for impossible settings.
StagingPlan plan_stages(const Input& input, const Ccd& base, const SizeOptions& size_options,
                        const PlanRequest& request, const StagingRequest& staging);

// The value --template_recycles offers by default, and where it comes from.
inline constexpr int kDefaultTemplateRecycles = 3;
extern const char* const kTemplateRecyclesOrigin;

}  // namespace foldfit
