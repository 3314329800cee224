"""Tests of python/foldfit_af3_adapter.py against the stand-in AlphaFold 3 in tests/fake_af3."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
ADAPTER = os.path.join(SRC, "python", "foldfit_af3_adapter.py")
FAKE = os.path.join(SRC, "tests", "fake_af3")

JOB = {"dialect": "alphafold3", "version": 2, "name": "small job", "modelSeeds": [7],
       "sequences": [{"protein": {"id": "A", "sequence": "MKV" * 40}}]}


class AdapterTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.json_path = os.path.join(self.tmp, "job.json")
        with open(self.json_path, "w") as f:
            json.dump(JOB, f)
        self.record = os.path.join(self.tmp, "record.jsonl")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def run_adapter(self, fields, script=os.path.join(FAKE, "run_alphafold.py"), extra=()):
        env = dict(os.environ, FAKE_AF3_RECORD=self.record, FAKE_AF3_SECONDS="0", PYTHONPATH=os.path.dirname(script))
        if fields is not None:
            env["FOLDFIT_AF3_CONFIG"] = fields if isinstance(fields, str) else json.dumps(fields)
        cmd = [sys.executable, ADAPTER, script, f"--json_path={self.json_path}",
               f"--output_dir={os.path.join(self.tmp, 'out')}", "--norun_data_pipeline", *extra]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)

    def recorded(self):
        with open(self.record) as f:
            return [json.loads(line) for line in f]

    def test_sets_the_fields_and_keeps_the_rest(self):
        r = self.run_adapter({"pair_transition_shard_spec": "((2048, None), (3072, 1024), (None, 512))"},
                             extra=["--num_diffusion_samples=3"])
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        rec = self.recorded()[0]
        self.assertEqual(rec["pair_transition_shard_spec"], [[2048, None], [3072, 1024], [None, 512]])
        self.assertEqual(rec["pair_attention_chunk_size"], [[1536, 128], [None, 32]])
        self.assertEqual(rec["samples"], 3)
        self.assertIn("global_config.pair_transition_shard_spec = ((2048, None), (3072, 1024), (None, 512))", r.stderr)

    def test_no_fields_runs_as_given(self):
        r = self.run_adapter(None)
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        self.assertEqual(self.recorded()[0]["pair_transition_shard_spec"], [[2048, None], [None, 1024]])

    def test_field_missing_from_this_alphafold3(self):
        old = os.path.join(self.tmp, "old_af3")
        shutil.copytree(FAKE, old)
        path = os.path.join(old, "alphafold3", "model", "model_config.py")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("    pair_attention_chunk_size: tuple = ((1536, 128), (None, 32))\n", ""))
        with open(os.path.join(old, "alphafold3", "version.py"), "w") as f:
            f.write('__version__ = "2.9.0"\n')
        r = self.run_adapter({"pair_attention_chunk_size": "((None, 64),)"}, script=os.path.join(old, "run_alphafold.py"))
        self.assertEqual(r.returncode, 2, r.stderr + r.stdout)
        self.assertIn("foldfit adapter: error: AlphaFold 3 2.9.0 has no global_config.pair_attention_chunk_size", r.stderr)
        self.assertIn("not one of the releases this adapter was written for", r.stderr)
        self.assertFalse(os.path.exists(self.record))

    def test_bad_value(self):
        r = self.run_adapter({"pair_transition_shard_spec": "((2048, None"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("pair_transition_shard_spec: '((2048, None' is not a Python literal", r.stderr)

    def test_unknown_field(self):
        r = self.run_adapter({"num_layers": "48"})
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown field 'num_layers'", r.stderr)

    def test_bfloat16(self):
        r = self.run_adapter({"bfloat16": "none"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("global_config.bfloat16 = 'none'", r.stderr)
        self.assertEqual(self.run_adapter({"bfloat16": "half"}).returncode, 2)

    def test_foldfit_flag_without_plan(self):
        r = self.run_adapter(None, extra=["--foldfit_gpu=A100-40GB"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--foldfit_gpu is a planning flag: it needs --foldfit_plan", r.stderr)
        self.assertFalse(os.path.exists(self.record))

    def test_not_run_alphafold(self):
        r = self.run_adapter({}, script=os.path.join(self.tmp, "missing.py"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.py: no such file", r.stderr)


def _foldfit():
    try:
        import foldfit
        return foldfit
    except ImportError:
        if os.environ.get("FOLDFIT_REQUIRE_PACKAGE") == "1":
            raise
        return None


@unittest.skipIf(_foldfit() is None, "the foldfit package is not installed (pip install .)")
class PlanInProcessTest(unittest.TestCase):
    """--foldfit_plan: the adapter plans with the foldfit package and applies the plan, the same
    plan foldfit.estimate gives for the same input, flags and environment."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.record = os.path.join(self.tmp, "record.jsonl")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("XLA_", "TF_", "FOLDFIT_"))}
        self.env.update(XDG_DATA_HOME=os.path.join(self.tmp, "data"), XDG_CACHE_HOME=os.path.join(self.tmp, "cache"),
                        FAKE_AF3_RECORD=self.record, FAKE_AF3_SECONDS="0", PYTHONPATH=FAKE,
                        FAKE_GPU_MEMORY_BYTES=str(40 * 10**9))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def job(self, residues):
        path = os.path.join(self.tmp, f"job{residues}.json")
        with open(path, "w") as f:
            json.dump(dict(JOB, sequences=[{"protein": {"id": "A", "sequence": "MKVL" * (residues // 4)}}]), f)
        return path

    def adapt(self, json_path, *extra, env_extra=None):
        env = dict(self.env, **(env_extra or {}))
        cmd = [sys.executable, ADAPTER, os.path.join(FAKE, "run_alphafold.py"), "--foldfit_plan",
               "--foldfit_gpu=A100-40GB", f"--json_path={json_path}", f"--output_dir={os.path.join(self.tmp, 'out')}",
               "--norun_data_pipeline", *extra]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)

    def recorded(self):
        with open(self.record) as f:
            return [json.loads(line) for line in f]

    def test_applies_the_plan_estimate_gives(self):
        foldfit = _foldfit()
        env = dict(self.env)
        # The smallest protein (in 250-residue steps) that fits A100 40 GB only with changes.
        for residues in range(1000, 6000, 250):
            path = self.job(residues)
            report = foldfit.estimate(path, environment=env, gpu="A100-40GB", num_diffusion_samples=3)
            if report.verdict == "fits_with_plan":
                break
        self.assertEqual(report.verdict, "fits_with_plan")
        self.assertTrue(report.plan.changes)
        r = self.adapt(path, "--num_diffusion_samples=3")
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        rec = self.recorded()[0]
        self.assertEqual(rec["n"], report.plan.padded_tokens)
        self.assertEqual(rec["samples"], 3)  # the user's value, untouched
        for flag in report.plan.flags:
            self.assertIn(flag, rec["argv"])
        for name, value in report.plan.environment.items():
            if name in ("XLA_CLIENT_MEM_FRACTION", "XLA_PYTHON_CLIENT_MEM_FRACTION"):
                self.assertAlmostEqual(rec["fraction"], float(value))
        for name, value in report.plan.model_config.items():
            got = rec[name]
            want = value if name == "bfloat16" else [list(p) for p in __import__("ast").literal_eval(value)]
            self.assertEqual(got, want, name)
        self.assertIn(f"foldfit adapter: plan for small job: {report.plan.padded_tokens} tokens padded", r.stderr)

    def test_user_settings_win(self):
        path = self.job(1000)
        r = self.adapt(path, "--buckets=1024,2048", env_extra={"XLA_CLIENT_MEM_FRACTION": "0.9"})
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        rec = self.recorded()[0]
        self.assertEqual(rec["n"], 1024)
        self.assertAlmostEqual(rec["fraction"], 0.9)

    def test_cannot_fit_stops_before_compiling(self):
        r = self.adapt(self.job(9000))
        self.assertEqual(r.returncode, 2, r.stderr + r.stdout)
        self.assertIn("cannot fit, stopping before the compile", r.stderr)
        self.assertFalse(os.path.exists(self.record))

    def test_bad_input_names_the_place(self):
        path = os.path.join(self.tmp, "bad.json")
        with open(path, "w") as f:
            f.write('{"dialect": "alphafold3", "version": 2, "name": "x", "modelSeeds": [1],\n "sequences": [{"protein": {"id": "A"}}]}')
        r = self.adapt(path)
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"bad\.json:2:\d+: sequences\[0\]\.protein")

    def test_refuses_a_folder_and_unknown_flags(self):
        r = self.adapt(self.job(300), "--input_dir=" + self.tmp)
        self.assertEqual(r.returncode, 2)
        self.assertIn("plans one input (--json_path)", r.stderr)
        r = self.adapt(self.job(300), "--foldfit_gpus=H100")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--foldfit_gpus: not a foldfit planning flag", r.stderr)


if __name__ == "__main__":
    unittest.main()
