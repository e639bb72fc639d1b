/**
 * The CIFAR-10 binary format (`data_batch_{1..5}.bin`, `test_batch.bin`):
 * records of 1 label byte then 3,072 pixel bytes (1,024 red, 1,024 green,
 * 1,024 blue, rows of 32). Converted to NHWC `[32, 32, 3]` in [−1, 1].
 *
 * @module
 */
import { type ImageDataset, imageDataset } from "./dataset.ts";
import { DataFileError, readDataFile } from "./files.ts";

const RECORD = 1 + 3072;

/**
 * Loads one or more CIFAR-10 binary batch files into one dataset with labels.
 *
 * @example
 * ```ts
 * import { loadCifar10 } from "wgan-bench";
 * const record = new Uint8Array(3073);
 * record[0] = 7; // label, then 1024 red, 1024 green, 1024 blue bytes
 * record.fill(255, 1, 1025);
 * const path = await Deno.makeTempFile({ suffix: ".bin" });
 * await Deno.writeFile(path, record);
 * const ds = await loadCifar10([path]);
 * if (ds.labels![0] !== 7 || ds.images[0] !== 1 || ds.images[1] !== -1) throw new Error("red pixel expected");
 * await Deno.remove(path);
 * ```
 */
export async function loadCifar10(paths: string[]): Promise<ImageDataset> {
  if (paths.length === 0) throw new DataFileError("Cannot load CIFAR-10: no batch files given");
  const files = await Promise.all(paths.map((p) => readDataFile(p, "CIFAR-10 batch file")));
  files.forEach((bytes, i) => {
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new DataFileError(
        `Cannot load CIFAR-10 batch "${
          paths[i]
        }": ${bytes.length} bytes is not a whole number of ${RECORD}-byte records`,
      );
    }
  });
  const count = files.reduce((n, b) => n + b.length / RECORD, 0);
  const images = new Float32Array(count * 3072);
  const labels = new Int32Array(count);
  let n = 0;
  files.forEach((bytes, f) => {
    for (let r = 0; r < bytes.length; r += RECORD, n++) {
      const label = bytes[r];
      if (label > 9) {
        throw new DataFileError(
          `Cannot load CIFAR-10 batch "${paths[f]}": record ${
            r / RECORD
          } has label ${label} (expected 0–9; corrupt file?)`,
        );
      }
      labels[n] = label;
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < 1024; p++) {
          images[n * 3072 + p * 3 + c] = (bytes[r + 1 + c * 1024 + p] / 255) * 2 - 1;
        }
      }
    }
  });
  return imageDataset({ name: "cifar10", sampleShape: [32, 32, 3], images, labels });
}
