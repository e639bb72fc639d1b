/**
 * What must match to continue in a result folder, and the one-line refusal that names what differs.
 *
 * A folder's identity has two parts. The *configuration* (experiment, profile, dataset, run settings, every arm's
 * hyperparameters) decides what the runs are; a folder never holds two. The *execution* (backend, CPU threads per
 * run, tfjs version, the library's {@linkcode NUMERICS_VERSION}) decides the rounding of every number; rows made
 * under another execution would mix inside a run or across the arms a table compares, so a difference is refused
 * too, unless the user accepts the mix with `--allow-mixed` (each row records its own backend and device).
 *
 * @module
 */
import { NUMERICS_VERSION } from "../../lib/numerics_version.ts";
import { listSome } from "./result_folder.ts";

/** How the numbers of a folder's runs were computed. */
export interface Execution {
  backend: string;
  /** CPU threads of each run's kernels (a `--jobs N` worker gets cores/N). */
  threads: number;
  tfjs: string;
  numerics: number;
}

/** The execution of this process's runs. */
export function execution(backend: string, threads: number, tfjs: string): Execution {
  return { backend, threads, tfjs, numerics: NUMERICS_VERSION };
}

/** One differing value: its dotted key, the folder's value and this run's. */
export interface Difference {
  key: string;
  stored: unknown;
  current: unknown;
}

/** Leaves of a JSON value as dotted keys; arrays of objects with an `id` are keyed by it (`arms.wgan.lr`). */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value) && value.every((v) => typeof v === "object" && v !== null && "id" in v)) {
    for (const v of value) flatten(v, `${prefix}${(v as { id: string }).id}.`, out);
  } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (k !== "id" && v !== undefined) flatten(v, `${prefix}${k}.`, out);
  } else {
    out.set(prefix.slice(0, -1), value);
  }
  return out;
}

/** Every key whose value differs between `stored` and `current` (a key missing on one side counts as differing). */
export function differences(stored: unknown, current: unknown): Difference[] {
  const a = flatten(stored, "", new Map()), b = flatten(current, "", new Map());
  const keys = [...new Set([...a.keys(), ...b.keys()])];
  return keys
    .filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)))
    .map((key) => ({ key, stored: a.get(key), current: b.get(key) }));
}

/** `key: folder's → this run's` for each difference (at most `max`, then a count). */
export function describeDifferences(diffs: readonly Difference[], max = 4): string {
  const show = (v: unknown) => v === undefined ? "(none)" : typeof v === "string" ? v : JSON.stringify(v);
  return listSome(diffs.map((d) => `${d.key} ${show(d.stored)} → ${show(d.current)}`), max);
}
