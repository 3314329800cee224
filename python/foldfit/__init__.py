"""foldfit in-process: read and size AlphaFold 3 inputs, estimate their GPU memory and plan the
settings that fit, with the same library and the same answers as the foldfit command.

    import foldfit
    report = foldfit.estimate("job.json", gpu="A100-40GB", num_diffusion_samples=5)
    report.verdict, report.plan.flags, report.plan.environment, report.plan.model_config

Flags are the command line's, as keyword arguments (docs/settings.md): `foldfit.estimate(x,
gpu="L40S", buckets=[256, 512], save_embeddings=True)` plans as `foldfit estimate
--json_path=x --gpu=L40S --buckets=256,512 --save_embeddings=true` does, under `environment`
(default: this process's). See docs/python.md.
"""
import json
import os
import sys
import warnings

from foldfit import _core
from foldfit.errors import FoldfitError, FoldfitWarning, InputError, UsageError
from foldfit.records import (ChainSize, Change, DetectedGpu, Devices, Estimate, GpuSpec, Input, Phase, Plan, Record,
                             Report, Verification)

__version__ = _core.version()

__all__ = [
    "read_input", "read_inputs", "estimate", "devices", "gpu_table", "verify", "planning_flags",
    "FoldfitError", "InputError", "UsageError", "FoldfitWarning",
    "Record", "Input", "ChainSize", "Report", "Estimate", "Phase", "Plan", "Change", "Devices", "GpuSpec",
    "DetectedGpu", "Verification", "__version__",
]

# Flags that size an input rather than plan it (the command line's input flags).
_SIZE_FLAGS = ("ccd_path", "fix_standalone_glycans")


def planning_flags():
    """The flags estimate() and verify() take (besides ccd_path and fix_standalone_glycans):
    {name: takes_a_value}; the others are booleans."""
    return dict(_core.planning_flags())


def _flag_text(name, value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, (int, float, str)):
        return str(value)
    raise UsageError(f"--{name}: {value!r} is not a flag value (give a string, number, boolean or list)")


def _flags(flags):
    return {name: _flag_text(name, value) for name, value in flags.items() if value is not None}


def _environment(environment):
    return dict(os.environ if environment is None else environment)


def read_inputs(source, *, buckets=None, ccd_path=None, fix_standalone_glycans=False, file=None, af3_release=None,
                environment=None):
    """Reads, validates and sizes every input in `source`: a path to an AlphaFold 3 input JSON
    (either dialect; an AlphaFold Server job list gives one Input per job), JSON text, or a
    dict (or list) of it. `file` names text or a dict in messages and resolves its relative
    *Path fields (default "<string>" / "<dict>", relative to the working directory).
    `af3_release`: the AlphaFold 3 release whose rules and default buckets apply ("v3.0.4",
    "main", ...; default: the installation's, found in `environment` (default os.environ)
    as foldfit run finds it, else the newest tagged release).
    Raises InputError with file, line, column and JSON path."""
    if isinstance(source, (dict, list)):
        text, is_text, name = json.dumps(source), True, file or "<dict>"
    elif isinstance(source, str) and source.lstrip()[:1] in ("{", "["):
        text, is_text, name = source, True, file or "<string>"
    elif isinstance(source, (str, os.PathLike)):
        text, is_text, name = os.fspath(source), False, ""
    else:
        raise TypeError(f"read_inputs: expected a path, JSON text or a dict, not {type(source).__name__}")
    reads, found = _core.read(text, is_text, name, _flag_text("buckets", buckets) if buckets is not None else None,
                              os.fspath(ccd_path) if ccd_path is not None else None, bool(fix_standalone_glycans),
                              af3_release, _environment(environment))
    for w in found:
        warnings.warn(w, FoldfitWarning, stacklevel=2)
    return [Input(json.loads(r.sizes_json()), r) for r in reads]


def read_input(source, **options):
    """read_inputs() for a source that holds exactly one input."""
    inputs = read_inputs(source, **options)
    if len(inputs) != 1:
        raise UsageError(f"{inputs[0].file if inputs else source} holds {len(inputs)} inputs; use read_inputs()")
    return inputs[0]


def _one_input(source, size_flags):
    if isinstance(source, Input):
        if source._read is None:
            raise UsageError("this Input was made with from_dict and has no input behind it; read it with read_input()")
        return source._read
    options = {k: v for k, v in size_flags.items() if v is not None}
    return read_input(source, **options)._read


def _split(flags):
    size = {k: flags.pop(k) for k in _SIZE_FLAGS if k in flags}
    # The release is read with and planned for: both halves get it.
    if flags.get("af3_release") is not None:
        size["af3_release"] = flags["af3_release"]
    return size, _flags(flags)


def estimate(source, *, environment=None, **flags):
    """Plans one input as `foldfit estimate --format=json` does, and returns its Report.

    `source`: an Input, a path, JSON text or a dict. `flags`: the command's setting and device
    flags (planning_flags()) and ccd_path / fix_standalone_glycans, by name. `environment`:
    the variables AlphaFold 3 would run under (default: os.environ). Raises UsageError for a
    bad flag or variable (and for an environment AlphaFold 3 cannot run under), InputError
    for an invalid input."""
    size, text = _split(dict(flags))
    read = _one_input(source, size)
    return Report(json.loads(_core.estimate(read, text, _environment(environment),
                                            bool(size.get("fix_standalone_glycans", False)))))


def devices(*, gpu_device=0, gpu=None, flash_attention_implementation="triton", environment=None):
    """`foldfit devices --format=json`: the GPUs NVML reports, the GPU table, and the JAX/XLA
    environment checked against the GPU gpu_device selects (or the table GPU `gpu` names)."""
    return Devices(json.loads(_core.devices(int(gpu_device), gpu, flash_attention_implementation,
                                            _environment(environment))))


def gpu_table():
    """Every GPU foldfit knows (data/gpus.tsv), in table order."""
    return [GpuSpec(g) for g in json.loads(_core.gpu_table())]


def _cache_dir(environment):
    if environment.get("XDG_CACHE_HOME"):
        return environment["XDG_CACHE_HOME"] + "/foldfit"
    return environment.get("HOME", ".") + "/.cache/foldfit"


def verify(source=None, *, padded_tokens=None, af3_python=None, run_alphafold=None, backend="auto",
           target_config=None, model_dir=None, glu_implementation=None, cache_dir=None, top_buffers=10,
           on_line=None, environment=None, **flags):
    """Compiles AlphaFold 3's model for the input's plan with XLA, as `foldfit verify
    --format=json` does (without recording it in the history), and returns XLA's figures beside
    foldfit's. `af3_python`: the command that runs AlphaFold 3's Python (default: this
    interpreter); `on_line` receives each line the helper prints. Give `source` or
    `padded_tokens`. Compiles take minutes; results are cached under cache_dir."""
    if (source is None) == (padded_tokens is None):
        raise UsageError("verify: give an input or padded_tokens=N, not both")
    size, text = _split(dict(flags))
    env = _environment(environment)
    args = _core.VerifyArgs()
    args.python = list(af3_python) if isinstance(af3_python, (list, tuple)) else (
        af3_python.split() if af3_python else [sys.executable])
    args.run_alphafold = os.fspath(run_alphafold) if run_alphafold else ""
    args.backend = backend
    args.target_config = os.fspath(target_config) if target_config else ""
    args.model_dir = os.fspath(model_dir) if model_dir else ""
    args.glu_implementation = glu_implementation or ""
    args.cache_dir = os.fspath(cache_dir) if cache_dir else _cache_dir(env)
    args.top_buffers = int(top_buffers)
    read = None if source is None else _one_input(source, size)
    return Verification(json.loads(_core.verify(read, padded_tokens, text, env,
                                                bool(size.get("fix_standalone_glycans", False)), args, on_line)))
