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
 */
export function criticInputGradient(critic: Model, x: Tensor): tf.Tensor2D {
  const g = tf.grad((input: Tensor) => tf.sum(critic.apply(input)))(x);
  return g.reshape([x.shape[0], -1]) as tf.Tensor2D;
}

/** Squared L2 norm of each row: `[n, f]` → `[n]`. */
export function rowSquaredNorms(g: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.square(g), 1) as tf.Tensor1D;
}
