/**
 * Atomic file writes: a temporary file next to the target, then a rename, so a reader never sees half a file.
 *
 * @module
 */

/**
 * Writes `data` to `path` atomically; on failure (e.g. a full disk) the temporary file is removed, the previous
 * `path` left as it was, and a one-line `Cannot write "<path>": <reason>` error thrown (the original as its cause).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}${TEMP_MARK}${Deno.pid}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    const reason = String((e as Error).message ?? e).split("\n")[0];
    throw new Error(`Cannot write "${path}": ${reason}`, { cause: e });
  }
}

/** What marks a temporary file of {@linkcode writeFileAtomic}: `<path>.tmp-<pid>`. */
export const TEMP_MARK = ".tmp-";

/**
 * Removes temporary files that interrupted atomic writes left under `dir` (a process killed mid-write, or a
 * write that failed before its clean-up ran); call it while holding the folder. Returns the paths removed.
 */
export async function sweepTempFiles(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (/\.tmp-\d+$/.test(e.name)) {
        await Deno.remove(p).catch(() => {});
        removed.push(p);
      }
    }
  };
  await walk(dir).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  return removed;
}
