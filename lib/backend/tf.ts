/**
 * TensorFlow.js as the library uses it: the engine (`engine.ts`) with the gradient fixes registered. Every module
 * of the library outside lib/backend imports `tf` from here, so the fixes are in place as soon as any part of the
 * library is imported, whatever backend becomes active and whether or not `selectBackend` is ever called. Gradient
 * registrations are global to the engine; registering them is all that importing the library does.
 *
 * @module
 */
import { applyGradientFixes } from "./gradient_fixes.ts";

export { activeBackendHas, silenceCpuBanner, tf } from "./engine.ts";
export type { Scalar, Tensor, Variable } from "./engine.ts";

applyGradientFixes();
