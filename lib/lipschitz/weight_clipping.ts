/**
 * Weight clipping (Arjovsky et al., 2017, Algorithm 1): after every critic
 * update each weight is clamped to [−c, c].
 *
 * @module
 */
import { tf, type Variable } from "../backend/tf.ts";

/**
 * Clamps every variable to [−c, c] in place.
 *
 * @example
 * ```ts
 * import { tf } from "wgan-bench";
 * import { clipWeights } from "wgan-bench/lipschitz";
 * const v = tf.variable(tf.tensor1d([-1, 0.005, 2]));
 * clipWeights([v], 0.01);
 * const x = await v.data();
 * if (x[0] !== Math.fround(-0.01) || x[2] !== Math.fround(0.01)) throw new Error("not clipped");
 * ```
 */
export function clipWeights(variables: readonly Variable[], c: number): void {
  if (!(c > 0)) throw new RangeError(`Cannot clip weights: the clip value must be positive, got ${c}`);
  tf.tidy(() => {
    for (const v of variables) v.assign(tf.clipByValue(v, -c, c));
  });
}
