/**
 * `deno task bench:profile`: where the time of one benchmarked step goes, per
 * tfjs kernel. Every kernel of the active backend is wrapped with a timer, the
 * step is run `--reps` times after a warm-up, and the table lists ms per step,
 * calls per step and share of the step for each kernel, plus the time spent
 * outside kernels (tfjs's engine: tape, tidy, dispatch; JS glue; GC).
 *
 * On webgpu it adds the dispatch count per step, the cost of one dispatch and the read-back latency
 * ({@linkcode dispatchReport}).
 *
 * Flags: --backend NAME (default auto), --model mlp-28|dcgan-32|dcgan-64 (or a width: dcgan-32-w16),
 * --algorithm wgan|wgan-gp|wgan-div|gan, --step critic|generator, --reps N, --top N.
 */
import { parseArgs } from "node:util";
import { type AlgorithmName, type BackendName, selectBackend, tf } from "../mod.ts";
import { runMain, UsageError } from "../repro/errors.ts";
import { BENCH_ALGORITHMS, type BenchModel, modelShape, stepFixture, type StepKind } from "./fixtures.ts";

/** Time and calls accumulated per kernel name. */
export interface KernelTotals {
  ms: number;
  calls: number;
}

/**
 * Wraps every kernel registered for `backendName` with a timer that adds into
 * the returned map; `restore()` re-registers the original kernels.
 */
export function instrumentKernels(backendName: string): { totals: Map<string, KernelTotals>; restore(): void } {
  const totals = new Map<string, KernelTotals>();
  const originals = tf.getKernelsForBackend(backendName);
  for (const config of originals) {
    const inner = config.kernelFunc;
    const entry: KernelTotals = { ms: 0, calls: 0 };
    totals.set(config.kernelName, entry);
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      kernelFunc: ((args: Parameters<tf.KernelFunc>[0]) => {
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          entry.ms += performance.now() - t0;
          entry.calls += 1;
        }
      }) as tf.KernelFunc,
    });
  }
  return {
    totals,
    restore() {
      for (const config of originals) {
        tf.unregisterKernel(config.kernelName, backendName);
        tf.registerKernel(config);
      }
    },
  };
}

/** The command: `args` are its flags (`Deno.args` when run as a task; the GPU kit passes its own). */
export async function profileStep(args: string[] = Deno.args): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      backend: { type: "string" },
      model: { type: "string", default: "mlp-28" },
      algorithm: { type: "string", default: "wgan" },
      step: { type: "string", default: "critic" },
      reps: { type: "string", default: "10" },
      top: { type: "string", default: "15" },
    },
    strict: true,
  });
  const model = values.model as BenchModel;
  try {
    modelShape(model);
  } catch (e) {
    throw new UsageError((e as Error).message.replace("Cannot bench", "Cannot profile"));
  }
  const alg = values.algorithm as AlgorithmName;
  if (!BENCH_ALGORITHMS.includes(alg)) {
    throw new UsageError(`Cannot profile algorithm "${alg}": choose from ${BENCH_ALGORITHMS.join(", ")}`);
  }
  const kind = values.step as StepKind;
  if (kind !== "critic" && kind !== "generator") {
    throw new UsageError(`Cannot profile step "${kind}": choose critic or generator`);
  }
  const reps = Number(values.reps), top = Number(values.top);
  if (!(Number.isInteger(reps) && reps > 0)) {
    throw new UsageError(`--reps must be a positive integer, got ${values.reps}`);
  }
  if (!(Number.isInteger(top) && top > 0)) throw new UsageError(`--top must be a positive integer, got ${values.top}`);
  const backend = await selectBackend((values.backend ?? "auto") as BackendName);
  const fixture = stepFixture(model, alg, kind);
  await fixture.run(); // warm-up, untimed
  const { totals, restore } = instrumentKernels(backend.name);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fixture.run();
  const stepMs = (performance.now() - t0) / reps;
  restore();
  fixture.dispose();
  const rows = [...totals].filter(([, t]) => t.calls > 0).sort((a, b) => b[1].ms - a[1].ms);
  const inKernels = rows.reduce((s, [, t]) => s + t.ms, 0) / reps;
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (x: number, d = 2) => x.toFixed(d).padStart(9);
  console.log(`${model} ${alg} ${kind} step on ${backend.name} [${backend.device}]: ${stepMs.toFixed(2)} ms/step`);
  console.log(`${pad("kernel", 28)}${"ms/step".padStart(9)}${"calls".padStart(9)}${"share".padStart(9)}`);
  for (const [name, t] of rows.slice(0, top)) {
    console.log(`${pad(name, 28)}${num(t.ms / reps)}${num(t.calls / reps, 0)}${num((100 * t.ms / reps) / stepMs, 1)}%`);
  }
  const rest = rows.slice(top).reduce((s, [, t]) => s + t.ms, 0) / reps;
  if (rows.length > top) console.log(`${pad(`(${rows.length - top} other kernels)`, 28)}${num(rest)}`);
  console.log(
    `${pad("outside kernels", 28)}${num(stepMs - inKernels)}${"".padStart(9)}${
      num((100 * (stepMs - inKernels)) / stepMs, 1)
    }%`,
  );
  if (backend.name === "webgpu") {
    // kernel functions only encode work on a GPU: their times above are CPU-side; the GPU's show in the step total
    const calls = rows.reduce((s, [, t]) => s + t.calls, 0) / reps;
    for (const line of await dispatchReport(calls, stepMs)) console.log(line);
  }
}

/**
 * WebGPU only: what a dispatch costs here. Kernel calls per step (about one compute dispatch each), the cost of one
 * dispatch (a chain of 1-element additions, so no arithmetic to speak of, ended by one read-back), and the
 * read-back latency (`await data()` of a fresh 1-element result). Dispatch-bound steps are those where calls × cost
 * is most of the step.
 */
export async function dispatchReport(callsPerStep: number, stepMs: number): Promise<string[]> {
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const chain = 400;
  const perDispatch: number[] = [], readBack: number[] = [];
  for (let round = 0; round < 5; round++) {
    let x = tf.ones([1]);
    const t0 = performance.now();
    for (let i = 0; i < chain; i++) {
      const next = tf.add(x, 1);
      x.dispose();
      x = next;
    }
    await x.data();
    perDispatch.push((performance.now() - t0) / chain);
    x.dispose();
    const y = tf.add(tf.ones([1]), 1);
    const t1 = performance.now();
    await y.data();
    readBack.push(performance.now() - t1);
    y.dispose();
  }
  const cost = median(perDispatch);
  return [
    `dispatches: ${callsPerStep.toFixed(0)} kernel calls per step; one dispatch costs ${(1000 * cost).toFixed(1)} µs ` +
    `(${chain} chained 1-element adds); read-back latency ${median(readBack).toFixed(2)} ms`,
    `  calls × cost = ${(callsPerStep * cost).toFixed(1)} ms of the ${stepMs.toFixed(1)} ms step ` +
    `(${(100 * callsPerStep * cost / stepMs).toFixed(0)}%: above ~50% the step is dispatch-bound)`,
    `  WEBGPU_CPU_FORWARD=${tf.env().getBool("WEBGPU_CPU_FORWARD")} (WGAN_BENCH_WEBGPU_CPU_FORWARD=1 sends small ` +
    `tensors' ops to the CPU instead)`,
  ];
}

if (import.meta.main) await runMain(profileStep);
