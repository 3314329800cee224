#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "foldfit/common/embedded.hpp"
#include "foldfit/common/error.hpp"
#include "foldfit/model/calibration_overlay.hpp"

namespace foldfit {

namespace {

using nlohmann::json;

std::shared_ptr<const Calibration::Impl> identity() {
  static const auto impl = std::make_shared<const Calibration::Impl>();
  return impl;
}

[[noreturn]] void fail(const std::string& source, const std::string& path, const std::string& message) {
  throw InputError(SourceLocation{source, 0, 0, path}, message);
}

std::string need_string(const json& obj, const std::string& key, const std::string& source, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) fail(source, path, "missing '" + key + "'");
  if (!it->is_string()) fail(source, path.empty() ? key : path + "." + key, "expected a string");
  return it->get<std::string>();
}

double need_number(const json& obj, const std::string& key, const std::string& source, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) fail(source, path, "missing '" + key + "'");
  if (!it->is_number()) fail(source, path.empty() ? key : path + "." + key, "expected a number");
  return it->get<double>();
}

Calibration::Impl read_overlay(const json& obj, const std::string& source, const std::string& path) {
  if (!obj.is_object()) fail(source, path, "expected an overlay object");
  Calibration::Impl c;
  c.id = need_string(obj, "id", source, path);
  if (c.id.empty() || c.id == "uncalibrated") fail(source, path + (path.empty() ? "" : ".") + "id", "needs a real id");
  c.profile = need_string(obj, "profile", source, path);
  c.architecture = need_string(obj, "architecture", source, path);
  c.flash_attention = need_string(obj, "flash_attention", source, path);
  const std::string at = path.empty() ? "" : path + ".";
  auto phases = obj.find("phases");
  if (phases == obj.end() || !phases->is_object()) fail(source, at + "phases", "expected an object of phases");
  for (const auto& [name, entry] : phases->items()) {
    std::string p = at + "phases." + name;
    if (!entry.is_object()) fail(source, p, "expected {\"scale\": ..., \"offset_bytes\": ...}");
    PhaseCorrection pc;
    pc.scale = need_number(entry, "scale", source, p);
    if (!(pc.scale > 0)) fail(source, p + ".scale", "must be positive");
    auto off = entry.find("offset_bytes");
    if (off == entry.end() || !off->is_number_integer()) fail(source, p + ".offset_bytes", "expected an integer");
    pc.offset = off->get<std::int64_t>();
    if (auto m = entry.find("measurements"); m != entry.end() && m->is_number_integer()) pc.measurements = m->get<int>();
    c.phases[name] = pc;
  }
  auto overhead = obj.find("overhead_offset_bytes");
  if (overhead == obj.end() || !overhead->is_number_integer())
    fail(source, at + "overhead_offset_bytes", "expected an integer");
  c.overhead_offset = overhead->get<std::int64_t>();
  c.residual_relative = need_number(obj, "residual_relative", source, path);
  if (c.residual_relative < 0) fail(source, at + "residual_relative", "must not be negative");
  auto measurements = obj.find("measurements");
  if (measurements == obj.end() || !measurements->is_array() || measurements->empty())
    fail(source, at + "measurements", "an overlay must list the measurements it was fitted on");
  std::vector<std::pair<std::string, std::string>> described;
  for (std::size_t i = 0; i < measurements->size(); ++i) {
    const json& m = (*measurements)[i];
    std::string p = at + "measurements[" + std::to_string(i) + "]";
    for (const char* key : {"gpu", "driver", "jax", "af3", "date"}) need_string(m, key, source, p);
    described.emplace_back(m["gpu"].get<std::string>(), m.contains("source") ? need_string(m, "source", source, p) : "run");
  }
  c.measured_on = describe_measurements(described);
  c.pool_only = std::all_of(described.begin(), described.end(), [](const auto& d) { return is_xla_source(d.second); });
  if (auto held = obj.find("held_out"); held != obj.end()) {
    c.held_out_residual_relative = need_number(*held, "residual_relative", source, at + "held_out");
    if (c.held_out_residual_relative < 0) fail(source, at + "held_out.residual_relative", "must not be negative");
    auto list = held->find("measurements");
    if (list == held->end() || !list->is_array()) fail(source, at + "held_out.measurements", "expected an array");
    c.held_out_count = static_cast<int>(list->size());
  }
  c.measurement_count = static_cast<int>(measurements->size());
  return c;
}

json parse_json(const std::string& text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail(source, "", std::string("invalid JSON: ") + e.what());
  }
}

// One overlay, or {"overlays": [...]}.
std::vector<Calibration::Impl> read_overlays(const std::string& text, const std::string& source) {
  json doc = parse_json(text, source);
  std::vector<Calibration::Impl> out;
  if (doc.is_object() && doc.contains("overlays")) {
    const json& list = doc["overlays"];
    if (!list.is_array()) fail(source, "overlays", "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i)
      out.push_back(read_overlay(list[i], source, "overlays[" + std::to_string(i) + "]"));
  } else {
    out.push_back(read_overlay(doc, source, ""));
  }
  return out;
}

// "alphafold3-v3.0.4 (profile 1)" -> "alphafold3-v3.0.4".
std::string bare_profile_id(const std::string& id) { return id.substr(0, id.find(" (")); }

}  // namespace

bool is_xla_source(const std::string& source) { return source.starts_with("xla "); }

std::string describe_measurements(const std::vector<std::pair<std::string, std::string>>& gpu_and_source) {
  std::vector<std::string> gpus;
  std::set<std::string> sources;
  for (const auto& [gpu, source] : gpu_and_source) {
    if (std::find(gpus.begin(), gpus.end(), gpu) == gpus.end()) gpus.push_back(gpu);
    sources.insert(source);
  }
  const std::size_t n = gpu_and_source.size();
  std::string what = n == 1 ? "measurement" : "measurements";
  std::string how;
  if (sources.size() == 1 && is_xla_source(*sources.begin())) {
    what = n == 1 ? "XLA compile" : "XLA compiles";
    std::string backend = sources.begin()->substr(4);
    how = backend == "cuda-deviceless" ? ", deviceless" : backend == "cuda-device" ? ", on the GPU" : ", " + backend;
  } else if (sources.size() == 1 && *sources.begin() == "run") {
    what = n == 1 ? "run" : "runs";
  }
  std::string list;
  for (const std::string& g : gpus) list += (list.empty() ? "" : ", ") + g;
  return std::to_string(n) + " " + what + " (" + list + how + ")";
}

Calibration::Calibration() : impl_(identity()) {}
Calibration::Calibration(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

const std::string& Calibration::id() const { return impl_->id; }
bool Calibration::empty() const { return impl_->phases.empty() && impl_->overhead_offset == 0; }

Calibration Calibration::parse(const std::string& json_text, const std::string& source) {
  return Calibration(std::make_shared<const Impl>(read_overlay(parse_json(json_text, source), source, "")));
}

CalibrationSet::CalibrationSet() {
  for (Calibration::Impl& o :
       read_overlays(std::string(embedded::calibration_overlays_json()), "data/calibration/overlays.json"))
    overlays_.emplace_back(std::make_shared<const Calibration::Impl>(std::move(o)));
}

CalibrationSet CalibrationSet::with_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourceLocation{path, 0, 0, ""}, "cannot read calibration file");
  std::ostringstream text;
  text << in.rdbuf();
  CalibrationSet set;
  std::vector<Calibration> file;
  for (Calibration::Impl& o : read_overlays(text.str(), path))
    file.emplace_back(std::make_shared<const Calibration::Impl>(std::move(o)));
  set.overlays_.insert(set.overlays_.begin(), file.begin(), file.end());
  set.file_ = path;
  return set;
}

Calibration CalibrationSet::lookup(const std::string& profile_id, const std::string& architecture,
                                   const std::string& flash_implementation) const {
  const std::string profile = bare_profile_id(profile_id);
  for (const Calibration& c : overlays_) {
    const Calibration::Impl& o = c.impl();
    if (o.profile == profile && o.architecture == architecture && o.flash_attention == flash_implementation) return c;
  }
  return Calibration();
}

}  // namespace foldfit
