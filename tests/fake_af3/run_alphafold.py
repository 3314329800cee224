"""A fake AlphaFold 3 for foldfit's tests: run_alphafold.py's flags, prints and outputs, no model.

It parses run_alphafold.py's flags (through the absl stand-in beside it), reads the JAX/XLA
environment, and "uses" GPU memory by a simple rule on a simulated GPU:

    peak = FAKE_AF3_BASE + pair * N^2 + FAKE_AF3_SAMPLE * S * N^2   bytes
    pair = FAKE_AF3_PAIR, less 512 when global_config.pair_transition_shard_spec shards at N
    pool = FAKE_GPU_MEMORY_BYTES * fraction (x max(1, fraction) with TF_FORCE_UNIFIED_MEMORY)

N is the padded token count (1 token per residue, 10 per ligand, padded to --buckets),
S the --num_diffusion_samples. When the peak exceeds the pool it prints XLA's real
out-of-memory text and exits 1. Otherwise it writes outputs laid out as run_alphafold.py
writes them. FAKE_AF3_SECONDS (per seed) slows it down; FAKE_AF3_RECORD names a file to
which every run appends one JSON line (argv, environment, config, N, peak, outcome);
FAKE_AF3_PIDFILE one to which it writes its process id. FAKE_AF3_TOOL_PIDFILE starts a
long-lived child process first (as the data pipeline starts jackhmmer), in AlphaFold 3's
process group, and writes its process id there. FAKE_AF3_FAIL_NAME=NAME makes the job of
that name fail during inference. Model mmCIFs come from fake_mmcif.py.
"""

import datetime
import json
import os
import signal
import sys
import time

from absl import app
from absl import flags

from alphafold3.model import model
from fake_mmcif import write_model_cif

# The default list of AlphaFold 3's main branch (since 29596b9), written as main writes it, so
# that foldfit identifies this fake as main (common/af3_release.cpp reads this definition).
_BUCKETS = flags.DEFINE_list(
    "buckets",
    ["128", "256", "384", "512", "768", "1024", "1280", "1536", "2048", "2560", "3072", "3584", "4096", "4608",
     "5120"],
    "",
)

_JSON_PATH = flags.DEFINE_string("json_path", None, "")
_INPUT_DIR = flags.DEFINE_string("input_dir", None, "")
_OUTPUT_DIR = flags.DEFINE_string("output_dir", None, "")
_MODEL_DIR = flags.DEFINE_string("model_dir", "~/models", "")
_RUN_DATA_PIPELINE = flags.DEFINE_bool("run_data_pipeline", True, "")
_RUN_INFERENCE = flags.DEFINE_bool("run_inference", True, "")
_DB_DIR = flags.DEFINE_string("db_dir", "~/public_databases", "")
_JAX_CACHE = flags.DEFINE_string("jax_compilation_cache_dir", None, "")
_GPU_DEVICE = flags.DEFINE_integer("gpu_device", 0, "")
_FLASH = flags.DEFINE_enum("flash_attention_implementation", "triton", ["triton", "cudnn", "xla"], "")
_NUM_RECYCLES = flags.DEFINE_integer("num_recycles", 10, "")
_NUM_SAMPLES = flags.DEFINE_integer("num_diffusion_samples", 5, "")
_NUM_SEEDS = flags.DEFINE_integer("num_seeds", None, "")
_SAVE_EMBEDDINGS = flags.DEFINE_bool("save_embeddings", False, "")
_SAVE_DISTOGRAM = flags.DEFINE_bool("save_distogram", False, "")
_FORCE_OUTPUT_DIR = flags.DEFINE_bool("force_output_dir", False, "")
_FIX_GLYCANS = flags.DEFINE_bool("fix_standalone_glycans", False, "")
_COMPRESS = flags.DEFINE_bool("compress_large_output_files", False, "")


def make_model_config(*, flash_attention_implementation="triton", num_diffusion_samples=5, num_recycles=10,
                      return_embeddings=False, return_distogram=False):
    config = model.Model.Config()
    config.global_config.flash_attention_implementation = flash_attention_implementation
    config.heads.diffusion.eval.num_samples = num_diffusion_samples
    config.num_recycles = num_recycles
    config.return_embeddings = return_embeddings
    config.return_distogram = return_distogram
    return config


def spec_value(spec, n):
    for threshold, value in spec:
        if threshold is None or n <= threshold:
            return value
    return None


def sanitised(name):
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
    return "".join(c for c in name.replace(" ", "_") if c in allowed)


def tokens_of(job):
    n = 0
    for entry in job.get("sequences", []):
        for kind in ("protein", "rna", "dna"):
            if kind in entry:
                ids = entry[kind]["id"]
                n += len(entry[kind]["sequence"]) * (len(ids) if isinstance(ids, list) else 1)
        if "ligand" in entry:
            ids = entry["ligand"]["id"]
            n += 10 * (len(ids) if isinstance(ids, list) else 1)
    return n


def pad(n, buckets):
    for b in buckets:
        if n <= b:
            return b
    return n


def record(entry):
    path = os.environ.get("FAKE_AF3_RECORD")
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(entry) + "\n")


def main(argv):
    del argv
    signal.signal(signal.SIGTERM, lambda *_: (print("fake AlphaFold 3: terminated", flush=True), sys.exit(143)))
    if os.environ.get("FAKE_AF3_PIDFILE"):
        with open(os.environ["FAKE_AF3_PIDFILE"], "w") as f:
            f.write(str(os.getpid()))
    if os.environ.get("FAKE_AF3_TOOL_PIDFILE"):
        import subprocess
        tool = subprocess.Popen(["sleep", "120"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        with open(os.environ["FAKE_AF3_TOOL_PIDFILE"], "w") as f:
            f.write(str(tool.pid))
    with open(_JSON_PATH.value) as f:
        job = json.load(f)
    name = job["name"]
    seeds = list(job["modelSeeds"])
    if _NUM_SEEDS.value is not None:
        seeds = list(range(seeds[0], seeds[0] + _NUM_SEEDS.value))
    config = make_model_config(flash_attention_implementation=_FLASH.value, num_diffusion_samples=_NUM_SAMPLES.value,
                               num_recycles=_NUM_RECYCLES.value, return_embeddings=_SAVE_EMBEDDINGS.value,
                               return_distogram=_SAVE_DISTOGRAM.value)
    env = os.environ
    total = int(env.get("FAKE_GPU_MEMORY_BYTES", str(80 * 10**9)))
    if env.get("XLA_CLIENT_MEM_FRACTION") and env.get("XLA_PYTHON_CLIENT_MEM_FRACTION"):
        # As jaxlib: both names at once is an error.
        print("ValueError: XLA_CLIENT_MEM_FRACTION is specified together with XLA_PYTHON_CLIENT_MEM_FRACTION. "
              "Remove the latter one, it is deprecated.", flush=True)
        return 1
    fraction = float(env.get("XLA_CLIENT_MEM_FRACTION") or env.get("XLA_PYTHON_CLIENT_MEM_FRACTION") or "0.75")
    unified = env.get("TF_FORCE_UNIFIED_MEMORY", "").lower() in ("1", "true")
    if fraction > 1 and not unified:
        print(f"ValueError: XLA_CLIENT_MEM_FRACTION={fraction} above 1 needs TF_FORCE_UNIFIED_MEMORY", flush=True)
        return 1
    pool = int(total * (max(1.0, fraction) if unified else fraction))

    n = pad(tokens_of(job), [int(b) for b in _BUCKETS.value])
    s = config.heads.diffusion.eval.num_samples
    pair = float(env.get("FAKE_AF3_PAIR", "2600"))
    if spec_value(config.global_config.pair_transition_shard_spec, n) is not None:
        pair -= 512
    peak = int(float(env.get("FAKE_AF3_BASE", "1.5e9")) + pair * n * n + float(env.get("FAKE_AF3_SAMPLE", "128")) * s * n * n)
    seconds = float(env.get("FAKE_AF3_SECONDS", "0.2"))
    entry = {"argv": sys.argv, "name": name, "seeds": seeds, "n": n, "samples": s, "peak": peak, "pool": pool,
             "fraction": fraction, "unified": unified, "preallocate": env.get("XLA_PYTHON_CLIENT_PREALLOCATE"),
             "pair_transition_shard_spec": config.global_config.pair_transition_shard_spec,
             "pair_attention_chunk_size": config.global_config.pair_attention_chunk_size,
             "bfloat16": config.global_config.bfloat16,
             "run_data_pipeline": _RUN_DATA_PIPELINE.value, "run_inference": _RUN_INFERENCE.value,
             "json_path": _JSON_PATH.value,
             "force_output_dir": _FORCE_OUTPUT_DIR.value, "jax_compilation_cache_dir": _JAX_CACHE.value,
             "templates": [[(t["queryIndices"], t["templateIndices"], t["mmcif"].split("\n", 1)[0])
                            for t in (e["protein"].get("templates") or [])]
                           for e in job.get("sequences", []) if "protein" in e]}

    print(f"\nRunning fold job {name}...", flush=True)
    out = os.path.join(_OUTPUT_DIR.value, sanitised(name))
    if not _FORCE_OUTPUT_DIR.value and os.path.isdir(out) and os.listdir(out):
        new = f"{out}_{datetime.datetime.now().strftime('%Y%m%d_%H%M%S')}"
        print(f"Output will be written in {new} since {out} is non-empty.", flush=True)
        out = new
    else:
        print(f"Output will be written in {out}", flush=True)
    if _RUN_DATA_PIPELINE.value:
        print("Running data pipeline...", flush=True)
        time.sleep(seconds)
        # As AlphaFold 3's data pipeline: MSAs and templates filled in for protein chains.
        for entry_ in job["sequences"]:
            chain = entry_.get("protein")
            if chain is not None:
                chain.setdefault("unpairedMsa", ">query\n" + chain["sequence"] + "\n")
                chain.setdefault("pairedMsa", "")
                chain.setdefault("templates", [])
    else:
        print("Skipping data pipeline...", flush=True)
    os.makedirs(out, exist_ok=True)
    data_json = os.path.join(out, f"{sanitised(name)}_data.json")
    print(f"Writing model input JSON to {data_json}", flush=True)
    with open(data_json, "w") as f:
        json.dump(job, f)
    if not _RUN_INFERENCE.value:
        print("Skipping model inference...", flush=True)
        entry["outcome"] = "data_pipeline_only"
        record(entry)
        return 0
    print(f"Predicting 3D structure for {name} with {len(seeds)} seed(s)...", flush=True)
    print(f"Featurising data with {len(seeds)} seed(s)...", flush=True)
    print(f"Featurising data with {len(seeds)} seed(s) took 0.01 seconds.", flush=True)
    print(f"Running model inference and extracting output structure samples with {len(seeds)} seed(s)...", flush=True)
    for seed in seeds:
        print(f"Running model inference with seed {seed}...", flush=True)
        time.sleep(seconds)
        if peak > pool:
            in_use = int(pool * 0.9)
            request = peak - in_use
            print("W0000 00:00:00.000000 1 bfc_allocator.cc:501] Allocator (GPU_0_bfc) ran out of memory trying to "
                  f"allocate {request / 2**30:.2f}GiB (rounded to {request})requested by op ", flush=True)
            print(f"I0000 00:00:00.000000 1 bfc_allocator.cc:1049] Sum Total of in-use chunks: {in_use / 2**30:.2f}GiB",
                  flush=True)
            print("Traceback (most recent call last):\n  File \"run_alphafold.py\", line 1, in <module>", flush=True)
            print("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate "
                  f"{request} bytes.", flush=True)
            entry["outcome"] = "oom"
            record(entry)
            return 1
        if os.environ.get("FAKE_AF3_FAIL_NAME") == name:
            print("ValueError: fake AlphaFold 3 failure (FAKE_AF3_FAIL_NAME)", flush=True)
            entry["outcome"] = "failed"
            record(entry)
            return 1
        print(f"Running model inference with seed {seed} took {seconds:.2f} seconds.", flush=True)
    print(f"Writing outputs with {len(seeds)} seed(s)...", flush=True)
    rows = []
    for seed in seeds:
        for i in range(s):
            d = os.path.join(out, f"seed-{seed}_sample-{i}")
            os.makedirs(d, exist_ok=True)
            write_model_cif(os.path.join(d, f"{sanitised(name)}_seed-{seed}_sample-{i}_model.cif"), sanitised(name),
                            job, seed)
            rows.append((seed, i, 0.5 + 0.01 * i))
    write_model_cif(os.path.join(out, f"{sanitised(name)}_model.cif"), sanitised(name), job)
    with open(os.path.join(out, f"{sanitised(name)}_ranking_scores.csv"), "w") as f:
        f.write("seed,sample,ranking_score\n")
        for row in rows:
            f.write("%d,%d,%.2f\n" % row)
    print(f"Fold job {name} done, output written to {out}\n", flush=True)
    entry["outcome"] = "succeeded"
    record(entry)
    return 0


if __name__ == "__main__":
    flags.mark_flags_as_required(["output_dir"])
    app.run(main)
