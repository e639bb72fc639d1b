/**
 * The Wasserstein-divergence term of WGAN-div (Wu et al., 2018): k · E[‖∇D(x)‖^p], in two placements of its points:
 *
 * - **real and fake** ({@linkcode wassersteinDivergence}, {@linkcode scoredWassersteinDivergence}; the default, k = 2,
 *   p = 6): as in PyTorch-GAN's `wgan_div.py` (the implementation most WGAN-div code follows), the gradient norms at
 *   the real and at the generated samples averaged together, (k / 2) · mean(‖∇D(real)‖^p + ‖∇D(fake)‖^p);
 * - **interpolates** ({@linkcode interpolatedWassersteinDivergence}): as in the authors' own TensorFlow code
 *   (musikisomorphie/wgan-div, `wgan_div.py`), k · mean(‖∇D(x̂)‖^p) at x̂ = ε·real + (1 − ε)·fake, one ε ~ U[0, 1] per
 *   sample, where WGAN-GP places its points (that code runs it with k = 10, p = 6).
 *
 * @module
 */
import { type Scalar, type Tensor, tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";
import { criticInputGradient, rowSquaredNorms, scoresAndInputGradient } from "./input_gradient.ts";
import { interpolates } from "./gradient_penalty.ts";

/** Options of {@linkcode wassersteinDivergence}. */
export interface WassersteinDivOptions {
  /** Weight k (default 2). */
  k?: number;
  /** Power p (default 6). */
  p?: number;
}

/**
 * (k / 2) · mean over samples of ‖∇D(real_i)‖^p + ‖∇D(fake_i)‖^p.
 *
 * @example
 * ```ts
 * import { mlpCritic, tf, wassersteinDivergence } from "wgan-bench";
 * const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const div = wassersteinDivergence(critic, tf.ones([4, 2]), tf.zeros([4, 2]));
 * if (!((await div.data())[0] >= 0)) throw new Error("term is non-negative");
 * ```
 */
export function wassersteinDivergence(
  critic: Model,
  real: Tensor,
  fake: Tensor,
  options: WassersteinDivOptions = {},
): Scalar {
  const { k, p } = withDefaults(options);
  // Real and fake gradients in two passes: half the peak memory of one concatenated batch, which matters for
  // wasm's 4 GB heap at 64×64.
  const powered = (x: Tensor) => normPower(rowSquaredNorms(criticInputGradient(critic, x)), p);
  return combine(powered(real), powered(fake), k);
}

/**
 * The critic's scores of `real` and `fake` and the WGAN-div term, the term's input gradients taken from those same
 * scores (as PyTorch-GAN's `wgan_div.py` takes them from the loss's own critic outputs): one forward pass serves
 * the loss and the penalty, and the weight gradient flows back through it once. The same values as
 * `critic.apply(real)`, `critic.apply(fake)` and {@linkcode wassersteinDivergence} up to float32 rounding, for about
 * two thirds of their work (the critic step uses it: `LipschitzTerm.scoreWithPenalty`). A critic without batch
 * statistics ({@linkcode Model.perSample}) scores the two batches stacked, one with batch norm each batch on its own.
 *
 * @example
 * ```ts
 * import { mlpCritic, scoredWassersteinDivergence, tf, wassersteinDivergence } from "wgan-bench";
 * const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const real = tf.randomNormal([4, 2]), fake = tf.randomNormal([4, 2]);
 * const { dReal, penalty } = scoredWassersteinDivergence(critic, real, fake);
 * const alone = (await wassersteinDivergence(critic, real, fake).data())[0], shared = (await penalty.data())[0];
 * if (dReal.shape[0] !== 4 || Math.abs(alone - shared) > 1e-5 * alone) throw new Error("the same term");
 * ```
 */
export function scoredWassersteinDivergence(
  critic: Model,
  real: Tensor,
  fake: Tensor,
  options: WassersteinDivOptions = {},
): { dReal: Tensor; dFake: Tensor; penalty: Scalar } {
  const { k, p } = withDefaults(options);
  if (critic.perSample) {
    const n = real.shape[0];
    const { scores, gradient } = scoresAndInputGradient(critic, tf.concat([real, fake]));
    const powered = normPower(rowSquaredNorms(gradient), p);
    return {
      dReal: scores.slice(0, n),
      dFake: scores.slice(n),
      penalty: combine(powered.slice(0, n), powered.slice(n), k),
    };
  }
  const r = scoresAndInputGradient(critic, real), f = scoresAndInputGradient(critic, fake);
  return {
    dReal: r.scores,
    dFake: f.scores,
    penalty: combine(normPower(rowSquaredNorms(r.gradient), p), normPower(rowSquaredNorms(f.gradient), p), k),
  };
}

/**
 * k · mean over samples of ‖∇D(x̂_i)‖^p at the interpolates x̂ = ε·real + (1 − ε)·fake built from `epsilon` (shape
 * `[n]`, values in [0, 1]): the term as the authors' code places it. Differentiable with respect to the critic's
 * weights when called inside `tf.variableGrads`.
 *
 * @example
 * ```ts
 * import { interpolatedWassersteinDivergence, mlpCritic, tf } from "wgan-bench";
 * const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const div = interpolatedWassersteinDivergence(critic, tf.ones([4, 2]), tf.zeros([4, 2]), tf.fill([4], 0.5), { k: 10 });
 * if (!((await div.data())[0] >= 0)) throw new Error("term is non-negative");
 * ```
 */
export function interpolatedWassersteinDivergence(
  critic: Model,
  real: Tensor,
  fake: Tensor,
  epsilon: Tensor,
  options: WassersteinDivOptions = {},
): Scalar {
  const { k, p } = withDefaults(options);
  const powered = normPower(rowSquaredNorms(criticInputGradient(critic, interpolates(real, fake, epsilon))), p);
  return tf.mul(k, tf.mean(powered)) as Scalar;
}

function withDefaults(options: WassersteinDivOptions): { k: number; p: number } {
  return { k: options.k ?? 2, p: options.p ?? 6 };
}

/** (k / 2) · (mean of the real points' ‖∇D‖^p + mean of the fake points'). */
function combine(realPowered: Tensor, fakePowered: Tensor, k: number): Scalar {
  return tf.mul(k / 2, tf.add(tf.mean(realPowered), tf.mean(fakePowered))) as Scalar;
}

/** ‖g‖^p from ‖g‖²: exact products for even integer p, `pow` otherwise. */
function normPower(sq: Tensor, p: number): Tensor {
  const half = p / 2;
  if (Number.isInteger(half) && half >= 1 && half <= 8) {
    let out = sq;
    for (let i = 1; i < half; i++) out = tf.mul(out, sq);
    return out;
  }
  return tf.pow(tf.add(sq, 1e-12), half);
}
