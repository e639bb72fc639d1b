/**
 * Combines result folders of the same experiment and settings (shards run on
 * different machines) into one folder and rebuilds its tables.
 *
 * @module
 */
import { copy } from "../folder/copy.ts";
import { findExperiment } from "../config/resolve.ts";
import { UsageError } from "../errors.ts";
import { exists, readCsvIfExists, writeAtomic } from "../folder/files.ts";
import { STAT_COLUMNS } from "../folder/layout.ts";
import { type TableContext, writeTables } from "../analysis/tables.ts";
import type { ClaimResult } from "../analysis/claims.ts";
import type { FigureFailure } from "../analysis/figures.ts";
import { checkWritableResultFolder, FOLDER_FORMAT } from "../folder/result_folder.ts";

interface StoredConfig {
  identity: { experiment: string; profile: string };
  seeds: number[];
  tables: Omit<TableContext, "experiment"> & { experiment: string };
}

/** Merges `sources` into `outDir`; finished runs only; a run present twice must be identical in outcome. */
export async function mergeResults(
  sources: string[],
  outDir: string,
): Promise<{ runs: number; claims: ClaimResult[]; missingFigures: FigureFailure[] }> {
  if (sources.length === 0) throw new UsageError("Cannot merge: no result folders given");
  const configs: StoredConfig[] = [];
  for (const dir of sources) {
    if (!(await exists(`${dir}/config.json`))) {
      throw new UsageError(`Cannot merge "${dir}": no config.json (not a result folder)`);
    }
    configs.push(JSON.parse(await Deno.readTextFile(`${dir}/config.json`)));
  }
  const identity = JSON.stringify(configs[0].identity);
  configs.forEach((c, i) => {
    if (JSON.stringify(c.identity) !== identity) {
      throw new UsageError(`Cannot merge "${sources[i]}" with "${sources[0]}": different experiment or settings`);
    }
  });
  // never into a folder wgan-bench did not make (the merged tables would overwrite its files)
  checkWritableResultFolder(outDir, "merge into");
  await Deno.mkdir(`${outDir}/runs`, { recursive: true });
  let runs = 0;
  for (const dir of sources) {
    if (!(await exists(`${dir}/runs`))) continue;
    for await (const arm of Deno.readDir(`${dir}/runs`)) {
      for await (const seed of Deno.readDir(`${dir}/runs/${arm.name}`)) {
        const from = `${dir}/runs/${arm.name}/${seed.name}`, to = `${outDir}/runs/${arm.name}/${seed.name}`;
        if (!(await exists(`${from}/done.json`))) continue;
        if (await exists(`${to}/done.json`)) {
          if (from === to) continue;
          // the same run twice: its training statistics must agree (timing and provenance may differ)
          const [a, b] = await Promise.all([readCsvIfExists(`${from}/steps.csv`), readCsvIfExists(`${to}/steps.csv`)]);
          const stats = (rows: Record<string, string>[]) =>
            JSON.stringify(rows.map((r) => STAT_COLUMNS.map((c) => r[c])));
          if (stats(a) !== stats(b)) {
            throw new UsageError(
              `Cannot merge: ${arm.name}/${seed.name} differs between "${dir}" and an earlier folder`,
            );
          }
          continue;
        }
        await copy(from, to);
        runs++;
      }
    }
  }
  const seeds = [...new Set(configs.flatMap((c) => c.seeds))].sort((a, b) => a - b);
  const stored = configs[0];
  await writeAtomic(`${outDir}/config.json`, JSON.stringify({ ...stored, format: FOLDER_FORMAT, seeds }, null, 2));
  const { claims, missingFigures } = await writeTables(outDir, {
    ...stored.tables,
    seeds,
    experiment: findExperiment(stored.tables.experiment),
  });
  return { runs, claims, missingFigures };
}
