/**
 * One (arm, seed) run in its own process, spawned by `runExperiment` for
 * `--jobs N` (see `workers.ts`). It reads its job as JSON on standard input,
 * sets up the same backend, data and evaluator as the parent, trains through
 * `runOne` into the shared result folder (each run owns its own
 * `runs/<arm>/seed-<k>/`), and reports on standard output, one JSON object a
 * line: `{"iteration": n}` as it goes, then `{"record": …}` or
 * `{"interrupted": true}`. Errors: one line on standard error, exit 1.
 *
 * It stops (checkpointing) on SIGINT/SIGTERM and when its parent process
 * has gone (a `kill -9` of the parent leaves no orphan training on).
 *
 * @module
 */
import { selectBackend } from "../../mod.ts";
import { findExperiment } from "../config/resolve.ts";
import { loadExperimentData } from "./data.ts";
import { createEvaluator } from "./evaluate.ts";
import { runOne } from "./run_one.ts";
import type { WorkerJob } from "./workers.ts";
import { lockOutDirWaiting, watchParent } from "./lock.ts";
import { runDir } from "../folder/layout.ts";

async function main(): Promise<number> {
  const job = JSON.parse(await new Response(Deno.stdin.readable).text()) as WorkerJob;
  const experiment = findExperiment(job.experimentId);
  const controller = new AbortController();
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const unwatch = watchParent(job.parentPid, stop);
  // the run's own folder is locked: a worker orphaned by a killed parent may still be checkpointing it
  const lock = await lockOutDirWaiting(runDir(job.outDir, job.key), 60_000);
  const send = (message: unknown) => console.log(JSON.stringify(message));
  try {
    const backend = await selectBackend(job.backend);
    // the parent's record (commit, versions), with this worker's device (its thread count)
    const env = { ...job.environment, device: backend.device };
    const { settings, arms } = job.config;
    const data = await loadExperimentData(experiment, settings, job.dataset);
    const evaluator = await createEvaluator(experiment, settings, data, job.cacheDir, () => {});
    let lastSent = 0;
    const record = await runOne({
      experimentId: experiment.id,
      profile: job.profile,
      iterations: settings.iterations,
      evalEvery: settings.evalEvery,
      logEvery: settings.logEvery,
      arms,
      data,
      evaluator,
      env,
      outDir: job.outDir,
      allowMixed: job.allowMixed,
      signal: controller.signal,
      onIteration: (_, iteration) => {
        const now = performance.now();
        if (now - lastSent > 500 || iteration === settings.iterations) {
          lastSent = now;
          send({ iteration });
        }
      },
    }, job.key);
    send(record ? { record } : { interrupted: true });
    return record ? 0 : 130;
  } finally {
    unwatch();
    lock.release();
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (e) {
    console.error(String((e as Error).message ?? e).split("\n")[0]);
    Deno.exit(1);
  }
}
