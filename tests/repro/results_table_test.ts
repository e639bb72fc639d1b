import assert from "node:assert/strict";
import { resultsTable } from "../../repro/publish/results_table.ts";
import { tempDir } from "../temp.ts";

Deno.test("results-table: one row per claim, experiments in order, a run's seeds and iterations (older folders: from config.json)", async () => {
  const dir = await tempDir();
  const claim = (verdict: string, why = "") => ({ claim: "c | d", ours: "ρ = 1", verdict, why });
  const write = async (folder: string, claims: object, config?: object) => {
    await Deno.mkdir(`${dir}/${folder}`);
    await Deno.writeTextFile(`${dir}/${folder}/claims.json`, JSON.stringify(claims));
    if (config) await Deno.writeTextFile(`${dir}/${folder}/config.json`, JSON.stringify(config));
  };
  await write("b-900", { experiment: "b", profile: "default", seeds: 5, claims: [claim("inconclusive", "wide")] }, {
    tables: { iterations: 900 },
  });
  await write("b-default", {
    experiment: "b",
    profile: "default",
    seeds: 8,
    iterations: 400,
    claims: [claim("supported"), claim("contradicted")],
  });
  await write("a-default", {
    experiment: "a",
    profile: "quick",
    seeds: 2,
    iterations: 60,
    claims: [claim("supported")],
  });
  const rows = (await resultsTable(dir, ["a", "b"])).split("\n").slice(2);
  assert.deepEqual(rows, [
    "| a (quick, 2 seeds × 60 it.) | c \\| d | ρ = 1 | **supported** |  |",
    "| b (default, 8 seeds × 400 it.) | c \\| d | ρ = 1 | **supported** |  |",
    "|  | c \\| d | ρ = 1 | **contradicted** |  |",
    "| b (default, 5 seeds × 900 it.) | c \\| d | ρ = 1 | **inconclusive** | wide |",
  ]);
});
