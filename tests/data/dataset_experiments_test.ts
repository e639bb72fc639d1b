/**
 * The seeds' other data sets as experiments (issue #28): `cifar10-dcgan` and `gtsrb-dcgan` run at the quick profile
 * on files the test writes (CIFAR-10 binary batches in the official folder, a GTSRB-layout folder of PPM images with
 * GT-*.csv annotations), and say in one line which files they need when none are given.
 */
import assert from "node:assert/strict";
import { loadExperimentData } from "../../repro/run/data.ts";
import { findExperiment } from "../../repro/config/registry.ts";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { tempDir } from "../temp.ts";
import { runCli, timelessTable } from "../repro/cli_helpers.ts";

/** Each class a colour of its own, with noise: easy for the feature classifier to tell apart. */
const COLOURS = [[220, 40, 40], [40, 200, 60], [50, 60, 230]];

function noisyPixel(cls: number, i: number, c: number): number {
  return Math.max(0, Math.min(255, COLOURS[cls][c] + ((i * 2654435761 + c * 97) % 41) - 20));
}

/** A CIFAR-10 batch of `n` records per class (label byte, then the red, green and blue planes of 32 × 32). */
function cifarBatch(n: number, offset = 0): Uint8Array {
  const bytes = new Uint8Array(3 * n * 3073);
  for (let r = 0; r < 3 * n; r++) {
    const cls = r % 3, at = r * 3073;
    bytes[at] = cls;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) bytes[at + 1 + c * 1024 + p] = noisyPixel(cls, p + r * 31 + offset, c);
    }
  }
  return bytes;
}

/** A GTSRB-layout folder: 3 class folders of `n` PPM signs (10 × 12, the sign in a 6 × 8 region) with GT-*.csv. */
async function gtsrbFolder(n: number): Promise<string> {
  const dir = await tempDir();
  for (let cls = 0; cls < 3; cls++) {
    const folder = `${dir}/${String(cls).padStart(5, "0")}`;
    await Deno.mkdir(folder);
    const lines = ["Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId"];
    for (let k = 0; k < n; k++) {
      const w = 10, h = 12, name = `00000_${String(k).padStart(5, "0")}.ppm`;
      const px: number[] = [];
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const inside = x >= 2 && x <= 7 && y >= 2 && y <= 9;
          for (let c = 0; c < 3; c++) px.push(inside ? noisyPixel(cls, x + y * w + k * 7, c) : 128);
        }
      }
      await Deno.writeFile(
        `${folder}/${name}`,
        new Uint8Array([...new TextEncoder().encode(`P6\n${w} ${h}\n255\n`), ...px]),
      );
      lines.push([name, w, h, 2, 2, 7, 9, cls].join(";"));
    }
    await Deno.writeTextFile(`${folder}/GT-${String(cls).padStart(5, "0")}.csv`, lines.join("\n") + "\n");
  }
  return dir;
}

const QUICK = [
  "--profile",
  "quick",
  "--backend",
  "wasm",
  "--seeds",
  "0",
  "--set",
  "iterations=2",
  "--set",
  "evalEvery=1",
];

Deno.test("cifar10:DIR reads the official folder: data_batch_*.bin train, test_batch.bin scores", async () => {
  const dir = await tempDir();
  await Deno.writeFile(`${dir}/data_batch_1.bin`, cifarBatch(40));
  await Deno.writeFile(`${dir}/data_batch_2.bin`, cifarBatch(20, 5));
  await Deno.writeFile(`${dir}/test_batch.bin`, cifarBatch(10, 9));
  await Deno.writeTextFile(`${dir}/batches.meta.txt`, "airplane\nautomobile\n");
  const e = findExperiment("cifar10-dcgan");
  const { settings } = resolveConfig(e, "quick");
  const data = await loadExperimentData(e, settings, `cifar10:${dir}`);
  assert.equal((data.train as typeof data.heldOut)!.count, 180);
  assert.equal(data.heldOut!.count, 30);
  assert.deepEqual(data.sampleShape, [32, 32, 3]);
  // a folder without batches: one line naming what it needs
  const empty = await tempDir();
  await assert.rejects(
    loadExperimentData(e, settings, `cifar10:${empty}`),
    /^DataFileError: Cannot load CIFAR-10 from ".*": no data_batch_\*\.bin in it \(CIFAR-10 is not packaged/,
  );
});

Deno.test({
  name: "cifar10-dcgan and gtsrb-dcgan run at the quick profile on generated files, and name the files they need",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cifar = await tempDir();
    await Deno.writeFile(`${cifar}/data_batch_1.bin`, cifarBatch(60));
    await Deno.writeFile(`${cifar}/test_batch.bin`, cifarBatch(20, 3));
    const gtsrb = await gtsrbFolder(60);
    const out = await tempDir();
    for (
      const [id, dataset, name] of [["cifar10-dcgan", `cifar10:${cifar}`, "cifar10"], [
        "gtsrb-dcgan",
        `gtsrb:${gtsrb}`,
        "gtsrb",
      ]]
    ) {
      const r = await runCli([id, ...QUICK, "--dataset", dataset, "--out", `${out}/${id}`]);
      assert.equal(r.code, 0, r.stderr);
      const rows = await timelessTable(`${out}/${id}/steps.csv`);
      assert.deepEqual([...new Set(rows.map((x) => x.arm))], ["wgan-gp", "wgan", "gan"]);
      assert.ok(rows.every((x) => x.dataset === name), `${id}: rows name ${name}`);
      assert.ok(rows.filter((x) => x.fd_lenet !== "").every((x) => Number(x.fd_lenet) >= 0));
      const records = JSON.parse(await Deno.readTextFile(`${out}/${id}/records.json`));
      const accuracy = records[0].evaluator.classifier_heldout_accuracy;
      assert.ok(accuracy >= records[0].evaluator.classifier_accuracy_floor, `${id}: accuracy ${accuracy}`);
      assert.equal(records[0].evaluator.classifier_accuracy_floor, name === "gtsrb" ? 0.9 : 0.5);
      const config = JSON.parse(await Deno.readTextFile(`${out}/${id}/config.json`));
      assert.equal(config.config.settings.imageSize, 32);
      // without --dataset, or with another set's: one line saying which files and where they come from, exit 2
      const missing = await runCli([id, "--profile", "quick", "--out", `${out}/${id}-none`]);
      assert.equal(missing.code, 2);
      assert.match(
        missing.stderr.trim(),
        new RegExp(
          `^error: Cannot run ${id} without --dataset: .* is not packaged and nothing is downloaded at run time: .*https://`,
        ),
      );
      assert.equal(missing.stderr.trim().split("\n").length, 1);
      const other = await runCli([id, "--profile", "quick", "--dataset", "mnist", "--out", `${out}/${id}-mnist`]);
      assert.equal(other.code, 2);
      assert.match(other.stderr, new RegExp(`Cannot use --dataset "mnist" with ${id}: it trains on ${name}`));
    }
    // --list says they need the user's files
    const list = await runCli(["--list"]);
    assert.match(list.stdout, /cifar10-dcgan[\s\S]*needs your cifar10 files \(--dataset cifar10:\.\.\.\)/);
    assert.match(list.stdout, /gtsrb-dcgan[\s\S]*needs your gtsrb files \(--dataset gtsrb:\.\.\.\)/);
  },
});
