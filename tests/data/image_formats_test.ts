import assert from "node:assert/strict";
import jpeg from "npm:jpeg-js@0.4.4";
import { encode } from "fast-png";
import { DataFileError, loadImageFolder } from "../../mod.ts";
import { decodeImage } from "../../lib/data/mod.ts";
import { tempDir } from "../temp.ts";

const text = (s: string) => new TextEncoder().encode(s);
const bytes = (header: string, body: number[]) => new Uint8Array([...text(header), ...body]);
const rgbOf = (img: { rgb: Float32Array }, i: number) => [...img.rgb.subarray(i * 3, i * 3 + 3)];

Deno.test("decodeImage(): Netpbm in all six kinds, 8 and 16 bits, with comments", async () => {
  // P6: red, green / blue, white
  const p6 = await decodeImage(
    bytes("P6\n# a comment\n2 2\n255\n", [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]),
    "a.ppm",
  );
  assert.deepEqual([p6.w, p6.h], [2, 2]);
  assert.deepEqual([rgbOf(p6, 0), rgbOf(p6, 1), rgbOf(p6, 2), rgbOf(p6, 3)], [[1, 0, 0], [0, 1, 0], [0, 0, 1], [
    1,
    1,
    1,
  ]]);
  // P3 (plain text), maxval 15
  const p3 = await decodeImage(text("P3 2 1 15  15 0 0   0 0 15\n"), "b.ppm");
  assert.deepEqual([rgbOf(p3, 0), rgbOf(p3, 1)], [[1, 0, 0], [0, 0, 1]]);
  // P5 16-bit big-endian: 0 and 65535 → 0 and 1, gray to all three channels
  const p5 = await decodeImage(bytes("P5\n2 1\n65535\n", [0, 0, 255, 255]), "c.pgm");
  assert.deepEqual([rgbOf(p5, 0), rgbOf(p5, 1)], [[0, 0, 0], [1, 1, 1]]);
  // P2
  const p2 = await decodeImage(text("P2\n3 1\n4\n0 2 4\n"), "d.pgm");
  assert.deepEqual([p2.rgb[0], p2.rgb[3], p2.rgb[6]], [0, 0.5, 1]);
  // P4 and P1: 1 is black; a P4 row is padded to whole bytes
  const p4 = await decodeImage(bytes("P4\n3 2\n", [0b10100000, 0b01000000]), "e.pbm");
  assert.deepEqual([...p4.rgb].filter((_, i) => i % 3 === 0), [0, 1, 0, 1, 0, 1]);
  const p1 = await decodeImage(text("P1\n3 1\n011\n"), "f.pbm");
  assert.deepEqual([p1.rgb[0], p1.rgb[3], p1.rgb[6]], [1, 0, 0]);
});

Deno.test("decodeImage(): JPEG (lossy: within 3/255), and every bad file named in one line", async () => {
  const w = 16, h = 8;
  const data = new Uint8Array(w * h * 4).map((_, i) => [200, 40, 90, 255][i % 4]);
  const encoded = jpeg.encode({ width: w, height: h, data }, 95).data;
  const img = await decodeImage(encoded, "x.jpg");
  assert.deepEqual([img.w, img.h], [w, h]);
  for (let i = 0; i < w * h; i++) {
    rgbOf(img, i).forEach((v, c) => assert.ok(Math.abs(v * 255 - [200, 40, 90][c]) <= 3, `pixel ${i}: ${v * 255}`));
  }
  const bad = async (b: Uint8Array, name: string, message: RegExp) => {
    await assert.rejects(decodeImage(b, name), (e) => e instanceof DataFileError && message.test(e.message));
  };
  await bad(encoded.subarray(0, 40), "cut.jpg", /^Cannot decode JPEG "cut.jpg": /);
  await bad(
    bytes("P6\n4 4\n255\n", [1, 2, 3]),
    "cut.ppm",
    /^Cannot decode Netpbm image "cut.ppm": the file ends before its 4 × 4 pixels$/,
  );
  await bad(text("P6\n4"), "head.ppm", /the file ends inside its header/);
  await bad(text("P3\n1 1\n255\n1 2 x\n"), "x.ppm", /"x" is not a number/);
  await bad(text("P5\n1 1\n70000\n"), "deep.pgm", /the maximum value must be 1 to 65535, got 70000/);
  await bad(
    text("GIF89a..."),
    "a.png",
    /^Cannot decode "a.png": not a PNG, JPEG or Netpbm \(PPM\/PGM\/PBM\) file \(it starts with 47 49 46 38\)$/,
  );
});

Deno.test("loadImageFolder(): PNG, JPEG and PPM of different sizes in class folders, one dataset", async () => {
  const dir = await tempDir();
  await Deno.mkdir(`${dir}/a`);
  await Deno.mkdir(`${dir}/b`);
  await Deno.writeFile(
    `${dir}/a/1.png`,
    encode({ width: 6, height: 6, channels: 3, data: new Uint8Array(108).map((_, i) => [255, 0, 0][i % 3]) }),
  );
  const jpg = jpeg.encode({ width: 12, height: 9, data: new Uint8Array(12 * 9 * 4).fill(255) }, 95).data;
  await Deno.writeFile(`${dir}/a/2.JPG`, jpg);
  await Deno.writeFile(`${dir}/b/1.ppm`, bytes("P6\n3 3\n255\n", Array(9).fill([0, 0, 255]).flat()));
  await Deno.writeFile(`${dir}/b/notes.txt`, text("not an image"));
  const ds = await loadImageFolder(dir, { size: 4 });
  assert.equal(ds.count, 3);
  assert.deepEqual([...ds.labels!], [0, 0, 1]);
  const px = (k: number) => [...ds.images.subarray(k * 48, k * 48 + 3)].map((v) => Math.round(v * 100) / 100);
  assert.deepEqual(px(0), [1, -1, -1]);
  assert.ok(px(1).every((v) => v > 0.97), `white JPEG: ${px(1)}`);
  assert.deepEqual(px(2), [-1, -1, 1]);
  await Deno.writeFile(`${dir}/b/2.jpeg`, jpg.subarray(0, 30));
  await assert.rejects(loadImageFolder(dir), /Cannot decode JPEG "[^"]*\/b\/2.jpeg"/);
});
