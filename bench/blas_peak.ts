/**
 * `deno task bench:peak`: the machine's single-precision matrix-product
 * ceiling as the native backend sees it — OpenBLAS `cblas_sgemm` through
 * `Deno.dlopen`, on the shapes of the benchmarked steps and on a large square
 * product, with 1 thread and with every thread. The bench CSV's `gflop_per_s`
 * column is to be read against these numbers.
 *
 * Flags: --reps N (products per timing, default 50).
 */
import { parseArgs } from "node:util";
import { loadBlas } from "../lib/backend/mod.ts";
import { runMain, UsageError } from "../repro/errors.ts";

const SHAPES: [string, number, number, number][] = [
  ["MLP layer 64×784 · 784×512", 64, 512, 784],
  ["MLP layer 64×512 · 512×512", 64, 512, 512],
  ["DCGAN-32 conv2 as im2col 4096×1024 · 1024×128", 4096, 128, 1024],
  ["square 1024³", 1024, 1024, 1024],
];

function main(): Promise<void> {
  const { values } = parseArgs({ args: Deno.args, options: { reps: { type: "string", default: "50" } }, strict: true });
  const reps = Number(values.reps);
  if (!(Number.isInteger(reps) && reps > 0)) {
    throw new UsageError(`--reps must be a positive integer, got ${values.reps}`);
  }
  const loaded = loadBlas();
  if (!loaded.ok) throw new UsageError(`Cannot measure the sgemm ceiling: ${loaded.why}`);
  const blas = loaded.blas;
  const all = navigator.hardwareConcurrency;
  console.log(`${blas.config} (${blas.path}), ${all} hardware threads`);
  for (const threads of [...new Set([1, all])]) {
    blas.setThreads(threads);
    for (const [label, m, n, k] of SHAPES) {
      const a = new Float32Array(m * k).fill(0.5), b = new Float32Array(k * n).fill(0.25), c = new Float32Array(m * n);
      for (let i = 0; i < 3; i++) blas.sgemm(false, false, m, n, k, a, b, c);
      const times: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        blas.sgemm(false, false, m, n, k, a, b, c);
        times.push(performance.now() - t0);
      }
      times.sort((x, y) => x - y);
      const median = times[Math.floor(times.length / 2)];
      console.log(
        `${threads} thread(s)  ${label.padEnd(48)} ${median.toFixed(3).padStart(8)} ms  ${
          (2 * m * n * k / median / 1e6).toFixed(0).padStart(5)
        } GFLOP/s`,
      );
    }
  }
  return Promise.resolve();
}

if (import.meta.main) await runMain(main);
