/**
 * The raw TensorFlow.js engine: the one module that imports `@tensorflow/tfjs`, before the library's gradient
 * fixes (everything outside lib/backend imports `tf.ts`, which applies them). Importing it has no effect beyond the
 * union package's own registrations (its gradients and the `cpu` backend; `@tensorflow/tfjs-core` alone registers no
 * gradient under Deno): no backend is set, no other package is loaded. The wasm and webgpu packages are imported
 * by `selectBackend` when one of them is asked for.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
export type Scalar = tf.Scalar;

/** Whether the active backend registers `kernelName` (the fused kernels exist only on native). */
export function activeBackendHas(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/**
 * Silences the "you are running TensorFlow.js in Node.js" banner of the cpu backend and of the native backend
 * built on it (a library prints nothing). Called by `selectBackend`; the banner is a property of a backend
 * instance, so it only applies to backends already initialised.
 */
export function silenceCpuBanner(): void {
  for (const name of ["cpu", "native"]) {
    if (!tf.findBackendFactory(name)) continue;
    const backend = tf.findBackend(name) as { firstUse?: boolean } | null;
    if (backend?.firstUse) backend.firstUse = false;
  }
}
