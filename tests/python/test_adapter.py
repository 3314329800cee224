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

    def test_not_run_alphafold(self):
        r = self.run_adapter({}, script=os.path.join(self.tmp, "missing.py"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.py: no such file", r.stderr)


if __name__ == "__main__":
    unittest.main()
