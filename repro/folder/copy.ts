/**
 * Recursive directory copy (files are small: CSVs, JSON, PNGs).
 *
 * @module
 */

/** Copies the folder `from` to `to`, creating it. */
export async function copy(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copy(`${from}/${e.name}`, `${to}/${e.name}`);
    else if (e.isFile && !e.name.includes(".tmp-")) await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}
