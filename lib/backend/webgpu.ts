/**
 * The `webgpu` backend, registered by the library instead of by
 * `@tensorflow/tfjs-backend-webgpu`'s own factory, which fails under Deno on
 * real GPUs in two ways (tfjs 4.22):
 *
 * - it reads `adapter.info` after `requestDevice()`, and Deno invalidates an
 *   adapter once a device exists (denoland/deno #25874, #28135; tfjs #8518);
 * - it pushes `['bgra8unorm-storage']` (an array) into `requiredFeatures` when
 *   the adapter has that feature, which Deno rejects ("can not be converted to
 *   a enum"). Mesa's lavapipe lacks the feature, which is why the stock factory
 *   works on CPU machines.
 *
 * Here the adapter's description and limits are read first, the device is
 * requested with valid features (`timestamp-query` when offered; compute needs
 * no texture-storage feature) and the adapter's own limits for what tfjs uses,
 * and tfjs's `WebGPUBackend` is built on that device.
 *
 * @module
 */
import type { tf as Tf } from "./engine.ts";

/** tfjs's WebGPU backend class, from its package, imported when webgpu is first asked for. */
type WebGpuBackendClass = new (device: GPUDevice, info: GPUAdapterInfo) => Tf.KernelBackend;
let WebGPUBackend: WebGpuBackendClass | undefined;

/** What the library learned about the adapter before creating the device. */
export interface WebGpuAdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a software adapter (lavapipe, llvmpipe, SwiftShader). */
  isFallbackAdapter: boolean;
  /** The limits requested for the device (the adapter's own values). */
  limits: Record<string, number>;
  /** Features requested for the device. */
  features: string[];
}

/** The limits tfjs's WebGPU kernels depend on (as its own factory requests them). */
const LIMITS = [
  "maxComputeWorkgroupStorageSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupSizeX",
  "maxComputeInvocationsPerWorkgroup",
] as const;

let facts: WebGpuAdapterFacts | undefined;

/** The adapter facts of the last `webgpu` initialisation (undefined before one). */
export function webGpuAdapterFacts(): WebGpuAdapterFacts | undefined {
  return facts;
}

/** A one-line description of the adapter with the limits that bound tensor sizes. */
export function describeAdapter(f: WebGpuAdapterFacts): string {
  const gib = (n: number | undefined) => n === undefined ? "?" : `${(n / 2 ** 30).toFixed(n >= 2 ** 30 ? 0 : 2)} GiB`;
  const name = f.description || [f.vendor, f.architecture, f.device].filter(Boolean).join(" ") || "unknown adapter";
  return `${name}${f.isFallbackAdapter ? " (software fallback adapter)" : ""}; maxBufferSize ${
    gib(f.limits.maxBufferSize)
  }, maxStorageBufferBindingSize ${gib(f.limits.maxStorageBufferBindingSize)}`;
}

/**
 * The device request the library makes for an adapter: valid feature names
 * only, and the adapter's limits for what tfjs uses.
 *
 * @example
 * ```ts
 * import { deviceRequest } from "wgan-bench/backend";
 * const fake = {
 *   features: new Set(["timestamp-query", "bgra8unorm-storage"]),
 *   limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30 },
 * } as unknown as GPUAdapter;
 * const r = deviceRequest(fake);
 * if (r.requiredFeatures.join() !== "timestamp-query" || r.requiredLimits.maxBufferSize !== 2 ** 31) {
 *   throw new Error("no nested feature arrays; the adapter's limits");
 * }
 * ```
 */
export function deviceRequest(
  adapter: GPUAdapter,
): { requiredFeatures: GPUFeatureName[]; requiredLimits: Record<string, number> } {
  const requiredFeatures: GPUFeatureName[] = adapter.features.has("timestamp-query") ? ["timestamp-query"] : [];
  const requiredLimits: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, number | undefined>;
  for (const name of LIMITS) {
    const v = limits[name];
    if (typeof v === "number") requiredLimits[name] = v;
  }
  return { requiredFeatures, requiredLimits };
}

/**
 * Prepares wgpu's environment before the first adapter request, only where the program may already set variables
 * (and, for the folder, write files): never a permission prompt, and a variable the user set is left alone.
 *
 * - `DENO_WEBGPU_BACKEND=vulkan` on Linux. Unset, wgpu also brings up its OpenGL backend to enumerate adapters, which
 *   loads Mesa's EGL (libEGL_mesa, libGLdispatch, 8 more threads) although tfjs runs on the Vulkan adapter. Seen
 *   here: a test process that had finished every test aborted at exit in glibc ("corrupted size vs. prev_size in
 *   fastbins") while libGLdispatch's destructors ran beside exiting threads. Vulkan only, that library is never
 *   loaded. Set the variable yourself (e.g. `gl`) to choose otherwise.
 * - `XDG_RUNTIME_DIR`: wgpu prints "XDG_RUNTIME_DIR is invalid or not set" on every adapter request when it is unset
 *   (harmless, but it buries a program's output); it is pointed at a private folder, one per user reused by every
 *   process (`<tmp>/wgan-bench-xdg-<uid>`, mode 0700), so none is left behind per run.
 */
export function prepareWgpu(): void {
  if (Deno.build.os === "linux" && granted({ name: "env", variable: "DENO_WEBGPU_BACKEND" })) {
    if (!Deno.env.get("DENO_WEBGPU_BACKEND")) Deno.env.set("DENO_WEBGPU_BACKEND", "vulkan");
  }
  if (!granted({ name: "env", variable: "XDG_RUNTIME_DIR" }) || !granted({ name: "write" })) return;
  if (Deno.env.get("XDG_RUNTIME_DIR")) return;
  try {
    Deno.env.set("XDG_RUNTIME_DIR", privateRuntimeDir());
  } catch {
    // without a usable folder the warning stays: harmless
  }
}

/** `<tmp>/wgan-bench-xdg-<uid>`, created 0700; a fresh temporary folder if that path is not ours or not private. */
function privateRuntimeDir(): string {
  const tmp = (granted({ name: "env", variable: "TMPDIR" }) && Deno.env.get("TMPDIR")) || "/tmp";
  const uid = Deno.uid();
  const path = `${tmp}/wgan-bench-xdg-${uid ?? "user"}`;
  try {
    Deno.mkdirSync(path, { mode: 0o700 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const st = Deno.lstatSync(path);
  const ours = st.isDirectory && (uid === null || st.uid === uid) && ((st.mode ?? 0) & 0o077) === 0;
  return ours ? path : Deno.makeTempDirSync({ prefix: "xdg-" });
}

function granted(d: Deno.PermissionDescriptor): boolean {
  try {
    return Deno.permissions.querySync(d).state === "granted";
  } catch {
    return false;
  }
}

async function createBackend(): Promise<Tf.KernelBackend> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) throw new Error("navigator.gpu is not defined");
  prepareWgpu();
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (!adapter) throw new Error("no WebGPU adapter (requestAdapter() returned null)");
  // Read everything from the adapter before requesting the device: Deno invalidates it afterwards.
  const info = adapter.info;
  const request = deviceRequest(adapter);
  const snapshot = {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description: info.description ?? "",
  };
  facts = {
    ...snapshot,
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    limits: request.requiredLimits,
    features: request.requiredFeatures,
  };
  const device = await adapter.requestDevice(request);
  // tfjs reads only vendor and architecture (to special-case Intel GPUs)
  return new WebGPUBackend!(device, snapshot as unknown as GPUAdapterInfo);
}

/**
 * Imports `@tensorflow/tfjs-backend-webgpu` and replaces its `webgpu` factory with the library's (idempotent; a
 * backend already initialised stays). `selectBackend` calls it before it activates webgpu, so tfjs's own factory
 * never runs. Small tensors are no longer forwarded to the CPU (`WEBGPU_CPU_FORWARD` false: every op runs on the
 * adapter, so timings measure the GPU) unless `WGAN_BENCH_WEBGPU_CPU_FORWARD=1`.
 */
export async function registerWebGpuBackend(tf: typeof Tf): Promise<void> {
  // (tf.findBackend would initialise a factory: look at the engine's registry of started backends instead)
  const started = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  if (Object.hasOwn(started, "webgpu") || tf.findBackendFactory("webgpu") === createBackend) return;
  // the package registers its own factory on import; it is replaced below before anything can start it
  WebGPUBackend ??= (await import("npm:@tensorflow/tfjs-backend-webgpu@4.22.0"))
    .WebGPUBackend as unknown as WebGpuBackendClass;
  if (tf.findBackendFactory("webgpu")) tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", createBackend, 3);
  let forward = false;
  try {
    forward = Deno.env.get("WGAN_BENCH_WEBGPU_CPU_FORWARD") === "1";
  } catch {
    // no --allow-env: the default
  }
  tf.env().set("WEBGPU_CPU_FORWARD", forward);
}
