/**
 * `--jobs N`: (arm, seed) runs in N worker processes (`worker.ts`) that share
 * nothing but the result folder. Runs are handed out longest first, one at a
 * time, so the slow arm does not end up alone at the end. Each worker gets an
 * equal share of the cores for its BLAS/oneDNN threads.
 *
 * @module
 */
import { cpus } from "node:os";
import type { BackendName } from "../../mod.ts";
import type { ProfileName } from "../config/experiments.ts";
import type { RunConfig, RunKey } from "../config/resolve.ts";
import type { RunRecord } from "./run_one.ts";
import type { Environment } from "../folder/environment.ts";

/** What a worker is told to do (JSON on its standard input). */
export interface WorkerJob {
  experimentId: string;
  profile: ProfileName;
  config: RunConfig;
  /** The backend the parent resolved (never "auto": every worker uses the same one). */
  backend: BackendName;
  outDir: string;
  dataset?: string;
  cacheDir: string;
  key: RunKey;
  parentPid: number;
  /** Continue a run whose rows were computed with another backend, device or hardware (`--allow-mixed`). */
  allowMixed: boolean;
  /** The parent's environment record (commit, versions, hardware): every row of a run carries the same one. */
  environment: Environment;
}

/** Backends whose kernels run on one thread: as many workers as cores by default. */
const SINGLE_THREADED = new Set(["cpu", "wasm"]);

/** The default `--jobs`: the number of cores for a single-threaded backend, else 1. */
export function defaultJobs(backend: string): number {
  return SINGLE_THREADED.has(backend) ? Math.max(1, cpus().length) : 1;
}

/** Threads of each of `workers` worker processes: an equal share of the cores, at least 1. */
export function workerThreads(workers: number): number {
  return Math.max(1, Math.floor(cpus().length / workers));
}

/**
 * The permissions the `repro` task grants, which workers need too. FFI is not scoped to folders: a custom
 * OpenBLAS or oneDNN (`WGAN_BENCH_BLAS`, `WGAN_BENCH_DNNL`) may live anywhere, and `--allow-run` grants as much.
 */
const PERMISSIONS = ["--allow-read", "--allow-write", "--allow-env", "--allow-sys", "--allow-run", "--allow-ffi"];

/** Runs one job in a worker process; `onIteration` sees its progress. */
async function runWorker(
  job: WorkerJob,
  threads: number,
  onIteration: (iteration: number) => void,
  signal?: AbortSignal,
): Promise<RunRecord | null> {
  const env: Record<string, string> = {};
  // an equal share of the cores for each worker, unless the user chose
  if (!Deno.env.get("WGAN_BENCH_THREADS")) env.WGAN_BENCH_THREADS = String(threads);
  if (!Deno.env.get("OPENBLAS_NUM_THREADS")) env.OPENBLAS_NUM_THREADS = String(threads);
  if (!Deno.env.get("OMP_NUM_THREADS")) env.OMP_NUM_THREADS = String(threads);
  const child = new Deno.Command(Deno.execPath(), {
    // the result folder and run on the command line are for `ps` only; the job itself comes on stdin
    args: [
      "run",
      ...PERMISSIONS,
      new URL("./worker.ts", import.meta.url).pathname,
      `${job.outDir}`,
      `${job.key.arm}/seed-${job.key.seed}`,
    ],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // a stop request reaches the worker even when the signal was sent to this process alone
  const forward = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* already exited */ }
  };
  signal?.addEventListener("abort", forward);
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(job)));
  await writer.close();
  let record: RunRecord | null = null;
  let buffer = "";
  const decoder = new TextDecoder();
  const stderr = new Response(child.stderr).text();
  for await (const chunk of child.stdout) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith("{")) continue;
      const message = JSON.parse(line);
      if (typeof message.iteration === "number") onIteration(message.iteration);
      if (message.record) record = message.record;
    }
  }
  const status = await child.status;
  signal?.removeEventListener("abort", forward);
  const errors = (await stderr).trim();
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
 * Runs `keys` (already ordered) in `lanes` worker processes at a time, each with `threads` threads; stops handing
 * out runs once one is interrupted or fails (the others finish or checkpoint). Returns how many finished and
 * whether any was interrupted; rethrows the first worker error after the others have stopped.
 */
export async function runInWorkers(
  base: Omit<WorkerJob, "key" | "parentPid">,
  keys: readonly RunKey[],
  { lanes, threads }: { lanes: number; threads: number },
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
          { ...base, key, parentPid: Deno.pid },
          threads,
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
