"""Stand-in for alphafold3.model.model: Model.Config as run_alphafold.make_model_config builds it, and a
tiny forward pass for foldfit's XLA verify tests.

Model(config)(batch) runs inside haiku's transform (haiku and JAX are imported only then, so
the fake run_alphafold.py needs neither). Its temporaries grow as S N^2: a pair tensor
[N,N,C] from the token features, and one [S,N,N] logits tensor per diffusion sample.
FAKE_AF3_COMPILE_FAIL=1 adds a call to a custom-call target no XLA backend has, so that
lowering succeeds and XLA's compile fails, as a real compile failure does.
"""
import dataclasses
import os

from alphafold3.model import model_config


@dataclasses.dataclass
class DiffusionEval:
    num_samples: int = 5


@dataclasses.dataclass
class Diffusion:
    eval: DiffusionEval = dataclasses.field(default_factory=DiffusionEval)


@dataclasses.dataclass
class Heads:
    diffusion: Diffusion = dataclasses.field(default_factory=Diffusion)


class Model:
    @dataclasses.dataclass
    class Config:
        global_config: model_config.GlobalConfig = dataclasses.field(default_factory=model_config.GlobalConfig)
        heads: Heads = dataclasses.field(default_factory=Heads)
        num_recycles: int = 10
        return_embeddings: bool = False
        return_distogram: bool = False

    def __init__(self, config, name="diffusion_head"):
        self.config = config
        self.name = name

    def __call__(self, batch):
        import haiku as hk
        import jax
        import jax.numpy as jnp

        with jax.named_scope(self.name):
            return self._forward(batch, hk, jax, jnp)

    def _forward(self, batch, hk, jax, jnp):
        channels = 8
        samples = self.config.heads.diffusion.eval.num_samples
        aatype = batch["aatype"]
        init = hk.initializers.RandomNormal()
        embed = hk.get_parameter("embed", (32, channels), init=init)
        project = hk.get_parameter("pair_projection", (channels, 4 * channels), init=init)
        single = jax.nn.one_hot(aatype, 32) @ embed + batch["ref_pos"].sum(axis=(1, 2))[:, None]
        pair = jax.nn.relu((single[:, None, :] * single[None, :, :]) @ project)
        noise = jax.random.normal(hk.next_rng_key(), (samples,) + pair.shape[:2])
        logits = pair.sum(-1)[None] + noise
        weights = jax.nn.softmax(logits, axis=-1)
        coords = jnp.einsum("sij,jc->sic", weights, single)
        if os.environ.get("FAKE_AF3_COMPILE_FAIL") == "1":
            coords = jax.ffi.ffi_call("foldfit_fake_af3_no_such_target",
                                      jax.ShapeDtypeStruct(coords.shape, coords.dtype))(coords)
        result = {"diffusion_samples": {"atom_positions": coords}}
        if self.config.return_distogram:
            result["distogram"] = {"distogram": pair[..., :4]}
        return result
