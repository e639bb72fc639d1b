/**
 * `deno task bench:csv`: times the same steps as `deno bench` and writes
 * `results/bench/<hardware-id>-<backend>.csv` (median and spread of ms/step,
 * steps/s, images/s, estimated FLOPs and achieved GFLOP/s, hardware
 * fingerprint, versions, commit).
 *
 * Flags: --backend NAME (default auto), --models mlp-28,dcgan-32,dcgan-64 (or DCGAN widths such as dcgan-32-w16:
 * the scaling table's), --batches 64 (a comma list: 32,64,128), --reps N (scales the default repetitions),
 * --out FILE.
 */
import { parseArgs } from "node:util";
import { type AlgorithmName, type BackendName, selectBackend } from "../mod.ts";
import { describeEnvironment } from "../repro/folder/environment.ts";
import { type Row, toCsv, writeAtomic } from "../repro/folder/files.ts";
import { runMain } from "../repro/errors.ts";
import {
  BENCH_ALGORITHMS,
  BENCH_MODELS,
  type BenchModel,
  defaultReps,
  modelShape,
  stepFixture,
  stepFlops,
} from "./fixtures.ts";
import { BENCH_COLUMNS, BENCH_SUITE } from "./schema.ts";

/**
 * Untimed runs before a row's timing: until 0.3 s have passed (at least one run, at most 20). One run left the first
 * row a process times inflated (the MLP generator at batch 32: a median of 7.8 ms against a minimum of 4.4 and 5.1 ms
 * for the next row, in every round); `bench/reference/torch_bench.py` warms up by the same rule.
 */
export async function warmUp(run: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < 20 && (i === 0 || performance.now() - t0 < 300); i++) await run();
}

/**
 * The timed runs of a row: at least `reps`, and more until `minMs` of them have been timed (at most 10 × `reps`). A
 * row of 30 runs of 5 ms spans 0.15 s, about one stretch of V8's garbage collector marking (runs ~1.8× slower while
 * it lasts): the MLP critic at batch 32 measured medians of 7.9–8.1 ms in three rounds against minima of 4.5–4.9
 * for that reason alone (~3.9 ms over 600 runs); a second of runs gives such stretches their share. `bench/reference/torch_bench.py` times by the same rule.
 */
export async function timeRuns(run: () => Promise<void>, reps: number, minMs: number): Promise<number[]> {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < 10 * reps && (i < reps || total < minMs); i++) {
    const t0 = performance.now();
    await run();
    const dt = performance.now() - t0;
    times.push(dt);
    total += dt;
  }
  return times;
}

/** The `q` quantile of sorted values, linearly interpolated. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The command: `args` are its flags (`Deno.args` when run as a task; the GPU kit passes its own). */
export async function benchCsv(args: string[] = Deno.args): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      backend: { type: "string" },
      models: { type: "string" },
      batches: { type: "string" },
      reps: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  const models = values.models?.split(",") ?? [...BENCH_MODELS];
  for (const m of models) modelShape(m); // an unknown name: one line
  const batches = (values.batches ?? "64").split(",").map(Number);
  for (const [i, b] of batches.entries()) {
    if (!(Number.isInteger(b) && b > 0)) {
      throw new Error(`Cannot use --batches ${values.batches}: "${values.batches!.split(",")[i]}" is not a batch size`);
    }
  }
  const scale = Number(values.reps ?? 1);
  if (!(scale > 0)) throw new Error(`Cannot use --reps ${values.reps}: expected a positive number`);
  const backend = await selectBackend((values.backend ?? "auto") as BackendName);
  const env = await describeEnvironment(backend);
  const out = values.out ?? `results/bench/${env.hardware_id}-${backend.name}.csv`;
  console.error(`bench: ${backend.name} [${backend.device}] on ${env.cpu} (${env.cores} cores) → ${out}`);
  for (const line of backend.skipped) console.error(`  (auto skipped ${line})`);
  const rows: Row[] = [];
  for (const model of models) {
    for (const batch of batches) {
      const reps = Math.max(3, Math.round(scale * defaultReps(model, batch)));
      // The penalised critic steps go last: a wasm heap exhaustion (dcgan-64 WGAN-div) aborts the module,
      // and every later step in this process would be lost with it.
      const order = [
        ...BENCH_ALGORITHMS.map((alg) => ["generator", alg] as const),
        ...["wgan", "gan", "wgan-gp", "wgan-div"].map((alg) => ["critic", alg as AlgorithmName] as const),
      ];
      for (const [kind, alg] of order) {
        {
          const times: number[] = [];
          try {
            const fixture = stepFixture(model, alg, kind, batch);
            await warmUp(fixture.run);
            times.push(...await timeRuns(fixture.run, reps, 1000 * scale));
            fixture.dispose();
          } catch (e) {
            // e.g. wasm's 4 GB heap: report the row as missing rather than lose the others
            console.error(
              `  ${model} b${batch} ${alg} ${kind}: skipped (${String((e as Error).message).split("\n")[0]})`,
            );
            continue;
          }
          times.sort((a, b) => a - b);
          const median = quantile(times, 0.5);
          const flops = stepFlops(model, alg, kind, batch);
          rows.push({
            suite: BENCH_SUITE,
            model,
            algorithm: alg,
            step: kind,
            batch,
            backend: backend.name,
            device: backend.device,
            median_ms: Number(median.toFixed(3)),
            p25_ms: Number(quantile(times, 0.25).toFixed(3)),
            p75_ms: Number(quantile(times, 0.75).toFixed(3)),
            min_ms: Number(times[0].toFixed(3)),
            reps: times.length,
            steps_per_s: Number((1000 / median).toFixed(3)),
            images_per_s: Number((batch * 1000 / median).toFixed(1)),
            est_gflop: Number((flops / 1e9).toFixed(4)),
            gflop_per_s: Number((flops / 1e9 / (median / 1000)).toFixed(2)),
            cpu: env.cpu,
            cores: env.cores,
            memory_gb: env.memory_gb,
            gpu: backend.name === "webgpu" ? backend.device : "",
            hardware_id: env.hardware_id,
            runtime: `deno ${env.deno}`,
            library: `tfjs ${env.tfjs}`,
            commit: env.commit,
          });
          console.error(`  ${model} b${batch} ${alg} ${kind}: ${median.toFixed(1)} ms/step (${times.length} reps)`);
        }
      }
    }
  }
  const rank = (r: Row) =>
    models.indexOf(r.model as BenchModel) * 10_000 + batches.indexOf(r.batch as number) * 100 +
    (r.step === "critic" ? 0 : 10) + BENCH_ALGORITHMS.indexOf(r.algorithm as AlgorithmName);
  rows.sort((a, b) => rank(a) - rank(b));
  await Deno.mkdir(out.replace(/\/[^/]*$/, "") || ".", { recursive: true });
  await writeAtomic(out, toCsv(rows, BENCH_COLUMNS));
  console.log(out);
}

if (import.meta.main) await runMain(benchCsv);
