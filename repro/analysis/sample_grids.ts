/**
 * Pictures written next to the tables: sample grids of generated images and
 * scatter plots of generated vs real toy points, encoded with fast-png, and
 * {@linkcode labelPng} to enlarge one and title it (rendered with resvg), every picture through `compactPng`
 * (./png.ts).
 *
 * @module
 */
import { encode } from "fast-png";
import { compactPng } from "./png.ts";
import { Resvg } from "@resvg/resvg-js";

/** An 8×8 (or smaller) grid of images in [−1, 1] (NHWC, 1 or 3 channels) as PNG bytes, 2-pixel gutters. */
export function sampleGridPng(samples: Float32Array, shape: readonly number[], count = 64): Uint8Array {
  const [h, w, c] = shape;
  const per = h * w * c;
  const n = Math.min(count, samples.length / per);
  const cols = Math.ceil(Math.sqrt(n)), rows = Math.ceil(n / cols), gap = 2;
  const W = cols * (w + gap) + gap, H = rows * (h + gap) + gap;
  const rgb = new Uint8Array(W * H * 3).fill(40);
  for (let k = 0; k < n; k++) {
    const ox = gap + (k % cols) * (w + gap), oy = gap + Math.floor(k / cols) * (h + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < 3; ch++) {
          const v = samples[k * per + (y * w + x) * c + (c === 3 ? ch : 0)];
          rgb[((oy + y) * W + ox + x) * 3 + ch] = Math.round(Math.min(Math.max((v + 1) / 2, 0), 1) * 255);
        }
      }
    }
  }
  return encode({ width: W, height: H, data: rgb, channels: 3 });
}

/**
 * 3×3-pixel dots at 2-D points over [−range, range]² on a `side` × `side` RGB image (y up), coloured by `paint`
 * (the centre pixel or its rim).
 */
function dots(
  rgb: Uint8Array,
  side: number,
  pts: Float32Array,
  range: number,
  paint: (centre: boolean) => readonly number[],
): void {
  for (let i = 0; i < pts.length / 2; i++) {
    const px = Math.round(((pts[2 * i] + range) / (2 * range)) * (side - 1));
    const py = Math.round(((range - pts[2 * i + 1]) / (2 * range)) * (side - 1));
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = px + dx, y = py + dy;
        if (x >= 0 && x < side && y >= 0 && y < side) rgb.set(paint(dx === 0 && dy === 0), (y * side + x) * 3);
      }
    }
  }
}

/** A 256×256 scatter plot of real (grey) and generated (orange) 2-D points over [−range, range]². */
export function scatterPng(fake: Float32Array, real: Float32Array, range = 2.5): Uint8Array {
  const S = 256;
  const rgb = new Uint8Array(S * S * 3).fill(255);
  const plot = (pts: Float32Array, color: [number, number, number]) => dots(rgb, S, pts, range, () => color);
  for (let i = 0; i < S; i++) {
    rgb.set([220, 220, 220], (Math.floor(S / 2) * S + i) * 3);
    rgb.set([220, 220, 220], (i * S + Math.floor(S / 2)) * 3);
  }
  plot(real, [150, 150, 150]);
  plot(fake, [230, 120, 20]);
  return encode({ width: S, height: S, data: rgb, channels: 3 });
}

/**
 * A critic's value surface (`values`: `side` × `side`, row 0 at the top, from `valueSurface`) as ten filled contour
 * bands of equal steps of its range, from dark blue (lowest) to yellow (highest), their edges drawn darker, and the real
 * points on top (white with a dark rim): WGAN-GP Fig. 1a's picture. Flat bands keep the PNG small.
 */
export function surfacePng(values: Float32Array, side: number, real: Float32Array, range: number): Uint8Array {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) lo = Math.min(lo, v), hi = Math.max(hi, v);
  }
  const span = hi > lo ? hi - lo : 1;
  const level = (i: number) =>
    Number.isFinite(values[i]) ? Math.min(9, Math.floor((10 * (values[i] - lo)) / span)) : -1;
  const rgb = new Uint8Array(side * side * 3);
  // dark blue → teal → yellow (a short viridis-like ramp)
  const stops = [[40, 30, 110], [30, 140, 140], [120, 200, 80], [250, 230, 40]];
  for (let i = 0; i < side * side; i++) {
    const t = level(i) < 0 ? 0 : (level(i) + 0.5) / 10;
    const x = t * (stops.length - 1), k = Math.min(stops.length - 2, Math.floor(x)), f = x - k;
    const c = stops[k].map((a, j) => Math.round(a + f * (stops[k + 1][j] - a)));
    const r = Math.floor(i / side), col = i % side;
    const edge = (col + 1 < side && level(i) !== level(i + 1)) || (r + 1 < side && level(i) !== level(i + side));
    rgb.set(edge ? c.map((a) => Math.round(a * 0.45)) : c, i * 3);
  }
  dots(rgb, side, real, range, (centre) => centre ? [255, 255, 255] : [20, 20, 20]);
  return encode({ width: side, height: side, data: rgb, channels: 3 });
}

/**
 * The picture `png` (`width` × `height` pixels) enlarged `scale` times, without smoothing, under a title line and
 * an optional caption line: what run, which seed, which iteration a grid shows.
 */
export function labelPng(
  png: Uint8Array,
  width: number,
  height: number,
  title: string,
  caption = "",
  scale = 2,
): Uint8Array {
  const W = width * scale, top = caption ? 40 : 24, H = height * scale + top;
  const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  let binary = "";
  for (let i = 0; i < png.length; i += 0x8000) binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">` +
    `<rect width="${W}" height="${H}" fill="white"/>` +
    `<text x="4" y="16" font-family="sans-serif" font-size="13" fill="#222">${esc(title)}</text>` +
    (caption ? `<text x="4" y="32" font-family="sans-serif" font-size="11" fill="#555">${esc(caption)}</text>` : "") +
    `<image x="0" y="${top}" width="${W}" height="${height * scale}" style="image-rendering:pixelated" ` +
    `href="data:image/png;base64,${btoa(binary)}"/></svg>`;
  return compactPng(new Resvg(svg, { background: "white" }).render().asPng());
}

/** Width and height of a PNG from its header. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
