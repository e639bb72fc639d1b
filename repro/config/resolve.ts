/**
 * Resolving what to run: experiment, profile, seeds, `--set` overrides and shard.
 *
 * @module
 */
import type { ExperimentSpec, ProfileName, Settings } from "./experiments.ts";
import { UsageError } from "../errors.ts";
import { type ArmConfig, resolveArms } from "./arms.ts";
import { configIssues, issueText } from "../../lib/config/schema.ts";
import { runConfigSchema } from "./schema.ts";
import { applyArmSettings, applyRunSettings } from "./set_keys.ts";
import { type Protocol, protocol, protocolEntry } from "./protocol.ts";

/** Profiles in order. */
export const PROFILES: readonly ProfileName[] = ["quick", "default", "paper"];

/** The largest seed: seeds are 32-bit (the generator's state is seeded from 32 bits; 2³² would repeat seed 0). */
export const MAX_SEED = 2 ** 32 - 1;
/** The most seeds one command plans (over all its ranges). */
export const MAX_SEEDS = 10_000;

/**
 * Parses "0-4", "3", "0,2,5" or "0-2,7" into sorted unique seeds, each from 0 to {@linkcode MAX_SEED}, at most
 * {@linkcode MAX_SEEDS} in all.
 */
export function parseSeeds(text: string): number[] {
  const fail = (why: string) => new UsageError(`Cannot parse --seeds "${text}": ${why}`);
  const ranges: [number, number][] = [];
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw fail("expected a list like 0-4 or 0,2,5");
    for (const digits of [m[1], m[2]]) {
      // compared as text first: a number past 2^53 is no longer the one typed
      if (digits !== undefined && (digits.replace(/^0+(?=\d)/, "").length > 10 || Number(digits) > MAX_SEED)) {
        throw fail(`seed ${digits} is out of range (seeds are 0 to ${MAX_SEED}, 2³² − 1)`);
      }
    }
    const lo = Number(m[1]), hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw fail(`range ${lo}-${hi} is empty`);
    ranges.push([lo, hi]);
  }
  // counted before any range is expanded: the cap is on the whole list
  const merged = ranges.sort((a, b) => a[0] - b[0]).reduce<[number, number][]>((out, [lo, hi]) => {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
    return out;
  }, []);
  const count = merged.reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
  if (count > MAX_SEEDS) {
    throw fail(
      `${count.toLocaleString("en-US")} seeds, more than the ${MAX_SEEDS.toLocaleString("en-US")} one command runs`,
    );
  }
  return merged.flatMap(([lo, hi]) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));
}

/** An experiment's configuration resolved once: run settings and every arm's full hyperparameters. */
export interface RunConfig {
  settings: Settings;
  arms: ArmConfig[];
}

/**
 * A profile's settings before `--set`: the default profile takes its horizon, cadence and seed count from the
 * protocol (the verdict budget), the others are the registry's.
 */
export function profileSettings(experiment: ExperimentSpec, profile: ProfileName, p: Protocol = protocol()): Settings {
  const base = experiment.profiles[profile];
  const entry = protocolEntry(experiment, p);
  if (profile !== "default" || !entry) return base;
  return { ...base, iterations: entry.iterations, evalEvery: entry.evalEvery, seeds: entry.seeds.length };
}

/**
 * The seeds a run uses when --seeds is not given: the protocol's verdict seeds (default profile; a user's file: its
 * own protocol's), else 0..n−1.
 */
export function defaultSeeds(experiment: ExperimentSpec, profile: ProfileName, settings: Settings): number[] {
  const entry = protocolEntry(experiment);
  if (profile === "default" && entry && settings.seeds === entry.seeds.length) return [...entry.seeds];
  return Array.from({ length: settings.seeds }, (_, i) => i);
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
  const settings = applyRunSettings(profileSettings(experiment, profile), assignments);
  const arms = applyArmSettings(settings, resolveArms(experiment, settings), assignments);
  // the whole configuration by the one schema (a combination the library cannot train, too), before any work
  const config = { settings, arms };
  const r = runConfigSchema.safeParse(config, { reportInput: true });
  if (!r.success) {
    const issue = configIssues(r.error, config)[0];
    const [where, index, ...rest] = issue.path.split(".");
    if (where === "arms") {
      throw new UsageError(
        `Cannot use arm ${arms[Number(index)].id}: ${issueText({ ...issue, path: rest.join(".") })}`,
      );
    }
    throw new UsageError(
      `Cannot use these settings: ${
        issueText({ ...issue, path: [where, index, ...rest].filter(Boolean).slice(1).join(".") })
      }`,
    );
  }
  return config;
}

/** Parses "--shard i/n" (1-based). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(`Cannot parse --shard "${text}": expected i/n with 1 ≤ i ≤ n, e.g. 2/4`);
  }
  return { index, count, from: "--shard" };
}

/** A shard of a run's (arm, seed) pairs, and where it came from (`--shard`, or a scheduler's variable). */
export interface Shard {
  index: number;
  count: number;
  from?: "--shard" | "SLURM_ARRAY_TASK_ID" | "JOB_COMPLETION_INDEX";
}

/**
 * The shard a scheduler assigns through the environment, for a run given no `--shard`: inside a Slurm job array, the
 * task's rank in the array (`SLURM_ARRAY_TASK_ID` within `SLURM_ARRAY_TASK_MIN`…`MAX` by `SLURM_ARRAY_TASK_STEP`;
 * `SLURM_ARRAY_TASK_COUNT` tasks); inside a Kubernetes Indexed Job, `JOB_COMPLETION_INDEX` + 1 of
 * `WGAN_BENCH_SHARDS` (the Job's completions: Kubernetes does not pass the count). Null outside both. An array whose
 * variables do not describe a rank is refused in one line.
 */
export function shardFromEnvironment(env: Record<string, string | undefined>): Shard | null {
  const int = (name: string, fallback?: number) => {
    const raw = env[name];
    if (raw === undefined || raw === "") {
      if (fallback !== undefined) return fallback;
      throw new UsageError(`Cannot take the shard from the environment: ${name} is not set`);
    }
    if (!/^\d+$/.test(raw.trim())) {
      throw new UsageError(`Cannot take the shard from the environment: ${name} is "${raw}", not a whole number`);
    }
    return Number(raw);
  };
  if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_ID !== "") {
    const id = int("SLURM_ARRAY_TASK_ID"), min = int("SLURM_ARRAY_TASK_MIN"), max = int("SLURM_ARRAY_TASK_MAX");
    const step = Math.max(1, int("SLURM_ARRAY_TASK_STEP", 1));
    const count = int("SLURM_ARRAY_TASK_COUNT", Math.floor((max - min) / step) + 1);
    const index = (id - min) / step + 1;
    if (!Number.isInteger(index) || index < 1 || index > count || count !== Math.floor((max - min) / step) + 1) {
      throw new UsageError(
        `Cannot take the shard from the environment: Slurm array task ${id} is not one of ${count} tasks from ${min} ` +
          `to ${max} by ${step} (give --shard i/n; arrays with gaps, like --array=1,3,7, need it)`,
      );
    }
    return { index, count, from: "SLURM_ARRAY_TASK_ID" };
  }
  if (env.JOB_COMPLETION_INDEX !== undefined && env.JOB_COMPLETION_INDEX !== "") {
    const index = int("JOB_COMPLETION_INDEX") + 1, count = int("WGAN_BENCH_SHARDS");
    if (count < 1 || index > count) {
      throw new UsageError(
        `Cannot take the shard from the environment: JOB_COMPLETION_INDEX ${index - 1} is not below ` +
          `WGAN_BENCH_SHARDS = ${count} (set it to the Job's completions)`,
      );
    }
    return { index, count, from: "JOB_COMPLETION_INDEX" };
  }
  return null;
}

/** One unit of work: an arm trained from one seed. */
export interface RunKey {
  arm: string;
  seed: number;
}

/** The runs of a shard: all (arm, seed) pairs in a fixed order, every n-th from i. */
export function shardRuns(
  experiment: ExperimentSpec,
  seeds: number[],
  shard: Shard = { index: 1, count: 1 },
): RunKey[] {
  const all = seeds.flatMap((seed) => experiment.arms.map((a) => ({ arm: a.id, seed })));
  return all.filter((_, i) => i % shard.count === shard.index - 1);
}
