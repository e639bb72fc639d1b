/**
 * Resolving what to run: experiment, profile, seeds, `--set` overrides and shard.
 *
 * @module
 */
import { EXPERIMENT_IDS, EXPERIMENTS, type ExperimentSpec, type ProfileName, type Settings } from "./experiments.ts";
import { suggestion, UsageError } from "./errors.ts";

/** Profiles in order. */
export const PROFILES: readonly ProfileName[] = ["quick", "default", "paper"];

/** The experiment with this id, or a UsageError suggesting the closest one. */
export function findExperiment(id: string): ExperimentSpec {
  const e = EXPERIMENTS.find((x) => x.id === id);
  if (!e) {
    throw new UsageError(`Cannot run experiment "${id}": unknown name${suggestion(id, EXPERIMENT_IDS)} (see --list)`);
  }
  return e;
}

/** Parses "0-4", "3", "0,2,5" or "0-2,7" into sorted unique seeds. */
export function parseSeeds(text: string): number[] {
  const seeds = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw new UsageError(`Cannot parse --seeds "${text}": expected a list like 0-4 or 0,2,5`);
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new UsageError(`Cannot parse --seeds "${text}": range ${lo}-${hi} is empty`);
    if (hi - lo > 10_000) throw new UsageError(`Cannot parse --seeds "${text}": more than 10,000 seeds`);
    for (let s = lo; s <= hi; s++) seeds.add(s);
  }
  return [...seeds].sort((a, b) => a - b);
}

/** Applies `key=value` overrides, typed by the defaults; unknown keys suggest the closest. */
export function applySettings(base: Settings, assignments: readonly string[]): Settings {
  const out: Settings = { ...base };
  const keys = Object.keys(base);
  for (const a of assignments) {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new UsageError(`Cannot parse --set "${a}": expected key=value`);
    const key = a.slice(0, eq).trim(), raw = a.slice(eq + 1).trim();
    if (!keys.includes(key)) {
      throw new UsageError(`Cannot set "${key}": unknown key${suggestion(key, keys)} (known: ${keys.join(", ")})`);
    }
    const current = (base as unknown as Record<string, unknown>)[key];
    let value: number | boolean;
    if (typeof current === "boolean") {
      if (raw !== "true" && raw !== "false") {
        throw new UsageError(`Cannot set "${key}": expected true or false, got "${raw}"`);
      }
      value = raw === "true";
    } else {
      value = Number(raw);
      if (raw === "" || !Number.isInteger(value) || value < 0) {
        throw new UsageError(`Cannot set "${key}": expected a non-negative integer, got "${raw}"`);
      }
    }
    (out as unknown as Record<string, unknown>)[key] = value;
  }
  const positive: (keyof Settings)[] = ["iterations", "evalEvery", "logEvery", "evalSamples", "batchSize", "hidden"];
  for (const k of positive) {
    if (!((out[k] as number) >= 1)) throw new UsageError(`Cannot use ${k}=${out[k]}: it must be at least 1`);
  }
  if (![28, 32].includes(out.imageSize)) throw new UsageError(`Cannot use imageSize=${out.imageSize}: choose 28 or 32`);
  return out;
}

/** Parses "--shard i/n" (1-based). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`Cannot parse --shard "${text}": expected i/n with 1 ≤ i ≤ n, e.g. 2/4`);
  }
  return { index, count };
}

/** One unit of work: an arm trained from one seed. */
export interface RunKey {
  arm: string;
  seed: number;
}

/** The runs of a shard: all (arm, seed) pairs in a fixed order, every n-th from i. */
export function shardRuns(experiment: ExperimentSpec, seeds: number[], shard = { index: 1, count: 1 }): RunKey[] {
  const all = seeds.flatMap((seed) => experiment.arms.map((a) => ({ arm: a.id, seed })));
  return all.filter((_, i) => i % shard.count === shard.index - 1);
}
