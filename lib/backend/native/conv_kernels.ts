/**
 * Convolutions on OpenBLAS `sgemm`: Conv2D, FusedConv2D, Conv2DBackpropInput
 * (also the generators' transposed convolutions) and Conv2DBackpropFilter, as
 * im2col/col2im around one product each (NHWC, any stride, padding and
 * dilation).
 *
 * Layout facts used throughout: tfjs stores tensors row-major; conv2d is NHWC
 * with filters `[kh, kw, inChannels, outChannels]`, so an im2col row ordered
 * `(ky, kx, c)` times the filter viewed as a `(kh·kw·inC) × outC` matrix is one
 * output pixel, and the output matrix `(n·oh·ow) × outC` is already NHWC.
 *
 * @module
 */
import { tf } from "../engine.ts";
import type { Blas } from "./openblas.ts";
import type { ConvGeometry, OneDnn } from "./onednn.ts";
import { allocOutput } from "./pool.ts";
import { epilogue, f32, type Fallback, type Kernel, size } from "./kernel_util.ts";

/**
 * The four convolution kernels: oneDNN's primitives when `dnnl` is given and
 * takes the geometry, else im2col/col2im around `blas`.
 */
export function convKernels(blas: Blas, dnnl: OneDnn | undefined, fallback: Fallback): Record<string, Kernel> {
  const forward = (g: ConvGeometry, x: Float32Array, w: Float32Array, out: Float32Array) =>
    dnnl?.supports(g) ? dnnl.convForward(g, x, w, out) : convForward(blas, g, x, w, out);
  const backpropInput = (g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array) =>
    dnnl?.supports(g) ? dnnl.convBackwardData(g, dy, w, dx) : convBackpropInput(blas, g, dy, w, dx);
  const backpropFilter = (g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array) =>
    dnnl?.supports(g) ? dnnl.convBackwardWeights(g, x, dy, dw) : convBackpropFilter(blas, g, x, dy, dw);
  const conv2D: Kernel = (args) => {
    const { x, filter } = args.inputs;
    const a = args.attrs as unknown as ConvAttrs;
    const info = convInfo(x.shape, filter.shape, a);
    if (!info || x.dtype !== "float32" || filter.dtype !== "float32") return fallback("Conv2D")(args);
    const out = allocOutput(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
    forward(info, f32(args.backend, x), f32(args.backend, filter), out);
    return args.backend.makeTensorInfo(
      [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
      "float32",
      out,
    );
  };

  const fusedConv2D: Kernel = (args) => {
    const { x, filter } = args.inputs;
    const a = args.attrs as unknown as ConvAttrs;
    const info = convInfo(x.shape, filter.shape, a);
    if (!info || x.dtype !== "float32" || filter.dtype !== "float32") return fallback("FusedConv2D")(args);
    const out = allocOutput(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
    forward(info, f32(args.backend, x), f32(args.backend, filter), out);
    const y = args.backend.makeTensorInfo(
      [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
      "float32",
      out,
    );
    return epilogue(y, args, fallback);
  };

  const conv2DBackpropInput: Kernel = (args) => {
    const { dy, filter } = args.inputs;
    const a = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    const info = convInfo(a.inputShape, filter.shape, a);
    if (!info || dy.dtype !== "float32" || filter.dtype !== "float32") return fallback("Conv2DBackpropInput")(args);
    const dx = allocOutput(size(a.inputShape)); // col2im zeroes it; the pointwise product overwrites it
    backpropInput(info, f32(args.backend, dy), f32(args.backend, filter), dx);
    return args.backend.makeTensorInfo([...a.inputShape], "float32", dx);
  };

  const conv2DBackpropFilter: Kernel = (args) => {
    const { x, dy } = args.inputs;
    const a = args.attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    const info = convInfo(x.shape, a.filterShape, a);
    if (!info || dy.dtype !== "float32" || x.dtype !== "float32") return fallback("Conv2DBackpropFilter")(args);
    const dw = dy.shape[0] > 0 ? allocOutput(size(a.filterShape)) : new Float32Array(size(a.filterShape));
    backpropFilter(info, f32(args.backend, x), f32(args.backend, dy), dw);
    return args.backend.makeTensorInfo([...a.filterShape], "float32", dw);
  };

  return {
    Conv2D: conv2D,
    FusedConv2D: fusedConv2D,
    Conv2DBackpropInput: conv2DBackpropInput,
    Conv2DBackpropFilter: conv2DBackpropFilter,
  };
}

/** A scratch buffer reused across calls (kernels run synchronously on one thread). */
let scratch = new Float32Array(0);
function scratchOf(length: number): Float32Array {
  if (scratch.length < length) scratch = new Float32Array(Math.max(length, Math.ceil(scratch.length * 1.5)));
  return scratch.subarray(0, length);
}

/** Attributes of tfjs's Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter kernels. */
interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
}

export function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  a: ConvAttrs,
): ConvGeometry | undefined {
  if (a.dataFormat === "NCHW") return undefined; // tfjs's cpu kernel handles channels-first
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
  return {
    batchSize: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** True when the im2col matrix is the input itself (1×1 filter, stride 1, no padding). */
function isPointwise(g: ConvGeometry): boolean {
  return g.filterHeight === 1 && g.filterWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padLeft === 0;
}

/** Copies every receptive field of `x` into a row of `cols` ((n·oh·ow) × (kh·kw·c)); padding reads as 0. */
function im2col(g: ConvGeometry, x: Float32Array, cols: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: KH, filterWidth: KW } = g;
  const rowLength = KH * KW * C;
  const run = KW * C; // with dilation 1, one filter row reads KW·C consecutive input values
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    const imageBase = n * H * W * C;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const interior = g.dilationWidth === 1 && x0 >= 0 && x0 + KW <= W;
        let dst = row * rowLength;
        for (let ky = 0; ky < KH; ky++) {
          const iy = y0 + ky * g.dilationHeight;
          if (iy < 0 || iy >= H) {
            cols.fill(0, dst, dst + run);
            dst += run;
            continue;
          }
          if (interior) {
            const src = imageBase + (iy * W + x0) * C;
            if (run >= 64) cols.set(x.subarray(src, src + run), dst);
            else for (let i = 0; i < run; i++) cols[dst + i] = x[src + i];
            dst += run;
            continue;
          }
          for (let kx = 0; kx < KW; kx++, dst += C) {
            const ix = x0 + kx * g.dilationWidth;
            if (ix < 0 || ix >= W) {
              cols.fill(0, dst, dst + C);
              continue;
            }
            const src = imageBase + (iy * W + ix) * C;
            for (let c = 0; c < C; c++) cols[dst + c] = x[src + c];
          }
        }
      }
    }
  }
}

/** The adjoint of {@linkcode im2col}: adds each row of `cols` back onto the pixels it came from. */
function col2im(g: ConvGeometry, cols: Float32Array, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: KH, filterWidth: KW } = g;
  const rowLength = KH * KW * C;
  const run = KW * C;
  dx.fill(0);
  let row = 0;
  for (let n = 0; n < g.batchSize; n++) {
    const imageBase = n * H * W * C;
    for (let oy = 0; oy < g.outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      for (let ox = 0; ox < g.outWidth; ox++, row++) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const interior = g.dilationWidth === 1 && x0 >= 0 && x0 + KW <= W;
        const rowBase = row * rowLength;
        for (let ky = 0; ky < KH; ky++) {
          const iy = y0 + ky * g.dilationHeight;
          if (iy < 0 || iy >= H) continue;
          if (interior) {
            const src = rowBase + ky * run;
            const dst = imageBase + (iy * W + x0) * C;
            for (let i = 0; i < run; i++) dx[dst + i] += cols[src + i];
            continue;
          }
          for (let kx = 0; kx < KW; kx++) {
            const ix = x0 + kx * g.dilationWidth;
            if (ix < 0 || ix >= W) continue;
            const src = rowBase + (ky * KW + kx) * C;
            const dst = imageBase + (iy * W + ix) * C;
            for (let c = 0; c < C; c++) dx[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
}

/** The im2col matrix of `x` ((n·oh·ow) × (kh·kw·c)) in the scratch buffer, or `x` itself for a pointwise filter. */
function columns(g: ConvGeometry, x: Float32Array): { cols: Float32Array; rows: number; k: number } {
  const rows = g.batchSize * g.outHeight * g.outWidth;
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  if (isPointwise(g)) return { cols: x, rows, k };
  const cols = scratchOf(rows * k);
  im2col(g, x, cols);
  return { cols, rows, k };
}

function convForward(blas: Blas, g: ConvGeometry, x: Float32Array, w: Float32Array, out: Float32Array): void {
  const { cols, rows, k } = columns(g, x);
  blas.sgemm(false, false, rows, g.outChannels, k, cols, w, out);
}

function convBackpropFilter(blas: Blas, g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
  const { cols, rows, k } = columns(g, x);
  blas.sgemm(true, false, k, g.outChannels, rows, cols, dy, dw);
}

function convBackpropInput(blas: Blas, g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const rows = g.batchSize * g.outHeight * g.outWidth;
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  if (isPointwise(g)) {
    blas.sgemm(false, true, rows, k, g.outChannels, dy, w, dx);
    return;
  }
  const cols = scratchOf(rows * k);
  blas.sgemm(false, true, rows, k, g.outChannels, dy, w, cols);
  col2im(g, cols, dx);
}
