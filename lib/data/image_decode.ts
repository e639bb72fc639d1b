/**
 * Image files to float RGB: PNG (fast-png), JPEG (jpeg-js, baseline and progressive) and the Netpbm formats
 * PPM/PGM/PBM (binary P4–P6 and plain-text P1–P3, 8 or 16 bits), told apart by their first bytes, not their
 * names. A file that is none of them, or is cut short, is refused in one line naming it.
 *
 * @module
 */
import { decode as decodePng } from "npm:fast-png@8.0.0";
import { DataFileError } from "./files.ts";

/** A decoded image: `h × w × 3` values in [0, 1]. */
export interface RgbImage {
  w: number;
  h: number;
  rgb: Float32Array;
}

/** File name endings {@linkcode decodeImage} reads (case-insensitive). */
export const IMAGE_EXTENSIONS = [".png", ".jpg", ".jpeg", ".ppm", ".pgm", ".pbm", ".pnm"] as const;

const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split("\n")[0];

function fromPng(bytes: Uint8Array, path: string): RgbImage {
  let png;
  try {
    png = decodePng(bytes);
  } catch (e) {
    throw new DataFileError(`Cannot decode PNG "${path}": ${firstLine(e)}`);
  }
  const { width: w, height: h, data, depth } = png;
  const max = 2 ** depth - 1;
  const rgb = new Float32Array(w * h * 3);
  const palette = png.palette;
  for (let i = 0; i < w * h; i++) {
    if (palette) {
      const [r, g, b] = palette[data[i]];
      rgb.set([r / 255, g / 255, b / 255], i * 3);
    } else if (png.channels <= 2) {
      const v = data[i * png.channels] / max;
      rgb.set([v, v, v], i * 3);
    } else {
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * png.channels + c] / max;
    }
  }
  return { w, h, rgb };
}

async function fromJpeg(bytes: Uint8Array, path: string): Promise<RgbImage> {
  // the decoder loads with the first JPEG, not with the library
  const jpeg = (await import("npm:jpeg-js@0.4.4")).default;
  let img: { width: number; height: number; data: Uint8Array };
  try {
    // RGBA out; a bound on memory so a corrupt header cannot ask for gigabytes
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
  } catch (e) {
    throw new DataFileError(`Cannot decode JPEG "${path}": ${firstLine(e)}`);
  }
  const { width: w, height: h, data } = img;
  const rgb = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = data[i * 4 + c] / 255;
  return { w, h, rgb };
}

/** Netpbm: P1/P4 bitmaps, P2/P5 graymaps, P3/P6 pixmaps; header fields separated by whitespace and # comments. */
function fromNetpbm(bytes: Uint8Array, path: string): RgbImage {
  const fail = (why: string): never => {
    throw new DataFileError(`Cannot decode Netpbm image "${path}": ${why}`);
  };
  const kind = bytes[1] - 48; // "P1" … "P6"
  let pos = 2;
  const isSpace = (b: number) => b === 32 || b === 9 || b === 10 || b === 13;
  const token = (): number => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos])) pos++;
      if (bytes[pos] !== 35) break; // "#": a comment to the end of the line
      while (pos < bytes.length && bytes[pos] !== 10) pos++;
    }
    let text = "";
    while (pos < bytes.length && !isSpace(bytes[pos]) && bytes[pos] !== 35) text += String.fromCharCode(bytes[pos++]);
    if (!/^\d+$/.test(text)) {
      fail(pos >= bytes.length ? "the file ends inside its header" : `"${text}" is not a number`);
    }
    return Number(text);
  };
  const w = token(), h = token();
  const bitmap = kind === 1 || kind === 4;
  const max = bitmap ? 1 : token();
  if (w < 1 || h < 1) fail(`width and height must be positive, got ${w} × ${h}`);
  if (max < 1 || max > 65535) fail(`the maximum value must be 1 to 65535, got ${max}`);
  const channels = kind === 3 || kind === 6 ? 3 : 1;
  const values = new Float32Array(w * h * channels);
  if (kind <= 3) {
    for (let i = 0; i < values.length; i++) {
      if (kind === 1) {
        // plain bitmaps may run digits together: one character per pixel
        while (pos < bytes.length && (isSpace(bytes[pos]) || bytes[pos] === 35)) {
          if (bytes[pos] === 35) { while (pos < bytes.length && bytes[pos] !== 10) pos++; }
          else pos++;
        }
        if (pos >= bytes.length) fail(`the file ends after ${i} of ${values.length} values`);
        values[i] = bytes[pos++] === 49 ? 0 : 1; // 1 is black
      } else {
        if (pos >= bytes.length) fail(`the file ends after ${i} of ${values.length} values`);
        values[i] = token() / max;
      }
    }
  } else {
    pos++; // the single whitespace after the header
    if (kind === 4) {
      const rowBytes = Math.ceil(w / 8);
      if (bytes.length - pos < rowBytes * h) fail(`the file ends before its ${w} × ${h} pixels`);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          values[y * w + x] = (bytes[pos + y * rowBytes + (x >> 3)] >> (7 - (x & 7))) & 1 ? 0 : 1;
        }
      }
    } else {
      const size = max > 255 ? 2 : 1;
      if (bytes.length - pos < values.length * size) fail(`the file ends before its ${w} × ${h} pixels`);
      for (let i = 0; i < values.length; i++) {
        const v = size === 2 ? (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1] : bytes[pos + i];
        values[i] = v / max;
      }
    }
  }
  const rgb = new Float32Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = channels === 3 ? values[i * 3 + c] : values[i];
  }
  return { w, h, rgb };
}

/**
 * Decodes a PNG, JPEG or Netpbm file's bytes (`path` names it in errors).
 *
 * @example
 * ```ts
 * import { decodeImage } from "wgan-bench/data";
 * const ppm = new TextEncoder().encode("P3\n2 1\n255\n255 0 0  0 0 255\n");
 * const img = await decodeImage(ppm, "two.ppm");
 * if (img.w !== 2 || img.h !== 1 || img.rgb[0] !== 1 || img.rgb[5] !== 1) throw new Error("red, then blue");
 * ```
 */
export async function decodeImage(bytes: Uint8Array, path: string): Promise<RgbImage> {
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return fromPng(bytes, path);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return await fromJpeg(bytes, path);
  if (bytes[0] === 0x50 && bytes[1] >= 0x31 && bytes[1] <= 0x36) return fromNetpbm(bytes, path);
  throw new DataFileError(
    `Cannot decode "${path}": not a PNG, JPEG or Netpbm (PPM/PGM/PBM) file (it starts with ${
      [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ") || "nothing"
    })`,
  );
}
