/**
 * OpenBLAS through `Deno.dlopen`: finds the shared library, binds
 * `cblas_sgemm` and the thread controls, and reports in one line why it could
 * not when it cannot (no library, no `--allow-ffi`, a library without the
 * symbols).
 *
 * @module
 */
import { ffiPermissionWhy, findLibrary } from "./find_library.ts";

/** Row-major storage, as every tfjs tensor is. */
const CBLAS_ROW_MAJOR = 101;
const CBLAS_NO_TRANS = 111;
const CBLAS_TRANS = 112;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "buffer",
      "i32",
      "buffer",
      "i32",
      "f32",
      "buffer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** A loaded BLAS: single-precision matrix products on row-major `Float32Array`s. */
export interface Blas {
  /** Absolute path of the shared library that was opened. */
  readonly path: string;
  /** What the library says it is, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64`. */
  readonly config: string;
  /**
   * `c = alpha · op(a) · op(b) + beta · c` with `op(a)` of shape m×k and `op(b)` of shape k×n,
   * all row-major; `lda`/`ldb`/`ldc` are the row strides of the stored matrices.
   */
  sgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    options?: { alpha?: number; beta?: number; lda?: number; ldb?: number; ldc?: number },
  ): void;
  /** Threads OpenBLAS uses for one product. */
  getThreads(): number;
  /** Sets the threads OpenBLAS uses (1 … the machine's cores). */
  setThreads(threads: number): void;
}

/** The outcome of {@linkcode loadBlas}: a BLAS, or the one-line reason there is none. */
export type BlasLoad = { ok: true; blas: Blas } | { ok: false; why: string };

let cached: BlasLoad | undefined;

/**
 * Opens OpenBLAS once per process (later calls return the same result).
 * Never throws: the failure carries a one-line reason naming the fix.
 *
 * @example
 * ```ts
 * import { loadBlas } from "wgan-bench/backend";
 * const r = loadBlas();
 * if (r.ok) {
 *   const c = new Float32Array(1);
 *   r.blas.sgemm(false, false, 1, 1, 2, new Float32Array([1, 2]), new Float32Array([3, 4]), c);
 *   if (c[0] !== 11) throw new Error("1·3 + 2·4 should be 11");
 * } else {
 *   console.log(`no OpenBLAS: ${r.why}`);
 * }
 * ```
 */
export function loadBlas(): BlasLoad {
  if (cached) return cached;
  cached = open();
  return cached;
}

function open(): BlasLoad {
  if (typeof Deno?.dlopen !== "function") return { ok: false, why: "Deno.dlopen is not available in this runtime" };
  let found: ReturnType<typeof findLibrary>;
  try {
    found = findLibrary("WGAN_BENCH_BLAS", ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"], [
      "/opt/homebrew/opt/openblas/lib",
      "/usr/local/opt/openblas/lib",
    ]);
  } catch (e) {
    return { ok: false, why: `cannot look for OpenBLAS: ${firstLine(e)}` };
  }
  const { path, explicit } = found;
  if (!path) {
    return {
      ok: false,
      why: explicit
        ? `WGAN_BENCH_BLAS=${explicit} does not exist`
        : "OpenBLAS not found (install the Debian package libopenblas0-pthread, or set WGAN_BENCH_BLAS to libopenblas.so)",
    };
  }
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  try {
    lib = Deno.dlopen(path, SYMBOLS);
  } catch (e) {
    const message = firstLine(e);
    if (e instanceof Deno.errors.NotCapable || /permission|--allow-ffi/i.test(message)) {
      return { ok: false, why: ffiPermissionWhy(path) };
    }
    return { ok: false, why: `cannot load ${path}: ${message}` };
  }
  const s = lib.symbols;
  let config = "OpenBLAS";
  try {
    // Reading a C string needs unscoped --allow-ffi; with --allow-ffi=<dirs> the name stays generic.
    const configPointer = s.openblas_get_config();
    if (configPointer) config = Deno.UnsafePointerView.getCString(configPointer).trim();
  } catch {
    // keep "OpenBLAS"
  }
  const blas: Blas = {
    path,
    config,
    sgemm(transA, transB, m, n, k, a, b, c, options = {}) {
      const lda = options.lda ?? (transA ? m : k);
      const ldb = options.ldb ?? (transB ? k : n);
      const ldc = options.ldc ?? n;
      if (m === 0 || n === 0) return;
      s.cblas_sgemm(
        CBLAS_ROW_MAJOR,
        transA ? CBLAS_TRANS : CBLAS_NO_TRANS,
        transB ? CBLAS_TRANS : CBLAS_NO_TRANS,
        m,
        n,
        k,
        options.alpha ?? 1,
        a,
        lda,
        b,
        ldb,
        options.beta ?? 0,
        c,
        ldc,
      );
    },
    getThreads: () => s.openblas_get_num_threads(),
    setThreads(threads) {
      if (!Number.isInteger(threads) || threads < 1) {
        throw new RangeError(`Cannot set OpenBLAS threads: expected a positive integer, got ${threads}`);
      }
      s.openblas_set_num_threads(threads);
    },
  };
  return { ok: true, blas };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0];
}
