/**
 * `deno task repro rebuild <published-folder> --out <folder>`: the tables of a published result folder computed
 * again from its rows, by today's analysis — what a change of statistics or rules does to committed verdicts, and
 * a check that nothing else changes them. The runs' records (outcome, training time) come from the folder's
 * `records.json`; folders published before it existed have their outcomes re-derived from the rows by the rules
 * they were labelled by (the last evaluation), and their training times read from the rows (rounded to a millisecond, so throughput may differ in its
 * last digit).
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { exists, parseCsv, readTextFile, stepsTablePath, toCsv, writeAtomic } from "../folder/files.ts";
import { DIAGNOSTIC_COLUMNS, PROVENANCE_COLUMNS, runDir, type RunRecord, STAT_COLUMNS } from "../folder/layout.ts";
import {
  classifyOutcome,
  imageOutcomeRules,
  lastEvaluations,
  type OutcomeRules,
  type Quality,
  toyOutcomeRules,
} from "../folder/outcome.ts";
import { checkWritableResultFolder, FOLDER_FORMAT } from "../folder/result_folder.ts";
import { type TablesWritten, writeTables } from "../analysis/tables.ts";
import { storedExperiment } from "../config/registry.ts";

/** Datasets whose class count the rows do not record but the name tells (the outcome rules need it). */
const TEN_CLASSES = /^(mnist|fashion-mnist|cifar10)/;

/**
 * The outcome rules a folder's runs were labelled by when the folder holds no records.json. Such folders were all
 * published before #25 (which came after records.json), so they were labelled from their last evaluation alone, and
 * image folders recorded no real recognisable share (the converged bar falls back to the not-trained floor); their
 * distance column is "fid", or "fd_lenet" in a folder published since.
 */
const rulesWithoutRecords = (toy: boolean, columns: readonly string[]): OutcomeRules => ({
  ...(toy ? toyOutcomeRules() : imageOutcomeRules(10, 0, columns.includes("fd_lenet") ? "fd_lenet" : "fid")),
  window: 1,
});

/** A run's record re-derived from its rows: outcome by `rules`, training time from the last row. */
export function recordFromRows(rows: readonly Record<string, string>[], rules: OutcomeRules, columns: string[]) {
  const evaluated = rows.filter((r) => r[rules.primary] !== "" && r[rules.primary] !== undefined);
  const quality = (r: Record<string, string>): Quality =>
    Object.fromEntries(columns.filter((c) => r[c] !== "" && r[c] !== undefined).map((c) => [c, Number(r[c])]));
  const last = rows[rows.length - 1];
  const diverged = rows.some((r) => r.critic_loss !== "" && !Number.isFinite(Number(r.critic_loss)));
  const initialQuality = quality(evaluated[0]), finalQuality = quality(evaluated[evaluated.length - 1]);
  const window = diverged
    ? [finalQuality]
    : lastEvaluations(evaluated.filter((r) => Number(r.step) > 0), columns, rules.primary, rules.window);
  return {
    arm: last.arm,
    seed: Number(last.seed),
    outcome: classifyOutcome(rules, initialQuality, window, diverged),
    iterations: Number(last.step),
    initialQuality,
    finalQuality,
    outcomeWindow: window,
    trainSeconds: Number(last.wall_time_s),
    evaluator: {},
  } satisfies RunRecord;
}

/** Rebuilds `from`'s tables in `out` (a new or harness-made folder): its runs' rows and records, then the tables. */
export async function rebuildTables(from: string, out: string, figures = true): Promise<TablesWritten> {
  const stepsPath = await stepsTablePath(from);
  if (!(await exists(`${from}/config.json`)) || !stepsPath) {
    throw new UsageError(`Cannot rebuild "${from}": no config.json and steps.csv(.gz) (not a published result folder)`);
  }
  checkWritableResultFolder(out, "rebuild into");
  const stored = JSON.parse(await Deno.readTextFile(`${from}/config.json`));
  const experiment = storedExperiment(stored.tables);
  const rows = parseCsv(await readTextFile(stepsPath));
  const records: RunRecord[] | null = (await exists(`${from}/records.json`))
    ? JSON.parse(await Deno.readTextFile(`${from}/records.json`))
    : null;
  const quality = (stored.tables.columns as string[]).filter((c) =>
    ![...STAT_COLUMNS, ...DIAGNOSTIC_COLUMNS, ...PROVENANCE_COLUMNS].includes(c as never)
  );
  const dataset = rows[0]?.dataset ?? "";
  let rules: OutcomeRules | null = null;
  const toy = experiment.data.kind === "toy";
  if (!records) {
    if (toy || TEN_CLASSES.test(dataset)) rules = rulesWithoutRecords(toy, quality);
    else {
      throw new UsageError(
        `Cannot rebuild "${from}": it has no records.json and the class count of its data set "${dataset}" is not ` +
          "known here (republish it from its result folder)",
      );
    }
  }
  await Deno.mkdir(out, { recursive: true });
  for (const key of new Set(rows.map((r) => `${r.arm}\u0000${r.seed}`))) {
    const [arm, seed] = key.split("\u0000");
    const own = rows.filter((r) => r.arm === arm && r.seed === seed);
    const record = records?.find((r) => r.arm === arm && r.seed === Number(seed)) ??
      recordFromRows(own, rules ?? rulesWithoutRecords(toy, quality), quality);
    const dir = runDir(out, { arm, seed: Number(seed) });
    await Deno.mkdir(dir, { recursive: true });
    await writeAtomic(`${dir}/steps.csv`, toCsv(own, stored.tables.columns));
    await writeAtomic(`${dir}/done.json`, JSON.stringify(record, null, 2));
  }
  await writeAtomic(`${out}/config.json`, JSON.stringify({ ...stored, format: FOLDER_FORMAT }, null, 2));
  return await writeTables(out, { ...stored.tables, experiment, figures });
}
