/**
 * wgan-bench: Wasserstein GANs (weight clipping, gradient penalty, Wasserstein
 * divergence) and the standard GAN on TensorFlow.js in Deno, with the
 * gradient fixes that make double backprop correct.
 *
 * @example
 * ```ts
 * import { algorithm, mlpCritic, mlpGenerator, selectBackend, toyDataset, train, Trainer } from "wgan-bench";
 * await selectBackend("cpu");
 * const trainer = new Trainer({
 *   generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 16, hiddenLayers: 2 }),
 *   critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 16, hiddenLayers: 2 }),
 *   algorithm: algorithm("wgan-gp", { batchSize: 32 }),
 *   data: toyDataset("8gaussians"),
 *   seed: 0,
 * });
 * await train(trainer, { iterations: 3, onLog: (s) => console.log(s.wassersteinEstimate) });
 * trainer.dispose();
 * ```
 *
 * @module
 */
export * from "./lib/backend/mod.ts";
export * from "./lib/models/mod.ts";
export * from "./lib/losses/mod.ts";
export * from "./lib/lipschitz/mod.ts";
export * from "./lib/optim/mod.ts";
export * from "./lib/algorithms/mod.ts";
export * from "./lib/data/mod.ts";
export * from "./lib/metrics/mod.ts";
export * from "./lib/train/mod.ts";
export { conv2dTranspose } from "./lib/ops/conv_transpose.ts";
export { Rng, type RngState } from "./lib/random.ts";
