/**
 * `--jobs N`: (arm, seed) runs in N worker processes (`worker.ts`) that share
 * nothing but the result folder. Runs are handed out longest first, one at a
 * time, so the slow arm does not end up alone at the end. Each worker gets an
 * equal share of the cores for its BLAS/oneDNN threads.
 *
 * @module
 */
import type { RunKey } from "../config/resolve.ts";
import type { RunRecord } from "../folder/layout.ts";
import { describeDifferences, differences } from "../folder/resume_key.ts";
import type { RunPlan } from "./plan.ts";
import type { ArmTimings } from "./estimate.ts";

/** What a worker is told to do (JSON on its standard input): the parent's plan, unchanged, and one run of it. */
export interface WorkerJob {
  plan: RunPlan;
  key: RunKey;
  parentPid: number;
}

/** A worker told to time the plan's arms (`timeArms`) instead of running one: the estimate's measurement. */
export interface TimingJob {
  plan: RunPlan;
  time: { arms: string[]; minSeconds: number };
  parentPid: number;
}

/**
 * The permissions the `repro` task grants, which workers need too. FFI is not scoped to folders: a custom
 * OpenBLAS or oneDNN (`WGAN_BENCH_BLAS`, `WGAN_BENCH_DNNL`) may live anywhere, and `--allow-run` grants as much.
 */
const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--allow-run", "--allow-ffi"];

/**
 * Runs one job in a worker process; `onIteration` sees its progress. The worker first reports what it resolved
 * from the plan; anything but `expected` (the parent's) stops it and fails the run, naming what differs.
 */
function spawnWorker(plan: RunPlan, label: string): Deno.ChildProcess {
  const threads = plan.threads;
  const env: Record<string, string> = {};
  // an equal share of the cores for each worker, unless the user chose
  if (!Deno.env.get("WGAN_BENCH_THREADS")) env.WGAN_BENCH_THREADS = String(threads);
  if (!Deno.env.get("OPENBLAS_NUM_THREADS")) env.OPENBLAS_NUM_THREADS = String(threads);
  if (!Deno.env.get("OMP_NUM_THREADS")) env.OMP_NUM_THREADS = String(threads);
  return new Deno.Command(Deno.execPath(), {
    // the result folder and run on the command line are for `ps` only; the job itself comes on stdin
    args: ["run", ...PERMISSIONS, new URL("./worker.ts", import.meta.url).pathname, `${plan.outDir}`, label],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Calls `onMessage` with each JSON object a worker prints on its own line, in order (other lines are skipped). */
async function eachMessage(
  stdout: ReadableStream<Uint8Array>,
  onMessage: (message: Record<string, unknown>) => void | Promise<void>,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stdout) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith("{")) await onMessage(JSON.parse(line));
    }
  }
}

async function runWorker(
  job: WorkerJob,
  expected: unknown,
  onIteration: (iteration: number) => void,
  signal?: AbortSignal,
): Promise<RunRecord | null> {
  const child = spawnWorker(job.plan, `${job.key.arm}/seed-${job.key.seed}`);
  // a stop request reaches the worker even when the signal was sent to this process alone
  const forward = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
  };
  signal?.addEventListener("abort", forward);
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(job) + "\n"));
  await writer.close();
  let record: RunRecord | null = null;
  let mismatch = "";
  const stderr = new Response(child.stderr).text();
  await eachMessage(child.stdout, (message) => {
    if (message.resolved !== undefined) {
      const diffs = differences(expected as Record<string, unknown>, message.resolved);
      if (diffs.length && !mismatch) {
        mismatch = describeDifferences(diffs);
        forward();
      }
    }
    if (typeof message.iteration === "number") onIteration(message.iteration);
    if (message.record) record = message.record as RunRecord;
  });
  const status = await child.status;
  signal?.removeEventListener("abort", forward);
  const errors = (await stderr).trim();
  if (mismatch) {
    throw new Error(
      `Cannot run ${job.key.arm} seed ${job.key.seed} in a worker: it resolved another configuration than this ` +
        `process (this process's → the worker's: ${mismatch})`,
    );
  }
  if (status.code === 0 && record) return record;
  if (status.code === 130 || status.signal) return null;
  const last = errors.split("\n").filter((l) => l.trim()).pop() ?? `exit status ${status.code}`;
  throw new Error(`Cannot finish ${job.key.arm} seed ${job.key.seed} in a worker: ${last}`);
}

/** Progress callbacks of {@linkcode runInWorkers}. */
export interface PoolHooks {
  /** Iterations done by a run in flight. */
  onIteration(key: RunKey, iteration: number): void;
  /** A run finished (`record`) or was interrupted (null). */
  onDone(key: RunKey, record: RunRecord | null): void;
}

/**
 * Runs `keys` (already ordered) of `plan` in `lanes` worker processes at a time, each with the plan's threads; stops handing
 * out runs once one is interrupted or fails (the others finish or checkpoint). Returns how many finished and
 * whether any was interrupted; rethrows the first worker error after the others have stopped.
 */
export async function runInWorkers(
  plan: RunPlan,
  keys: readonly RunKey[],
  { lanes, expected }: { lanes: number; expected: unknown },
  hooks: PoolHooks,
  signal?: AbortSignal,
): Promise<{ finished: number; interrupted: boolean }> {
  const queue = [...keys];
  let finished = 0, interrupted = false;
  let failure: Error | null = null;
  const lane = async () => {
    while (queue.length && !interrupted && !failure && !signal?.aborted) {
      const key = queue.shift()!;
      try {
        const record = await runWorker(
          { plan, key, parentPid: Deno.pid },
          expected,
          (it) => hooks.onIteration(key, it),
          signal,
        );
        hooks.onDone(key, record);
        if (record) finished++;
        else interrupted = true;
      } catch (e) {
        failure ??= e as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, keys.length) }, lane));
  if (failure) throw failure;
  return { finished, interrupted: interrupted || (signal?.aborted ?? false) && queue.length > 0 };
}

/**
 * The estimate's measurement: `lanes` workers, started at once as the runs' workers will be, each time `arms`
 * (`timeArms`: the same arms in the same order) and report how long their start took. Each arm's timed iterations
 * start in every worker at once (each says `ready`, the parent answers `go` when all have), so that each is timed
 * beside itself, as runs will train side by side. Returns each arm's mean over the workers, and the mean start.
 */
export async function timeInWorkers(
  plan: RunPlan,
  arms: readonly string[],
  lanes: number,
  minSeconds: number,
  signal?: AbortSignal,
): Promise<ArmTimings> {
  const n = Math.max(1, lanes);
  const children = Array.from({ length: n }, () => spawnWorker(plan, "timing"));
  const writers = children.map((c) => c.stdin.getWriter());
  const encoder = new TextEncoder();
  const forward = () => {
    for (const c of children) {
      try {
        c.kill("SIGTERM");
      } catch { /* already exited */ }
    }
  };
  signal?.addEventListener("abort", forward);
  // the barrier: how many workers are ready for each arm; when all are, every one is told to go
  const readyCount = new Map<string, number>();
  const onReady = async (arm: string) => {
    readyCount.set(arm, (readyCount.get(arm) ?? 0) + 1);
    if (readyCount.get(arm) === n) await Promise.all(writers.map((w) => w.write(encoder.encode("go\n"))));
  };
  const one = async (child: Deno.ChildProcess, writer: WritableStreamDefaultWriter<Uint8Array>) => {
    const job: TimingJob = { plan, time: { arms: [...arms], minSeconds }, parentPid: Deno.pid };
    await writer.write(encoder.encode(JSON.stringify(job) + "\n"));
    const stderr = new Response(child.stderr).text();
    let timing: ArmTimings | null = null;
    await eachMessage(child.stdout, async (message) => {
      if (typeof message.ready === "string") await onReady(message.ready);
      if (message.timing) timing = message.timing as ArmTimings;
    });
    const status = await child.status;
    if (status.code !== 0 || !timing) {
      // a worker that failed leaves the others waiting at the barrier: stop them
      forward();
      const last = (await stderr).split("\n").filter((l) => l.trim()).pop() ?? `exit status ${status.code}`;
      throw new Error(`Cannot time the arms in a worker: ${last}`);
    }
    return timing;
  };
  try {
    const all = await Promise.all(children.map((c, i) => one(c, writers[i])));
    const mean = (f: (t: ArmTimings) => number) => all.reduce((a, t) => a + f(t), 0) / all.length;
    return {
      iteration: Object.fromEntries(arms.map((a) => [a, mean((t) => t.iteration[a])])),
      evaluation: Object.fromEntries(arms.map((a) => [a, mean((t) => t.evaluation?.[a] ?? 0)])),
      startup: mean((t) => t.startup ?? 0),
    };
  } finally {
    signal?.removeEventListener("abort", forward);
    for (const w of writers) await w.close().catch(() => {});
    // a failed worker's siblings were stopped: wait for them, so that none outlives this call
    await Promise.all(children.map((c) => c.status));
  }
}
