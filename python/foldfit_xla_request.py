"""foldfit_xla_request.py - the request of foldfit_xla_verify.py: fields, defaults, validation, the target proto.

Standard library only. docs/xla.md describes every field.
"""

import ast
import json
import re
import sys

import foldfit_xla_targets

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


class VerifyError(Exception):
    """kind: 'request' or 'environment' (exit 2) or 'compile' (exit 1)."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


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


def literal(name, value):
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
        literal(name, value)
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
