// ladder.hpp - the successive configurations to try for one input: the plan first, then,
// after each out-of-memory, a plan that keeps more memory free.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/bytes.hpp"
#include "foldfit/model/runtime_model.hpp"
#include "foldfit/plan/planner.hpp"
#include "foldfit/run/launch.hpp"

namespace foldfit {

// One configuration to run, with what the model expects of it.
struct Rung {
  RunSettings settings;         // the plan's settings, each with its origin
  std::vector<Change> changes;  // against the user's settings, each with its reason
  std::string verdict = "fits"; // the planner's: "fits" | "fits_with_plan" | "cannot_fit"
  std::int64_t padded_tokens = 0;  // the plan's N (0: unknown)
  Bytes expected_peak;          // the memory model's peak for this configuration (0: unknown)
  Bytes budget;                 // the pool the configuration gives on the device (0: unknown)
  RuntimeEstimate runtime;      // compile-free inference time
  Bytes extra_margin;           // kept free on top of --margin_gb, learnt from out-of-memory
  std::string origin;           // where the rung came from, in words
  std::vector<std::string> notes;  // e.g. unified memory: spill and slowdown
};

// What an out-of-memory taught.
struct OomLesson {
  RunSettings settings;         // the configuration that ran out
  Bytes expected_peak;          // what the model expected of it
  std::optional<Bytes> lower_bound;  // the least it needed, from the log (see af3_log.hpp)
  std::string evidence;         // the log line that says so
};

class Ladder {
 public:
  virtual ~Ladder() = default;
  virtual Rung first() = 0;
  // The next rung after an out-of-memory, or nullopt with `why_not` set.
  virtual std::optional<Rung> after_oom(const OomLesson& lesson, std::string& why_not) = 0;
};

// A ladder over a planner: rung k is the plan with an extra margin. After an
// out-of-memory the extra margin grows to the model's observed shortfall (lower bound
// minus expected peak) or, when that is unknown or no larger, by `step`. A plan that
// repeats a configuration already tried, or cannot fit, ends the ladder.
class MarginLadder final : public Ladder {
 public:
  using PlanFn = std::function<Rung(Bytes extra_margin)>;
  MarginLadder(PlanFn plan, Bytes step);
  Rung first() override;
  std::optional<Rung> after_oom(const OomLesson& lesson, std::string& why_not) override;

 private:
  PlanFn plan_;
  Bytes step_;
  Bytes extra_;
  std::vector<RunSettings> tried_;
};

}  // namespace foldfit
