/**
 * What a result folder is, and the only files the harness may delete in one.
 *
 * A folder is a result folder when its `config.json` is one the harness wrote (it carries {@linkcode FOLDER_FORMAT},
 * or, in folders written before the marker existed, both `identity` and `tables`). Every name the harness writes is
 * listed here: the top-level tables and figures, and under `runs/<arm>/seed-<k>/` each run's rows, record,
 * checkpoint and sample grids, plus locks and the temporary files of atomic writes. `--fresh` deletes those names
 * and nothing else, and refuses a folder that holds anything else; a run (fresh or not) refuses to write into a
 * folder that holds files and is not a result folder.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { FIGURES, LAYER_FIGURES } from "./layout.ts";

/** The marker `config.json` carries: `"format": FOLDER_FORMAT`. */
export const FOLDER_FORMAT = "wgan-bench result folder";

/** Files the harness writes at the top of a result folder. */
const TOP_FILES = new Set([
  "config.json",
  "steps.csv",
  "steps.csv.gz",
  "summary.csv",
  "verdict.md",
  "claims.json",
  "records.json",
  ...FIGURES,
  ...LAYER_FIGURES,
  ".lock",
]);

/** Files the harness writes in a run's folder `runs/<arm>/seed-<k>/`. */
const RUN_FILE = /^(config\.json|steps\.csv|done\.json|checkpoint\.bin|samples-\d+\.png|\.lock)$/;
/** A temporary file of an atomic write (`<name>.tmp-<pid>`), or the write probe of `checkOutDir`. */
const TEMP_FILE = /(\.tmp-\d+|^\.wgan-bench-write-test-\d+)$/;
const SEED_DIR = /^seed-\d+$/;
const ARM_DIR = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isHarnessFile(name: string, run: boolean): boolean {
  return TEMP_FILE.test(name) || (run ? RUN_FILE.test(name) : TOP_FILES.has(name));
}

/** True when `config` (parsed `config.json`) was written by the harness. */
export function isHarnessConfig(config: unknown): boolean {
  if (typeof config !== "object" || config === null) return false;
  const c = config as Record<string, unknown>;
  return c.format === FOLDER_FORMAT || (typeof c.identity === "object" && c.identity !== null && "tables" in c);
}

function entries(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/**
 * What is in `dir`: `"absent"` (no such folder, or nothing in it but harness leftovers such as a lock or a
 * temporary file), `"results"` (a result folder), or `"foreign"` (anything else: a user's folder).
 */
export function folderKind(dir: string): "absent" | "results" | "foreign" {
  const list = entries(dir);
  if (list.every((e) => e.isFile && isHarnessFile(e.name, false) && e.name !== "config.json")) return "absent";
  try {
    if (isHarnessConfig(JSON.parse(Deno.readTextFileSync(`${dir}/config.json`)))) return "results";
  } catch {
    // no config.json, or not JSON: not ours
  }
  return "foreign";
}

/**
 * The entries under `dir` that the harness did not write, as paths relative to it (folders end in `/`); empty
 * for a folder that holds only harness files.
 */
export function foreignEntries(dir: string): string[] {
  const out: string[] = [];
  for (const e of entries(dir)) {
    if (e.name === "runs" && e.isDirectory) {
      for (const arm of entries(`${dir}/runs`)) {
        if (!arm.isDirectory || !ARM_DIR.test(arm.name)) {
          out.push(`runs/${arm.name}${arm.isDirectory ? "/" : ""}`);
          continue;
        }
        for (const seed of entries(`${dir}/runs/${arm.name}`)) {
          const rel = `runs/${arm.name}/${seed.name}`;
          if (!seed.isDirectory || !SEED_DIR.test(seed.name)) {
            out.push(`${rel}${seed.isDirectory ? "/" : ""}`);
            continue;
          }
          for (const f of entries(`${dir}/${rel}`)) {
            if (!f.isFile || !isHarnessFile(f.name, true)) out.push(`${rel}/${f.name}${f.isDirectory ? "/" : ""}`);
          }
        }
      }
    } else if (!e.isFile || !isHarnessFile(e.name, false)) {
      out.push(`${e.name}${e.isDirectory ? "/" : ""}`);
    }
  }
  return out.sort();
}

/** `a, b, c` or `a, b, c and 4 more`. */
export function listSome(items: readonly string[], max = 3): string {
  return items.length <= max ? items.join(", ") : `${items.slice(0, max).join(", ")} and ${items.length - max} more`;
}

/**
 * Fails in one line unless the harness may write into `dir`: it does not exist, is empty (harness leftovers
 * aside), or is a result folder. `action` names what was attempted.
 */
export function checkWritableResultFolder(dir: string, action: string): void {
  if (folderKind(dir) !== "foreign") return;
  const held = entries(dir).map((e) => `${e.name}${e.isDirectory ? "/" : ""}`).sort();
  throw new UsageError(
    `Cannot ${action} "${dir}": it is not a wgan-bench result folder (it holds ${listSome(held)}, and no ` +
      "config.json written by wgan-bench); choose a new or empty folder with --out",
  );
}

/**
 * Fails in one line unless `--fresh` could empty `dir`: it is new, empty, or a result folder holding nothing but
 * what the harness writes. Deletes nothing.
 */
export function checkClearable(dir: string): void {
  checkWritableResultFolder(dir, "start afresh in");
  const foreign = foreignEntries(dir);
  if (foreign.length) {
    throw new UsageError(
      `Cannot start afresh in "${dir}": it holds files wgan-bench did not write (${listSome(foreign)}); ` +
        "move them out, or use another --out",
    );
  }
}

/**
 * `--fresh`: deletes every file the harness wrote in the result folder `dir` (its own lock aside) and the emptied
 * run folders. Refuses, deleting nothing, when {@linkcode checkClearable} does. Returns how many files were deleted.
 */
export function clearResultFolder(dir: string): number {
  checkClearable(dir);
  let removed = 0;
  const remove = (path: string) => {
    Deno.removeSync(path);
    removed++;
  };
  for (const e of entries(dir)) {
    if (e.name === "runs") {
      for (const arm of entries(`${dir}/runs`)) {
        for (const seed of entries(`${dir}/runs/${arm.name}`)) {
          const run = `${dir}/runs/${arm.name}/${seed.name}`;
          // a run's lock is held by a worker only while the folder's own lock is held: none is live here
          for (const f of entries(run)) remove(`${run}/${f.name}`);
          Deno.removeSync(run);
        }
        Deno.removeSync(`${dir}/runs/${arm.name}`);
      }
      Deno.removeSync(`${dir}/runs`);
    } else if (e.name !== ".lock") {
      remove(`${dir}/${e.name}`);
    }
  }
  return removed;
}
