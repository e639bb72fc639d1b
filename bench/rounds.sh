#!/bin/bash
# Native against PyTorch (1 and 2 threads) in alternating rounds, each keeping its best round per step:
#   bash bench/rounds.sh OUT_DIR [ROUNDS] [BEFORE_CHECKOUT]
# Each round times PyTorch with 1 thread, native, PyTorch with 2 threads and, given BEFORE_CHECKOUT (another
# checkout of this repository with `deno install` done there), native at that checkout, one after the other, so a
# drift in the shared machine's load reaches every setting alike. Writes OUT_DIR/round-K-<setting>.csv and the merged
# OUT_DIR/{pytorch,native,pytorch-2t,native-before}.csv (bench/best_of.ts). Environment: WGAN_BENCH_MODELS
# (default all), PYTHON (default /usr/bin/python3, which needs Debian's python3-torch).
set -euo pipefail
out=${1:?usage: bash bench/rounds.sh OUT_DIR [ROUNDS] [BEFORE_CHECKOUT]}
rounds=${2:-3}
before=${3:-}
models=${WGAN_BENCH_MODELS:-mlp-28,dcgan-32,dcgan-64}
python=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -n "$before" ] && [ ! -d "$before/node_modules" ]; then
  echo "bench/rounds.sh: $before has no node_modules (run deno install there first)" >&2
  exit 2
fi
torch() { # threads file
  (cd "$here" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" bench/reference/torch_bench.py \
    --threads "$1" --models "$models" --out "$2" >/dev/null)
}
native() { # checkout file
  (cd "$1" && deno task bench:csv --backend native --models "$models" --out "$2" >/dev/null 2>&1)
}
for k in $(seq 1 "$rounds"); do
  echo "round $k/$rounds: pytorch (1 thread)" >&2
  torch 1 "$out/round-$k-pytorch.csv"
  echo "round $k/$rounds: native" >&2
  native "$here" "$out/round-$k-native.csv"
  echo "round $k/$rounds: pytorch (2 threads)" >&2
  torch 2 "$out/round-$k-pytorch-2t.csv"
  if [ -n "$before" ]; then
    echo "round $k/$rounds: native at $before" >&2
    native "$before" "$out/round-$k-native-before.csv"
  fi
done
settings=(pytorch native pytorch-2t)
[ -n "$before" ] && settings+=(native-before)
for s in "${settings[@]}"; do
  (cd "$here" && deno run --allow-read --allow-write bench/best_of.ts "$out/$s.csv" "$out"/round-*-"$s".csv >/dev/null)
done
echo "$out: ${settings[*]} (best of $rounds rounds)" >&2
