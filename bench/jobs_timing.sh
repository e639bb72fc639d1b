#!/bin/bash
# Wall time of a 2-arm experiment with --jobs 1 and --jobs 2, in alternating rounds (the machine's load drifts):
#   bash bench/jobs_timing.sh OUT.csv [ROUNDS] [BACKEND]
# mnist-dcgan, 2 seeds (4 runs: 2 WGAN, 2 GAN), 150 iterations without the Diters warm-up, width 16.
set -euo pipefail
out=${1:?usage: bench/jobs_timing.sh OUT.csv [ROUNDS] [BACKEND]}
rounds=${2:-2}
backend=${3:-wasm}
tmp=$(mktemp -d)
echo "round,jobs,backend,experiment,runs,seconds" > "$out"
for round in $(seq 1 "$rounds"); do
  for jobs in 1 2; do
    start=$(date +%s.%N)
    deno task repro mnist-dcgan --backend "$backend" --seeds 0-1 --jobs "$jobs" --quiet --fresh \
      --set iterations=150 --set evalEvery=50 --set dItersSchedule=false --out "$tmp/j$jobs" >/dev/null 2>&1
    end=$(date +%s.%N)
    echo "$round,$jobs,$backend,mnist-dcgan,4,$(awk "BEGIN { printf \"%.1f\", $end - $start }")" >> "$out"
    tail -n 1 "$out"
  done
done
rm -rf "$tmp"
