# Stubs of foldfit.records: the members of each document (docs/json-output.md) as attributes.
from typing import Any, Optional, TypeVar

_R = TypeVar("_R", bound="Record")

class Record:
    def __init__(self, data: dict[str, Any]) -> None: ...
    @classmethod
    def from_dict(cls: type[_R], data: dict[str, Any]) -> _R: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __getitem__(self, key: str) -> Any: ...
    def __contains__(self, key: str) -> bool: ...

class ChainSize(Record):
    id: str
    type: str  # protein | rna | dna | ligand
    entity: int
    residues: int
    tokens: int
    heavy_atoms: int
    dropped: bool
    msa_given: bool
    unpaired_msa_rows: int
    paired_msa_rows: int
    templates: Optional[int]

class Input(Record):
    schema: str
    foldfit_version: str
    name: str
    file: str
    job_index: int  # AlphaFold Server jobs only
    tokens: int
    padded_tokens: int
    above_largest_bucket: bool
    atoms: int
    heavy_atoms: int
    chains: int
    entities: int
    homomer: bool
    msa_rows: int
    templates: int
    seeds: int
    buckets: list[int]
    per_chain: list[ChainSize]
    warnings: list[str]
    @property
    def dialect(self) -> Optional[str]: ...

class GpuSpec(Record):
    name: str
    nvml_names: list[str]
    memory_bytes: int
    memory_origin: str
    compute_capability: str
    architecture: str
    bf16_tflops: float
    bandwidth_gbs: float
    origin: str

class DetectedGpu(Record):
    index: int
    name: str
    uuid: str
    total_bytes: int
    free_bytes: int
    used_bytes: int
    compute_capability: str

class Devices(Record):
    foldfit_version: str
    detected: dict[str, Any]
    table: list[GpuSpec]
    environment: dict[str, Any]
    @property
    def gpus(self) -> list[DetectedGpu]: ...

class Phase(Record):
    name: str
    category: str
    bytes: int

class Estimate(Record):
    total_bytes: int
    low_bytes: int
    high_bytes: int
    pool_bytes: int
    overhead_bytes: int
    persistent_bytes: int
    peak_phase: str
    phases: list[Phase]
    categories: dict[str, int]
    calibrated: bool
    relative_uncertainty: float
    profile: str
    calibration: str

class Change(Record):
    setting: str
    from_: Any
    to: Any
    reason: str
    saves_bytes: int
    budget_gain_bytes: int
    quality: str
    speed: str

class Plan(Record):
    changes: list[Change]
    padded_tokens: int
    settings: dict[str, dict[str, Any]]  # {name: {"value": ..., "origin": ...}}
    host_ram_needed_bytes: int
    total_bytes: int
    estimate: Estimate
    runtime_seconds: float
    runtime_low_seconds: float
    runtime_high_seconds: float
    runtime_origin: str
    blocked_by: list[str]  # cannot_fit only
    smallest_fitting_gpu: str
    unified_memory_option: str
    split_advice: str
    @property
    def flags(self) -> list[str]: ...
    @property
    def environment(self) -> dict[str, str]: ...
    @property
    def model_config(self) -> dict[str, str]: ...

class Report(Record):
    schema: str
    foldfit_version: str
    name: str
    tokens: int
    padded_tokens: int
    padded_tokens_as_given: int
    chains: int
    homomer: bool
    seeds: int
    gpu: dict[str, Any]
    margin_bytes: int
    estimate: Estimate
    verdict: str  # fits | fits_with_plan | cannot_fit
    plan: Plan
    environment_findings: list[dict[str, str]]
    trade_offs: list[dict[str, Any]]
    minimum_gpu: str
    recommended_gpu: str
    @property
    def fits(self) -> bool: ...

class Verification(Record):
    schema: str
    foldfit_version: str
    name: str
    padded_tokens: int
    target: str
    settings: dict[str, dict[str, Any]]
    foldfit: dict[str, Any]
    xla: dict[str, Any]
    pool_difference: float
