/**
 * Lipschitz terms: weight clipping, gradient penalty, Wasserstein divergence.
 *
 * @module
 */
import type { Scalar, Tensor, Variable } from "../backend/tf.ts";
import { tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";
import type { Rng } from "../random.ts";
import { clipWeights } from "./weight_clipping.ts";
import { gradientPenalty } from "./gradient_penalty.ts";
import {
  interpolatedWassersteinDivergence,
  scoredWassersteinDivergence,
  wassersteinDivergence,
} from "./wasserstein_div.ts";

export { clipWeights } from "./weight_clipping.ts";
export { gradientPenalty, type GradientPenaltyOptions, interpolates } from "./gradient_penalty.ts";
export {
  interpolatedWassersteinDivergence,
  scoredWassersteinDivergence,
  wassersteinDivergence,
  type WassersteinDivOptions,
} from "./wasserstein_div.ts";
export { criticInputGradient, rowSquaredNorms, scoresAndInputGradient } from "./input_gradient.ts";

/** A Lipschitz constraint as plain data (serialisable into result rows). */
export type LipschitzSpec =
  | { kind: "none" }
  | { kind: "clip"; c: number }
  | { kind: "gp"; lambda: number }
  /**
   * WGAN-div's term; `points` places its input gradients: at the real and generated batches ("real-fake", the
   * default: PyTorch-GAN's `wgan_div.py`) or at interpolates between them ("interpolates": the authors' code).
   */
  | { kind: "div"; k: number; p: number; points?: "real-fake" | "interpolates" };

/**
 * How the critic is kept (approximately) 1-Lipschitz: a penalty added to its
 * loss, a constraint applied to its weights after each update, or both. The
 * runtime form of a {@linkcode LipschitzSpec}; implement it to train with a
 * term of your own (pass the object as `algorithm(name, { lipschitz })`).
 *
 * @example A one-sided gradient penalty (penalise only gradient norms above 1), trained on a toy
 * ```ts
 * import {
 *   algorithm, criticInputGradient, type LipschitzTerm, mlpCritic, mlpGenerator, rowSquaredNorms, tf, toyDataset,
 *   train, Trainer,
 * } from "wgan-bench";
 * const oneSidedGp: LipschitzTerm = {
 *   name: "one-sided-gp",
 *   penalty(critic, real, fake, rng) {
 *     const n = real.shape[0];
 *     const eps = tf.tensor(rng.uniforms(n), [n, 1]);
 *     const xHat = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
 *     const norms = tf.sqrt(tf.add(rowSquaredNorms(criticInputGradient(critic, xHat)), 1e-12));
 *     return tf.mul(10, tf.mean(tf.square(tf.relu(tf.sub(norms, 1)))));
 *   },
 *   constrain() {},
 * };
 * const trainer = new Trainer({
 *   generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 16, hiddenLayers: 2 }),
 *   critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 16, hiddenLayers: 2, activation: "leaky-relu" }),
 *   algorithm: algorithm("wgan-gp", { lipschitz: oneSidedGp, batchSize: 32 }),
 *   data: toyDataset("8gaussians"),
 *   seed: 0,
 * });
 * const { stats } = await train(trainer, { iterations: 3 });
 * if (!(stats && stats.penalty >= 0 && Number.isFinite(stats.criticLoss))) throw new Error("penalised steps ran");
 * trainer.dispose();
 * ```
 */
export interface LipschitzTerm {
  /** A short name for logs, e.g. "gp" or "one-sided-gp". */
  readonly name: string;
  /**
   * A penalty added to the critic loss, evaluated inside the critic's tape (so
   * its weight gradient is taken: double backprop for input-gradient terms),
   * or null for none. Draw any randomness from `rng` (the run's penalty stream).
   */
  penalty(critic: Model, real: Tensor, fake: Tensor, rng: Rng): Scalar | null;
  /**
   * Optional: the critic's scores of `real` and `fake` together with the penalty, for a term whose penalty needs
   * the critic at those same batches (WGAN-div's input gradients): one forward pass then serves both. When present,
   * the critic step calls it instead of scoring the batches and calling `penalty`; it must give the same values.
   */
  scoreWithPenalty?(
    critic: Model,
    real: Tensor,
    fake: Tensor,
    rng: Rng,
  ): { dReal: Tensor; dFake: Tensor; penalty: Scalar };
  /** Applied to the critic's variables at the start and after each critic update (clipping). */
  constrain(variables: readonly Variable[]): void;
}

/** True for a runtime term object (as opposed to a {@linkcode LipschitzSpec}). */
export function isLipschitzTerm(x: unknown): x is LipschitzTerm {
  return typeof x === "object" && x !== null && typeof (x as LipschitzTerm).penalty === "function" &&
    typeof (x as LipschitzTerm).constrain === "function";
}

/**
 * Builds the runtime term for a spec; a term object is returned as it is. The
 * gradient penalty's ε (and WGAN-div's at interpolates) is drawn from the `rng`
 * passed to `penalty`, one value per sample.
 *
 * @example
 * ```ts
 * import { lipschitzTerm } from "wgan-bench";
 * const term = lipschitzTerm({ kind: "gp", lambda: 10 });
 * if (term.name !== "gp") throw new Error("gp expected");
 * ```
 */
export function lipschitzTerm(spec: LipschitzSpec | LipschitzTerm): LipschitzTerm {
  if (isLipschitzTerm(spec)) return spec;
  const noConstraint = () => {};
  const name = spec.kind;
  switch (spec.kind) {
    case "none":
      return { name, penalty: () => null, constrain: noConstraint };
    case "clip":
      return { name, penalty: () => null, constrain: (vars) => clipWeights(vars, spec.c) };
    case "gp":
      return {
        name,
        penalty: (critic, real, fake, rng) =>
          gradientPenalty(critic, real, fake, epsilons(rng, real), { lambda: spec.lambda }),
        constrain: noConstraint,
      };
    case "div":
      if (spec.points === "interpolates") {
        return {
          name,
          penalty: (critic, real, fake, rng) =>
            interpolatedWassersteinDivergence(critic, real, fake, epsilons(rng, real), { k: spec.k, p: spec.p }),
          constrain: noConstraint,
        };
      }
      return {
        name,
        penalty: (critic, real, fake) => wassersteinDivergence(critic, real, fake, { k: spec.k, p: spec.p }),
        scoreWithPenalty: (critic, real, fake) =>
          scoredWassersteinDivergence(critic, real, fake, { k: spec.k, p: spec.p }),
        constrain: noConstraint,
      };
  }
  throw new RangeError(
    `Cannot use Lipschitz term ${JSON.stringify(spec)}: unknown kind (choose none, clip, gp or div, or pass an object)`,
  );
}

/** The interpolation weights of a batch: one ε ~ U[0, 1) per sample, from the run's penalty stream. */
function epsilons(rng: Rng, real: Tensor): Tensor {
  return tf.tensor1d(rng.uniforms(real.shape[0]));
}
