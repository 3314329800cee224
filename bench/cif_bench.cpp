// cif_bench.cpp - bounds on hostile mmCIF: wall time and peak RSS of whole foldfit
// commands given about 1 MB of mmCIF built to be expensive, side by side with the same
// command on a small valid file (the reference row: the cost of starting foldfit).
//
// Each user-CCD case is a job whose userCCDPath names the file, run as
//   foldfit tokens --json_path=job.json
// and each model case is `foldfit template --model=FILE` on a job with one protein. The
// figures are the child's own (wait4). Every case must end with exit 0 or 2, within the
// bounds the robustness docs give (< 2 s, < 300 MB above the reference, for < 1 MB).
//
// usage: cif_bench [--kb=N] [--dir=PATH]
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace {

// A valid user component with `atoms` carbon atoms (the mandatory items of AlphaFold 3).
std::string component(const std::string& code, std::size_t atoms) {
  std::string s = "data_" + code + "\n_chem_comp.id " + code +
                  "\n_chem_comp.name 'bench ligand'\n_chem_comp.type non-polymer\n_chem_comp.formula C\n"
                  "_chem_comp.mon_nstd_parent_comp_id ?\n_chem_comp.pdbx_synonyms ?\n_chem_comp.formula_weight 12.0\n"
                  "loop_\n_chem_comp_atom.comp_id\n_chem_comp_atom.atom_id\n_chem_comp_atom.type_symbol\n"
                  "_chem_comp_atom.charge\n_chem_comp_atom.pdbx_model_Cartn_x_ideal\n"
                  "_chem_comp_atom.pdbx_model_Cartn_y_ideal\n_chem_comp_atom.pdbx_model_Cartn_z_ideal\n";
  for (std::size_t i = 0; i < atoms; ++i) s += fmt::format("{} C{} C 0 {}.0 0.0 0.0\n", code, i + 1, i);
  s += "loop_\n_chem_comp_bond.atom_id_1\n_chem_comp_bond.atom_id_2\n_chem_comp_bond.value_order\n"
       "_chem_comp_bond.pdbx_aromatic_flag\n";
  for (std::size_t i = 1; i < atoms; ++i) s += fmt::format("C{} C{} SING N\n", i, i + 1);
  return s;
}

std::string repeat_to(const std::string& head, const std::string& unit, std::size_t bytes) {
  std::string s = head;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s;
}

struct Case {
  std::string name;
  std::function<std::string(std::size_t)> make;
};

}  // namespace

int main(int argc, char** argv) {
  std::size_t kb = 1000;
  std::string dir = std::filesystem::temp_directory_path() / "foldfit_cif_bench";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--kb=", 0) == 0) kb = std::stoul(a.substr(5));
    else if (a.rfind("--dir=", 0) == 0) dir = a.substr(6);
    else {
      std::fprintf(stderr, "usage: cif_bench [--kb=N] [--dir=PATH]\n");
      return 2;
    }
  }
  const std::size_t bytes = kb * 1000;
  std::filesystem::create_directories(dir);

  const std::vector<Case> ccd_cases = {
      {"reference: one valid 3-atom component", [](std::size_t) { return component("MYL", 3); }},
      {"valid: one component, atoms to fill the size",
       [](std::size_t n) { return component("MYL", n / 90); }},
      {"one loop of one-byte values", [](std::size_t n) { return repeat_to("data_MYL\nloop_\n_a.x\n_a.y\n", "a b\n", n); }},
      {"a block per line", [](std::size_t n) { return repeat_to("", "data_a\n", n); }},
      {"distinct item names", [](std::size_t n) {
         std::string s = "data_MYL\n";
         for (std::size_t i = 0; s.size() < n; ++i) s += fmt::format("_c.i{} v\n", i);
         return s;
       }},
      {"distinct loop names", [](std::size_t n) {
         std::string s = "data_MYL\nloop_\n";
         for (std::size_t i = 0; s.size() < n; ++i) s += fmt::format("_c.i{}\n", i);
         return s;
       }},
      {"one text field of many lines", [](std::size_t n) { return repeat_to("data_MYL\n_a.b\n;x\n", "y \n", n) + ";\n"; }},
      {"text fields, one per two lines", [](std::size_t n) { return repeat_to("data_MYL\nloop_\n_a.b\n", ";x\n;\n", n); }},
      {"loop_ keywords", [](std::size_t n) { return repeat_to("data_MYL\n", "loop_\n", n); }},
      {"a quote opened at the end", [](std::size_t n) { return repeat_to("data_MYL\nloop_\n_a.x\n", "'a' ", n) + "'open\n"; }},
      {"random bytes after data_", [](std::size_t n) {
         std::mt19937 rng(7);
         std::string s = "data_MYL\n";
         while (s.size() < n) s += static_cast<char>(rng() & 0xff);
         return s;
       }},
  };

  const std::string foldfit = FOLDFIT_BINARY;
  auto quiet = [] {  // the refusals' messages are not the figures
    if (!std::freopen("/dev/null", "w", stderr)) _exit(127);
  };
  fmt::print("foldfit tokens on a job whose userCCDPath is ~{} kB of mmCIF (one run each, wall s and peak RSS)\n", kb);
  fmt::print("{:<48} {:>9} {:>8} {:>10} {:>5}\n", "userCCD text", "bytes", "seconds", "RSS MB", "exit");
  long reference_kb = 0;
  int failures = 0;
  for (const Case& c : ccd_cases) {
    const std::string cif = dir + "/user.cif", job = dir + "/job.json";
    std::string text = c.make(bytes);
    std::ofstream(cif, std::ios::binary) << text;
    std::ofstream(job) << R"({"dialect": "alphafold3", "version": 4, "name": "bench", "modelSeeds": [1], )"
                       << R"("sequences": [{"ligand": {"id": "L", "ccdCodes": ["MYL"]}}], "userCCDPath": "user.cif"})";
    foldfit::bench::Figures f = foldfit::bench::run_child({foldfit, "tokens", "--json_path=" + job}, quiet);
    if (reference_kb == 0) reference_kb = f.max_rss_kb;
    const bool ok = (f.status == 0 || f.status == 2) && f.seconds < 2.0 && f.max_rss_kb - reference_kb < 300 * 1024;
    failures += !ok;
    fmt::print("{:<48} {:>9} {:>8.3f} {:>10.1f} {:>5}{}\n", c.name, text.size(), f.seconds, f.max_rss_kb / 1024.0,
               f.status, ok ? "" : "  OUTSIDE THE BOUNDS");
  }

  // The same texts as the model of `foldfit template` (AlphaFold 3's reader, the libcifpp
  // guard, then libcifpp); the reference is a valid two-chain model.
  fmt::print("\nfoldfit template --model=FILE with ~{} kB of mmCIF\n", kb);
  fmt::print("{:<48} {:>9} {:>8} {:>10} {:>5}\n", "model text", "bytes", "seconds", "RSS MB", "exit");
  std::string model_reference;
  {
    std::ifstream in(std::string(FOLDFIT_SOURCE_DIR) + "/fuzz/corpus/template_cif/model_two_chains.cif");
    model_reference.assign(std::istreambuf_iterator<char>(in), {});
  }
  reference_kb = 0;
  for (std::size_t i = 0; i < ccd_cases.size(); ++i) {
    const std::string model = dir + "/model.cif", job = dir + "/job.json", out = dir + "/out.json";
    std::string text = i == 0 ? model_reference : ccd_cases[i].make(bytes);
    if (i == 1) {  // valid: the reference with chain A's atoms repeated to fill the size
      text = model_reference.substr(0, model_reference.rfind("ATOM 4 "));
      for (std::size_t n = 7; text.size() < bytes; ++n)
        text += fmt::format("ATOM {} C CA . MET A 1 1 ? 0.0 0.0 0.0 1.00 90.0 1 A 1\n", n);
      text += "#\n";
    }
    std::ofstream(model, std::ios::binary) << text;
    std::ofstream(job) << R"({"dialect": "alphafold3", "version": 4, "name": "bench", "modelSeeds": [1], )"
                       << R"("sequences": [{"protein": {"id": "A", "sequence": "MKS", "unpairedMsa": "", "pairedMsa": ""}}]})";
    foldfit::bench::Figures f = foldfit::bench::run_child(
        {foldfit, "template", "--json_path=" + job, "--model=" + model, "--output=" + out, "--force"}, quiet);
    if (reference_kb == 0) reference_kb = f.max_rss_kb;
    const bool ok = (f.status == 0 || f.status == 2) && f.seconds < 2.0 && f.max_rss_kb - reference_kb < 300 * 1024;
    failures += !ok;
    fmt::print("{:<48} {:>9} {:>8.3f} {:>10.1f} {:>5}{}\n", i == 0   ? "reference: a valid two-chain model"
                                                         : i == 1 ? "valid: chain A's atoms repeated to fill the size"
                                                                  : ccd_cases[i].name,
               text.size(), f.seconds, f.max_rss_kb / 1024.0, f.status, ok ? "" : "  OUTSIDE THE BOUNDS");
  }
  fmt::print("bounds: exit 0 or 2, < 2 s, < 300 MB above the reference row; {} case(s) outside\n", failures);
  return failures ? 1 : 0;
}
