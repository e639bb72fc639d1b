import assert from "node:assert/strict";
import { mergeResults } from "../../repro/publish/merge.ts";
import { parseCsv, toCsv } from "../../repro/folder/files.ts";
import { tempDir } from "../temp.ts";
import { quickToyRun, runCli, timelessTable } from "./cli_helpers.ts";

Deno.test("merge: the same run in two folders merges when its training statistics agree (timing may differ), else it is refused", async () => {
  const base = await tempDir();
  await quickToyRun(`${base}/a`, 4);
  const copy = await runCli(["merge", `${base}/a`, "--out", `${base}/b`]);
  assert.equal(copy.code, 0, copy.stderr);
  const steps = `${base}/b/runs/wgan/seed-0/steps.csv`;
  const rows = parseCsv(await Deno.readTextFile(steps));
  const columns = Object.keys(rows[0]);
  // another wall time: the same run
  await Deno.writeTextFile(steps, toCsv(rows.map((row) => ({ ...row, wall_time_s: "99" })), columns));
  const same = await mergeResults([`${base}/a`, `${base}/b`], `${base}/c`);
  assert.equal(same.runs, 4);
  // another critic loss: not the same run
  await Deno.writeTextFile(
    steps,
    toCsv(rows.map((row, i) => i === 1 ? { ...row, critic_loss: "1.5" } : row), columns),
  );
  await assert.rejects(
    mergeResults([`${base}/a`, `${base}/b`], `${base}/d`),
    /Cannot merge: wgan\/seed-0 differs between/,
  );
});

Deno.test({
  name:
    "merge: shards give one process's tables; gaps, other configurations, files and held folders refused in one line",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const toy = (out: string, extra: string[], iterations = 4) =>
      runCli([
        "toy-8gaussians",
        ...["--profile", "quick", "--set", `iterations=${iterations}`, "--set", "evalEvery=2", "--seeds", "0-1"],
        ...["--jobs", "1", "--quiet", "--out", out, ...extra],
      ]);
    assert.equal((await toy(`${base}/one`, [])).code, 0);
    assert.equal((await toy(`${base}/s1`, ["--shard", "1/2"])).code, 0);
    // the second shard as a Slurm array's second task would run it: no --shard, the rank from the environment
    const slurm = { SLURM_ARRAY_TASK_ID: "8", SLURM_ARRAY_TASK_MIN: "7", SLURM_ARRAY_TASK_MAX: "8" };
    const second = await runCli([
      "toy-8gaussians",
      ...["--profile", "quick", "--set", "iterations=4", "--set", "evalEvery=2", "--seeds", "0-1"],
      ...["--jobs", "1", "--out", `${base}/s2`],
    ], { env: slurm });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /^shard 2\/2, from SLURM_ARRAY_TASK_ID/m);
    const stored = JSON.parse(await Deno.readTextFile(`${base}/s2/config.json`));
    assert.deepEqual(stored.shard, { index: 2, count: 2, from: "SLURM_ARRAY_TASK_ID" });
    // the two shards merge into the tables one process wrote (timing aside)
    const merged = await runCli(["merge", `${base}/s1`, `${base}/s2`, "--out", `${base}/m`]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /^merged 8 runs into /);
    for (const table of ["steps.csv", "summary.csv"]) {
      assert.deepEqual(await timelessTable(`${base}/m/${table}`), await timelessTable(`${base}/one/${table}`), table);
    }
    // a shard rerun (the same runs twice) is taken once
    const twice = await mergeResults([`${base}/s1`, `${base}/s2`, `${base}/one`], `${base}/m2`);
    assert.deepEqual([twice.runs, twice.duplicates], [8, 8]);
    // a missing shard: refused, naming the runs; --partial merges what is there and says what is missing
    const gap = await runCli(["merge", `${base}/s1`, "--out", `${base}/gap`]);
    assert.equal(gap.code, 2, gap.stderr);
    assert.match(
      gap.stderr,
      /Cannot merge: 4 of 8 runs have no finished copy in these folders \(.*and 1 more\).*--partial/,
    );
    assert.equal(gap.stderr.trim().split("\n").length, 1);
    const partial = await runCli(["merge", `${base}/s1`, "--out", `${base}/gap`, "--partial"]);
    assert.equal(partial.code, 0, partial.stderr);
    assert.match(partial.stdout, /merged 4 runs .*; 4 planned runs missing .*: the tables are partial/);
    // unfinished runs (no done.json) are not merged, and with nothing finished there is nothing to merge
    await copyTree(`${base}/s2`, `${base}/s3`);
    for await (const arm of Deno.readDir(`${base}/s3/runs`)) {
      for await (const seed of Deno.readDir(`${base}/s3/runs/${arm.name}`)) {
        await Deno.remove(`${base}/s3/runs/${arm.name}/${seed.name}/done.json`);
      }
    }
    await assert.rejects(
      mergeResults([`${base}/s3`], `${base}/none`),
      /Cannot merge: no finished run in 1 folder\(s\) \(8 planned, 4 started but unfinished\)/,
    );
    // another configuration: among the sources, and in the folder merged into
    assert.equal((await toy(`${base}/other`, [], 6)).code, 0);
    await assert.rejects(
      mergeResults([`${base}/s1`, `${base}/other`], `${base}/x`),
      /made with different configurations \(settings\.iterations: 4 vs 6\)/,
    );
    await assert.rejects(
      mergeResults([`${base}/s1`, `${base}/s2`], `${base}/other`),
      /Cannot merge into ".*other": it holds results made with another configuration \(settings\.iterations: 6 vs 4\)/,
    );
    // --out that is a file; a folder a live process holds
    await Deno.writeTextFile(`${base}/file`, "x");
    await assert.rejects(mergeResults([`${base}/s1`, `${base}/s2`], `${base}/file`), /it is a file, not a folder/);
    await Deno.mkdir(`${base}/held`);
    await Deno.writeTextFile(
      `${base}/held/.lock`,
      JSON.stringify({ pid: Deno.pid, host: Deno.hostname(), started: new Date().toISOString() }),
    );
    await assert.rejects(mergeResults([`${base}/s1`, `${base}/s2`], `${base}/held`), /has been using it since/);
  },
});

/** Copies a folder tree. */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}
