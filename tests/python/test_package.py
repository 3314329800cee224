"""Tests of the installed Python package foldfit (pip install .; scripts/test.sh installs it into
.venv): the golden sizes of the C++ tests, AlphaFold 3's own example inputs, exceptions with
their locations, to_dict() round trips, the plan equal to `foldfit estimate --format=json`'s,
and the installed foldfit command."""
import json
import os
import shutil
import subprocess
import sys

import pytest

if os.environ.get("FOLDFIT_REQUIRE_PACKAGE") == "1":
    import foldfit
else:
    foldfit = pytest.importorskip("foldfit", reason="the foldfit package is not installed (pip install .)")

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
EXAMPLE = os.path.join(SRC, "examples", "2pv7.json")
AF3_EXAMPLES = os.path.join(os.path.dirname(SRC), "shared", "data", "af3-examples")
COMMAND = os.path.join(os.path.dirname(sys.executable), "foldfit")


def af3(sequences, **extra):
    return {"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": sequences, **extra}


def run_command(*args, env=None):
    return subprocess.run([COMMAND, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def clean_env(tmp_path, monkeypatch):
    """An environment without JAX/XLA variables or a calibration file, for this process and the command."""
    for name in list(os.environ):
        if name.startswith(("XLA_", "TF_", "CUDA_", "FOLDFIT_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return dict(os.environ)


# --- sizes: the golden cases of tests/sizes/golden_test.cpp ---

def test_readme_example_2pv7():
    s = foldfit.read_input(EXAMPLE)
    assert (s.tokens, s.padded_tokens, s.atoms, s.chains, s.homomer) == (596, 768, 18432, 2, True)
    assert [c.id for c in s.per_chain] == ["A", "B"] and s.per_chain[0].tokens == 298
    assert s.dialect == "alphafold3"
    assert repr(s).startswith("Input(name='2PV7', tokens=596, padded_tokens=768, chains=2, homomer=True")


def test_golden_cases_from_text_and_dicts():
    sep = {"protein": {"id": "A", "sequence": "MVLSEGEWQLVLHVWAKVEAD", "modifications": [{"ptmType": "SEP", "ptmPosition": 4}]}}
    assert foldfit.read_input(af3([sep])).tokens == 30
    atp_mg = af3([{"ligand": {"id": "B", "ccdCodes": ["ATP"]}}, {"ligand": {"id": "C", "ccdCodes": ["MG"]}}])
    atp = foldfit.read_input(atp_mg, af3_release="v3.0.4")
    assert (atp.tokens, atp.padded_tokens, atp.chains, atp.homomer) == (32, 256, 2, False)
    assert foldfit.read_input(atp_mg, af3_release="main").padded_tokens == 128
    aspirin = json.dumps(af3([{"ligand": {"id": "L", "smiles": "CC(=O)Oc1ccccc1C(=O)O"}}]))
    assert foldfit.read_input(aspirin).tokens == 13
    nag = af3([{"ligand": {"id": "G", "ccdCodes": ["NAG"]}}])
    assert foldfit.read_input(nag).tokens == 14
    assert foldfit.read_input(nag, fix_standalone_glycans=True).tokens == 15
    dropped = foldfit.read_input(af3([{"protein": {"id": "A", "sequence": "MKV"}}, {"protein": {"id": "B", "sequence": "XXXX"}}]))
    assert (dropped.tokens, dropped.chains, dropped.per_chain[1].dropped) == (3, 1, True)
    assert dropped.warnings == ["chain B: every residue is UNK; AlphaFold 3 drops such chains"]
    server = [{"name": "server job", "modelSeeds": ["7"], "sequences": [
        {"proteinChain": {"sequence": "MKVLA", "count": 2}}, {"ion": {"ion": "MG", "count": 3}},
        {"ligand": {"ligand": "CCD_ATP"}}]}]
    (job,) = foldfit.read_inputs(server)
    assert (job.tokens, job.chains, job.dialect) == (44, 6, "alphafoldserver")


def test_buckets_as_a_list():
    assert foldfit.read_input(EXAMPLE, buckets=[256, 600, 1024]).padded_tokens == 600


def examples():
    if not os.path.isdir(AF3_EXAMPLES):
        return []
    return sorted(f for f in os.listdir(AF3_EXAMPLES) if f.endswith(".json"))


@pytest.mark.skipif(not examples(), reason=f"{AF3_EXAMPLES} is missing")
def test_af3_examples_known_sizes():
    def sizes(name):
        return [(s.name, s.tokens, s.padded_tokens, s.chains, s.homomer)
                for s in foldfit.read_inputs(os.path.join(AF3_EXAMPLES, name), af3_release="v3.0.4")]
    # v3.0.4's buckets (256, 512, 768, ...): main's 128 and 384 are not among them.
    assert sizes("ex_ubiquitin_monomer.json") == [("ubiquitin_monomer", 76, 256, 1, False)]
    assert sizes("ex_tetr_homodimer.json") == [("TetR_homodimer", 436, 512, 2, True)]
    assert sizes("server_test_two_jobs.json") == [("test0", 16, 256, 2, False), ("test1", 17, 256, 2, False)]
    # AlphaFold 3's data pipeline refuses its own docs example: chain B has templates but
    # no MSAs ("set only partially").
    with pytest.raises(foldfit.InputError, match="protein chain B gives templates without MSAs"):
        sizes("docs_full_example.json")
    assert sizes("ex_kras_g12c_sotorasib.json") == [("KRAS_G12C_sotorasib_covalent", 230, 256, 2, False)]
    assert sizes("docs_userccdpath_x7f.json") == [("userccdpath_x7f", 14, 256, 1, False)]


@pytest.mark.skipif(not examples(), reason=f"{AF3_EXAMPLES} is missing")
@pytest.mark.parametrize("name", examples())
def test_af3_example_as_the_command_reads_it(name):
    path = os.path.join(AF3_EXAMPLES, name)
    r = run_command("tokens", f"--json_path={path}", "--format=json")
    try:
        inputs = foldfit.read_inputs(path)
    except foldfit.InputError as e:
        assert r.returncode == 2 and str(e) in r.stderr
        return
    assert r.returncode == 0, r.stderr
    printed = json.loads(r.stdout)
    assert [i.to_dict() for i in inputs] == (printed if isinstance(printed, list) else [printed])


# --- errors with their locations ---

def test_input_error_carries_the_location(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"dialect": "alphafold3", "version": 2, "name": "x", "modelSeeds": [1],\n'
                    ' "sequences": [{"ligand": {"id": "L", "ccdCodes": ["NOPE1"]}}]}\n')
    with pytest.raises(foldfit.InputError) as e:
        foldfit.read_input(path)
    err = e.value
    assert err.file == str(path) and err.line == 2 and err.column > 0
    assert err.json_path == "sequences[0].ligand.ccdCodes[0]"
    assert str(err).startswith(f"{path}:2:{err.column}: sequences[0].ligand.ccdCodes[0]: ")
    assert "NOPE1" in err.message
    r = run_command("tokens", f"--json_path={path}")
    assert r.returncode == 2 and str(err) in r.stderr


def test_json_syntax_error_in_text():
    with pytest.raises(foldfit.InputError) as e:
        foldfit.read_input('{"dialect": "alphafold3",\n  "version": }', file="job.json")
    assert e.value.file == "job.json" and e.value.line == 2


def test_usage_errors(clean_env):
    with pytest.raises(foldfit.UsageError, match=r"unknown flag --gpuu \(did you mean --gpu\?\)"):
        foldfit.estimate(EXAMPLE, gpuu="A100-40GB")
    with pytest.raises(foldfit.UsageError, match="num_diffusion_samples"):
        foldfit.estimate(EXAMPLE, gpu="A100-40GB", num_diffusion_samples="many")
    with pytest.raises(foldfit.UsageError, match="XLA_CLIENT_MEM_FRACTION"):
        foldfit.estimate(EXAMPLE, gpu="A100-40GB", environment=dict(clean_env, XLA_CLIENT_MEM_FRACTION="abc"))
    with pytest.raises(foldfit.UsageError, match="unknown GPU"):
        foldfit.estimate(EXAMPLE, gpu="A100-41GB")
    assert issubclass(foldfit.UsageError, foldfit.FoldfitError)


# --- to_dict round trips ---

def test_round_trips(clean_env):
    s = foldfit.read_input(EXAMPLE)
    report = foldfit.estimate(s, gpu="A100-40GB")
    for x in (s, s.per_chain[0], report, report.estimate, report.estimate.phases[0], report.plan,
              foldfit.devices(), foldfit.gpu_table()[0]):
        d = x.to_dict()
        assert json.loads(json.dumps(d)) == d
        assert type(x).from_dict(d) == x and type(x).from_dict(d).to_dict() == d
    assert report.to_dict()["schema"] == "foldfit.estimate/1" and s.to_dict()["schema"] == "foldfit.tokens/1"
    with pytest.raises(AttributeError):
        s.tokens = 1


# --- the plan: the command's, for the same input, GPU, flags and environment ---

BIG = af3([{"protein": {"id": ["A", "B"], "sequence": "MKVLAG" * 300}}], name="big")

CASES = [
    (EXAMPLE, {"gpu": "A100-40GB"}, {}),
    (EXAMPLE, {"gpu": "L40S", "num_diffusion_samples": 10, "buckets": [256, 600, 1024]}, {}),
    ("BIG", {"gpu": "A100-40GB"}, {}),
    ("BIG", {"gpu": "A100-40GB", "max_gpu_memory_gb": 120, "host_ram_gb": 512}, {}),
    ("BIG", {"gpu": "H100-80GB", "flash_attention_implementation": "xla", "bfloat16": "none"},
     {"XLA_CLIENT_MEM_FRACTION": "0.95"}),
    ("BIG", {"gpu": "RTX-4090", "save_embeddings": True, "margin_gb": 2}, {"XLA_PYTHON_CLIENT_PREALLOCATE": "false"}),
]


@pytest.mark.parametrize("source,flags,variables", CASES)
def test_plan_equals_the_commands(source, flags, variables, clean_env, tmp_path):
    if source == "BIG":
        source = str(tmp_path / "big.json")
        with open(source, "w") as f:
            json.dump(BIG, f)
    env = dict(clean_env, **variables)
    report = foldfit.estimate(source, environment=env, **flags)
    args = [f"--{k}={foldfit._flag_text(k, v)}" for k, v in flags.items()]
    r = run_command("estimate", f"--json_path={source}", "--format=json", *args, env=env)
    assert r.returncode == {"fits": 0, "fits_with_plan": 10, "cannot_fit": 11}[report.verdict], r.stderr
    assert report.to_dict() == json.loads(r.stdout)


def test_plan_says_how_to_apply_it(clean_env, tmp_path):
    source = tmp_path / "big.json"
    source.write_text(json.dumps(BIG))
    report = foldfit.estimate(source, gpu="A100-40GB", max_gpu_memory_gb=120, host_ram_gb=512)
    assert report.verdict == "fits_with_plan" and report.fits
    plan = report.plan
    assert any(f.startswith("--buckets=") for f in plan.flags)
    assert f"--num_diffusion_samples={plan.settings['num_diffusion_samples']['value']}" in plan.flags or \
        any(c.setting == "sample_split" for c in plan.changes)
    changed = {c.setting for c in plan.changes}
    assert ("unified_memory" in changed) == (plan.environment.get("TF_FORCE_UNIFIED_MEMORY") == "true")
    for field in plan.model_config:
        assert field in changed
    assert "changes=[" in repr(plan) and "verdict='fits_with_plan'" in repr(report)
    assert foldfit.estimate(EXAMPLE, gpu="A100-40GB").plan.environment == {}


# --- devices and the GPU table ---

def test_devices_and_table(clean_env):
    table = foldfit.gpu_table()
    names = [g.name for g in table]
    assert "A100-40GB" in names and "H100-80GB" in names
    a100 = table[names.index("A100-40GB")]
    assert a100.memory_bytes == 42949672960 and a100.compute_capability == "8.0"
    d = foldfit.devices(gpu="A100-40GB")
    assert [g.name for g in d.table] == names
    r = run_command("devices", "--gpu=A100-40GB", "--format=json", env=clean_env)
    assert r.returncode == 0 and d.to_dict() == json.loads(r.stdout)


# --- verify: the same helper and request as `foldfit verify` (stand-in AlphaFold 3, JAX on CPU) ---

def test_verify_as_the_command(clean_env, tmp_path):
    pytest.importorskip("jax")
    shutil.copytree(os.path.join(SRC, "tests", "fake_af3", "alphafold3"), tmp_path / "af3" / "alphafold3")
    env = dict(clean_env, PYTHONPATH=str(tmp_path / "af3"))
    flags = {"gpu": "H100-80GB", "flash_attention_implementation": "xla", "num_diffusion_samples": 2}
    lines = []
    v = foldfit.verify(padded_tokens=96, backend="cpu", af3_python=sys.executable, environment=env,
                       on_line=lines.append, **flags)
    assert v.padded_tokens == 96 and v.xla["backend"] == "cpu" and v.xla["pool_bytes"] > 0
    assert v.settings["num_diffusion_samples"] == {"value": 2, "origin": "flag"}
    assert lines
    r = run_command("verify", "--padded_tokens=96", "--backend=cpu", f"--af3_python={sys.executable}", "--norecord",
                    f"--cache_dir={tmp_path / 'cache' / 'foldfit' / 'xla'}", "--format=json",
                    *[f"--{k}={v}" for k, v in flags.items()], env=env)
    assert r.returncode == 0, r.stderr
    cli = json.loads(r.stdout)
    assert cli["xla"]["cached"] is True  # the compile the module made
    assert cli["foldfit"] == v.foldfit and cli["settings"] == v.settings
    with pytest.raises(foldfit.UsageError, match=r"\(start\)"):
        foldfit.verify(padded_tokens=96, backend="cpu", af3_python="/nonexistent/python", environment=env, **flags)


# --- the installed command ---

def test_installed_command():
    assert os.access(COMMAND, os.X_OK), f"{COMMAND} is not installed"
    r = run_command("--version")
    assert r.returncode == 0 and r.stdout.startswith(f"foldfit {foldfit.__version__}")
    r = run_command("tokens", f"--json_path={EXAMPLE}", "--format=json")
    assert r.returncode == 0 and json.loads(r.stdout) == foldfit.read_input(EXAMPLE).to_dict()
    assert run_command("tokens").returncode == 2
    r = subprocess.run([sys.executable, "-m", "foldfit", "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("foldfit ")


def test_release_reaches_sizes_and_reports():
    tagged = foldfit.read_input(EXAMPLE, af3_release="v3.0.4")
    main = foldfit.read_input(EXAMPLE, af3_release="main")
    assert tagged.padded_tokens == 768 and main.padded_tokens == 768  # 596 tokens: the same bucket
    small = {"dialect": "alphafold3", "version": 4, "name": "small", "modelSeeds": [1],
             "sequences": [{"protein": {"id": "A", "sequence": "M" * 300}}]}
    assert foldfit.read_input(small, af3_release="v3.0.4").padded_tokens == 512
    assert foldfit.read_input(small, af3_release="main").padded_tokens == 384
    report = foldfit.estimate(small, gpu="A100-80GB", af3_release="main", environment={})
    assert report.padded_tokens == 384
