/**
 * Combines result folders of the same experiment and settings (shards run on
 * different machines) into one folder and rebuilds its tables.
 *
 * @module
 */
import { copy } from "../folder/copy.ts";

import { UsageError } from "../errors.ts";
import { exists, readCsvIfExists, writeAtomic } from "../folder/files.ts";
import { STAT_COLUMNS } from "../folder/layout.ts";
import { type TableContext, writeTables } from "../analysis/tables.ts";
import type { ClaimResult } from "../analysis/claims.ts";
import type { FigureFailure } from "../analysis/figures.ts";
import { checkWritableResultFolder, FOLDER_FORMAT, listSome } from "../folder/result_folder.ts";
import { checkOutDir, lockOutDir } from "../folder/lock.ts";
import { storedExperiment } from "../config/registry.ts";

interface StoredConfig {
  identity: { experiment: string; profile: string; arms?: { id: string }[] };
  seeds: number[];
  tables: Omit<TableContext, "experiment"> & { experiment: string };
}

/** What a merge found besides the runs it copied. */
export interface MergeReport {
  /** Finished runs copied into the folder. */
  runs: number;
  /** Finished runs found in more than one source (identical, else the merge is refused). */
  duplicates: number;
  /** (arm, seed) pairs of the plan with no finished run in any source. */
  missing: string[];
  /** Of those, the ones a source has started but not finished. */
  unfinished: string[];
  claims: ClaimResult[];
  missingFigures: FigureFailure[];
}

/** The paths at which two JSON values differ ("settings.iterations: 24 vs 30"), at most `max`. */
export function differences(a: unknown, b: unknown, path = "", max = 3): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) {
    return [`${path || "(the whole configuration)"}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
  }
  // arms are matched by id, so an arm added or left out reads as such
  const key = (x: unknown, i: string) => (isObject(x) && typeof x.id === "string" ? x.id : i);
  const entries = (x: Record<string, unknown>) =>
    new Map(Object.entries(x).map(([i, v]) => [Array.isArray(x) ? key(v, i) : i, v]));
  const ea = entries(a), eb = entries(b);
  const out: string[] = [];
  for (const k of new Set([...ea.keys(), ...eb.keys()])) {
    const sub = path ? `${path}.${k}` : k;
    if (!ea.has(k) || !eb.has(k)) out.push(`${sub}: ${ea.has(k) ? "only in the first" : "only in the second"}`);
    else out.push(...differences(ea.get(k), eb.get(k), sub, max));
    if (out.length >= max) break;
  }
  return out.slice(0, max);
}

/**
 * Merges the result folders `sources` (shards of one experiment run with one configuration) into `outDir` and
 * rebuilds its tables. Refused, in one line each: sources made with different configurations (naming what differs),
 * an `outDir` that is a file, a foreign folder, another experiment's (or configuration's) result folder, or a folder
 * a running process holds; a plan with no finished run; and, unless `partial`, (arm, seed) pairs that no source
 * finished (missing or unfinished, listed). A run finished in two sources (a shard rerun) is taken once when its
 * training statistics agree, and refused when they do not.
 */
export async function mergeResults(
  sources: string[],
  outDir: string,
  options: { partial?: boolean } = {},
): Promise<MergeReport> {
  if (sources.length === 0) throw new UsageError("Cannot merge: no result folders given");
  const configs: StoredConfig[] = [];
  for (const dir of sources) {
    if (!(await exists(`${dir}/config.json`))) {
      throw new UsageError(`Cannot merge "${dir}": no config.json (not a result folder)`);
    }
    configs.push(JSON.parse(await Deno.readTextFile(`${dir}/config.json`)));
  }
  configs.forEach((c, i) => {
    const diff = differences(configs[0].identity, c.identity);
    if (diff.length) {
      throw new UsageError(
        `Cannot merge "${sources[i]}" with "${sources[0]}": made with different configurations (${diff.join("; ")})`,
      );
    }
  });
  checkOutDir(outDir);
  // never into a folder wgan-bench did not make (the merged tables would overwrite its files), nor into another
  // experiment's or configuration's results (a later run would count their runs as its own)
  checkWritableResultFolder(outDir, "merge into");
  if (!sources.includes(outDir) && (await exists(`${outDir}/config.json`))) {
    const there: StoredConfig = JSON.parse(await Deno.readTextFile(`${outDir}/config.json`));
    const diff = differences(there.identity, configs[0].identity);
    if (diff.length) {
      throw new UsageError(
        `Cannot merge into "${outDir}": it holds results made with another configuration (${diff.join("; ")}); ` +
          "choose a new folder with --out",
      );
    }
  }
  const lock = lockOutDir(outDir);
  try {
    return await mergeLocked(sources, outDir, configs, options.partial ?? false);
  } finally {
    lock.release();
  }
}

async function mergeLocked(
  sources: string[],
  outDir: string,
  configs: StoredConfig[],
  partial: boolean,
): Promise<MergeReport> {
  const seeds = [...new Set(configs.flatMap((c) => c.seeds))].sort((a, b) => a - b);
  const armIds = configs[0].identity.arms?.map((a) => a.id) ?? [];
  const planned = armIds.flatMap((arm) => seeds.map((seed) => `${arm}/seed-${seed}`));
  // which source holds each finished run, and which runs were started somewhere
  const finished = new Map<string, string[]>(), started = new Set<string>();
  for (const dir of sources) {
    if (!(await exists(`${dir}/runs`))) continue;
    for await (const arm of Deno.readDir(`${dir}/runs`)) {
      if (!arm.isDirectory) continue;
      for await (const seed of Deno.readDir(`${dir}/runs/${arm.name}`)) {
        if (!seed.isDirectory) continue;
        const run = `${arm.name}/${seed.name}`;
        started.add(run);
        if (await exists(`${dir}/runs/${run}/done.json`)) finished.set(run, [...(finished.get(run) ?? []), dir]);
      }
    }
  }
  const missing = planned.filter((r) => !finished.has(r));
  const unfinished = missing.filter((r) => started.has(r));
  const name = (r: string) => r.replace("/seed-", " seed ");
  if (finished.size === 0) {
    throw new UsageError(
      `Cannot merge: no finished run in ${sources.length} folder(s) (${planned.length} planned` +
        `${unfinished.length ? `, ${unfinished.length} started but unfinished` : ""})`,
    );
  }
  if (missing.length && !partial) {
    throw new UsageError(
      `Cannot merge: ${missing.length} of ${planned.length} runs have no finished copy in these folders (` +
        `${listSome(missing.map(name))}${
          unfinished.length ? `; ${unfinished.length} of them started, unfinished` : ""
        }` +
        "): give the missing shard's folder, finish it (rerun its command), or pass --partial to merge what is finished",
    );
  }
  await Deno.mkdir(`${outDir}/runs`, { recursive: true });
  let runs = 0, duplicates = 0;
  for (const [run, dirs] of finished) {
    const to = `${outDir}/runs/${run}`;
    for (const dir of dirs) {
      const from = `${dir}/runs/${run}`;
      if (await exists(`${to}/done.json`)) {
        if (from === to) continue;
        duplicates++;
        // the same run twice: its training statistics must agree (timing and provenance may differ)
        const [a, b] = await Promise.all([readCsvIfExists(`${from}/steps.csv`), readCsvIfExists(`${to}/steps.csv`)]);
        const stats = (rows: Record<string, string>[]) =>
          JSON.stringify(rows.map((r) => STAT_COLUMNS.map((c) => r[c])));
        if (stats(a) !== stats(b)) {
          throw new UsageError(`Cannot merge: ${run} differs between "${dir}" and an earlier folder`);
        }
        continue;
      }
      await copy(from, to);
      runs++;
    }
  }
  const stored = configs[0];
  await writeAtomic(`${outDir}/config.json`, JSON.stringify({ ...stored, format: FOLDER_FORMAT, seeds }, null, 2));
  const { claims, missingFigures } = await writeTables(outDir, {
    ...stored.tables,
    seeds,
    experiment: storedExperiment(stored.tables),
  });
  return { runs, duplicates, missing: missing.map(name), unfinished: unfinished.map(name), claims, missingFigures };
}
