#include "foldfit/plan/staging.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "foldfit/common/error.hpp"

namespace foldfit {

const char* const kTemplateRecyclesOrigin =
    "AlphaFold 2's default of 3 recycles (its model config num_recycle), offered as a starting point, not a "
    "measurement: whether the template lets it converge is checked on the result (ranking score and pLDDT against "
    "a run at the full recycles)";

namespace {

struct Sized {
  std::string text;
  Sizes sizes;
};

Sized size_document(const nlohmann::ordered_json& doc, const std::string& file, const Ccd& base,
                    const SizeOptions& options) {
  Sized out;
  out.text = doc.dump(2) + "\n";
  std::vector<Input> read = read_input_text(out.text, file, ReadOptions{});
  if (read.size() != 1) throw InputError(SourceLocation{file, 0, 0, ""}, "a stage must hold one input");
  Ccd ccd = ccd_for_input(read.front(), base);
  out.sizes = size_input(read.front(), ccd, options);
  return out;
}

RuntimeEstimate sum(const RuntimeEstimate& a, const RuntimeEstimate& b) {
  return {a.seconds + b.seconds, a.low + b.low, a.high + b.high, a.origin.empty() ? b.origin : a.origin};
}

// `doc` with chain ids renamed through `names` (entity ids and bond ends).
nlohmann::ordered_json renamed(nlohmann::ordered_json doc, const std::map<std::string, std::string>& names) {
  auto map = [&](const std::string& id) {
    auto it = names.find(id);
    return it == names.end() ? id : it->second;
  };
  for (auto& entry : doc["sequences"]) {
    auto body = entry.begin();
    auto& id = (*body)["id"];
    if (id.is_string()) id = map(id.get<std::string>());
    else
      for (auto& one : id) one = map(one.get<std::string>());
  }
  if (doc.contains("bondedAtomPairs"))
    for (auto& pair : doc["bondedAtomPairs"])
      for (auto& atom : pair) atom[0] = map(atom[0].get<std::string>());
  return doc;
}

void advise_subassemblies(const Input& input, const nlohmann::ordered_json& source, const Ccd& base,
                          const SizeOptions& size_options, const PlanRequest& request, StagingPlan& out) {
  SubAssemblyAdvice& a = out.subassemblies;
  const int n = out.full;
  // The full complex: the last stage when it is the full size, else planned here.
  PlannedInput full;
  if (out.stages.back().staged.copies == n) {
    full = out.stages.back().planned;
  } else {
    StagedInput s = stage_input(input, source, n);
    full = plan_input(size_document(s.document, input.file, base, size_options).sizes, request);
  }
  const std::string device = request.device.origin;
  if (full.plan.verdict != Verdict::cannot_fit) {
    a.why = fmt::format("the full complex ({} tokens) fits {}: no sub-assemblies are needed", full.inputs.sizes.tokens,
                        device);
    return;
  }
  if (request.device.host_ram > Bytes(0) && request.device.spill_permitted == Bytes(0) &&
      !request.settings.unified_memory.user_set()) {
    PlanRequest spill = request;
    spill.device.spill_permitted = request.device.host_ram;
    spill.details = false;
    PlannedInput with = plan_input(full.inputs.sizes, spill);
    if (with.plan.verdict != Verdict::cannot_fit) {
      a.why = fmt::format("the full complex cannot fit {} in GPU memory, but fits with unified memory spilling about "
                          "{} to host RAM ({}; give --max_gpu_memory_gb to plan it): no sub-assemblies are proposed",
                          device, format_gb(with.plan.host_ram_needed), request.device.host_ram_origin);
      return;
    }
  }
  a.needed = true;
  std::string host = request.device.host_ram > Bytes(0)
                         ? fmt::format("even with unified memory over this node's {} of host RAM ({})",
                                       format_gb(request.device.host_ram), request.device.host_ram_origin)
                         : "and host RAM is unknown, so unified memory is not counted on (give --host_ram_gb)";
  a.why = fmt::format("the full complex ({} tokens) cannot fit {} {}", full.inputs.sizes.tokens, device, host);
  std::string smallest = full.minimum_gpu.empty() ? minimum_gpu(full.inputs) : full.minimum_gpu;
  a.why += smallest.empty() ? "; no GPU in foldfit's table holds it at these settings"
                            : fmt::format("; the smallest GPU in foldfit's table that holds it: {}", smallest);

  // Windows over the copies need every entity with copies to have all N of them, and no
  // bond between a copy and a single-copy chain (a window would move the bond).
  std::vector<CopyGroup> groups = copy_groups(input);
  std::set<std::string> single;
  for (const CopyGroup& g : groups) {
    if (g.chains.size() == 1) single.insert(g.chains.front());
    else if (static_cast<int>(g.chains.size()) != n) {
      a.instructions = fmt::format("no sub-assemblies: entities have different numbers of copies ({} has {}, the most "
                                   "is {}), so overlapping windows over the copies are not defined",
                                   g.label, g.chains.size(), n);
      return;
    }
  }
  for (const Bond& b : input.bonds)
    if (single.count(b.a.chain) != single.count(b.b.chain)) {
      a.instructions = fmt::format("no sub-assemblies: {} bonds a copy ({}) to a single-copy chain ({}), which a "
                                   "window over other copies would move",
                                   format_location(b.where), single.count(b.a.chain) ? b.b.chain : b.a.chain,
                                   single.count(b.a.chain) ? b.a.chain : b.b.chain);
      return;
    }

  PlanRequest quiet = request;
  quiet.details = false;
  for (int k = n - 1; k >= 1; --k) {
    StagedInput s;
    try {
      s = stage_input(input, source, k);
    } catch (const InputError&) {
      continue;  // this k cannot be made consistent (a bond between copies it splits)
    }
    PlannedInput p = plan_input(size_document(s.document, input.file, base, size_options).sizes, quiet);
    if (p.plan.verdict == Verdict::cannot_fit) continue;
    a.copies = k;
    a.planned = p;
    if (k == 1) {
      a.instructions = "only a single copy fits: fold it alone (the stage of 1 copy); overlapping windows need at "
                       "least 2 copies, so foldfit proposes no assembly";
      return;
    }
    // Windows of k copies overlapping by one copy: starts 0, k-1, 2(k-1), ..., the last at n-k.
    std::vector<int> starts;
    for (int st = 0;; st += k - 1) {
      starts.push_back(std::min(st, n - k));
      if (st + k >= n) break;
    }
    for (std::size_t w = 0; w < starts.size(); ++w) {
      std::map<std::string, std::string> names;
      SubAssembly sub;
      for (const CopyGroup& g : groups) {
        if (g.chains.size() == 1) continue;
        for (int i = 0; i < k; ++i) {
          names[g.chains[static_cast<std::size_t>(i)]] = g.chains[static_cast<std::size_t>(starts[w] + i)];
          sub.chains.push_back(g.chains[static_cast<std::size_t>(starts[w] + i)]);
          if (w > 0 && starts[w] + i < starts[w - 1] + k) sub.overlap.push_back(sub.chains.back());
        }
      }
      sub.name = fmt::format("{}_sub{}_{}-{}", input.name, w + 1, sub.chains.front(), sub.chains.back());
      nlohmann::ordered_json doc = renamed(s.document, names);
      doc["name"] = sub.name;
      sub.text = doc.dump(2) + "\n";
      Input named;
      named.name = sub.name;
      sub.file_name = named.sanitised_name() + ".json";
      a.windows.push_back(std::move(sub));
    }
    a.instructions = fmt::format(
        "fold each of the {} windows with AlphaFold 3 (each fits: {} tokens, {}), then assemble the {}-copy complex "
        "yourself: superpose each window on the previous one by their shared chains (the overlap) and keep the new "
        "chains. The windows are the same sequences under different chain names, so the assembly assumes the copies "
        "pack alike along the complex (true for cyclic or helical homomers, not guaranteed otherwise); the "
        "interface that closes a ring (the last copy against the first) is not predicted by any window. foldfit "
        "does not assemble the result",
        a.windows.size(), p.inputs.sizes.tokens, verdict_name(p.plan.verdict), n);
    return;
  }
  a.instructions = "no sub-assembly fits: even a single copy cannot fit this device";
}

}  // namespace

StagingPlan plan_stages(const Input& input, const Ccd& base, const SizeOptions& size_options,
                        const PlanRequest& request, const StagingRequest& staging) {
  nlohmann::ordered_json source = source_document(input);
  std::vector<CopyGroup> groups = copy_groups(input);
  StagingPlan out;
  out.release = request.release;
  out.file = input.file;
  out.name = input.name;
  out.full = static_cast<int>(full_copies(groups));
  for (const CopyGroup& g : groups)
    out.groups.push_back(fmt::format("{}: {} cop{} ({})", g.label, g.chains.size(), g.chains.size() == 1 ? "y" : "ies",
                                     fmt::join(g.chains, ", ")));
  if (staging.stages.empty()) throw UsageError("--stages: give the copy counts of the stages, e.g. --stages=1,2,4");
  for (int k : staging.stages) {
    PlannedStage st;
    st.staged = stage_input(input, source, k);
    Input named;
    named.name = st.staged.name;
    st.file_name = named.sanitised_name() + ".json";
    Sized sized = size_document(st.staged.document, input.file, base, size_options);
    st.text = std::move(sized.text);
    st.planned = plan_input(sized.sizes, request);
    out.stages.push_back(std::move(st));
  }

  // The offer: fewer recycles on the last stage, which has a template.
  RecyclesOffer& o = out.offer;
  const PlannedStage& last = out.stages.back();
  o.user_set = request.settings.num_recycles.user_set();
  o.from = last.planned.plan.settings.num_recycles.value;
  o.to = o.user_set ? o.from : std::min(o.from, staging.offered_recycles);
  o.to_origin = o.user_set ? "--num_recycles as given" : kTemplateRecyclesOrigin;
  RuntimeInputs rt = runtime_inputs(last.planned.plan, last.planned.inputs);
  o.last_before = last.planned.plan.runtime;
  rt.num_recycles = o.to;
  o.last_after = estimate_runtime(rt, last.planned.inputs.device.spec);
  for (std::size_t i = 0; i + 1 < out.stages.size(); ++i) o.earlier = sum(o.earlier, out.stages[i].planned.plan.runtime);
  o.saving_seconds = o.last_before.seconds - o.last_after.seconds;
  o.net_seconds = o.saving_seconds - o.earlier.seconds;

  if (staging.subassemblies) advise_subassemblies(input, source, base, size_options, request, out);
  return out;
}

}  // namespace foldfit
