"""foldfit's JSON documents as Python objects.

Each object wraps one document the command line prints (docs/json-output.md): its members
are attributes (a member named like a Python keyword, e.g. a change's "from", is read as
`from_`), nested objects are objects in turn, and to_dict() gives back the document itself,
so `type(x).from_dict(x.to_dict()) == x` and `x.to_dict()` is what `foldfit ...
--format=json` prints. The attributes each class documents are in records.pyi.
"""
import copy
import json
import keyword

from foldfit import _core


class Record:
    """A foldfit JSON object; attributes are its members."""

    _nested = {}  # member -> Record subclass, for objects and lists of objects
    _shown = ()  # members repr() shows
    __slots__ = ("_data",)

    def __init__(self, data):
        if not isinstance(data, dict):
            raise TypeError(f"{type(self).__name__} wraps a dict, not {type(data).__name__}")
        object.__setattr__(self, "_data", data)

    @classmethod
    def from_dict(cls, data):
        """The object for a document as to_dict() (or the command line's JSON) gives it."""
        return cls(copy.deepcopy(data))

    def to_dict(self):
        """The document, as `foldfit ... --format=json` prints it (a copy)."""
        return copy.deepcopy(self._data)

    def __getattr__(self, name):
        key = name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name
        try:
            value = self._data[key]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no member {key!r}") from None
        kind = self._nested.get(key)
        if kind is None or value is None:
            return value
        if isinstance(value, list):
            return [kind(v) for v in value]
        return kind(value)

    def __getitem__(self, key):
        return self._data[key]

    def __contains__(self, key):
        return key in self._data

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other):
        return type(self) is type(other) and self._data == other._data

    def __hash__(self):
        return hash(json.dumps(self._data, sort_keys=True))

    def __dir__(self):
        members = [k + "_" if keyword.iskeyword(k) else k for k in self._data]
        return sorted(set(members) | set(super().__dir__()))

    def __repr__(self):
        shown = ", ".join(f"{k}={self._data[k]!r}" for k in self._shown if k in self._data)
        return f"{type(self).__name__}({shown})"


class ChainSize(Record):
    _shown = ("id", "type", "residues", "tokens", "heavy_atoms", "dropped")
    __slots__ = ()


class Input(Record):
    """An input read, validated and sized (`foldfit tokens --format=json`)."""

    _nested = {"per_chain": ChainSize}
    _shown = ("name", "tokens", "padded_tokens", "chains", "homomer", "file")
    __slots__ = ("_read",)

    def __init__(self, data, read=None):
        super().__init__(data)
        object.__setattr__(self, "_read", read)

    @property
    def dialect(self):
        """"alphafold3" or "alphafoldserver"; None for an Input made with from_dict."""
        return self._read.dialect if self._read is not None else None


class GpuSpec(Record):
    """A GPU of foldfit's table (data/gpus.tsv)."""

    _shown = ("name", "memory_bytes", "compute_capability", "architecture")
    __slots__ = ()


class DetectedGpu(Record):
    """A GPU NVML reports on this machine."""

    _shown = ("index", "name", "total_bytes", "free_bytes", "compute_capability")
    __slots__ = ()


class Devices(Record):
    """`foldfit devices --format=json`: detected GPUs, the table, the JAX/XLA environment."""

    _nested = {"table": GpuSpec}
    __slots__ = ()

    @property
    def gpus(self):
        """The detected GPUs (empty without a GPU or NVML)."""
        return [DetectedGpu(g) for g in self._data["detected"]["gpus"]]

    def __repr__(self):
        d = self._data["detected"]
        found = ", ".join(g["name"] for g in d["gpus"]) or f"none ({d['unavailable_reason']})"
        return f"Devices(gpus=[{found}], table={len(self._data['table'])} GPUs)"


class Phase(Record):
    _shown = ("name", "category", "bytes")
    __slots__ = ()


class Estimate(Record):
    """Peak device memory, phase by phase, with its band."""

    _nested = {"phases": Phase}
    _shown = ("total_bytes", "low_bytes", "high_bytes", "peak_phase", "calibrated")
    __slots__ = ()


class Change(Record):
    """One setting the plan changes: .setting, .from_, .to, .reason, ..."""

    _shown = ("setting", "from", "to", "reason")
    __slots__ = ()


class Plan(Record):
    """The plan: the settings to run with, the changes, the estimate with them, the runtime;
    .flags, .environment and .model_config say how to apply it."""

    _nested = {"changes": Change, "estimate": Estimate}
    _shown = ("padded_tokens", "total_bytes", "changes", "runtime_seconds")
    __slots__ = ()

    def _launch(self):
        return json.loads(_core.launch(json.dumps(self._data["settings"])))

    @property
    def flags(self):
        """run_alphafold.py flags that run this plan, e.g. ["--buckets=...", "--num_diffusion_samples=5", ...]."""
        return self._launch()["flags"]

    @property
    def environment(self):
        """Variables to set before JAX starts (only the plan's changes), e.g. {"XLA_CLIENT_MEM_FRACTION": "0.95"}."""
        return self._launch()["environment"]

    @property
    def model_config(self):
        """Model-config fields to set on the config's global_config (those that differ from
        AlphaFold 3's defaults), values as Python literals: {"pair_transition_shard_spec": "((2048, None), ...)"}."""
        return self._launch()["model_config"]

    def __repr__(self):
        d = self._data
        changes = ", ".join(f"{c['setting']}: {c['from']} -> {c['to']}" for c in d["changes"]) or "none"
        return f"Plan(padded_tokens={d['padded_tokens']}, total_bytes={d['total_bytes']}, changes=[{changes}])"


class Report(Record):
    """`foldfit estimate --format=json` for one input: .estimate with the settings as given,
    .verdict ("fits" | "fits_with_plan" | "cannot_fit") and .plan."""

    _nested = {"estimate": Estimate, "plan": Plan}
    __slots__ = ()

    @property
    def fits(self):
        """True when the input fits, as given or with the plan."""
        return self._data["verdict"] != "cannot_fit"

    def __repr__(self):
        d = self._data
        return (f"Report(name={d['name']!r}, gpu={d['gpu']['name']!r}, verdict={d['verdict']!r}, "
                f"padded_tokens={d['padded_tokens']}, total_bytes={d['plan']['total_bytes']})")


class Verification(Record):
    """`foldfit verify --format=json`: foldfit's estimate beside XLA's compiled figures."""

    _shown = ("name", "padded_tokens", "target")
    __slots__ = ()
