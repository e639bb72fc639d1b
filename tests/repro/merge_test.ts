import assert from "node:assert/strict";
import { mergeResults } from "../../repro/publish/merge.ts";
import { parseCsv, toCsv } from "../../repro/folder/files.ts";
import { tempDir } from "../temp.ts";
import { quickToyRun, runCli } from "./cli_helpers.ts";

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
