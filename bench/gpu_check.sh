#!/usr/bin/env bash
# One command for a machine with an NVIDIA GPU (e.g. the `device` tool's H100): brings up Vulkan for Deno's WebGPU,
# checks that a real (non-software) adapter starts, runs the GPU correctness subset, times every bench step on
# webgpu and PyTorch CUDA on the same card, and profiles dispatches. Everything lands in OUT_DIR (≤ 8 files).
#
#   bash bench/gpu_check.sh OUT_DIR
#
# What it needs next to the repository (carried by the device tool: carry .gl, node_modules and .ci/.deno):
#   .gl/*.deb     the Vulkan loader and GL libraries as Debian packages (the device README's apt-get download line)
#   node_modules  from `deno install` here;  .ci/.deno  from `npm install --prefix .ci/.deno deno@2.9.6`
# and PyTorch with CUDA on the machine (for the reference rows; skipped with a note when absent).
# GPU_CHECK_MODELS=mlp-28,dcgan-32 limits the models; GPU_CHECK_ALLOW_SOFTWARE=1 goes on with a software adapter
# (lavapipe: to test this script on a CPU machine).
MODELS=${GPU_CHECK_MODELS:-mlp-28,dcgan-32,dcgan-64}
set -uo pipefail
OUT=${1:?usage: bash bench/gpu_check.sh OUT_DIR}
mkdir -p "$OUT"
cd "$(dirname "$0")/.."
log() { echo "== $*" | tee -a "$OUT/gpu_check.log"; }

# Vulkan loader: unpack the carried .debs when the machine has none (never over an installed one)
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  if ls .gl/*.deb >/dev/null 2>&1; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    log "Vulkan loader unpacked from .gl/"
  else
    log "no libvulkan.so.1 and no .gl/*.deb: WebGPU will find no adapter"
  fi
fi
# The NVIDIA ICD where the container keeps it
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
done
log "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
export PATH="$PWD/.ci/.deno/node_modules/.bin:$PWD/node_modules/.bin:$PATH"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
command -v deno >/dev/null || { log "no deno on PATH (carry .ci/.deno)"; exit 1; }
deno --version | head -1 | tee -a "$OUT/gpu_check.log"

# 1. A real adapter: the library's webgpu backend, its adapter name and limits
log "1. adapter"
deno eval --config deno.json '
  import { selectBackend } from "wgan-bench";
  const b = await selectBackend("webgpu");
  console.log(JSON.stringify({ device: b.device, adapter: b.adapter }, null, 2));
  if (b.isFallbackAdapter && Deno.env.get("GPU_CHECK_ALLOW_SOFTWARE") !== "1") {
    console.error("software adapter: not a GPU"); Deno.exit(3);
  }
' > "$OUT/adapter.json" 2>>"$OUT/gpu_check.log"
status=$?
cat "$OUT/adapter.json" | tee -a "$OUT/gpu_check.log"
if [ $status -ne 0 ]; then log "no real WebGPU adapter (exit $status): stopping"; exit $status; fi

# 2. Correctness on the GPU: finite-difference GP/WGAN-div checks (MLP and conv critics), gradient fixes,
#    transposed convolution, trainer determinism and no-leak tests
log "2. correctness subset on webgpu"
WGAN_TEST_BACKENDS=webgpu deno test --allow-all tests/lipschitz/ tests/backend/gradient_fixes_test.ts \
  tests/ops/ tests/train/trainer_test.ts > "$OUT/tests-webgpu.log" 2>&1
tests_status=$?
tail -3 "$OUT/tests-webgpu.log" | tee -a "$OUT/gpu_check.log"

# 3. Step times: webgpu (every op on the GPU), then PyTorch CUDA on the same card
log "3. bench: webgpu"
deno task bench:csv --backend webgpu --models "$MODELS" --out "$OUT/webgpu.csv" 2>&1 | tee -a "$OUT/gpu_check.log"
log "3. bench: PyTorch CUDA"
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  python3 bench/reference/torch_bench.py --device cuda --models "$MODELS" --out "$OUT/pytorch-cuda.csv" 2>&1 | tee -a "$OUT/gpu_check.log"
else
  log "PyTorch with CUDA not available: no reference rows"
fi

# 4. Where the time goes: kernels, dispatches per step, per-dispatch cost, read-back latency
log "4. profile"
for spec in "dcgan-64 wgan-gp critic" "dcgan-32 wgan critic" "mlp-28 wgan critic"; do
  set -- $spec
  case ",$MODELS," in *",$1,"*) ;; *) continue ;; esac
  deno task bench:profile --backend webgpu --model "$1" --algorithm "$2" --step "$3" --reps 3 2>&1 | grep -v '^Task'
done > "$OUT/profile-webgpu.txt"
cat "$OUT/profile-webgpu.txt" >> "$OUT/gpu_check.log"

log "done: tests exit $tests_status; files in $OUT"
exit $tests_status
