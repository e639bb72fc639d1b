/**
 * The IDX format of MNIST and Fashion-MNIST (raw or gzipped): a 4-byte magic
 * number (0, 0, type code, number of dimensions), the dimensions as big-endian
 * 32-bit integers, then the data. Images are unsigned bytes scaled to [−1, 1].
 *
 * @module
 */
import { DataFileError, maybeGunzip, readDataFile } from "./files.ts";
import { type ImageDataset, imageDataset } from "./dataset.ts";

/** A parsed IDX array of unsigned bytes. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/**
 * Parses IDX bytes (already decompressed). Only the unsigned-byte type (0x08),
 * used by every MNIST-style file, is accepted.
 *
 * @example
 * ```ts
 * import { parseIdx } from "wgan-bench/data";
 * const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]);
 * const { dims, data } = parseIdx(bytes, "labels.idx");
 * if (dims[0] !== 3 || data[2] !== 9) throw new Error("parsed wrongly");
 * ```
 */
export function parseIdx(bytes: Uint8Array, path: string): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFileError(`Cannot parse IDX file "${path}": bad magic number (not an IDX file)`);
  }
  if (bytes[2] !== 0x08) {
    throw new DataFileError(
      `Cannot parse IDX file "${path}": data type 0x${bytes[2].toString(16)} is not unsigned byte (0x08)`,
    );
  }
  const ndim = bytes[3];
  const header = 4 + 4 * ndim;
  if (ndim === 0 || bytes.length < header) {
    throw new DataFileError(`Cannot parse IDX file "${path}": truncated header (${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - header !== size) {
    throw new DataFileError(
      `Cannot parse IDX file "${path}": header says ${dims.join("x")} = ${size} values but the file holds ${
        bytes.length - header
      } (truncated or corrupt)`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/** Reads and parses an IDX file (`.gz` or raw). */
export async function readIdx(path: string): Promise<IdxArray> {
  return parseIdx(await maybeGunzip(await readDataFile(path, "IDX file"), path), path);
}

/** Options of {@linkcode loadIdxImages}. */
export interface IdxImagesOptions {
  /** Path to the images file (`*-images-idx3-ubyte[.gz]`). */
  images: string;
  /** Optional labels file (`*-labels-idx1-ubyte[.gz]`). */
  labels?: string;
  /** Dataset name for logs and rows (default "idx"). */
  name?: string;
  /** Bring the images to 32×32: `"pad"` with background (−1), or `"bilinear"` resize (the official code's `Scale(32)`). */
  to32?: To32;
}

/**
 * Loads IDX images (and labels) as an in-memory dataset of `[h, w, 1]` images in [−1, 1].
 *
 * @example
 * ```ts
 * import { loadIdxImages } from "wgan-bench";
 * // two 2×2 images: header (magic, count, rows, cols) then bytes
 * const path = await Deno.makeTempFile({ suffix: ".idx" });
 * await Deno.writeFile(path, new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 255, 0, 255, 255, 0, 255, 0]));
 * const ds = await loadIdxImages({ images: path });
 * if (ds.count !== 2 || ds.images[1] !== 1 || ds.images[0] !== -1) throw new Error("wrong pixels");
 * await Deno.remove(path);
 * ```
 */
export async function loadIdxImages(opts: IdxImagesOptions): Promise<ImageDataset> {
  const images = await readIdx(opts.images);
  if (images.dims.length !== 3) {
    throw new DataFileError(
      `Cannot load images from "${opts.images}": expected 3 dimensions (count, height, width), got ${
        images.dims.join("x")
      }`,
    );
  }
  const [count, h, w] = images.dims;
  let labels: Int32Array | undefined;
  if (opts.labels) {
    const l = await readIdx(opts.labels);
    if (l.dims.length !== 1 || l.dims[0] !== count) {
      throw new DataFileError(
        `Cannot load labels from "${opts.labels}": ${l.dims.join("x")} labels for ${count} images`,
      );
    }
    labels = Int32Array.from(l.data);
  }
  return imageDataset({
    name: opts.name ?? "idx",
    ...grayscaleToImages(images.data, count, h, w, opts.to32 ?? null),
    labels,
  });
}

/**
 * Resizes one h×w single-channel image to H×W bilinearly with half-pixel centres and clamped edges: PyTorch's
 * `interpolate(mode="bilinear", align_corners=False)`, and what PIL's bilinear resize computes when enlarging.
 */
export function resizeBilinear(image: ArrayLike<number>, h: number, w: number, H: number, W: number): Float32Array {
  const taps = (size: number, from: number) =>
    Array.from({ length: size }, (_, i) => {
      const src = Math.min(Math.max((i + 0.5) * (from / size) - 0.5, 0), from - 1);
      const lo = Math.floor(src);
      return { lo, hi: Math.min(lo + 1, from - 1), t: src - lo };
    });
  const ys = taps(H, h), xs = taps(W, w);
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; y++) {
    const { lo: y0, hi: y1, t: ty } = ys[y];
    for (let x = 0; x < W; x++) {
      const { lo: x0, hi: x1, t: tx } = xs[x];
      const top = image[y0 * w + x0] * (1 - tx) + image[y0 * w + x1] * tx;
      const bottom = image[y1 * w + x0] * (1 - tx) + image[y1 * w + x1] * tx;
      out[y * W + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** How smaller images are brought to 32×32. */
export type To32 = "pad" | "bilinear";

/**
 * Bytes (0–255) or floats (0–1) of `count` h×w grayscale images → [−1, 1], optionally brought to 32×32: padded
 * with background, or resized bilinearly with half-pixel centres and clamped edges (what PIL's bilinear
 * `resize`, behind torchvision's `Scale(32)`, computes when enlarging; PIL's rounding to bytes is not copied).
 */
export function grayscaleToImages(
  pixels: ArrayLike<number>,
  count: number,
  h: number,
  w: number,
  to32: To32 | null,
  scale = 255,
): { images: Float32Array; sampleShape: number[] } {
  if (to32 && (h > 32 || w > 32)) {
    throw new RangeError(`Cannot bring ${h}x${w} images to 32x32: they are larger`);
  }
  const H = to32 ? 32 : h, W = to32 ? 32 : w;
  const out = new Float32Array(count * H * W).fill(-1);
  const value = (n: number, y: number, x: number) => (pixels[n * h * w + y * w + x] / scale) * 2 - 1;
  if (to32 === "bilinear") {
    const one = new Float32Array(h * w);
    for (let n = 0; n < count; n++) {
      for (let i = 0; i < h * w; i++) one[i] = value(n, Math.floor(i / w), i % w);
      out.set(resizeBilinear(one, h, w, H, W), n * H * W);
    }
    return { images: out, sampleShape: [H, W, 1] };
  }
  const top = (H - h) >> 1, left = (W - w) >> 1;
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) out[n * H * W + (y + top) * W + x + left] = value(n, y, x);
    }
  }
  return { images: out, sampleShape: [H, W, 1] };
}
