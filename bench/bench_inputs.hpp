// bench_inputs.hpp - synthetic AlphaFold 3 inputs for the benchmarks: n protein jobs, one or
// two chains (every third a homodimer), lengths and seed counts chosen by the caller.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace foldfit::bench {

template <typename Length, typename Seeds>
void write_protein_inputs(const std::filesystem::path& dir, std::size_t n, Length length_of, Seeds seeds_of) {
  std::filesystem::create_directories(dir);
  const char* aa = "ACDEFGHIKLMNPQRSTVWY";
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t length = length_of(i);
    std::string seq;
    seq.reserve(length);
    for (std::size_t k = 0; k < length; ++k) seq.push_back(aa[(i + k * 31) % 20]);
    std::string ids = i % 3 == 0 ? R"(["A", "B"])" : R"("A")";
    FILE* f = std::fopen((dir / fmt::format("job{:06}.json", i)).c_str(), "w");
    if (!f) throw std::runtime_error("cannot write into " + dir.string());
    std::fprintf(f,
                 R"({"dialect": "alphafold3", "version": 2, "name": "job%zu", "modelSeeds": [%zu], )"
                 R"("sequences": [{"protein": {"id": %s, "sequence": "%s"}}]})",
                 i, static_cast<std::size_t>(seeds_of(i)), ids.c_str(), seq.c_str());
    std::fclose(f);
  }
}

}  // namespace foldfit::bench
