/**
 * What a run will cost before it starts: estimated training seconds per (arm, seed) from measured seconds per
 * iteration on the reference machine (or timed here for backends the tables do not cover), and the progress
 * weights that turn iterations done into an ETA.
 *
 * @module
 */
import { criticIterations } from "../../mod.ts";
import { algorithmSpec, buildTrainer } from "../config/arms.ts";
import type { ExperimentSpec } from "../config/experiments.ts";
import type { RunConfig, RunKey } from "../config/resolve.ts";
import type { loadExperimentData } from "./data.ts";
import type { Evaluator } from "./evaluate.ts";

/** What an estimate reads: the experiment's measured costs, the resolved configuration, and times taken here. */
export interface EstimateInput {
  experiment: ExperimentSpec;
  config: RunConfig;
  /** Costs timed on this machine and backend, at the runs' thread count and concurrency (`timeArms`). */
  measured?: ArmTimings;
}

/** Costs of an experiment's arms timed here (`timeArms`), the estimate's inputs when present. */
export interface ArmTimings {
  /** Seconds per generator iteration per arm (n_critic critic steps and the generator step, no warm-up). */
  iteration: Record<string, number>;
  /** Seconds per evaluation per arm (its samples scored, diagnostics, checkpoint not included). */
  evaluation?: Record<string, number>;
  /** Seconds a run spends before its first iteration (a worker's start, data, evaluator); 0 in this process. */
  startup?: number;
}

/**
 * Time of a training iteration on a backend relative to wasm (the backend `secondsPerIteration` was
 * measured on), from whole runs on the reference 2-core machine: toy-8gaussians (quick profile, native
 * 1.6x wasm's iterations/s), the MLP bench steps (3-5x), and, with oneDNN convolutions, mnist-dcgan and
 * mnist-mlp at the default profile (width-16 DCGAN critic, 40 iterations without the Diters warm-up):
 * 86 and 68 ms per WGAN iteration against wasm's 310 and 230 (0.28, 0.30), 40 and 34 ms per GAN
 * iteration against 80 and 60 (0.5, 0.56). Backends without an entry are estimated with wasm's timings.
 */
export const BACKEND_TIME_FACTOR: Readonly<Record<string, { toy: number; mlp: number; conv: number }>> = {
  wasm: { toy: 1, mlp: 1, conv: 1 },
  native: { toy: 0.65, mlp: 0.4, conv: 0.35 },
};

/**
 * Seconds of one run. Timed here (`o.measured`): the seconds per generator iteration scaled by the extra critic
 * steps of the Diters warm-up, plus its evaluations and its start. Otherwise training seconds on the reference
 * machine: the tables' seconds per generator iteration (with n_critic critic steps), scaled by the Diters warm-up, by
 * the model width relative to the default profile's, and by the backend's speed relative to wasm.
 */
export function estimateSeconds(
  o: EstimateInput,
  armId: string,
  backend = "wasm",
): number {
  const arm = o.config.arms.find((a) => a.id === armId)!;
  const spec = algorithmSpec(arm);
  const s = o.config.settings;
  let steps = 0;
  for (let i = 0; i < s.iterations; i++) steps += criticIterations(spec, i) + 1;
  // measured here, on this backend, at these settings: no tables to scale; with the evaluations and the start
  const own = o.measured?.iteration[armId];
  if (own !== undefined) {
    const evaluations = s.evalEvery > 0 ? Math.floor(s.iterations / s.evalEvery) + 1 : 0;
    return own * steps / (spec.nCritic + 1) + evaluations * (o.measured?.evaluation?.[armId] ?? 0) +
      (o.measured?.startup ?? 0);
  }
  const perIteration = o.experiment.secondsPerIteration[armId] ?? 0.1;
  const width = o.experiment.data.kind === "image" ? (s.width / 16) ** 2 : (s.hidden / 128) ** 2;
  const factors = BACKEND_TIME_FACTOR[backend] ?? BACKEND_TIME_FACTOR.wasm;
  const factor = o.experiment.data.kind === "toy"
    ? factors.toy
    : arm.generator.kind === "dcgan" || arm.critic.kind === "dcgan"
    ? factors.conv
    : factors.mlp;
  return perIteration * (steps / (spec.nCritic + 1)) * width * factor;
}

/**
 * Progress in estimated seconds: each run weighs its estimated training time, and within a run each generator
 * iteration weighs its critic steps + 1 (the Diters warm-up's first 25 iterations are ~20% of a 2,000-iteration
 * clipped run). `workDone(key, iteration)` is the work behind a run at an iteration; `totalWork` the sum of all.
 */
export function progressWeights(
  o: EstimateInput,
  runs: readonly RunKey[],
  backend: string,
): { workDone: (key: RunKey, iteration: number) => number; totalWork: number } {
  const iterations = o.config.settings.iterations;
  const weights = new Map(runs.map((k) => {
    const spec = algorithmSpec(o.config.arms.find((a) => a.id === k.arm)!);
    const cumulative = [0];
    for (let i = 0; i < iterations; i++) cumulative.push(cumulative[i] + criticIterations(spec, i) + 1);
    return [`${k.arm}/${k.seed}`, { seconds: estimateSeconds(o, k.arm, backend), cumulative }];
  }));
  return {
    workDone(key, iteration) {
      const w = weights.get(`${key.arm}/${key.seed}`)!;
      const c = w.cumulative;
      return w.seconds * c[Math.min(iteration, c.length - 1)] / c[c.length - 1];
    },
    totalWork: [...weights.values()].reduce((s, w) => s + w.seconds, 0),
  };
}

/**
 * Times each arm here, at this process's threads: a throwaway trainer (seed 1, no Diters warm-up) takes one untimed
 * iteration (kernel compilation, first allocations), then timed ones until `minSeconds` have passed (at least 2, at
 * most 50); then one evaluation of its generator is timed. Workers run this at the same time as each other, starting
 * each arm's timed iterations together (`ready`), so the times include what runs side by side cost (`timeInWorkers`).
 */
export async function timeArms(
  config: RunConfig,
  arms: readonly string[],
  data: Awaited<ReturnType<typeof loadExperimentData>>,
  evaluator?: Pick<Evaluator, "evaluate">,
  minSeconds = 1,
  /** Awaited after each arm's untimed iteration, before its timed ones (workers wait there for each other). */
  ready: (arm: string) => Promise<void> = () => Promise.resolve(),
): Promise<ArmTimings> {
  const iteration: Record<string, number> = {}, evaluation: Record<string, number> = {};
  for (const id of arms) {
    const arm = config.arms.find((a) => a.id === id);
    if (!arm) throw new Error(`Cannot time arm "${id}": the configuration has no such arm`);
    const trainer = buildTrainer({ ...arm, algorithm: { ...arm.algorithm, dItersSchedule: false } }, data.fit, 1);
    try {
      trainer.step();
      await trainer.stats();
      await ready(id);
      const start = performance.now();
      let n = 0;
      do {
        trainer.step();
        await trainer.stats();
        n++;
      } while (n < 50 && (n < 2 || performance.now() - start < minSeconds * 1000));
      iteration[id] = (performance.now() - start) / 1000 / n;
      if (evaluator) {
        const t = performance.now();
        await evaluator.evaluate(trainer, 1);
        evaluation[id] = (performance.now() - t) / 1000;
      }
    } finally {
      trainer.dispose();
      if (!trainer.fixedGenerator) trainer.generator.dispose();
      trainer.critic.dispose();
    }
  }
  return evaluator ? { iteration, evaluation } : { iteration };
}

/**
 * The time `runs` take in `lanes` workers handed out longest first (as `runInWorkers` does): each run goes to the
 * lane that frees first; the last lane to finish sets the time.
 */
export function makespan(seconds: readonly number[], lanes: number): number {
  const free = new Array<number>(Math.max(1, Math.min(lanes, seconds.length || 1))).fill(0);
  for (const t of [...seconds].sort((a, b) => b - a)) {
    let i = 0;
    for (let j = 1; j < free.length; j++) if (free[j] < free[i]) i = j;
    free[i] += t;
  }
  return Math.max(...free);
}
