/**
 * The gradient penalty of WGAN-GP (Gulrajani et al., 2017):
 * λ · E[(‖∇D(x̂)‖₂ − 1)²] with x̂ = ε·real + (1 − ε)·fake, ε ~ U[0, 1] drawn
 * once per sample (not per pixel) and the norm taken per sample.
 *
 * @module
 */
import { type Scalar, type Tensor, tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";
import { criticInputGradient, rowSquaredNorms } from "./input_gradient.ts";

/** Keeps the norm's derivative finite where a gradient is exactly zero. */
const NORM_EPS = 1e-12;

/** Options of {@linkcode gradientPenalty}. */
export interface GradientPenaltyOptions {
  /** Penalty weight λ (default 10). */
  lambda?: number;
}

/**
 * λ · mean((‖∇D(x̂)‖ − 1)²) for the interpolates built from `epsilon` (shape
 * `[n]`, values in [0, 1]). Differentiable with respect to the critic's
 * weights when called inside `tf.variableGrads`.
 *
 * @example
 * ```ts
 * import { gradientPenalty, mlpCritic, tf } from "wgan-bench";
 * const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 1 });
 * const gp = gradientPenalty(critic, tf.ones([4, 2]), tf.zeros([4, 2]), tf.fill([4], 0.5));
 * if (!((await gp.data())[0] >= 0)) throw new Error("penalty is non-negative");
 * ```
 */
export function gradientPenalty(
  critic: Model,
  real: Tensor,
  fake: Tensor,
  epsilon: Tensor,
  options: GradientPenaltyOptions = {},
): Scalar {
  const lambda = options.lambda ?? 10;
  const norms = tf.sqrt(
    tf.add(rowSquaredNorms(criticInputGradient(critic, interpolates(real, fake, epsilon))), NORM_EPS),
  );
  return tf.mul(lambda, tf.mean(tf.square(tf.sub(norms, 1)))) as Scalar;
}

/**
 * x̂ = ε·real + (1 − ε)·fake with one ε per sample (`epsilon` of shape `[n]`): where WGAN-GP's penalty, and WGAN-div's
 * term in its authors' code, take the critic's input gradients.
 */
export function interpolates(real: Tensor, fake: Tensor, epsilon: Tensor): Tensor {
  const eps = epsilon.reshape([real.shape[0], ...Array(real.rank - 1).fill(1)]);
  return tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
}
