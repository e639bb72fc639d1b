/**
 * wgan-bench: Wasserstein GANs (weight clipping, gradient penalty, Wasserstein
 * divergence) and the standard GAN on TensorFlow.js in Deno, with the
 * gradient fixes that make double backprop correct (registered when the
 * library is imported, for every backend).
 *
 * The surface, by job:
 * - **backend**: {@linkcode selectBackend}, {@linkcode availableBackends}, `tf`;
 * - **models**: {@linkcode mlpGenerator}, {@linkcode mlpCritic}, {@linkcode dcganGenerator},
 *   {@linkcode dcganCritic}, {@linkcode sample}, {@linkcode saveWeights}, {@linkcode loadWeights};
 * - **algorithms**: {@linkcode algorithm} (wgan, wgan-gp, wgan-div, gan) = a loss
 *   ({@linkcode AdversarialLoss}) + a Lipschitz term ({@linkcode LipschitzTerm}) + an optimizer
 *   ({@linkcode createOptimizer}); your own loss or term plugs in as an object;
 * - **training**: {@linkcode Trainer}, {@linkcode train};
 * - **data**: {@linkcode toyDataset}, {@linkcode loadMnist}, {@linkcode loadFashionMnist},
 *   {@linkcode loadIdxImages}, {@linkcode loadCifar10}, {@linkcode loadGtsrb}, {@linkcode loadImageFolder}, {@linkcode imageDataset};
 * - **metrics**: {@linkcode exactW1}, {@linkcode modeCoverage}, {@linkcode frechetDistance},
 *   {@linkcode kernelDistance}, {@linkcode classCoverage}, {@linkcode calibrateRecognisability},
 *   {@linkcode trainClassifier};
 * - **randomness**: {@linkcode Rng}.
 *
 * Internals and building blocks live on subpaths: `wgan-bench/backend` (gradient
 * fixes, the native backend), `wgan-bench/models` (layers), `wgan-bench/losses`,
 * `wgan-bench/lipschitz`, `wgan-bench/optim`, `wgan-bench/train` (single steps),
 * `wgan-bench/data` (IDX parsing, samplers, toy modes), `wgan-bench/metrics`
 * (assignment, eigensolver), `wgan-bench/ops` (transposed convolution).
 *
 * @example Train a WGAN-GP on a 2-D toy and draw samples
 * ```ts
 * import { algorithm, mlpCritic, mlpGenerator, sample, toyDataset, train, Trainer } from "wgan-bench";
 * const trainer = new Trainer({
 *   generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 16, hiddenLayers: 2 }),
 *   critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 16, hiddenLayers: 2, activation: "leaky-relu" }),
 *   algorithm: algorithm("wgan-gp", { batchSize: 32 }),
 *   data: toyDataset("8gaussians"),
 *   seed: 0,
 * });
 * const estimates: number[] = [];
 * await train(trainer, { iterations: 3, onLog: (s) => { estimates.push(s.wassersteinEstimate); } });
 * const points = await sample(trainer.generator, 100, { seed: 0 });
 * if (estimates.length !== 3 || points.length !== 200) throw new Error("3 logged iterations, 100 points");
 * trainer.dispose();
 * ```
 *
 * @module
 */
export {
  availableBackends,
  type BackendInfo,
  type BackendName,
  BackendUnavailableError,
  type Scalar,
  selectBackend,
  type Tensor,
  tf,
  type Variable,
} from "./lib/backend/mod.ts";
export {
  type Activation,
  type CriticNorm,
  dcganCritic,
  type DcganCriticOptions,
  dcganGenerator,
  type DcganGeneratorOptions,
  type ImageSize,
  type Init,
  mlpCritic,
  mlpGenerator,
  type MlpOptions,
  type Model,
  parameterCount,
  sample,
  type SampleOptions,
} from "./lib/models/mod.ts";
export { loadWeights, saveWeights } from "./lib/io/weights.ts";
export { type AdversarialLoss, adversarialLoss, type LossName } from "./lib/losses/mod.ts";
export {
  criticInputGradient,
  gradientPenalty,
  interpolatedWassersteinDivergence,
  interpolates,
  type LipschitzSpec,
  type LipschitzTerm,
  lipschitzTerm,
  rowSquaredNorms,
  scoredWassersteinDivergence,
  scoresAndInputGradient,
  wassersteinDivergence,
} from "./lib/lipschitz/mod.ts";
export { createOptimizer, type Optimizer, type OptimizerSpec } from "./lib/optim/mod.ts";
export {
  algorithm,
  ALGORITHM_NAMES,
  type AlgorithmName,
  type AlgorithmOverrides,
  type AlgorithmSpec,
  criticIterations,
} from "./lib/algorithms/mod.ts";
export {
  DataFileError,
  type Dataset,
  type ImageDataset,
  imageDataset,
  loadCifar10,
  loadFashionMnist,
  loadGtsrb,
  loadIdxImages,
  loadImageFolder,
  loadMnist,
  TOY_NAMES,
  toyDataset,
  type ToyName,
} from "./lib/data/mod.ts";
export {
  calibrateRecognisability,
  classCoverage,
  exactW1,
  type FeatureClassifier,
  frechetDistance,
  kernelDistance,
  modeCoverage,
  type Recognisability,
  type RecognisableJudgements,
  trainClassifier,
} from "./lib/metrics/mod.ts";
export {
  type FixedGenerator,
  type IterationStats,
  train,
  Trainer,
  type TrainerOptions,
  type TrainerState,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
} from "./lib/train/mod.ts";
export { Rng } from "./lib/random.ts";
