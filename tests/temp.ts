/**
 * Temporary folders and files for tests: all under one folder per test process, removed when the process ends
 * (`unload`), so a test run leaves nothing in the system's temporary directory.
 */
let root: string | undefined;

function base(): string {
  if (root === undefined) {
    const made = Deno.makeTempDirSync({ prefix: "wgan-bench-test-" });
    root = made;
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(made, { recursive: true });
      } catch {
        // already gone, or a child process still holds it: nothing to do at exit
      }
    });
  }
  return root;
}

/** A new empty folder, removed with the others at exit. */
export function tempDir(options: Omit<Deno.MakeTempOptions, "dir"> = {}): Promise<string> {
  return Deno.makeTempDir({ ...options, dir: base() });
}

/** A new empty file, removed with the others at exit. */
export function tempFile(options: Omit<Deno.MakeTempOptions, "dir"> = {}): Promise<string> {
  return Deno.makeTempFile({ ...options, dir: base() });
}
