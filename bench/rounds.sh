#!/bin/bash
# Native against PyTorch in alternating rounds, each setting keeping its best round per step:
#   bash bench/rounds.sh OUT_DIR [ROUNDS] [BEFORE_CHECKOUT]
# Each round times every setting one after the other, so a drift in the shared machine's load reaches every setting
# alike. The settings (WGAN_BENCH_SETTINGS, default "pytorch native pytorch-2t"): pytorch (1 thread), native (its
# default threads: one per core), pytorch-2t (2 threads), native-1t (1 thread: the harness's --jobs setting) and, given
# BEFORE_CHECKOUT (another checkout of this repository with `deno install` done there), native at that checkout
# (native-before). Writes OUT_DIR/round-K-<setting>[.g<group>].csv and the merged OUT_DIR/<setting>.csv
# (bench/best_of.ts).
# Environment: WGAN_BENCH_MODELS (default mlp-28,dcgan-32,dcgan-64), WGAN_BENCH_BATCHES (default 64), or
# WGAN_BENCH_WORK: groups "MODELS:BATCHES" separated by spaces, each timed as its own cross product (the scaling
# table: bench/scale.sh); PYTHON (default /usr/bin/python3, which needs Debian's python3-torch).
set -euo pipefail
out=${1:?usage: bash bench/rounds.sh OUT_DIR [ROUNDS] [BEFORE_CHECKOUT]}
rounds=${2:-3}
before=${3:-}
work=${WGAN_BENCH_WORK:-${WGAN_BENCH_MODELS:-mlp-28,dcgan-32,dcgan-64}:${WGAN_BENCH_BATCHES:-64}}
read -r -a settings <<<"${WGAN_BENCH_SETTINGS:-pytorch native pytorch-2t}"
[ -n "$before" ] && settings+=(native-before)
python=${PYTHON:-/usr/bin/python3}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -n "$before" ] && [ ! -d "$before/node_modules" ]; then
  echo "bench/rounds.sh: $before has no node_modules (run deno install there first)" >&2
  exit 2
fi
for s in "${settings[@]}"; do
  case "$s" in
  pytorch | pytorch-2t | native | native-1t | native-before) ;;
  *)
    echo "bench/rounds.sh: unknown setting \"$s\" (choose pytorch, pytorch-2t, native, native-1t)" >&2
    exit 2
    ;;
  esac
done
torch() { # threads models batches file
  (cd "$here" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$python" bench/reference/torch_bench.py \
    --threads "$1" --models "$2" --batches "$3" --out "$4" >/dev/null)
}
native() { # checkout threads(or "") models batches file
  if [ -n "$2" ]; then
    # WGAN_BENCH_THREADS sets OpenBLAS's and oneDNN's threads (OPENBLAS_NUM_THREADS alone left oneDNN on every core)
    (cd "$1" && WGAN_BENCH_THREADS="$2" OPENBLAS_NUM_THREADS="$2" OMP_NUM_THREADS="$2" deno task bench:csv --backend native --models "$3" --batches "$4" \
      --out "$5" >/dev/null 2>&1)
  else
    (cd "$1" && deno task bench:csv --backend native --models "$3" --batches "$4" --out "$5" >/dev/null 2>&1)
  fi
}
read -r -a groups <<<"$work"
for k in $(seq 1 "$rounds"); do
  for s in "${settings[@]}"; do
    echo "round $k/$rounds: $s" >&2
    g=0
    for group in "${groups[@]}"; do
      g=$((g + 1))
      models=${group%%:*}
      batches=64
      [[ "$group" == *:* ]] && batches=${group#*:}
      file="$out/round-$k-$s.csv"
      [ "${#groups[@]}" -gt 1 ] && file="$out/round-$k-$s.g$g.csv"
      case "$s" in
      pytorch) torch 1 "$models" "$batches" "$file" ;;
      pytorch-2t) torch 2 "$models" "$batches" "$file" ;;
      native) native "$here" "" "$models" "$batches" "$file" ;;
      native-1t) native "$here" 1 "$models" "$batches" "$file" ;;
      native-before) native "$before" "" "$models" "$batches" "$file" ;;
      esac
    done
  done
done
shopt -s nullglob
for s in "${settings[@]}"; do
  files=("$out"/round-*-"$s".csv "$out"/round-*-"$s".g*.csv)
  (cd "$here" && deno run --allow-read --allow-write bench/best_of.ts "$out/$s.csv" "${files[@]}" >/dev/null)
done
echo "$out: ${settings[*]} (best of $rounds rounds)" >&2
