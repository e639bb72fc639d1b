/**
 * An experiment's arms resolved once into plain objects: every hyperparameter
 * of the algorithm and both networks, with the profile's settings applied.
 * These objects are what `--set` edits, what `config.json` and each run's
 * `config.json` record, and the only input the trainer is built from.
 *
 * @module
 */
import {
  type Activation,
  algorithm,
  type AlgorithmSpec,
  type CriticNorm,
  dcganCritic,
  dcganGenerator,
  type ImageSize,
  type Init,
  type LipschitzSpec,
  type LossName,
  mlpCritic,
  mlpGenerator,
  type Model,
  Rng,
  Trainer,
} from "../../mod.ts";
import type { Dataset } from "../../lib/data/dataset.ts";
import { ALGORITHMS } from "../../lib/algorithms/mod.ts";
import type { ArmSpec, ExperimentSpec, ModelSpec, Settings } from "./experiments.ts";

/** A built-in algorithm as plain data (no runtime loss or Lipschitz objects). */
export type AlgorithmConfig = Omit<AlgorithmSpec, "loss" | "lipschitz"> & { loss: LossName; lipschitz: LipschitzSpec };

/** An MLP network, fully specified. */
export interface MlpConfig {
  kind: "mlp";
  hidden: number;
  hiddenLayers: number;
  activation: Activation;
  init: Init;
  /** A generator's output activation (absent: none, the official MLP_G's). */
  outputActivation?: Activation;
}

/** A DCGAN generator, fully specified. */
export interface DcganGeneratorConfig {
  kind: "dcgan";
  width: number;
  batchNorm: boolean;
  filters: "pyramid" | "constant";
  init: Init;
}

/** A DCGAN critic, fully specified. */
export interface DcganCriticConfig {
  kind: "dcgan";
  width: number;
  norm: CriticNorm;
  init: Init;
}

/** A generator held fixed at the data plus N(0, sigma²·I): nothing to train. */
export interface NoisyDataConfig {
  kind: "noisy-data";
  sigma: number;
}

/** One arm, fully resolved. */
export interface ArmConfig {
  id: string;
  algorithm: AlgorithmConfig;
  generator: (MlpConfig | DcganGeneratorConfig | NoisyDataConfig) & { noiseDim: number };
  critic: MlpConfig | DcganCriticConfig;
}

/** A network's configuration from its spec under the run's settings. */
export function modelConfig(
  spec: ModelSpec,
  role: "generator" | "critic",
  s: Settings,
): MlpConfig | DcganGeneratorConfig | DcganCriticConfig | NoisyDataConfig {
  if (spec.kind === "noisy-data") {
    if (role === "critic") throw new RangeError("A critic cannot be the fixed noisy-data distribution");
    return { kind: "noisy-data", sigma: spec.sigma };
  }
  if (spec.kind === "mlp") {
    return {
      kind: "mlp",
      hidden: spec.hidden ?? s.hidden,
      hiddenLayers: spec.hiddenLayers,
      activation: spec.activation ?? "relu",
      init: spec.init ?? "dcgan",
      ...(role === "generator" && spec.outputActivation ? { outputActivation: spec.outputActivation } : {}),
    };
  }
  return role === "generator"
    ? {
      kind: "dcgan",
      width: spec.width ?? s.width,
      batchNorm: spec.batchNorm ?? true,
      filters: spec.filters ?? "pyramid",
      init: spec.init ?? "dcgan",
    }
    : { kind: "dcgan", width: spec.width ?? s.width, norm: spec.norm ?? "batch", init: spec.init ?? "dcgan" };
}

/** Resolves one arm of an experiment under the run's settings. */
export function resolveArm(experiment: ExperimentSpec, arm: ArmSpec, settings: Settings): ArmConfig {
  // the run's batch size and warm-up switch apply to every arm unless the arm sets its own; the warm-up only where
  // the algorithm has one (the clipped WGAN's Diters schedule)
  const spec = algorithm(arm.algorithm, {
    ...arm.overrides,
    batchSize: arm.overrides?.batchSize ?? settings.batchSize,
    dItersSchedule: arm.overrides?.dItersSchedule ??
      (settings.dItersSchedule && ALGORITHMS[arm.algorithm].dItersSchedule),
  });
  return {
    id: arm.id,
    algorithm: spec as AlgorithmConfig,
    generator: { ...modelConfig(arm.generator, "generator", settings), noiseDim: experiment.noiseDim } as ArmConfig[
      "generator"
    ],
    critic: modelConfig(arm.critic, "critic", settings) as ArmConfig["critic"],
  };
}

/** Every arm of an experiment, resolved. */
export function resolveArms(experiment: ExperimentSpec, settings: Settings): ArmConfig[] {
  return experiment.arms.map((a) => resolveArm(experiment, a, settings));
}

/** The library's algorithm spec of an arm (validated again by `algorithm()`). */
export function algorithmSpec(arm: ArmConfig): AlgorithmSpec {
  const { name, ...rest } = arm.algorithm;
  return algorithm(name, rest);
}

function buildModel(
  config: MlpConfig | DcganGeneratorConfig | DcganCriticConfig,
  role: "generator" | "critic",
  sampleShape: readonly number[],
  noiseDim: number,
  seed: number,
): Model {
  const shape = [...sampleShape];
  if (config.kind === "mlp") {
    const common = {
      seed,
      hidden: config.hidden,
      hiddenLayers: config.hiddenLayers,
      activation: config.activation,
      init: config.init,
    };
    return role === "generator"
      ? mlpGenerator({ ...common, noiseDim, outputShape: shape, outputActivation: config.outputActivation })
      : mlpCritic({ ...common, inputShape: shape });
  }
  const image = { seed, imageSize: shape[0] as ImageSize, channels: shape[2], width: config.width, init: config.init };
  if (role === "generator") {
    const g = config as DcganGeneratorConfig;
    return dcganGenerator({ ...image, noiseDim, batchNorm: g.batchNorm, filters: g.filters });
  }
  return dcganCritic({ ...image, norm: (config as DcganCriticConfig).norm });
}

/**
 * The trainer of an arm for a seed: both networks' initial weights and the
 * training streams derive from the seed.
 */
export function buildTrainer(arm: ArmConfig, data: Dataset, seed: number): Trainer {
  const root = new Rng(seed);
  const { noiseDim } = arm.generator;
  const g = arm.generator;
  return new Trainer({
    ...(g.kind === "noisy-data" ? { fixedGenerator: { sigma: g.sigma } } : {
      generator: buildModel(g, "generator", data.sampleShape, noiseDim, root.fork("generator-init").nextUint32()),
    }),
    critic: buildModel(arm.critic, "critic", data.sampleShape, noiseDim, root.fork("critic-init").nextUint32()),
    algorithm: algorithmSpec(arm),
    data,
    seed: root.fork("train").nextUint32(),
  });
}
