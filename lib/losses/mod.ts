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

/** A critic loss and a generator loss, both on raw critic outputs. */
export interface AdversarialLoss {
  readonly name: LossName;
  critic(dReal: Tensor, dFake: Tensor): Scalar;
  generator(dFake: Tensor): Scalar;
}

/**
 * The loss pair named `name`.
 *
 * @example
 * ```ts
 * import { adversarialLoss, tf } from "wgan-bench";
 * const loss = adversarialLoss("wasserstein");
 * loss.generator(tf.tensor1d([1])).dispose();
 * ```
 */
export function adversarialLoss(name: LossName): AdversarialLoss {
  switch (name) {
    case "wasserstein":
      return { name, critic: wassersteinCriticLoss, generator: wassersteinGeneratorLoss };
    case "standard":
      return { name, critic: standardGanCriticLoss, generator: standardGanGeneratorLoss };
  }
}
