/**
 * One run per result folder: `<out>/.lock` holds the holder's pid, host and start time, and the holder touches it
 * every 20 s. A second process on the same folder is refused in one line. A lock is taken over when its holder is
 * gone: on this host, when its pid no longer exists (`os.getPriority` says ESRCH: it needs only --allow-sys, where
 * /proc needs --allow-all); from another host sharing the folder, when it has not been touched for 10 minutes (a
 * long synchronous step — a Diters warm-up burst on a slow backend — can hold the event loop for minutes).
 *
 * @module
 */
import os from "node:os";
import { UsageError } from "../errors.ts";

/** A held lock; `release()` removes it (idempotent). */
export interface OutLock {
  readonly path: string;
  /** Says in the lock that its holder is stopping (checkpointing): a successor waits for it instead of failing. */
  markStopping(): void;
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  started: string;
  /** Set once the holder has been asked to stop and is checkpointing. */
  stopping?: boolean;
}

/** The folder is held by another live process. */
export class LockHeldError extends UsageError {
  constructor(message: string, readonly holder: Holder) {
    super(message);
  }
}

/** Untouched this long, a lock's holder is taken to be gone. */
export const STALE_LOCK_MS = 10 * 60 * 1000;
const HEARTBEAT_MS = 20 * 1000;

function alive(holder: Holder, path: string): boolean {
  if (holder.host === os.hostname()) return processAlive(holder.pid);
  try {
    const mtime = Deno.statSync(path).mtime?.getTime() ?? 0;
    return Date.now() - mtime < STALE_LOCK_MS;
  } catch {
    return false; // gone meanwhile
  }
}

/**
 * Whether a process with this pid exists on this host: getpriority fails with ESRCH for none (EPERM means another
 * user's live process).
 */
export function processAlive(pid: number): boolean {
  try {
    os.getPriority(pid);
    return true;
  } catch (e) {
    return !/ESRCH/.test(String((e as Error).message ?? e));
  }
}

/**
 * Calls `onGone` once when this process's parent `pid` has died (polled every `everyMs`): when this process has
 * been re-parented (`Deno.ppid` is read afresh; re-parenting happens at the parent's death, even while it lingers
 * unreaped as a zombie) or `pid` no longer exists. Returns a stop function; the timer does not keep the program
 * alive.
 */
export function watchParent(pid: number, onGone: () => void, everyMs = 500): () => void {
  const timer = setInterval(() => {
    if (Deno.ppid !== pid || !processAlive(pid)) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}

/**
 * {@linkcode lockOutDir}, waiting up to `timeoutMs` while a live process holds the lock: any holder (a worker of a
 * killed parent stops within a second or two, checkpointing; its successor waits for it instead of racing it), or
 * with `onlyStopping` only a holder that has said it is stopping (a second run beside a working one is refused at
 * once). `log` hears once that it waits.
 */
export async function lockOutDirWaiting(
  outDir: string,
  timeoutMs: number,
  options: { onlyStopping?: boolean; log?: (line: string) => void } = {},
): Promise<OutLock> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  while (true) {
    try {
      return lockOutDir(outDir);
    } catch (e) {
      if (!(e instanceof LockHeldError) || Date.now() > deadline) throw e;
      if (options.onlyStopping && !e.holder.stopping) throw e;
      if (!told) {
        options.log?.(`waiting for process ${e.holder.pid}, which is stopping, to release "${outDir}"`);
        told = true;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Makes `outDir` (and checks it is a writable folder) and takes its lock. Throws a {@linkcode UsageError} when the
 * folder cannot be written or another live process holds it.
 */
export function lockOutDir(outDir: string): OutLock {
  const path = `${outDir}/.lock`;
  const fail = (why: string) => new UsageError(`Cannot write results to "${outDir}": ${why}`);
  try {
    Deno.mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw fail(
      e instanceof Deno.errors.AlreadyExists
        ? "it is a file, not a folder"
        : String((e as Error).message).split("\n")[0],
    );
  }
  const me: Holder = { pid: Deno.pid, host: os.hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = Deno.openSync(path, { write: true, createNew: true });
      file.writeSync(new TextEncoder().encode(JSON.stringify(me)));
      file.close();
      let released = false;
      const heartbeat = setInterval(() => {
        try {
          const now = new Date();
          Deno.utimeSync(path, now, now);
        } catch {
          // removed by hand: nothing to keep alive
        }
      }, HEARTBEAT_MS);
      Deno.unrefTimer(heartbeat);
      return {
        path,
        markStopping() {
          if (released) return;
          // replaced whole (a reader seeing half a holder would take it for a dead one)
          const tmp = `${path}.tmp-${Deno.pid}`;
          try {
            Deno.writeTextFileSync(tmp, JSON.stringify({ ...me, stopping: true }));
            Deno.renameSync(tmp, path);
          } catch {
            // the disk is full, or the folder was removed by hand: a successor then refuses instead of waiting
            try {
              Deno.removeSync(tmp);
            } catch { /* never written */ }
          }
        },
        release() {
          if (released) return;
          released = true;
          clearInterval(heartbeat);
          try {
            Deno.removeSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw fail(String((e as Error).message).split("\n")[0]);
    }
    let holder: Holder | undefined;
    try {
      holder = JSON.parse(Deno.readTextFileSync(path));
    } catch {
      holder = undefined; // unreadable: a writer died mid-write, or it was just released
    }
    if (holder && alive(holder, path)) {
      throw new LockHeldError(
        `Cannot run in "${outDir}": process ${holder.pid} on ${holder.host} has been using it since ${holder.started} ` +
          `(wait for it, or use another --out; if that process is gone, delete ${path})`,
        holder,
      );
    }
    Deno.removeSync(path); // stale: its process is gone
  }
  throw fail(`could not take ${path}`);
}

/**
 * Fails early, in one line, when results could not be written to `outDir`: it is a file, or it (or, when it does
 * not exist yet, its nearest existing parent) is not a writable folder. Creates nothing.
 */
export function checkOutDir(outDir: string): void {
  const fail = (why: string) => new UsageError(`Cannot write results to "${outDir}": ${why}`);
  let dir = outDir.replace(/\/+$/, "") || "/";
  for (;;) {
    let info: Deno.FileInfo | undefined;
    try {
      info = Deno.statSync(dir);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory)) {
        throw fail(String((e as Error).message).split("\n")[0]);
      }
    }
    if (info) {
      if (!info.isDirectory) throw fail(dir === outDir ? "it is a file, not a folder" : `"${dir}" is a file`);
      const probe = `${dir}/.wgan-bench-write-test-${Deno.pid}`;
      try {
        Deno.writeFileSync(probe, new Uint8Array());
        Deno.removeSync(probe);
      } catch (e) {
        throw fail(`"${dir}" is not writable (${String((e as Error).message).split("\n")[0]})`);
      }
      return;
    }
    const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) || "/" : ".";
    if (parent === dir) return;
    dir = parent;
  }
}
