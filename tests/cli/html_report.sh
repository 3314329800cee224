# foldfit estimate --html and plan --html: the page's figures are the JSON report's, the file
# is written atomically and an existing one is refused without --force (nothing written).
source "$(dirname "$0")/lib.bash"
unset XLA_PYTHON_CLIENT_PREALLOCATE XLA_CLIENT_MEM_FRACTION XLA_PYTHON_CLIENT_MEM_FRACTION TF_FORCE_UNIFIED_MEMORY XLA_FLAGS
mkdir -p "$tmp/in" "$tmp/pages"
python3 - "$tmp/in" <<'PY'
import json, sys
for name, n in [("small", 60), ("mid", 700), ("huge", 9000)]:
    json.dump({"dialect": "alphafold3", "version": 1, "name": name, "modelSeeds": [1],
               "sequences": [{"protein": {"id": "A", "sequence": "MKVLA" * (n // 5)}}]},
              open(f"{sys.argv[1]}/{name}.json", "w"))
PY

# estimate: the marker and the summary carry the JSON report's figures.
page=$tmp/pages/mid.html
expect_rc 0 "$FOLDFIT" estimate --json_path="$tmp/in/mid.json" --gpu=A100-40GB --html="$page"
expect_in "$tmp/out" "Memory Analysis for mid:"
expect_rc 0 "$FOLDFIT" estimate --json_path="$tmp/in/mid.json" --gpu=A100-40GB --format=json
python3 - "$page" "$tmp/out" <<'PY' || fail "estimate page against the JSON report"
import json, re, sys
html, j = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
def attrs(ident):
    tag = re.search(r'<[a-z]+ id="%s"[^>]*>' % ident, html).group(0)
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))
m = attrs("marker")
assert int(m["data-peak-bytes"]) == j["plan"]["total_bytes"], m
assert int(m["data-budget-bytes"]) == j["gpu"]["budget_bytes"], m
assert int(m["data-padded-tokens"]) == j["padded_tokens"], m
assert attrs("summary")["data-verdict"] == j["verdict"]
assert attrs("phase-chart")["data-peak-phase"] == j["plan"]["estimate"]["peak_phase"]
assert j["foldfit_version"] in html and j["plan"]["estimate"]["profile"] in html
assert "GB = 10<sup>9</sup> bytes" in html and "<script" not in html
PY
ls -A "$tmp/pages" > "$tmp/listing"
[ "$(cat "$tmp/listing")" = "mid.html" ] || fail "temporary files left: $(cat "$tmp/listing")"

# An existing page: refused without --force (exit 2, nothing printed or written); replaced with it.
echo "old" > "$page"
expect_rc 2 "$FOLDFIT" estimate --json_path="$tmp/in/small.json" --gpu=A100-40GB --html="$page"
expect_in "$tmp/err" "$page"
expect_in "$tmp/err" "--force"
expect_empty "$tmp/out"
[ "$(cat "$page")" = old ] || fail "--html overwrote an existing file without --force"
expect_rc 0 "$FOLDFIT" estimate --json_path="$tmp/in/small.json" --gpu=A100-40GB --html="$page" --force
expect_in "$page" 'data-tokens="60"'
[ "$(ls -A "$tmp/pages")" = "mid.html" ] || fail "temporary files left after --force"
# One input per page.
expect_rc 2 "$FOLDFIT" estimate --input_dir="$tmp/in" --gpu=A100-40GB --html="$tmp/pages/all.html"
expect_in "$tmp/err" "--html shows one input"
[ ! -e "$tmp/pages/all.html" ] || fail "a page for --input_dir"

# plan --html: the campaign page carries the summary's figures.
cat > "$tmp/cluster.json" <<'JSON'
{
  "gres_template": "gpu:{type}:1",
  "cpu_partition": {"name": "cpu", "cpus": 16, "mem_mb": 64000, "time_limit": "1-00:00:00"},
  "gpu_classes": [
    {"partition": "gpu", "gres_type": "a100", "gpu": "A100-40GB", "gpus_per_node": 2, "mem_mb": 256000, "cpus": 32},
    {"partition": "gpu", "gres_type": "h100", "gpus_per_node": 2, "mem_mb": 512000, "cpus": 32}
  ]
}
JSON
expect_rc 11 "$FOLDFIT" plan --input_dir="$tmp/in" --cluster_file="$tmp/cluster.json" --plan_dir="$tmp/plan" \
  --output_dir="$tmp/out_af3" --format=json --html="$tmp/pages/campaign.html"
python3 - "$tmp/pages/campaign.html" "$tmp/out" <<'PY' || fail "campaign page against the summary"
import json, re, sys
html, s = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
summary = re.search(r'<p id="summary"[^>]*>', html).group(0)
a = dict(re.findall(r'([a-z-]+)="([^"]*)"', summary))
assert (int(a["data-inputs"]), int(a["data-placed"]), int(a["data-fit-nowhere"])) == (3, 2, 1), a
assert abs(float(a["data-gpu-hours"]) - s["gpu_hours"]) < 1e-6
for k in s["classes"]:
    assert f'data-class="{k["class"]}" data-inputs="{k["inputs"]}"' in html, k
assert re.search(r'<tr data-input="huge" data-peak-bytes="%d">' % s["unplaced"][0]["expected_peak"], html)
bins = {int(n): int(c) for n, c in re.findall(r'class="bin"[^>]* data-padded-tokens="(\d+)" data-count="(\d+)"', html)}
assert sum(bins.values()) == s["placed"], bins
PY
# An existing page: the plan is refused before its folder is written.
expect_rc 2 "$FOLDFIT" plan --input_dir="$tmp/in" --cluster_file="$tmp/cluster.json" --plan_dir="$tmp/plan2" \
  --output_dir="$tmp/out_af3" --html="$tmp/pages/campaign.html"
expect_in "$tmp/err" "--force"
[ ! -e "$tmp/plan2" ] || fail "plan folder written although the page was refused"
finish
