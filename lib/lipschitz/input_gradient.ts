/**
 * Per-sample gradient of a critic with respect to its input, recorded on the
 * active tape so that a penalty built from it can be differentiated again with
 * respect to the critic's weights (double backprop).
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";

/**
 * ∂D(x_i)/∂x_i for each sample, flattened to `[n, features]`. Correct per
 * sample only for critics that treat samples independently (no batch norm).
 * Recorded on the active tape, so a penalty built from it can be
 * differentiated again with respect to the critic's weights.
 *
 * @example
 * ```ts
 * import { criticInputGradient, mlpCritic, rowSquaredNorms, tf } from "wgan-bench";
 * // a critic with no hidden layer is linear: D(x) = w·x + b, so ∂D/∂x = w for every sample
 * const critic = mlpCritic({ seed: 0, inputShape: [3], hiddenLayers: 0 });
 * const g = criticInputGradient(critic, tf.randomNormal([2, 3]));
 * const w = await critic.variables[0].data(), rows = await g.data();
 * if (g.shape.join() !== "2,3" || rows.some((x, i) => x !== w[i % 3])) throw new Error("∂D/∂x = w");
 * const norms = await rowSquaredNorms(g).data();
 * const expected = w[0] ** 2 + w[1] ** 2 + w[2] ** 2; // float32 sums: agree to ~1e-7 relative
 * if (Math.abs(norms[0] - expected) > 1e-6 * expected) throw new Error("‖w‖²");
 * ```
 */
export function criticInputGradient(critic: Model, x: Tensor): tf.Tensor2D {
  const g = tf.grad((input: Tensor) => tf.sum(critic.apply(input)))(x);
  return g.reshape([x.shape[0], -1]) as tf.Tensor2D;
}

/**
 * The critic's scores D(x_i) and their input gradients ∂D(x_i)/∂x_i (flattened to `[n, features]`) from one forward
 * pass: both recorded on the active tape, so a loss of the scores and a penalty of the gradients differentiate back
 * through the same forward nodes (as PyTorch-GAN's `wgan_div.py` takes WGAN-div's gradients from the loss's own critic outputs).
 * Per sample only for critics that treat samples independently (no batch norm).
 *
 * @example
 * ```ts
 * import { mlpCritic, scoresAndInputGradient, tf } from "wgan-bench";
 * const critic = mlpCritic({ seed: 0, inputShape: [3], hiddenLayers: 0 }); // D(x) = w·x + b
 * const x = tf.randomNormal([2, 3]);
 * const { scores, gradient } = scoresAndInputGradient(critic, x);
 * const same = await tf.sub(scores, critic.apply(x)).abs().max().data();
 * if (gradient.shape.join() !== "2,3" || same[0] !== 0) throw new Error("the critic's own scores and ∂D/∂x");
 * ```
 */
export function scoresAndInputGradient(critic: Model, x: Tensor): { scores: Tensor; gradient: tf.Tensor2D } {
  // the value of a non-scalar f is differentiated as its sum (dy = ones), which gives each sample's ∂D(x_i)/∂x_i
  const { value, grad } = tf.valueAndGrad((input: Tensor) => critic.apply(input))(x);
  return { scores: value, gradient: grad.reshape([x.shape[0], -1]) as tf.Tensor2D };
}

/** Squared L2 norm of each row: `[n, f]` → `[n]` (example: {@linkcode criticInputGradient}). */
export function rowSquaredNorms(g: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.square(g), 1) as tf.Tensor1D;
}
