/**
 * TensorFlow.js as the library uses it: the engine with the gradient fixes
 * registered. Every module of the library imports `tf` from here, so the fixes
 * are in place as soon as any part of the library is imported, whatever
 * backend is active and whether or not `selectBackend` is ever called.
 * Gradient registrations are global to the engine.
 *
 * @module
 */
import { applyGradientFixes } from "./gradient_fixes.ts";

export { silenceCpuBanner, tf } from "./tfjs.ts";
export type { Scalar, Tensor, Variable } from "./tfjs.ts";

applyGradientFixes();
