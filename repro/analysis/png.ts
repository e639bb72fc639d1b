/**
 * PNG pictures stored compactly. Only fast-png: `deno task publish` (read and write permissions only) uses it.
 *
 * @module
 */
import { decode, encode } from "fast-png";

/**
 * The same picture in fewer bytes, pixel for pixel: an opaque image loses its alpha channel, a grey one (every pixel
 * r = g = b: the MNIST grids) is stored as one grey channel, and the data is deflated at level 9. resvg writes
 * 8-bit RGBA at its default compression, about twice as large; results/ travels to the GPU machine, whose limit
 * (64 MiB with the GPU kit) the committed pictures count against. Pictures with transparency or 16-bit depth are
 * returned as they are.
 */
export function compactPng(png: Uint8Array): Uint8Array {
  const image = decode(png);
  const { width, height, channels } = image;
  if (image.depth !== 8 || image.palette || channels === 2) return png;
  const data = image.data as Uint8Array;
  const n = width * height;
  let grey = true;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    if (channels === 4 && data[o + 3] !== 255) return png;
    if (channels >= 3 && (data[o] !== data[o + 1] || data[o] !== data[o + 2])) grey = false;
  }
  const out = grey ? 1 : 3;
  const pixels = new Uint8Array(n * out);
  for (let i = 0; i < n; i++) for (let k = 0; k < out; k++) pixels[i * out + k] = data[i * channels + k];
  return encode({ width, height, data: pixels, channels: out, depth: 8 }, { zlib: { level: 9 } });
}
