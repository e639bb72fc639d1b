#!/usr/bin/env bash
# Tests the GPU kit as it will run on the GPU machine: builds it (bench/gpu_kit/build.sh, which also checks its
# size), copies it alone into an empty folder, and runs its whole check there with a bare environment (no Deno on
# the PATH, no node_modules, no repository, a fresh HOME) on the software adapter (lavapipe, from Debian's
# mesa-vulkan-drivers), small models. Checks the exit status and every file it writes. CI runs it.
#
#   bash bench/gpu_kit/test.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bash bench/gpu_kit/build.sh
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
cp -r .gpu-kit "$SCRATCH/kit"
mkdir "$SCRATCH/home" "$SCRATCH/out"
fail() { echo "gpu kit test FAILED: $*" >&2; exit 1; }
BARE=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$SCRATCH/home" LANG=C.UTF-8)
if "${BARE[@]}" bash -c 'command -v deno' >/dev/null; then fail "deno is on the bare PATH: the test would not show the kit brings its own"; fi

echo "== running the kit from $SCRATCH (no deno on PATH, no node_modules)"
set +e
(cd "$SCRATCH" && "${BARE[@]}" GPU_CHECK_ALLOW_SOFTWARE=1 GPU_CHECK_MODELS=mlp-28 GPU_CHECK_REPS=0.2 \
  bash kit/run.sh out)
status=$?
set -e
OUT="$SCRATCH/out"
[ $status -eq 0 ] || { tail -n 30 "$OUT/gpu_check.log" "$OUT/tests-webgpu.log" >&2 || true; fail "run.sh exit $status"; }
count=$(find "$OUT" -type f | wc -l)
[ "$count" -le 8 ] || fail "$count files in OUT_DIR, more than the 8 that come back"
for f in gpu_check.log adapter.json tests-webgpu.log webgpu.csv profile-webgpu.txt; do
  [ -s "$OUT/$f" ] || fail "$f missing or empty"
done
grep -q '"isFallbackAdapter": true' "$OUT/adapter.json" || fail "adapter.json does not name the software adapter"
grep -Eq 'ok \| [1-9][0-9]* passed \| 0 failed' "$OUT/tests-webgpu.log" || fail "the correctness subset did not pass"
grep -q '\[webgpu\]' "$OUT/tests-webgpu.log" || fail "the correctness subset did not run on webgpu"
commit=$(python3 -c 'import json; print(json.load(open(".gpu-kit/MANIFEST.json"))["commit"])')
rows=$(python3 - "$OUT/webgpu.csv" "$commit" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ok = [r for r in rows if r["backend"] == "webgpu" and r["model"] == "mlp-28" and float(r["median_ms"]) > 0
      and r["commit"] == sys.argv[2]]
print(len(ok) if len(ok) == len(rows) else -1)
PY
)
[ "$rows" -ge 8 ] || fail "webgpu.csv: expected 8+ mlp-28 webgpu rows naming commit $commit, got $rows"
grep -q 'dispatch' "$OUT/profile-webgpu.txt" || fail "profile-webgpu.txt has no dispatch report"
grep -q 'PyTorch with CUDA not available\|pytorch-cuda.csv' "$OUT/gpu_check.log" || fail "no word on PyTorch CUDA"
echo "gpu kit test passed: $count files, $rows webgpu rows, $(grep -Eo '[0-9]+ passed' "$OUT/tests-webgpu.log") on webgpu"
