/**
 * The German Traffic Sign Recognition Benchmark in its official layout: one folder per class (`00000` … `00042`),
 * each holding PPM images and a `GT-<class>.csv` annotation file (`Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;
 * Roi.Y2;ClassId`). Each sign is cropped to its annotated region (the corners inclusive), then resized to
 * `size × size`. Nothing is downloaded: point at the folder you have (`GTSRB/Final_Training/Images`).
 *
 * @module
 */
import { parse } from "npm:csv-parse@6.2.1/sync";
import { type ImageDataset, imageDataset } from "./dataset.ts";
import { DataFileError, readDataFile } from "./files.ts";
import { decodeImage } from "./image_decode.ts";
import { resizeInto } from "./image_folder.ts";

/** Options of {@linkcode loadGtsrb}. */
export interface GtsrbOptions {
  /** Output side length (default 32). */
  size?: number;
  /** 1 (grayscale) or 3 (RGB, default). */
  channels?: 1 | 3;
}

/** One annotated sign. */
interface Annotation {
  file: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  classId: number;
}

async function annotations(dir: string, classDir: string): Promise<Annotation[]> {
  const names = [...Deno.readDirSync(`${dir}/${classDir}`)].filter((e) => e.isFile && /^GT-.*\.csv$/i.test(e.name));
  if (names.length !== 1) {
    throw new DataFileError(
      `Cannot load GTSRB class folder "${dir}/${classDir}": expected one GT-*.csv annotation file, found ${names.length}`,
    );
  }
  const path = `${dir}/${classDir}/${names[0].name}`;
  let rows: Record<string, string>[];
  try {
    rows = parse(new TextDecoder().decode(await readDataFile(path, "GTSRB annotation")), {
      columns: true,
      delimiter: ";",
      skip_empty_lines: true,
      trim: true,
    });
  } catch (e) {
    if (e instanceof DataFileError) throw e;
    throw new DataFileError(`Cannot read "${path}": ${String((e as Error).message).split("\n")[0]}`);
  }
  return rows.map((r, i) => {
    const n = (key: string) => {
      const v = Number(r[key]);
      if (r[key] === undefined || r[key] === "" || !Number.isInteger(v) || v < 0) {
        throw new DataFileError(`Cannot read "${path}" line ${i + 2}: ${key} must be a whole number, got "${r[key]}"`);
      }
      return v;
    };
    if (!r.Filename) throw new DataFileError(`Cannot read "${path}" line ${i + 2}: no Filename`);
    return {
      file: r.Filename,
      x1: n("Roi.X1"),
      y1: n("Roi.Y1"),
      x2: n("Roi.X2"),
      y2: n("Roi.Y2"),
      classId: n("ClassId"),
    };
  });
}

/**
 * Loads GTSRB from `dir` (the folder of class folders), each sign cropped to its region of interest.
 *
 * @example
 * ```ts
 * import { loadGtsrb } from "wgan-bench";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/00014`);
 * const red = new Uint8Array(4 * 4 * 3).map((_, i) => (i % 3 === 0 ? 255 : 0));
 * await Deno.writeFile(`${dir}/00014/00000_00000.ppm`, new Uint8Array([...new TextEncoder().encode("P6 4 4 255\n"), ...red]));
 * await Deno.writeTextFile(
 *   `${dir}/00014/GT-00014.csv`,
 *   "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId\n00000_00000.ppm;4;4;1;1;2;2;14\n",
 * );
 * const ds = await loadGtsrb(dir, { size: 2 });
 * if (ds.count !== 1 || ds.labels![0] !== 14 || ds.images[0] !== 1) throw new Error("one red stop sign, class 14");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadGtsrb(dir: string, opts: GtsrbOptions = {}): Promise<ImageDataset> {
  const size = opts.size ?? 32, channels = opts.channels ?? 3;
  let classDirs: string[];
  try {
    classDirs = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name).sort();
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound ? "no such folder" : String((e as Error).message).split("\n")[0];
    throw new DataFileError(`Cannot read GTSRB folder "${dir}": ${reason}`);
  }
  if (!classDirs.length) {
    throw new DataFileError(
      `Cannot load GTSRB from "${dir}": no class folders (expected GTSRB/Final_Training/Images: 00000 … 00042)`,
    );
  }
  const signs: (Annotation & { dir: string })[] = [];
  for (const c of classDirs) for (const a of await annotations(dir, c)) signs.push({ ...a, dir: c });
  const images = new Float32Array(signs.length * size * size * channels);
  for (let i = 0; i < signs.length; i++) {
    const s = signs[i], path = `${dir}/${s.dir}/${s.file}`;
    const image = await decodeImage(await readDataFile(path, "GTSRB image"), path);
    if (s.x2 < s.x1 || s.y2 < s.y1 || s.x2 >= image.w || s.y2 >= image.h) {
      throw new DataFileError(
        `Cannot crop "${path}": its region (${s.x1}, ${s.y1})–(${s.x2}, ${s.y2}) is not inside the ${image.w} × ${image.h} image`,
      );
    }
    const box = { x: s.x1, y: s.y1, w: s.x2 - s.x1 + 1, h: s.y2 - s.y1 + 1 };
    resizeInto(image, size, channels, images, i * size * size * channels, box);
  }
  return imageDataset({
    name: "gtsrb",
    sampleShape: [size, size, channels],
    images,
    labels: Int32Array.from(signs, (s) => s.classId),
  });
}
