/**
 * `deno task publish <result-folder> <dest>`: copies what a finished result
 * folder shows into `dest` (the committed `results/<experiment>-<profile>/`):
 * the tables (steps.csv, summary.csv, verdict.md, claims.json, config.json, and records.json: each run's outcome
 * and exact training time, so the tables can be rebuilt from the folder alone), the figures,
 * and the first seed's sample grids of every arm at the start, middle and end
 * of training. Checkpoints and per-run folders stay behind. Sample grids in
 * `dest` that this publication did not write (a previous run's, at other
 * steps) are removed, so the folder shows one run's grids only.
 *
 * What is committed is stored compactly, the same content in fewer bytes: the table of every run's rows as
 * `steps.csv.gz` (about 5× smaller; `repro rebuild`, `compare` and the tests read it as they read steps.csv) and
 * every picture through {@linkcode smallestPng} (grey or RGB instead of RGBA, the smallest of seven lossless
 * encodings). results/ travels with the working tree to the GPU machine, 64 MiB with the GPU kit.
 * `deno task publish --compact <dest>...` does the same to folders published before.
 *
 * @module
 */
import { exists, gzipText, readTextFile, writeAtomic } from "../folder/files.ts";
import { smallestPng } from "../analysis/png.ts";
import { holdsGeneratorFixed } from "../config/experiments.ts";
import { experiments } from "../config/registry.ts";

const TABLES = ["summary.csv", "verdict.md", "claims.json", "config.json", "records.json"];
const STEPS_HEADER = "experiment,profile,arm,seed,step,";

/** Copies a picture, compacted ({@linkcode smallestPng}); a file that does not decode as PNG is copied as it is. */
async function copyPicture(from: string, to: string): Promise<void> {
  const bytes = await Deno.readFile(from);
  let out: Uint8Array = bytes;
  try {
    out = smallestPng(bytes);
  } catch {
    // not a PNG fast-png reads, or no re-encoding decoded to the same pixels: kept byte for byte
  }
  await writeAtomic(to, out.length < bytes.length ? out : bytes);
}

/**
 * Writes a steps table as `dir/steps.csv.gz` (gzip, reproducible bytes), after checking it is one the harness wrote
 * (its header).
 */
async function gzipSteps(text: string, dir: string): Promise<void> {
  if (!text.startsWith(STEPS_HEADER)) {
    throw new Error(
      `${dir}/steps.csv is not a steps table wgan-bench wrote (its header does not start "${STEPS_HEADER}")`,
    );
  }
  const gz = await gzipText(text);
  await writeAtomic(`${dir}/steps.csv.gz`, gz);
}

/**
 * A folder published before publication compacted it, compacted in place: steps.csv becomes steps.csv.gz (checked
 * to hold the same rows before the plain file is removed) and every PNG is re-encoded without a pixel changed.
 * Returns the bytes before and after.
 */
export async function compactPublished(dir: string): Promise<{ before: number; after: number }> {
  let before = 0, after = 0;
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile) continue;
    const path = `${dir}/${e.name}`;
    if (e.name === "steps.csv") {
      const text = await Deno.readTextFile(path);
      await gzipSteps(text, dir);
      const back = await readTextFile(`${path}.gz`);
      if (back !== text) {
        throw new Error(`${path}.gz does not read back as ${path}: the plain file is kept`);
      }
      before += text.length;
      after += (await Deno.stat(`${path}.gz`)).size;
      await Deno.remove(path);
    } else if (e.name.endsWith(".png")) {
      const size = (await Deno.stat(path)).size;
      await copyPicture(path, path);
      before += size;
      after += (await Deno.stat(path)).size;
    }
  }
  return { before, after };
}

/**
 * Copies the tables, figures and the first seed's start/middle/end sample grids (a fixed-generator experiment's: its
 * final value surfaces) of `from` into `to`; returns the files written.
 */
export async function publish(from: string, to: string): Promise<string[]> {
  const written: string[] = [];
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (!e.isFile) continue;
    if (TABLES.includes(e.name)) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
      written.push(e.name);
    } else if (e.name.endsWith(".png")) {
      await copyPicture(`${from}/${e.name}`, `${to}/${e.name}`);
      written.push(e.name);
    } else if (e.name === "steps.csv") {
      // a plain table an earlier publication left would stand in front of the new one: removed, when it is ours
      const stale = await exists(`${to}/steps.csv`);
      if (stale && !(await Deno.readTextFile(`${to}/steps.csv`)).startsWith(STEPS_HEADER)) {
        throw new Error(`${to}/steps.csv is not a steps table wgan-bench wrote: move it away first`);
      }
      await gzipSteps(await Deno.readTextFile(`${from}/steps.csv`), to);
      written.push("steps.csv.gz");
      if (stale) await Deno.remove(`${to}/steps.csv`);
    }
  }
  // which experiment made the folder (its config.json; none readable: an image or generator experiment's grids)
  const experimentId = await Deno.readTextFile(`${from}/config.json`)
    .then((t) => JSON.parse(t).identity?.experiment, () => undefined)
    .catch(() => undefined);
  const known = experiments().find((e) => e.id === experimentId);
  const fixed = known ? holdsGeneratorFixed(known) : false;
  for await (const arm of Deno.readDir(`${from}/runs`)) {
    const seeds = (await Array.fromAsync(Deno.readDir(`${from}/runs/${arm.name}`)))
      .map((s) => s.name).filter((n) => /^seed-\d+$/.test(n)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
    if (!seeds.length) continue;
    const dir = `${from}/runs/${arm.name}/${seeds[0]}`;
    const grids = (await Array.fromAsync(Deno.readDir(dir)))
      .map((f) => f.name).filter((n) => /^samples-\d+\.png$/.test(n)).sort();
    if (!grids.length) continue;
    // a critic trained against a fixed generator: its value surface at the end (its start is the untrained critic,
    // the same in every folder, and its fit has levelled off by the middle)
    const picks = fixed
      ? [grids[grids.length - 1]]
      : [...new Set([grids[0], grids[Math.floor((grids.length - 1) / 2)], grids[grids.length - 1]])];
    for (const g of picks) {
      const step = Number(g.slice(8, -4));
      const name = `samples-${arm.name}-${seeds[0].replace("-", "")}-step${step}.png`;
      await copyPicture(`${dir}/${g}`, `${to}/${name}`);
      written.push(name);
    }
  }
  for await (const e of Deno.readDir(to)) {
    if (e.isFile && /^samples-.+\.png$/.test(e.name) && !written.includes(e.name)) await Deno.remove(`${to}/${e.name}`);
  }
  return written;
}

if (import.meta.main) {
  if (Deno.args[0] === "--compact") {
    const dirs = Deno.args.slice(1);
    if (!dirs.length) {
      console.error("usage: deno task publish --compact <published-folder>...");
      Deno.exit(2);
    }
    for (const dir of dirs) {
      try {
        const { before, after } = await compactPublished(dir.replace(/\/$/, ""));
        console.log(`${dir}: ${(before / 2 ** 20).toFixed(2)} MiB -> ${(after / 2 ** 20).toFixed(2)} MiB`);
      } catch (e) {
        console.error(`error: Cannot compact "${dir}": ${String((e as Error).message).split("\n")[0]}`);
        Deno.exit(1);
      }
    }
    Deno.exit(0);
  }
  const [from, to] = Deno.args;
  if (!from || !to || Deno.args.length !== 2) {
    console.error("usage: deno task publish <result-folder> <dest>");
    Deno.exit(2);
  }
  try {
    const files = await publish(from, to);
    console.log(`${files.length} files into ${to}`);
  } catch (e) {
    console.error(`error: Cannot publish "${from}": ${String((e as Error).message).split("\n")[0]}`);
    Deno.exit(1);
  }
}
