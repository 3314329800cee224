#include "foldfit/schedule/campaign.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <tuple>

#include "foldfit/common/atomic_file.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/common/version.hpp"
#include "foldfit/run/outputs.hpp"

namespace fs = std::filesystem;

namespace foldfit {

namespace {

std::string slug(std::string s) {
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-') ch = '-';
  return s;
}

// Single quotes for a POSIX shell.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string gres_for(const Cluster& c, const GpuClass& g) {
  std::string t = c.gres_template;
  auto put = [&](const std::string& key, const std::string& value) {
    for (auto p = t.find(key); p != std::string::npos; p = t.find(key)) t.replace(p, key.size(), value);
  };
  put("{type}", g.gres_type);
  put("{count}", "1");
  // An untyped class: "gpu::1" -> "gpu:1".
  for (auto p = t.find("::"); p != std::string::npos; p = t.find("::")) t.replace(p, 2, ":");
  return t;
}

// The settings that change the compiled model, as one key: the plan's changes.
std::string settings_key(const Plan& p) {
  std::string k;
  for (const Change& ch : p.changes) k += ch.setting + "=" + ch.to + ";";
  return k;
}

std::int64_t ceil_minutes(double seconds) { return static_cast<std::int64_t>(std::ceil(seconds / 60.0)) * 60; }

}  // namespace

void build_arrays(Campaign& c, const CampaignOptions& o) {
  c.arrays.clear();
  c.unplaced = 0;
  std::vector<std::size_t> placed;
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    if (c.inputs[i].placement->class_index < 0) {
      ++c.unplaced;
      continue;
    }
    placed.push_back(i);
  }
  // Inference: by (class, bucket, settings), in that order; inputs by name within.
  std::map<std::tuple<int, std::int64_t, std::string>, std::vector<std::size_t>> groups;
  for (std::size_t i : placed) {
    const Placement& p = *c.inputs[i].placement;
    groups[{p.class_index, p.plan.padded_tokens, settings_key(p.plan)}].push_back(i);
  }
  std::vector<ArrayJob> inference;
  std::map<std::pair<int, std::int64_t>, int> variants;
  for (auto& [key, members] : groups) {
    auto [cls, bucket, settings] = key;
    const GpuClass& g = c.cluster.classes[static_cast<std::size_t>(cls)];
    ArrayJob a;
    int variant = variants[{cls, bucket}]++;
    a.name = fmt::format("infer-{}-{}{}", slug(g.name), bucket, variant ? fmt::format("-v{}", variant + 1) : "");
    a.kind = "inference";
    a.class_index = cls;
    a.bucket = bucket;
    a.partition = g.partition;
    a.gres = gres_for(c.cluster, g);
    a.cpus = g.cpus_per_node > 0 ? std::min(o.cpus_per_gpu_task, std::max(1, g.cpus_per_node / std::max(1, g.gpus_per_node)))
                                 : o.cpus_per_gpu_task;
    std::sort(members.begin(), members.end(), [&](std::size_t x, std::size_t y) { return c.inputs[x].name < c.inputs[y].name; });
    // Tasks: at most inputs_per_task inputs, and no more than fit the partition's limit.
    std::int64_t limit = g.time_limit_seconds;
    std::int64_t longest = 0;
    Bytes spill(0);
    std::vector<std::size_t> task;
    double task_high = 0;
    auto close_task = [&] {
      if (task.empty()) return;
      longest = std::max(longest, ceil_minutes(task_high * o.time_factor + static_cast<double>(o.compile_seconds)));
      a.tasks.push_back(std::move(task));
      task.clear();
      task_high = 0;
    };
    for (std::size_t i : members) {
      const Plan& p = c.inputs[i].placement->plan;
      double high = (p.runtime.high > 0 ? p.runtime.high : p.runtime.seconds) * g.runtime_scale;
      double next = (task_high + high) * o.time_factor + static_cast<double>(o.compile_seconds);
      if (!task.empty() && (static_cast<int>(task.size()) >= o.inputs_per_task || (limit > 0 && next > static_cast<double>(limit))))
        close_task();
      task.push_back(i);
      task_high += high;
      spill = std::max(spill, p.host_ram_needed);
    }
    close_task();
    a.time_seconds = longest;
    a.time_origin = fmt::format("the runtime model's high end x {:g} + {} s of compile per task", o.time_factor, o.compile_seconds);
    if (limit > 0 && a.time_seconds > limit) {
      a.time_seconds = limit;
      a.time_origin += ", capped at the partition's time limit";
      a.notes.push_back(fmt::format("an input's estimate exceeds the {} time limit of partition {}: it may time out",
                                    format_slurm_time(limit), g.partition));
    }
    a.mem = o.inference_mem + spill;
    a.mem_origin = spill > Bytes(0) ? fmt::format("--inference_mem_gb + {} of unified-memory spill", format_gb(spill))
                                    : "--inference_mem_gb";
    if (g.node_ram > Bytes(0) && a.mem > g.node_ram) {
      a.mem = g.node_ram;
      a.mem_origin += ", capped at the node's RealMemory";
    }
    // Slurm refuses arrays above MaxArraySize: split into parts.
    std::size_t max_tasks = static_cast<std::size_t>(std::max(1, o.max_array_size));
    if (a.tasks.size() <= max_tasks) {
      inference.push_back(std::move(a));
      continue;
    }
    for (std::size_t from = 0, part = 1; from < a.tasks.size(); from += max_tasks, ++part) {
      ArrayJob piece = a;
      piece.name = fmt::format("{}-part{}", a.name, part);
      piece.tasks.assign(a.tasks.begin() + static_cast<std::ptrdiff_t>(from),
                         a.tasks.begin() + static_cast<std::ptrdiff_t>(std::min(a.tasks.size(), from + max_tasks)));
      inference.push_back(std::move(piece));
    }
  }

  // One data-pipeline array per inference array, task for task, so that each inference
  // task waits only for its own inputs' data pipelines (--dependency=aftercorr).
  const CpuPartition data_part = data_partition(c.cluster);
  const std::int64_t data_limit = data_part.time_limit_seconds;
  for (ArrayJob& a : inference) {
    ArrayJob d;
    d.name = "data-" + a.name.substr(std::string("infer-").size());
    d.kind = "data_pipeline";
    d.partition = data_part.name;
    d.cpus = o.data_cpus;
    d.mem = o.data_mem;
    d.mem_origin = "--data_pipeline_mem_gb";
    // Within the data partition's nodes: a task asking for more stays pending for ever
    // (Slurm's reason PartitionConfig).
    if (data_part.cpus_per_node > 0) d.cpus = std::min(d.cpus, data_part.cpus_per_node);
    if (data_part.node_ram > Bytes(0) && d.mem > data_part.node_ram) {
      d.mem = data_part.node_ram;
      d.mem_origin += ", capped at the node's RealMemory";
    }
    d.tasks = a.tasks;
    std::size_t most = 0;
    for (const auto& t : d.tasks) most = std::max(most, t.size());
    d.time_seconds = o.data_seconds_per_input * static_cast<std::int64_t>(most);
    d.time_origin = "--data_pipeline_hours x the task's inputs";
    if (data_limit > 0 && d.time_seconds > data_limit) {
      d.time_seconds = data_limit;
      d.time_origin += ", capped at the partition's time limit";
      d.notes.push_back("a task's data pipelines may exceed the partition's time limit; a requeued task resumes");
    }
    int di = static_cast<int>(c.arrays.size());
    for (std::size_t t = 0; t < d.tasks.size(); ++t)
      for (std::size_t i : d.tasks[t]) c.inputs[i].data_array = di, c.inputs[i].data_task = static_cast<int>(t);
    c.arrays.push_back(std::move(d));
    a.depends_on = di;
    for (std::size_t t = 0; t < a.tasks.size(); ++t)
      for (std::size_t i : a.tasks[t]) c.inputs[i].inference_array = di + 1, c.inputs[i].inference_task = static_cast<int>(t);
    c.arrays.push_back(std::move(a));
  }
}

std::string sbatch_script(const Campaign& c, std::size_t ai, const CampaignOptions& o) {
  const ArrayJob& a = c.arrays.at(ai);
  std::string s = "#!/bin/bash\n";
  s += fmt::format("# foldfit {} campaign: {} ({} tasks). Written by foldfit plan.\n", version(), a.name,
                   a.tasks.size());
  s += fmt::format("#SBATCH --job-name=foldfit-{}\n", a.name);
  if (!a.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", a.partition);
  s += fmt::format("#SBATCH --array=0-{}\n", a.tasks.size() - 1);
  if (!a.gres.empty()) s += fmt::format("#SBATCH --gres={}\n", a.gres);
  s += fmt::format("#SBATCH --cpus-per-task={}\n", a.cpus);
  s += fmt::format("#SBATCH --mem={}M\n", std::max<std::int64_t>(1, a.mem.count() / 1048576));
  s += fmt::format("#SBATCH --time={}\n", format_slurm_time(a.time_seconds));
  s += "#SBATCH --requeue\n";
  s += fmt::format("#SBATCH --output={}/logs/{}-%A_%a.out\n", o.plan_dir, a.name);
  for (const std::string& l : o.sbatch_lines) s += "#SBATCH " + l + "\n";
  s += "set -euo pipefail\n";
  // This task's lines of the array's list (TASK<TAB>INPUT[<TAB>DATA JSON]).
  s += fmt::format("table={}/lists/{}.tsv\n", sh_quote(o.plan_dir), a.name);
  s += "list=$(mktemp)\ntrap 'rm -f \"$list\"' EXIT\n";
  std::vector<std::string> args = {sh_quote(o.foldfit_binary), "run", "--input_list=\"$list\"",
                                   "--output_dir=" + sh_quote(o.output_dir), "--history_db=" + sh_quote(o.history_db),
                                   "--format=json"};
  if (!o.af3_command.empty()) args.push_back("--af3_command=" + sh_quote(o.af3_command));
  for (const auto& [k, v] : o.setting_flags) args.push_back(sh_quote("--" + k + "=" + v));
  if (a.kind == "data_pipeline") {
    // The CPU half: AlphaFold 3 writes <name>/<name>_data.json; an input whose data JSON
    // exists is not redone (a requeued or resubmitted task resumes).
    // foldfit run plans even with inference off; the class with the most GPU memory
    // (then host RAM) fits every input placed anywhere.
    const GpuClass* big = &c.cluster.classes.front();
    for (const GpuClass& g : c.cluster.classes)
      if (std::tie(g.gpu.memory, g.node_ram) > std::tie(big->gpu.memory, big->node_ram)) big = &g;
    for (const std::string& f : class_device_flags(*big)) args.push_back(f);
    args.push_back("--norun_inference");
    s += "awk -F'\\t' -v t=\"$SLURM_ARRAY_TASK_ID\" '$1 == t { print $2 \"\\t\" $3 }' \"$table\" |\n";
    s += "  while IFS=$'\\t' read -r json data; do [ -s \"$data\" ] || printf '%s\\n' \"$json\"; done > \"$list\"\n";
    s += "[ -s \"$list\" ] || { echo \"foldfit: every data JSON of this task exists\"; exit 0; }\n";
  } else {
    const GpuClass& g = c.cluster.classes.at(static_cast<std::size_t>(a.class_index));
    for (const std::string& f : class_device_flags(g)) args.push_back(f);
    args.push_back("--norun_data_pipeline");
    s += "awk -F'\\t' -v t=\"$SLURM_ARRAY_TASK_ID\" '$1 == t { print $2 }' \"$table\" > \"$list\"\n";
    args.push_back("--jax_compilation_cache_dir=" + sh_quote(o.cache_root + "/" + slug(g.gpu.name)));
  }
  for (const std::string& f : o.af3_flags) args.push_back(sh_quote(f));
  // Not exec: the trap removes this task's list when foldfit ends.
  s += "rc=0\n";
  for (const std::string& a2 : args) s += a2 + " ";
  s += "|| rc=$?\nexit $rc\n";
  return s;
}

nlohmann::ordered_json campaign_summary(const Campaign& c) {
  using json = nlohmann::ordered_json;
  json per = json::array();
  double gpu_hours = 0, gpu_low = 0, gpu_high = 0;
  std::size_t tasks = 0;
  for (std::size_t k = 0; k < c.cluster.classes.size(); ++k) {
    const GpuClass& g = c.cluster.classes[k];
    std::size_t n = 0;
    double h = 0, lo = 0, hi = 0;
    for (const CampaignInput& in : c.inputs)
      if (in.placement->class_index == static_cast<int>(k)) {
        ++n;
        const RuntimeEstimate& r = in.placement->plan.runtime;
        h += r.seconds * g.runtime_scale / 3600, lo += r.low * g.runtime_scale / 3600, hi += r.high * g.runtime_scale / 3600;
      }
    std::size_t class_tasks = 0, arrays = 0;
    for (const ArrayJob& a : c.arrays)
      if (a.class_index == static_cast<int>(k)) class_tasks += a.tasks.size(), ++arrays;
    tasks += class_tasks;
    gpu_hours += h, gpu_low += lo, gpu_high += hi;
    per.push_back({{"class", g.name}, {"gpu", g.gpu.name}, {"cost", g.cost}, {"inputs", n}, {"arrays", arrays},
                   {"tasks", class_tasks}, {"gpu_hours", h}, {"gpu_hours_low", lo}, {"gpu_hours_high", hi}});
  }
  std::size_t placed = c.inputs.size() - c.unplaced;
  json nowhere = json::array();
  for (const CampaignInput& in : c.inputs)
    if (in.placement->class_index < 0)
      nowhere.push_back({{"input", in.name}, {"file", in.file}, {"tokens", in.tokens},
                         {"expected_peak", in.placement->plan.after.total.count()}, {"would_fit", in.placement->would_fit}});
  return {{"inputs", c.inputs.size()},
          {"af3_release", {{"name", c.release.release->name}, {"origin", c.release.origin}, {"detail", c.release.detail},
                           {"commit", c.release.release->commit}}},
          {"placed", placed},
          {"fit_nowhere", c.unplaced},
          {"classes", per},
          {"gpu_hours", gpu_hours},
          {"gpu_hours_low", gpu_low},
          {"gpu_hours_high", gpu_high},
          {"gpu_hours_origin", "the runtime model (compile-free inference, docs/memory-model.md), one GPU per input"},
          {"inference_tasks", tasks},
          {"compiles", tasks},
          {"compiles_one_job_per_input", placed},
          {"compiles_saved", placed - std::min(placed, tasks)},
          {"unplaced", nowhere}};
}

std::string summary_text(const nlohmann::ordered_json& s) {
  std::string out = fmt::format("{} inputs: {} placed, {} fit nowhere\n", s["inputs"].get<std::size_t>(),
                                s["placed"].get<std::size_t>(), s["fit_nowhere"].get<std::size_t>());
  out += fmt::format("AlphaFold 3 release: {} ({}: {})\n", s["af3_release"]["name"].get<std::string>(),
                     s["af3_release"]["origin"].get<std::string>(), s["af3_release"]["detail"].get<std::string>());
  out += fmt::format("{:<24} {:<22} {:>6} {:>8} {:>7} {:>22}\n", "class", "gpu", "cost", "inputs", "tasks", "GPU-hours (range)");
  for (const auto& k : s["classes"])
    out += fmt::format("{:<24} {:<22} {:>6.3g} {:>8} {:>7} {:>9.2f} ({:.2f}-{:.2f})\n", k["class"].get<std::string>(),
                       k["gpu"].get<std::string>(), k["cost"].get<double>(), k["inputs"].get<std::size_t>(),
                       k["tasks"].get<std::size_t>(), k["gpu_hours"].get<double>(), k["gpu_hours_low"].get<double>(),
                       k["gpu_hours_high"].get<double>());
  out += fmt::format("GPU-hours: {:.2f} ({:.2f}-{:.2f}), from {}\n", s["gpu_hours"].get<double>(),
                     s["gpu_hours_low"].get<double>(), s["gpu_hours_high"].get<double>(),
                     s["gpu_hours_origin"].get<std::string>());
  out += fmt::format("compiles: {} (one per inference task) against {} with one job per input: {} saved\n",
                     s["compiles"].get<std::size_t>(), s["compiles_one_job_per_input"].get<std::size_t>(),
                     s["compiles_saved"].get<std::size_t>());
  for (const auto& u : s["unplaced"])
    out += fmt::format("fits nowhere: {} ({} tokens, expected peak {}): would fit {}\n", u["input"].get<std::string>(),
                       u["tokens"].get<std::int64_t>(), format_gb(Bytes(u["expected_peak"].get<std::int64_t>())),
                       u["would_fit"].get<std::string>());
  return out;
}

namespace {

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  out.flush();
  if (!out) throw OutputError(p.string(), "cannot write");
}

std::string data_json_of(const CampaignOptions& o, const CampaignInput& in) {
  std::string n = af3_sanitised_name(in.name);
  return (fs::path(o.output_dir) / n / (n + "_data.json")).string();
}

nlohmann::ordered_json input_json(const Campaign& c, const CampaignInput& in, const CampaignOptions& o) {
  using json = nlohmann::ordered_json;
  const Placement& p = *in.placement;
  json j = {{"name", in.name}, {"file", in.file}, {"tokens", in.tokens}, {"seeds", in.seeds}};
  if (p.class_index >= 0) {
    const GpuClass& g = c.cluster.classes[static_cast<std::size_t>(p.class_index)];
    j["class"] = g.name;
    j["gpu"] = g.gpu.name;
    j["why"] = p.passed.empty() ? fmt::format("the cheapest class ({} per GPU-hour, {})", g.cost, g.cost_origin)
                                : fmt::format("the cheapest class that fits; passed over: {}", fmt::join(p.passed, "; "));
  } else {
    j["class"] = nullptr;
    j["why"] = fmt::format("fits no class: {}", fmt::join(p.passed, "; "));
    j["would_fit"] = p.would_fit;
  }
  j["verdict"] = verdict_name(p.plan.verdict);
  j["padded_tokens"] = p.plan.padded_tokens;
  j["expected_peak"] = p.plan.after.total.count();
  j["expected_peak_low"] = p.plan.after.low.count();
  j["expected_peak_high"] = p.plan.after.high.count();
  j["budget"] = p.plan.budget.pool.count();
  json changes = json::array();
  for (const Change& ch : p.plan.changes) changes.push_back({{"setting", ch.setting}, {"from", ch.from}, {"to", ch.to}, {"reason", ch.reason}});
  j["changes"] = changes;
  j["runtime"] = {{"seconds", p.plan.runtime.seconds}, {"low", p.plan.runtime.low}, {"high", p.plan.runtime.high},
                  {"origin", p.plan.runtime.origin}};
  j["host_ram_spill"] = p.plan.host_ram_needed.count();
  if (in.data_array >= 0) {
    j["data_pipeline"] = {{"array", c.arrays[static_cast<std::size_t>(in.data_array)].name}, {"task", in.data_task}};
    j["data_json"] = data_json_of(o, in);
  }
  if (in.inference_array >= 0)
    j["inference"] = {{"array", c.arrays[static_cast<std::size_t>(in.inference_array)].name}, {"task", in.inference_task}};
  return j;
}

}  // namespace

nlohmann::ordered_json campaign_options_json(const CampaignOptions& o) {
  return {{"foldfit_binary", o.foldfit_binary},
          {"af3_command", o.af3_command},
          {"cache_root", o.cache_root},
          {"inputs_per_task", o.inputs_per_task},
          {"data_cpus", o.data_cpus},
          {"data_mem_bytes", o.data_mem.count()},
          {"data_seconds_per_input", o.data_seconds_per_input},
          {"cpus_per_gpu_task", o.cpus_per_gpu_task},
          {"inference_mem_bytes", o.inference_mem.count()},
          {"time_factor", o.time_factor},
          {"compile_seconds", o.compile_seconds},
          {"sbatch_lines", o.sbatch_lines},
          {"max_array_size", o.max_array_size}};
}

CampaignOptions campaign_options_from_json(const nlohmann::json& manifest) {
  if (!manifest.contains("campaign_options") || !manifest["campaign_options"].is_object())
    throw UsageError("the plan's manifest.json has no campaign_options (written by an older foldfit plan); plan again");
  const nlohmann::json& j = manifest["campaign_options"];
  CampaignOptions o;
  o.foldfit_binary = j.at("foldfit_binary").get<std::string>();
  o.af3_command = j.at("af3_command").get<std::string>();
  o.cache_root = j.at("cache_root").get<std::string>();
  o.inputs_per_task = j.at("inputs_per_task").get<int>();
  o.data_cpus = j.at("data_cpus").get<int>();
  o.data_mem = Bytes(j.at("data_mem_bytes").get<std::int64_t>());
  o.data_seconds_per_input = j.at("data_seconds_per_input").get<std::int64_t>();
  o.cpus_per_gpu_task = j.at("cpus_per_gpu_task").get<int>();
  o.inference_mem = Bytes(j.at("inference_mem_bytes").get<std::int64_t>());
  o.time_factor = j.at("time_factor").get<double>();
  o.compile_seconds = j.at("compile_seconds").get<std::int64_t>();
  o.sbatch_lines = j.at("sbatch_lines").get<std::vector<std::string>>();
  o.max_array_size = j.at("max_array_size").get<int>();
  o.output_dir = manifest.at("output_dir").get<std::string>();
  o.history_db = manifest.at("history_db").get<std::string>();
  o.setting_flags = manifest.at("setting_flags").get<std::map<std::string, std::string>>();
  o.af3_flags = manifest.at("af3_flags").get<std::vector<std::string>>();
  return o;
}

void write_plan_folder(const Campaign& c, const CampaignOptions& o) {
  fs::path dir = fs::absolute(o.plan_dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  std::error_code ec;
  bool exists = fs::exists(dir, ec);
  if (exists && !o.force) throw UsageError(fmt::format("{} exists; give --force to replace it", dir.string()));
  fs::path parent = dir.parent_path();
  fs::create_directories(parent, ec);
  if (ec) throw OutputError(parent.string(), "cannot create: " + ec.message());
  std::random_device rd;
  fs::path tmp = parent / fmt::format(".{}.tmp-{}-{:x}", dir.filename().string(), ::getpid(), rd());
  struct Cleanup {
    fs::path p;
    bool armed = true;
    ~Cleanup() {
      std::error_code e;
      if (armed) fs::remove_all(p, e);
    }
  } cleanup{tmp};
  fs::create_directories(tmp / "lists");
  fs::create_directories(tmp / "logs");
  CampaignOptions in_place = o;
  in_place.plan_dir = dir.string();  // scripts name the final folder
  using json = nlohmann::ordered_json;
  json arrays = json::array();
  for (std::size_t ai = 0; ai < c.arrays.size(); ++ai) {
    const ArrayJob& a = c.arrays[ai];
    {
      // One table per array, not a file per task: 100,000 inputs make a few files.
      std::ofstream list(tmp / "lists" / (a.name + ".tsv"), std::ios::binary);
      for (std::size_t t = 0; t < a.tasks.size(); ++t)
        for (std::size_t i : a.tasks[t]) {
          const CampaignInput& in = c.inputs[i];
          // The data pipeline reads the input; inference reads the data pipeline's output.
          list << t << '\t';
          if (a.kind == "data_pipeline") list << fs::absolute(in.file).string() << '\t';
          list << data_json_of(o, in) << '\n';
        }
      list.flush();
      if (!list) throw OutputError((tmp / "lists" / (a.name + ".tsv")).string(), "cannot write");
    }
    std::string script = a.name + ".sbatch";
    write_text(tmp / script, sbatch_script(c, ai, in_place));
    std::size_t inputs = 0;
    for (const auto& t : a.tasks) inputs += t.size();
    json aj = {{"name", a.name}, {"kind", a.kind}, {"script", script}, {"tasks", a.tasks.size()}, {"inputs", inputs},
               {"partition", a.partition}, {"gres", a.gres}, {"mem_bytes", a.mem.count()}, {"mem_origin", a.mem_origin},
               {"time", format_slurm_time(a.time_seconds)}, {"time_origin", a.time_origin}, {"cpus_per_task", a.cpus}};
    if (a.kind == "inference") {
      aj["class"] = c.cluster.classes[static_cast<std::size_t>(a.class_index)].name;
      aj["bucket"] = a.bucket;
      aj["depends_on"] = c.arrays[static_cast<std::size_t>(a.depends_on)].name;
      aj["dependency"] = "aftercorr";
      aj["compilation_cache"] = o.cache_root + "/" + slug(c.cluster.classes[static_cast<std::size_t>(a.class_index)].gpu.name);
    }
    aj["notes"] = a.notes;
    arrays.push_back(aj);
  }
  {
    // The manifest is streamed, one input a line: tens of thousands of inputs never sit
    // in memory as one JSON tree.
    std::ofstream m(tmp / "manifest.json", std::ios::binary);
    json head = {{"format", "foldfit-campaign"}, {"version", 1}, {"foldfit_version", std::string(version())},
                 {"cluster_origin", c.cluster.origin}, {"output_dir", o.output_dir}, {"history_db", o.history_db},
                 {"setting_flags", o.setting_flags}, {"af3_flags", o.af3_flags},
                 {"campaign_options", campaign_options_json(o)}, {"arrays", arrays}};
    std::string h = head.dump();
    h.pop_back();  // reopen the object
    m << h << ",\"inputs\":[\n";
    for (std::size_t i = 0; i < c.inputs.size(); ++i) m << (i ? ",\n" : "") << input_json(c, c.inputs[i], o).dump();
    m << "\n]}\n";
    m.flush();
    if (!m) throw OutputError((tmp / "manifest.json").string(), "cannot write");
  }
  json summary = campaign_summary(c);
  write_text(tmp / "summary.json", summary.dump(2) + "\n");
  write_text(tmp / "summary.txt", summary_text(summary));
  write_text(tmp / "cluster.json", cluster_to_json(c.cluster));
  if (exists) {
    // --force: the old folder goes aside first, so a failure leaves one of the two whole.
    fs::path old = parent / fmt::format(".{}.old-{}", dir.filename().string(), ::getpid());
    fs::rename(dir, old, ec);
    if (ec) throw OutputError(dir.string(), "cannot replace: " + ec.message());
    fs::rename(tmp, dir, ec);
    if (ec) {
      fs::rename(old, dir);
      throw OutputError(dir.string(), "cannot write: " + ec.message());
    }
    fs::remove_all(old, ec);
  } else {
    fs::rename(tmp, dir, ec);
    if (ec) throw OutputError(dir.string(), "cannot write: " + ec.message());
  }
  cleanup.armed = false;
}

}  // namespace foldfit
