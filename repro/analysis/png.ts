/**
 * PNG pictures stored compactly: {@linkcode compactPng} while a run draws them, {@linkcode smallestPng} when
 * `deno task publish` commits them. fast-png and pngjs only (no permission beyond the files read and written).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { decode, encode } from "fast-png";
// @ts-types="@types/pngjs"
import { PNG } from "pngjs";

/**
 * The same picture in fewer bytes, pixel for pixel: an opaque image loses its alpha channel, a grey one (every pixel
 * r = g = b: the MNIST grids) is stored as one grey channel, and the data is deflated at level 9. resvg writes
 * 8-bit RGBA at its default compression, about twice as large; results/ travels to the GPU machine, whose limit
 * (64 MiB with the GPU kit) the committed pictures count against. Pictures with transparency or 16-bit depth are
 * returned as they are.
 */
export function compactPng(png: Uint8Array): Uint8Array {
  return compactImage(png)?.png ?? png;
}

/** The decoded picture in its fewest channels, and fast-png's encoding of it; undefined: left as it is. */
function compactImage(
  png: Uint8Array,
): { png: Uint8Array; width: number; height: number; channels: 1 | 3; pixels: Uint8Array } | undefined {
  const image = decode(png);
  const { width, height, channels } = image;
  if (image.depth !== 8 || image.palette || channels === 2) return undefined;
  const data = image.data as Uint8Array;
  const n = width * height;
  let grey = true;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    if (channels === 4 && data[o + 3] !== 255) return undefined;
    if (channels >= 3 && (data[o] !== data[o + 1] || data[o] !== data[o + 2])) grey = false;
  }
  const out = grey ? 1 : 3;
  const pixels = new Uint8Array(n * out);
  for (let i = 0; i < n; i++) for (let k = 0; k < out; k++) pixels[i * out + k] = data[i * channels + k];
  const encoded = encode({ width, height, data: pixels, channels: out, depth: 8 }, { zlib: { level: 9 } });
  return { png: encoded, width, height, channels: out, pixels };
}

/**
 * {@linkcode compactPng}, then the smallest of seven encodings of the same pixels: fast-png's (no row filter) and
 * pngjs's with each of PNG's row filters (None, Sub, Up, Average, Paeth) and its adaptive per-row choice, all deflated
 * at level 9. Lossless. Measured on the 257 pictures of results/ at e9b1f92: 22.55 MB as compactPng wrote them,
 * 20.91 MB so. The plots (large flat areas) stay smallest unfiltered; the MNIST sample grids lose about 16% with
 * filtered rows. Seven encodings cost about seven times compactPng's time, which is why a run's pictures are written
 * with compactPng and a publication's with this. Each candidate is decoded again and compared pixel for pixel before
 * it is taken (a mismatch throws); the input is returned when nothing is smaller.
 */
export function smallestPng(png: Uint8Array): Uint8Array {
  const compact = compactImage(png);
  if (!compact) return png;
  const { width, height, channels, pixels } = compact;
  let best = compact.png.length < png.length ? compact.png : png;
  const colorType = channels === 1 ? 0 : 2;
  for (const filterType of [-1, 0, 1, 2, 3, 4]) {
    const image = new PNG({ width, height });
    image.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.length);
    const candidate = new Uint8Array(
      PNG.sync.write(image, {
        colorType,
        inputColorType: colorType,
        inputHasAlpha: false,
        deflateLevel: 9,
        filterType,
      }),
    );
    if (candidate.length >= best.length) continue;
    const back = decode(candidate);
    const data = back.data as Uint8Array;
    if (back.channels !== channels || data.length !== pixels.length || data.some((v, i) => v !== pixels[i])) {
      throw new Error(`pngjs's encoding (filter ${filterType}) does not decode to the same pixels`);
    }
    best = candidate;
  }
  return best;
}
