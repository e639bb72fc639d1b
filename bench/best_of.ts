/**
 * `deno run --allow-read --allow-write bench/best_of.ts OUT.csv ROUND1.csv ROUND2.csv ...`:
 * merges bench CSVs of the same backend taken in alternating rounds into one,
 * keeping for each step (model, algorithm, step, batch) the row of the round
 * with the smallest median.
 *
 * Why: on a shared machine the load drifts by tens of percent within minutes,
 * so a reference timed a few minutes apart can flatter either side. Timing
 * PyTorch and tfjs in alternating rounds and keeping each one's best round
 * gives both the same treatment (the committed CSVs in `results/bench/` say
 * in `results/README.md` when they were made this way).
 *
 * @module
 */
import { parseCsv, toCsv, writeAtomic } from "../repro/folder/files.ts";
import { runMain, UsageError } from "../repro/errors.ts";
import { BENCH_COLUMNS, BENCH_KEY } from "./schema.ts";

/** For each step, the row with the smallest `median_ms` across `rounds`, in first-seen order. */
export function bestOf(rounds: readonly Record<string, string>[][]): Record<string, string>[] {
  const best = new Map<string, Record<string, string>>();
  for (const rows of rounds) {
    for (const row of rows) {
      const key = BENCH_KEY.map((k) => row[k]).join("/");
      const current = best.get(key);
      if (!current || Number(row.median_ms) < Number(current.median_ms)) best.set(key, row);
    }
  }
  return [...best.values()];
}

async function main(): Promise<void> {
  const [out, ...inputs] = Deno.args;
  if (!out || inputs.length === 0) throw new UsageError("usage: best_of.ts OUT.csv ROUND1.csv [ROUND2.csv ...]");
  const rounds: Record<string, string>[][] = [];
  const backends = new Set<string>();
  for (const path of inputs) {
    const rows = parseCsv(await Deno.readTextFile(path));
    const missing = BENCH_COLUMNS.filter((c) => rows.length && !(c in rows[0]));
    if (!rows.length || missing.length) throw new UsageError(`Cannot merge ${path}: not a bench CSV`);
    rows.forEach((r) => backends.add(`${r.backend} ${r.device}`));
    rounds.push(rows);
  }
  if (backends.size > 1) {
    throw new UsageError(`Cannot merge rounds of different backends/devices: ${[...backends].join("; ")}`);
  }
  await writeAtomic(out, toCsv(bestOf(rounds), BENCH_COLUMNS));
  console.log(out);
}

if (import.meta.main) await runMain(main);
