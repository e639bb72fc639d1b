/**
 * Inactive units of a network's hidden layers: a diagnostic for a critic whose ReLU units die (the official WGAN
 * code's MLP critic loses its last hidden layer near iteration 2,000: the layer's output becomes zero for real and
 * generated images alike, the critic's output constant, and the generator's gradient vanishes).
 *
 * @module
 */
import { type Tensor, tf } from "../backend/tf.ts";
import type { Model } from "../models/model.ts";

/**
 * Per hidden layer of `model` (first layer first), the share of its units that are inactive on the whole batch
 * `x`: the unit's pre-activation is ≤ 0 for every sample and, in a convolution, every position (a unit of a
 * convolution is a channel). Under ReLU such a unit passes no gradient for the batch; when that holds on real and
 * generated batches alike, it is dead. Under LeakyReLU it is only inactive (its slope passes a little gradient).
 * Reads from the device; changes nothing.
 *
 * @example
 * ```ts
 * import { mlpCritic, tf } from "wgan-bench";
 * import { inactiveUnitShares } from "wgan-bench/metrics";
 * const critic = mlpCritic({ seed: 0, inputShape: [2], hidden: 8, hiddenLayers: 2 });
 * const x = tf.randomNormal([64, 2]);
 * const shares = await inactiveUnitShares(critic, x);
 * if (shares.length !== 2 || shares.some((s) => s < 0 || s > 1)) throw new Error("one share per hidden layer");
 * x.dispose();
 * critic.dispose();
 * ```
 */
export async function inactiveUnitShares(model: Model, x: Tensor): Promise<number[]> {
  if (!model.hidden) {
    throw new RangeError(`Cannot count inactive units of "${model.description}": it does not expose its hidden layers`);
  }
  const maxima = tf.tidy(() =>
    model.hidden!(x).map((h) => {
      const units = h.shape[h.shape.length - 1];
      return tf.max(h.reshape([-1, units]), 0);
    })
  );
  const shares: number[] = [];
  for (const m of maxima) {
    const v = await m.data();
    let inactive = 0;
    for (const a of v) if (!(a > 0)) inactive++;
    shares.push(inactive / v.length);
    m.dispose();
  }
  return shares;
}
