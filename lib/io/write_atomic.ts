/**
 * Atomic file writes: a temporary file next to the target, then a rename, so a reader never sees half a file.
 *
 * @module
 */

/**
 * Writes `data` to `path` atomically; on failure (e.g. a full disk) the temporary file is removed and the error
 * rethrown, the previous `path` left as it was.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
