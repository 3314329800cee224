// cmd_plan.cpp - `foldfit plan`: a campaign of AlphaFold 3 inputs as Slurm job arrays,
// each input on the cheapest GPU class that fits it (library: foldfit/schedule/).
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "foldfit/common/atomic_file.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/common/flag_values.hpp"
#include "foldfit/common/process_environment.hpp"
#include "foldfit/report/html_report.hpp"
#include "foldfit/run/af3_args.hpp"
#include "foldfit/schedule/campaign.hpp"
#include "inputs.hpp"
#include "planning.hpp"

namespace fs = std::filesystem;

namespace foldfit::cli {

namespace {

// The device flags that make sense for a whole cluster (the GPU comes from each class).
const std::set<std::string> kCampaignDeviceFlags = {"margin_gb", "calibration", "af3_release"};

std::vector<OptionSpec> plan_options() {
  std::vector<OptionSpec> o = input_option_specs(false);
  for (OptionSpec& s : setting_option_specs()) o.push_back(s);
  for (OptionSpec& s : device_option_specs())
    if (kCampaignDeviceFlags.count(s.name)) o.push_back(s);
  o.push_back({"plan_dir", "DIR", "", "the plan folder to write (required; refused when it exists, unless --force)"});
  o.push_back({"force", "", "false", "replace an existing plan folder (and --html file)"});
  o.push_back({"cluster_file", "FILE", "", "the cluster as JSON (docs/campaigns.md); default: ask Slurm (sinfo, scontrol)"});
  o.push_back({"gpu_map", "TYPE=GPU,...", "", "Gres types as table GPUs, e.g. a100=A100-80GB (MIG: 3g.40gb=H100-80GB)"});
  o.push_back({"gpu_cost", "CLASS=COST,...", "GPU memory in GB", "cost per GPU-hour by Gres type or class (partition/type)"});
  o.push_back({"gres_template", "TEXT", "gpu:{type}:1", "sbatch --gres of an inference task; {type}: the Gres type"});
  o.push_back({"cpu_partition", "NAME", "the first partition without GPUs", "where the data pipeline runs"});
  o.push_back({"output_dir", "DIR", "", "AlphaFold 3's output folder for every input (required)"});
  o.push_back({"history_db", "FILE", "<output_dir>/foldfit-history.sqlite", "the history database every task shares"});
  o.push_back({"cache_dir", "DIR", "<output_dir>/.jax_cache", "JAX compilation caches, one folder per GPU model"});
  o.push_back({"af3_command", "CMD", "foldfit run's lookup", "how the tasks start AlphaFold 3"});
  o.push_back({"inputs_per_task", "N", "20", "most inference inputs in one array task (one compile)"});
  o.push_back({"data_pipeline_cpus", "N", "8", "--cpus-per-task of a data-pipeline task"});
  o.push_back({"data_pipeline_mem_gb", "GB", "64", "--mem of a data-pipeline task"});
  o.push_back({"data_pipeline_hours", "H", "3", "--time of a data-pipeline task, per input"});
  o.push_back({"inference_mem_gb", "GB", "32", "host RAM of an inference task before unified-memory spill"});
  o.push_back({"cpus_per_gpu_task", "N", "8", "--cpus-per-task of an inference task (at most the node's CPUs per GPU)"});
  o.push_back({"time_factor", "X", "1.5", "--time: the runtime estimate's high end x X, plus --compile_minutes"});
  o.push_back({"compile_minutes", "M", "10", "allowance per inference task for compiling (the estimate is compile-free)"});
  o.push_back({"max_array_size", "N", "1000", "most tasks in one job array (Slurm's MaxArraySize less one); larger arrays are split"});
  o.push_back({"sbatch", "LINE;LINE", "", "extra #SBATCH lines for every script, e.g. '--account=abc;--qos=normal'"});
  o.push_back({"format", "text|json", "text", "the summary as text or JSON"});
  o.push_back({"html", "FILE", "", "also write the campaign as one self-contained HTML page (docs/report.md; --force replaces it)"});
  return o;
}

std::map<std::string, std::string> pairs(const std::string& flag, const std::string& text) {
  std::map<std::string, std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
      throw UsageError(fmt::format("--{}: expected KEY=VALUE, got '{}'", flag, item));
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

std::string absolute(const std::string& p) { return fs::absolute(p).lexically_normal().string(); }

std::string self_binary() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "foldfit" : p.string();
}

}  // namespace

const CommandSpec kPlanSpec{
    "plan",
    "Plan a campaign on a Slurm cluster: each input on the cheapest GPU class that fits it, the data\n"
    "pipeline and inference as job arrays, written to a plan folder (send its scripts with sbatch, see docs/campaigns.md).",
    "(--input_dir=DIR | --input_list=FILE | --json_path=FILE) --plan_dir=DIR --output_dir=DIR\n"
    "       [--cluster_file=FILE] [setting flags] [run_alphafold.py flags, e.g. --model_dir=DIR --db_dir=DIR]",
    "The cluster comes from Slurm (sinfo -h -a -o '%R|%l'; scontrol show node -o) unless --cluster_file names\n"
    "one. Each input gets the plan 'foldfit estimate --gpu=GPU --host_ram_gb=NODE_RAM' gives it, on the first\n"
    "class in cost order that fits. run_alphafold.py flags not interpreted here go to every task.\n"
    "Exit codes: 0 every input placed; 11 some fit nowhere (the rest is planned); 2 invalid input or usage;\n"
    "1 other errors. --html=FILE also writes the campaign as an HTML page (inputs per GPU class, padded sizes,\n"
    "GPU-hours, inputs that fit nowhere; docs/report.md), atomically, never over a file without --force.\n"
    "See docs/campaigns.md.",
    plan_options(),
};

int run_plan(const ParsedOptions& options) {
  auto plan_dir = options.get("plan_dir");
  if (!plan_dir) throw UsageError("give --plan_dir=DIR");
  auto output_dir = options.get("output_dir");
  if (!output_dir) throw UsageError("give --output_dir=DIR (where AlphaFold 3 writes every input's results)");
  std::string format = options.choice("format", {"text", "json"}).value_or("text");
  bool force = options.flag("force", false);
  if (fs::exists(*plan_dir) && !force) throw UsageError(fmt::format("{} exists; give --force to replace it", *plan_dir));
  // --html: refused before anything is written when the file exists (unless --force).
  std::unique_ptr<AtomicFile> html;
  if (auto path = options.get("html")) html = std::make_unique<AtomicFile>(*path, force);

  ClusterOverrides over;
  if (auto m = options.get("gpu_map")) over.gpu_map = pairs("gpu_map", *m);
  if (auto c = options.get("gpu_cost"))
    for (const auto& [k, v] : pairs("gpu_cost", *c)) over.cost[k] = parse_flag_number("gpu_cost", v, 1e-9, 1e12);
  if (auto t = options.get("gres_template")) over.gres_template = *t;
  if (auto p = options.get("cpu_partition")) over.cpu_partition = *p;
  Cluster cluster = options.get("cluster_file") ? read_cluster_file(*options.get("cluster_file"), over) : read_slurm_cluster(over);

  // The setting flags given, as make_planning takes them; the same go to every task.
  std::map<std::string, std::string> flags;
  for (const OptionSpec& spec : plan_options()) {
    bool setting = false;
    for (const OptionSpec& s : setting_option_specs()) setting |= s.name == spec.name;
    if (!(setting || kCampaignDeviceFlags.count(spec.name)) || !options.has(spec.name)) continue;
    flags[spec.name] = spec.value_hint.empty() ? (*options.flag_if_set(spec.name) ? "true" : "false") : *options.get(spec.name);
  }
  // One release for the whole campaign: the one given, else the one of the AlphaFold 3
  // command the tasks will run (--af3_command or foldfit's own lookup), pinned so that
  // every placement and every task's foldfit run plan for the same release.
  const Af3ReleaseChoice release = resolve_af3_release(options.get("af3_release"), options.get("af3_command"),
                                                       process_environment());
  flags["af3_release"] = release.release->name;
  Placer placer(cluster, flags, process_environment());

  CampaignOptions co;
  co.plan_dir = absolute(*plan_dir);
  co.force = force;
  co.foldfit_binary = self_binary();
  co.af3_command = options.get_or("af3_command", "");
  co.output_dir = absolute(*output_dir);
  co.history_db = absolute(options.get_or("history_db", co.output_dir + "/foldfit-history.sqlite"));
  co.cache_root = absolute(options.get_or("cache_dir", co.output_dir + "/.jax_cache"));
  Af3Args af3 = Af3Args::parse(options.unknown());
  co.af3_flags = af3.argv_without({"json_path", "input_dir", "output_dir", "jax_compilation_cache_dir", "force_output_dir",
                                   "run_data_pipeline", "run_inference"});
  co.setting_flags = flags;
  co.inputs_per_task = static_cast<int>(options.integer("inputs_per_task", 1, 100000).value_or(20));
  co.data_cpus = static_cast<int>(options.integer("data_pipeline_cpus", 1, 4096).value_or(8));
  co.data_mem = Bytes::from_gb(options.number("data_pipeline_mem_gb", 0.1, 1e6).value_or(64));
  co.data_seconds_per_input = static_cast<std::int64_t>(options.number("data_pipeline_hours", 0.01, 1e4).value_or(3) * 3600);
  co.inference_mem = Bytes::from_gb(options.number("inference_mem_gb", 0.1, 1e6).value_or(32));
  co.cpus_per_gpu_task = static_cast<int>(options.integer("cpus_per_gpu_task", 1, 4096).value_or(8));
  co.time_factor = options.number("time_factor", 1.0, 100).value_or(1.5);
  co.compile_seconds = static_cast<std::int64_t>(options.number("compile_minutes", 0, 1e4).value_or(10) * 60);
  co.max_array_size = static_cast<int>(options.integer("max_array_size", 1, 10000000).value_or(1000));
  if (auto lines = options.get("sbatch")) {
    std::stringstream ss(*lines);
    std::string l;
    while (std::getline(ss, l, ';'))
      if (!l.empty()) co.sbatch_lines.push_back(l);
  }

  Campaign campaign;
  campaign.cluster = cluster;
  campaign.release = release;
  SizeOptions size_options = size_options_from(options, release);
  // Streamed: one file at a time; only the placement (memoised by size) is kept per input.
  std::size_t invalid = for_each_input(options, size_options, [&](const Sizes& s, const InputVisit&) {
    campaign.inputs.push_back(campaign_input(s, placer.place(s)));
  });
  if (invalid > 0) {
    std::cerr << fmt::format("foldfit: {} invalid input file(s); nothing written\n", invalid);
    return kInvalid;
  }
  build_arrays(campaign, co);
  write_plan_folder(campaign, co);
  nlohmann::ordered_json summary = campaign_summary(campaign);
  if (html) {
    html->write(report::campaign_html(campaign, summary));
    html->commit();
  }
  if (format == "json") {
    summary["plan_dir"] = co.plan_dir;
    std::cout << summary.dump(2) << "\n";
  } else {
    std::cout << "Plan written to " << co.plan_dir << " (cluster: " << cluster.origin << ")\n" << summary_text(summary);
    for (const ArrayJob& a : campaign.arrays)
      std::cout << fmt::format("  {}.sbatch: {} tasks, partition {}{}, --mem={} ({}), --time={}, --cpus-per-task={}\n", a.name,
                               a.tasks.size(), a.partition, a.gres.empty() ? "" : ", --gres=" + a.gres, format_gb(a.mem),
                               a.mem_origin, format_slurm_time(a.time_seconds), a.cpus);
  }
  return campaign.unplaced > 0 ? kCannotFit : kOk;
}

}  // namespace foldfit::cli
