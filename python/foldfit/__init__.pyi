# Stubs of the foldfit package (python/foldfit/__init__.py).
import os
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from foldfit.errors import FoldfitError as FoldfitError, FoldfitWarning as FoldfitWarning
from foldfit.errors import InputError as InputError, UsageError as UsageError
from foldfit.records import (ChainSize as ChainSize, Change as Change, DetectedGpu as DetectedGpu,
                             Devices as Devices, Estimate as Estimate, GpuSpec as GpuSpec, Input as Input,
                             Phase as Phase, Plan as Plan, Record as Record, Report as Report,
                             Verification as Verification)

__version__: str

Source = Union[str, os.PathLike[str], dict[str, Any], list[Any]]
FlagValue = Union[str, int, float, bool, Sequence[int], None]

def planning_flags() -> dict[str, bool]: ...
def read_inputs(source: Source, *, buckets: Optional[Union[str, Sequence[int]]] = ...,
                ccd_path: Optional[Union[str, os.PathLike[str]]] = ..., fix_standalone_glycans: bool = ...,
                file: Optional[str] = ...) -> list[Input]: ...
def read_input(source: Source, *, buckets: Optional[Union[str, Sequence[int]]] = ...,
               ccd_path: Optional[Union[str, os.PathLike[str]]] = ..., fix_standalone_glycans: bool = ...,
               file: Optional[str] = ...) -> Input: ...
def estimate(source: Union[Input, Source], *, environment: Optional[Mapping[str, str]] = ...,
             gpu: Optional[str] = ..., gpu_device: Optional[int] = ..., max_gpu_memory_gb: Optional[float] = ...,
             host_ram_gb: Optional[float] = ..., margin_gb: Optional[float] = ..., calibration: Optional[str] = ...,
             buckets: Optional[Union[str, Sequence[int]]] = ..., flash_attention_implementation: Optional[str] = ...,
             num_diffusion_samples: Optional[int] = ..., num_recycles: Optional[int] = ...,
             num_seeds: Optional[int] = ..., save_embeddings: Optional[bool] = ...,
             save_distogram: Optional[bool] = ..., pair_transition_shard_spec: Optional[str] = ...,
             pair_attention_chunk_size: Optional[str] = ..., bfloat16: Optional[str] = ...,
             ccd_path: Optional[str] = ..., fix_standalone_glycans: Optional[bool] = ...,
             **flags: FlagValue) -> Report: ...
def devices(*, gpu_device: int = ..., gpu: Optional[str] = ..., flash_attention_implementation: str = ...,
            environment: Optional[Mapping[str, str]] = ...) -> Devices: ...
def gpu_table() -> list[GpuSpec]: ...
def verify(source: Optional[Union[Input, Source]] = ..., *, padded_tokens: Optional[int] = ...,
           af3_python: Optional[Union[str, Sequence[str]]] = ..., run_alphafold: Optional[str] = ...,
           backend: str = ..., target_config: Optional[str] = ..., model_dir: Optional[str] = ...,
           glu_implementation: Optional[str] = ..., cache_dir: Optional[str] = ..., top_buffers: int = ...,
           on_line: Optional[Callable[[str], None]] = ..., environment: Optional[Mapping[str, str]] = ...,
           **flags: FlagValue) -> Verification: ...
