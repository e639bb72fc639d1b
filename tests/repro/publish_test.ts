import assert from "node:assert/strict";
import { publish } from "../../repro/publish/publish.ts";
import { tempDir } from "../temp.ts";

Deno.test("publish copies tables, figures and start/middle/end grids, and drops a previous run's grids", async () => {
  const from = await tempDir(), to = await tempDir();
  for (const f of ["steps.csv", "summary.csv", "verdict.md", "claims.json", "config.json", "quality_curves.png"]) {
    await Deno.writeTextFile(`${from}/${f}`, f);
  }
  await Deno.writeTextFile(`${from}/checkpoint.bin`, "not published");
  const run = `${from}/runs/wgan/seed-0`;
  await Deno.mkdir(run, { recursive: true });
  for (const step of [0, 100, 200, 300, 400]) {
    await Deno.writeTextFile(`${run}/samples-${String(step).padStart(6, "0")}.png`, `${step}`);
  }
  // a grid of an earlier, shorter run at a step this one does not publish, and one of this run's steps
  await Deno.writeTextFile(`${to}/samples-wgan-seed0-step1000.png`, "stale");
  await Deno.writeTextFile(`${to}/samples-wgan-seed0-step400.png`, "old");
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
    "steps.csv",
    "summary.csv",
    "verdict.md",
  ]);
  assert.equal(await Deno.readTextFile(`${to}/samples-wgan-seed0-step400.png`), "400");
});
