/**
 * Atomic file writes (temporary file + rename) and CSV helpers, so an
 * interrupted run never leaves a half-written table or checkpoint.
 *
 * @module
 */
import { stringify } from "csv-stringify/sync";
import { parse } from "csv-parse/sync";

/** Writes `data` to `path` atomically (temporary file removed on failure). */
export { writeFileAtomic as writeAtomic } from "../../lib/io/write_atomic.ts";

/** A CSV row: column → value. */
export type Row = Record<string, string | number | boolean | null>;

/** Serialises rows with a fixed column order. */
export function toCsv(rows: readonly Row[], columns: readonly string[]): string {
  return stringify(rows.map((r) => columns.map((c) => formatCell(r[c]))), { header: true, columns: [...columns] });
}

function formatCell(v: Row[string] | undefined): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : (Number.isNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf");
  return String(v);
}

/** Parses a CSV file with a header into rows of strings. */
export function parseCsv(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true });
}

/** Reads a CSV file, or returns `[]` when it does not exist. */
export async function readCsvIfExists(path: string): Promise<Record<string, string>[]> {
  try {
    return parseCsv(await Deno.readTextFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** True when the path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
