/**
 * oneDNN (Debian `libdnnl2`, the library PyTorch's CPU convolutions run on)
 * through Deno FFI: NHWC convolution forward, backward-data and
 * backward-weights primitives, created once per geometry and cached.
 *
 * oneDNN chooses the implementation (direct JIT kernels for the ISA, or
 * winograd/gemm where it prefers); activations stay in tfjs's NHWC layout,
 * filters are given in tfjs's `[kh, kw, in, out]` (oneDNN `hwio`) and
 * reordered to the layout the primitive wants when it wants another.
 *
 * Works with the scoped `--allow-ffi=<dirs>` the tasks grant: no
 * `Deno.UnsafePointer` (which needs unscoped `--allow-ffi`). oneDNN's handles
 * travel as pointer-sized integers, our buffers as FFI `buffer` arguments,
 * and the few C strings oneDNN returns are copied out with libc's `memcpy`.
 *
 * @module
 */
import type { Blas } from "./openblas.ts";
import { ffiPermissionWhy, findLibrary, isFile } from "./find_library.ts";

// oneDNN 2.x C API constants (dnnl_types.h); checked against the library's major version at load.
const F32 = 3, TAG_ANY = 1, TAG_NHWC = 20, TAG_HWIO = 30;
const FORWARD_TRAINING = 64;
const CONVOLUTION_DIRECT = 1;
const ENGINE_CPU = 1, STREAM_DEFAULT = 1;
const ARG = { SRC: 1, DST: 17, WEIGHTS: 33, DIFF_SRC: 129, DIFF_DST: 145, DIFF_WEIGHTS: 161, FROM: 1, TO: 17 };
const QUERY = { WEIGHTS_MD: 131, DIFF_WEIGHTS_MD: 132, IMPL_INFO_STR: 8 };
const ARG_SRC_1 = 2;
/** Plain row-major layouts by rank (dnnl_a … dnnl_abcdef). */
const PLAIN_TAGS = [0, 2, 3, 4, 5, 7, 8];
const BINARY_ALGS = { add: 131056, mul: 131057, max: 131058, min: 131059, div: 131060, sub: 131061 } as const;
const REDUCTION_ALGS = { sum: 196596, mean: 196598 } as const;
const ELTWISE_ALGS = { relu: 0x1f, tanh: 0x2f, sqrt: 0x6f, linear: 0x7f, clip: 0xff } as const;
const FORWARD_INFERENCE = 96;
/** `dnnl_backward` (gradients of the data and of the scale and shift), and batch norm's arguments and flags. */
const BACKWARD = 128;
const BN_ARG = { MEAN: 49, VARIANCE: 50, SCALE: 51, SHIFT: 52, DIFF_SCALE: 255, DIFF_SHIFT: 256 };
const BN_USE_SCALE_AND_SHIFT = 0x8 | 0x10;
/**
 * Batch norm's data, `rows × c` row-major, as oneDNN dims `[1, c, rows, 1]` in the channels-last (nhwc) layout: the
 * same bytes, and the layout its JIT kernels take (as a 2-D `rows × c` it picks a slow generic kernel).
 */
const bnData = (rows: number, c: number) => [1, c, rows, 1];
/** `DNNL_ARG_ATTR_MULTIPLE_POST_OP(i) | DNNL_ARG_SRC_1`: the second operand of post-op `i`. */
const postOpSrc1 = (i: number) => (16384 * (i + 1)) | ARG_SRC_1;
/** The binary operations oneDNN computes here (IEEE float32 arithmetic: the values tfjs's cpu kernels give). */
export type BinaryOp = keyof typeof BINARY_ALGS;
/**
 * Bytes reserved for a `dnnl_memory_desc_t` (696 in 2.6), a `dnnl_convolution_desc_t` (5,976) and any other operation
 * descriptor made here (binary 2,096, eltwise 1,416, batch norm 3,496: `sizeof` against 2.6.3's headers).
 */
const MD_BYTES = 2048, CONV_DESC_BYTES = 16384, OP_DESC_BYTES = 8192;
const DIMS = 12; // DNNL_MAX_NDIMS: dnnl_dims_t is int64_t[12]

const md = "buffer", h = "usize"; // our memory descriptors; oneDNN handles and pointers it returns
const SYMBOLS = {
  dnnl_version: { parameters: [], result: h },
  dnnl_get_effective_cpu_isa: { parameters: [], result: "i32" },
  // row-major C = alpha·op(A)·op(B) + beta·C; transa/transb are the characters 'N' or 'T'; dims are int64
  dnnl_sgemm: {
    parameters: ["u8", "u8", "i64", "i64", "i64", "f32", "buffer", "i64", "buffer", "i64", "f32", "buffer", "i64"],
    result: "i32",
  },
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", h, "u32"], result: "i32" },
  dnnl_memory_desc_init_by_tag: { parameters: [md, "i32", "buffer", "i32", "i32"], result: "i32" },
  dnnl_dilated_convolution_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", md, md, h, md, "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_data_desc_init: {
    parameters: ["buffer", "i32", md, md, md, "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_weights_desc_init: {
    parameters: ["buffer", "i32", md, md, h, md, "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_binary_desc_init: { parameters: ["buffer", "i32", md, md, md], result: "i32" },
  dnnl_reduction_desc_init: { parameters: ["buffer", "i32", md, md, "f32", "f32"], result: "i32" },
  dnnl_eltwise_forward_desc_init: { parameters: ["buffer", "i32", "i32", md, "f32", "f32"], result: "i32" },
  dnnl_eltwise_backward_desc_init: { parameters: ["buffer", "i32", md, md, "f32", "f32"], result: "i32" },
  dnnl_batch_normalization_forward_desc_init: { parameters: ["buffer", "i32", md, "f32", "u32"], result: "i32" },
  dnnl_batch_normalization_backward_desc_init: { parameters: ["buffer", "i32", md, md, "f32", "u32"], result: "i32" },
  dnnl_primitive_attr_create: { parameters: ["buffer"], result: "i32" },
  dnnl_primitive_attr_destroy: { parameters: [h], result: "i32" },
  dnnl_primitive_attr_set_post_ops: { parameters: [h, h], result: "i32" },
  dnnl_post_ops_create: { parameters: ["buffer"], result: "i32" },
  dnnl_post_ops_destroy: { parameters: [h], result: "i32" },
  dnnl_post_ops_append_eltwise: { parameters: [h, "f32", "i32", "f32", "f32"], result: "i32" },
  dnnl_post_ops_append_binary: { parameters: [h, "i32", md], result: "i32" },
  dnnl_primitive_desc_create: { parameters: ["buffer", "buffer", h, h, h], result: "i32" },
  dnnl_primitive_desc_query_md: { parameters: [h, "i32", "i32"], result: h },
  dnnl_primitive_desc_query: { parameters: [h, "i32", "i32", "buffer"], result: "i32" },
  dnnl_primitive_create: { parameters: ["buffer", h], result: "i32" },
  dnnl_primitive_execute: { parameters: [h, h, "i32", "buffer"], result: "i32" },
  dnnl_memory_desc_equal: { name: "dnnl_memory_desc_equal", parameters: [md, h], result: "i32" },
  dnnl_memory_create: { parameters: ["buffer", h, h, h], result: "i32" },
  dnnl_memory_create_from_md: { name: "dnnl_memory_create", parameters: ["buffer", md, h, h], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: [h, "buffer"], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: [h], result: "usize" },
  dnnl_reorder_primitive_desc_create: { parameters: ["buffer", md, h, h, h, h], result: "i32" },
  dnnl_reorder_primitive_desc_create_to: {
    name: "dnnl_reorder_primitive_desc_create",
    parameters: ["buffer", h, h, md, h, h],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

const LIBC = {
  memcpy: { parameters: ["buffer", h, "usize"], result: h },
  strlen: { parameters: [h], result: "usize" },
} as const satisfies Deno.ForeignLibraryInterface;

const GOMP = {
  omp_set_num_threads: { parameters: ["i32"], result: "void" },
  omp_get_max_threads: { parameters: [], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * One step of a fused element-wise pass ({@linkcode OneDnn.pass}): an eltwise function (`relu`: x > 0 ? x : αx;
 * `tanh`; `sqrt`; `linear` αx + β; `clip` to [α, β]), or a binary operation with an operand that is a tensor of the pass's length or,
 * with `scalar`, one float read from a 1-element array when the pass runs (so a per-call constant needs no new
 * primitive).
 */
export type PassOp =
  | { eltwise: keyof typeof ELTWISE_ALGS; alpha?: number; beta?: number }
  | { binary: BinaryOp; scalar?: boolean };

/** A convolution primitive kind. */
export type ConvKind = "forward" | "backward-data" | "backward-weights";

/** Geometry of one NHWC convolution. */
export interface ConvGeometry {
  batchSize: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
}

/** oneDNN loaded: the three NHWC convolution primitives on `Float32Array`s. */
export interface OneDnn {
  /** Absolute path of the library that was opened. */
  readonly path: string;
  /** e.g. "oneDNN 2.6.3 (avx2)". */
  readonly description: string;
  /** Whether the primitives take this geometry (non-empty, no negative implicit padding); else use another path. */
  supports(g: ConvGeometry): boolean;
  /** `out` (n, oh, ow, co) = conv(x (n, h, w, ci), w (kh, kw, ci, co)). */
  convForward(g: ConvGeometry, x: Float32Array, w: Float32Array, out: Float32Array): void;
  /** `dx` (n, h, w, ci) from `dy` (n, oh, ow, co) and the filter: also the transposed convolution. */
  convBackwardData(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  /** `dw` (kh, kw, ci, co) from the input and `dy`. */
  convBackwardWeights(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  /**
   * `out = a op b` for float32 row-major tensors of one rank ≤ 6, `a` of the output's shape and `b` equal to it
   * or of size 1 along broadcast axes, when oneDNN has a vectorised kernel for the pattern; returns false (and
   * computes nothing) where it would use its slow reference implementation (e.g. a per-sample `[n, 1, 1, 1]`).
   */
  binary(
    op: BinaryOp,
    shape: readonly number[],
    bShape: readonly number[],
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
  ): boolean;
  /**
   * Sum or mean of a float32 row-major tensor (rank ≤ 6) over the axes where `outShape` (same rank) is 1, when
   * oneDNN has a vectorised kernel for the pattern; returns false (computing nothing) otherwise. Accumulates in
   * float32 in oneDNN's order: not bit-identical to tfjs's sequential float64 sums.
   */
  reduce(
    op: "sum" | "mean",
    shape: readonly number[],
    outShape: readonly number[],
    x: Float32Array,
    out: Float32Array,
  ): boolean;
  /**
   * One vectorised, threaded pass over flat float32 arrays of one length `n`: `ops[0]` is the primitive (an eltwise
   * op on `inputs[0]`, or a binary op on `inputs[0]` and `inputs[1]`), every later op a post-op applied in order to
   * its result in registers, each binary one taking the next input (`n` elements, or 1 if `scalar`); at most one
   * eltwise post-op (oneDNN 2.6 computed a chain with two `linear` ones wrongly). Writes `out`
   * (which may be one of the inputs). Returns false, computing nothing, where oneDNN would run a reference
   * implementation. Float32 arithmetic, rounded after each op.
   */
  pass(ops: readonly PassOp[], inputs: readonly Float32Array[], out: Float32Array): boolean;
  /**
   * `dx = x > 0 ? dy : alpha·dy` (the LeakyReLU gradient; a NaN `x` takes `alpha·dy`) over flat arrays; false,
   * computing nothing, where oneDNN would run a reference implementation.
   */
  leakyReluBackward(alpha: number, x: Float32Array, dy: Float32Array, dx: Float32Array): boolean;
  /**
   * Batch norm with batch statistics of `x` viewed as `rows × c` (row-major, channels last): per-channel `mean` and
   * biased `variance`, and `y = γ·(x − mean)/√(variance + ε) + β`. Float32 arithmetic in oneDNN's order. Returns
   * false, computing nothing, where oneDNN would run its reference implementation.
   */
  batchNormForward(
    rows: number,
    eps: number,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): boolean;
  /**
   * The gradients of {@linkcode OneDnn.batchNormForward} given `dy` and the forward's statistics: `dx`, `dGamma`
   * (Σ dy·x̂) and `dBeta` (Σ dy). Returns false, computing nothing, where oneDNN would run its reference
   * implementation.
   */
  batchNormBackward(
    rows: number,
    eps: number,
    x: Float32Array,
    dy: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    dx: Float32Array,
    dGamma: Float32Array,
    dBeta: Float32Array,
  ): boolean;
  /**
   * `c = alpha · op(a) · op(b) + beta · c` on oneDNN's JIT sgemm, with the arguments of `Blas.sgemm` (row-major,
   * `op(a)` m×k, `op(b)` k×n, `lda`/`ldb`/`ldc` the stored row strides). Throws if oneDNN reports an error.
   */
  sgemm: Blas["sgemm"];
  /** Whether oneDNN runs AVX-512 kernels on this CPU (its effective ISA is `avx512_core` or later). */
  readonly avx512: boolean;
  /** The implementation oneDNN chose for a geometry (e.g. "jit:avx2"), creating the primitive if needed. */
  implementation(kind: ConvKind, g: ConvGeometry): string;
  /** Threads oneDNN's OpenMP runtime uses. */
  getThreads(): number;
  /** Sets the threads (1 … the machine's cores). */
  setThreads(threads: number): void;
}

/** The outcome of {@linkcode loadOneDnn}: oneDNN, or the one-line reason there is none. */
export type OneDnnLoad = { ok: true; dnnl: OneDnn } | { ok: false; why: string };

function sibling(path: string, names: string[]): string | undefined {
  const dir = path.slice(0, path.lastIndexOf("/"));
  return [...names.map((n) => `${dir}/${n}`), ...names.map((n) => `/usr/lib/x86_64-linux-gnu/${n}`)].find(isFile);
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split("\n")[0];
}

let cached: OneDnnLoad | undefined;

/**
 * Opens oneDNN once per process (`WGAN_BENCH_DNNL=/path/libdnnl.so.2`
 * overrides the search). Never throws: without the library, a 2.x version,
 * or `--allow-ffi`, the result says why in one line.
 *
 * @example
 * ```ts
 * import { loadOneDnn } from "wgan-bench/backend";
 * const r = loadOneDnn();
 * if (loadOneDnn() !== r || (!r.ok && r.why.includes("\n"))) throw new Error("one outcome, one line");
 * ```
 */
export function loadOneDnn(): OneDnnLoad {
  cached ??= open();
  return cached;
}

function open(): OneDnnLoad {
  if (typeof Deno?.dlopen !== "function") return { ok: false, why: "Deno.dlopen is not available in this runtime" };
  let found: ReturnType<typeof findLibrary>;
  try {
    found = findLibrary("WGAN_BENCH_DNNL", ["libdnnl.so.2", "libdnnl.so"]);
  } catch (e) {
    return { ok: false, why: `cannot look for oneDNN: ${firstLine(e)}` };
  }
  const { path, explicit } = found;
  if (!path) {
    return {
      ok: false,
      why: explicit
        ? `WGAN_BENCH_DNNL=${explicit} does not exist`
        : "oneDNN not found (install the Debian package libdnnl2, or set WGAN_BENCH_DNNL to libdnnl.so.2)",
    };
  }
  const libcPath = sibling(path, ["libc.so.6"]), gompPath = sibling(path, ["libgomp.so.1"]);
  // OpenMP workers spin-wait after each primitive by default, as OpenBLAS's do after each product: on a 2-core
  // machine a oneDNN call between two products then waits for a core that a spinning OpenBLAS thread holds (an MLP
  // critic step measured 2-3x slower). Passive workers sleep instead; libgomp reads this when it loads (below).
  try {
    if (Deno.env.get("OMP_WAIT_POLICY") === undefined) Deno.env.set("OMP_WAIT_POLICY", "PASSIVE");
  } catch {
    // without --allow-env the default policy stays
  }
  let lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  let libc: Deno.DynamicLibrary<typeof LIBC>;
  let gomp: Deno.DynamicLibrary<typeof GOMP> | undefined;
  try {
    lib = Deno.dlopen(path, SYMBOLS);
    if (!libcPath) return { ok: false, why: `libc.so.6 not found next to ${path}` };
    libc = Deno.dlopen(libcPath, LIBC);
    if (gompPath) gomp = Deno.dlopen(gompPath, GOMP);
  } catch (e) {
    const message = firstLine(e);
    if (e instanceof Deno.errors.NotCapable || /permission|--allow-ffi/i.test(message)) {
      return { ok: false, why: ffiPermissionWhy(path) };
    }
    return { ok: false, why: `cannot load ${path}: ${message}` };
  }
  try {
    return { ok: true, dnnl: bind(path, lib.symbols, libc.symbols, gomp?.symbols) };
  } catch (e) {
    return { ok: false, why: `cannot use ${path}: ${firstLine(e)}` };
  }
}

type Handle = bigint;
type Sym = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];
type Libc = Deno.DynamicLibrary<typeof LIBC>["symbols"];
type Gomp = Deno.DynamicLibrary<typeof GOMP>["symbols"];

/** The bits of `dnnl_cpu_isa_avx512_core` (every later ISA value contains them). */
const AVX512_CORE = 0x27;
const CHAR_N = "N".charCodeAt(0), CHAR_T = "T".charCodeAt(0);

const ISA_NAMES: Record<number, string> = {
  0x1: "sse41",
  0x7: "avx",
  0xf: "avx2",
  0x1f: "avx2_vnni",
  0x27: "avx512_core",
  0x67: "avx512_core_vnni",
  0xe7: "avx512_core_bf16",
  0x1e7: "avx512_core_amx",
};

/** The bottom and right padding a geometry implies (oneDNN wants them explicit; negative: rows/columns left unread). */
function farPadding(g: ConvGeometry): { padBottom: number; padRight: number } {
  return {
    padBottom: (g.outHeight - 1) * g.strideHeight + (g.filterHeight - 1) * g.dilationHeight + 1 - g.inHeight - g.padTop,
    padRight: (g.outWidth - 1) * g.strideWidth + (g.filterWidth - 1) * g.dilationWidth + 1 - g.inWidth - g.padLeft,
  };
}

function bind(path: string, s: Sym, libc: Libc, gomp: Gomp | undefined): OneDnn {
  const check = (status: number, what: string) => {
    if (status !== 0) throw new Error(`oneDNN ${what} failed (status ${status})`);
  };
  const out = () => new BigUint64Array(1);
  const read = (bytes: number, from: Handle) => {
    const buf = new Uint8Array(bytes);
    libc.memcpy(buf, from, BigInt(bytes));
    return buf;
  };
  const version = new Int32Array(read(12, BigInt(s.dnnl_version())).buffer);
  if (version[0] !== 2) throw new Error(`oneDNN ${version.join(".")} has another C API than the 2.x this binds`);
  const isa = s.dnnl_get_effective_cpu_isa();

  const engineOut = out();
  check(s.dnnl_engine_create(engineOut, ENGINE_CPU, 0n), "engine creation");
  const engine = engineOut[0];
  const streamOut = out();
  check(s.dnnl_stream_create(streamOut, engine, STREAM_DEFAULT), "stream creation");
  const stream = streamOut[0];

  const dims = (values: number[]) => {
    const a = new BigInt64Array(DIMS);
    values.forEach((v, i) => (a[i] = BigInt(v)));
    return a;
  };
  const memoryDesc = (shape: number[], tag: number) => {
    const desc = new Uint8Array(MD_BYTES);
    check(s.dnnl_memory_desc_init_by_tag(desc, shape.length, dims(shape), F32, tag), "memory descriptor");
    return desc;
  };
  const memoryFromDesc = (desc: Uint8Array) => {
    const m = out();
    check(s.dnnl_memory_create_from_md(m, desc, engine, 0n), "memory creation");
    return m[0];
  };
  const memoryFromQueried = (desc: Handle) => {
    const m = out();
    check(s.dnnl_memory_create(m, desc, engine, 0n), "memory creation");
    return m[0];
  };
  const primitive = (pd: Handle) => {
    const p = out();
    check(s.dnnl_primitive_create(p, pd), "primitive creation");
    return p[0];
  };
  const cString = (pointer: Handle) => {
    const n = Number(libc.strlen(pointer));
    return new TextDecoder().decode(read(n, pointer));
  };
  const implInfo = (pd: Handle) => {
    const p = out();
    return s.dnnl_primitive_desc_query(pd, QUERY.IMPL_INFO_STR, 0, p) === 0 && p[0] !== 0n ? cString(p[0]) : "?";
  };
  /** Arguments of one execution: (arg id, memory handle) pairs as `dnnl_exec_arg_t` (int + pad + pointer). */
  const execArgs = (pairs: [number, Handle][]) => {
    const buf = new DataView(new ArrayBuffer(16 * pairs.length));
    pairs.forEach(([arg, mem], i) => {
      buf.setInt32(16 * i, arg, true);
      buf.setBigUint64(16 * i + 8, BigInt(mem), true);
    });
    return new Uint8Array(buf.buffer);
  };
  const execute = (prim: Handle, args: Uint8Array, n: number) => {
    check(s.dnnl_primitive_execute(prim, stream, n, args), "execution");
  };

  interface Entry {
    impl: string;
    run(a: Float32Array, b: Float32Array, c: Float32Array): void;
  }
  const cache = new Map<string, Entry>();

  const geometry = (g: ConvGeometry) => {
    const { padBottom, padRight } = farPadding(g);
    return {
      src: [g.batchSize, g.inChannels, g.inHeight, g.inWidth],
      weights: [g.outChannels, g.inChannels, g.filterHeight, g.filterWidth],
      dst: [g.batchSize, g.outChannels, g.outHeight, g.outWidth],
      strides: dims([g.strideHeight, g.strideWidth]),
      dilates: dims([g.dilationHeight - 1, g.dilationWidth - 1]),
      padL: dims([g.padTop, g.padLeft]),
      padR: dims([padBottom, padRight]),
    };
  };

  /** The forward primitive descriptor (also the hint of the backward ones). */
  const forwardPd = (g: ConvGeometry) => {
    const d = geometry(g);
    const desc = new Uint8Array(CONV_DESC_BYTES);
    check(
      s.dnnl_dilated_convolution_forward_desc_init(
        desc,
        FORWARD_TRAINING,
        CONVOLUTION_DIRECT,
        memoryDesc(d.src, TAG_NHWC),
        memoryDesc(d.weights, TAG_ANY),
        0n,
        memoryDesc(d.dst, TAG_NHWC),
        d.strides,
        d.dilates,
        d.padL,
        d.padR,
      ),
      "convolution descriptor",
    );
    const pd = out();
    check(s.dnnl_primitive_desc_create(pd, desc, 0n, engine, 0n), "convolution primitive descriptor");
    return pd[0];
  };

  /**
   * Weights in tfjs's hwio layout and the primitive's: a reorder between them when they differ.
   * Returns the memory the primitive reads or writes and the step that moves the data.
   */
  const weightsBridge = (g: ConvGeometry, wanted: Handle, direction: "to-primitive" | "from-primitive") => {
    const user = memoryDesc(geometry(g).weights, TAG_HWIO);
    const userMem = memoryFromDesc(user);
    const setUser = (w: Float32Array) => setHandle(userMem, w);
    if (s.dnnl_memory_desc_equal(user, wanted) === 1) {
      return { primitiveMem: userMem, setUser, before() {}, after() {} };
    }
    const primitiveMem = memoryFromQueried(wanted);
    // The primitive's copy of the weights. oneDNN keeps only its address, so the array must stay reachable while the
    // memory object may be executed (the closures below capture it) and is re-attached before each use.
    const scratch = new Float32Array(Number(s.dnnl_memory_desc_get_size(wanted)) / 4);
    const pd = out();
    if (direction === "to-primitive") {
      check(s.dnnl_reorder_primitive_desc_create(pd, user, engine, wanted, engine, 0n), "weights reorder");
    } else {
      check(s.dnnl_reorder_primitive_desc_create_to(pd, wanted, engine, user, engine, 0n), "weights reorder");
    }
    const reorder = primitive(pd[0]);
    const args = direction === "to-primitive"
      ? execArgs([[ARG.FROM, userMem], [ARG.TO, primitiveMem]])
      : execArgs([[ARG.FROM, primitiveMem], [ARG.TO, userMem]]);
    return {
      primitiveMem,
      setUser,
      /** Before the convolution: attach the scratch; bring the user's weights into it. */
      before() {
        setHandle(primitiveMem, scratch);
        if (direction === "to-primitive") execute(reorder, args, 2);
      },
      /** After the convolution: write the primitive's weight gradient back in the user's layout. */
      after() {
        if (direction === "from-primitive") execute(reorder, args, 2);
      },
    };
  };
  const setHandle = (mem: Handle, data: Float32Array) => {
    // oneDNN keeps this address until the next call that uses the memory. A typed array of at most 64 bytes may
    // live inside V8's heap, where the garbage collector moves it; reading `.buffer` moves it out for good.
    void data.buffer;
    check(s.dnnl_memory_set_data_handle(mem, data), "set data");
  };

  const build = (kind: ConvKind, g: ConvGeometry): Entry => {
    const d = geometry(g);
    const src = memoryDesc(d.src, TAG_NHWC), dst = memoryDesc(d.dst, TAG_NHWC);
    const srcMem = memoryFromDesc(src), dstMem = memoryFromDesc(dst);
    const hint = forwardPd(g);
    if (kind === "forward") {
      const w = weightsBridge(g, BigInt(s.dnnl_primitive_desc_query_md(hint, QUERY.WEIGHTS_MD, 0)), "to-primitive");
      const prim = primitive(hint);
      const args = execArgs([[ARG.SRC, srcMem], [ARG.WEIGHTS, w.primitiveMem], [ARG.DST, dstMem]]);
      return {
        impl: implInfo(hint),
        run(x, weights, y) {
          setHandle(srcMem, x);
          w.setUser(weights);
          setHandle(dstMem, y);
          w.before();
          execute(prim, args, 3);
        },
      };
    }
    const desc = new Uint8Array(CONV_DESC_BYTES);
    const weightsAny = memoryDesc(d.weights, TAG_ANY);
    if (kind === "backward-data") {
      check(
        s.dnnl_dilated_convolution_backward_data_desc_init(
          desc,
          CONVOLUTION_DIRECT,
          src,
          weightsAny,
          dst,
          d.strides,
          d.dilates,
          d.padL,
          d.padR,
        ),
        "backward-data descriptor",
      );
    } else {
      check(
        s.dnnl_dilated_convolution_backward_weights_desc_init(
          desc,
          CONVOLUTION_DIRECT,
          src,
          weightsAny,
          0n,
          dst,
          d.strides,
          d.dilates,
          d.padL,
          d.padR,
        ),
        "backward-weights descriptor",
      );
    }
    const pdOut = out();
    check(s.dnnl_primitive_desc_create(pdOut, desc, 0n, engine, hint), `${kind} primitive descriptor`);
    const pd = pdOut[0];
    const prim = primitive(pd);
    if (kind === "backward-data") {
      const w = weightsBridge(g, BigInt(s.dnnl_primitive_desc_query_md(pd, QUERY.WEIGHTS_MD, 0)), "to-primitive");
      const args = execArgs([[ARG.DIFF_DST, dstMem], [ARG.WEIGHTS, w.primitiveMem], [ARG.DIFF_SRC, srcMem]]);
      return {
        impl: implInfo(pd),
        run(dy, weights, dx) {
          setHandle(dstMem, dy);
          w.setUser(weights);
          setHandle(srcMem, dx);
          w.before();
          execute(prim, args, 3);
        },
      };
    }
    const w = weightsBridge(g, BigInt(s.dnnl_primitive_desc_query_md(pd, QUERY.DIFF_WEIGHTS_MD, 0)), "from-primitive");
    const args = execArgs([[ARG.SRC, srcMem], [ARG.DIFF_DST, dstMem], [ARG.DIFF_WEIGHTS, w.primitiveMem]]);
    return {
      impl: implInfo(pd),
      run(x, dy, dw) {
        setHandle(srcMem, x);
        setHandle(dstMem, dy);
        w.setUser(dw);
        w.before();
        execute(prim, args, 3);
        w.after();
      },
    };
  };

  const entry = (kind: ConvKind, g: ConvGeometry) => {
    const key = `${kind}:${Object.values(g).join(",")}`;
    let e = cache.get(key);
    if (!e) {
      e = build(kind, g);
      cache.set(key, e);
    }
    return e;
  };

  /**
   * A primitive over plain row-major memories (one per `[arg id, shape]`), cached by `key`, from the operation
   * descriptor `init` fills; null (cached too) where oneDNN would run its reference implementation, slower than the
   * loops it would replace. Descriptors are made only on the first call for a key. A backward primitive passes
   * `forward`, the initialiser of its forward descriptor: oneDNN builds a backward primitive from its forward one.
   */
  type Plain = { run(...data: Float32Array[]): void } | null;
  const plainPrimitives = new Map<string, Plain>();
  const plainPrimitive = (
    key: string,
    args: [number, readonly number[], number?][],
    init: (desc: Uint8Array, mds: Uint8Array[]) => number,
    postOps?: (postOps: Handle) => void,
    forward?: (desc: Uint8Array) => number,
  ): Plain => {
    let e = plainPrimitives.get(key);
    if (e !== undefined) return e;
    const mds = args.map(([, shape, tag]) => memoryDesc([...shape], tag ?? PLAIN_TAGS[shape.length]));
    const what = key.split(":")[0];
    const desc = new Uint8Array(OP_DESC_BYTES);
    check(init(desc, mds), `${what} descriptor`);
    const pd = out();
    let attr = 0n;
    if (postOps) {
      const a = out(), po = out();
      check(s.dnnl_primitive_attr_create(a), "attribute creation");
      attr = a[0];
      check(s.dnnl_post_ops_create(po), "post-ops creation");
      try {
        postOps(po[0]);
        check(s.dnnl_primitive_attr_set_post_ops(attr, po[0]), "post-ops");
      } finally {
        s.dnnl_post_ops_destroy(po[0]);
      }
    }
    try {
      let hint = 0n;
      if (forward) {
        const fwd = new Uint8Array(OP_DESC_BYTES), fwdPd = out();
        check(forward(fwd), `${what} forward descriptor`);
        check(s.dnnl_primitive_desc_create(fwdPd, fwd, 0n, engine, 0n), `${what} forward primitive descriptor`);
        hint = fwdPd[0];
      }
      check(s.dnnl_primitive_desc_create(pd, desc, attr, engine, hint), `${what} primitive descriptor`);
    } finally {
      if (attr) s.dnnl_primitive_attr_destroy(attr);
    }
    if (implInfo(pd[0]).startsWith("ref")) {
      e = null;
    } else {
      const prim = primitive(pd[0]);
      const mems = mds.map(memoryFromDesc);
      const execList = execArgs(args.map(([arg], i) => [arg, mems[i]]));
      e = {
        run(...data) {
          data.forEach((d, i) => setHandle(mems[i], d));
          execute(prim, execList, mems.length);
        },
      };
    }
    plainPrimitives.set(key, e);
    return e;
  };

  /** Batch norm's forward (training) descriptor, with scale and shift. */
  const bnForward = (desc: Uint8Array, data: Uint8Array, eps: number) =>
    s.dnnl_batch_normalization_forward_desc_init(desc, FORWARD_TRAINING, data, eps, BN_USE_SCALE_AND_SHIFT);

  const supports = (g: ConvGeometry) => {
    if (Object.values(g).some((v) => !Number.isFinite(v))) return false;
    const sizes = [g.batchSize, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels];
    if (sizes.some((v) => v <= 0)) return false;
    const { padBottom, padRight } = farPadding(g);
    return padBottom >= 0 && padRight >= 0 && g.padTop >= 0 && g.padLeft >= 0;
  };

  const description = `oneDNN ${version.join(".")} (${ISA_NAMES[isa] ?? `isa ${isa}`})`;
  return {
    path,
    description,
    supports,
    binary: (op, shape, bShape, a, b, o) => {
      const e = plainPrimitive(
        `binary:${op}:${shape.join("x")}:${bShape.join("x")}`,
        [[ARG.SRC, shape], [ARG_SRC_1, bShape], [ARG.DST, shape]],
        (desc, [x, y, z]) => s.dnnl_binary_desc_init(desc, BINARY_ALGS[op], x, y, z),
      );
      e?.run(a, b, o);
      return e !== null;
    },
    reduce: (op, shape, outShape, x, o) => {
      const e = plainPrimitive(
        `reduction:${op}:${shape.join("x")}:${outShape.join("x")}`,
        [[ARG.SRC, shape], [ARG.DST, outShape]],
        (desc, [src, dst]) => s.dnnl_reduction_desc_init(desc, REDUCTION_ALGS[op], src, dst, 0, 0),
      );
      e?.run(x, o);
      return e !== null;
    },
    pass: (ops, inputs, o) => {
      const n = o.length;
      const [head, ...posts] = ops;
      const wanted = ("binary" in head ? 2 : 1) + posts.filter((p) => "binary" in p).length;
      if (inputs.length !== wanted) throw new Error(`oneDNN pass: ${wanted} inputs expected, got ${inputs.length}`);
      if (posts.filter((p) => "eltwise" in p).length > 1) {
        // measured: oneDNN 2.6 applied the first `linear` post-op's constants to a second one (wrong values, no error)
        throw new Error("oneDNN pass: at most one eltwise post-op per pass (give constants as scalar operands)");
      }
      const shapeOf = (op: PassOp) => ("binary" in op && op.scalar ? [1] : [n]);
      const args: [number, readonly number[]][] = "binary" in head
        ? [[ARG.SRC, [n]], [ARG_SRC_1, shapeOf(head)]]
        : [[ARG.SRC, [n]]];
      posts.forEach((p, i) => "binary" in p && args.push([postOpSrc1(i), shapeOf(p)]));
      args.push([ARG.DST, [n]]);
      const e = plainPrimitive(
        `pass:${JSON.stringify(ops)}:${n}`,
        args,
        (desc, mds) =>
          "binary" in head
            ? s.dnnl_binary_desc_init(desc, BINARY_ALGS[head.binary], mds[0], mds[1], mds[mds.length - 1])
            : s.dnnl_eltwise_forward_desc_init(
              desc,
              FORWARD_INFERENCE,
              ELTWISE_ALGS[head.eltwise],
              mds[0],
              head.alpha ?? 0,
              head.beta ?? 0,
            ),
        posts.length
          ? (po) =>
            posts.forEach((p) =>
              check(
                "binary" in p
                  ? s.dnnl_post_ops_append_binary(po, BINARY_ALGS[p.binary], memoryDesc(shapeOf(p), PLAIN_TAGS[1]))
                  : s.dnnl_post_ops_append_eltwise(po, 1, ELTWISE_ALGS[p.eltwise], p.alpha ?? 0, p.beta ?? 0),
                "post-op",
              )
            )
          : undefined,
      );
      e?.run(...inputs, o);
      return e !== null;
    },
    leakyReluBackward: (alpha, x, dy, dx) => {
      const n = dx.length;
      const e = plainPrimitive(
        `eltwise-backward:relu:${alpha}:${n}`,
        [[ARG.SRC, [n]], [ARG.DIFF_DST, [n]], [ARG.DIFF_SRC, [n]]],
        (desc, [src, , diffSrc]) => s.dnnl_eltwise_backward_desc_init(desc, ELTWISE_ALGS.relu, diffSrc, src, alpha, 0),
        undefined,
        (fwd) =>
          s.dnnl_eltwise_forward_desc_init(
            fwd,
            FORWARD_TRAINING,
            ELTWISE_ALGS.relu,
            memoryDesc([n], PLAIN_TAGS[1]),
            alpha,
            0,
          ),
      );
      e?.run(x, dy, dx);
      return e !== null;
    },
    batchNormForward: (rows, eps, x, gamma, beta, y, mean, variance) => {
      const c = gamma.length;
      const e = plainPrimitive(
        `batch-norm-forward:${rows}x${c}:${eps}`,
        [
          [ARG.SRC, bnData(rows, c), TAG_NHWC],
          [BN_ARG.SCALE, [c]],
          [BN_ARG.SHIFT, [c]],
          [ARG.DST, bnData(rows, c), TAG_NHWC],
          [BN_ARG.MEAN, [c]],
          [BN_ARG.VARIANCE, [c]],
        ],
        (desc, [data]) => bnForward(desc, data, eps),
      );
      e?.run(x, gamma, beta, y, mean, variance);
      return e !== null;
    },
    batchNormBackward: (rows, eps, x, dy, gamma, mean, variance, dx, dGamma, dBeta) => {
      const c = gamma.length;
      const e = plainPrimitive(
        `batch-norm-backward:${rows}x${c}:${eps}`,
        [
          [ARG.SRC, bnData(rows, c), TAG_NHWC],
          [ARG.DIFF_DST, bnData(rows, c), TAG_NHWC],
          [BN_ARG.SCALE, [c]],
          [BN_ARG.SHIFT, [c]],
          [BN_ARG.MEAN, [c]],
          [BN_ARG.VARIANCE, [c]],
          [ARG.DIFF_SRC, bnData(rows, c), TAG_NHWC],
          [BN_ARG.DIFF_SCALE, [c]],
          [BN_ARG.DIFF_SHIFT, [c]],
        ],
        (desc, [data, diffData]) =>
          s.dnnl_batch_normalization_backward_desc_init(desc, BACKWARD, diffData, data, eps, BN_USE_SCALE_AND_SHIFT),
        undefined,
        (fwd) => bnForward(fwd, memoryDesc(bnData(rows, c), TAG_NHWC), eps),
      );
      // oneDNN 2.6 counts the shift among the backward's inputs (it does not read it): gamma's array stands in
      e?.run(x, dy, gamma, gamma, mean, variance, dx, dGamma, dBeta);
      return e !== null;
    },
    convForward: (g, x, w, y) => entry("forward", g).run(x, w, y),
    convBackwardData: (g, dy, w, dx) => entry("backward-data", g).run(dy, w, dx),
    convBackwardWeights: (g, x, dy, dw) => entry("backward-weights", g).run(x, dy, dw),
    implementation: (kind, g) => entry(kind, g).impl,
    avx512: (isa & AVX512_CORE) === AVX512_CORE,
    sgemm(transA, transB, m, n, k, a, b, c, options = {}) {
      if (m === 0 || n === 0) return;
      const lda = options.lda ?? (transA ? m : k);
      const ldb = options.ldb ?? (transB ? k : n);
      const ldc = options.ldc ?? n;
      if (k === 0) {
        // an empty sum (oneDNN rejects k = 0): C = beta·C, as BLAS defines it
        const beta = options.beta ?? 0;
        for (let i = 0; i < m; i++) {
          const row = c.subarray(i * ldc, i * ldc + n);
          if (beta === 0) row.fill(0);
          else for (let j = 0; j < n; j++) row[j] *= beta;
        }
        return;
      }
      const status = s.dnnl_sgemm(
        transA ? CHAR_T : CHAR_N,
        transB ? CHAR_T : CHAR_N,
        BigInt(m),
        BigInt(n),
        BigInt(k),
        options.alpha ?? 1,
        a,
        BigInt(Math.max(1, lda)),
        b,
        BigInt(Math.max(1, ldb)),
        options.beta ?? 0,
        c,
        BigInt(Math.max(1, ldc)),
      );
      check(status, `sgemm ${m}×${k}·${k}×${n}`);
    },
    getThreads: () => gomp?.omp_get_max_threads() ?? 1,
    setThreads: (n) => gomp?.omp_set_num_threads(n),
  };
}
