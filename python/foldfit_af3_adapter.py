"""foldfit_af3_adapter.py - run AlphaFold 3's run_alphafold.py with model-config fields it has no flag for
(pair_transition_shard_spec, pair_attention_chunk_size, bfloat16).

Usage (foldfit builds this command line; nothing else is needed):

    FOLDFIT_AF3_CONFIG='{"pair_transition_shard_spec": "((2048, None), (3072, 1024), (None, 512))"}' \
        python3 foldfit_af3_adapter.py /path/to/run_alphafold.py [run_alphafold.py flags...]

It imports run_alphafold.py as a module, wraps its make_model_config so that the returned
config's global_config carries the requested fields, and calls its main through absl
exactly as `python3 run_alphafold.py ...` would. Fields are checked to exist in the
AlphaFold 3 in use; values are Python literals (tuples of (threshold, size) pairs).

Planning in-process (where the foldfit package is installed in AlphaFold 3's interpreter):

    python3 foldfit_af3_adapter.py /path/to/run_alphafold.py --foldfit_plan [--foldfit_gpu=A100-40GB] \
        --json_path=job.json --output_dir=out [run_alphafold.py flags...]

plans the input with `foldfit.estimate` under the run_alphafold.py flags given (those foldfit
plans: --buckets, --num_diffusion_samples, --flash_attention_implementation, ...) and this
process's environment, exactly as `foldfit estimate` would, then applies the plan before
anything is compiled: its variables into the environment, its flags after the user's, its
model-config fields into global_config. Nothing the user set is changed (the planner keeps
every setting given). An input that cannot fit stops here, before any compile, with exit 2.
--foldfit_NAME=VALUE passes a foldfit planning flag (gpu, max_gpu_memory_gb, host_ram_gb,
margin_gb, calibration, ...) that run_alphafold.py does not have.
"""

import ast
import importlib.util
import json
import os
import sys

# Releases whose global_config has both fields (alphafold3/model/model_config.py).
TESTED_VERSIONS = ("3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4")
SPEC_FIELDS = ("pair_transition_shard_spec", "pair_attention_chunk_size")
# global_config.bfloat16: 'all' (AlphaFold 3's default) or 'none' (activations in float32).
CHOICE_FIELDS = {"bfloat16": ("all", "none")}
FIELDS = SPEC_FIELDS + tuple(CHOICE_FIELDS)


class AdapterError(Exception):
    pass


def parse_fields(text):
    try:
        raw = json.loads(text)
    except ValueError as e:
        raise AdapterError(f"FOLDFIT_AF3_CONFIG is not JSON: {e}")
    if not isinstance(raw, dict):
        raise AdapterError("FOLDFIT_AF3_CONFIG must be a JSON object")
    fields = {}
    for name, value in raw.items():
        if name not in FIELDS:
            raise AdapterError(f"unknown field {name!r}; the adapter sets only {', '.join(FIELDS)}")
        if name in CHOICE_FIELDS:
            if value not in CHOICE_FIELDS[name]:
                raise AdapterError(f"{name}: {value!r} is not one of {', '.join(CHOICE_FIELDS[name])}")
            fields[name] = value
            continue
        try:
            spec = ast.literal_eval(value) if isinstance(value, str) else value
        except (ValueError, SyntaxError) as e:
            raise AdapterError(f"{name}: {value!r} is not a Python literal: {e}")
        if not isinstance(spec, (tuple, list)) or not all(
                isinstance(p, (tuple, list)) and len(p) == 2 for p in spec):
            raise AdapterError(f"{name}: expected a sequence of (threshold, size) pairs, got {value!r}")
        fields[name] = tuple(tuple(p) for p in spec)
    return fields


def load_run_alphafold(script):
    if not os.path.isfile(script):
        raise AdapterError(f"{script}: no such file (expected AlphaFold 3's run_alphafold.py)")
    # run_alphafold.py imports alphafold3 as an installed package; its own folder goes
    # first on the path, as when it is run as a script.
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    spec = importlib.util.spec_from_file_location("run_alphafold", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_alphafold"] = module
    spec.loader.exec_module(module)
    if not callable(getattr(module, "make_model_config", None)) or not callable(getattr(module, "main", None)):
        raise AdapterError(f"{script} has no make_model_config/main: not a supported run_alphafold.py")
    return module


def check_version(fields):
    try:
        from alphafold3 import version
        found = getattr(version, "__version__", "unknown")
    except ImportError:
        found = "unknown"
    if found not in TESTED_VERSIONS:
        print(f"foldfit adapter: warning: AlphaFold 3 {found} is not one of the releases this adapter was "
              f"written for ({', '.join(TESTED_VERSIONS)}); the fields are checked before use", file=sys.stderr)
    return found


def patch(module, fields, af3_version):
    original = module.make_model_config

    def make_model_config(*args, **kwargs):
        config = original(*args, **kwargs)
        global_config = config.global_config
        for name, value in fields.items():
            if not hasattr(global_config, name):
                raise AdapterError(f"AlphaFold 3 {af3_version} has no global_config.{name}; "
                                   f"run without that setting (foldfit run --noauto_memory_optimization)")
            setattr(global_config, name, value)
            print(f"foldfit adapter: global_config.{name} = {value!r}", file=sys.stderr)
        return config

    module.make_model_config = make_model_config


# run_alphafold.py flags that are foldfit planning flags too (same names, same meaning);
# the booleans take absl's --name / --noname / --name=true forms.
AF3_PLANNING_FLAGS = ("buckets", "flash_attention_implementation", "num_diffusion_samples", "num_recycles",
                      "num_seeds", "gpu_device")
AF3_PLANNING_BOOLS = ("save_embeddings", "save_distogram", "fix_standalone_glycans")


def split_plan_flags(flags):
    """Separates the adapter's own --foldfit_* flags from run_alphafold.py's.
    Returns (plan requested, {foldfit flag: value}, run_alphafold.py flags)."""
    plan, own, rest = False, {}, []
    for arg in flags:
        if arg in ("--foldfit_plan", "--foldfit_plan=true"):
            plan = True
        elif arg == "--foldfit_plan=false":
            plan = False
        elif arg.startswith("--foldfit_"):
            name, eq, value = arg[len("--foldfit_"):].partition("=")
            if not eq:
                raise AdapterError(f"{arg}: give a value, as --foldfit_{name}=VALUE")
            own[name] = value
        else:
            rest.append(arg)
    if own and not plan:
        raise AdapterError(f"--foldfit_{next(iter(own))} is a planning flag: it needs --foldfit_plan")
    return plan, own, rest


def af3_flag_values(flags):
    """The values of the run_alphafold.py flags foldfit plans with, as absl reads them (the last
    occurrence wins), and --json_path / --input_dir."""
    values = {}
    i = 0
    while i < len(flags):
        arg = flags[i]
        i += 1
        if not arg.startswith("--"):
            continue
        name, eq, value = arg[2:].partition("=")
        if name.startswith("no") and not eq and name[2:] in AF3_PLANNING_BOOLS:
            values[name[2:]] = False
            continue
        if name in AF3_PLANNING_BOOLS:
            if not eq:
                values[name] = True
            elif value.lower() in ("true", "1", "t"):
                values[name] = True
            elif value.lower() in ("false", "0", "f"):
                values[name] = False
            else:
                raise AdapterError(f"--{name}={value}: not a boolean")
            continue
        if name in AF3_PLANNING_FLAGS + ("json_path", "input_dir"):
            if not eq:
                if i >= len(flags):
                    raise AdapterError(f"--{name} needs a value")
                value = flags[i]
                i += 1
            values[name] = value
    return values


def plan_in_process(flags, own):
    """Plans the run with the foldfit package; returns (flags to add, variables, model-config fields)."""
    # The adapter's own folder (sys.path[0]) may be a foldfit checkout's python/, whose
    # foldfit/ is the package's source without its compiled part: import the installed one.
    here = os.path.dirname(os.path.abspath(__file__))
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    try:
        import foldfit
    except ImportError as e:
        raise AdapterError(f"--foldfit_plan needs the foldfit package in this interpreter ({sys.executable}): "
                           f"pip install it there (docs/python.md), or plan with `foldfit run` ({e})")
    finally:
        sys.path[:] = saved
    values = af3_flag_values(flags)
    if "input_dir" in values:
        raise AdapterError("--foldfit_plan plans one input (--json_path); for a folder use `foldfit run "
                           "--input_dir=...`, which plans each input")
    if "json_path" not in values:
        raise AdapterError("--foldfit_plan needs --json_path")
    json_path = values.pop("json_path")
    planning = foldfit.planning_flags()
    for name in own:
        if name not in planning and name != "ccd_path":
            raise AdapterError(f"--foldfit_{name}: not a foldfit planning flag (they are: {', '.join(sorted(planning))})")
    try:
        report = foldfit.estimate(json_path, environment=os.environ, **values, **own)
    except foldfit.FoldfitError as e:
        raise AdapterError(str(e))
    if not report.fits:
        raise AdapterError(f"{report.name}: cannot fit, stopping before the compile: {report.plan.blocked_by}")
    plan = report.plan
    changes = "; ".join(f"{c.setting} {c.from_} -> {c.to}" for c in plan.changes) or "no changes"
    print(f"foldfit adapter: plan for {report.name}: {plan.padded_tokens} tokens padded, peak "
          f"{plan.total_bytes / 1e9:.1f} GB; {changes}", file=sys.stderr)
    return plan.flags, plan.environment, plan.model_config


def main(argv):
    if len(argv) < 2:
        print("usage: foldfit_af3_adapter.py RUN_ALPHAFOLD_PY [--foldfit_plan [--foldfit_NAME=VALUE...]] [flags...]",
              file=sys.stderr)
        return 2
    script, flags = argv[1], argv[2:]
    try:
        plan, own, flags = split_plan_flags(flags)
        fields = parse_fields(os.environ.get("FOLDFIT_AF3_CONFIG", "{}"))
        if plan:
            if fields:
                raise AdapterError("FOLDFIT_AF3_CONFIG and --foldfit_plan both set model-config fields: give one")
            plan_flags, variables, model_config = plan_in_process(flags, own)
            # The plan's flags go after the user's: absl keeps the last, and the plan repeats
            # the user's own values for what the user set.
            flags = flags + list(plan_flags)
            os.environ.update(variables)  # before JAX creates its GPU client
            fields = parse_fields(json.dumps(model_config))
        module = load_run_alphafold(script)
        af3_version = check_version(fields)
        patch(module, fields, af3_version)
    except AdapterError as e:
        print(f"foldfit adapter: error: {e}", file=sys.stderr)
        return 2
    from absl import app
    from absl import flags as absl_flags
    # As run_alphafold.py's own `if __name__ == '__main__'` block.
    absl_flags.mark_flags_as_required(["output_dir"])
    try:
        sys.argv = [script] + flags  # as `python3 run_alphafold.py FLAGS` has it
        app.run(module.main, argv=sys.argv)
    except AdapterError as e:
        print(f"foldfit adapter: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
