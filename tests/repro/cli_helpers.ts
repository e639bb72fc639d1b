/**
 * Running the `repro` CLI as a user does, in a subprocess, and reading what it leaves: shared by the harness tests.
 */
import { parseCsv } from "../../repro/folder/files.ts";

/** The CLI's entry point. */
export const CLI = new URL("../../repro/cli.ts", import.meta.url).pathname;

/** Options of {@linkcode cliCommand}: Deno's permission flags (default `-A`), extra environment, working folder. */
export interface CliOptions {
  permissions?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** The CLI with `args`, ready to spawn (output piped, no colours). */
export function cliCommand(args: string[], o: CliOptions = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...(o.permissions ?? ["-A"]), CLI, ...args],
    cwd: o.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...o.env },
  });
}

/** Runs the CLI to its end: exit code, stdout, stderr. */
export async function runCli(
  args: string[],
  o: CliOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await cliCommand(args, o).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

/**
 * A short toy-8gaussians run (quick profile, `iterations` evaluated every 2, one process) into `out`; fails the test
 * when it does not finish.
 */
export async function quickToyRun(out: string, iterations: number, seeds = "0"): Promise<void> {
  const sets = ["--set", `iterations=${iterations}`, "--set", "evalEvery=2"];
  const r = await runCli([
    "toy-8gaussians",
    "--profile",
    "quick",
    ...sets,
    "--seeds",
    seeds,
    "--jobs",
    "1",
    "--quiet",
    "--out",
    out,
  ]);
  if (r.code !== 0) throw new Error(`the toy run failed: ${r.stderr}`);
}

/** A table's rows without the columns that measure time (equal across runs that computed the same numbers). */
export async function timelessTable(path: string): Promise<Record<string, string>[]> {
  const timing = new Set(["wall_time_s", "iterations_per_s", "iterations_per_s_mean", "iterations_per_s_ci95"]);
  return parseCsv(await Deno.readTextFile(path)).map((r) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !timing.has(k)))
  );
}

/** Every `.lock` under `dir` (the run's, each worker's `runs/<arm>/seed-<k>/.lock`) with its holder's pid. */
export async function lockFiles(dir: string): Promise<{ path: string; pid: number | undefined }[]> {
  const found: { path: string; pid: number | undefined }[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(`${d}/${e.name}`);
      else if (e.name === ".lock") {
        const holder = await Deno.readTextFile(`${d}/.lock`).then(JSON.parse, () => null);
        found.push({ path: `${d}/.lock`, pid: holder?.pid });
      }
    }
  };
  await walk(dir).catch(() => {});
  return found;
}
