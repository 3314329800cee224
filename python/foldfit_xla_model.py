"""foldfit_xla_model.py - the AlphaFold 3 side of foldfit_xla_verify.py: which release, the config, the batch shapes.

Standard library only at import time; alphafold3 is imported inside the functions.
"""

import hashlib
import os
import subprocess
import sys

from foldfit_xla_request import VerifyError, literal

# AlphaFold 3 releases identified by the content of alphafold3/model/**/*.py (model_fingerprint).
KNOWN_RELEASES = {
    "41c8dc75796d4cf81167e0bd950696ee7c6d63fbc0949717c1fa29cac5db3587": ("v3.0.0", "4f52a3bb624fd7245fb1ad0bf62d752ffa46f0ce"),
    "53b806ea23ff4c6017ba1353ff61bb5306e8ad937586b8c6996262396414e604": ("v3.0.1", "231efc9bb9c13b45cc59e43f7107869084ee9624"),
    "168a36bb7c4944a55e8d90cc5f660b4c0af969adf8cba139757515551637973b": ("v3.0.2", "f6a5aecf6eea2b5de4f846df86921630c5036b0b"),
    "00dd8ad69daa7126356e3856a322ff4ca48eb6484c21a3a70f0b9e2d5cd3b17b": ("v3.0.3", "7b197fe859790fc3e04d03ea70dd0b9ba48881c9"),
    "ee4d354f70d3ab6cd2236444a82322f9eb6c5efa8e523792bf294bb77401f489": ("v3.0.4", "85c4d20505fd5cef05eac22b534d4e793971ae69"),
}


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
        _set(config, f"global_config.{name}", literal(name, value))
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
