"""Stand-in for alphafold3.model.model_config: GlobalConfig with the fields foldfit sets."""
import dataclasses


@dataclasses.dataclass
class GlobalConfig:
    bfloat16: str = "all"
    pair_attention_chunk_size: tuple = ((1536, 128), (None, 32))
    pair_transition_shard_spec: tuple = ((2048, None), (None, 1024))
    flash_attention_implementation: str = "triton"
