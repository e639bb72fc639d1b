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

/** `text` gzipped (no file name, modification time 0: the same text always gives the same bytes). */
export async function gzipText(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reads a text file, gunzipping it when its name ends in `.gz`. */
export async function readTextFile(path: string): Promise<string> {
  if (!path.endsWith(".gz")) return await Deno.readTextFile(path);
  const bytes = await Deno.readFile(path);
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
  try {
    return await new Response(stream).text();
  } catch (e) {
    throw new Error(`${path} is not a readable gzip file (${(e as Error).message})`);
  }
}

/**
 * A result folder's table of every run's rows: `steps.csv`, or `steps.csv.gz` as `deno task publish` stores it
 * (published folders are committed, and the tables compress about 5×); null when the folder has neither.
 */
export async function stepsTablePath(dir: string): Promise<string | null> {
  for (const name of ["steps.csv", "steps.csv.gz"]) if (await exists(`${dir}/${name}`)) return `${dir}/${name}`;
  return null;
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
