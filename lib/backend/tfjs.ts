/**
 * The one place TensorFlow.js is imported (the raw engine, before the
 * library's gradient fixes; everything else imports `tf.ts`). The union package `@tensorflow/tfjs`
 * registers every gradient (importing `@tensorflow/tfjs-core` alone registers
 * none under Deno); the wasm and webgpu packages register their backends on the
 * same engine.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
import "npm:@tensorflow/tfjs-backend-webgpu@4.22.0";
import { registerWebGpuBackend } from "./webgpu.ts";

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
export type Scalar = tf.Scalar;

/** Whether the active backend registers `kernelName` (the fused kernels exist only on native). */
export function activeBackendHas(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/**
 * Silences the "you are running TensorFlow.js in Node.js" banner of the cpu
 * backend and of the native backend built on it (a library prints nothing).
 */
export function silenceCpuBanner(): void {
  for (const name of ["cpu", "native"]) {
    if (!tf.findBackendFactory(name)) continue;
    const backend = tf.findBackend(name) as { firstUse?: boolean } | null;
    if (backend?.firstUse) backend.firstUse = false;
  }
}

// tfjs-backend-webgpu's factory fails under Deno on real GPUs: the library's replaces it (see webgpu.ts)
registerWebGpuBackend(tf);

// tfjs would otherwise default to webgpu, whose asynchronous start makes any
// op before `await tf.ready()` throw. The cpu backend starts synchronously, so
// the library works on import; `selectBackend()` picks the fast one.
if (!tf.getBackend() || tf.getBackend() !== "cpu") {
  void tf.setBackend("cpu");
  silenceCpuBanner();
}
