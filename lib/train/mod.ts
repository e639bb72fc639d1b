/**
 * Critic/generator steps and the training loop.
 *
 * @module
 */
export {
  criticStep,
  type CriticStepContext,
  generatorStep,
  type GeneratorStepContext,
  scoreBoth,
  updateCosine,
} from "./steps.ts";
export {
  type FixedGenerator,
  isFiniteStats,
  type IterationStats,
  train,
  Trainer,
  type TrainerOptions,
  type TrainerState,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
} from "./trainer.ts";
