import assert from "node:assert/strict";
import { encode } from "fast-png";
import {
  DataFileError,
  loadCifar10,
  loadFashionMnist,
  loadIdxImages,
  loadImageFolder,
  loadMnist,
  Rng,
} from "../../mod.ts";
import { FASHION_MNIST_DIR, parseIdx, resizeBilinear } from "../../lib/data/mod.ts";
import { tempDir } from "../temp.ts";

function idxBytes(dims: number[], data: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header.set([0, 0, 8, dims.length]);
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("loadIdxImages() reads raw and gzipped IDX images with labels, scaled to [−1, 1] and optionally padded", async () => {
  const dir = await tempDir();
  const pixels = Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256);
  await Deno.writeFile(`${dir}/img`, idxBytes([3, 4, 5], pixels));
  await Deno.writeFile(`${dir}/img.gz`, await gzip(idxBytes([3, 4, 5], pixels)));
  await Deno.writeFile(`${dir}/lab.gz`, await gzip(idxBytes([3], [2, 0, 9])));
  for (const name of ["img", "img.gz"]) {
    const ds = await loadIdxImages({ images: `${dir}/${name}`, labels: `${dir}/lab.gz` });
    assert.equal(ds.count, 3);
    assert.deepEqual(ds.sampleShape, [4, 5, 1]);
    assert.deepEqual([...ds.labels!], [2, 0, 9]);
    ds.images.forEach((v, i) => assert.ok(Math.abs(v - (pixels[i] / 255 * 2 - 1)) < 1e-6));
  }
  const padded = await loadIdxImages({ images: `${dir}/img`, to32: "pad" });
  assert.deepEqual(padded.sampleShape, [32, 32, 1]);
  assert.equal(padded.images[0], -1); // border is background
  assert.ok(Math.abs(padded.images[14 * 32 + 13] - (pixels[0] / 255 * 2 - 1)) < 1e-6); // (32−4)/2 = 14, (32−5)/2 = 13
});

Deno.test("IDX files that are missing, not IDX, truncated or mismatched fail with one line naming the file", async () => {
  const dir = await tempDir();
  await Deno.writeFile(`${dir}/bad-magic`, new Uint8Array([1, 2, 3, 4, 5]));
  await Deno.writeFile(`${dir}/truncated`, idxBytes([2, 2, 2], [1, 2, 3]));
  await Deno.writeFile(`${dir}/floats`, new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]));
  await Deno.writeFile(`${dir}/bad.gz`, new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]));
  await Deno.writeFile(`${dir}/img`, idxBytes([2, 1, 1], [1, 2]));
  await Deno.writeFile(`${dir}/lab`, idxBytes([3], [1, 2, 3]));
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ["missing", () => loadIdxImages({ images: `${dir}/nope` }), /"[^"]*nope": no such file/],
    ["bad magic", () => loadIdxImages({ images: `${dir}/bad-magic` }), /bad-magic": bad magic number/],
    ["truncated", () => loadIdxImages({ images: `${dir}/truncated` }), /truncated": header says 2x2x2 = 8 values/],
    ["float type", () => loadIdxImages({ images: `${dir}/floats` }), /floats": data type 0xd is not unsigned byte/],
    ["corrupt gzip", () => loadIdxImages({ images: `${dir}/bad.gz` }), /bad.gz": corrupt gzip data/],
    ["label count", () => loadIdxImages({ images: `${dir}/img`, labels: `${dir}/lab` }), /3 labels for 2 images/],
  ];
  for (const [what, load, pattern] of cases) {
    await assert.rejects(load, (e: Error) => {
      assert.ok(e instanceof DataFileError, `${what}: ${e}`);
      assert.match(e.message, pattern, what);
      assert.ok(!e.message.includes("\n"), `${what}: one line`);
      return true;
    });
  }
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 2, 0, 0]), "short"), /truncated header/);
});

const fashionInstalled = await Deno.stat(`${FASHION_MNIST_DIR}/t10k-images-idx3-ubyte.gz`).then(
  () => true,
  () => false,
);

Deno.test({
  name: "loadFashionMnist() reads Debian's dataset-fashion-mnist: 10,000 test images, 1,000 per class",
  ignore: !fashionInstalled,
  async fn() {
    const ds = await loadFashionMnist({ split: "test" });
    assert.equal(ds.count, 10000);
    assert.deepEqual(ds.sampleShape, [28, 28, 1]);
    const perClass = new Array(10).fill(0);
    ds.labels!.forEach((l) => perClass[l]++);
    assert.deepEqual(perClass, new Array(10).fill(1000));
    let min = Infinity, max = -Infinity, sum = 0;
    for (const v of ds.images) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    assert.equal(min, -1);
    assert.equal(max, 1);
    const meanPixel = (sum / ds.images.length + 1) / 2; // Fashion-MNIST's mean pixel is ≈ 0.286
    assert.ok(Math.abs(meanPixel - 0.286) < 0.01, `mean pixel ${meanPixel}`);
  },
});

Deno.test("loadFashionMnist() from a folder without the files says how to get them", async () => {
  const dir = await tempDir();
  await assert.rejects(() => loadFashionMnist({ dir }), /not found \(install Debian's dataset-fashion-mnist/);
});

Deno.test("loadMnist() gives the 10,000 embedded digits in [−1, 1] with labels of every class; to32 pad adds a background border", async () => {
  const ds = await loadMnist();
  assert.equal(ds.count, 10000);
  const perClass = new Array(10).fill(0);
  ds.labels!.forEach((l) => perClass[l]++);
  // the package's per-class counts (the first 10,000 MNIST test digits)
  assert.deepEqual(perClass, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  let min = Infinity, max = -Infinity;
  for (const v of ds.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.deepEqual([min, max], [-1, 1]);
  const padded = await loadMnist({ to32: "pad" });
  assert.deepEqual(padded.sampleShape, [32, 32, 1]);
  assert.equal(padded.images[0], -1);
  assert.equal(padded.images[(2 * 32 + 2) + 14 * 32 + 14], ds.images[14 * 28 + 14]);
  const resized = await loadMnist({ to32: "bilinear" });
  assert.deepEqual([resized.name, resized.sampleShape], ["mnist32-bilinear", [32, 32, 1]]);
});

Deno.test('resizeBilinear() matches PyTorch\'s interpolate(mode="bilinear", align_corners=False); loadMnist uses it', async () => {
  // torch.nn.functional.interpolate(x (1×1×2×3), size=(4, 5), mode="bilinear", align_corners=False)
  const torch = [
    0,
    0.4,
    1,
    0.4,
    0,
    0.25,
    0.5,
    0.875,
    0.3875,
    0.0625,
    0.75,
    0.7,
    0.625,
    0.3625,
    0.1875,
    1,
    0.8,
    0.5,
    0.35,
    0.25,
  ];
  const ours = resizeBilinear([0, 1, 0, 1, 0.5, 0.25], 2, 3, 4, 5);
  ours.forEach((v, i) => assert.ok(Math.abs(v - torch[i]) < 1e-6, `pixel ${i}: ${v} vs PyTorch ${torch[i]}`));
  const digits = await loadMnist(), resized = await loadMnist({ to32: "bilinear" });
  const k = 4321;
  const expected = resizeBilinear(digits.images.subarray(k * 784, (k + 1) * 784), 28, 28, 32, 32);
  expected.forEach((v, i) => assert.ok(Math.abs(v - resized.images[k * 1024 + i]) < 1e-6));
});

Deno.test("loadCifar10() converts channel-planar records to NHWC and rejects corrupt batches", async () => {
  const dir = await tempDir();
  const rng = new Rng(1);
  const records = new Uint8Array(2 * 3073).map(() => rng.int(256));
  records[0] = 3;
  records[3073] = 9;
  await Deno.writeFile(`${dir}/b1.bin`, records);
  const ds = await loadCifar10([`${dir}/b1.bin`, `${dir}/b1.bin`]);
  assert.equal(ds.count, 4);
  assert.deepEqual([...ds.labels!], [3, 9, 3, 9]);
  // image 1, pixel (row 2, col 5), green channel
  const p = 2 * 32 + 5;
  assert.equal(ds.images[3072 + p * 3 + 1], Math.fround(records[3073 + 1 + 1024 + p] / 255 * 2 - 1));
  await Deno.writeFile(`${dir}/short.bin`, records.subarray(0, 3000));
  await assert.rejects(
    () => loadCifar10([`${dir}/short.bin`]),
    /short.bin": 3000 bytes is not a whole number of 3073-byte records/,
  );
  const badLabel = records.slice();
  badLabel[0] = 200;
  await Deno.writeFile(`${dir}/label.bin`, badLabel);
  await assert.rejects(() => loadCifar10([`${dir}/label.bin`]), /record 0 has label 200/);
});

Deno.test("loadImageFolder() labels class folders, resizes, converts channels, and names a corrupt PNG", async () => {
  const dir = await tempDir();
  const solid = (w: number, h: number, rgb: number[]) =>
    encode({ width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3).map((_, i) => rgb[i % 3]) });
  await Deno.mkdir(`${dir}/b_yield`);
  await Deno.mkdir(`${dir}/a_stop`);
  await Deno.writeFile(`${dir}/a_stop/1.png`, solid(10, 6, [255, 0, 0]));
  await Deno.writeFile(`${dir}/b_yield/1.png`, solid(6, 6, [0, 0, 255]));
  await Deno.writeFile(
    `${dir}/b_yield/2.png`,
    encode({ width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(255) }),
  );
  const ds = await loadImageFolder(dir, { size: 8 });
  assert.equal(ds.count, 3);
  assert.deepEqual([...ds.labels!], [0, 1, 1]);
  assert.deepEqual(ds.sampleShape, [8, 8, 3]);
  assert.deepEqual([...ds.images.subarray(0, 3)], [1, -1, -1]); // red
  assert.deepEqual([...ds.images.subarray(192, 195)], [-1, -1, 1]); // blue
  assert.deepEqual([...ds.images.subarray(384, 387)], [1, 1, 1]); // white grayscale
  const gray = await loadImageFolder(dir, { size: 4, channels: 1 });
  assert.ok(Math.abs(gray.images[0] - (0.299 * 2 - 1)) < 1e-6);
  await Deno.writeFile(`${dir}/a_stop/broken.png`, new Uint8Array([137, 80, 78, 71, 1, 2, 3]));
  await assert.rejects(() => loadImageFolder(dir), /Cannot decode PNG "[^"]*broken.png"/);
  await assert.rejects(() => loadImageFolder(`${dir}/none`), /no such folder/);
  const empty = await tempDir();
  await assert.rejects(() => loadImageFolder(empty), /contains no .png, .jpg, .jpeg, .ppm, .pgm, .pbm, .pnm files/);
});
