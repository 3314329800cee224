// fixed_ladder.hpp - a Ladder fake for runner tests: the given rungs, one after another.
#pragma once

#include <fmt/format.h>

#include <vector>

#include "foldfit/run/ladder.hpp"

namespace foldfit {

class FixedLadder final : public Ladder {
 public:
  explicit FixedLadder(std::vector<Rung> rungs) : rungs_(std::move(rungs)) {}
  Rung first() override {
    next_ = 1;
    return rungs_.at(0);
  }
  std::optional<Rung> after_oom(const OomLesson&, std::string& why_not) override {
    if (next_ < rungs_.size()) return rungs_[next_++];
    why_not = fmt::format("all {} configurations of the ladder were tried", rungs_.size());
    return std::nullopt;
  }

 private:
  std::vector<Rung> rungs_;
  std::size_t next_ = 0;
};

}  // namespace foldfit
