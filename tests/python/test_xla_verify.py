"""Tests of python/foldfit_xla_verify.py (and its target and buffer modules) against the stand-in AlphaFold 3.

The stand-in (tests/fake_af3/alphafold3) has AlphaFold 3's module layout and a tiny haiku
forward pass, so the helper's real path - config, shapes, lowering, XLA compile, memory
analysis, buffer dump - runs on JAX's CPU backend in seconds. Run with the project's
.venv (scripts/setup.sh): tests/cli/python_tests.sh.
"""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
PYTHON_DIR = os.path.join(SRC, "python")
HELPER = os.path.join(PYTHON_DIR, "foldfit_xla_verify.py")
FAKE_PACKAGE = os.path.join(SRC, "tests", "fake_af3", "alphafold3")
sys.path.insert(0, PYTHON_DIR)

import foldfit_xla_buffers  # noqa: E402
import foldfit_xla_model  # noqa: E402
import foldfit_xla_targets  # noqa: E402


@pytest.fixture
def af3_path(tmp_path):
    """A folder with only the stand-in alphafold3 package (not the fake absl beside it)."""
    root = tmp_path / "af3"
    shutil.copytree(FAKE_PACKAGE, root / "alphafold3")
    return root


def verify(request, af3_path, python=None, env_extra=None, raw=None, args=None):
    env = dict(os.environ, PYTHONPATH=str(af3_path))
    env.pop("XLA_FLAGS", None)
    env.update(env_extra or {})
    cmd = [python or sys.executable] + (args or []) + [HELPER, "--request=-"]
    text = raw if raw is not None else json.dumps(request)
    r = subprocess.run(cmd, input=text, capture_output=True, text=True, env=env, timeout=120)
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1, f"stdout must be one JSON object: {r.stdout!r}\n{r.stderr}"
    return r.returncode, json.loads(lines[0]), r.stderr


def cpu_request(**fields):
    request = {"padded_tokens": 32, "num_diffusion_samples": 2, "backend": "cpu",
               "flash_attention_implementation": "xla", "top_buffers": 5}
    request.update(fields)
    return request


def test_memory_figures_are_read_and_consistent(af3_path):
    rc, small, stderr = verify(cpu_request(padded_tokens=32), af3_path)
    assert rc == 0, stderr
    rc, large, stderr = verify(cpu_request(padded_tokens=128), af3_path)
    assert rc == 0, stderr
    for r in (small, large):
        assert r["pool_bytes"] == r["argument_bytes"] + r["output_bytes"] + r["temp_bytes"] - r["alias_bytes"]
        assert r["backend"] == "cpu" and r["cached"] is False
        assert r["device_peak_bytes_in_use"] is None
        assert r["compile_seconds"] >= 0 and r["lower_seconds"] >= 0
        assert r["host_peak_rss_bytes"] > 0
        assert r["versions"]["af3_version_string"] == "3.0.4"
        assert r["versions"]["jax"] and r["versions"]["python"]
        assert r["request"]["padded_tokens"] in (32, 128)
    # The stand-in's temporaries are S x N^2 logits: 16x the tokens squared, 16x the bytes,
    # less what does not grow.
    assert large["temp_bytes"] > 8 * small["temp_bytes"]
    assert large["argument_bytes"] > small["argument_bytes"]
    # The progress protocol, in order.
    stages = re.findall(r"^foldfit-verify: ([a-z-]+) [0-9.]+$", stderr, re.M)
    assert stages == ["importing", "building-config", "init-shapes", "lowering", "compiling", "done"]


def test_largest_buffers_name_the_module(af3_path):
    rc, r, stderr = verify(cpu_request(padded_tokens=128, num_diffusion_samples=4), af3_path)
    assert rc == 0, stderr
    buffers = r["largest_buffers"]
    assert 0 < len(buffers) <= 5
    assert buffers == sorted(buffers, key=lambda b: -b["bytes"])
    # [S,N,N] tensors of the stand-in's diffusion head (noise bits, logits): 4 x 128 x 128 x 4 bytes.
    assert buffers[0]["bytes"] == 4 * 128 * 128 * 4
    assert buffers[0]["shape"] == [4, 128, 128]
    assert all("diffusion_head" in b["name"] for b in buffers if b["shape"] == [4, 128, 128]
               and b["name"].startswith("jit("))
    assert any("diffusion_head" in b["name"] for b in buffers)
    assert r["temp_peak"]["temp_live_bytes"] <= r["temp_bytes"]


def test_cache_hit_then_miss_when_a_field_changes(af3_path, tmp_path):
    cache = str(tmp_path / "cache")
    rc, first, _ = verify(cpu_request(cache_dir=cache), af3_path)
    assert rc == 0 and first["cached"] is False
    rc, second, stderr = verify(cpu_request(cache_dir=cache), af3_path)
    assert rc == 0 and second["cached"] is True
    assert "foldfit-verify: compiling" not in stderr
    assert {k: v for k, v in second.items() if k != "cached"} == {k: v for k, v in first.items() if k != "cached"}
    rc, third, _ = verify(cpu_request(cache_dir=cache, num_diffusion_samples=3), af3_path)
    assert rc == 0 and third["cached"] is False
    assert len(os.listdir(cache)) == 2


def test_bad_request_json_exits_2(af3_path):
    rc, r, stderr = verify(None, af3_path, raw="{not json")
    assert rc == 2 and r["kind"] == "request"
    assert r["error"].startswith("-: not JSON:")
    assert "foldfit-verify: error: -: not JSON:" in stderr


@pytest.mark.parametrize("fields, message", [
    ({"padded_tokens": 0}, "padded_tokens: expected an integer >= 1, got 0"),
    ({"flash_attention_implementation": "flash"}, "flash_attention_implementation: 'flash' is not one of triton, cudnn, xla"),
    ({"backend": "tpu"}, "backend: 'tpu' is not one of cuda-deviceless, cuda-device, cpu"),
    ({"colour": "blue"}, "unknown request field(s): colour"),
    ({"global_config": {"pair_transition_shard_spec": "((2048, None"}},
     "global_config.pair_transition_shard_spec: '((2048, None' is not a Python literal"),
    ({"global_config": {"final_init": "'zeros'"}}, "global_config.final_init: not a field foldfit sets"),
    ({"backend": "cuda-deviceless", "target": {"name": "GTX-480"}}, "target.name: unknown target 'GTX-480'"),
    ({"backend": "cuda-deviceless"}, "target: backend cuda-deviceless needs"),
])
def test_invalid_request_fields_exit_2(af3_path, fields, message):
    rc, r, _ = verify(cpu_request(**fields), af3_path)
    assert rc == 2 and r["kind"] == "request"
    assert r["error"].startswith(message), r["error"]


def test_missing_jax_exits_2(af3_path):
    # -S -I: the same interpreter without its site-packages, as a Python without JAX.
    rc, r, stderr = verify(cpu_request(), af3_path, args=["-S", "-I"])
    assert rc == 2 and r["kind"] == "environment"
    assert r["error"].startswith("JAX is not importable with ")
    assert "Run this helper with AlphaFold 3's Python" in r["error"]


def test_alphafold3_not_importable_exits_2(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    rc, r, _ = verify(cpu_request(), empty)
    assert rc == 2 and r["kind"] == "environment"
    assert r["error"].startswith("AlphaFold 3 is not importable with ")


def test_alphafold3_without_a_needed_config_field_exits_2(af3_path):
    path = af3_path / "alphafold3" / "model" / "model_config.py"
    text = path.read_text()
    path.write_text(text.replace("    pair_attention_chunk_size: tuple = ((1536, 128), (None, 32))\n", ""))
    rc, r, _ = verify(cpu_request(global_config={"pair_attention_chunk_size": "((None, 64),)"}), af3_path)
    assert rc == 2 and r["kind"] == "environment"
    assert r["error"] == ("this AlphaFold 3's model config has no global_config.pair_attention_chunk_size "
                          "(needed to set global_config.pair_attention_chunk_size=((None, 64),))")


def test_overrides_reach_the_model_config(af3_path):
    rc, r, stderr = verify(cpu_request(global_config={"pair_transition_shard_spec": "((None, 512),)"},
                                       return_distogram=True), af3_path)
    assert rc == 0, stderr
    # The stand-in returns a distogram only when return_distogram reached its config.
    assert r["output_bytes"] > 0
    rc, plain, _ = verify(cpu_request(), af3_path)
    assert r["output_bytes"] > plain["output_bytes"]


def test_compile_failure_exits_1_with_xla_error(af3_path):
    rc, r, stderr = verify(cpu_request(), af3_path, env_extra={"FAKE_AF3_COMPILE_FAIL": "1"})
    assert rc == 1 and r["kind"] == "compile"
    assert r["error"].startswith("XLA compile failed: ")
    assert "foldfit_fake_af3_no_such_target" in r["error"]
    assert "foldfit-verify: error: XLA compile failed: " in stderr


def test_glu_implementation_needs_tokamax(af3_path):
    rc, r, _ = verify(cpu_request(glu_implementation="xla"), af3_path)
    assert rc == 2 and r["kind"] == "environment"
    assert "glu_implementation needs tokamax.gated_linear_unit" in r["error"]


def test_helper_imports_with_the_standard_library_only():
    r = subprocess.run([sys.executable, "-S", "-I", "-c",
                        f"import sys; sys.path.insert(0, {PYTHON_DIR!r}); import foldfit_xla_verify; import foldfit_xla_model; "
                        "assert 'jax' not in sys.modules; print('ok')"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


# ---------------------------------------------------------------- shapes

def test_feature_shapes_follow_alphafold3_padding():
    layout = {"msa_crop_size": 16384, "max_templates": 4, "average_num_atoms_per_token": 24,
              "max_atoms_per_token": 24, "atom_cross_att_queries_subset_size": 32,
              "atom_cross_att_keys_subset_size": 128, "profile_width": 31}
    shapes, atoms = foldfit_xla_model.feature_shapes(100, layout)
    assert atoms == 2400  # ceil(24 x 100 / 32) x 32
    assert shapes["msa"] == ((16384, 100), "int8")
    assert shapes["template_atom_positions"] == ((4, 100, 24, 3), "float32")
    assert shapes["token_atoms_to_queries:gather_idxs"] == ((75, 32), "int32")
    assert shapes["tokens_to_keys:gather_idxs"] == ((75, 128), "int32")
    assert shapes["queries_to_token_atoms:input_shape"] == ((2,), "int32")
    assert shapes["tokens_to_ligand_ligand_bonds:gather_mask"] == ((1000, 2), "bool")
    _, atoms = foldfit_xla_model.feature_shapes(256, layout)
    assert atoms == 6144


# ---------------------------------------------------------------- targets

def parse_text_proto(text):
    """A minimal protobuf text-format reader: {field: value or [nested dicts]}."""
    root, stack = {}, []
    node = root
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line.endswith("{"):
            child = {}
            node.setdefault(line[:-1].strip(), []).append(child)
            stack.append(node)
            node = child
        elif line == "}":
            assert stack, f"line {lineno}: unbalanced }}"
            node = stack.pop()
        else:
            m = re.fullmatch(r'([a-z_0-9]+): ("[^"]*"|[A-Z_]+|-?[0-9.]+)', line)
            assert m, f"line {lineno}: not a text-proto field: {line!r}"
            assert m.group(1) not in node, f"line {lineno}: {m.group(1)} twice"
            node[m.group(1)] = m.group(2).strip('"')
    assert not stack, "unclosed {"
    return root


@pytest.mark.parametrize("name", sorted(foldfit_xla_targets.read_table()))
def test_every_target_row_gives_a_well_formed_proto(name):
    row = foldfit_xla_targets.read_table()[name]
    proto = parse_text_proto(foldfit_xla_targets.target_config(name))
    info = proto["gpu_device_info"][0]
    assert proto["platform_name"] == "CUDA"
    for field in ("core_count", "shared_memory_per_block_optin", "shared_memory_per_core", "l2_cache_size",
                  "memory_bandwidth", "device_memory_size", "threads_per_core_limit", "registers_per_core_limit"):
        assert int(info[field]) == row[field], field
    cc = info["cuda_compute_capability"][0]
    assert int(cc["major"]) == row["cc_major"] and int(cc.get("minor", 0)) == row["cc_minor"]
    assert row["origin"].strip()


def test_device_memory_bytes_sets_xla_base_limit():
    pool = int(0.95 * 81559 * 2**20)
    size = foldfit_xla_targets.device_memory_size_for(pool)
    assert abs(size * foldfit_xla_targets.XLA_BASE_LIMIT_FRACTION - pool) <= 1
    proto = parse_text_proto(foldfit_xla_targets.target_config("H100-80GB", size))
    assert int(proto["gpu_device_info"][0]["device_memory_size"]) == size


def test_target_proto_parses_with_xla_when_the_cuda_plugin_is_installed():
    pytest.importorskip("jax_cuda12_plugin", reason="needs jax-cuda12-plugin (deviceless CUDA), not in CI")
    script = ("import os, sys; os.environ['JAX_PLATFORMS'] = 'cpu'\n"
              "from jax.experimental import topologies\n"
              f"sys.path.insert(0, {PYTHON_DIR!r}); import foldfit_xla_targets as t\n"
              "for name in t.read_table():\n"
              "    topologies.get_topology_desc(platform='cuda', target_config=t.target_config(name), topology='1x1x1')\n"
              "print('ok')\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip().endswith("ok"), r.stderr


def test_bad_table_row_names_its_line(tmp_path):
    table = tmp_path / "t.tsv"
    lines = open(foldfit_xla_targets.DEFAULT_TABLE).read().splitlines()
    header = next(i for i, ln in enumerate(lines) if not ln.startswith("#"))
    row = lines[header + 1].split("\t")
    row[4] = "many"
    table.write_text("\n".join(lines[:header + 1] + ["\t".join(row)]) + "\n")
    with pytest.raises(foldfit_xla_targets.TargetError, match=r"t\.tsv:%d: core_count: 'many' is not an integer"
                       % (header + 2)):
        foldfit_xla_targets.read_table(str(table))


# ---------------------------------------------------------------- buffer dumps

def test_peak_counts_a_shared_placement_once(tmp_path):
    (tmp_path / "m.jit_apply_fn.after_optimizations-buffer-assignment.txt").write_text(
        "allocation 0: size 64, parameter 0, shape |f32[16]| at ShapeIndex {}:\n"
        " value: <1 p @0> (size=64,offset=0): f32[16]{0}\n"
        "allocation 1: size 300, preallocated-temp:\n"
        " value: <2 a @0> (size=100,offset=0): f32[25]{0}\n"
        " value: <3 b @0> (size=200,offset=100): f32[50]{0}\n"
        " value: <4 c @0> (size=100,offset=0): f32[25]{0}\n"
        " value: <5 d @0> (size=100,offset=0): f32[5,5]{1,0}\n")
    (tmp_path / "m.jit_apply_fn.after_optimizations-live-range.txt").write_text(
        "HloLiveRange (max 9):\n  BufferLiveRange:\n    a{}:0-3\n    b{}:2-4\n    c{}:3-5\n    d{}:6-8\n")
    (tmp_path / "m.jit_apply_fn.after_optimizations-buffer-assignment-values.txt").write_text(
        "<3 b @0>\n positions:\n  b\n from instruction: %b = f32[50]{0} add(), "
        'metadata={op_name="jit(apply_fn)/diffusion_head/add" scheduling_name="b"}\n')
    buffers, peak = foldfit_xla_buffers.largest_at_peak(str(tmp_path), 10)
    # a and c share offset 0 while both live (step 3): one placement, 300 bytes at the peak.
    assert peak == {"step": 2, "temp_live_bytes": 300}
    assert [b["bytes"] for b in buffers] == [200, 100]
    assert buffers[0]["name"] == "jit(apply_fn)/diffusion_head/add"
    assert buffers[0]["shape"] == [50] and buffers[0]["dtype"] == "f32"


def test_op_names_with_escaped_quotes(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text('<7 fusion.3 @0>\n from instruction: %fusion.3 = f32[4]{0} fusion(), '
                    'metadata={op_name="jit(f)/tokamax:{\\"op\\": \\"glu\\"}/dot" source_line=3}\n')
    assert foldfit_xla_buffers.read_op_names(str(path), {7}) == {7: 'jit(f)/tokamax:{"op": "glu"}/dot'}


def test_no_dump_gives_no_buffers(tmp_path):
    assert foldfit_xla_buffers.largest_at_peak(str(tmp_path), 5) == ([], None)


def test_release_fingerprint_reads_model_sources_only(tmp_path):
    model = tmp_path / "alphafold3" / "model"
    (model / "network").mkdir(parents=True)
    (model / "model.py").write_text("x = 1\n")
    (model / "network" / "modules.py").write_text("y = 2\n")
    first = foldfit_xla_model.model_fingerprint(str(tmp_path / "alphafold3"))
    (model / "__pycache__").mkdir()
    (model / "__pycache__" / "model.cpython-312.pyc").write_bytes(b"\0")
    (model / "json_serialize_pybind.cc").write_text("// not in wheels\n")
    assert foldfit_xla_model.model_fingerprint(str(tmp_path / "alphafold3")) == first
    (model / "network" / "modules.py").write_text("y = 3\n")
    assert foldfit_xla_model.model_fingerprint(str(tmp_path / "alphafold3")) != first
    assert first not in foldfit_xla_model.KNOWN_RELEASES


def test_request_from_a_file_and_a_missing_file(af3_path, tmp_path):
    path = tmp_path / "request.json"
    path.write_text(json.dumps(cpu_request()))
    env = dict(os.environ, PYTHONPATH=str(af3_path))
    r = subprocess.run([sys.executable, HELPER, f"--request={path}"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["request"]["padded_tokens"] == 32
    missing = tmp_path / "nothing.json"
    r = subprocess.run([sys.executable, HELPER, f"--request={missing}"], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 2
    assert json.loads(r.stdout) == {"error": f"{missing}: cannot read the request: No such file or directory",
                                    "kind": "request"}


def test_rematerialization_warning_is_picked_from_xla_log():
    import foldfit_xla_verify
    line = ("W1203 08:31:57.632402     366 hlo_rematerialization.cc:3231] Can't reduce memory use below 34.44GiB "
            "(36979055969 bytes) by rematerialization; only reduced to 43.01GiB (46185246164 bytes), down from "
            "50.42GiB (54140988300 bytes) originally")
    log = "I0000 something else\n" + line + "\nWARNING:absl:Autotuning cache miss\n"
    assert foldfit_xla_verify.remat_warning(log) == line
    assert foldfit_xla_verify.remat_warning("I0000 nothing\n") is None
