#include "foldfit/schedule/status.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <optional>
#include <set>

#include "foldfit/common/error.hpp"
#include "foldfit/common/process_environment.hpp"
#include "foldfit/history/database.hpp"
#include "foldfit/run/outputs.hpp"
#include "foldfit/schedule/campaign.hpp"
#include "foldfit/schedule/placement.hpp"

namespace fs = std::filesystem;

namespace foldfit {

namespace {

std::string norm(const std::string& p) { return p.empty() ? p : fs::absolute(p).lexically_normal().string(); }

// <plan>/resubmit-N folders, by N.
std::vector<std::pair<int, std::string>> round_dirs(const std::string& plan_dir) {
  std::vector<std::pair<int, std::string>> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(plan_dir, ec)) {
    std::string n = e.path().filename().string();
    if (!e.is_directory() || n.rfind("resubmit-", 0) != 0) continue;
    std::string num = n.substr(9);
    if (num.empty() || num.size() > 6 || !std::all_of(num.begin(), num.end(), ::isdigit)) continue;
    out.push_back({std::stoi(num), e.path().string()});
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Round {
  int number = 0;
  PlanFolder plan;
  std::map<std::string, std::string> job_of;  // array -> job id
};

std::vector<Round> read_rounds(const std::string& plan_dir) {
  std::vector<Round> rounds;
  Round r0;
  r0.plan = read_plan_folder(plan_dir);
  std::string root = r0.plan.dir;
  rounds.push_back(std::move(r0));
  for (auto& [n, dir] : round_dirs(root)) {
    Round r;
    r.number = n;
    r.plan = read_plan_folder(dir);
    rounds.push_back(std::move(r));
  }
  for (Round& r : rounds)
    for (const SubmittedArray& s : read_submitted(r.plan.dir)) r.job_of[s.name] = s.job_id;
  return rounds;
}

bool is_pending(const std::string& s) {
  return s == "PENDING" || s == "REQUEUED" || s == "REQUEUE_HOLD" || s == "REQUEUE_FED" || s == "RESV_DEL_HOLD" ||
         s == "SUSPENDED" || s == "PREEMPTED" || s == "RESIZING";
}
bool is_running(const std::string& s) { return s == "RUNNING" || s == "COMPLETING" || s == "CONFIGURING" || s == "STAGE_OUT" || s == "SIGNALING"; }

// The newest ended attempt of one half of an input in the history (list is newest first).
const StoredRun* newest_ended(const std::vector<const StoredRun*>& runs) {
  for (const StoredRun* r : runs)
    if (r->record.outcome != RunOutcome::planned && r->record.outcome != RunOutcome::running) return r;
  return nullptr;
}

}  // namespace

CampaignStatus campaign_status(const std::string& plan_dir, SlurmClient& slurm) {
  std::vector<Round> rounds = read_rounds(plan_dir);
  const PlanFolder& root = rounds.front().plan;
  CampaignStatus st;
  st.plan_dir = root.dir;
  st.rounds = static_cast<int>(rounds.size());

  // Accounting of every recorded job.
  std::vector<std::string> ids;
  for (const Round& r : rounds)
    for (const auto& [name, id] : r.job_of) ids.push_back(id);
  std::map<std::pair<std::string, int>, SacctTask> acct;
  if (!ids.empty()) {
    ToolResult t = slurm.sacct(ids);
    if (t.status != 0) {
      std::string said = t.err.empty() ? t.out : t.err;
      while (!said.empty() && said.back() == '\n') said.pop_back();
      throw std::runtime_error(fmt::format("sacct failed (exit status {}): {}; foldfit status needs Slurm's accounting (slurmdbd)",
                                   t.status, said));
    }
    acct = parse_sacct(t.out);
  }

  // The history the tasks share, by the path each half was run on.
  std::string output_dir = root.manifest.value("output_dir", "");
  std::string db_path = root.manifest.value("history_db", "");
  std::vector<StoredRun> history;
  if (!db_path.empty() && fs::exists(db_path)) {
    HistoryDb db(db_path);
    HistoryFilter f;
    f.limit = -1;
    history = db.list(f);
  }
  std::map<std::string, std::vector<const StoredRun*>> runs_of;
  for (const StoredRun& r : history) runs_of[norm(r.record.input_path)].push_back(&r);

  // Each input's current round: the last that holds it.
  std::map<std::string, std::pair<const Round*, const PlanInputEntry*>> current;
  std::vector<std::string> order;
  for (const Round& r : rounds)
    for (const PlanInputEntry& in : r.plan.inputs) {
      if (!current.count(in.name)) order.push_back(in.name);
      current[in.name] = {&r, &in};
    }

  for (const std::string& name : order) {
    // Plain variables, not a structured binding: the lambda below captures
    // them, which clang before 16 refuses for bindings.
    const Round* round = current.at(name).first;
    const PlanInputEntry* in = current.at(name).second;
    InputStatus s;
    s.name = name;
    s.round = round->number;
    s.klass = in->klass;
    s.gpu = in->gpu;
    if (in->klass.empty()) {
      s.outcome = "failed";
      s.detail = "fits no GPU class of the cluster (not planned; see the plan's summary)";
      st.inputs.push_back(std::move(s));
      continue;
    }
    OutputState out = inspect_output(output_dir, name);
    const StoredRun* data_run = newest_ended(runs_of[norm(in->file)]);
    const StoredRun* infer_run = newest_ended(runs_of[norm(in->data_json)]);
    auto task_of = [&](const std::string& array, int task) -> std::pair<std::string, const SacctTask*> {
      auto j = round->job_of.find(array);
      if (j == round->job_of.end()) return {"", nullptr};
      auto a = acct.find({j->second, task});
      return {j->second, a == acct.end() ? nullptr : &a->second};
    };
    auto [data_job, data_task] = task_of(in->data_array, in->data_task);
    auto [infer_job, infer_task] = task_of(in->inference_array, in->inference_task);
    bool data_done = out.has_data_json || fs::exists(in->data_json);
    bool on_data = !out.finished && !data_done;
    s.half = on_data ? "data_pipeline" : "inference";
    const std::string& array = on_data ? in->data_array : in->inference_array;
    const std::string& job = on_data ? data_job : infer_job;
    const SacctTask* task = on_data ? data_task : infer_task;
    const StoredRun* run = on_data ? data_run : infer_run;
    int task_index = on_data ? in->data_task : in->inference_task;
    s.array = array;
    if (!job.empty()) {
      s.job = fmt::format("{}_{}", job, task_index);
      s.log = (fs::path(round->plan.dir) / "logs" / fmt::format("{}-{}_{}.out", array, job, task_index)).string();
    }
    if (task) s.slurm_state = task->state, s.elapsed = task->elapsed;
    std::string half = on_data ? "data pipeline" : "inference";
    std::string why = run && !run->record.message.empty() ? ": " + run->record.message : "";

    if (out.finished) {
      s.outcome = "done";
      s.detail = "outputs complete in " + out.dir;
    } else if (job.empty()) {
      s.outcome = "not-submitted";
      s.detail = fmt::format("{} is not in {}/submitted.json (foldfit submit)", array, round->plan.dir);
    } else if (!task) {
      s.outcome = "pending";
      s.detail = fmt::format("job {} is not in Slurm's accounting yet", s.job);
    } else if (is_pending(task->state)) {
      s.outcome = "pending";
      s.detail = half;
      // aftercorr never starts a task whose data-pipeline task ended unsuccessfully.
      if (!on_data && data_task && !is_pending(data_task->state) && !is_running(data_task->state) &&
          data_task->state != "COMPLETED") {
        s.outcome = "failed";
        s.resubmit = "dependency";
        s.detail = fmt::format("inference waits on data-pipeline task {}_{}, which ended {}: its dependency is never satisfied",
                               data_job, in->data_task, data_task->state);
      }
    } else if (is_running(task->state)) {
      s.outcome = "running";
      s.detail = half;
    } else if (task->state == "TIMEOUT" || task->state == "DEADLINE") {
      s.outcome = "timeout";
      s.resubmit = "time";
      s.detail = fmt::format("{} task reached its --time ({} elapsed)", half, task->elapsed);
    } else if (task->state == "OUT_OF_MEMORY" || task->step_out_of_memory) {
      s.outcome = "out-of-memory";
      s.resubmit = "host_memory";
      s.detail = fmt::format("{} task exceeded its --mem (host RAM; Slurm {})", half, task->state);
    } else if (task->state == "CANCELLED") {
      // scancel, or Slurm's own cancel (a preemption without requeue). Its `foldfit run`
      // and AlphaFold 3 ended with it; a new task resumes what it left.
      s.outcome = "cancelled";
      s.resubmit = "again";
      s.detail = fmt::format("{} task cancelled ({} elapsed)", half, task->elapsed.empty() ? "none" : task->elapsed);
    } else if (task->state == "NODE_FAIL" || task->state == "BOOT_FAIL") {
      s.outcome = "failed";
      s.resubmit = "again";
      s.detail = fmt::format("{} task ended {}: its node failed, not the input", half, task->state);
    } else if (!on_data && run && run->record.outcome == RunOutcome::oom) {
      s.outcome = "out-of-memory";
      s.resubmit = "gpu_memory";
      s.detail = fmt::format("out of GPU memory on {} with no configuration left{}", in->gpu, why);
    } else {
      s.outcome = "failed";
      s.detail = fmt::format("{} task ended {} (exit code {}){}", half, task->state, task->exit_code,
                             run ? fmt::format("; history: {}{}", outcome_name(run->record.outcome), why) : "");
    }
    st.inputs.push_back(std::move(s));
  }
  for (const InputStatus& s : st.inputs) ++st.counts[s.outcome];
  return st;
}

nlohmann::ordered_json status_json(const CampaignStatus& s) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (const char* k : {"done", "running", "pending", "failed", "out-of-memory", "timeout", "cancelled", "not-submitted"})
    counts[k] = s.counts.count(k) ? s.counts.at(k) : 0;
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const InputStatus& i : s.inputs)
    inputs.push_back({{"input", i.name}, {"outcome", i.outcome}, {"detail", i.detail}, {"half", i.half},
                      {"round", i.round}, {"class", i.klass}, {"gpu", i.gpu}, {"array", i.array}, {"job", i.job},
                      {"slurm_state", i.slurm_state}, {"elapsed", i.elapsed}, {"log", i.log},
                      {"resubmit", i.resubmit.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(i.resubmit)}});
  return {{"plan_dir", s.plan_dir}, {"rounds", s.rounds}, {"inputs_total", s.inputs.size()}, {"counts", counts},
          {"inputs", inputs}};
}

std::string status_text(const CampaignStatus& s) {
  std::string out = fmt::format("{}: {} inputs", s.plan_dir, s.inputs.size());
  std::string sep = ": ";
  for (const char* k : {"done", "running", "pending", "failed", "out-of-memory", "timeout", "cancelled", "not-submitted"})
    if (s.counts.count(k)) out += fmt::format("{}{} {}", sep, s.counts.at(k), k), sep = ", ";
  out += s.rounds > 1 ? fmt::format(" ({} resubmission round(s))\n", s.rounds - 1) : "\n";
  out += fmt::format("{:<20} {:<14} {:<16} {:<5} {:<12} {:<13} {}\n", "input", "outcome", "class", "round", "job", "slurm", "detail");
  for (const InputStatus& i : s.inputs)
    out += fmt::format("{:<20} {:<14} {:<16} {:<5} {:<12} {:<13} {}\n", i.name, i.outcome, i.klass.empty() ? "-" : i.klass,
                       i.round, i.job.empty() ? "-" : i.job, i.slurm_state.empty() ? "-" : i.slurm_state, i.detail);
  return out;
}

namespace {

// Offsets `sub`'s indices and appends it to `into`; array names get "-<suffix>".
void merge_into(Campaign& into, Campaign&& sub, const std::string& suffix) {
  std::size_t in_off = into.inputs.size(), ar_off = into.arrays.size();
  for (CampaignInput& in : sub.inputs) {
    if (in.data_array >= 0) in.data_array += static_cast<int>(ar_off);
    if (in.inference_array >= 0) in.inference_array += static_cast<int>(ar_off);
    into.inputs.push_back(std::move(in));
  }
  for (ArrayJob& a : sub.arrays) {
    a.name += "-" + suffix;
    if (a.depends_on >= 0) a.depends_on += static_cast<int>(ar_off);
    for (auto& t : a.tasks)
      for (std::size_t& i : t) i += in_off;
    into.arrays.push_back(std::move(a));
  }
  into.unplaced += sub.unplaced;
}

int class_index(const Cluster& c, const std::string& name) {
  for (std::size_t i = 0; i < c.classes.size(); ++i)
    if (c.classes[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace

ResubmitReport resubmit_failures(const CampaignStatus& status, SlurmClient& slurm) {
  ResubmitReport rep;
  PlanLock lock(status.plan_dir);
  std::vector<Round> rounds = read_rounds(status.plan_dir);
  // A round written but not wholly submitted (an interrupted --resubmit): finish it.
  for (const Round& r : rounds) {
    if (r.number == 0 || r.job_of.size() >= r.plan.arrays.size()) continue;
    rep.round_dir = r.plan.dir;
    rep.finished_earlier = true;
    rep.submit = submit_plan(r.plan, slurm, true);
    return rep;
  }
  if (static_cast<int>(rounds.size()) != status.rounds)
    throw UsageError(fmt::format("{}: another resubmission was written since this status was read; run foldfit status again",
                                 status.plan_dir));
  const PlanFolder& root = rounds.front().plan;
  Cluster cluster = read_cluster_file((fs::path(root.dir) / "cluster.json").string(), {});
  CampaignOptions base;
  try {
    base = campaign_options_from_json(root.manifest);
  } catch (const nlohmann::json::exception& e) {
    throw InputError({root.dir + "/manifest.json", 0, 0, "campaign_options"}, e.what());
  }
  Placer placer(cluster, base.setting_flags, process_environment());

  // The current round's entry and arrays of each input.
  std::map<std::string, std::pair<const Round*, const PlanInputEntry*>> current;
  for (const Round& r : rounds)
    for (const PlanInputEntry& in : r.plan.inputs) current[in.name] = {&r, &in};

  const CpuPartition data_part = data_partition(cluster);
  const std::int64_t data_limit = data_part.time_limit_seconds;
  const Bytes data_ram = data_part.node_ram;

  struct Old {
    std::int64_t data_time = 0, infer_time = 0, data_mem = 0, infer_mem = 0;
  };
  std::deque<Placement> placements;
  std::map<std::string, std::vector<std::pair<CampaignInput, Old>>> groups;  // reason -> inputs
  for (const InputStatus& s : status.inputs) {
    if (s.resubmit.empty()) continue;
    auto [round, entry] = current.at(s.name);
    int k = class_index(cluster, entry->klass);
    if (k < 0) {
      rep.left.push_back({s.name, fmt::format("its class {} is not in the plan's cluster.json", entry->klass)});
      continue;
    }
    const GpuClass& g = cluster.classes[static_cast<std::size_t>(k)];
    Old old;
    if (const PlanArray* a = round->plan.array(entry->data_array)) old.data_time = a->time_seconds, old.data_mem = a->mem_bytes;
    if (const PlanArray* a = round->plan.array(entry->inference_array)) old.infer_time = a->time_seconds, old.infer_mem = a->mem_bytes;
    bool data_half = s.half == "data_pipeline";
    Sizes sizes;
    sizes.name = entry->name;
    sizes.file = entry->file;
    sizes.tokens = entry->tokens;
    sizes.seeds = static_cast<std::size_t>(entry->seeds);
    std::vector<int> candidates = {k};
    if (s.resubmit == "gpu_memory") {
      candidates.clear();
      for (std::size_t j = 0; j < cluster.classes.size(); ++j)
        if (cluster.classes[j].gpu.memory > g.gpu.memory) candidates.push_back(static_cast<int>(j));
      if (candidates.empty()) {
        rep.left.push_back({s.name, fmt::format("out of GPU memory on {}, and no class has more GPU memory; plan it with "
                                                "other settings (docs/settings.md)", g.name)});
        continue;
      }
    } else if (s.resubmit == "time") {
      std::int64_t limit = data_half ? data_limit : g.time_limit_seconds;
      std::int64_t was = data_half ? old.data_time : old.infer_time;
      if (limit > 0 && was >= limit) {
        rep.left.push_back({s.name, fmt::format("timed out at the partition's time limit ({}) already", format_slurm_time(limit))});
        continue;
      }
    } else if (s.resubmit == "host_memory") {
      Bytes ram = data_half ? data_ram : g.node_ram;
      std::int64_t was = data_half ? old.data_mem : old.infer_mem;
      if (ram > Bytes(0) && was >= ram.count()) {
        rep.left.push_back({s.name, fmt::format("ran out of host memory with the node's whole RealMemory ({})", format_gb(ram))});
        continue;
      }
    }
    placements.push_back(placer.place_among(sizes, candidates));
    const Placement& p = placements.back();
    if (p.class_index < 0) {
      rep.left.push_back({s.name, s.resubmit == "gpu_memory"
                                      ? fmt::format("no class with more GPU memory than {} fits it: would fit {}", g.name, p.would_fit)
                                      : fmt::format("no longer fits {} as planned now", g.name)});
      continue;
    }
    CampaignInput in = campaign_input(sizes, p);
    const GpuClass& to = cluster.classes[static_cast<std::size_t>(p.class_index)];
    std::string what = s.resubmit == "gpu_memory" ? fmt::format("{} ({}) -> {} ({})", g.name, g.gpu.name, to.name, to.gpu.name)
                       : s.resubmit == "time"     ? "one input per task, twice the --time"
                       : s.resubmit == "host_memory" ? "twice the --mem"
                       : s.resubmit == "again"       ? "again, as planned"
                                                     : "again (its data-pipeline task failed)";
    rep.moved.push_back({s.name, fmt::format("{}: {}", s.outcome, what)});
    groups[s.resubmit].push_back({std::move(in), old});
  }
  if (groups.empty()) return rep;

  Campaign all;
  all.cluster = cluster;
  for (auto& [reason, members] : groups) {
    CampaignOptions o = base;
    if (reason == "time") o.inputs_per_task = 1;
    Campaign sub;
    sub.cluster = cluster;
    std::vector<Old> olds;
    for (auto& [in, old] : members) sub.inputs.push_back(in), olds.push_back(old);
    build_arrays(sub, o);
    for (ArrayJob& a : sub.arrays) {
      bool data = a.kind == "data_pipeline";
      std::int64_t was_time = 0, was_mem = 0;
      for (const auto& t : a.tasks)
        for (std::size_t i : t)
          was_time = std::max(was_time, data ? olds[i].data_time : olds[i].infer_time),
          was_mem = std::max(was_mem, data ? olds[i].data_mem : olds[i].infer_mem);
      const GpuClass* g = a.class_index >= 0 ? &cluster.classes[static_cast<std::size_t>(a.class_index)] : nullptr;
      if (reason == "time") {
        std::int64_t limit = data ? data_limit : g->time_limit_seconds;
        std::int64_t t = std::max(a.time_seconds, 2 * was_time);
        if (limit > 0) t = std::min(t, limit);
        if (t != a.time_seconds) a.time_seconds = t, a.time_origin = "twice the --time of the task that timed out" +
                                                                   std::string(limit > 0 && t == limit ? ", capped at the partition's time limit" : "");
      } else if (reason == "host_memory") {
        Bytes ram = data ? data_ram : g->node_ram;
        Bytes m(std::max(a.mem.count(), 2 * was_mem));
        if (ram > Bytes(0) && m > ram) m = ram;
        if (m != a.mem) a.mem = m, a.mem_origin = "twice the --mem of the task that ran out of host memory" +
                                                  std::string(ram > Bytes(0) && m == ram ? ", capped at the node's RealMemory" : "");
      }
    }
    merge_into(all, std::move(sub), reason == "gpu_memory" ? "gpumem" : reason == "host_memory" ? "hostmem" : reason);
  }
  int next = rounds.back().number + 1;
  CampaignOptions o = base;
  o.plan_dir = (fs::path(root.dir) / fmt::format("resubmit-{}", next)).string();
  o.force = false;
  write_plan_folder(all, o);
  rep.round_dir = o.plan_dir;
  rep.submit = submit_plan(read_plan_folder(o.plan_dir), slurm, true);
  return rep;
}

nlohmann::ordered_json resubmit_report_json(const ResubmitReport& r) {
  nlohmann::ordered_json moved = nlohmann::ordered_json::array(), left = nlohmann::ordered_json::array();
  for (const auto& [n, w] : r.moved) moved.push_back({{"input", n}, {"change", w}});
  for (const auto& [n, w] : r.left) left.push_back({{"input", n}, {"why", w}});
  nlohmann::ordered_json j = {{"round_dir", r.round_dir.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.round_dir)},
                              {"finished_earlier_round", r.finished_earlier},
                              {"resubmitted", moved},
                              {"not_resubmitted", left}};
  if (!r.round_dir.empty()) j["submit"] = submit_report_json(read_plan_folder(r.round_dir), r.submit);
  return j;
}

std::string resubmit_report_text(const ResubmitReport& r) {
  std::string out;
  if (r.finished_earlier) out += fmt::format("resubmission {} was written but not wholly submitted: submitting it\n", r.round_dir);
  for (const auto& [n, w] : r.moved) out += fmt::format("resubmitting {}: {}\n", n, w);
  for (const auto& [n, w] : r.left) out += fmt::format("not resubmitted {}: {}\n", n, w);
  if (r.round_dir.empty()) {
    out += "nothing to resubmit\n";
    return out;
  }
  out += submit_report_text(read_plan_folder(r.round_dir), r.submit);
  return out;
}

}  // namespace foldfit
