/**
 * `deno task compare A.csv B.csv [...] [--markdown]`: matches rows that
 * describe the same work and prints ratios against the first file.
 *
 * - bench CSVs (`bench:csv`, `bench/reference/torch_bench.py`): rows match on
 *   model, algorithm, step and batch; each further file gets its time ratio
 *   X/A and speed-up A/X.
 * - repro `summary.csv` files: rows match on experiment, profile and arm;
 *   final quality, Spearman ρ and throughput side by side.
 * - repro `steps.csv` files (the same seeds run on other backends or
 *   machines): runs match on experiment, profile, arm and seed; for each run,
 *   how long the trajectories stay identical, the first logged step where the
 *   critic loss is more than 1% apart, and the final quality on each side.
 *
 * Mixed kinds, unknown schemas or no common rows: one line, exit status 1.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { parseCsv, readTextFile } from "../repro/folder/files.ts";
import { runMain } from "../repro/errors.ts";
import { BENCH_COLUMNS, BENCH_KEY } from "./schema.ts";
import { SUMMARY_COLUMNS } from "../repro/analysis/arm_summary.ts";
import { STAT_COLUMNS } from "../repro/folder/layout.ts";

/** A CSV kind compare understands. */
export type CsvKind = "bench" | "summary" | "steps";

/** Thrown for inputs that cannot be compared; the message is one line. */
export class CompareError extends Error {
  override name = "CompareError";
}

/** A loaded CSV. */
export interface LoadedCsv {
  label: string;
  kind: CsvKind;
  rows: Record<string, string>[];
}

/** Recognises a CSV by its header. */
export function detectKind(header: readonly string[], label: string): CsvKind {
  const has = (cols: readonly string[]) => cols.every((c) => header.includes(c));
  if (has(BENCH_COLUMNS)) return "bench";
  if (has(SUMMARY_COLUMNS)) return "summary";
  if (has(STAT_COLUMNS) && QUALITY_COLUMNS.some((c) => header.includes(c))) return "steps";
  const missingBench = BENCH_COLUMNS.filter((c) => !header.includes(c));
  const missingSummary = SUMMARY_COLUMNS.filter((c) => !header.includes(c));
  const closer = missingBench.length <= missingSummary.length ? ["bench", missingBench] : ["summary", missingSummary];
  throw new CompareError(
    `Cannot compare "${label}": not a bench, summary or steps CSV (as a ${closer[0]} CSV it lacks ${
      (closer[1] as string[]).slice(0, 4).join(", ")
    }${(closer[1] as string[]).length > 4 ? ", ..." : ""})`,
  );
}

/** Parses CSV text into a labelled table. */
export function loadCsvText(text: string, label: string): LoadedCsv {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text);
  } catch (e) {
    throw new CompareError(
      `Cannot compare "${label}": unreadable CSV (${String((e as Error).message).split("\n")[0]})`,
    );
  }
  const header = text.split(/\r?\n/, 1)[0].split(",").map((h) => h.trim());
  return { label, kind: detectKind(header, label), rows };
}

/**
 * Quality columns of steps.csv, the first present being the primary one (images: fd_lenet, or fid in folders
 * written before it; toys: W1).
 */
const QUALITY_COLUMNS = ["fd_lenet", "fid", "w1"] as const;

const KEYS: Record<CsvKind, readonly string[]> = {
  bench: BENCH_KEY,
  summary: ["experiment", "profile", "arm"],
  steps: ["experiment", "profile", "arm", "seed"],
};

/** The rows of its run (in step order) behind each first row that {@linkcode runsOf} stands for a run. */
const runRows = new WeakMap<Record<string, string>, Record<string, string>[]>();

/** A steps.csv as one row per run (arm and seed): each run's first row, its rows in `runRows`. */
function runsOf(file: LoadedCsv): LoadedCsv {
  const byRun = new Map<string, Record<string, string>[]>();
  for (const r of file.rows) {
    const key = KEYS.steps.map((c) => r[c]).join("\u0000");
    const rows = byRun.get(key);
    if (rows) rows.push(r);
    else byRun.set(key, [r]);
  }
  const rows = [...byRun.values()].map((rs) => {
    rs.sort((a, b) => Number(a.step) - Number(b.step));
    runRows.set(rs[0], rs);
    return rs[0];
  });
  return { ...file, rows };
}

/** The primary quality column a run reports (images: fd_lenet or fid, toys: W1). */
const qualityColumn = (rows: readonly Record<string, string>[]) =>
  QUALITY_COLUMNS.find((c) => rows.some((r) => r[c] !== undefined && r[c] !== "")) ?? "fd_lenet";

/** The last value of `metric` a run logged. */
function finalQuality(rows: readonly Record<string, string>[], metric: string): number {
  const q = rows.filter((r) => r[metric] !== undefined && r[metric] !== "");
  return q.length ? Number(q[q.length - 1][metric]) : NaN;
}

/** How two runs of the same arm and seed drift apart (steps.csv rows in step order). */
export function drift(a: readonly Record<string, string>[], b: readonly Record<string, string>[]): {
  identicalUntil: number | null;
  firstApart: number | null;
  finalA: number;
  finalB: number;
  metric: string;
} {
  const metric = qualityColumn(a);
  const byStep = new Map(b.map((r) => [r.step, r]));
  let identicalUntil: number | null = null;
  let firstApart: number | null = null;
  let diverged = false;
  for (const ra of a) {
    const rb = byStep.get(ra.step);
    if (!rb || ra.critic_loss === "" || rb.critic_loss === "") continue;
    const x = Number(ra.critic_loss), y = Number(rb.critic_loss);
    if (!diverged && x === y) identicalUntil = Number(ra.step);
    else diverged = true;
    if (firstApart === null && Math.abs(x - y) > 0.01 * Math.max(Math.abs(x), Math.abs(y), 1e-12)) {
      firstApart = Number(ra.step);
    }
  }
  return { identicalUntil, firstApart, finalA: finalQuality(a, metric), finalB: finalQuality(b, metric), metric };
}

/** Matched rows: key → one row per file (undefined where a file lacks it). */
export function matchRows(
  files: readonly LoadedCsv[],
): { key: string; rows: (Record<string, string> | undefined)[] }[] {
  if (files.length < 2) throw new CompareError("Cannot compare: give at least two CSV files");
  const kinds = new Set(files.map((f) => f.kind));
  if (kinds.size > 1) {
    throw new CompareError(
      `Cannot compare ${files.map((f) => `"${f.label}" (${f.kind})`).join(" with ")}: different kinds of CSV`,
    );
  }
  const keyCols = KEYS[files[0].kind];
  const keyOf = (r: Record<string, string>) => keyCols.map((c) => r[c]).join(" / ");
  // steps.csv: one row per run (arm, seed)
  const maps = (files[0].kind === "steps" ? files.map(runsOf) : files).map((f) => {
    const m = new Map<string, Record<string, string>>();
    for (const r of f.rows) m.set(keyOf(r), r);
    return m;
  });
  const keys = [...maps[0].keys()].filter((k) => maps.slice(1).some((m) => m.has(k)));
  if (keys.length === 0) {
    throw new CompareError(
      `Cannot compare ${files.map((f) => `"${f.label}"`).join(", ")}: no rows describe the same work (matched on ${
        keyCols.join(", ")
      })`,
    );
  }
  return keys.map((key) => ({ key, rows: maps.map((m) => m.get(key)) }));
}

const num = (v: string | undefined) => v === undefined || v === "" ? NaN : Number(v);
const f = (x: number, d = 2) => Number.isFinite(x) ? x.toFixed(d) : "–";

/** Short column labels: the backend, plus the hardware id or file name only where needed to tell files apart. */
export function labels(files: readonly LoadedCsv[]): string[] {
  const first = (f: LoadedCsv, col: string) => f.rows[0]?.[col] ?? "?";
  const unique = (xs: string[]) => new Set(xs).size === xs.length;
  const byBackend = files.map((f) => first(f, "backend"));
  if (unique(byBackend)) return byBackend;
  const byHardware = files.map((f) => `${first(f, "backend")}@${first(f, "hardware_id")}`);
  return unique(byHardware) ? byHardware : files.map((f) => f.label);
}

/** The comparison table: header and rows of cells. */
export function compareTable(files: readonly LoadedCsv[]): { header: string[]; rows: string[][] } {
  const matched = matchRows(files);
  const names = labels(files);
  const name = (file: LoadedCsv) => names[files.indexOf(file)];
  if (files[0].kind === "bench") {
    const header = ["work", `${name(files[0])} ms`];
    files.slice(1).forEach((x) => header.push(`${name(x)} ms`, `${name(x)}/A time`, `speed-up A→${name(x)}`));
    const rows = matched.map(({ key, rows }) => {
      const a = num(rows[0]?.median_ms);
      const cells = [key, f(a, 1)];
      rows.slice(1).forEach((r) => {
        const b = num(r?.median_ms);
        cells.push(f(b, 1), f(b / a), f(a / b));
      });
      return cells;
    });
    return { header, rows };
  }
  if (files[0].kind === "steps") {
    const header = [`experiment / profile / arm / seed`, `${name(files[0])} final`];
    files.slice(1).forEach((x) =>
      header.push(`${name(x)} final`, "Δ final", "identical through step", "first step ≥ 1% apart")
    );
    const rows = matched.map(({ key, rows }) => {
      const a = rows[0] ? runRows.get(rows[0])! : [];
      const metric = qualityColumn(a);
      const cells = [key, `${f(finalQuality(a, metric), 3)} ${metric}`];
      rows.slice(1).forEach((r) => {
        const d = drift(a, r ? runRows.get(r)! : []);
        cells.push(
          r ? f(d.finalB, 3) : "–",
          r ? `${(100 * (d.finalB - d.finalA) / Math.abs(d.finalA)).toFixed(1)}%` : "–",
          r ? (d.identicalUntil === null ? "none" : String(d.identicalUntil)) : "–",
          r ? (d.firstApart === null ? "never" : String(d.firstApart)) : "–",
        );
      });
      return cells;
    });
    return { header, rows };
  }
  const header = ["experiment / profile / arm"];
  files.forEach((x) => header.push(`${name(x)} final`, `${name(x)} ρ`, `${name(x)} it/s`));
  const rows = matched.map(({ key, rows }) => {
    const cells = [key];
    rows.forEach((r) => {
      cells.push(
        !r ? "–" : r.final_quality_ci95 === "" && (r.final_quality_median ?? "") !== ""
          // rules v2 summaries: the median [min, max] over runs, no t-interval
          ? `${f(num(r.final_quality_median), 3)} [${f(num(r.final_quality_min), 3)}, ${
            f(num(r.final_quality_max), 3)
          }] ${r.quality_metric}`
          : `${f(num(r.final_quality_mean), 3)} ± ${f(num(r.final_quality_ci95), 3)} ${r.quality_metric}`,
        r ? f(num(r.spearman_mean)) : "–",
        r ? f(num(r.iterations_per_s_mean), 1) : "–",
      );
    });
    return cells;
  });
  return { header, rows };
}

/** Renders a table as Markdown or aligned text. */
export function renderTable(t: { header: string[]; rows: string[][] }, markdown: boolean): string {
  if (markdown) {
    return [
      `| ${t.header.join(" | ")} |`,
      `|${t.header.map(() => "---").join("|")}|`,
      ...t.rows.map((r) => `| ${r.join(" | ")} |`),
    ].join("\n");
  }
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(t.header), line(widths.map((w) => "-".repeat(w))), ...t.rows.map(line)].join("\n");
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { markdown: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    console.log(
      "usage: deno task compare A.csv B.csv [more.csv ...] [--markdown]   (.csv.gz too)\n" +
        "  bench CSVs: time ratios; summary.csv: final quality, ρ, throughput; steps.csv: per-seed drift from A",
    );
    return;
  }
  const files: LoadedCsv[] = [];
  for (const path of positionals) {
    let text: string;
    try {
      text = await readTextFile(path);
    } catch (e) {
      throw new CompareError(
        `Cannot compare "${path}": ${e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message}`,
      );
    }
    files.push(loadCsvText(text, path));
  }
  console.log(renderTable(compareTable(files), values.markdown ?? false));
}

if (import.meta.main) await runMain(main);
