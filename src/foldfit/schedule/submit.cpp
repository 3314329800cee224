#include "foldfit/schedule/submit.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "foldfit/common/atomic_file.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/schedule/cluster.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace foldfit {

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot read", p.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A JSON parse error as file:line:column.
[[noreturn]] void parse_failure(const fs::path& p, const std::string& text, const json::parse_error& e) {
  SourceLocation loc{p.string(), 1, 1, ""};
  for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
    if (text[i] == '\n') ++loc.line, loc.column = 1;
    else ++loc.column;
  }
  std::string what = e.what();
  if (auto at = what.find("syntax error"); at != std::string::npos) what = what.substr(at);
  throw InputError(loc, what);
}

json parse_file(const fs::path& p) {
  std::string text = read_all(p);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    parse_failure(p, text, e);
  }
}

std::string now_utc() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_submitted(const std::string& dir, const std::vector<SubmittedArray>& all) {
  nlohmann::ordered_json arrays = nlohmann::ordered_json::array();
  for (const SubmittedArray& s : all)
    arrays.push_back({{"name", s.name}, {"job_id", s.job_id}, {"dependency", s.dependency}, {"submitted_at", s.submitted_at}});
  nlohmann::ordered_json j = {{"format", "foldfit-submission"}, {"version", 1}, {"arrays", arrays}};
  replace_file_atomically((fs::path(dir) / "submitted.json").string(), j.dump(2) + "\n");
}

}  // namespace

const PlanArray* PlanFolder::array(const std::string& name) const {
  for (const PlanArray& a : arrays)
    if (a.name == name) return &a;
  return nullptr;
}

PlanFolder read_plan_folder(const std::string& dir_in) {
  PlanFolder f;
  fs::path dir = fs::absolute(dir_in).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  f.dir = dir.string();
  fs::path mpath = dir / "manifest.json";
  if (!fs::is_directory(dir)) throw UsageError(fmt::format("{}: no such plan folder", f.dir));
  if (!fs::exists(mpath)) throw UsageError(fmt::format("{}: not a plan folder (no manifest.json; see foldfit plan)", f.dir));
  json m = parse_file(mpath);
  SourceLocation loc{mpath.string(), 0, 0, ""};
  try {
    if (!m.is_object() || m.value("format", "") != "foldfit-campaign")
      throw InputError(loc, "not a foldfit campaign manifest (\"format\" is not \"foldfit-campaign\")");
    for (const json& a : m.at("arrays")) {
      PlanArray pa;
      pa.name = a.at("name").get<std::string>();
      pa.kind = a.at("kind").get<std::string>();
      pa.script = a.at("script").get<std::string>();
      pa.depends_on = a.value("depends_on", "");
      pa.klass = a.value("class", "");
      pa.partition = a.value("partition", "");
      pa.tasks = a.at("tasks").get<std::int64_t>();
      pa.mem_bytes = a.at("mem_bytes").get<std::int64_t>();
      auto t = parse_slurm_time(a.at("time").get<std::string>());
      pa.time_seconds = t.value_or(0);
      f.arrays.push_back(std::move(pa));
    }
    std::size_t n = 0;
    for (const json& i : m.at("inputs")) {
      loc.path = fmt::format("inputs[{}]", n++);
      PlanInputEntry e;
      e.name = i.at("name").get<std::string>();
      e.file = i.at("file").get<std::string>();
      e.tokens = i.at("tokens").get<std::int64_t>();
      e.seeds = i.at("seeds").get<std::int64_t>();
      if (i.at("class").is_string()) e.klass = i["class"].get<std::string>();
      e.gpu = i.value("gpu", "");
      e.data_json = i.value("data_json", "");
      if (i.contains("data_pipeline"))
        e.data_array = i["data_pipeline"].at("array").get<std::string>(), e.data_task = i["data_pipeline"].at("task").get<int>();
      if (i.contains("inference"))
        e.inference_array = i["inference"].at("array").get<std::string>(),
        e.inference_task = i["inference"].at("task").get<int>();
      f.inputs.push_back(std::move(e));
    }
  } catch (const json::exception& e) {
    throw InputError(loc, fmt::format("not a foldfit campaign manifest: {}", e.what()));
  }
  m.erase("inputs");
  f.manifest = std::move(m);
  return f;
}

std::vector<SubmittedArray> read_submitted(const std::string& dir) {
  fs::path p = fs::path(dir) / "submitted.json";
  std::vector<SubmittedArray> out;
  if (!fs::exists(p)) return out;
  json j = parse_file(p);
  SourceLocation loc{p.string(), 0, 0, "arrays"};
  try {
    for (const json& a : j.at("arrays"))
      out.push_back({a.at("name").get<std::string>(), a.at("job_id").get<std::string>(), a.value("dependency", ""),
                     a.value("submitted_at", "")});
  } catch (const json::exception& e) {
    throw InputError(loc, fmt::format("not a foldfit submission record: {}", e.what()));
  }
  return out;
}

PlanLock::PlanLock(const std::string& dir) {
  std::string p = (fs::path(dir) / ".foldfit.lock").string();
  fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw OutputError(p, fmt::format("cannot open: {}", std::strerror(errno)));
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    ::close(fd_);
    throw OutputError(p, fmt::format("cannot lock: {}", std::strerror(e)));
  }
}

PlanLock::~PlanLock() {
  if (fd_ >= 0) ::close(fd_);
}

SubmitReport submit_plan(const PlanFolder& plan, SlurmClient& slurm, bool locked) {
  std::optional<PlanLock> lock;
  if (!locked) lock.emplace(plan.dir);
  // Read under the lock: a concurrent submit may have just recorded arrays.
  std::vector<SubmittedArray> record = read_submitted(plan.dir);
  std::map<std::string, std::string> job_of;
  for (const SubmittedArray& s : record) job_of[s.name] = s.job_id;
  SubmitReport r;
  for (const PlanArray& a : plan.arrays) {
    if (auto it = job_of.find(a.name); it != job_of.end()) {
      for (const SubmittedArray& s : record)
        if (s.name == a.name) r.already.push_back(s);
      continue;
    }
    std::string dependency;
    if (!a.depends_on.empty()) {
      auto dep = job_of.find(a.depends_on);
      if (dep == job_of.end()) {
        r.error = fmt::format("{}: its data-pipeline array {} has no job id; not submitted", a.name, a.depends_on);
        break;
      }
      dependency = "aftercorr:" + dep->second;
    }
    std::string script = (fs::path(plan.dir) / a.script).string();
    ToolResult t = slurm.sbatch(script, dependency);
    std::optional<std::string> id = t.status == 0 ? parse_sbatch_job_id(t.out) : std::nullopt;
    if (!id) {
      std::string said = t.err + t.out;
      while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
      r.error = t.status == 0 ? fmt::format("sbatch {}: printed no job id: '{}'", script, said)
                              : fmt::format("sbatch {} failed (exit status {}): {}", script, t.status,
                                            said.empty() ? "no message" : said);
      break;
    }
    SubmittedArray s{a.name, *id, dependency, now_utc()};
    record.push_back(s);
    job_of[a.name] = *id;
    write_submitted(plan.dir, record);  // at once: a later failure keeps this one recorded
    r.submitted.push_back(std::move(s));
  }
  return r;
}

nlohmann::ordered_json submit_report_json(const PlanFolder& plan, const SubmitReport& r) {
  auto list = [&](const std::vector<SubmittedArray>& v) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const SubmittedArray& s : v) {
      const PlanArray* pa = plan.array(s.name);
      a.push_back({{"array", s.name}, {"job_id", s.job_id}, {"tasks", pa ? pa->tasks : 0}, {"dependency", s.dependency},
                   {"submitted_at", s.submitted_at}});
    }
    return a;
  };
  nlohmann::ordered_json j = {{"plan_dir", plan.dir},
                              {"record", (fs::path(plan.dir) / "submitted.json").string()},
                              {"submitted", list(r.submitted)},
                              {"already_submitted", list(r.already)}};
  j["error"] = r.error ? nlohmann::ordered_json(*r.error) : nlohmann::ordered_json(nullptr);
  return j;
}

std::string submit_report_text(const PlanFolder& plan, const SubmitReport& r) {
  std::string out;
  for (const SubmittedArray& s : r.already)
    out += fmt::format("skipped {}: already submitted as job {} ({})\n", s.name, s.job_id, s.submitted_at);
  for (const SubmittedArray& s : r.submitted) {
    const PlanArray* pa = plan.array(s.name);
    out += fmt::format("submitted {}: job {} ({} tasks){}\n", s.name, s.job_id, pa ? pa->tasks : 0,
                       s.dependency.empty() ? "" : ", --dependency=" + s.dependency);
  }
  if (r.error) out += "error: " + *r.error + "\n";
  std::size_t total = plan.arrays.size(), recorded = r.already.size() + r.submitted.size();
  out += fmt::format("{} of {} arrays submitted ({} now, {} before); job ids in {}\n", recorded, total, r.submitted.size(),
                     r.already.size(), (fs::path(plan.dir) / "submitted.json").string());
  return out;
}

}  // namespace foldfit
