/**
 * Where the native backend looks for a shared library: the path in an
 * environment variable when set, else `LD_LIBRARY_PATH` and the usual
 * Debian/Fedora/Homebrew folders.
 *
 * @module
 */

const SYSTEM_DIRS = [
  "/usr/lib/x86_64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
  "/usr/lib64",
  "/usr/lib",
  "/usr/local/lib",
];

/** True for an existing regular file (false when it cannot be looked at). */
export function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * The first existing file among `names` in the search folders (plus `extraDirs`), or the value of `envVar` when
 * set (returned whether or not it exists, so the caller can say it does not). Throws only when the environment
 * cannot be read.
 */
export function findLibrary(
  envVar: string,
  names: readonly string[],
  extraDirs: readonly string[] = [],
): { path: string | undefined; explicit: string | undefined } {
  const explicit = Deno.env.get(envVar);
  if (explicit) return { path: isFile(explicit) ? explicit : undefined, explicit };
  const dirs = [...(Deno.env.get("LD_LIBRARY_PATH") ?? "").split(":").filter(Boolean), ...SYSTEM_DIRS, ...extraDirs];
  return { path: dirs.flatMap((d) => names.map((n) => `${d}/${n}`)).find(isFile), explicit };
}

/** Why a library could not be loaded for lack of FFI permission, and both ways to grant it (one line). */
export function ffiPermissionWhy(path: string): string {
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
  return `no permission to load ${path} (run Deno with --allow-ffi, as the deno tasks do, or --allow-ffi=${folder})`;
}
