/**
 * Backend selection: native (OpenBLAS through Deno FFI), cpu, wasm, webgpu,
 * tensorflow (tfjs-node), or auto.
 *
 * @module
 */
import { silenceCpuBanner, tf } from "./tf.ts";
import { type NativeRegistration, registerNativeBackend } from "./native/native_backend.ts";
import {
  describeAdapter,
  prepareWgpu,
  registerWebGpuBackend,
  type WebGpuAdapterFacts,
  webGpuAdapterFacts,
} from "./webgpu.ts";

/** A backend a user can ask for. */
export type BackendName = "native" | "cpu" | "wasm" | "webgpu" | "tensorflow" | "auto";

/** Every name `selectBackend` accepts. */
export const BACKEND_NAMES: readonly BackendName[] = [
  "auto",
  "native",
  "cpu",
  "wasm",
  "webgpu",
  "tensorflow",
];

/** What was selected, for result rows and logs. */
export interface BackendInfo {
  /** The backend now active in tfjs (never "auto"). */
  name: Exclude<BackendName, "auto">;
  /** What the caller asked for. */
  requested: BackendName;
  /** Human-readable device: the WebGPU adapter, "wasm (SIMD, 1 thread)", "JavaScript", ... */
  device: string;
  /** True for a software WebGPU adapter (lavapipe/llvmpipe/SwiftShader). */
  isFallbackAdapter: boolean;
  /** With webgpu: the adapter's name, limits and the features requested for the device. */
  adapter?: WebGpuAdapterFacts;
  /** tfjs version string. */
  tfjsVersion: string;
  /**
   * CPU threads the backend's kernels use: OpenBLAS's and oneDNN's for native (the rounding of its sums depends
   * on it), 1 for the others (cpu and wasm run on one thread; webgpu and tensorflow count their own device).
   */
  threads: number;
  /**
   * What was left out, one line each: with `auto`, why faster CPU backends that were tried were skipped (e.g. no
   * OpenBLAS); with native, why its convolutions run without oneDNN (e.g. `libdnnl2` not installed).
   */
  skipped: string[];
}

/**
 * Thrown when a requested backend cannot be initialised; the message is one
 * line with the reason and the backends that do work here.
 *
 * @example
 * ```ts
 * import { BackendUnavailableError, selectBackend } from "wgan-bench";
 * try {
 *   await selectBackend("cuda" as never);
 *   throw new Error("unreachable");
 * } catch (e) {
 *   if (!(e instanceof BackendUnavailableError) || !/unknown name/.test(e.message)) throw e;
 * }
 * ```
 */
export class BackendUnavailableError extends Error {
  override name = "BackendUnavailableError";
}

interface Probe {
  ok: boolean;
  why: string;
  device: string;
  isFallbackAdapter: boolean;
  adapter?: WebGpuAdapterFacts;
}

/**
 * "OpenBLAS 0.3.21 (Cooperlake kernels)" from OpenBLAS's build string ("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH
 * NO_AFFINITY Cooperlake MAX_THREADS=64"): the kernel family is what makes float results machine-specific.
 */
function blasName(config: string): string {
  const words = config.split(" ");
  const core = words.find((w, i) => i >= 2 && /^[A-Z][A-Za-z0-9]+$/.test(w) && !/^[A-Z0-9_]+$/.test(w));
  return `${words.slice(0, 2).join(" ")}${core ? ` (${core} kernels)` : ""}`;
}

/**
 * The native backend in words: which library multiplies the matrices, which runs the convolutions, and the threads
 * each uses (both, when they differ: a result row must not say one thread while oneDNN ran two).
 */
function nativeDevice(native: Extract<NativeRegistration, { ok: true }>): string {
  const { blas, dnnl, gemm } = native;
  const products = gemm.library === "onednn" ? `${gemm.config} sgemm` : `${blasName(blas.config)} sgemm`;
  const convolutions = dnnl
    ? gemm.library === "onednn" ? " and convolutions" : ` + ${dnnl.description} convolutions`
    : "";
  // with oneDNN's sgemm OpenBLAS does no work, and its thread count says nothing
  const dnnlThreads = dnnl?.getThreads(),
    blasThreads = gemm.library === "onednn" ? gemm.getThreads() : blas.getThreads();
  const threads = dnnlThreads === undefined || blasThreads === dnnlThreads
    ? `${blasThreads} threads`
    : `OpenBLAS ${blasThreads} threads, oneDNN ${dnnlThreads} threads`;
  return `${products}${convolutions} via Deno FFI (${threads})`;
}

async function probeWebGpu(): Promise<Probe> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) {
    return { ok: false, why: "navigator.gpu is not defined", device: "", isFallbackAdapter: false };
  }
  let adapter: GPUAdapter | null = null;
  prepareWgpu();
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return { ok: false, why: `requestAdapter() threw: ${(e as Error).message}`, device: "", isFallbackAdapter: false };
  }
  if (!adapter) {
    return {
      ok: false,
      why:
        "no WebGPU adapter (requestAdapter() returned null; is the Vulkan loader libvulkan1 and a driver such as mesa-vulkan-drivers installed?)",
      device: "",
      isFallbackAdapter: false,
    };
  }
  const info = adapter.info;
  const fallback = Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter);
  const description = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(" ");
  return {
    ok: true,
    why: "",
    device: `${description}${fallback ? " (software fallback adapter)" : ""}`,
    isFallbackAdapter: fallback,
  };
}

let tensorflowImportError: string | undefined;

async function importTensorflowBinding(): Promise<boolean> {
  if (tf.findBackend("tensorflow")) return true;
  const errors: string[] = [];
  for (const specifier of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      await import(specifier);
      if (tf.findBackendFactory("tensorflow")) return true;
      errors.push(`${specifier} registered no "tensorflow" backend`);
    } catch (e) {
      const message = String((e as Error).message).split("\n")[0];
      // an import map or npm error about a package that is simply absent says so in many words: one is enough
      errors.push(
        /not a dependency|Relative import path|Could not find|not found|Cannot find/i.test(message)
          ? `${specifier}: not installed`
          : `${specifier}: ${message.slice(0, 160)}`,
      );
    }
  }
  tensorflowImportError = errors.join("; ");
  return false;
}

async function tryActivate(name: Exclude<BackendName, "auto">): Promise<Probe> {
  let probe: Probe = { ok: true, why: "", device: "", isFallbackAdapter: false };
  if (name === "webgpu") {
    probe = await probeWebGpu();
    if (!probe.ok) return probe;
    await registerWebGpuBackend(tf);
  }
  // the package registers its backend when imported: only when wasm is asked for
  if (name === "wasm" && !tf.findBackendFactory("wasm")) await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
  if (name === "native") {
    const r = registerNativeBackend();
    if (!r.ok) return { ok: false, why: r.why, device: "", isFallbackAdapter: false };
  }
  if (name === "tensorflow" && !(await importTensorflowBinding())) {
    return {
      ok: false,
      why: `neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads (${tensorflowImportError}; to use it, ` +
        `add npm:@tensorflow/tfjs-node@4.22.0 to your imports and run deno install with --allow-scripts for it: its ` +
        `install downloads libtensorflow from outside the npm registry)`,
      device: "",
      isFallbackAdapter: false,
    };
  }
  let ok = false;
  let why = "";
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    why = String((e as Error).message).split("\n")[0];
  }
  if (!ok || tf.getBackend() !== name) {
    return { ok: false, why: why || `tfjs could not initialise it`, device: "", isFallbackAdapter: false };
  }
  silenceCpuBanner();
  const native = name === "native" ? registerNativeBackend() : undefined;
  const facts = name === "webgpu" ? webGpuAdapterFacts() : undefined;
  const device = name === "webgpu"
    ? (facts ? describeAdapter(facts) : probe.device)
    : native?.ok
    ? nativeDevice(native)
    : name === "wasm"
    ? `wasm (XNNPACK, ${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD"}, 1 thread)`
    : name === "cpu"
    ? "JavaScript (tfjs cpu backend)"
    : "TensorFlow C library (tfjs-node)";
  return { ok: true, why: "", device, isFallbackAdapter: probe.isFallbackAdapter, adapter: facts };
}

/**
 * Activates a tfjs backend (the gradient fixes are already registered: the
 * library applies them on import, for every backend). `auto` tries, in
 * order: tensorflow, webgpu on a real (non-fallback) adapter, native (when
 * OpenBLAS and `--allow-ffi` are there), wasm, cpu.
 * Throws {@linkcode BackendUnavailableError} with a one-line reason and the
 * list of what is available when the requested backend cannot run.
 *
 * @example
 * ```ts
 * import { selectBackend } from "wgan-bench";
 * const info = await selectBackend("cpu");
 * if (info.name !== "cpu") throw new Error("expected cpu");
 * ```
 */
export async function selectBackend(requested: BackendName = "auto"): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(requested)) {
    throw new BackendUnavailableError(
      `Cannot use backend "${requested}": unknown name (choose one of ${BACKEND_NAMES.join(", ")})`,
    );
  }
  const skipped: string[] = [];
  const finish = (name: Exclude<BackendName, "auto">, p: Probe): BackendInfo => {
    const native = name === "native" ? registerNativeBackend() : undefined;
    if (native?.ok && native.dnnlSkipped) {
      skipped.push(`oneDNN: ${native.dnnlSkipped}; convolutions use im2col + sgemm`);
    }
    return {
      name,
      requested,
      device: p.device,
      isFallbackAdapter: p.isFallbackAdapter,
      ...(p.adapter ? { adapter: p.adapter } : {}),
      tfjsVersion: tf.version.tfjs,
      threads: native?.ok ? native.blas.getThreads() : 1,
      skipped,
    };
  };
  if (requested !== "auto") {
    const p = await tryActivate(requested);
    if (p.ok) return finish(requested, p);
    const available = await availableBackends(requested);
    throw new BackendUnavailableError(
      `Cannot use backend "${requested}": ${p.why} (available here: ${available.join(", ") || "none"})`,
    );
  }
  if (tf.findBackendFactory("tensorflow") || (await importTensorflowBinding())) {
    const p = await tryActivate("tensorflow");
    if (p.ok) return finish("tensorflow", p);
  }
  const gpu = await probeWebGpu();
  if (gpu.ok && !gpu.isFallbackAdapter) {
    const p = await tryActivate("webgpu");
    if (p.ok) return finish("webgpu", p);
  }
  for (const name of ["native", "wasm", "cpu"] as const) {
    const p = await tryActivate(name);
    if (p.ok) return finish(name, p);
    skipped.push(`${name}: ${p.why}`);
  }
  throw new BackendUnavailableError("Cannot use any backend: native, cpu, wasm, webgpu and tensorflow all failed");
}

/**
 * Names of the backends that initialise here, excluding `except`. Leaves the
 * previously active backend active.
 *
 * @example
 * ```ts
 * import { availableBackends } from "wgan-bench";
 * const names = await availableBackends();
 * if (!names.includes("cpu")) throw new Error("cpu always works");
 * ```
 */
export async function availableBackends(except?: BackendName): Promise<Exclude<BackendName, "auto">[]> {
  const previous = tf.getBackend();
  const out: Exclude<BackendName, "auto">[] = [];
  for (const name of ["native", "cpu", "wasm", "webgpu", "tensorflow"] as const) {
    if (name === except) continue;
    if (name === "tensorflow" && !(await importTensorflowBinding())) continue;
    if (name === "webgpu" && !(await probeWebGpu()).ok) continue;
    if ((await tryActivate(name)).ok) out.push(name);
  }
  if (previous) await tf.setBackend(previous);
  return out;
}
