/**
 * An algorithm is an adversarial loss + a Lipschitz term + optimizer defaults
 * + a critic schedule, all as plain data so it can be stored in result rows,
 * overridden key by key, and compared.
 *
 * | name | paper | loss | Lipschitz term | optimizer | n_critic |
 * |---|---|---|---|---|---|
 * | `wgan` | Arjovsky et al. 2017 | Wasserstein | clip [−0.01, 0.01] | RMSProp 5e-5 | 5 (+ Diters warm-up) |
 * | `wgan-gp` | Gulrajani et al. 2017 | Wasserstein | GP λ = 10 | Adam 1e-4, β = (0, 0.9) | 5 |
 * | `wgan-div` | Wu et al. 2018 | Wasserstein | div k = 2, p = 6 | Adam 2e-4, β = (0.5, 0.999) | 5 |
 * | `gan` | Goodfellow et al. 2014 / DCGAN | −log D | none | Adam 2e-4, β = (0.5, 0.999) | 1 |
 *
 * @module
 */
import { isLipschitzTerm, type LipschitzSpec, type LipschitzTerm } from "../lipschitz/mod.ts";
import type { AdversarialLoss, LossName } from "../losses/mod.ts";
import type { OptimizerSpec } from "../optim/mod.ts";
import { checked } from "../config/schema.ts";
import {
  algorithmDataSchema,
  lipschitzSpecSchema,
  lossNameSchema,
  optimizerSpecSchema,
  scheduleSchema,
} from "./schema.ts";

/** Names of the built-in algorithms. */
export type AlgorithmName = "wgan" | "wgan-gp" | "wgan-div" | "gan";

/**
 * Everything that defines how a GAN is trained. Built-in parts are plain data
 * (stored in result rows and configs); `loss` and `lipschitz` may instead be
 * objects of your own ({@linkcode AdversarialLoss}, {@linkcode LipschitzTerm}).
 */
export interface AlgorithmSpec {
  /** The built-in algorithm this spec starts from. */
  name: AlgorithmName;
  loss: LossName | AdversarialLoss;
  lipschitz: LipschitzSpec | LipschitzTerm;
  /** Used for both networks, each with its own state (as the reference code does). */
  optimizer: OptimizerSpec;
  /** Critic iterations per generator iteration. */
  nCritic: number;
  /**
   * The official WGAN code's schedule: 100 critic iterations for the first 25
   * generator iterations and at every 500th, else `nCritic`.
   */
  dItersSchedule: boolean;
  batchSize: number;
  /**
   * Apply the Lipschitz constraint (clipping) before each critic update instead of after it. The official WGAN
   * code clamps at the top of each critic iteration, so its generator step and each burst's first forward pass
   * see weights one update outside [−c, c]. Algorithm 1 of the paper clips after (the default).
   */
  constrainBeforeUpdate: boolean;
  /**
   * End a burst of critic iterations where an epoch of the training data ends, whose last batch is partial, as
   * the official WGAN code's loop over a PyTorch DataLoader does (on 10,000 images with batch 64: batches of 64
   * and a last one of 16; over 3,000 generator iterations 16,894 critic steps instead of 17,850). The fake batch
   * keeps `batchSize` samples, as there. Default false: every burst runs its scheduled number of full batches.
   */
  epochBursts: boolean;
}

const RMSPROP = { kind: "rmsprop", lr: 5e-5, alpha: 0.99, eps: 1e-8 } as const;

/** The built-in algorithms with their papers' defaults. */
export const ALGORITHMS: Readonly<Record<AlgorithmName, Readonly<AlgorithmSpec>>> = {
  "wgan": {
    name: "wgan",
    loss: "wasserstein",
    lipschitz: { kind: "clip", c: 0.01 },
    optimizer: RMSPROP,
    nCritic: 5,
    dItersSchedule: true,
    batchSize: 64,
    constrainBeforeUpdate: false,
    epochBursts: false,
  },
  "wgan-gp": {
    name: "wgan-gp",
    loss: "wasserstein",
    lipschitz: { kind: "gp", lambda: 10 },
    optimizer: { kind: "adam", lr: 1e-4, beta1: 0, beta2: 0.9, eps: 1e-8 },
    nCritic: 5,
    dItersSchedule: false,
    batchSize: 64,
    constrainBeforeUpdate: false,
    epochBursts: false,
  },
  "wgan-div": {
    name: "wgan-div",
    loss: "wasserstein",
    lipschitz: { kind: "div", k: 2, p: 6 },
    optimizer: { kind: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8 },
    nCritic: 5,
    dItersSchedule: false,
    batchSize: 64,
    constrainBeforeUpdate: false,
    epochBursts: false,
  },
  "gan": {
    name: "gan",
    loss: "standard",
    lipschitz: { kind: "none" },
    optimizer: { kind: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8 },
    nCritic: 1,
    dItersSchedule: false,
    batchSize: 64,
    constrainBeforeUpdate: false,
    epochBursts: false,
  },
};

/** Names of the built-in algorithms, in table order. */
export const ALGORITHM_NAMES = Object.keys(ALGORITHMS) as AlgorithmName[];

/** Overrides accepted by {@linkcode algorithm}; nested objects replace whole, loss and Lipschitz objects are kept as given. */
export type AlgorithmOverrides = Partial<Omit<AlgorithmSpec, "name">>;

const KEYS: ReadonlySet<string> = new Set([
  "loss",
  "lipschitz",
  "optimizer",
  "nCritic",
  "dItersSchedule",
  "batchSize",
  "constrainBeforeUpdate",
  "epochBursts",
]);

/** A copy of plain data; runtime loss / Lipschitz objects are shared, not copied. */
function copySpec(spec: AlgorithmSpec): AlgorithmSpec {
  return {
    ...spec,
    lipschitz: isLipschitzTerm(spec.lipschitz) ? spec.lipschitz : { ...spec.lipschitz },
    optimizer: { ...spec.optimizer },
  };
}

/**
 * The spec of a built-in algorithm with overrides applied. Unknown names and
 * keys throw, with the closest valid name. A loss or Lipschitz term of your
 * own replaces the built-in one (see {@linkcode LipschitzTerm} for an example).
 *
 * @example
 * ```ts
 * import { algorithm } from "wgan-bench";
 * const adamWgan = algorithm("wgan", {
 *   optimizer: { kind: "adam", lr: 5e-5, beta1: 0.5, beta2: 0.999, eps: 1e-8 },
 * });
 * if (adamWgan.optimizer.kind !== "adam" || adamWgan.nCritic !== 5) throw new Error("Adam, still 5 critic steps");
 * ```
 */
export function algorithm(name: string, overrides: AlgorithmOverrides = {}): AlgorithmSpec {
  const base = ALGORITHMS[name as AlgorithmName];
  if (!base) {
    throw new RangeError(
      `Cannot use algorithm "${name}": unknown name (choose one of ${ALGORITHM_NAMES.join(", ")})`,
    );
  }
  for (const key of Object.keys(overrides)) {
    if (!KEYS.has(key)) {
      throw new RangeError(
        `Cannot override "${key}" of algorithm "${name}": unknown key (known: ${[...KEYS].join(", ")})`,
      );
    }
  }
  const spec = copySpec({ ...base, ...overrides, name: base.name });
  // the plain-data parts by the schema the harness's --set uses too; a loss or term of your own is yours to check
  const what = `Cannot use algorithm "${name}"`;
  const { loss, lipschitz, optimizer, name: _name, ...schedule } = spec;
  if (typeof loss === "string" && !isLipschitzTerm(lipschitz)) {
    checked(algorithmDataSchema, spec, what);
  } else {
    checked(scheduleSchema, schedule, what);
    checked(optimizerSpecSchema, optimizer, what, "optimizer");
    if (typeof loss === "string") checked(lossNameSchema, loss, what, "loss");
    if (!isLipschitzTerm(lipschitz)) checked(lipschitzSpecSchema, lipschitz, what, "lipschitz");
  }
  return spec;
}

/**
 * Critic iterations before generator iteration `generatorIteration` (0-based).
 *
 * @example
 * ```ts
 * import { algorithm, criticIterations } from "wgan-bench";
 * const wgan = algorithm("wgan");
 * if (criticIterations(wgan, 0) !== 100 || criticIterations(wgan, 30) !== 5) throw new Error("schedule");
 * ```
 */
export function criticIterations(spec: AlgorithmSpec, generatorIteration: number): number {
  if (spec.dItersSchedule && (generatorIteration < 25 || generatorIteration % 500 === 0)) return 100;
  return spec.nCritic;
}
