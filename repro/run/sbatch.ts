/**
 * `--sbatch N`: a Slurm job-array script that runs an experiment as N shards, one array task each (the task takes
 * its shard from `SLURM_ARRAY_TASK_ID`, see `shardFromEnvironment`), each into its own folder, with the merge to run
 * when every task has finished. Its time limit comes from the experiment's measured cost per iteration.
 *
 * @module
 */
import { resolve as resolvePath } from "node:path";
import type { ExperimentSpec, ProfileName } from "../config/experiments.ts";
import { type RunConfig, shardRuns } from "../config/resolve.ts";
import { compactSeeds } from "../config/protocol.ts";
import { estimateSeconds } from "./estimate.ts";
import { UsageError } from "../errors.ts";

/** What the script runs: the command's own choices, passed on unchanged to every task. */
export interface SbatchOptions {
  experiment: ExperimentSpec;
  profile: ProfileName;
  config: RunConfig;
  seeds: number[];
  /** `--set` assignments as given. */
  set: readonly string[];
  dataset?: string;
  backend: string;
  /** The folder the shards' folders go under, and the merged folder. */
  out: string;
  shards: number;
  /** The repository root the tasks run in (a path every node sees). */
  root: string;
  /** The Deno executable (overridable with `DENO=` when the nodes have it elsewhere). */
  deno: string;
}

/** Shell quoting for one word. */
const q = (s: string) => /^[A-Za-z0-9_./=:,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/** `HH:MM:SS` for Slurm's `--time`. */
function slurmTime(seconds: number): string {
  const s = Math.ceil(seconds);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/**
 * The time limit of a task: its shard's estimated training seconds on the reference CPU (`estimateSeconds`, the
 * native backend), times 3 for evaluation and slower nodes, at least 15 minutes, rounded up to 5 minutes.
 */
export function shardTimeLimit(o: Pick<SbatchOptions, "experiment" | "config" | "seeds" | "shards">): number {
  let longest = 0;
  for (let index = 1; index <= o.shards; index++) {
    const keys = shardRuns(o.experiment, o.seeds, { index, count: o.shards });
    const seconds = keys.reduce((t, k) => t + estimateSeconds(o, k.arm, "native"), 0);
    longest = Math.max(longest, seconds);
  }
  return Math.max(15 * 60, Math.ceil((3 * longest) / 300) * 300);
}

/** The array script (see the module). */
export function sbatchScript(o: SbatchOptions): string {
  const runs = o.experiment.arms.length * o.seeds.length;
  if (!(Number.isInteger(o.shards) && o.shards >= 1 && o.shards <= runs)) {
    throw new UsageError(
      `Cannot write an array of ${o.shards} shards: ${o.experiment.id} has ${runs} (arm, seed) runs for seeds ` +
        `${compactSeeds(o.seeds)} (give 1 to ${runs})`,
    );
  }
  const args = [
    // a user's experiment file by its absolute path: the tasks run from the repository
    o.experiment.file ? resolvePath(o.experiment.file.path) : o.experiment.id,
    "--profile",
    o.profile,
    "--seeds",
    compactSeeds(o.seeds),
    ...o.set.flatMap((s) => ["--set", s]),
    ...(o.dataset ? ["--dataset", o.dataset] : []),
    "--backend",
    o.backend,
    "--jobs",
    "1",
  ].map(q).join(" ");
  const out = o.out.replace(/\/+$/, "");
  return [
    "#!/bin/bash",
    `# ${o.experiment.id} (${o.profile}), seeds ${
      compactSeeds(o.seeds)
    }: ${runs} runs in ${o.shards} array tasks, one ` +
    "shard each (the task's rank in the array is its shard).",
    `# Made by \`deno task repro ${o.experiment.id} --sbatch ${o.shards}\`; submit with \`sbatch\` from any folder.`,
    `#SBATCH --job-name=wgan-${o.experiment.id}`,
    `#SBATCH --array=1-${o.shards}`,
    "#SBATCH --cpus-per-task=1",
    `#SBATCH --time=${slurmTime(shardTimeLimit(o))}`,
    // in the folder sbatch was called from: Slurm opens it before the script runs, so it cannot be a folder made here
    `#SBATCH --output=wgan-${o.experiment.id}-%A_%a.log`,
    "set -euo pipefail",
    `cd ${q(o.root)}`,
    "# one thread per task (the native backend's sums depend on the thread count: every shard alike)",
    "export WGAN_BENCH_THREADS=1",
    `"\${DENO:-${o.deno}}" task repro ${args} --out ${q(out)}/shard\${SLURM_ARRAY_TASK_ID}`,
    "# when every task has finished (or make a job with --dependency=afterok:<this job's id> run it):",
    `#   "\${DENO:-${o.deno}}" task repro merge ${q(out)}/shard* --out ${q(out)}/merged`,
    "",
  ].join("\n");
}
