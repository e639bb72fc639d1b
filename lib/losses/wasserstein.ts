/**
 * The Wasserstein critic and generator losses (Arjovsky et al., 2017).
 * The critic minimises E[D(fake)] − E[D(real)], so the negative of its loss,
 * E[D(real)] − E[D(fake)], is the Wasserstein estimate the papers plot.
 *
 * @module
 */
import { type Scalar, type Tensor, tf } from "../backend/tf.ts";

/**
 * E[D(fake)] − E[D(real)] (minimised by the critic).
 *
 * @example
 * ```ts
 * import { tf } from "wgan-bench";
 * import { wassersteinCriticLoss } from "wgan-bench/losses";
 * const loss = wassersteinCriticLoss(tf.tensor1d([3, 5]), tf.tensor1d([1, 1]));
 * if ((await loss.data())[0] !== -3) throw new Error("expected 1 - 4");
 * ```
 */
export function wassersteinCriticLoss(dReal: Tensor, dFake: Tensor): Scalar {
  return tf.sub(tf.mean(dFake), tf.mean(dReal)) as Scalar;
}

/**
 * −E[D(fake)] (minimised by the generator).
 *
 * @example
 * ```ts
 * import { tf } from "wgan-bench";
 * import { wassersteinGeneratorLoss } from "wgan-bench/losses";
 * const loss = wassersteinGeneratorLoss(tf.tensor1d([1, 3]));
 * if ((await loss.data())[0] !== -2) throw new Error("expected -2");
 * ```
 */
export function wassersteinGeneratorLoss(dFake: Tensor): Scalar {
  return tf.neg(tf.mean(dFake)) as Scalar;
}
