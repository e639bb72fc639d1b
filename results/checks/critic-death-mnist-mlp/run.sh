#!/usr/bin/env bash
# The runs of PROTOCOL.md (issue #24), resumable: rerun after an interruption and each harness folder and each
# finished port seed carries on. JOBS=2 runs two seeds at a time (one thread each either way, so the numbers do
# not depend on it). Run from the repository root: bash results/checks/critic-death-mnist-mlp/run.sh
set -euo pipefail
here=results/checks/critic-death-mnist-mlp
work=${WORK:-out/critic-death}
jobs=${JOBS:-1}
export WGAN_BENCH_THREADS=1
base=(--set critic.kind=mlp --set imageSize=32 --set resizeTo32=bilinear --set iterations=3000 --seeds 2-6)
all=(--set wgan.constrainBeforeUpdate=true --set wgan.epochBursts=true --set trainOnHeldOut=true
  --set quantize8bit=true)

# both sides, through the fidelity check (ours, then the port); copies the finished rows here
both() { # variant, extra flags…
  local v=$1; shift
  if [[ -f $here/port-$v-steps.csv.gz ]]; then return; fi
  deno task fidelity mnist-mlp "${base[@]}" "$@" --jobs "$jobs" --out "$work/$v"
  gzip -9n -c "$work/$v/ours/steps.csv" > "$here/ours-$v-steps.csv.gz.tmp" && mv "$here/ours-$v-steps.csv.gz.tmp" "$here/ours-$v-steps.csv.gz"
  cp "$work/$v/pytorch/quality.csv" "$here/port-$v-quality.csv"
  gzip -9n -c "$work/$v/pytorch/steps.csv" > "$here/port-$v-steps.csv.gz.tmp" && mv "$here/port-$v-steps.csv.gz.tmp" "$here/port-$v-steps.csv.gz"
}

# ours alone, the clipped arm only (shard 1/2 of mnist-mlp is its wgan arm)
ours() { # variant, flag
  local v=$1; shift
  if [[ -f $here/ours-$v-steps.csv.gz ]]; then return; fi
  deno task repro mnist-mlp "${base[@]}" "$@" --shard 1/2 --jobs "$jobs" --quiet --out "$work/$v"
  gzip -9n -c "$work/$v/steps.csv" > "$here/ours-$v-steps.csv.gz.tmp" && mv "$here/ours-$v-steps.csv.gz.tmp" "$here/ours-$v-steps.csv.gz"
}

both all "${all[@]}"
both none
ours constrainBeforeUpdate --set wgan.constrainBeforeUpdate=true
ours epochBursts --set wgan.epochBursts=true
ours trainOnHeldOut --set trainOnHeldOut=true
ours quantize8bit --set quantize8bit=true
deno task critic-death "$here"
