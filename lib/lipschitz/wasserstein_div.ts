/**
 * The Wasserstein-divergence term of WGAN-div (Wu et al., 2018):
 * k · E[‖∇D(x)‖^p] over real and generated samples, with k = 2, p = 6. As in
 * the authors' reference code, the gradient norms at the real and at the fake
 * points are averaged together: (k / 2) · mean(‖∇D(real)‖^p + ‖∇D(fake)‖^p).
 *
 * @module
 */
import { type Scalar, type Tensor, tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";
import { criticInputGradient, rowSquaredNorms } from "./input_gradient.ts";

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
  const k = options.k ?? 2;
  const p = options.p ?? 6;
  const both = tf.concat([real, fake], 0);
  const sq = rowSquaredNorms(criticInputGradient(critic, both));
  // ‖g‖^p = (‖g‖²)^(p/2); exact products for even integer p.
  const half = p / 2;
  let powered: Tensor;
  if (Number.isInteger(half) && half >= 1 && half <= 8) {
    powered = sq;
    for (let i = 1; i < half; i++) powered = tf.mul(powered, sq);
  } else {
    powered = tf.pow(tf.add(sq, 1e-12), half);
  }
  // mean over n of (a_i + b_i) = 2 · mean over the 2n concatenated rows.
  return tf.mul(k, tf.mean(powered)) as Scalar;
}
