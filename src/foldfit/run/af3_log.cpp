#include "foldfit/run/af3_log.hpp"

#include <fmt/format.h>

#include <limits>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace foldfit {

namespace {

// The largest byte figure read from a log (1 EB).
constexpr double kMaxFigure = 1e18;


bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The figure right after `marker` in `line`, if the marker is there.
std::optional<Bytes> figure_after(std::string_view line, std::string_view marker) {
  auto at = line.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  return parse_byte_figure(line.substr(at + marker.size()));
}

std::optional<std::int64_t> leading_integer(std::string_view s) {
  s = trim(s);
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr == s.data() || v < 0) return std::nullopt;
  return v;
}

// "Running model inference with seed 42..." -> the text between `prefix` and "...".
std::optional<int> count_before(std::string_view line, std::string_view prefix, std::string_view suffix) {
  if (!starts_with(line, prefix)) return std::nullopt;
  std::string_view rest = line.substr(prefix.size());
  if (rest.find(suffix) == std::string_view::npos) return std::nullopt;
  auto n = leading_integer(rest);
  if (!n) return std::nullopt;
  return static_cast<int>(*n);
}

}  // namespace

std::optional<Bytes> parse_byte_figure(std::string_view text) {
  text = trim(text);
  std::size_t end = 0;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.')) ++end;
  if (end == 0) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, value);
  if (ec != std::errc{} || ptr != text.data() + end) return std::nullopt;
  std::string_view rest = text.substr(end);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  struct Unit {
    std::string_view name;
    double scale;
  };
  // Longest names first so "GiB" is not read as "G" + "iB".
  static constexpr Unit units[] = {
      {"bytes", 1},       {"TiB", 1099511627776.0}, {"GiB", 1073741824.0}, {"MiB", 1048576.0}, {"KiB", 1024.0},
      {"TB", 1e12},       {"GB", 1e9},              {"MB", 1e6},           {"KB", 1e3},        {"kB", 1e3},
      {"B", 1},
  };
  double scale = 1;
  for (const Unit& u : units) {
    if (starts_with(rest, u.name)) {
      scale = u.scale;
      rest.remove_prefix(u.name.size());
      break;
    }
  }
  // "46.56GiB (49998125656 bytes)": the exact count wins over the rounded figure.
  std::string_view after = trim(rest);
  if (starts_with(after, "(")) {
    std::string_view inner = after.substr(1);
    auto close = inner.find(')');
    if (close != std::string_view::npos && inner.substr(0, close).find("bytes") != std::string_view::npos) {
      if (auto exact = leading_integer(inner.substr(0, close))) return Bytes(*exact);
    }
  }
  // No device holds an exabyte: a larger figure is garbage, and would overflow int64.
  if (!(value * scale < kMaxFigure)) return std::nullopt;
  return Bytes(static_cast<std::int64_t>(std::llround(value * scale)));
}

std::string_view stage_name(Af3Stage s) {
  switch (s) {
    case Af3Stage::starting: return "starting";
    case Af3Stage::data_pipeline: return "data pipeline";
    case Af3Stage::featurising: return "featurising";
    case Af3Stage::loading_model: return "loading model";
    case Af3Stage::inference: return "inference";
    case Af3Stage::writing: return "writing output";
    case Af3Stage::done: return "done";
  }
  return "unknown";
}

std::string Af3Progress::describe() const {
  if (stage != Af3Stage::inference) return std::string(stage_name(stage));
  std::string of = seeds > 0 ? fmt::format("{}/{}", seed_index, seeds) : fmt::format("{}", seed_index);
  return compiling ? fmt::format("compiling + inference seed {}", of) : fmt::format("inference seed {}", of);
}

std::optional<Bytes> OutOfMemory::lower_bound() const {
  if (!requested) return std::nullopt;
  if (!in_use) return *requested;
  // Each figure is below kMaxFigure (or an exact integer of any size): add without overflow.
  std::int64_t a = requested->count(), b = in_use->count();
  return Bytes(a > std::numeric_limits<std::int64_t>::max() - b ? std::numeric_limits<std::int64_t>::max() : a + b);
}

bool Af3LogScanner::feed(std::string_view raw) {
  std::string_view line = trim(raw);
  const Af3Progress before = progress_;

  // Progress: run_alphafold.py's own prints.
  if (starts_with(line, "Running data pipeline")) {
    progress_.stage = Af3Stage::data_pipeline;
  } else if (starts_with(line, "Building model from scratch") || starts_with(line, "Checking that model parameters")) {
    progress_.stage = Af3Stage::loading_model;
  } else if (auto n = count_before(line, "Featurising data with ", "seed(s)...")) {
    progress_.stage = Af3Stage::featurising;
    progress_.seeds = *n;
  } else if (starts_with(line, "Running model inference with seed ") && line.find(" took ") == std::string_view::npos) {
    progress_.stage = Af3Stage::inference;
    progress_.seed_index += 1;
    // The first forward pass of a process compiles the model (minutes) unless XLA's
    // compilation cache already holds it; run_alphafold.py prints nothing separate for it.
    progress_.compiling = !inferred_once_;
    inferred_once_ = true;
  } else if (count_before(line, "Writing outputs with ", "seed(s)...")) {
    progress_.stage = Af3Stage::writing;
  } else if (starts_with(line, "Fold job ") && line.find(" done, output written to ") != std::string_view::npos) {
    progress_.stage = Af3Stage::done;
  } else if (starts_with(line, "Output will be written in ")) {
    std::string_view dir = line.substr(std::string_view("Output will be written in ").size());
    if (auto since = dir.find(" since "); since != std::string_view::npos) dir = dir.substr(0, since);
    progress_.output_dir = std::string(dir);
  } else if (starts_with(line, "Running fold job ")) {
    // A new input within the same process: its seeds are counted afresh.
    progress_.seed_index = 0;
    progress_.seeds = 0;
  }
  // "Predicting 3D structure for NAME with N seed(s)...": the name may contain anything.
  if (auto pos = line.rfind(" with "); starts_with(line, "Predicting 3D structure for ") && pos != std::string_view::npos) {
    if (auto n = leading_integer(line.substr(pos + 6))) progress_.seeds = static_cast<int>(*n);
  }

  // Out of memory.
  auto mark_oom = [&] {
    if (!oom_.seen) oom_.first_line = std::string(line);
    oom_.seen = true;
  };
  if (auto f = figure_after(line, "Out of memory while trying to allocate ")) {
    mark_oom();
    oom_.requested = std::max(oom_.requested.value_or(Bytes(0)), *f);
  } else if (line.find("RESOURCE_EXHAUSTED") != std::string_view::npos ||
             line.find("CUDA_ERROR_OUT_OF_MEMORY") != std::string_view::npos) {
    mark_oom();
  }
  if (auto f = figure_after(line, "ran out of memory trying to allocate ")) {
    mark_oom();
    if (auto r = figure_after(line, "(rounded to ")) f = r;
    oom_.requested = std::max(oom_.requested.value_or(Bytes(0)), *f);
  }
  if (oom_.seen) {
    // The allocator's dump that follows the failure.
    if (auto f = figure_after(line, "Sum Total of in-use chunks: ")) oom_.in_use = *f;
    if (starts_with(line, "InUse:")) {
      if (auto v = leading_integer(line.substr(6))) oom_.in_use = Bytes(*v);
    }
    if (starts_with(line, "Limit:")) {
      if (auto v = leading_integer(line.substr(6))) oom_.limit = Bytes(*v);
    }
    if (auto f = figure_after(line, "memory_limit_: ")) oom_.limit = *f;
  }

  // XLA's rematerialization warning.
  if (line.find("Can't reduce memory use below ") != std::string_view::npos) {
    auto target = figure_after(line, "Can't reduce memory use below ");
    auto reached = figure_after(line, "only reduced to ");
    auto original = figure_after(line, "down from ");
    if (target && reached && original) remat_ = Rematerialization{*target, *reached, *original};
  }

  // Python's last words: "ValueError: ...", "jaxlib.xla_extension.XlaRuntimeError: ...".
  if (auto colon = line.find(": "); colon != std::string_view::npos && colon > 0) {
    std::string_view head = line.substr(0, colon);
    bool identifier = std::all_of(head.begin(), head.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
    });
    if (identifier && (head.ends_with("Error") || head.ends_with("Exception"))) last_error_ = std::string(line);
  }

  return progress_.stage != before.stage || progress_.seed_index != before.seed_index || progress_.seeds != before.seeds;
}

std::optional<Bytes> Af3LogScanner::peak_lower_bound() const {
  std::optional<Bytes> best = oom_.lower_bound();
  if (remat_ && (!best || remat_->reached > *best)) best = remat_->reached;
  return best;
}

}  // namespace foldfit
