#!/usr/bin/env bash
# The GPU check, run from the kit on a machine with no Deno, no node_modules and no registry:
#
#   bash .gpu-kit/run.sh OUT_DIR
#
# It unpacks Deno and the bundles into a scratch folder, brings up Vulkan for Deno's WebGPU (the carried loader
# packages when the machine has none; the NVIDIA ICD where the container keeps it), refuses a software adapter,
# runs the GPU correctness subset on webgpu (finite-difference GP/WGAN-div checks on MLP and conv critics, gradient
# fixes, transposed convolution, trainer determinism and no-leak tests), times every bench step on webgpu and on
# PyTorch CUDA (when the machine's PyTorch has CUDA), and profiles dispatches. Into OUT_DIR (6 files):
#   gpu_check.log  adapter.json  tests-webgpu.log  webgpu.csv  pytorch-cuda.csv  profile-webgpu.txt
#
# GPU_CHECK_MODELS=mlp-28,dcgan-32,dcgan-64 (default) limits the models, GPU_CHECK_REPS=1 scales the repetitions,
# GPU_CHECK_ALLOW_SOFTWARE=1 goes on with a software adapter (lavapipe: to test the kit on a CPU machine).
# Exit status: the correctness subset's (0 when it passed), 3 without a real adapter, 1 when the kit is broken.
set -uo pipefail
MODELS=${GPU_CHECK_MODELS:-mlp-28,dcgan-32,dcgan-64}
REPS=${GPU_CHECK_REPS:-1}
KIT=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: bash .gpu-kit/run.sh OUT_DIR}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
: > "$OUT/gpu_check.log"
log() { echo "== $*" | tee -a "$OUT/gpu_check.log"; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/wgan-gpu-kit.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# 0. Unpack: xz where the machine has it, else Python's lzma (the GPU machine has Python, perhaps no xz)
log "0. unpacking the kit ($(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["commit"], "·", m["deno"])' "$KIT/MANIFEST.json" 2>/dev/null || echo 'no MANIFEST.json'))"
if command -v xz >/dev/null; then
  xz -dc "$KIT/deno.xz" > "$WORK/deno" && xz -dc "$KIT/bundles.tar.xz" | tar -C "$WORK" -xf -
else
  python3 - "$KIT" "$WORK" <<'PY'
import lzma, shutil, sys, tarfile
kit, work = sys.argv[1], sys.argv[2]
with lzma.open(f"{kit}/deno.xz") as src, open(f"{work}/deno", "wb") as dst:
    shutil.copyfileobj(src, dst)
with tarfile.open(f"{kit}/bundles.tar.xz") as t:
    t.extractall(work)
PY
fi
[ -s "$WORK/deno" ] && [ -f "$WORK/kit.js" ] && [ -f "$WORK/tests.js" ] || { log "the kit could not be unpacked"; exit 1; }
chmod +x "$WORK/deno"
DENO="$WORK/deno"
"$DENO" --version | head -n 1 | tee -a "$OUT/gpu_check.log"
export WGAN_BENCH_COMMIT
WGAN_BENCH_COMMIT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["commit"])' "$KIT/MANIFEST.json" 2>/dev/null || echo unknown)
export DENO_DIR="$WORK/deno-dir" DENO_NO_UPDATE_CHECK=1 NO_COLOR=1
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$WORK}"

# Vulkan loader: unpack the carried packages when the machine has none (never over an installed one)
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  if ls "$KIT"/gl/*.deb >/dev/null 2>&1; then
    for f in "$KIT"/gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    log "Vulkan loader unpacked from the kit's gl/"
  else
    log "no libvulkan.so.1 and no gl/*.deb in the kit: WebGPU will find no adapter"
  fi
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
  /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
done
log "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
cd "$WORK"

# 1. A real adapter: the library's webgpu backend, its adapter name and limits
log "1. adapter"
"$DENO" run -A kit.js adapter > "$OUT/adapter.json" 2>>"$OUT/gpu_check.log"
status=$?
tee -a "$OUT/gpu_check.log" < "$OUT/adapter.json"
if [ $status -ne 0 ]; then log "no real WebGPU adapter (exit $status): stopping"; exit 3; fi

# 2. Correctness on the GPU
log "2. correctness subset on webgpu"
WGAN_TEST_BACKENDS=webgpu "$DENO" test -A tests.js > "$OUT/tests-webgpu.log" 2>&1
tests_status=$?
tail -n 3 "$OUT/tests-webgpu.log" | tee -a "$OUT/gpu_check.log"

# 3. Step times: webgpu (every op on the GPU), then PyTorch CUDA on the same card
log "3. bench: webgpu"
"$DENO" run -A kit.js bench --backend webgpu --models "$MODELS" --reps "$REPS" --out "$OUT/webgpu.csv" 2>&1 |
  tee -a "$OUT/gpu_check.log"
log "3. bench: PyTorch CUDA"
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  python3 "$KIT/torch_bench.py" --device cuda --models "$MODELS" --reps "$REPS" --out "$OUT/pytorch-cuda.csv" 2>&1 |
    tee -a "$OUT/gpu_check.log"
else
  log "PyTorch with CUDA not available: no reference rows"
fi

# 4. Where the time goes: kernels, dispatches per step, per-dispatch cost, read-back latency
log "4. profile"
for spec in "dcgan-64 wgan-gp critic" "dcgan-32 wgan critic" "mlp-28 wgan critic"; do
  set -- $spec
  case ",$MODELS," in *",$1,"*) ;; *) continue ;; esac
  "$DENO" run -A kit.js profile --backend webgpu --model "$1" --algorithm "$2" --step "$3" --reps 3 2>&1
done > "$OUT/profile-webgpu.txt"
cat "$OUT/profile-webgpu.txt" >> "$OUT/gpu_check.log"

log "done: tests exit $tests_status; files in $OUT"
exit $tests_status
