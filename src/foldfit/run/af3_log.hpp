// af3_log.hpp - what AlphaFold 3's output says: progress stage, out-of-memory, XLA's own sizes.
//
// Stage lines are run_alphafold.py's prints (v3.0.4: "Running data pipeline...",
// "Featurising data with N seed(s)...", "Running model inference with seed S...",
// "Writing outputs with N seed(s)...", "Fold job NAME done, output written to DIR").
// Out-of-memory is XLA's: "RESOURCE_EXHAUSTED: Out of memory while trying to allocate N
// bytes", the BFC allocator's "ran out of memory trying to allocate ..." and its
// "Sum Total of in-use chunks" / "InUse:" / "Limit:" lines, and CUDA_ERROR_OUT_OF_MEMORY.
// hlo_rematerialization's "Can't reduce memory use below X ... only reduced to Y ... down
// from Z originally" gives the compiled program's own size (X: the limit it aimed at).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "foldfit/common/bytes.hpp"

namespace foldfit {

// "12.34GiB", "1.5 GB", "512MiB", "1677721600 bytes", "1677721600B"; with "X (N bytes)"
// the exact count in parentheses wins. nullopt when `text` does not start with a figure.
std::optional<Bytes> parse_byte_figure(std::string_view text);

enum class Af3Stage { starting, data_pipeline, featurising, loading_model, inference, writing, done };
std::string_view stage_name(Af3Stage s);  // "data pipeline", "featurising", ...

struct Af3Progress {
  Af3Stage stage = Af3Stage::starting;
  int seeds = 0;         // seeds of the current input (0: not known yet)
  int seed_index = 0;    // 1-based seed being inferred; 0 before inference
  bool compiling = false;  // first seed of a process: XLA compiles before it runs
  std::string output_dir;  // "Output will be written in DIR" (AF3 may pick a timestamped dir)

  // "inference seed 2/5", "compiling + inference seed 1/5", "data pipeline", ...
  std::string describe() const;
};

struct OutOfMemory {
  bool seen = false;
  std::optional<Bytes> requested;   // the allocation that failed
  std::optional<Bytes> in_use;      // allocator's in-use bytes when it failed
  std::optional<Bytes> limit;       // allocator's pool limit
  std::string first_line;           // the first line that said so, for the summary
  // The least the program needed: in_use + requested when both are known, else requested.
  std::optional<Bytes> lower_bound() const;
};

struct Rematerialization {
  Bytes target;    // "Can't reduce memory use below X"
  Bytes reached;   // "only reduced to Y": XLA's size of the program after its best effort
  Bytes original;  // "down from Z originally"
};

// Feed AlphaFold 3's output line by line; read what it said so far.
class Af3LogScanner {
 public:
  // Returns true when the line changed the progress (a new stage or seed).
  bool feed(std::string_view line);

  const Af3Progress& progress() const { return progress_; }
  const OutOfMemory& out_of_memory() const { return oom_; }
  const std::optional<Rematerialization>& rematerialization() const { return remat_; }
  // The last line that looked like a Python error ("ValueError: ..."), for failure reports.
  const std::string& last_error() const { return last_error_; }

  // The best lower bound on peak device memory the log gives: the largest of XLA's
  // rematerialization figure and the failed allocation plus what was in use.
  std::optional<Bytes> peak_lower_bound() const;

 private:
  Af3Progress progress_;
  OutOfMemory oom_;
  std::optional<Rematerialization> remat_;
  std::string last_error_;
  bool inferred_once_ = false;
};

}  // namespace foldfit
