import assert from "node:assert/strict";
import { decode, encode } from "fast-png";
import { compactPublished, publish } from "../../repro/publish/publish.ts";
import { compactPng, smallestPng } from "../../repro/analysis/png.ts";
import { readTextFile, stepsTablePath } from "../../repro/folder/files.ts";
import { tempDir } from "../temp.ts";

const STEPS = "experiment,profile,arm,seed,step,fd_lenet\n" +
  Array.from({ length: 400 }, (_, i) => `mnist-mlp,default,wgan,0,${i * 10},${(500 - i * 0.731).toFixed(4)}`).join(
    "\n",
  ) +
  "\n";

/** An RGBA PNG as resvg writes one: opaque, grey (r = g = b) when `grey`, with some structure to deflate. */
function rgbaPng(width: number, height: number, grey: boolean): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = (i * 7919) % 251;
    data.set([v, grey ? v : (v * 3) % 256, grey ? v : 255 - v, 255], i * 4);
  }
  return encode({ width, height, data, channels: 4 }, { zlib: { level: 1 } });
}

/** The picture's pixels as RGB triples, whatever its channel layout. */
function rgb(png: Uint8Array): number[] {
  const { data, channels, width, height } = decode(png);
  const out: number[] = [];
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) out.push(Number(data[i * channels + (channels >= 3 ? k : 0)]));
  }
  return out;
}

Deno.test("publish copies tables, figures and start/middle/end grids, and drops a previous run's grids", async () => {
  const from = await tempDir(), to = await tempDir();
  for (const f of ["summary.csv", "verdict.md", "claims.json", "config.json"]) {
    await Deno.writeTextFile(`${from}/${f}`, f);
  }
  await Deno.writeTextFile(`${from}/steps.csv`, STEPS);
  await Deno.writeFile(`${from}/quality_curves.png`, rgbaPng(60, 40, false));
  await Deno.writeTextFile(`${from}/checkpoint.bin`, "not published");
  const run = `${from}/runs/wgan/seed-0`;
  await Deno.mkdir(run, { recursive: true });
  for (const step of [0, 100, 200, 300, 400]) {
    await Deno.writeFile(`${run}/samples-${String(step).padStart(6, "0")}.png`, rgbaPng(20 + step / 100, 10, true));
  }
  // a grid of an earlier, shorter run at a step this one does not publish, one of this run's steps, and the plain
  // steps table an earlier publication wrote
  await Deno.writeTextFile(`${to}/samples-wgan-seed0-step1000.png`, "stale");
  await Deno.writeTextFile(`${to}/samples-wgan-seed0-step400.png`, "old");
  await Deno.writeTextFile(`${to}/steps.csv`, STEPS.slice(0, 200));
  await Deno.writeTextFile(`${to}/notes.md`, "kept");
  const written = await publish(from, to);
  assert.deepEqual(written.filter((n) => n.startsWith("samples-")).sort(), [
    "samples-wgan-seed0-step0.png",
    "samples-wgan-seed0-step200.png",
    "samples-wgan-seed0-step400.png",
  ]);
  const files = (await Array.fromAsync(Deno.readDir(to))).map((e) => e.name).sort();
  assert.deepEqual(files, [
    "claims.json",
    "config.json",
    "notes.md",
    "quality_curves.png",
    "samples-wgan-seed0-step0.png",
    "samples-wgan-seed0-step200.png",
    "samples-wgan-seed0-step400.png",
    "steps.csv.gz",
    "summary.csv",
    "verdict.md",
  ]);
  // the table gzipped, reading back byte for byte (and as the folder's steps table)
  assert.equal(await stepsTablePath(to), `${to}/steps.csv.gz`);
  assert.equal(await readTextFile(`${to}/steps.csv.gz`), STEPS);
  assert.ok((await Deno.stat(`${to}/steps.csv.gz`)).size < STEPS.length / 3);
  // pictures: the same pixels, fewer bytes; grids grey, figures RGB, none with alpha
  const grid = await Deno.readFile(`${to}/samples-wgan-seed0-step400.png`);
  const source = await Deno.readFile(`${run}/samples-000400.png`);
  assert.deepEqual(rgb(grid), rgb(source));
  assert.equal(decode(grid).channels, 1);
  assert.ok(grid.length < source.length, `${grid.length} < ${source.length}`);
  const figure = await Deno.readFile(`${to}/quality_curves.png`);
  assert.deepEqual(rgb(figure), rgb(await Deno.readFile(`${from}/quality_curves.png`)));
  assert.equal(decode(figure).channels, 3);
  // publishing twice gives the same bytes
  const again = await tempDir();
  await publish(from, again);
  for (const f of ["steps.csv.gz", "quality_curves.png", "samples-wgan-seed0-step0.png"]) {
    assert.deepEqual(await Deno.readFile(`${again}/${f}`), await Deno.readFile(`${to}/${f}`), f);
  }
});

Deno.test("publish refuses to replace a steps.csv in the destination that it did not write", async () => {
  const from = await tempDir(), to = await tempDir();
  await Deno.writeTextFile(`${from}/steps.csv`, STEPS);
  await Deno.mkdir(`${from}/runs`);
  await Deno.writeTextFile(`${to}/steps.csv`, "my,own,table\n1,2,3\n");
  await assert.rejects(publish(from, to), /steps\.csv is not a steps table wgan-bench wrote/);
  assert.equal(await Deno.readTextFile(`${to}/steps.csv`), "my,own,table\n1,2,3\n");
});

Deno.test("compactPng keeps every pixel, and leaves pictures with transparency as they are", () => {
  const png = rgbaPng(33, 17, false);
  const small = compactPng(png);
  assert.deepEqual(rgb(small), rgb(png));
  assert.equal(compactPng(small).length, small.length);
  const data = new Uint8Array(4 * 4 * 4).fill(255);
  data[3] = 0;
  const clear = encode({ width: 4, height: 4, data, channels: 4 });
  assert.equal(compactPng(clear), clear);
});

Deno.test("smallestPng keeps every pixel, and a smooth grey picture gets smaller with filtered rows", () => {
  // a grey gradient with a little noise: row filters (Sub, Up, Paeth) turn it into a few small differences
  const width = 96, height = 80, data = new Uint8Array(width * height * 4);
  let r = 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      r = (r * 1103515245 + 12345) % 2 ** 31;
      const v = x + y + (r >> 16) % 4;
      data.set([v, v, v, 255], (y * width + x) * 4);
    }
  }
  const png = encode({ width, height, data, channels: 4 });
  const compact = compactPng(png), smallest = smallestPng(png);
  assert.deepEqual(rgb(smallest), rgb(png));
  assert.equal(decode(smallest).channels, 1);
  assert.ok(smallest.length < compact.length, `${smallest.length} bytes, compactPng's ${compact.length}`);
  assert.equal(smallestPng(smallest).length, smallest.length);
  // noise: nothing beats the unfiltered encoding by much, and the pixels are the same whichever is taken
  const noisy = rgbaPng(33, 17, false);
  assert.deepEqual(rgb(smallestPng(noisy)), rgb(noisy));
  assert.ok(smallestPng(noisy).length <= compactPng(noisy).length);
});

Deno.test("publish --compact turns an earlier published folder's steps.csv into steps.csv.gz, pixels unchanged", async () => {
  const dir = await tempDir();
  await Deno.writeTextFile(`${dir}/steps.csv`, STEPS);
  const png = rgbaPng(50, 30, true);
  await Deno.writeFile(`${dir}/samples-wgan-seed0-step0.png`, png);
  const { before, after } = await compactPublished(dir);
  assert.ok(after < before / 2, `${after} < ${before} / 2`);
  assert.equal(await stepsTablePath(dir), `${dir}/steps.csv.gz`);
  assert.equal(await readTextFile(`${dir}/steps.csv.gz`), STEPS);
  assert.deepEqual(rgb(await Deno.readFile(`${dir}/samples-wgan-seed0-step0.png`)), rgb(png));
  // a steps.csv that is not the harness's table is left alone, with one line
  const other = await tempDir();
  await Deno.writeTextFile(`${other}/steps.csv`, "a,b\n1,2\n");
  await assert.rejects(compactPublished(other), /is not a steps table wgan-bench wrote/);
  assert.equal(await Deno.readTextFile(`${other}/steps.csv`), "a,b\n1,2\n");
});

Deno.test("publish keeps only the final value surface per arm of a fixed-generator experiment (WGAN-GP Fig. 1a)", async () => {
  const from = await tempDir(), to = await tempDir();
  await Deno.writeTextFile(
    `${from}/config.json`,
    JSON.stringify({ identity: { experiment: "toy-critic-fit-8gaussians" } }),
  );
  await Deno.writeTextFile(`${from}/steps.csv`, STEPS);
  for (const arm of ["wgan", "wgan-gp"]) {
    const run = `${from}/runs/${arm}/seed-20`;
    await Deno.mkdir(run, { recursive: true });
    for (const step of [0, 700, 1500]) {
      await Deno.writeFile(`${run}/samples-${String(step).padStart(6, "0")}.png`, rgbaPng(12, 12, false));
    }
  }
  const written = await publish(from, to);
  assert.deepEqual(written.filter((n) => n.startsWith("samples-")).sort(), [
    "samples-wgan-gp-seed20-step1500.png",
    "samples-wgan-seed20-step1500.png",
  ]);
});
