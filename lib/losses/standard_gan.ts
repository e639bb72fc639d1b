/**
 * The standard GAN losses (Goodfellow et al., 2014) on critic logits, with the
 * non-saturating −log D(G(z)) generator loss: the baseline the WGAN paper
 * compares against. Written with softplus, which is log(1 + e^x) evaluated
 * stably: −log σ(x) = softplus(−x), −log(1 − σ(x)) = softplus(x).
 *
 * @module
 */
import { type Scalar, type Tensor, tf } from "../backend/tf.ts";

/**
 * Binary cross-entropy of the discriminator: E[−log σ(D(real))] + E[−log(1 − σ(D(fake)))].
 *
 * @example
 * ```ts
 * import { tf } from "wgan-bench";
 * import { standardGanCriticLoss } from "wgan-bench/losses";
 * const loss = await standardGanCriticLoss(tf.tensor1d([0]), tf.tensor1d([0])).data();
 * if (Math.abs(loss[0] - 2 * Math.log(2)) > 1e-6) throw new Error("expected 2 log 2");
 * ```
 */
export function standardGanCriticLoss(dReal: Tensor, dFake: Tensor): Scalar {
  return tf.add(tf.mean(tf.softplus(tf.neg(dReal))), tf.mean(tf.softplus(dFake))) as Scalar;
}

/**
 * Non-saturating generator loss E[−log σ(D(fake))].
 *
 * @example
 * ```ts
 * import { tf } from "wgan-bench";
 * import { standardGanGeneratorLoss } from "wgan-bench/losses";
 * const loss = await standardGanGeneratorLoss(tf.tensor1d([0])).data();
 * if (Math.abs(loss[0] - Math.log(2)) > 1e-6) throw new Error("expected log 2");
 * ```
 */
export function standardGanGeneratorLoss(dFake: Tensor): Scalar {
  return tf.mean(tf.softplus(tf.neg(dFake))) as Scalar;
}
