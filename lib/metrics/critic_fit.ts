/**
 * How well a critic trained against a fixed distribution fits the optimal one (WGAN-GP Fig. 1a): its Wasserstein
 * estimate on two samples scaled to a 1-Lipschitz function, as a share of the exact W1 between them.
 *
 * By Kantorovich–Rubinstein duality on the finite set of both samples' points, for any function f whose Lipschitz
 * constant on that set is L (`pairLipschitz`), (E_P f − E_Q f) / L ≤ W1(P, Q), with equality exactly when f is an
 * optimal potential there. A critic that learns "too simple a function" (the paper's finding for weight clipping)
 * falls short of W1 whatever its scale; the share is at most 1 for every critic.
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";

/**
 * The Lipschitz constant of a function restricted to a finite point set: the largest |f(x) − f(y)| / ‖x − y‖ over all
 * pairs of distinct points (`points`: `[n, dim]`, `values`: f at each). This is the constant Kantorovich–Rubinstein
 * duality needs for two samples drawn from these points — (E_P f − E_Q f) / L ≤ W1(P, Q) exactly, whatever f does
 * between them — and it is computed exactly, in float64, over all n(n − 1)/2 pairs (NaN when a value is not finite).
 *
 * @example
 * ```ts
 * import { pairLipschitz } from "wgan-bench/metrics";
 * // f = 2x on the line: every pair's slope is 2
 * if (pairLipschitz(new Float32Array([0, 1, 3]), new Float32Array([0, 2, 6]), 1) !== 2) throw new Error();
 * ```
 */
export function pairLipschitz(points: Float32Array, values: Float32Array, dim: number): number {
  const n = values.length;
  if (points.length !== n * dim) {
    throw new RangeError(`Cannot pair ${points.length / dim} points of dimension ${dim} with ${n} values`);
  }
  let largest = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(values[i])) return NaN;
    for (let j = i + 1; j < n; j++) {
      let sq = 0;
      for (let d = 0; d < dim; d++) sq += (points[i * dim + d] - points[j * dim + d]) ** 2;
      if (sq > 0) largest = Math.max(largest, Math.abs(values[i] - values[j]) / Math.sqrt(sq));
    }
  }
  return largest;
}

/**
 * The share of W1 a critic's estimate reaches once scaled to be 1-Lipschitz: `estimate / (lipschitz · w1)`, all three
 * on the same two samples (see the module's note: in [−1, 1] with `pairLipschitz`; NaN when any is not finite or w1 or
 * lipschitz is 0).
 */
export function lipschitzScaledShare(estimate: number, lipschitz: number, w1: number): number {
  return lipschitz > 0 && w1 > 0 && Number.isFinite(estimate) ? estimate / (lipschitz * w1) : NaN;
}

/**
 * The critic's value on a `side` × `side` grid over [−range, range]², row 0 at the top (y = range): its value surface,
 * as WGAN-GP Fig. 1a draws it. 2-D critics only.
 */
export async function valueSurface(critic: Model, side: number, range: number): Promise<Float32Array> {
  if (critic.inputShape.length !== 1 || critic.inputShape[0] !== 2) {
    throw new RangeError(`Cannot draw the value surface of a critic of input shape ${critic.inputShape.join("x")}`);
  }
  const grid = new Float32Array(side * side * 2);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      grid[2 * (r * side + c)] = -range + 2 * range * c / (side - 1);
      grid[2 * (r * side + c) + 1] = range - 2 * range * r / (side - 1);
    }
  }
  const values = tf.tidy((): Tensor => critic.apply(tf.tensor(grid, [side * side, 2])).reshape([-1]));
  const out = new Float32Array(await values.data());
  values.dispose();
  return out;
}
