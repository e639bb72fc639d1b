import assert from "node:assert/strict";
import { rebuildTables } from "../../repro/publish/rebuild.ts";
import { publish } from "../../repro/publish/publish.ts";
import { exists, parseCsv } from "../../repro/folder/files.ts";
import { tempDir } from "../temp.ts";
import { quickToyRun, runCli } from "./cli_helpers.ts";

const RESULTS = new URL("../../results/", import.meta.url).pathname;

/** The committed result folders (those with verdicts). */
const committed = [...Deno.readDirSync(RESULTS)]
  .filter((e) =>
    e.isDirectory && (() => {
      try {
        return Deno.statSync(`${RESULTS}${e.name}/claims.json`).isFile;
      } catch {
        return false;
      }
    })()
  )
  .map((e) => e.name).sort();

Deno.test("every committed result folder's verdicts and summary are computed again from its rows, unchanged", async () => {
  assert.ok(committed.length >= 9, committed.join());
  for (const name of committed) {
    const out = `${await tempDir()}/${name}`;
    const { claims } = await rebuildTables(`${RESULTS}${name}`, out, false);
    const stored = JSON.parse(await Deno.readTextFile(`${RESULTS}${name}/claims.json`));
    assert.deepEqual(claims, stored.claims, `${name}: claims`);
    // the summary's committed columns (later ones are additions), but for throughput: older folders hold no
    // records.json, and the rows round training time
    const committedRows = parseCsv(await Deno.readTextFile(`${RESULTS}${name}/summary.csv`));
    const columns = Object.keys(committedRows[0] ?? {}).filter((c) => !c.startsWith("iterations_per_s_"));
    const pick = (rows: Record<string, string>[]) => rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])));
    const rebuilt = parseCsv(await Deno.readTextFile(`${out}/summary.csv`));
    assert.deepEqual(pick(rebuilt), pick(committedRows), `${name}: summary.csv`);
  }
});

Deno.test("a folder published with its records rebuilds to byte-identical tables", async () => {
  const base = await tempDir();
  await quickToyRun(`${base}/run`, 6, "0-1");
  await publish(`${base}/run`, `${base}/published`);
  assert.ok(await exists(`${base}/published/steps.csv.gz`) && !(await exists(`${base}/published/steps.csv`)));
  const cli = await runCli(["rebuild", `${base}/published`, "--out", `${base}/rebuilt`]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /rebuilt the tables of .*published in .*rebuilt/);
  for (const f of ["steps.csv", "summary.csv", "verdict.md", "claims.json", "records.json"]) {
    assert.equal(
      await Deno.readTextFile(`${base}/rebuilt/${f}`),
      await Deno.readTextFile(`${base}/run/${f}`),
      f,
    );
  }
  // not a published folder: one line
  const bad = await runCli(["rebuild", base, "--out", `${base}/x`]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /Cannot rebuild ".*": no config.json and steps.csv\(\.gz\) \(not a published result folder\)/,
  );
});
