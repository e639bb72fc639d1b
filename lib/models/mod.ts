/**
 * Generators and critics built from raw tfjs ops with explicit, seeded variables.
 *
 * @module
 */
export { type Init, type Model, parameterCount } from "./model.ts";
export { activate, type Activation, batchNorm, layerNorm, ParameterFactory } from "./layers.ts";
export { mlpCritic, mlpGenerator, type MlpOptions } from "./mlp.ts";
export {
  type CriticNorm,
  dcganCritic,
  type DcganCriticOptions,
  dcganGenerator,
  type DcganGeneratorOptions,
  type ImageSize,
} from "./dcgan.ts";
export { sample, type SampleOptions } from "./sample.ts";
