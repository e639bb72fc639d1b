/**
 * A folder of images (GTSRB/LSUN-style) — PNG, JPEG or Netpbm (PPM/PGM/PBM), of any sizes: either the images
 * directly in the folder, or one sub-folder per class (labels are the sorted sub-folder indices). Each image is
 * centre-cropped to a square, resized bilinearly to `size × size`, converted to 1 or 3 channels and scaled to
 * [−1, 1].
 *
 * @module
 */
import { decodeImage, IMAGE_EXTENSIONS, type RgbImage } from "./image_decode.ts";
import { type ImageDataset, imageDataset } from "./dataset.ts";
import { DataFileError, readDataFile } from "./files.ts";

/** Options of {@linkcode loadImageFolder}. */
export interface ImageFolderOptions {
  /** Output side length (default 32). */
  size?: number;
  /** 1 (grayscale) or 3 (RGB, default). */
  channels?: 1 | 3;
  /** Dataset name (default: the folder's base name). */
  name?: string;
}

const isImage = (name: string) => IMAGE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext));

async function listImages(dir: string): Promise<{ path: string; cls: string | null }[]> {
  const entries: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) entries.push(e);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound ? "no such folder" : String((e as Error).message).split("\n")[0];
    throw new DataFileError(`Cannot read image folder "${dir}": ${reason}`);
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const out: { path: string; cls: string | null }[] = [];
  for (const e of entries) {
    if (e.isFile && isImage(e.name)) out.push({ path: `${dir}/${e.name}`, cls: null });
    if (e.isDirectory) {
      const inner: string[] = [];
      for await (const f of Deno.readDir(`${dir}/${e.name}`)) {
        if (f.isFile && isImage(f.name)) inner.push(f.name);
      }
      inner.sort().forEach((name) => out.push({ path: `${dir}/${e.name}/${name}`, cls: e.name }));
    }
  }
  return out;
}

/** A region of an image: its left and top pixel, width and height. */
export interface CropBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Resizes the region `box` of `src` (default: the centred square) bilinearly to `size × size`, writing `channels`
 * values per pixel in [−1, 1] at `offset` of `out`.
 */
export function resizeInto(
  src: RgbImage,
  size: number,
  channels: 1 | 3,
  out: Float32Array,
  offset: number,
  box?: CropBox,
): void {
  const side = Math.min(src.w, src.h);
  const { x: x0, y: y0, w: bw, h: bh } = box ?? { x: (src.w - side) / 2, y: (src.h - side) / 2, w: side, h: side };
  const at = (x: number, y: number, c: number) => src.rgb[(y * src.w + x) * 3 + c];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      const sx = Math.min(Math.max(x0 + ((ox + 0.5) * bw) / size - 0.5, 0), src.w - 1);
      const sy = Math.min(Math.max(y0 + ((oy + 0.5) * bh) / size - 0.5, 0), src.h - 1);
      const xa = Math.floor(sx), ya = Math.floor(sy);
      const xb = Math.min(xa + 1, src.w - 1), yb = Math.min(ya + 1, src.h - 1);
      const fx = sx - xa, fy = sy - ya;
      const px = [0, 1, 2].map((c) =>
        (1 - fy) * ((1 - fx) * at(xa, ya, c) + fx * at(xb, ya, c)) +
        fy * ((1 - fx) * at(xa, yb, c) + fx * at(xb, yb, c))
      );
      const base = offset + (oy * size + ox) * channels;
      if (channels === 1) out[base] = (0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2]) * 2 - 1;
      else for (let c = 0; c < 3; c++) out[base + c] = px[c] * 2 - 1;
    }
  }
}

/**
 * Loads every PNG, JPEG and Netpbm image under `dir` (one level of class folders) as a dataset; a file that cannot
 * be decoded is named in the error.
 *
 * @example
 * ```ts
 * import { encode } from "fast-png";
 * import { loadImageFolder } from "wgan-bench";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/stop`);
 * const red = new Uint8Array(8 * 8 * 3).map((_, i) => (i % 3 === 0 ? 255 : 0));
 * await Deno.writeFile(`${dir}/stop/a.png`, encode({ width: 8, height: 8, data: red, channels: 3 }));
 * const ds = await loadImageFolder(dir, { size: 4 });
 * if (ds.count !== 1 || ds.labels![0] !== 0 || ds.images[0] !== 1) throw new Error("one red image of class 0");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadImageFolder(dir: string, opts: ImageFolderOptions = {}): Promise<ImageDataset> {
  const size = opts.size ?? 32;
  const channels = opts.channels ?? 3;
  const files = await listImages(dir);
  if (files.length === 0) {
    throw new DataFileError(`Cannot load image folder "${dir}": it contains no ${IMAGE_EXTENSIONS.join(", ")} files`);
  }
  const classes = [...new Set(files.map((f) => f.cls).filter((c): c is string => c !== null))].sort();
  const labelled = files.every((f) => f.cls !== null);
  const images = new Float32Array(files.length * size * size * channels);
  for (let i = 0; i < files.length; i++) {
    const image = await decodeImage(await readDataFile(files[i].path, "image"), files[i].path);
    resizeInto(image, size, channels, images, i * size * size * channels);
  }
  return imageDataset({
    name: opts.name ?? (dir.replace(/\/+$/, "").split("/").pop() || "images"),
    sampleShape: [size, size, channels],
    images,
    labels: labelled ? Int32Array.from(files, (f) => classes.indexOf(f.cls!)) : undefined,
  });
}
