// module.cpp - foldfit._core, the compiled half of the Python package (python/foldfit/):
// the library's own pipeline, called in-process. Every result crosses as the JSON the
// command line prints (report/), so a Python object and `foldfit ... --format=json`
// are one document; foldfit's exceptions become foldfit.InputError / foldfit.UsageError
// with their locations (python/foldfit/errors.py).
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "foldfit/common/error.hpp"
#include "foldfit/common/version.hpp"
#include "foldfit/device/environment.hpp"
#include "foldfit/device/gpu_table.hpp"
#include "foldfit/device/nvml.hpp"
#include "foldfit/plan/planning.hpp"
#include "foldfit/report/devices_report.hpp"
#include "foldfit/report/estimate_report.hpp"
#include "foldfit/report/sizes_report.hpp"
#include "foldfit/report/verify_report.hpp"
#include "foldfit/run/launch.hpp"
#include "foldfit/sizes/sizes.hpp"
#include "foldfit/verify/xla_verify.hpp"

namespace py = pybind11;
using Strings = std::map<std::string, std::string>;

namespace foldfit::python {

namespace {

// One input read from a file or text, kept with the dictionary it is sized with, so that
// estimate() can size it again with the buckets and glycan flag it is planned with.
struct ReadInput {
  std::shared_ptr<const Ccd> base;
  Input input;
  SizeOptions size_options;  // what it was read with

  Sizes size(const SizeOptions& options) const {
    Ccd ccd = ccd_for_input(input, *base);
    return size_input(input, ccd, options);
  }
  std::string sizes_json() const { return report::sizes_json(size(size_options), size_options).dump(); }
};

SizeOptions size_options(const std::optional<std::string>& buckets, bool fix_standalone_glycans,
                         const Af3ReleaseChoice& release) {
  SizeOptions s;
  s.release = release;
  s.buckets = Buckets(*release.release);
  if (buckets) s.buckets = Buckets::parse(*buckets);
  s.fix_standalone_glycans = fix_standalone_glycans;
  return s;
}

// read_input_file / read_input_text, each input checked by sizing it once (unknown CCD
// codes, bad SMILES and userCCD errors are found here, as `foldfit tokens` finds them).
py::tuple read_source(const std::string& source, bool is_text, const std::string& file,
               const std::optional<std::string>& buckets, const std::optional<std::string>& ccd_path,
               bool fix_standalone_glycans, const std::optional<std::string>& af3_release, const Strings& environment) {
  std::vector<std::shared_ptr<ReadInput>> out;
  std::vector<std::string> warnings;
  {
    py::gil_scoped_release release;
    auto base = std::make_shared<Ccd>();
    if (ccd_path) base->add_components_file(*ccd_path);
    SizeOptions options = size_options(buckets, fix_standalone_glycans,
                                       resolve_af3_release(af3_release, std::nullopt, environment));
    ReadOptions ro;
    ro.release = options.release.release;
    std::vector<Input> inputs = is_text ? read_input_text(source, file, ro, &warnings) : read_input_file(source, ro, &warnings);
    for (Input& in : inputs) {
      auto r = std::make_shared<ReadInput>(ReadInput{base, std::move(in), options});
      r->size(options);
      out.push_back(std::move(r));
    }
  }
  return py::make_tuple(out, warnings);
}

// The plan `foldfit estimate --format=json` prints for this input under these flags and
// this environment: make_planning -> size -> plan_input -> estimate_json, as cmd_estimate.
std::string estimate(const ReadInput& in, const Strings& flags, const Strings& environment, bool fix_standalone_glycans) {
  py::gil_scoped_release release;
  auto query = make_nvml_query();
  Planning planning = make_planning(flags, environment, *query);
  auto buckets = flags.find("buckets");
  Sizes sizes = in.size(size_options(buckets == flags.end() ? std::nullopt : std::optional(buckets->second),
                                     fix_standalone_glycans, planning.release));
  PlannedInput planned = plan_input(sizes, planning.request);
  require_runnable(planned.plan);
  return report::estimate_json(report::report_of(planned)).dump();
}

// What applying a plan's settings takes: run_alphafold.py flags, the environment variables
// foldfit would set, and the model-config fields the adapter would set (run/launch.hpp).
std::string launch(const std::string& settings_json) {
  RunSettings settings = RunSettings::from_json(nlohmann::json::parse(settings_json), "plan.settings");
  LaunchRequest request;
  request.af3_command = {"run_alphafold.py"};
  request.adapter_path = "foldfit_af3_adapter.py";
  request.json_path = "-";
  request.output_dir = "-";
  LaunchCommand command = build_launch(settings, request);
  nlohmann::ordered_json flags = nlohmann::ordered_json::array();
  for (const std::string& a : command.argv)
    if (a.starts_with("--") && !a.starts_with("--json_path=") && !a.starts_with("--output_dir=")) flags.push_back(a);
  nlohmann::ordered_json env = nlohmann::ordered_json::object();
  for (const auto& [name, value] : command.set_by_foldfit)
    if (name != "FOLDFIT_AF3_CONFIG") env[name] = value;
  return nlohmann::ordered_json{{"flags", flags}, {"environment", env}, {"model_config", adapter_fields(settings)}}.dump();
}

// `foldfit devices --format=json`, for this environment.
std::string devices(int gpu_device, const std::optional<std::string>& gpu, const std::string& flash,
                    const Strings& environment) {
  auto query = make_nvml_query();
  py::gil_scoped_release release;  // NVML may take a while
  return report::devices_json(report::survey_devices(*query, gpu_device, gpu, flash, environment)).dump();
}

std::string gpu_table_json() {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const GpuSpec& s : gpu_table()) out.push_back(report::spec_json(s));
  return out.dump();
}

struct VerifyArgs {
  std::vector<std::string> python;
  std::string run_alphafold;
  std::string backend;  // auto | cuda-device | cuda-deviceless | cpu
  std::string target_config;
  std::string model_dir;
  std::string glu_implementation;
  std::string cache_dir;
  int top_buffers = 10;
};

// `foldfit verify --format=json` for one input (or, with `padded_tokens`, an input of
// exactly N tokens), without recording it in the history: the same plan, the same request
// to the same helper, the same comparison (verify/xla_verify.hpp).
std::string verify(const ReadInput* in, std::optional<std::int64_t> padded_tokens, const Strings& flags,
                   const Strings& environment, bool fix_standalone_glycans, const VerifyArgs& args,
                   const std::function<void(const std::string&)>& on_line) {
  if (args.python.empty()) throw UsageError("verify: give the Python that runs AlphaFold 3 (af3_python)");
  auto query = make_nvml_query();
  Planning planning = make_planning(flags, environment, *query);
  Sizes sizes;
  if (padded_tokens) {
    planning.request.settings.buckets = {Buckets({*padded_tokens}), Origin::flag};
    sizes.name = fmt::format("{} tokens", *padded_tokens);
    sizes.file = "(padded_tokens)";
    sizes.tokens = sizes.padded_tokens = *padded_tokens;
    sizes.chains = 1;
    sizes.seeds = 1;
  } else {
    auto buckets = flags.find("buckets");
    sizes = in->size(size_options(buckets == flags.end() ? std::nullopt : std::optional(buckets->second),
                                  fix_standalone_glycans, planning.release));
  }
  const Device& device = planning.request.device;
  XlaBackend backend;
  if (args.backend == "auto") {
    backend = device.detected && !flags.count("gpu") ? XlaBackend::cuda_device : XlaBackend::cuda_deviceless;
  } else if (auto b = backend_from_name(args.backend)) {
    backend = *b;
  } else {
    throw UsageError(fmt::format("backend: '{}' is not one of auto, cuda-device, cuda-deviceless, cpu", args.backend));
  }
  if (backend == XlaBackend::cuda_device && !device.detected)
    throw UsageError("backend cuda-device needs a GPU on this machine; name one with gpu= for a deviceless compile");
  VerifyOptions vo;
  vo.backend = backend;
  vo.target = device.spec.name;
  vo.target_config = args.target_config;
  vo.model_dir = args.model_dir;
  vo.run_alphafold = args.run_alphafold;
  vo.cache_dir = args.cache_dir + "/xla";
  vo.glu_implementation = args.glu_implementation;
  vo.top_buffers = args.top_buffers;
  const std::string target_text =
      backend == XlaBackend::cuda_device ? fmt::format("{} (cuda-device, this machine's GPU)", device.spec.full_name)
      : backend == XlaBackend::cpu      ? "XLA's CPU backend (cpu)"
                                        : fmt::format("{} (cuda-deviceless)", vo.target_config.empty() ? vo.target : vo.target_config);

  PlanRequest request = planning.request;
  request.details = false;
  PlannedInput planned = plan_input(sizes, request);
  vo.device_memory = planned.plan.budget.pool;
  nlohmann::ordered_json req = verify_request(planned.plan, vo);
  const std::string helper = install_verify_helper(args.cache_dir + "/verify-helper-" + std::string(version()));
  const std::string work = args.cache_dir + "/verify-runs/" + fmt::format("python-{}", ::getpid());
  HelperRun run;
  {
    py::gil_scoped_release release;
    run = run_verify_helper(args.python, helper, req, planning.environment, work, [&](const std::string& line) {
      if (!on_line) return;
      py::gil_scoped_acquire acquire;
      on_line(line);
    });
  }
  if (run.exit_code != 0) {
    std::string why = fmt::format("verify: {} ({}): {}", sizes.name, run.kind, run.error);
    if (run.kind == "compile") throw std::runtime_error(why);
    throw UsageError(why);
  }
  XlaFigures x = parse_verify_response(run.response, work + "/response.json");
  report::VerifyReport r{&planned, &x, target_text, std::nullopt};
  return report::verify_json(r).dump();
}

// foldfit's exceptions as the package's own (python/foldfit/errors.py), with locations.
void translate(std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const InputError& e) {
    py::object cls = py::module_::import("foldfit.errors").attr("InputError");
    const SourceLocation& l = e.location();
    py::object error = cls(e.what(), e.message(), l.file, l.line, l.column, l.path);
    PyErr_SetObject(cls.ptr(), error.ptr());
  } catch (const UsageError& e) {
    py::object cls = py::module_::import("foldfit.errors").attr("UsageError");
    PyErr_SetObject(cls.ptr(), cls(e.what()).ptr());
  }
}

}  // namespace

}  // namespace foldfit::python

PYBIND11_MODULE(_core, m) {
  using namespace foldfit;
  using namespace foldfit::python;
  m.doc() = "foldfit's library, in-process (the compiled half of the foldfit package)";
  py::register_exception_translator(&translate);

  py::class_<ReadInput, std::shared_ptr<ReadInput>>(m, "ReadInput")
      .def("sizes_json", &ReadInput::sizes_json)
      .def_property_readonly("dialect", [](const ReadInput& r) { return r.input.dialect; })
      .def_property_readonly("version", [](const ReadInput& r) { return r.input.version; })
      .def_property_readonly("file", [](const ReadInput& r) { return r.input.file; });

  py::class_<VerifyArgs>(m, "VerifyArgs")
      .def(py::init<>())
      .def_readwrite("python", &VerifyArgs::python)
      .def_readwrite("run_alphafold", &VerifyArgs::run_alphafold)
      .def_readwrite("backend", &VerifyArgs::backend)
      .def_readwrite("target_config", &VerifyArgs::target_config)
      .def_readwrite("model_dir", &VerifyArgs::model_dir)
      .def_readwrite("glu_implementation", &VerifyArgs::glu_implementation)
      .def_readwrite("cache_dir", &VerifyArgs::cache_dir)
      .def_readwrite("top_buffers", &VerifyArgs::top_buffers);

  m.def("version", [] { return std::string(version()); });
  m.def("version_long", [] { return std::string(version_long()); });
  m.def("read", &read_source, py::arg("source"), py::arg("is_text"), py::arg("file"), py::arg("buckets"), py::arg("ccd_path"),
        py::arg("fix_standalone_glycans"), py::arg("af3_release"), py::arg("environment"));
  m.def("estimate", &estimate, py::arg("input"), py::arg("flags"), py::arg("environment"),
        py::arg("fix_standalone_glycans"));
  m.def("launch", &launch, py::arg("settings_json"));
  m.def("devices", &devices, py::arg("gpu_device"), py::arg("gpu"), py::arg("flash_attention_implementation"),
        py::arg("environment"));
  m.def("gpu_table", &gpu_table_json);
  m.def("verify", &verify, py::arg("input"), py::arg("padded_tokens"), py::arg("flags"), py::arg("environment"),
        py::arg("fix_standalone_glycans"), py::arg("args"), py::arg("on_line"));
  m.def("planning_flags", [] {
    std::vector<std::pair<std::string, bool>> out;  // name, takes a value
    for (const SettingFlag& f : setting_flags()) out.emplace_back(f.name, !f.value_hint.empty());
    for (const SettingFlag& f : device_flags()) out.emplace_back(f.name, !f.value_hint.empty());
    return out;
  });
}
