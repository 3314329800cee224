"""Stand-in for alphafold3.model.model: Model.Config as run_alphafold.make_model_config builds it."""
import dataclasses

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
