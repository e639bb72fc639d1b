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

/** What an estimate reads: the experiment's measured costs, the resolved configuration, and times taken here. */
export interface EstimateInput {
  experiment: ExperimentSpec;
  config: RunConfig;
  /** Seconds per generator iteration per arm, timed on this machine and backend (`measureIterations`). */
  measured?: Record<string, number>;
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
 * Training seconds of one run on the reference machine: the measured seconds per generator iteration
 * (with n_critic critic steps), scaled by the extra critic steps of the Diters warm-up, by the model
 * width relative to the default profile's, and by the backend's speed relative to wasm.
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
  // measured here, on this backend, at these settings: no tables to scale
  const own = o.measured?.[armId];
  if (own !== undefined) return own * steps / (spec.nCritic + 1);
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
 * Seconds of one generator iteration (n_critic critic steps and a generator step, no warm-up) per arm, timed
 * on a throwaway trainer after one untimed iteration (kernel compilation, first allocations).
 */
export async function measureIterations(
  config: RunConfig,
  arms: readonly string[],
  data: Awaited<ReturnType<typeof loadExperimentData>>,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const id of arms) {
    const arm = config.arms.find((a) => a.id === id)!;
    const trainer = buildTrainer({ ...arm, algorithm: { ...arm.algorithm, dItersSchedule: false } }, data.fit, 1);
    trainer.step();
    await trainer.stats();
    const start = performance.now();
    trainer.step();
    await trainer.stats();
    out[id] = (performance.now() - start) / 1000;
    trainer.dispose();
    if (!trainer.fixedGenerator) trainer.generator.dispose();
    trainer.critic.dispose();
  }
  return out;
}
