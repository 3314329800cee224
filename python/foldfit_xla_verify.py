"""foldfit_xla_verify.py - compile AlphaFold 3's model forward pass with XLA and report XLA's own memory figures.

    AF3_PYTHON foldfit_xla_verify.py --request=FILE     (or --request=- to read stdin)

Run with the interpreter that runs AlphaFold 3 (run_alphafold.py's). The request and the
response are JSON objects; docs/xla.md describes every field. One JSON object goes to
stdout; progress goes to stderr as `foldfit-verify: <stage> <elapsed seconds>`.
Exit 0 on success, 2 for a bad request or environment, 1 when XLA fails to compile.

Standard library only at import time: JAX, haiku and alphafold3 are imported once the
request is read, so a missing piece is reported as an error, not a traceback.
"""

import argparse
import ast
import contextlib
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import foldfit_xla_buffers  # noqa: E402
import foldfit_xla_targets  # noqa: E402

CACHE_FORMAT = 1
BACKENDS = ("cuda-deviceless", "cuda-device", "cpu")
FLASH = ("triton", "cudnn", "xla")
GLU = (None, "fused", "xla")
GLOBAL_CONFIG_FIELDS = ("pair_transition_shard_spec", "pair_attention_chunk_size", "bfloat16")
# Request fields that change what XLA compiles (the cache key); top_buffers changes the report.
COMPILE_FIELDS = ("padded_tokens", "num_diffusion_samples", "num_recycles", "flash_attention_implementation",
                  "global_config", "return_embeddings", "return_distogram", "glu_implementation", "backend",
                  "target", "device_memory_bytes", "model_dir", "run_alphafold", "top_buffers")
DEFAULTS = {"num_diffusion_samples": 5, "num_recycles": 10, "flash_attention_implementation": "triton",
            "global_config": {}, "return_embeddings": False, "return_distogram": False,
            "glu_implementation": None, "backend": "cuda-deviceless", "target": None,
            "device_memory_bytes": None, "model_dir": None, "cache_dir": None, "run_alphafold": None,
            "top_buffers": 20}
# AlphaFold 3 releases identified by the content of alphafold3/model/**/*.py (model_fingerprint).
KNOWN_RELEASES = {
    "41c8dc75796d4cf81167e0bd950696ee7c6d63fbc0949717c1fa29cac5db3587": ("v3.0.0", "4f52a3bb624fd7245fb1ad0bf62d752ffa46f0ce"),
    "53b806ea23ff4c6017ba1353ff61bb5306e8ad937586b8c6996262396414e604": ("v3.0.1", "231efc9bb9c13b45cc59e43f7107869084ee9624"),
    "168a36bb7c4944a55e8d90cc5f660b4c0af969adf8cba139757515551637973b": ("v3.0.2", "f6a5aecf6eea2b5de4f846df86921630c5036b0b"),
    "00dd8ad69daa7126356e3856a322ff4ca48eb6484c21a3a70f0b9e2d5cd3b17b": ("v3.0.3", "7b197fe859790fc3e04d03ea70dd0b9ba48881c9"),
    "ee4d354f70d3ab6cd2236444a82322f9eb6c5efa8e523792bf294bb77401f489": ("v3.0.4", "85c4d20505fd5cef05eac22b534d4e793971ae69"),
}

_START = time.monotonic()


class VerifyError(Exception):
    """kind: 'request' or 'environment' (exit 2) or 'compile' (exit 1)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def compile_error(what, e):
    """A compile-kind error; the traceback goes to stderr (where in AlphaFold 3 it failed)."""
    traceback.print_exception(e, file=sys.stderr)
    return VerifyError("compile", f"{what}: {type(e).__name__}: {e}")


def progress(stage):
    print(f"foldfit-verify: {stage} {time.monotonic() - _START:.1f}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the request

def read_request(where):
    try:
        text = sys.stdin.read() if where == "-" else open(where, encoding="utf-8").read()
    except OSError as e:
        raise VerifyError("request", f"{where}: cannot read the request: {e.strerror}")
    try:
        raw = json.loads(text)
    except ValueError as e:
        raise VerifyError("request", f"{where}: not JSON: {e}")
    if not isinstance(raw, dict):
        raise VerifyError("request", f"{where}: the request must be a JSON object")
    return validate(raw)


def _literal(name, value):
    if not isinstance(value, str):
        return value
    if name == "bfloat16":
        return value
    try:
        spec = ast.literal_eval(value)
    except (ValueError, SyntaxError) as e:
        raise VerifyError("request", f"global_config.{name}: {value!r} is not a Python literal: {e}")
    if not isinstance(spec, (tuple, list)) or not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in spec):
        raise VerifyError("request", f"global_config.{name}: expected a sequence of (threshold, size) pairs, "
                                     f"got {value!r}")
    return tuple(tuple(p) for p in spec)


def validate(raw):
    unknown = sorted(set(raw) - set(DEFAULTS) - {"padded_tokens"})
    if unknown:
        raise VerifyError("request", f"unknown request field(s): {', '.join(unknown)}")
    req = dict(DEFAULTS, **raw)

    def need_int(name, low):
        v = req.get(name)
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise VerifyError("request", f"{name}: expected an integer >= {low}, got {v!r}")

    need_int("padded_tokens", 1)
    need_int("num_diffusion_samples", 1)
    need_int("num_recycles", 0)
    need_int("top_buffers", 0)
    if req["flash_attention_implementation"] not in FLASH:
        raise VerifyError("request", f"flash_attention_implementation: {req['flash_attention_implementation']!r} "
                                     f"is not one of {', '.join(FLASH)}")
    if req["glu_implementation"] not in GLU:
        raise VerifyError("request", f"glu_implementation: {req['glu_implementation']!r} is not null, "
                                     f"'fused' or 'xla'")
    if req["backend"] not in BACKENDS:
        raise VerifyError("request", f"backend: {req['backend']!r} is not one of {', '.join(BACKENDS)}")
    for name in ("return_embeddings", "return_distogram"):
        if not isinstance(req[name], bool):
            raise VerifyError("request", f"{name}: expected true or false, got {req[name]!r}")
    if req["device_memory_bytes"] is not None:
        need_int("device_memory_bytes", 1)
    if not isinstance(req["global_config"], dict):
        raise VerifyError("request", "global_config: expected an object of field: value")
    for name, value in req["global_config"].items():
        if name not in GLOBAL_CONFIG_FIELDS:
            raise VerifyError("request", f"global_config.{name}: not a field foldfit sets "
                                         f"({', '.join(GLOBAL_CONFIG_FIELDS)})")
        _literal(name, value)
    target = req["target"]
    if req["backend"] == "cuda-deviceless":
        if not isinstance(target, dict) or not (target.get("name") or target.get("config")):
            raise VerifyError("request", "target: backend cuda-deviceless needs {\"name\": GPU} and/or "
                                         "{\"config\": GpuTargetConfigProto text file}")
    elif target is not None and not isinstance(target, dict):
        raise VerifyError("request", "target: expected an object or null")
    for name in ("model_dir", "cache_dir", "run_alphafold"):
        if req[name] is not None and not isinstance(req[name], str):
            raise VerifyError("request", f"{name}: expected a path or null")
    return req


def target_config_text(req):
    """(proto text, where it came from) for cuda-deviceless; (None, None) otherwise."""
    if req["backend"] != "cuda-deviceless":
        return None, None
    target = req["target"]
    memory = None
    if req["device_memory_bytes"]:
        memory = foldfit_xla_targets.device_memory_size_for(req["device_memory_bytes"])
    if target.get("config"):
        path = target["config"]
        try:
            text = open(path, encoding="utf-8").read()
        except OSError as e:
            raise VerifyError("request", f"target.config: {path}: {e.strerror}")
        if memory is not None:
            text, n = re.subn(r"device_memory_size:\s*\d+", f"device_memory_size: {memory}", text)
            if n != 1:
                raise VerifyError("request", f"target.config: {path}: no single device_memory_size to set "
                                             f"device_memory_bytes into")
        return text, path
    try:
        return foldfit_xla_targets.target_config(target["name"], memory), foldfit_xla_targets.DEFAULT_TABLE
    except foldfit_xla_targets.TargetError as e:
        raise VerifyError("request", f"target.name: {e}")


# ---------------------------------------------------------------- the environment

def import_stack(req):
    """Imports JAX, haiku and AlphaFold 3; returns the modules as a dict."""
    mods = {}
    try:
        import jax
        import jax.numpy as jnp
        import jaxlib
    except ImportError as e:
        raise VerifyError("environment", f"JAX is not importable with {sys.executable}: {e}. Run this helper "
                                         f"with AlphaFold 3's Python (the one that runs run_alphafold.py)")
    try:
        import haiku as hk
    except ImportError as e:
        raise VerifyError("environment", f"haiku (dm-haiku) is not importable with {sys.executable}: {e}")
    try:
        from alphafold3.model import model as af3_model
    except ImportError as e:
        raise VerifyError("environment", f"AlphaFold 3 is not importable with {sys.executable}: {e}")
    try:
        import tokamax
    except ImportError:
        tokamax = None
    mods.update(jax=jax, jnp=jnp, jaxlib=jaxlib, hk=hk, af3_model=af3_model, tokamax=tokamax)
    # tokamax and AlphaFold 3 read absl flags; parse them without this helper's argv.
    try:
        from absl import flags
        if not flags.FLAGS.is_parsed():
            flags.FLAGS(sys.argv[:1], known_only=True)
        mods["absl_flags"] = flags.FLAGS
    except Exception:  # no absl, or a stand-in without FLAGS: nothing reads flags then
        mods["absl_flags"] = None
    return mods


def _version(name):
    try:
        from importlib import metadata
        return metadata.version(name)
    except Exception:
        return None


def model_fingerprint(package_dir):
    """sha256 over alphafold3/model/**/*.py (paths and contents): identifies a release without git."""
    root = os.path.join(package_dir, "model")
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                with open(path, "rb") as f:
                    digest.update(rel.encode() + b"\0" + hashlib.sha256(f.read()).digest())
    return digest.hexdigest()


def af3_identity():
    import alphafold3
    package_dir = os.path.dirname(os.path.abspath(alphafold3.__file__))
    try:
        from alphafold3 import version
        version_string = getattr(version, "__version__", None)
    except ImportError:
        version_string = None
    commit = None
    try:
        r = subprocess.run(["git", "-C", package_dir, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        if r.returncode == 0:
            commit = r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        pass
    fingerprint = model_fingerprint(package_dir)
    release, release_commit = KNOWN_RELEASES.get(fingerprint, (None, None))
    return {"af3_version_string": version_string, "af3_commit": commit, "af3_release": release,
            "af3_release_commit": release_commit, "af3_model_fingerprint": fingerprint, "af3_path": package_dir}


def versions(mods, identity):
    return {"python": platform.python_version(), "jax": mods["jax"].__version__,
            "jaxlib": getattr(mods["jaxlib"], "__version__", None) or _version("jaxlib"),
            "tokamax": _version("tokamax"), "haiku": _version("dm-haiku"), **identity}


# ---------------------------------------------------------------- the model

def build_config(req, mods):
    """The model config as run_alphafold.py's make_model_config builds it, plus the overrides."""
    kwargs = dict(flash_attention_implementation=req["flash_attention_implementation"],
                  num_diffusion_samples=req["num_diffusion_samples"], num_recycles=req["num_recycles"],
                  return_embeddings=req["return_embeddings"], return_distogram=req["return_distogram"])
    if req["run_alphafold"]:
        script = req["run_alphafold"]
        if not os.path.isfile(script):
            raise VerifyError("request", f"run_alphafold: {script}: no such file")
        import importlib.util
        spec = importlib.util.spec_from_file_location("run_alphafold", script)
        module = importlib.util.module_from_spec(spec)
        sys.modules["run_alphafold"] = module
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            raise VerifyError("environment", f"run_alphafold: {script}: cannot import: {type(e).__name__}: {e}")
        if not callable(getattr(module, "make_model_config", None)):
            raise VerifyError("environment", f"run_alphafold: {script} has no make_model_config")
        config = module.make_model_config(**kwargs)
    else:
        Model = mods["af3_model"].Model
        if not hasattr(Model, "Config"):
            raise VerifyError("environment", "alphafold3.model.model.Model has no Config")
        config = Model.Config()
        # As run_alphafold.py's make_model_config (v3.0.x).
        _set(config, "global_config.flash_attention_implementation", kwargs["flash_attention_implementation"])
        _set(config, "heads.diffusion.eval.num_samples", kwargs["num_diffusion_samples"])
        _set(config, "num_recycles", kwargs["num_recycles"])
        _set(config, "return_embeddings", kwargs["return_embeddings"])
        _set(config, "return_distogram", kwargs["return_distogram"])
    for name, value in req["global_config"].items():
        _set(config, f"global_config.{name}", _literal(name, value))
    return config


def _set(config, path, value):
    *parents, leaf = path.split(".")
    obj = config
    for part in parents:
        if not hasattr(obj, part):
            raise VerifyError("environment", f"this AlphaFold 3's model config has no {path} "
                                             f"(needed to set {path}={value!r})")
        obj = getattr(obj, part)
    if not hasattr(obj, leaf):
        raise VerifyError("environment", f"this AlphaFold 3's model config has no {path} "
                                         f"(needed to set {path}={value!r})")
    setattr(obj, leaf, value)


def feature_layout():
    """The padding constants of AlphaFold 3's data pipeline (WholePdbPipeline.Config), with fallbacks."""
    layout = {"msa_crop_size": 16384, "max_templates": 4, "average_num_atoms_per_token": 24,
              "max_atoms_per_token": 24, "atom_cross_att_queries_subset_size": 32,
              "atom_cross_att_keys_subset_size": 128, "profile_width": 31, "source": "foldfit defaults (v3.0.x)"}
    try:
        from alphafold3.model.pipeline import pipeline
        cfg = pipeline.WholePdbPipeline.Config()
        for k in list(layout):
            if hasattr(cfg, k):
                layout[k] = getattr(cfg, k)
        layout["source"] = "alphafold3.model.pipeline.pipeline.WholePdbPipeline.Config"
    except Exception:
        pass
    try:
        from alphafold3.constants import residue_names
        layout["profile_width"] = residue_names.POLYMER_TYPES_NUM_WITH_UNKNOWN_AND_GAP
    except Exception:
        pass
    return layout


def feature_shapes(n, layout):
    """{feature: (shape, dtype name)} of the batch AlphaFold 3's featurisation pads to N tokens.

    From alphafold3/model/features.py (v3.0.x): every feature is padded with PaddingShapes
    (num_tokens = N, msa_size, num_templates, num_atoms = ceil(N x atoms/token / 32) x 32), and
    int64 host arrays become int32 on the device (JAX without x64)."""
    msa, t, d = layout["msa_crop_size"], layout["max_templates"], layout["max_atoms_per_token"]
    q, k = layout["atom_cross_att_queries_subset_size"], layout["atom_cross_att_keys_subset_size"]
    atoms = -(-n * layout["average_num_atoms_per_token"] // q) * q
    subsets = atoms // q
    s = {
        "msa": ((msa, n), "int8"), "msa_mask": ((msa, n), "bool"), "deletion_matrix": ((msa, n), "int8"),
        "profile": ((n, layout["profile_width"]), "float32"), "deletion_mean": ((n,), "float32"),
        "num_alignments": ((), "int32"),
        "template_aatype": ((t, n), "int32"), "template_atom_positions": ((t, n, d, 3), "float32"),
        "template_atom_mask": ((t, n, d), "bool"),
        "residue_index": ((n,), "int32"), "token_index": ((n,), "int32"), "aatype": ((n,), "int32"),
        "seq_mask": ((n,), "bool"), "entity_id": ((n,), "int32"), "asym_id": ((n,), "int32"),
        "sym_id": ((n,), "int32"), "seq_length": ((), "int32"), "is_protein": ((n,), "bool"),
        "is_rna": ((n,), "bool"), "is_dna": ((n,), "bool"), "is_ligand": ((n,), "bool"),
        "is_nonstandard_polymer_chain": ((n,), "bool"), "is_water": ((n,), "bool"),
        "ref_pos": ((n, d, 3), "float32"), "ref_mask": ((n, d), "bool"), "ref_element": ((n, d), "int32"),
        "ref_charge": ((n, d), "float32"), "ref_atom_name_chars": ((n, d, 4), "int32"),
        "ref_space_uid": ((n, d), "int32"),
        "pred_dense_atom_mask": ((n, d), "bool"), "residue_center_index": ((n,), "int32"),
        "frames_mask": ((n,), "bool"),
    }

    def gather(prefix, shape, source_rank):
        s[f"{prefix}:gather_idxs"] = (shape, "int32")
        s[f"{prefix}:gather_mask"] = (shape, "bool")
        s[f"{prefix}:input_shape"] = ((source_rank,), "int32")

    gather("tokens_to_polymer_ligand_bonds", (n, 2), 1)
    gather("token_atoms_to_polymer_ligand_bonds", (n, 2), 2)
    gather("tokens_to_ligand_ligand_bonds", (n * 10, 2), 1)
    gather("token_atoms_to_pseudo_beta", (n,), 2)
    gather("token_atoms_to_queries", (subsets, q), 2)
    gather("tokens_to_queries", (subsets, q), 1)
    gather("tokens_to_keys", (subsets, k), 1)
    gather("queries_to_keys", (subsets, k), 2)
    gather("queries_to_token_atoms", (n, d), 2)
    return s, atoms


# ---------------------------------------------------------------- compiling

@contextlib.contextmanager
def captured_stderr(path):
    """Sends this process's fd 2 (XLA's C++ log lines) to `path`, then replays it to stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "w") as f:
        os.dup2(f.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        with open(path, errors="replace") as f:
            sys.stderr.write(f.read())
        sys.stderr.flush()


def remat_warning(log_text):
    lines = [ln.strip() for ln in log_text.splitlines() if "hlo_rematerialization" in ln
             or "Can't reduce memory use below" in ln]
    return "\n".join(lines) or None


def set_xla_flags(req, dump_dir):
    """Environment for the backend, before JAX is imported."""
    if req["backend"] in ("cuda-deviceless", "cpu"):
        os.environ["JAX_PLATFORMS"] = "cpu"
    else:
        os.environ.setdefault("JAX_PLATFORMS", "cuda")
    flags = os.environ.get("XLA_FLAGS", "")
    flags += f" --xla_dump_to={dump_dir} --xla_dump_hlo_as_text --xla_dump_hlo_module_re=.*jit_apply.*"
    os.environ["XLA_FLAGS"] = flags.strip()


def devices_for(req, mods, config_text):
    jax = mods["jax"]
    if req["backend"] == "cuda-deviceless":
        from jax.experimental import topologies
        try:
            topo = topologies.get_topology_desc(platform="cuda", target_config=config_text, topology="1x1x1")
        except Exception as e:
            raise VerifyError("environment", f"backend cuda-deviceless unavailable (is jax-cuda12-plugin "
                                             f"installed?): {type(e).__name__}: {e}")
        return topo.devices
    platform_name = "cpu" if req["backend"] == "cpu" else "cuda"
    try:
        return jax.devices(platform_name)
    except Exception as e:
        raise VerifyError("environment", f"backend {req['backend']} unavailable: {type(e).__name__}: {e}")


def patch_glu(req, mods):
    """glu_implementation: 'xla' forces tokamax's XLA gated linear unit, 'fused' its Triton kernel."""
    if req["glu_implementation"] is None:
        return
    tokamax = mods["tokamax"]
    if tokamax is None or not hasattr(tokamax, "gated_linear_unit"):
        raise VerifyError("environment", "glu_implementation needs tokamax.gated_linear_unit, "
                                         "which this AlphaFold 3 environment lacks")
    import functools
    original = tokamax.gated_linear_unit
    impl = "xla" if req["glu_implementation"] == "xla" else "triton"
    tokamax.gated_linear_unit = functools.partial(original, implementation=impl)


@contextlib.contextmanager
def target_devices_visible(req, mods, devices):
    """Deviceless only: jax.devices(), jax.local_devices() and jax.extend.backend's default
    device answer with the target's compile-only device while the model is traced.

    tokamax sizes its kernels from `jax.devices()[0].core_count` and the default device's
    device_kind, and Pallas-Triton reads the compute capability from
    `jax.local_devices(backend="gpu")` (else it assumes 9.0): with JAX_PLATFORMS=cpu these
    would be the CPU's."""
    if req["backend"] != "cuda-deviceless":
        yield
        return
    jax = mods["jax"]
    from jax.extend import backend as jex_backend
    saved = (jax.devices, jax.local_devices, jex_backend.get_default_device)

    def pick(original):
        def answer(backend=None, *args, **kwargs):
            if backend in (None, "gpu", "cuda"):
                return list(devices)
            return original(backend, *args, **kwargs)
        return answer

    jax.devices, jax.local_devices = pick(saved[0]), pick(saved[1])
    jex_backend.get_default_device = lambda: devices[0]
    try:
        yield
    finally:
        jax.devices, jax.local_devices, jex_backend.get_default_device = saved


def compile_model(req, mods, config, devices, dump_dir, log_path):
    jax, jnp, hk = mods["jax"], mods["jnp"], mods["hk"]
    import numpy as np
    from jax.sharding import NamedSharding, PartitionSpec
    mesh = jax.sharding.Mesh(np.array(devices[:1]), ("d",))
    sharding = NamedSharding(mesh, PartitionSpec())

    def sds(shape, dtype):
        return jax.ShapeDtypeStruct(tuple(shape), jnp.dtype(dtype), sharding=sharding)

    layout = feature_layout()
    shapes, num_atoms = feature_shapes(req["padded_tokens"], layout)
    batch = {name: sds(shape, dtype) for name, (shape, dtype) in shapes.items()}
    af3_model = mods["af3_model"]

    # haiku's profiler name scopes put module paths into the HLO op_name metadata; they
    # add names only, no computation.
    with _name_scopes(hk), target_devices_visible(req, mods, devices):
        @hk.transform
        def forward_fn(batch):
            return af3_model.Model(config)(batch)

        key = sds((2,), "uint32")
        progress("init-shapes")
        try:
            if req["model_dir"]:
                params = _params_from_model_dir(req["model_dir"], sds)
            else:
                params = jax.eval_shape(forward_fn.init, jax.random.PRNGKey(0), batch)
                params = jax.tree_util.tree_map(lambda a: sds(a.shape, a.dtype), params)
        except VerifyError:
            raise
        except Exception as e:
            raise compile_error("tracing the model for its parameter shapes failed", e)
        param_bytes = sum(int(np.prod(a.shape)) * a.dtype.itemsize for a in jax.tree_util.tree_leaves(params))
        progress("lowering")
        t0 = time.monotonic()
        try:
            lowered = jax.jit(forward_fn.apply).lower(params, key, batch)
        except Exception as e:
            raise compile_error("lowering failed", e)
        lower_seconds = time.monotonic() - t0
    progress("compiling")
    t0 = time.monotonic()
    try:
        with captured_stderr(log_path):
            compiled = lowered.compile()
    except Exception as e:
        raise compile_error("XLA compile failed", e)
    compile_seconds = time.monotonic() - t0
    return compiled, {"lower_seconds": lower_seconds, "compile_seconds": compile_seconds,
                      "parameter_bytes": param_bytes, "num_atoms": num_atoms,
                      "params_source": "model_dir" if req["model_dir"] else "init-shapes",
                      "feature_layout": layout, "devices": devices, "params": params, "key": key,
                      "batch": batch}


@contextlib.contextmanager
def _name_scopes(hk):
    scopes = getattr(getattr(hk, "experimental", None), "profiler_name_scopes", None)
    if scopes is None:
        yield
        return
    previous = scopes(enabled=True)
    try:
        yield
    finally:
        scopes(enabled=previous)


def _params_from_model_dir(model_dir, sds):
    try:
        from alphafold3.model import params as af3_params
    except ImportError as e:
        raise VerifyError("environment", f"model_dir given, but alphafold3.model.params is not importable: {e}")
    try:
        loaded = af3_params.get_model_haiku_params(model_dir=model_dir)
    except Exception as e:
        raise VerifyError("request", f"model_dir: {model_dir}: cannot read the parameters: {type(e).__name__}: {e}")
    import jax
    loaded = {k: v for k, v in loaded.items() if k != "__meta__"}
    return jax.tree_util.tree_map(lambda a: sds(a.shape, a.dtype), loaded)


def device_peak(req, mods, compiled, info):
    """Runs the compiled model once on the local GPU (zero inputs) and reads peak_bytes_in_use."""
    if req["backend"] != "cuda-device":
        return None
    jax, jnp = mods["jax"], mods["jnp"]
    device = info["devices"][0]
    zeros = lambda a: jax.device_put(jnp.zeros(a.shape, a.dtype), device)  # noqa: E731
    args = [jax.tree_util.tree_map(zeros, t) for t in (info["params"], info["key"], info["batch"])]
    out = compiled(*args)
    jax.block_until_ready(out)
    stats = device.memory_stats() or {}
    return stats.get("peak_bytes_in_use")


# ---------------------------------------------------------------- the cache

def cache_key(req, vers, config_text):
    material = {"format": CACHE_FORMAT,
                "af3": [vers.get("af3_commit"), vers.get("af3_release"), vers.get("af3_model_fingerprint"),
                        vers.get("af3_version_string")],
                "jax": vers.get("jax"), "jaxlib": vers.get("jaxlib"), "tokamax": vers.get("tokamax"),
                "haiku": vers.get("haiku"), "target_config": config_text,
                "xla_flags": os.environ.get("XLA_FLAGS_USER", ""),
                "request": {k: req.get(k) for k in COMPILE_FIELDS}}
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def cache_read(cache_dir, key):
    path = os.path.join(cache_dir, f"{key}.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def cache_write(cache_dir, key, response):
    os.makedirs(cache_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(response, f, indent=1, sort_keys=True)
    os.replace(tmp, os.path.join(cache_dir, f"{key}.json"))


# ---------------------------------------------------------------- main

def run(req):
    config_text, config_origin = target_config_text(req)
    work = tempfile.mkdtemp(prefix="foldfit-verify-")
    try:
        os.environ["XLA_FLAGS_USER"] = os.environ.get("XLA_FLAGS", "")
        set_xla_flags(req, os.path.join(work, "dump"))
        progress("importing")
        mods = import_stack(req)
        identity = af3_identity()
        vers = versions(mods, identity)
        key = cache_key(req, vers, config_text) if req["cache_dir"] else None
        if key:
            hit = cache_read(req["cache_dir"], key)
            if hit is not None:
                hit["cached"] = True
                progress("done")
                return hit
        if req["backend"] == "cuda-deviceless":
            flags = mods["absl_flags"]
            if flags is not None and hasattr(flags, "tokamax_cross_compile"):
                # Without it tokamax finds no GPU and silently uses its XLA kernels.
                flags.tokamax_cross_compile = True
        progress("building-config")
        config = build_config(req, mods)
        patch_glu(req, mods)
        devices = devices_for(req, mods, config_text)
        log_path = os.path.join(work, "compile.log")
        compiled, info = compile_model(req, mods, config, devices, os.path.join(work, "dump"), log_path)
        stats = compiled.memory_analysis()
        with open(log_path, errors="replace") as f:
            warning = remat_warning(f.read())
        buffers, peak_info = foldfit_xla_buffers.largest_at_peak(os.path.join(work, "dump"), req["top_buffers"])
        arg, out, alias, temp = (int(stats.argument_size_in_bytes), int(stats.output_size_in_bytes),
                                 int(stats.alias_size_in_bytes), int(stats.temp_size_in_bytes))
        peak = getattr(stats, "peak_memory_in_bytes", None)
        response = {
            "argument_bytes": arg, "output_bytes": out, "alias_bytes": alias, "temp_bytes": temp,
            "generated_code_bytes": int(stats.generated_code_size_in_bytes),
            "peak_bytes": int(peak) if peak is not None else None,
            "pool_bytes": arg + out + temp - alias,
            "device_peak_bytes_in_use": device_peak(req, mods, compiled, info),
            "compile_seconds": round(info["compile_seconds"], 2), "lower_seconds": round(info["lower_seconds"], 2),
            "host_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "rematerialization_warning": warning,
            "largest_buffers": buffers, "temp_peak": peak_info,
            "parameter_bytes": info["parameter_bytes"], "params_source": info["params_source"],
            "num_atoms": info["num_atoms"], "feature_layout": info["feature_layout"],
            "backend": req["backend"],
            "target": {"name": (req["target"] or {}).get("name"), "config": config_origin,
                       "device_memory_size": _proto_int(config_text, "device_memory_size"),
                       "device_kind": getattr(devices[0], "device_kind", None)},
            "versions": vers, "request": req, "cached": False,
        }
        if key:
            cache_write(req["cache_dir"], key, response)
        progress("done")
        return response
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _proto_int(text, field):
    if not text:
        return None
    m = re.search(rf"{field}:\s*(\d+)", text)
    return int(m.group(1)) if m else None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--request", required=True, help="request JSON file, or - for stdin")
    args = parser.parse_args(argv[1:])
    try:
        req = read_request(args.request)
        response = run(req)
    except VerifyError as e:
        print(f"foldfit-verify: error: {e}", file=sys.stderr)
        print(json.dumps({"error": str(e), "kind": e.kind}))
        return 1 if e.kind == "compile" else 2
    print(json.dumps(response, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
