# foldfit estimate --html rendered by headless Chromium: the page is not blank, and the plan's
# curve, this input's marker and the legend are drawn where the SVG's data-probe-* say, in
# their colours. Skips (77) without chromium, unless FOLDFIT_REQUIRE_CHROMIUM=1.
source "$(dirname "$0")/lib.bash"
unset XLA_PYTHON_CLIENT_PREALLOCATE XLA_CLIENT_MEM_FRACTION XLA_PYTHON_CLIENT_MEM_FRACTION TF_FORCE_UNIFIED_MEMORY XLA_FLAGS
if ! command -v chromium >/dev/null 2>&1; then
  if [ "${FOLDFIT_REQUIRE_CHROMIUM:-0}" = 1 ]; then echo "FAIL: chromium not found and FOLDFIT_REQUIRE_CHROMIUM=1" >&2; exit 1; fi
  echo "skip: chromium not found (Debian package chromium; scripts/setup.sh installs it)"
  exit 77
fi

# Renders $1 (an HTML file) to $2 (PNG), 1200x1600 CSS pixels at scale 1. Chromium runs in its
# own process group, under a time limit; the group is killed afterwards, and so is any of its
# processes that left the group (found by the private profile folder on its command line).
# Zombies (dead, waiting to be reaped by init) are not processes left running.
render() {
  local profile
  profile=$(mktemp -d "$tmp/profile.XXXXXX")
  setsid timeout -k 5 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-breakpad --disable-crash-reporter --no-first-run --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$profile" --window-size=1200,1600 --screenshot="$2" "file://$1" >"$tmp/chromium.log" 2>&1 &
  local pid=$!
  wait "$pid"
  local rc=$?
  kill -TERM -- "-$pid" 2>/dev/null
  for p in $(pgrep -f -- "--user-data-dir=$profile"); do kill -TERM "$p" 2>/dev/null; done
  sleep 0.5
  kill -KILL -- "-$pid" 2>/dev/null
  for p in $(pgrep -f -- "--user-data-dir=$profile"); do kill -KILL "$p" 2>/dev/null; done
  sleep 0.2
  local left
  left=$( (ps -o pid=,stat= -g "$pid"; for p in $(pgrep -f -- "--user-data-dir=$profile"); do ps -o pid=,stat= -p "$p"; done) \
    | awk '$2 !~ /^Z/' | sort -u)
  [ -z "$left" ] || fail "chromium processes left behind: $left"
  [ "$rc" -eq 0 ] || fail "chromium exit $rc: $(tail -c 600 "$tmp/chromium.log")"
  [ -s "$2" ] || fail "no screenshot $2"
}

# Checks the screenshot $2 of page $1 (python3 only: the PNG decoded with zlib).
check() {
  python3 - "$1" "$2" <<'PY' || fail "rendering of $1"
import re, struct, sys, zlib

html = open(sys.argv[1], encoding="utf-8").read()
data = open(sys.argv[2], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width = 8, b"", None
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
bpp = 4 if colour == 6 else 3
raw = zlib.decompress(idat)
stride = width * bpp
rows, prev, i = [], bytearray(stride), 0
for _ in range(height):
    f = raw[i]
    line = bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
assert (width, height) == (1200, 1600), (width, height)

def pixel(x, y):
    return tuple(rows[y][x * bpp:x * bpp + 3])

# Not blank: many pixels drawn, in many colours.
sample = [pixel(x, y) for y in range(0, 600, 3) for x in range(0, 960, 3)]
inked = sum(1 for p in sample if p != (255, 255, 255))
assert inked > len(sample) // 50, f"nearly blank: {inked} of {len(sample)} sampled pixels drawn"
assert len(set(sample)) > 20, f"only {len(set(sample))} colours"

def element(ident):
    m = re.search(r'<[a-z]+ id="%s"[^>]*>' % re.escape(ident), html)
    assert m, f"no element {ident}"
    tag = m.group(0)
    get = lambda a: re.search(r' %s="([^"]*)"' % a, tag)
    px, py, colour = get("data-probe-x"), get("data-probe-y"), get("fill") if ident != "curve-plan" else get("stroke")
    assert px and py and colour, f"{ident}: no probe or colour"
    return int(float(px.group(1))), int(float(py.group(1))), colour.group(1)

def rgb(hexcolour):
    return tuple(int(hexcolour[k:k + 2], 16) for k in (1, 3, 5))

for ident in ["curve-plan", "marker", "legend-curve-plan", "legend-marker", "legend-gpu-memory"]:
    x, y, colour = element(ident)
    want = rgb(colour)
    got = pixel(x, y)
    assert all(abs(g - w) <= 24 for g, w in zip(got, want)), f"{ident} at ({x},{y}): {got}, expected {want} ({colour})"
# The marker and the curve differ in colour (they are told apart).
assert element("marker")[2] != element("curve-plan")[2]
print("rendered:", width, "x", height)
PY
}

page=$tmp/big.html
python3 - "$tmp/big.json" <<'PY'
import json, sys
json.dump({"dialect": "alphafold3", "version": 1, "name": "big", "modelSeeds": [1],
           "sequences": [{"protein": {"id": ["A", "B", "C", "D"], "sequence": "MKVLA" * 180}}]}, open(sys.argv[1], "w"))
PY
# Fits with a plan on a 40 GB card (exit 10): every section of the page.
expect_rc 10 "$FOLDFIT" estimate --json_path="$tmp/big.json" --gpu=A100-40GB --html="$page"
render "$page" "$tmp/big.png"
check "$page" "$tmp/big.png"
# A small input on an H100 with XLA's compiles on the same axes.
expect_rc 0 "$FOLDFIT" estimate --json_path="$SRC/examples/2pv7.json" --gpu=H100-80GB --html="$tmp/small.html"
expect_in "$tmp/small.html" 'class="xla-point"'
render "$tmp/small.html" "$tmp/small.png"
check "$tmp/small.html" "$tmp/small.png"
finish
