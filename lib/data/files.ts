/**
 * Reading user files with errors that name the file and say what was wrong.
 *
 * @module
 */

/**
 * Thrown for a missing, unreadable or malformed data file; the message is one line naming the file.
 *
 * @example
 * ```ts
 * import { DataFileError, loadIdxImages } from "wgan-bench";
 * try {
 *   await loadIdxImages({ images: "/nonexistent/images.gz" });
 *   throw new Error("unreachable");
 * } catch (e) {
 *   if (!(e instanceof DataFileError) || !e.message.includes("/nonexistent/images.gz")) throw e;
 * }
 * ```
 */
export class DataFileError extends Error {
  override name = "DataFileError";
}

/** Reads a whole file, turning file-system errors into one clear line. */
export async function readDataFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable
      ? "permission denied (run with --allow-read)"
      : e instanceof Deno.errors.IsADirectory
      ? "is a directory"
      : String((e as Error).message).split("\n")[0];
    throw new DataFileError(`Cannot read ${what} "${path}": ${reason}`);
  }
}

/** Gunzips `bytes` when they start with the gzip magic number, else returns them. */
export async function maybeGunzip(bytes: Uint8Array, path: string): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new DataFileError(
      `Cannot read "${path}": corrupt gzip data (${String((e as Error).message).split("\n")[0]})`,
    );
  }
}
