// placement.hpp - each input on the cheapest GPU class that fits it.
//
// One PlanRequest per class, built as `foldfit estimate --gpu=GPU --host_ram_gb=NODE_RAM`
// builds its own (make_planning, the same setting flags and environment), so a placement
// is the plan `estimate` prints for that GPU. The classes are tried in cost order; the
// first whose plan fits takes the input. plan_input reads only the token count and the
// seed count of the sizes, so placements are memoised on those two.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "foldfit/plan/planning.hpp"
#include "foldfit/schedule/cluster.hpp"

namespace foldfit {

struct Placement {
  int class_index = -1;            // into Cluster::classes; -1: fits nowhere
  Plan plan;                       // on that class (on the largest class when none fits)
  std::vector<std::string> passed; // cheaper classes, with why each was passed over
  std::string would_fit;           // fits nowhere: what would (a GPU from the table, unified memory, a split)
};

// The device flags that make `foldfit estimate` / `foldfit run` plan for class `g` as the
// Placer does: --gpu, for a MIG slice --max_gpu_memory_gb, and --host_ram_gb.
std::vector<std::string> class_device_flags(const GpuClass& g);

class Placer {
 public:
  // `setting_flags`: the setting flags given (as make_planning takes them, without the
  // device flags), with `environment`. Throws UsageError for bad settings.
  Placer(const Cluster& cluster, const std::map<std::string, std::string>& setting_flags,
         const std::map<std::string, std::string>& environment);

  const Placement& place(const Sizes& sizes);
  // The first of `classes` (indices, tried in the order given) that fits; not memoised.
  // A resubmission uses it to move an input onto a larger GPU after an out-of-memory.
  Placement place_among(const Sizes& sizes, const std::vector<int>& classes) const;
  const PlanRequest& request(int class_index) const { return requests_.at(static_cast<std::size_t>(class_index)).request; }
  std::size_t distinct() const { return memo_.size(); }

 private:
  const Cluster& cluster_;
  std::vector<Planning> requests_;
  std::map<std::pair<std::int64_t, std::size_t>, Placement> memo_;
};

}  // namespace foldfit
