"""foldfit_xla_targets.py - XLA GpuTargetConfigProto text for a GPU in foldfit's table, for deviceless compiles.

    python3 foldfit_xla_targets.py H100-80GB [--device_memory_bytes=N] [--table=data/xla/gpu_targets.tsv]
    python3 foldfit_xla_targets.py --list

The facts come from data/xla/gpu_targets.tsv (one row per GPU, each with its public
origin). Only fields that XLA's GPU compiler reads for code generation and scheduling
are written; XLA fills the rest with defaults. Standard library only.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TABLE = os.path.join(os.path.dirname(HERE), "data", "xla", "gpu_targets.tsv")

INT_FIELDS = ("core_count", "fpus_per_core", "threads_per_core_limit", "threads_per_block_limit",
              "threads_per_warp", "shared_memory_per_block", "shared_memory_per_block_optin",
              "shared_memory_per_core", "registers_per_core_limit", "registers_per_block_limit",
              "l2_cache_size", "memory_bandwidth", "device_memory_size", "cc_major", "cc_minor")
COLUMNS = ("name", "cc_major", "cc_minor", "feature_extension") + INT_FIELDS[:-2] + (
    "clock_rate_ghz", "device_name", "origin")
FEATURE_EXTENSIONS = ("NONE", "ACCELERATED_FEATURES", "FAMILY_COMPATIBLE_FEATURES")
# XLA's GPU compiler schedules and rematerialises against 80% of device_memory_size when
# the module carries no limit of its own (xla/service/gpu/gpu_hlo_schedule.cc).
XLA_BASE_LIMIT_FRACTION = 0.8


class TargetError(Exception):
    pass


def read_table(path=DEFAULT_TABLE):
    """{name: row} with ints converted; raises TargetError with path:line on a bad row."""
    rows, header = {}, None
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise TargetError(f"{path}: cannot read the GPU target table: {e.strerror}")
    with f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if header is None:
                header = cells
                missing = [c for c in COLUMNS if c not in header]
                if missing:
                    raise TargetError(f"{path}:{lineno}: header lacks {', '.join(missing)}")
                continue
            if len(cells) != len(header):
                raise TargetError(f"{path}:{lineno}: {len(cells)} cells, the header has {len(header)}")
            row = dict(zip(header, cells))
            for field in INT_FIELDS:
                try:
                    row[field] = int(row[field])
                except ValueError:
                    raise TargetError(f"{path}:{lineno}: {field}: {row[field]!r} is not an integer")
            try:
                row["clock_rate_ghz"] = float(row["clock_rate_ghz"])
            except ValueError:
                raise TargetError(f"{path}:{lineno}: clock_rate_ghz: {row['clock_rate_ghz']!r} is not a number")
            if row["feature_extension"] not in FEATURE_EXTENSIONS:
                raise TargetError(f"{path}:{lineno}: feature_extension: {row['feature_extension']!r} is not one of "
                                  f"{', '.join(FEATURE_EXTENSIONS)}")
            rows[row["name"]] = row
    return rows


def device_memory_size_for(pool_bytes):
    """The device_memory_size that makes XLA's base memory limit equal pool_bytes (what JAX's
    allocator holds: fraction x the device's memory)."""
    return int(round(pool_bytes / XLA_BASE_LIMIT_FRACTION))


def proto_text(row, device_memory_size=None):
    """GpuTargetConfigProto text for one table row."""
    memory = row["device_memory_size"] if device_memory_size is None else int(device_memory_size)
    cc = f"{row['cc_major']}.{row['cc_minor']}" + ("a" if row["feature_extension"] == "ACCELERATED_FEATURES" else "")
    lines = ["gpu_device_info {"]
    for field in ("threads_per_block_limit", "threads_per_warp", "shared_memory_per_block",
                  "shared_memory_per_core", "threads_per_core_limit", "core_count", "fpus_per_core"):
        lines.append(f"  {field}: {row[field]}")
    lines += ["  block_dim_limit_x: 2147483647", "  block_dim_limit_y: 65535", "  block_dim_limit_z: 65535",
              f"  memory_bandwidth: {row['memory_bandwidth']}",
              f"  l2_cache_size: {row['l2_cache_size']}",
              f"  clock_rate_ghz: {row['clock_rate_ghz']}",
              f"  device_memory_size: {memory}",
              f"  shared_memory_per_block_optin: {row['shared_memory_per_block_optin']}",
              "  cuda_compute_capability {",
              f"    major: {row['cc_major']}"]
    if row["cc_minor"]:
        lines.append(f"    minor: {row['cc_minor']}")
    lines += [f"    feature_extension: {row['feature_extension']}", "  }",
              f"  registers_per_core_limit: {row['registers_per_core_limit']}",
              f"  registers_per_block_limit: {row['registers_per_block_limit']}",
              "  thread_dim_limit_x: 1024", "  thread_dim_limit_y: 1024", "  thread_dim_limit_z: 64",
              '  device_vendor: "NVIDIA Corporation"',
              f'  platform_version: "Compute Capability {cc}"',
              f'  name: "{row["device_name"]}"',
              "}",
              'platform_name: "CUDA"',
              f'device_description_str: "{row["device_name"]}"']
    return "\n".join(lines) + "\n"


def target_config(name, device_memory_size=None, table=DEFAULT_TABLE):
    rows = read_table(table)
    if name not in rows:
        raise TargetError(f"unknown target {name!r}; {table} has {', '.join(sorted(rows))}")
    return proto_text(rows[name], device_memory_size)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("name", nargs="?")
    parser.add_argument("--device_memory_bytes", type=int, default=None,
                        help="the pool XLA should plan for (fraction x memory); sets device_memory_size to it / 0.8")
    parser.add_argument("--table", default=DEFAULT_TABLE)
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv[1:])
    try:
        if args.list:
            for name in read_table(args.table):
                print(name)
            return 0
        if not args.name:
            parser.error("a target name or --list is required")
        size = device_memory_size_for(args.device_memory_bytes) if args.device_memory_bytes else None
        sys.stdout.write(target_config(args.name, size, args.table))
    except TargetError as e:
        print(f"foldfit_xla_targets: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
