/**
 * One (arm, seed) run in its own process, spawned by `runExperiment` for `--jobs N` (see `workers.ts`). It reads
 * its job — the parent's run plan, unchanged, and the run's key — as JSON on standard input, prepares the plan's
 * data and evaluator as the parent did (`prepareRuns`), reports what it resolved so the parent can check it, trains
 * through `runOne` into the shared result folder (each run owns its own `runs/<arm>/seed-<k>/`), and reports on
 * standard output, one JSON object a line: `{"resolved": …}`, then `{"iteration": n}` as it goes, then
 * `{"record": …}` or `{"interrupted": true}`. Errors: one line on standard error, exit 1.
 *
 * It stops (checkpointing) on SIGINT/SIGTERM and when its parent process has gone (a `kill -9` of the parent
 * leaves no orphan training on).
 *
 * @module
 */
import { runOne } from "./run_one.ts";
import type { TimingJob, WorkerJob } from "./workers.ts";
import { timeArms } from "./estimate.ts";
import { lockOutDirWaiting, watchParent } from "../folder/lock.ts";
import { runDir } from "../folder/layout.ts";
import { describeResolved, prepareRuns } from "./plan.ts";

async function main(): Promise<number> {
  // the job is the first line; a timing job's parent then sends "go" lines, one per arm
  const lines = lineReader(Deno.stdin.readable);
  const first = await lines();
  if (first === null) throw new Error("Cannot run a worker: no job on standard input");
  const job = JSON.parse(first) as WorkerJob | TimingJob;
  if ("time" in job) return await timeHere(job, lines);
  const { plan, key, parentPid } = job;
  const controller = new AbortController();
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const unwatch = watchParent(parentPid, stop);
  // the run's own folder is locked: a worker orphaned by a killed parent may still be checkpointing it
  const lock = await lockOutDirWaiting(runDir(plan.outDir, key), 60_000);
  const send = (message: unknown) => console.log(JSON.stringify(message));
  try {
    const prepared = await prepareRuns(plan);
    send({ resolved: describeResolved(plan, prepared, true) });
    let lastSent = 0;
    const record = await runOne({
      ...prepared.context,
      signal: controller.signal,
      onIteration: (_, iteration) => {
        const now = performance.now();
        if (now - lastSent > 500 || iteration === plan.config.settings.iterations) {
          lastSent = now;
          send({ iteration });
        }
      },
    }, key);
    send(record ? { record } : { interrupted: true });
    return record ? 0 : 130;
  } finally {
    unwatch();
    lock.release();
  }
}

/** A timing job: prepare as a run's worker does, time the arms, report `{"timing": …}` with the start's seconds. */
/** Reads `stream` a line at a time: each call, the next line without its newline, or null at the end. */
function lineReader(stream: ReadableStream<Uint8Array>): () => Promise<string | null> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "", done = false;
  return async () => {
    while (!buffer.includes("\n") && !done) {
      const chunk = await reader.read();
      if (chunk.done) done = true;
      else buffer += chunk.value;
    }
    if (!buffer.length && done) return null;
    const nl = buffer.indexOf("\n");
    const line = nl >= 0 ? buffer.slice(0, nl) : buffer;
    buffer = nl >= 0 ? buffer.slice(nl + 1) : "";
    return line;
  };
}

async function timeHere(
  { plan, time, parentPid }: TimingJob,
  lines: () => Promise<string | null>,
): Promise<number> {
  // nothing to checkpoint: a stop signal's default (exit) is right, and a gone parent ends it at once
  const unwatch = watchParent(parentPid, () => Deno.exit(130));
  try {
    const prepared = await prepareRuns(plan);
    // from this process's start (performance's origin) to ready: what each run's worker spends before training
    const startup = performance.now() / 1000;
    const { data, evaluator } = prepared.context;
    // each arm's timed iterations start when every worker is ready for them: the parent's "go"
    const ready = async (arm: string) => {
      console.log(JSON.stringify({ ready: arm }));
      if (await lines() === null) throw new Error(`Cannot time ${arm}: the parent closed the line before saying go`);
    };
    const timing = await timeArms(plan.config, time.arms, data, evaluator, time.minSeconds, ready);
    console.log(JSON.stringify({ timing: { ...timing, startup } }));
    return 0;
  } finally {
    unwatch();
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
