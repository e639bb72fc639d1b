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

Deno.test("results-table --v2 / --v1: each generation of rules on its own, v2 rows with their stability and standing", async () => {
  const dir = await tempDir();
  const write = async (folder: string, claims: object) => {
    await Deno.mkdir(`${dir}/${folder}`);
    await Deno.writeTextFile(`${dir}/${folder}/claims.json`, JSON.stringify(claims));
  };
  const claim = { claim: "c", ours: "o", verdict: "fragile", why: "w", stability: "without seed 21: inconclusive" };
  await write("a-old", { experiment: "a", profile: "default", seeds: 5, iterations: 10, claims: [claim] });
  await write("a-new", {
    experiment: "a",
    profile: "default",
    seeds: 6,
    iterations: 10,
    rules: "v2",
    protocol: { kind: "protocol", version: 2, differences: [] },
    claims: [claim],
  });
  await write("a-pilot", {
    experiment: "a",
    profile: "default",
    seeds: 2,
    iterations: 20,
    rules: "v2",
    protocol: { kind: "pilot", version: 2, differences: ["seeds 100-101 (the protocol's: 20-25)"] },
    claims: [claim],
  });
  const v2 = (await resultsTable(dir, ["a"], { rules: "v2" })).split("\n");
  assert.equal(
    v2[0],
    "| experiment | claim | ours (per-seed statistics) | verdict | one seed left out | why not decided |",
  );
  assert.deepEqual(v2.slice(2), [
    "| a (default, 6 seeds × 10 it., protocol v2) | c | o | **fragile** | without seed 21: inconclusive | w |",
    "| a (default, 2 seeds × 20 it., pilot: seeds 100-101 (the protocol's: 20-25)) | c | o | **fragile** | " +
    "without seed 21: inconclusive | w |",
  ]);
  const v1 = (await resultsTable(dir, ["a"], { rules: "v1" })).split("\n").slice(2);
  assert.deepEqual(v1, ["| a (default, 5 seeds × 10 it.) | c | o | **fragile** | w |"]);
});

Deno.test("the README's two results tables are the ones results-table makes from the committed folders", async () => {
  const { experimentIds } = await import("../../repro/config/registry.ts");
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const results = new URL("../../results", import.meta.url).pathname;
  // deno fmt pads the cells: compare cell by cell, trimmed (a "\|" inside a cell is not a separator)
  const cells = (table: string) =>
    table.trim().split("\n").filter((l) => !/^\|[\s-|]+\|$/.test(l)).map((l) =>
      l.replaceAll("\\|", "\u0000").split("|").slice(1, -1).map((c) => c.trim().replaceAll("\u0000", "\\|"))
    );
  for (const rules of ["v2", "v1"] as const) {
    const marker = `<!-- results-table --${rules} -->`;
    const start = readme.indexOf(marker);
    assert.ok(start >= 0, `README has no ${marker}`);
    const block = readme.slice(start + marker.length).trimStart();
    const table = block.slice(0, block.search(/\n\n|$/));
    assert.deepEqual(cells(table), cells(await resultsTable(results, experimentIds(), { rules })), `${rules} table`);
  }
});
