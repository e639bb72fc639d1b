/**
 * Optimizers with PyTorch semantics.
 *
 * @module
 */
export { createOptimizer, type Optimizer, type OptimizerSpec, type OptimizerState } from "./optimizer.ts";
