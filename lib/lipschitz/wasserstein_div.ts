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
  // Real and fake gradients in two passes (as the reference code): half the peak memory of one
  // concatenated batch, which matters for wasm's 4 GB heap at 64×64.
  const powered = (x: Tensor) => normPower(rowSquaredNorms(criticInputGradient(critic, x)), p);
  return tf.mul(k / 2, tf.add(tf.mean(powered(real)), tf.mean(powered(fake)))) as Scalar;
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
