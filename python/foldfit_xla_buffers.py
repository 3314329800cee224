"""foldfit_xla_buffers.py - the largest buffers live at XLA's peak, read from XLA's dump files.

XLA writes, for each compiled module, with --xla_dump_to=DIR --xla_dump_hlo_as_text:
  *after_optimizations-buffer-assignment.txt   allocations and the values placed in each
                                               ("value: <ID NAME{INDEX}> (size=S,offset=O): SHAPE")
  *after_optimizations-buffer-assignment-values.txt
                                               each value's defining instruction, with its
                                               metadata (op_name = the JAX name stack, which
                                               holds haiku's module path when haiku's
                                               profiler name scopes are on)
  *after_optimizations-live-range.txt          each buffer's live range in the flattened
                                               schedule ("NAME{INDEX}:START-END")
The peak of the temporary allocation is the schedule step at which the temp values live
together are largest; the buffers live there are reported, largest first. Parameters and
outputs are live throughout and are reported by memory_analysis() instead.

Standard library only; every parser returns what it could read and never raises on an
unexpected line (the format is XLA's debug output, not an interface).
"""

import glob
import os
import re

_ALLOC = re.compile(r"^allocation (\d+): size (\d+), (.*):$")
_VALUE = re.compile(r"^ value: <(\d+) ([^ >{]+)(\{[^}]*\})?[^>]*> \(size=(\d+),offset=(\d+)\): (\S+)")
_RANGE = re.compile(r"^\s+(\S+?)(\{[^}]*\}):(\d+)-(\d+)$")
_USED = re.compile(r"^<(\d+) ")
_FROM = re.compile(r"^ from instruction: %?(\S+) = .*?metadata=\{(.*)\}")
_OP_NAME = re.compile(r'op_name="((?:[^"\\]|\\.)*)"')
_SHAPE = re.compile(r"^([a-z0-9]+)\[([0-9,]*)\]")


def _one(dump_dir, suffix, module_hint):
    files = sorted(glob.glob(os.path.join(dump_dir, f"*{suffix}")))
    # The model is the largest module compiled (jit of the haiku apply); small helper
    # jits (random keys, casts) may be dumped beside it.
    if module_hint:
        hinted = [f for f in files if module_hint in os.path.basename(f)]
        files = hinted or files
    return max(files, key=os.path.getsize) if files else None


def read_assignment(path):
    """Values of the preallocated temp allocation: {(name, index): (id, size, offset, shape)}."""
    values, in_temp = {}, False
    with open(path, errors="replace") as f:
        for line in f:
            m = _ALLOC.match(line)
            if m:
                in_temp = "preallocated-temp" in m.group(3)
                continue
            if in_temp:
                m = _VALUE.match(line)
                if m:
                    vid, name, index, size, offset, shape = m.groups()
                    values[(name, index or "{}")] = (int(vid), int(size), int(offset), shape)
    return values


def read_live_ranges(path):
    ranges = {}
    with open(path, errors="replace") as f:
        in_ranges = False
        for line in f:
            if line.strip() == "BufferLiveRange:":
                in_ranges = True
                continue
            if in_ranges:
                m = _RANGE.match(line)
                if m:
                    ranges[(m.group(1), m.group(2))] = (int(m.group(3)), int(m.group(4)))
                elif line.strip() and not line.startswith(" "):
                    in_ranges = False
    return ranges


def read_op_names(path, wanted_ids):
    names, current = {}, None
    with open(path, errors="replace") as f:
        for line in f:
            m = _USED.match(line)
            if m:
                current = int(m.group(1))
                continue
            if current in wanted_ids and line.startswith(" from instruction:"):
                m = _FROM.match(line)
                if m:
                    op = _OP_NAME.search(m.group(2))
                    names[current] = op.group(1).replace('\\"', '"') if op else m.group(1)
                current = None
    return names


def _dtype_and_dims(shape):
    m = _SHAPE.match(shape)
    if not m:
        return shape, None
    dims = [int(d) for d in m.group(2).split(",") if d]
    return m.group(1), dims


def largest_at_peak(dump_dir, top, module_hint="jit_apply"):
    """[{bytes, shape, dtype, name, instruction}] live at the temp peak, largest first, and the peak step."""
    assignment = _one(dump_dir, "after_optimizations-buffer-assignment.txt", module_hint)
    live = _one(dump_dir, "after_optimizations-live-range.txt", module_hint)
    values_file = _one(dump_dir, "after_optimizations-buffer-assignment-values.txt", module_hint)
    if not assignment or not live:
        return [], None
    temps = read_assignment(assignment)
    ranges = read_live_ranges(live)
    spans = []
    for key, (vid, size, offset, shape) in temps.items():
        r = ranges.get(key)
        if r is not None:
            spans.append((r[0], r[1], key))
    if not spans:
        return [], None
    # Values that share (offset, size) over overlapping ranges are one buffer (a while
    # loop's carried value and its body parameter): count each placement once. A sweep
    # over range starts and ends, in schedule order (ends after the step they end at).
    events = []
    for s, e, key in spans:
        events.append((s, 0, key))
        events.append((e + 1, -1, key))
    events.sort(key=lambda ev: (ev[0], ev[1]))
    count, total, best_step, best_bytes = {}, 0, None, -1
    i = 0
    while i < len(events):
        step = events[i][0]
        while i < len(events) and events[i][0] == step:
            _, kind, key = events[i]
            _, size, offset, _ = temps[key]
            place = (offset, size)
            if kind == -1:
                count[place] -= 1
                if count[place] == 0:
                    total -= size
            else:
                count[place] = count.get(place, 0) + 1
                if count[place] == 1:
                    total += size
            i += 1
        if total > best_bytes:
            best_step, best_bytes = step, total
    live_at_peak, seen = [], set()
    for s, e, key in spans:
        if s <= best_step <= e:
            vid, size, offset, shape = temps[key]
            if (offset, size) in seen:
                continue
            seen.add((offset, size))
            live_at_peak.append((size, vid, key, shape))
    live_at_peak.sort(reverse=True)
    chosen = live_at_peak[:top]
    names = read_op_names(values_file, {vid for _, vid, _, _ in chosen}) if values_file else {}
    out = []
    for size, vid, key, shape in chosen:
        dtype, dims = _dtype_and_dims(shape)
        out.append({"bytes": size, "shape": dims if dims is not None else shape, "dtype": dtype,
                    "name": names.get(vid, key[0]), "instruction": key[0] + (key[1] if key[1] != "{}" else "")})
    return out, {"step": best_step, "temp_live_bytes": best_bytes}
