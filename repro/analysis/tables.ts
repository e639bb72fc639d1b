/**
 * Writes an output folder's tables from whatever finished runs it holds
 * (so shards merged into one folder give the same tables as one big run):
 * `steps.csv`, `summary.csv`, `verdict.md`, `records.json`.
 *
 * @module
 */
import type { ClaimId, ExperimentSpec } from "../config/experiments.ts";
import { protocol, protocolEntry, type ProtocolStanding, protocolStanding } from "../config/protocol.ts";
import { readCsvIfExists, type Row, toCsv, writeAtomic } from "../folder/files.ts";
import { FIGURES, runDir, type RunRecord } from "../folder/layout.ts";
import { analyseRun } from "./run_analysis.ts";
import { summariseArms, SUMMARY_COLUMNS, summaryRows } from "./arm_summary.ts";
import { type ClaimResult, judgeClaims, STRUCTURE_CLAIM_IDS } from "./claims.ts";
import { judgeClaimsV1 } from "./claims_v1.ts";
import { evaluationCost, verdictMarkdown } from "./verdict_markdown.ts";
import { median } from "./stats.ts";
import type { FigureFailure } from "./figures.ts";

/** What the tables were built from. */
export interface TableContext {
  experiment: ExperimentSpec;
  profile: string;
  seeds: number[];
  iterations: number;
  columns: string[];
  primary: string;
  coverage: string | null;
  /** Render the PNG figures (default true). */
  figures?: boolean;
  /**
   * The claim rules: "v2" (the protocol's, `claims.ts`) for folders made since protocol v2; absent in the folders
   * published before it, which were judged by rules v1 (`claims_v1.ts`) and rebuild under them.
   */
  rules?: "v2";
  /** Rules v2: the claims judged (the protocol's for the experiment when the folder was made). */
  claims?: ClaimId[];
  /** Rules v2: the evaluation cadence (the protocol standing compares it). */
  evalEvery?: number;
}

/** The tables' context of a new folder: rules v2 and the protocol's claims for the experiment (a file's: its own). */
export function protocolContext(experiment: ExperimentSpec): Pick<TableContext, "rules" | "claims"> {
  return { rules: "v2", claims: [...(protocolEntry(experiment)?.claims ?? [])] };
}

/** Reads every finished run's record and rows, in arm-then-seed order. */
async function collectRuns(outDir: string, ctx: TableContext) {
  const runs: { record: RunRecord; rows: Record<string, string>[] }[] = [];
  for (const arm of ctx.experiment.arms) {
    for (const seed of ctx.seeds) {
      const dir = runDir(outDir, { arm: arm.id, seed });
      let record: RunRecord;
      try {
        record = JSON.parse(await Deno.readTextFile(`${dir}/done.json`));
      } catch {
        continue;
      }
      runs.push({ record, rows: await readCsvIfExists(`${dir}/steps.csv`) });
    }
  }
  return runs;
}

/** The median over runs of the recorded real-vs-real floor of `primary` (undefined when no run recorded one). */
export function realFloor(records: readonly RunRecord[], primary: string): number | undefined {
  const v = records.map((r) => Number(r.evaluator?.[`${primary}_real_floor`])).filter(Number.isFinite);
  return v.length ? median(v) : undefined;
}

/** What {@linkcode writeTables} wrote: the verdicts, and the figures it could not write. */
export interface TablesWritten {
  /** The verdicts (empty if no run finished). */
  claims: ClaimResult[];
  /** Figures that failed (a full disk, no renderer); the tables themselves are written or it throws. */
  missingFigures: FigureFailure[];
}

/**
 * Writes steps.csv, summary.csv, verdict.md, records.json, claims.json and the figures. A table that cannot be
 * written throws; a figure that cannot be is reported in `missingFigures` (the caller fails the run with it).
 */
export async function writeTables(outDir: string, ctx: TableContext): Promise<TablesWritten> {
  const runs = await collectRuns(outDir, ctx);
  const allRows = runs.flatMap((r) => r.rows);
  await writeAtomic(`${outDir}/steps.csv`, toCsv(allRows as Row[], ctx.columns));
  if (runs.length === 0) return { claims: [], missingFigures: [] };
  const v2 = ctx.rules === "v2";
  const statistics = protocol().statistics;
  // rules v2 correlate the quantity each paper plots: WGAN-GP's (and WGAN-div's) negative critic loss with its
  // penalty, WGAN's −loss_D (the estimate), the standard GAN's −D loss
  const penalised = new Set(
    ctx.experiment.arms.filter((a) => ["wgan-gp", "wgan-div"].includes(a.algorithm)).map((a) => a.id),
  );
  const analyses = runs.map((r) =>
    v2
      ? analyseRun(
        r.rows,
        r.record,
        ctx.primary,
        statistics,
        penalised.has(r.record.arm) ? "negative-critic-loss" : "estimate",
      )
      : analyseRun(r.rows, r.record, ctx.primary)
  );
  const arms = summariseArms(ctx.experiment, analyses, ctx.primary, ctx.coverage);
  const distinct = (column: string) => [...new Set(allRows.map((r) => r[column]).filter(Boolean))].join("+");
  const meta = { hardwareId: distinct("hardware_id"), backend: distinct("backend"), commit: distinct("commit") };
  await writeAtomic(
    `${outDir}/summary.csv`,
    toCsv(
      summaryRows(ctx.experiment, ctx.profile, arms, {
        ...meta,
        primary: ctx.primary,
        coverage: ctx.coverage,
        noIntervals: v2,
      }),
      [
        ...SUMMARY_COLUMNS,
      ],
    ),
  );
  const claims = v2
    ? judgeClaims(ctx.experiment, ctx.claims ?? [], analyses, { primary: ctx.primary, statistics })
    : judgeClaimsV1(ctx.experiment, arms, ctx.primary);
  const seedList = [...new Set(runs.map((r) => r.record.seed))].sort((a, b) => a - b);
  const seedsDone = seedList.length;
  const standing: ProtocolStanding | undefined = v2
    ? protocolStanding(ctx.experiment, {
      seeds: seedList,
      iterations: ctx.iterations,
      evalEvery: ctx.evalEvery ?? NaN,
    })
    : undefined;
  await writeAtomic(
    `${outDir}/verdict.md`,
    verdictMarkdown(ctx.experiment, ctx.profile, claims, {
      ...meta,
      iterations: ctx.iterations,
      seeds: seedsDone,
      standing,
      statistics: v2 ? statistics : undefined,
      arms,
      primary: ctx.primary,
      coverage: ctx.coverage,
      evaluator: runs[runs.length - 1].record.evaluator,
      evaluationCost: evaluationCost(runs.map((r) => r.record)),
    }),
  );
  await writeAtomic(`${outDir}/records.json`, JSON.stringify(runs.map((r) => r.record), null, 2));
  await writeAtomic(
    `${outDir}/claims.json`,
    JSON.stringify(
      {
        experiment: ctx.experiment.id,
        profile: ctx.profile,
        seeds: seedsDone,
        iterations: ctx.iterations,
        ...(v2 ? { rules: "v2", protocol: standing } : {}),
        claims,
      },
      null,
      2,
    ),
  );
  let missingFigures: FigureFailure[] = [];
  if (ctx.figures !== false) {
    try {
      const { writeFigures } = await import("./figures.ts");
      missingFigures = (await writeFigures(outDir, allRows, {
        experiment: ctx.experiment.id,
        primary: ctx.primary,
        floor: realFloor(runs.map((r) => r.record), ctx.primary),
        pairs: analyses.flatMap((a) =>
          a.pairs.map((p) => ({ arm: a.arm, seed: a.seed, estimate: p.estimate, quality: p.quality }))
        ),
        layers: v2 && (ctx.claims ?? []).some((id) => STRUCTURE_CLAIM_IDS.includes(id)),
      })).failed;
    } catch (e) {
      // the renderer itself did not load: every figure is missing
      const why = String((e as Error).message).split("\n")[0];
      missingFigures = FIGURES.map((name) => ({ name, why }));
    }
  }
  return { claims, missingFigures };
}

/**
 * The one line that fails a run whose figures were not all written: which ones, why, and that a rerun writes
 * them (every finished run is kept; the rerun only rebuilds the tables and figures).
 */
export function missingFiguresMessage(outDir: string, missing: readonly FigureFailure[]): string {
  const whys = [...new Set(missing.map((m) => m.why))];
  return `Cannot write ${missing.length} figure(s) in "${outDir}" (${missing.map((m) => m.name).join(", ")}): ` +
    `${whys.join("; ")}; the tables are written, and rerunning the same command writes the figures`;
}
