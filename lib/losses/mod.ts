/**
 * Loss terms: Wasserstein and the standard GAN.
 *
 * @module
 */
import type { Scalar, Tensor } from "../backend/tf.ts";
import { wassersteinCriticLoss, wassersteinGeneratorLoss } from "./wasserstein.ts";
import { standardGanCriticLoss, standardGanGeneratorLoss } from "./standard_gan.ts";

export { wassersteinCriticLoss, wassersteinGeneratorLoss } from "./wasserstein.ts";
export { standardGanCriticLoss, standardGanGeneratorLoss } from "./standard_gan.ts";

/** The adversarial losses an algorithm can use. */
export type LossName = "wasserstein" | "standard";

/**
 * A critic loss and a generator loss, both on raw critic outputs (one score
 * per sample). Implement it to train with a loss of your own: pass the object
 * as `algorithm(name, { loss })`.
 *
 * @example The hinge loss (SN-GAN, BigGAN) with a gradient penalty, trained on a toy
 * ```ts
 * import { type AdversarialLoss, algorithm, mlpCritic, mlpGenerator, tf, toyDataset, train, Trainer } from "wgan-bench";
 * const hinge: AdversarialLoss = {
 *   name: "hinge",
 *   critic: (dReal, dFake) => tf.add(tf.mean(tf.relu(tf.sub(1, dReal))), tf.mean(tf.relu(tf.add(1, dFake)))),
 *   generator: (dFake) => tf.neg(tf.mean(dFake)),
 * };
 * const trainer = new Trainer({
 *   generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 16, hiddenLayers: 2 }),
 *   critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 16, hiddenLayers: 2 }),
 *   algorithm: algorithm("wgan-gp", { loss: hinge, batchSize: 32 }),
 *   data: toyDataset("8gaussians"),
 *   seed: 0,
 * });
 * const { stats } = await train(trainer, { iterations: 2 });
 * // hinge critic loss at initialisation (outputs ≈ 0) is ≈ 2
 * if (!stats || Math.abs(stats.criticLoss - stats.penalty - 2) > 0.5) throw new Error(`${stats?.criticLoss}`);
 * trainer.dispose();
 * ```
 */
export interface AdversarialLoss {
  /** A short name for logs, e.g. "wasserstein" or "hinge". */
  readonly name: string;
  /** Minimised by the critic. */
  critic(dReal: Tensor, dFake: Tensor): Scalar;
  /** Minimised by the generator. */
  generator(dFake: Tensor): Scalar;
}

/** True for a runtime loss object (as opposed to a built-in name). */
export function isAdversarialLoss(x: unknown): x is AdversarialLoss {
  return typeof x === "object" && x !== null && typeof (x as AdversarialLoss).critic === "function" &&
    typeof (x as AdversarialLoss).generator === "function";
}

/**
 * The loss pair named `name`; a loss object is returned as it is.
 *
 * @example
 * ```ts
 * import { adversarialLoss, tf } from "wgan-bench";
 * const loss = adversarialLoss("wasserstein");
 * // E[D(fake)] − E[D(real)] and −E[D(fake)]
 * const c = await loss.critic(tf.tensor1d([3, 1]), tf.tensor1d([0.5, -0.5])).data();
 * const g = await loss.generator(tf.tensor1d([0.5, -0.5])).data();
 * if (c[0] !== -2 || g[0] !== -0) throw new Error(`critic ${c[0]}, generator ${g[0]}`);
 * ```
 */
export function adversarialLoss(loss: LossName | AdversarialLoss): AdversarialLoss {
  if (isAdversarialLoss(loss)) return loss;
  switch (loss) {
    case "wasserstein":
      return { name: loss, critic: wassersteinCriticLoss, generator: wassersteinGeneratorLoss };
    case "standard":
      return { name: loss, critic: standardGanCriticLoss, generator: standardGanGeneratorLoss };
  }
  throw new RangeError(`Cannot use loss "${loss}": unknown name (choose wasserstein or standard, or pass an object)`);
}
