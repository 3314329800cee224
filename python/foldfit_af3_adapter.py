"""foldfit_af3_adapter.py - run AlphaFold 3's run_alphafold.py with model-config fields it has no flag for
(pair_transition_shard_spec, pair_attention_chunk_size, bfloat16).

Usage (foldfit builds this command line; nothing else is needed):

    FOLDFIT_AF3_CONFIG='{"pair_transition_shard_spec": "((2048, None), (3072, 1024), (None, 512))"}' \
        python3 foldfit_af3_adapter.py /path/to/run_alphafold.py [run_alphafold.py flags...]

It imports run_alphafold.py as a module, wraps its make_model_config so that the returned
config's global_config carries the requested fields, and calls its main through absl
exactly as `python3 run_alphafold.py ...` would. Fields are checked to exist in the
AlphaFold 3 in use; values are Python literals (tuples of (threshold, size) pairs).
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


def main(argv):
    if len(argv) < 2:
        print("usage: foldfit_af3_adapter.py RUN_ALPHAFOLD_PY [flags...]", file=sys.stderr)
        return 2
    script, flags = argv[1], argv[2:]
    try:
        fields = parse_fields(os.environ.get("FOLDFIT_AF3_CONFIG", "{}"))
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
        app.run(module.main, argv=[script] + flags)
    except AdapterError as e:
        print(f"foldfit adapter: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
