/**
 * The `native` backend: tfjs's cpu backend (same data storage, same kernels)
 * with matrix products, convolutions, transposes and the optimizer updates
 * replaced by OpenBLAS or oneDNN's sgemm ({@linkcode chooseGemm}), oneDNN's
 * primitives and fused loops (see `kernels.ts`).
 *
 * @module
 */
import { tf } from "../engine.ts";
import { type Blas, loadBlas } from "./openblas.ts";
import { loadOneDnn, type OneDnn } from "./onednn.ts";
import { type CpuLikeBackend, nativeKernels } from "./kernels.ts";
import { elementwiseKernels } from "./elementwise.ts";
import { escape, release } from "./pool.ts";

/** The part of tfjs's cpu backend class the native backend overrides. */
interface CpuBackendInstance extends tf.KernelBackend {
  data: { get(dataId: object): { values: unknown; refCount: number } | undefined; has(dataId: object): boolean };
}
type CpuBackendClass = new () => CpuBackendInstance;

/** tfjs kernels that may return a view of their input's buffer (a simple slice is a `subarray`). */
const ALIASING_KERNELS = ["Slice", "StridedSlice", "SplitV", "Unpack", "BatchToSpaceND", "Real", "Imag", "Complex"];

/**
 * tfjs's cpu backend class, plus the bookkeeping of `pool.ts`: values handed
 * out by `readSync`/`read` escape (never recycled); deleted data returns its
 * buffer to the pool.
 */
function nativeBackendClass(Cpu: CpuBackendClass): CpuBackendClass {
  return class NativeBackend extends Cpu {
    override readSync(dataId: object): tf.backend_util.BackendValues {
      escape(this.data.get(dataId)?.values);
      return super.readSync(dataId);
    }
    override read(dataId: object): Promise<tf.backend_util.BackendValues> {
      escape(this.data.get(dataId)?.values);
      return super.read(dataId);
    }
    override disposeData(dataId: object, force = false): boolean {
      const values = this.data.get(dataId)?.values;
      const disposed = super.disposeData(dataId, force);
      if (!this.data.has(dataId)) release(values);
      return disposed;
    }
  };
}

/**
 * The outcome of registering the native backend: the BLAS (and oneDNN, for
 * convolutions) behind it, or why there is none. Without oneDNN the backend
 * still registers, with im2col convolutions on the BLAS; `dnnlSkipped` says why.
 */
export type NativeRegistration =
  | {
    ok: true;
    blas: Blas;
    dnnl?: OneDnn;
    dnnlSkipped?: string;
    /** The matrix products' library: `blas`, or oneDNN's sgemm (see {@linkcode chooseGemm}). */
    gemm: Gemm;
  }
  | { ok: false; why: string };

/** The library behind the native backend's matrix products (and the im2col convolutions without oneDNN). */
export interface Gemm extends Blas {
  /** `openblas` or `onednn`. */
  readonly library: "openblas" | "onednn";
  /** Why this one: the rule's reason, or the `WGAN_BENCH_GEMM` override. */
  readonly why: string;
}

/**
 * Which library multiplies the matrices. oneDNN's JIT sgemm where oneDNN runs AVX-512 kernels: Debian's OpenBLAS
 * 0.3.21 picks its Haswell (AVX2) kernels on AVX-512 CPUs it does not know, and on this project's 2-core AMD EPYC
 * machines oneDNN's sgemm did the MLP critic's products at ~200 GFLOP/s on one thread against OpenBLAS's ~100
 * (docs/measurements.md). Elsewhere OpenBLAS, as before. A fixed rule (the CPU's ISA), never a timing race, so that
 * one machine always computes the same numbers. `WGAN_BENCH_GEMM=openblas|onednn` overrides it.
 */
export function chooseGemm(
  blas: Blas,
  dnnl: OneDnn | undefined,
  override = Deno.env.get("WGAN_BENCH_GEMM"),
): Gemm | string {
  const fromBlas = (why: string): Gemm => ({ ...blas, library: "openblas", why });
  const fromDnnl = (d: OneDnn, why: string): Gemm => ({
    path: d.path,
    config: d.description,
    sgemm: d.sgemm,
    getThreads: d.getThreads,
    setThreads: d.setThreads,
    library: "onednn",
    why,
  });
  if (override !== undefined && override !== "") {
    if (override === "openblas") return fromBlas("WGAN_BENCH_GEMM=openblas");
    if (override === "onednn") {
      return dnnl
        ? fromDnnl(dnnl, "WGAN_BENCH_GEMM=onednn")
        : "WGAN_BENCH_GEMM=onednn, but oneDNN is not loaded (install libdnnl2, and leave WGAN_BENCH_DNNL unset)";
    }
    return `WGAN_BENCH_GEMM must be openblas or onednn, got "${override}"`;
  }
  return dnnl?.avx512
    ? fromDnnl(dnnl, "oneDNN runs AVX-512 kernels on this CPU")
    : fromBlas(dnnl ? "oneDNN has no AVX-512 kernels on this CPU" : "oneDNN is not loaded");
}

let registration: NativeRegistration | undefined;

/**
 * Registers the `native` backend with tfjs once per process (later calls
 * return the first outcome). Never throws; without OpenBLAS or `--allow-ffi`
 * the result says why in one line.
 *
 * @example
 * ```ts
 * import { registerNativeBackend } from "wgan-bench/backend";
 * const r = registerNativeBackend();
 * // once per process: a second call gives the same outcome; without OpenBLAS it says why in one line
 * if (registerNativeBackend() !== r || (!r.ok && (r.why.length === 0 || r.why.includes("\n")))) {
 *   throw new Error("one registration, one-line reason");
 * }
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
  const useDnnl = Deno.env.get("WGAN_BENCH_DNNL") !== "off";
  const dnnlLoad = useDnnl ? loadOneDnn() : undefined;
  const dnnl = dnnlLoad?.ok ? dnnlLoad.dnnl : undefined;
  const dnnlSkipped = !useDnnl
    ? "oneDNN convolutions turned off by WGAN_BENCH_DNNL=off"
    : dnnlLoad && !dnnlLoad.ok
    ? dnnlLoad.why
    : undefined;
  const gemm = chooseGemm(blas, dnnl);
  if (typeof gemm === "string") return { ok: false, why: gemm };
  const threads = Deno.env.get("WGAN_BENCH_THREADS");
  if (threads !== undefined) {
    const n = Number(threads);
    if (!Number.isInteger(n) || n < 1) {
      return { ok: false, why: `WGAN_BENCH_THREADS must be a positive integer, got "${threads}"` };
    }
    blas.setThreads(n);
    dnnl?.setThreads(n);
  }
  const cpu = tf.findBackend("cpu");
  if (!cpu) return { ok: false, why: "tfjs's cpu backend is not registered" };
  const NativeBackend = nativeBackendClass(cpu.constructor as CpuBackendClass);
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
  const own = { ...elementwiseKernels(fallback, dnnl, gemm), ...nativeKernels(gemm, dnnl, fallback) };
  // Priority below cpu's: registering never changes which backend tfjs picks by itself.
  tf.registerBackend("native", () => new NativeBackend(), 0);
  for (const [kernelName, config] of cpuKernels) {
    if (kernelName in own) continue;
    if (ALIASING_KERNELS.includes(kernelName)) {
      // Their outputs may view their inputs' buffers: those buffers must never be recycled.
      const inner = config.kernelFunc;
      const kernelFunc: tf.KernelFunc = (args) => {
        const backend = args.backend as unknown as CpuBackendInstance;
        for (const t of Object.values(args.inputs)) if (t) escape(backend.data.get(t.dataId)?.values);
        return inner(args);
      };
      tf.registerKernel({ ...config, backendName: "native", kernelFunc });
      continue;
    }
    tf.registerKernel({ ...config, backendName: "native" });
  }
  for (const [kernelName, kernelFunc] of Object.entries(own)) {
    tf.registerKernel({ kernelName, backendName: "native", kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  }
  return { ok: true, blas, dnnl, dnnlSkipped, gemm };
}
