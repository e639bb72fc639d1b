/**
 * Names of the kernels the native backend adds to tfjs. A leaf module: models, optimizers and the gradient fixes
 * ask `activeBackendHas(NAME)` and dispatch to them without importing the native backend itself.
 *
 * @module
 */

/** Batch norm forward: outputs `[y, mean, variance]` (the statistics for the backward kernel). */
export const BATCH_NORM_KERNEL = "WganBenchBatchNorm";
/** Batch norm backward (inputs `dy, x, gamma, mean, variance`, attribute `eps`): outputs `[dx, dGamma, dBeta]`. */
export const BATCH_NORM_GRAD_KERNEL = "WganBenchBatchNormGrad";
/** `x` (dimensions 1 or the target's) repeated to `attrs.shape` of the same rank. */
export const BROADCAST_KERNEL = "WganBenchBroadcastTo";
/** `dy · (x > 0 ? 1 : alpha)` (alpha 0 for ReLU): inputs `dy`, `x`. */
export const LEAKY_RELU_GRAD_KERNEL = "WganBenchLeakyReluGrad";
/** One fused RMSProp update of a variable (the native optimizer kernels). */
export const RMSPROP_KERNEL = "WganBenchRMSPropUpdate";
/** One fused Adam update of a variable. */
export const ADAM_KERNEL = "WganBenchAdamUpdate";
