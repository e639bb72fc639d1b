/**
 * Resolving what to run: experiment, profile, seeds, `--set` overrides and shard.
 *
 * @module
 */
import { EXPERIMENT_IDS, EXPERIMENTS, type ExperimentSpec, type ProfileName, type Settings } from "./experiments.ts";
import { suggestion, UsageError } from "./errors.ts";
import { type ArmConfig, resolveArms } from "./arm_config.ts";
import { applyArmSettings, applyRunSettings } from "./set_keys.ts";

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

/** An experiment's configuration resolved once: run settings and every arm's full hyperparameters. */
export interface RunConfig {
  settings: Settings;
  arms: ArmConfig[];
}

/**
 * Resolves the profile's settings and the experiment's arms, then applies the
 * `--set` assignments (see `set_keys.ts`): run settings first (they flow into
 * every arm), then arm keys in order.
 */
export function resolveConfig(
  experiment: ExperimentSpec,
  profile: ProfileName,
  assignments: readonly string[] = [],
): RunConfig {
  const settings = applyRunSettings(experiment.profiles[profile], assignments);
  const arms = applyArmSettings(settings, resolveArms(experiment, settings), assignments);
  return { settings, arms };
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
