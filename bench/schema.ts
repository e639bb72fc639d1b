/**
 * The bench CSV schema, shared by the tfjs exporter and the PyTorch reference
 * (`bench/reference/torch_bench.py` writes the same columns).
 *
 * @module
 */

/** Columns of a bench CSV, in order. */
export const BENCH_COLUMNS = [
  "suite",
  "model",
  "algorithm",
  "step",
  "batch",
  "backend",
  "device",
  "median_ms",
  "p25_ms",
  "p75_ms",
  "min_ms",
  "reps",
  "steps_per_s",
  "images_per_s",
  "est_gflop",
  "gflop_per_s",
  "cpu",
  "cores",
  "memory_gb",
  "gpu",
  "hardware_id",
  "runtime",
  "library",
  "commit",
] as const;

/** Identifies a bench CSV. */
export const BENCH_SUITE = "wgan-bench-step-v1";

/** The columns that say which work a row measured (rows match across files on these). */
export const BENCH_KEY = ["model", "algorithm", "step", "batch"] as const;
