#include "foldfit/model/profile.hpp"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

using nlohmann::json;

const std::map<std::string, int>& dtype_sizes() {
  static const std::map<std::string, int> sizes = {{"f32", 4}, {"bf16", 2}, {"f16", 2}, {"i32", 4},
                                                   {"i8", 1},  {"bool", 1}, {"bytes", 1}};
  return sizes;
}

// Symbols every configuration binds, besides the profile's own constants.
const std::set<std::string>& config_symbols() {
  static const std::set<std::string> names = {"N",     "S",     "A",               "K",
                                              "chunk", "shard", "flash",           "save_embeddings",
                                              "save_distogram", "glu_implementation"};
  return names;
}

// Reads a profile document, naming the file and JSON path in every error.
class ProfileReader {
 public:
  explicit ProfileReader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw InputError(SourceLocation{file_, 0, 0, path}, message);
  }

  const json& member(const json& obj, const std::string& key, const std::string& path) const {
    if (!obj.is_object()) fail(path, "expected an object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(path, "missing '" + key + "'");
    return *it;
  }
  std::string string(const json& obj, const std::string& key, const std::string& path) const {
    const json& v = member(obj, key, path);
    if (!v.is_string()) fail(join(path, key), "expected a string");
    return v.get<std::string>();
  }
  std::int64_t integer(const json& obj, const std::string& key, const std::string& path) const {
    const json& v = member(obj, key, path);
    if (!v.is_number_integer()) fail(join(path, key), "expected an integer");
    return v.get<std::int64_t>();
  }
  double number(const json& obj, const std::string& key, const std::string& path) const {
    const json& v = member(obj, key, path);
    if (!v.is_number()) fail(join(path, key), "expected a number");
    return v.get<double>();
  }
  bool boolean(const json& obj, const std::string& key, const std::string& path) const {
    const json& v = member(obj, key, path);
    if (!v.is_boolean()) fail(join(path, key), "expected true or false");
    return v.get<bool>();
  }
  const json& array(const json& obj, const std::string& key, const std::string& path) const {
    const json& v = member(obj, key, path);
    if (!v.is_array()) fail(join(path, key), "expected an array");
    return v;
  }
  void only_keys(const json& obj, std::initializer_list<const char*> keys, const std::string& path) const {
    for (const auto& item : obj.items()) {
      const std::string& key = item.key();
      if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; }))
        fail(join(path, key), "unknown key '" + key + "'");
    }
  }
  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

  Profile read(const std::string& text) {
    json doc;
    try {
      doc = json::parse(text);
    } catch (const json::parse_error& e) {
      auto [line, column] = line_column(text, e.byte);
      throw InputError(SourceLocation{file_, line, column, ""},
                       std::string("invalid JSON: ") + strip_prefix(e.what()));
    }
    Profile p;
    p.file = file_;
    p.id = string(doc, "profile", "");
    p.version = static_cast<int>(integer(doc, "profile_version", ""));
    p.af3_release = string(doc, "af3_release", "");
    p.origin = string(doc, "origin", "");
    read_constants(doc, "dimensions", p);
    read_constants(doc, "fixed", p);
    for (const char* needed : {"atoms_per_token", "atom_queries"})
      if (!p.constants.count(needed)) fail("fixed", std::string("missing '") + needed + "' (A is derived from it)");
    read_knobs(member(doc, "knobs", ""), p);
    const json& cats = array(doc, "categories", "");
    for (std::size_t i = 0; i < cats.size(); ++i) {
      if (!cats[i].is_string()) fail(index("categories", i), "expected a string");
      p.categories.push_back(cats[i].get<std::string>());
    }
    if (std::find(p.categories.begin(), p.categories.end(), "Overhead") == p.categories.end())
      fail("categories", "missing 'Overhead'");
    const json& u = member(doc, "uncertainty", "");
    p.uncertainty.uncalibrated_low = fraction(u, "uncalibrated_low", "uncertainty");
    p.uncertainty.uncalibrated_high = fraction(u, "uncalibrated_high", "uncertainty");
    p.uncertainty.calibrated_floor = fraction(u, "calibrated_floor", "uncertainty");
    p.uncertainty.why = string(u, "why", "uncertainty");

    const json& persistent = array(doc, "persistent", "");
    for (std::size_t i = 0; i < persistent.size(); ++i)
      p.persistent.push_back(read_tensor(persistent[i], index("persistent", i), "", p));
    const json& pool = array(doc, "pool_overheads", "");
    for (std::size_t i = 0; i < pool.size(); ++i) {
      std::string path = index("pool_overheads", i);
      ProfileOverhead o = read_overhead_common(pool[i], path);
      o.fraction_of_pool = fraction(pool[i], "fraction_of_pool", path);
      p.pool_overheads.push_back(o);
    }
    const json& outside = array(doc, "overheads", "");
    for (std::size_t i = 0; i < outside.size(); ++i) {
      std::string path = index("overheads", i);
      ProfileOverhead o = read_overhead_common(outside[i], path);
      o.bytes = Bytes(integer(outside[i], "bytes", path));
      if (o.bytes.count() < 0) fail(join(path, "bytes"), "must not be negative");
      p.overheads.push_back(o);
    }
    const json& phases = array(doc, "phases", "");
    if (phases.empty()) fail("phases", "a profile needs at least one phase");
    for (std::size_t i = 0; i < phases.size(); ++i) p.phases.push_back(read_phase(phases[i], index("phases", i), p));
    return p;
  }

 private:
  static std::pair<std::uint32_t, std::uint32_t> line_column(const std::string& text, std::size_t byte) {
    std::uint32_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return {line, column};
  }
  // nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1, column 2: ".
  static std::string strip_prefix(const std::string& what) {
    std::size_t colon = what.find(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
  }

  double fraction(const json& obj, const std::string& key, const std::string& path) const {
    double v = number(obj, key, path);
    if (v < 0 || v >= 1) fail(join(path, key), "expected a fraction in [0, 1)");
    return v;
  }

  void read_constants(const json& doc, const std::string& key, Profile& p) const {
    const json& obj = member(doc, key, "");
    if (!obj.is_object()) fail(key, "expected an object");
    for (const auto& [name, entry] : obj.items()) {
      std::string path = join(key, name);
      if (config_symbols().count(name) || name == "min" || name == "max")
        fail(path, "'" + name + "' is a reserved symbol");
      std::int64_t v = integer(entry, "value", path);
      if (v < 0) fail(join(path, "value"), "must not be negative");
      string(entry, "source", path);
      if (!p.constants.emplace(name, v).second) fail(path, "defined twice");
    }
  }

  void read_knobs(const json& knobs, Profile& p) const {
    const std::string base = "knobs";
    const json& flash = member(knobs, "flash_attention", base);
    p.flash_choices = choices(flash, "knobs.flash_attention");
    p.defaults.flash_attention = string(flash, "default", "knobs.flash_attention");
    if (std::find(p.flash_choices.begin(), p.flash_choices.end(), p.defaults.flash_attention) == p.flash_choices.end())
      fail("knobs.flash_attention.default", "'" + p.defaults.flash_attention + "' is not one of the choices");
    std::int64_t samples = integer(member(knobs, "num_diffusion_samples", base), "default", "knobs.num_diffusion_samples");
    if (samples < 1) fail("knobs.num_diffusion_samples.default", "must be at least 1");
    p.defaults.num_diffusion_samples = static_cast<int>(samples);
    p.defaults.pair_transition_shard_spec = spec(knobs, "pair_transition_shard_spec");
    p.defaults.pair_attention_chunk_size = spec(knobs, "pair_attention_chunk_size");
    p.defaults.save_embeddings = boolean(member(knobs, "save_embeddings", base), "default", "knobs.save_embeddings");
    p.defaults.save_distogram = boolean(member(knobs, "save_distogram", base), "default", "knobs.save_distogram");
    // Profiles before version 2 have no GLU knob: they describe the fused GLU only.
    if (!knobs.contains("glu_implementation")) {
      p.glu_choices = {"fused"};
      p.defaults.glu_implementation = "fused";
      return;
    }
    const json& glu = member(knobs, "glu_implementation", base);
    p.glu_choices = choices(glu, "knobs.glu_implementation");
    p.defaults.glu_implementation = string(glu, "default", "knobs.glu_implementation");
    if (std::find(p.glu_choices.begin(), p.glu_choices.end(), p.defaults.glu_implementation) == p.glu_choices.end())
      fail("knobs.glu_implementation.default", "'" + p.defaults.glu_implementation + "' is not one of the choices");
  }

  std::vector<std::string> choices(const json& knob, const std::string& path) const {
    std::vector<std::string> out;
    for (const json& c : array(knob, "choices", path)) {
      if (!c.is_string()) fail(join(path, "choices"), "expected strings");
      out.push_back(c.get<std::string>());
    }
    return out;
  }

  SizeSpec spec(const json& knobs, const std::string& key) const {
    std::string path = join("knobs", key);
    std::string text = string(member(knobs, key, "knobs"), "default", path);
    try {
      return SizeSpec::parse(text);
    } catch (const UsageError& e) {
      fail(join(path, "default"), e.what());
    }
  }

  ProfileOverhead read_overhead_common(const json& obj, const std::string& path) const {
    ProfileOverhead o;
    o.name = string(obj, "name", path);
    o.status = string(obj, "status", path);
    o.source = string(obj, "source", path);
    return o;
  }

  ProfileTensor read_tensor(const json& obj, const std::string& path, const std::string& phase_category,
                            const Profile& p) const {
    if (!obj.is_object()) fail(path, "expected an object");
    only_keys(obj, {"name", "shape", "dtype", "when", "category", "source"}, path);
    ProfileTensor t;
    t.name = string(obj, "name", path);
    t.shape_text = string(obj, "shape", path);
    t.source = string(obj, "source", path);
    t.dtype = string(obj, "dtype", path);
    auto size = dtype_sizes().find(t.dtype);
    if (size == dtype_sizes().end())
      fail(join(path, "dtype"), "unknown dtype '" + t.dtype + "' (known: bf16, bool, bytes, f16, f32, i32, i8)");
    t.dtype_bytes = size->second;
    t.category = obj.contains("category") ? string(obj, "category", path) : phase_category;
    if (t.category.empty()) fail(path, "missing 'category'");
    if (std::find(p.categories.begin(), p.categories.end(), t.category) == p.categories.end())
      fail(join(path, "category"), "unknown category '" + t.category + "'");
    try {
      t.shape = expr::Shape::parse(t.shape_text);
    } catch (const expr::ExpressionError& e) {
      fail(join(path, "shape"), e.what());
    }
    check_symbols(t.shape.symbols(), join(path, "shape"), p);
    if (obj.contains("when")) {
      try {
        t.when = expr::Expression::parse(string(obj, "when", path));
      } catch (const expr::ExpressionError& e) {
        fail(join(path, "when"), e.what());
      }
      check_symbols(t.when->symbols(), join(path, "when"), p);
    }
    probe(t, path, p);
    return t;
  }

  void check_symbols(const std::set<std::string>& names, const std::string& path, const Profile& p) const {
    for (const std::string& name : names)
      if (!config_symbols().count(name) && !p.constants.count(name))
        fail(path, "unknown symbol '" + name + "' (define it under dimensions or fixed)");
  }

  // Evaluates once with the default knobs, so type errors surface when the profile loads.
  void probe(const ProfileTensor& t, const std::string& path, const Profile& p) const {
    ModelConfig c = p.defaults;
    c.padded_tokens = 1024;
    expr::Bindings b = bind_config(p, c);
    try {
      t.shape.elements(b);
    } catch (const expr::ExpressionError& e) {
      fail(join(path, "shape"), e.what());
    }
    if (t.when) {
      try {
        t.when->evaluate_bool(b);
      } catch (const expr::ExpressionError& e) {
        fail(join(path, "when"), e.what());
      }
    }
  }

  ProfilePhase read_phase(const json& obj, const std::string& path, const Profile& p) const {
    if (!obj.is_object()) fail(path, "expected an object");
    only_keys(obj, {"name", "title", "category", "source", "extends", "tensors"}, path);
    ProfilePhase phase;
    phase.name = string(obj, "name", path);
    phase.title = string(obj, "title", path);
    phase.category = string(obj, "category", path);
    phase.source = string(obj, "source", path);
    if (std::find(p.categories.begin(), p.categories.end(), phase.category) == p.categories.end())
      fail(join(path, "category"), "unknown category '" + phase.category + "'");
    for (const ProfilePhase& earlier : p.phases)
      if (earlier.name == phase.name) fail(join(path, "name"), "phase '" + phase.name + "' defined twice");
    if (obj.contains("extends")) {
      std::string base = string(obj, "extends", path);
      auto it = std::find_if(p.phases.begin(), p.phases.end(), [&](const ProfilePhase& x) { return x.name == base; });
      if (it == p.phases.end()) fail(join(path, "extends"), "unknown phase '" + base + "' (it must come earlier)");
      phase.tensors = it->tensors;
    }
    const json& tensors = array(obj, "tensors", path);
    for (std::size_t i = 0; i < tensors.size(); ++i)
      phase.tensors.push_back(read_tensor(tensors[i], index(join(path, "tensors"), i), phase.category, p));
    return phase;
  }

  std::string file_;
};

void check_choice(const std::vector<std::string>& choices, const std::string& value, const std::string& what) {
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return;
  std::string known;
  for (const auto& c : choices) known += (known.empty() ? "" : ", ") + c;
  throw UsageError("unknown " + what + " implementation '" + value + "' (" + known + ")");
}

}  // namespace

Profile parse_profile(const std::string& text, const std::string& source) { return ProfileReader(source).read(text); }

expr::Bindings bind_config(const Profile& profile, const ModelConfig& config) {
  const std::int64_t n = config.padded_tokens;
  if (n < 1) throw UsageError("padded token count must be positive, got " + std::to_string(n));
  if (config.num_diffusion_samples < 1)
    throw UsageError("num_diffusion_samples must be at least 1, got " + std::to_string(config.num_diffusion_samples));
  check_choice(profile.flash_choices, config.flash_attention, "flash attention");
  check_choice(profile.glu_choices, config.glu_implementation, "gated linear unit");
  expr::Bindings b;
  for (const auto& [name, value] : profile.constants) b[name] = value;
  // AlphaFold 3 pads atoms to ceil(24 N / 32) * 32 (pipeline.py, padding shapes).
  const std::int64_t per_token = profile.constants.at("atoms_per_token");
  const std::int64_t subset = profile.constants.at("atom_queries");
  const std::int64_t atoms = (per_token * n + subset - 1) / subset * subset;
  b["N"] = n;
  b["S"] = std::int64_t{config.num_diffusion_samples};
  b["A"] = atoms;
  b["K"] = atoms / subset;
  // None means unchunked / unsharded: all N rows at once.
  b["chunk"] = std::min(config.pair_attention_chunk_size.value_for(n).value_or(n), n);
  b["shard"] = std::min(config.pair_transition_shard_spec.value_for(n).value_or(n), n);
  b["flash"] = config.flash_attention;
  b["save_embeddings"] = config.save_embeddings;
  b["save_distogram"] = config.save_distogram;
  b["glu_implementation"] = config.glu_implementation;
  return b;
}

}  // namespace foldfit
