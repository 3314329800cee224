#include "foldfit/schedule/cluster.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "foldfit/common/error.hpp"
#include "foldfit/input/json.hpp"

namespace foldfit {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Gres type aliases that name one table GPU; ambiguous ones ("a100", "v100") are not here.
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> m = {
      {"h100", "H100-80GB"}, {"h100nvl", "H100-94GB"}, {"h100_nvl", "H100-94GB"}, {"h200", "H200"},
      {"l40s", "L40S"},      {"a40", "A40"},           {"a30", "A30"},             {"a10", "A10"},
      {"l4", "L4"},          {"t4", "T4"},             {"b200", "B200"},           {"p100", "P100-16GB"},
  };
  return m;
}

// MIG profiles by the card they exist on (NVIDIA's MIG user guide, A100 profiles).
const std::set<std::string> kA100_40Profiles = {"1g.5gb", "2g.10gb", "3g.20gb", "4g.20gb", "7g.40gb"};
const std::set<std::string> kA100_80Profiles = {"1g.10gb", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"};

const GpuSpec& table_gpu(const std::string& name, const std::string& why) {
  const GpuSpec* g = find_gpu(name);
  if (!g) throw UsageError(fmt::format("{}: '{}' is not in the GPU table ('foldfit devices' lists it)", why, name));
  return *g;
}

}  // namespace

std::optional<std::int64_t> parse_slurm_time(std::string_view text) {
  std::string t(text);
  std::string l = lower(t);
  if (l == "infinite" || l == "unlimited") return 0;
  static const std::regex re(R"(^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$)");
  std::smatch m;
  if (!std::regex_match(t, m, re)) return std::nullopt;
  std::int64_t days = m[1].matched ? std::stoll(m[1]) : 0;
  std::vector<std::int64_t> parts;
  for (int i = 2; i <= 4; ++i)
    if (m[i].matched) parts.push_back(std::stoll(m[i]));
  std::int64_t h = 0, min = 0, s = 0;
  if (m[1].matched) {  // D-HH[:MM[:SS]]
    h = parts[0];
    if (parts.size() > 1) min = parts[1];
    if (parts.size() > 2) s = parts[2];
  } else if (parts.size() == 1) {  // MM
    min = parts[0];
  } else if (parts.size() == 2) {  // MM:SS
    min = parts[0], s = parts[1];
  } else {  // HH:MM:SS
    h = parts[0], min = parts[1], s = parts[2];
  }
  return ((days * 24 + h) * 60 + min) * 60 + s;
}

std::string format_slurm_time(std::int64_t seconds) {
  seconds = std::max<std::int64_t>(60, seconds);
  std::int64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
  return d > 0 ? fmt::format("{}-{:02}:{:02}:{:02}", d, h, m, s) : fmt::format("{:02}:{:02}:{:02}", h, m, s);
}

namespace {
GpuSpec gpu_for_gres_type(const std::string& type, const ClusterOverrides& o, std::string* origin, GpuClass* cls) {
  std::string key = lower(type);
  static const std::regex mig(R"(^(\d)g\.(\d+)gb$)");
  std::smatch m;
  if (std::regex_match(key, m, mig)) {
    std::string parent;
    if (auto it = o.gpu_map.find(type); it != o.gpu_map.end()) parent = it->second;
    else if (kA100_40Profiles.count(key)) parent = "A100-40GB";
    else if (kA100_80Profiles.count(key)) parent = "A100-80GB";
    else
      throw UsageError(fmt::format("Gres type '{}' is a MIG profile of an unknown card; give --gpu_map={}=PARENT "
                                   "(e.g. H100-80GB)", type, type));
    GpuSpec g = table_gpu(parent, fmt::format("--gpu_map={}", type));
    int slices = std::stoi(m[1]);
    double gb = std::stod(m[2]);
    g.name = fmt::format("{} MIG {}", g.name, key);
    g.full_name = g.name;
    g.nvml_names = {};
    // The profile's nominal size in 10^9 bytes: below what the driver reports for the
    // slice (a 7g.40gb reports 40,192 MiB = 42.1 GB), so a plan never counts on more.
    g.memory = Bytes::from_gb(gb);
    g.memory_origin = fmt::format("the MIG profile's name ({} GB nominal, below the driver's figure)", m[2].str());
    if (origin) *origin = fmt::format("MIG profile {} of {}; runtime x 7/{} (its share of the compute slices, approximate)", key, parent, slices);
    cls->table_gpu = find_gpu(parent)->name;
    cls->mig = true;
    cls->runtime_scale = 7.0 / slices;
    return g;
  }
  if (auto it = o.gpu_map.find(type); it != o.gpu_map.end()) {
    if (origin) *origin = fmt::format("--gpu_map={}={}", type, it->second);
    return table_gpu(it->second, fmt::format("--gpu_map={}", type));
  }
  if (auto it = aliases().find(key); it != aliases().end()) {
    if (origin) *origin = fmt::format("Gres type '{}' (alias of {})", type, it->second);
    return table_gpu(it->second, "alias");
  }
  if (const GpuSpec* g = find_gpu(type)) {
    if (origin) *origin = fmt::format("Gres type '{}' names {}", type, g->name);
    return *g;
  }
  throw UsageError(fmt::format("Gres type '{}' does not say which GPU it is (memory differs between models); give "
                               "--gpu_map={}=NAME with a GPU from 'foldfit devices' (e.g. A100-40GB or A100-80GB)",
                               type.empty() ? "(untyped gpu)" : type, type.empty() ? "gpu" : type));
}
}  // namespace

void resolve_gres_type(GpuClass& g, const ClusterOverrides& o) {
  g.mig = false;
  g.runtime_scale = 1;
  g.gpu = gpu_for_gres_type(g.gres_type, o, &g.gpu_origin, &g);
  if (!g.mig) g.table_gpu = g.gpu.name;
}

namespace {

void finish(Cluster& c, const ClusterOverrides& o) {
  for (GpuClass& g : c.classes) {
    if (auto it = o.cost.find(g.name); it != o.cost.end()) {
      g.cost = it->second, g.cost_origin = "--gpu_cost=" + g.name;
    } else if (auto it2 = o.cost.find(g.gres_type); it2 != o.cost.end()) {
      g.cost = it2->second, g.cost_origin = "--gpu_cost=" + g.gres_type;
    } else if (g.cost_origin.empty()) {
      // The card's size class: 16, 24, 40, 48, 80, 96, 144 GiB ...; equal sizes go slower card first.
      g.cost = std::max(1.0, std::round(g.gpu.memory.count() / 1073741824.0 / 8) * 8);
      g.cost_origin = "default: the GPU's memory in GiB, rounded to a multiple of 8 (the smallest card that fits is taken)";
    }
  }
  std::sort(c.classes.begin(), c.classes.end(), [](const GpuClass& a, const GpuClass& b) {
    double ta = a.gpu.bf16_tflops / a.runtime_scale, tb = b.gpu.bf16_tflops / b.runtime_scale;
    return std::tie(a.cost, ta, a.name) < std::tie(b.cost, tb, b.name);
  });
  if (o.gres_template) c.gres_template = *o.gres_template;
  if (c.gres_template.empty()) throw UsageError("the gres template is empty (--gres_template, or gres_template in the cluster file)");
}

// "Key=Value Key=Value ..." where a value may hold spaces (OS=Linux 5.10 ...): a word
// without '=' belongs to the value before it.
std::map<std::string, std::string> scontrol_fields(const std::string& line) {
  std::map<std::string, std::string> f;
  std::istringstream words(line);
  std::string w, last;
  while (words >> w) {
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0) {
      if (!last.empty()) f[last] += " " + w;
      continue;
    }
    last = w.substr(0, eq);
    f[last] = w.substr(eq + 1);
  }
  return f;
}

struct GresEntry {
  std::string type;
  int count = 0;
};

// "gpu:a100:4(S:0-1),gpu:h100:2,shard:8" -> the gpu entries.
std::vector<GresEntry> parse_gres(const std::string& gres) {
  std::vector<GresEntry> out;
  std::string g = gres;
  // Commas inside "(S:0-1,3)" are not separators.
  std::string item;
  int depth = 0;
  auto flush = [&] {
    std::string it = item.substr(0, item.find('('));
    item.clear();
    if (it.rfind("gpu", 0) != 0) return;
    std::vector<std::string> parts;
    std::stringstream ss(it);
    std::string p;
    while (std::getline(ss, p, ':')) parts.push_back(p);
    if (parts.empty() || parts[0] != "gpu") return;
    GresEntry e;
    try {
      if (parts.size() == 2) e.count = std::stoi(parts[1]);
      else if (parts.size() >= 3) e.type = parts[1], e.count = std::stoi(parts[2]);
    } catch (const std::exception&) {
      throw UsageError(fmt::format("cannot read the Gres entry '{}'", it));
    }
    if (e.count > 0) out.push_back(e);
  };
  for (char ch : g) {
    if (ch == '(') ++depth;
    if (ch == ')') --depth;
    if (ch == ',' && depth == 0) flush();
    else item += ch;
  }
  flush();
  return out;
}

}  // namespace

Cluster cluster_from_slurm(const std::string& sinfo_text, const std::string& scontrol_text, const ClusterOverrides& o) {
  Cluster c;
  c.origin = "slurm (sinfo -h -a -o '%R|%l', scontrol show node -o)";
  std::map<std::string, std::int64_t> limits;
  std::vector<std::string> partition_order;
  std::istringstream si(sinfo_text);
  std::string line;
  int lineno = 0;
  while (std::getline(si, line)) {
    ++lineno;
    if (line.empty()) continue;
    auto bar = line.find('|');
    if (bar == std::string::npos) throw UsageError(fmt::format("sinfo line {}: expected PARTITION|TIMELIMIT, got '{}'", lineno, line));
    std::string part = line.substr(0, bar);
    auto t = parse_slurm_time(line.substr(bar + 1));
    if (!t) throw UsageError(fmt::format("sinfo line {}: cannot read the time limit '{}'", lineno, line.substr(bar + 1)));
    if (!limits.count(part)) partition_order.push_back(part);
    limits[part] = *t;
  }
  std::map<std::string, GpuClass> classes;
  std::map<std::string, CpuPartition> cpu_parts;
  std::istringstream sc(scontrol_text);
  lineno = 0;
  while (std::getline(sc, line)) {
    ++lineno;
    if (line.find("NodeName=") == std::string::npos) continue;
    auto f = scontrol_fields(line);
    int cpus = 0;
    std::int64_t mem_mb = 0;
    try {
      cpus = std::stoi(f.count("CPUTot") ? f["CPUTot"] : "0");
      mem_mb = std::stoll(f.count("RealMemory") ? f["RealMemory"] : "0");
    } catch (const std::exception&) {
      throw UsageError(fmt::format("scontrol line {} (node {}): cannot read CPUTot / RealMemory", lineno, f["NodeName"]));
    }
    Bytes ram(mem_mb * 1048576);  // Slurm's MB are MiB
    std::vector<GresEntry> gres = parse_gres(f.count("Gres") ? f["Gres"] : "");
    std::stringstream parts(f.count("Partitions") ? f["Partitions"] : "");
    std::string part;
    while (std::getline(parts, part, ',')) {
      if (part.empty()) continue;
      if (gres.empty()) {
        CpuPartition& cp = cpu_parts[part];
        if (cp.name.empty()) cp.name = part, cp.cpus_per_node = cpus, cp.node_ram = ram;
        cp.cpus_per_node = std::min(cp.cpus_per_node, cpus);
        cp.node_ram = std::min(cp.node_ram, ram);
        cp.time_limit_seconds = limits.count(part) ? limits[part] : 0;
      }
      for (const GresEntry& e : gres) {
        std::string name = part + "/" + (e.type.empty() ? "gpu" : e.type);
        GpuClass& g = classes[name];
        if (g.name.empty()) {
          g.name = name;
          g.partition = part;
          g.gres_type = e.type;
          resolve_gres_type(g, o);
          g.gpus_per_node = e.count;
          g.node_ram = ram;
          g.cpus_per_node = cpus;
          g.time_limit_seconds = limits.count(part) ? limits[part] : 0;
        }
        ++g.nodes;
        g.gpus_per_node = std::min(g.gpus_per_node, e.count);
        g.node_ram = std::min(g.node_ram, ram);
        g.cpus_per_node = std::min(g.cpus_per_node, cpus);
      }
    }
  }
  if (classes.empty()) throw UsageError("Slurm reports no node with GPUs in its Gres (scontrol show node)");
  for (auto& [n, g] : classes) c.classes.push_back(g);
  if (o.cpu_partition) {
    if (!cpu_parts.count(*o.cpu_partition) && !limits.count(*o.cpu_partition))
      throw UsageError(fmt::format("--cpu_partition={}: Slurm has no such partition", *o.cpu_partition));
    CpuPartition cp = cpu_parts.count(*o.cpu_partition) ? cpu_parts[*o.cpu_partition] : CpuPartition{*o.cpu_partition, 0, Bytes(0), 0};
    cp.time_limit_seconds = limits[*o.cpu_partition];
    c.cpu = cp;
  } else {
    for (const std::string& p : partition_order)
      if (cpu_parts.count(p)) {
        c.cpu = cpu_parts[p];
        break;
      }
  }
  finish(c, o);
  return c;
}

namespace {

std::string run_capture(const char* command) {
  FILE* p = ::popen(command, "r");
  if (!p) throw UsageError(fmt::format("cannot run '{}'", command));
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  if (status != 0)
    throw UsageError(fmt::format("'{}' failed (status {}); plan away from the cluster with --cluster_file=FILE", command,
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  return out;
}

}  // namespace

Cluster read_slurm_cluster(const ClusterOverrides& o) {
  std::string sinfo = run_capture("sinfo -h -a -o '%R|%l' 2>&1");
  std::string nodes = run_capture("scontrol show node -o 2>&1");
  return cluster_from_slurm(sinfo, nodes, o);
}

namespace {

struct Walker {
  std::string source;
  [[noreturn]] void fail(const json::Value& v, const std::string& path, const std::string& msg) const {
    throw InputError(SourceLocation{source, v.pos.line, v.pos.column, path}, msg);
  }
  const json::Value& member(const json::Value& obj, const std::string& path, const char* key, bool required) const {
    static const json::Value none;
    const json::Value* v = obj.find(key);
    if (!v) {
      if (required) fail(obj, path, fmt::format("missing member \"{}\"", key));
      return none;
    }
    return *v;
  }
  std::string str(const json::Value& v, const std::string& path) const {
    if (!v.is_string()) fail(v, path, "expected a string");
    return v.text;
  }
  std::int64_t integer(const json::Value& v, const std::string& path, std::int64_t lo) const {
    auto i = v.is_number() ? v.as_int64() : std::nullopt;
    if (!i) fail(v, path, "expected an integer");
    if (*i < lo) fail(v, path, fmt::format("must be at least {}", lo));
    return *i;
  }
  std::int64_t time(const json::Value& v, const std::string& path) const {
    auto t = parse_slurm_time(str(v, path));
    if (!t) fail(v, path, "expected a Slurm time limit (D-HH:MM:SS, HH:MM:SS, MM or \"infinite\")");
    return *t;
  }
  void only(const json::Value& obj, const std::string& path, std::initializer_list<const char*> keys) const {
    for (const json::Member& m : obj.members) {
      bool ok = false;
      for (const char* k : keys) ok |= m.key == k;
      if (!ok) throw InputError(SourceLocation{source, m.key_pos.line, m.key_pos.column, path + "." + m.key}, "unknown member");
    }
  }
};

}  // namespace

Cluster parse_cluster_file(std::string_view text, const std::string& source, const ClusterOverrides& o) {
  json::Document doc;
  try {
    doc = json::parse_string(text);
  } catch (const json::ParseError& e) {
    throw InputError(SourceLocation{source, e.position().line, e.position().column, ""}, e.message());
  }
  Walker w{source};
  const json::Value& root = doc.root;
  if (!root.is_object()) w.fail(root, "", "expected an object");
  w.only(root, "", {"gres_template", "cpu_partition", "gpu_classes"});
  Cluster c;
  c.origin = "cluster file " + source;
  if (const json::Value* t = root.find("gres_template")) c.gres_template = w.str(*t, "gres_template");
  if (const json::Value* cp = root.find("cpu_partition")) {
    if (!cp->is_object()) w.fail(*cp, "cpu_partition", "expected an object");
    w.only(*cp, "cpu_partition", {"name", "cpus", "mem_mb", "time_limit"});
    CpuPartition p;
    p.name = w.str(w.member(*cp, "cpu_partition", "name", true), "cpu_partition.name");
    p.cpus_per_node = static_cast<int>(w.integer(w.member(*cp, "cpu_partition", "cpus", true), "cpu_partition.cpus", 1));
    p.node_ram = Bytes(w.integer(w.member(*cp, "cpu_partition", "mem_mb", true), "cpu_partition.mem_mb", 1) * 1048576);
    if (const json::Value* t = cp->find("time_limit")) p.time_limit_seconds = w.time(*t, "cpu_partition.time_limit");
    c.cpu = p;
  }
  const json::Value& list = w.member(root, "", "gpu_classes", true);
  if (!list.is_array() || list.items.empty()) w.fail(list, "gpu_classes", "expected a non-empty array");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const json::Value& e = list.items[i];
    std::string path = fmt::format("gpu_classes[{}]", i);
    if (!e.is_object()) w.fail(e, path, "expected an object");
    w.only(e, path, {"partition", "gres_type", "gpu", "gpus_per_node", "nodes", "mem_mb", "cpus", "time_limit", "cost"});
    GpuClass g;
    g.partition = w.str(w.member(e, path, "partition", true), path + ".partition");
    g.gres_type = w.str(w.member(e, path, "gres_type", true), path + ".gres_type");
    g.name = g.partition + "/" + (g.gres_type.empty() ? "gpu" : g.gres_type);
    if (!names.insert(g.name).second) w.fail(e, path, fmt::format("a second class {}", g.name));
    try {
      if (const json::Value* gpu = e.find("gpu")) {
        ClusterOverrides local = o;
        local.gpu_map[g.gres_type] = w.str(*gpu, path + ".gpu");
        resolve_gres_type(g, local);
        g.gpu_origin = source + ": " + path + ".gpu" + (g.mig ? " (" + g.gpu_origin + ")" : "");
      } else {
        resolve_gres_type(g, o);
      }
    } catch (const UsageError& err) {
      w.fail(e, path, err.what());
    }
    g.gpus_per_node = static_cast<int>(w.integer(w.member(e, path, "gpus_per_node", true), path + ".gpus_per_node", 1));
    if (const json::Value* n = e.find("nodes")) g.nodes = static_cast<int>(w.integer(*n, path + ".nodes", 1));
    g.node_ram = Bytes(w.integer(w.member(e, path, "mem_mb", true), path + ".mem_mb", 1) * 1048576);
    g.cpus_per_node = static_cast<int>(w.integer(w.member(e, path, "cpus", true), path + ".cpus", 1));
    if (const json::Value* t = e.find("time_limit")) g.time_limit_seconds = w.time(*t, path + ".time_limit");
    if (const json::Value* cost = e.find("cost")) {
      if (!cost->is_number() || !(cost->as_double() > 0)) w.fail(*cost, path + ".cost", "expected a positive number");
      g.cost = cost->as_double();
      g.cost_origin = source + ": " + path + ".cost";
    }
    c.classes.push_back(std::move(g));
  }
  if (o.cpu_partition && (!c.cpu || c.cpu->name != *o.cpu_partition)) c.cpu = CpuPartition{*o.cpu_partition, 8, Bytes(0), 0};
  finish(c, o);
  return c;
}

Cluster read_cluster_file(const std::string& path, const ClusterOverrides& o) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0, ""}, "cannot read the cluster file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_cluster_file(ss.str(), path, o);
}

std::string cluster_to_json(const Cluster& c) {
  nlohmann::ordered_json j;
  j["gres_template"] = c.gres_template;
  if (c.cpu) {
    j["cpu_partition"] = {{"name", c.cpu->name}, {"cpus", c.cpu->cpus_per_node}, {"mem_mb", c.cpu->node_ram.count() / 1048576}};
    if (c.cpu->time_limit_seconds > 0) j["cpu_partition"]["time_limit"] = format_slurm_time(c.cpu->time_limit_seconds);
  }
  j["gpu_classes"] = nlohmann::ordered_json::array();
  for (const GpuClass& g : c.classes) {
    nlohmann::ordered_json e = {{"partition", g.partition}, {"gres_type", g.gres_type}, {"gpus_per_node", g.gpus_per_node},
                                {"mem_mb", g.node_ram.count() / 1048576}, {"cpus", g.cpus_per_node}, {"cost", g.cost}};
    if (g.nodes > 0) e["nodes"] = g.nodes;
    e["gpu"] = g.table_gpu;
    if (g.time_limit_seconds > 0) e["time_limit"] = format_slurm_time(g.time_limit_seconds);
    j["gpu_classes"].push_back(e);
  }
  return j.dump(2) + "\n";
}

CpuPartition data_partition(const Cluster& c) {
  if (c.cpu) return *c.cpu;
  if (c.classes.empty()) return {};
  const GpuClass& g = c.classes.front();
  return {g.partition, g.cpus_per_node, g.node_ram, g.time_limit_seconds};
}

}  // namespace foldfit
