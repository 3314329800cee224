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
import contextlib
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import foldfit_xla_buffers  # noqa: E402
import foldfit_xla_model  # noqa: E402
from foldfit_xla_request import COMPILE_FIELDS, VerifyError, read_request, target_config_text  # noqa: E402

CACHE_FORMAT = 1
_START = time.monotonic()


def compile_error(what, e):
    """A compile-kind error; the traceback goes to stderr (where in AlphaFold 3 it failed)."""
    traceback.print_exception(e, file=sys.stderr)
    return VerifyError("compile", f"{what}: {type(e).__name__}: {e}")


def progress(stage):
    print(f"foldfit-verify: {stage} {time.monotonic() - _START:.1f}", file=sys.stderr, flush=True)


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


def versions(mods, identity):
    return {"python": platform.python_version(), "jax": mods["jax"].__version__,
            "jaxlib": getattr(mods["jaxlib"], "__version__", None) or _version("jaxlib"),
            "tokamax": _version("tokamax"), "haiku": _version("dm-haiku"), **identity}


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

    layout = foldfit_xla_model.feature_layout()
    shapes, num_atoms = foldfit_xla_model.feature_shapes(req["padded_tokens"], layout)
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
        identity = foldfit_xla_model.af3_identity()
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
        config = foldfit_xla_model.build_config(req, mods)
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
            "backend": req["backend"], "xla_flags": os.environ.get("XLA_FLAGS_USER", ""),
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
