/**
 * The `native` backend: tfjs's cpu backend (same data storage, same kernels)
 * with matrix products, convolutions, transposes and the optimizer updates
 * replaced by OpenBLAS and fused loops (see `kernels.ts`).
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type Blas, loadBlas } from "./openblas.ts";
import { type CpuLikeBackend, nativeKernels } from "./kernels.ts";
import { elementwiseKernels } from "./elementwise.ts";

/** The outcome of registering the native backend: the BLAS behind it, or why there is none. */
export type NativeRegistration = { ok: true; blas: Blas } | { ok: false; why: string };

let registration: NativeRegistration | undefined;

/**
 * Registers the `native` backend with tfjs once per process (later calls
 * return the first outcome). Never throws; without OpenBLAS or `--allow-ffi`
 * the result says why in one line.
 *
 * @example
 * ```ts
 * import { registerNativeBackend } from "wgan-bench";
 * const r = registerNativeBackend();
 * console.log(r.ok ? `native: ${r.blas.config}` : `no native backend: ${r.why}`);
 * ```
 */
export function registerNativeBackend(): NativeRegistration {
  if (registration) return registration;
  registration = register();
  return registration;
}

function register(): NativeRegistration {
  const loaded = loadBlas();
  if (!loaded.ok) return loaded;
  const blas = loaded.blas;
  const threads = Deno.env.get("WGAN_BENCH_THREADS");
  if (threads !== undefined) {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 1) {
      return { ok: false, why: `WGAN_BENCH_THREADS must be a positive integer, got "${threads}"` };
    }
    blas.setThreads(n);
  }
  const cpu = tf.findBackend("cpu");
  if (!cpu) return { ok: false, why: "tfjs's cpu backend is not registered" };
  const CpuBackend = cpu.constructor as new () => tf.KernelBackend;
  const cpuKernels = new Map(tf.getKernelsForBackend("cpu").map((k) => [k.kernelName, k]));
  const fallback = (name: string) => {
    const k = cpuKernels.get(name);
    if (!k) throw new Error(`tfjs's cpu backend has no ${name} kernel`);
    return k.kernelFunc as unknown as (args: {
      inputs: Record<string, tf.TensorInfo>;
      backend: CpuLikeBackend;
      attrs?: tf.NamedAttrMap;
    }) => tf.TensorInfo | tf.TensorInfo[];
  };
  const own = { ...elementwiseKernels(fallback), ...nativeKernels(blas, fallback) };
  // Priority below cpu's: registering never changes which backend tfjs picks by itself.
  tf.registerBackend("native", () => new CpuBackend(), 0);
  for (const [kernelName, config] of cpuKernels) {
    if (kernelName in own) continue;
    tf.registerKernel({ ...config, backendName: "native" });
  }
  for (const [kernelName, kernelFunc] of Object.entries(own)) {
    tf.registerKernel({ kernelName, backendName: "native", kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  return { ok: true, blas };
}

/** Whether the active backend registers `kernelName` (the fused optimizer kernels exist only on native). */
export function activeBackendHas(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}
