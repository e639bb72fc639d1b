#!/bin/bash
# How step time grows with the work (issue #27): ours against PyTorch, both at 1 thread (the harness's --jobs
# setting), in alternating rounds (bench/rounds.sh), each keeping its best round per step:
#   bash bench/scale.sh OUT_DIR [ROUNDS]        (deno task bench:scale OUT_DIR [ROUNDS]; default 3 rounds)
# The work: DCGAN width (filters) 16/32/64 at 32 pixels and batch 32/64/128; width 16/32/64 at 64 pixels, batch 64;
# the MLP at 28 pixels, batch 32/64/128. (28-pixel digits run through the DCGAN at 32: the harness resizes them, as the
# reference code does.) Writes OUT_DIR/pytorch.csv, OUT_DIR/native-1t.csv and OUT_DIR/table.md (deno task compare:
# our time over PyTorch's per row). About 5 minutes per round on a 2-core EPYC.
set -euo pipefail
out=${1:?usage: bash bench/scale.sh OUT_DIR [ROUNDS]}
rounds=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
WGAN_BENCH_WORK="mlp-28:32,64,128 dcgan-32-w16,dcgan-32-w32,dcgan-32:32,64,128 dcgan-64-w16,dcgan-64-w32,dcgan-64:64" \
  WGAN_BENCH_SETTINGS="pytorch native-1t" bash "$here/bench/rounds.sh" "$out" "$rounds"
out=$(cd "$out" && pwd)
(cd "$here" && deno run --allow-read bench/compare.ts "$out/pytorch.csv" "$out/native-1t.csv" --markdown) \
  >"$out/table.md"
echo "$out/table.md" >&2
