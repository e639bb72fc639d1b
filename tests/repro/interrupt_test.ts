/**
 * Interruptions and resumes as a user meets them, on real subprocesses of the CLI: SIGTERM (kill, scancel, a
 * scheduler's time limit), a resume under another backend, thread count or machine, a full disk while the figures
 * are written, and a custom OpenBLAS through `deno task repro`.
 */
import assert from "node:assert/strict";
import { cpus } from "node:os";
import { parseCsv, toCsv } from "../../repro/folder/files.ts";
import { cliCommand, lockFiles, runCli as run, timelessTable as table } from "./cli_helpers.ts";
import { processAlive } from "../../repro/folder/lock.ts";
import { findLibrary } from "../../lib/backend/native/find_library.ts";
import { registerNativeBackend } from "../../lib/backend/mod.ts";
import { tempDir } from "../temp.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const TINY = ["--profile", "quick", "--quiet", "--set", "iterations=24", "--set", "evalEvery=8", "--seeds", "0"];
const HAS_NATIVE = registerNativeBackend().ok;

const cli = (args: string[]) => cliCommand(args);

/** stderr without the lines the machine adds (lavapipe's XDG warning). */
function lines(stderr: string): string[] {
  return stderr.trim().split("\n").filter((l) => l && !/XDG_RUNTIME_DIR/.test(l));
}

const exists = (p: string) => Deno.stat(p).then(() => true, () => false);

async function waitFor(path: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await exists(path))) {
    if (Date.now() > deadline) throw new Error(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The paths of every `.lock` under `dir`. */
async function locks(dir: string): Promise<string[]> {
  return (await lockFiles(dir)).map((l) => l.path);
}

Deno.test({
  name: "SIGTERM stops a one-process run like Ctrl-C (checkpoint, lock released, exit 143); a resume on another " +
    "backend or machine is refused naming what differs; the same command resumes to the uninterrupted tables",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const args = ["toy-8gaussians", ...TINY, "--jobs", "1"];
    const straight = await run([...args, "--backend", "cpu", "--out", `${base}/straight`]);
    assert.equal(straight.code, 0, straight.stderr);

    const out = `${base}/stopped`;
    const child = cli([...args, "--backend", "cpu", "--out", out]).spawn();
    // the second arm has checkpointed mid-run: stop it the way kill, scancel and time limits do
    const ckpt = `${out}/runs/wgan-gp/seed-0/checkpoint.bin`;
    await waitFor(ckpt);
    child.kill("SIGTERM");
    const stopped = await child.output();
    const stderr = new TextDecoder().decode(stopped.stderr);
    assert.equal(stopped.code, 143, stderr);
    assert.match(stderr, /^SIGTERM: stopping after this iteration \(checkpointing\); send SIGTERM again to quit/m);
    assert.ok(!/error| {4}at /.test(stderr), stderr);
    assert.deepEqual(await locks(out), [], "no lock left behind");
    assert.ok(await exists(ckpt), "the interrupted run kept its checkpoint");
    assert.ok(!(await exists(`${out}/runs/gan/seed-0`)), "no later run started");
    const kept = await Deno.readTextFile(`${out}/runs/wgan-gp/seed-0/steps.csv`);

    // another backend: refused before anything is touched, naming both values and the way out
    const other = await run([...args, "--backend", "wasm", "--out", out]);
    assert.equal(other.code, 2, other.stderr);
    assert.equal(lines(other.stderr).length, 1, other.stderr);
    assert.match(
      lines(other.stderr)[0],
      /^error: Cannot continue in ".*": its runs were computed with backend cpu; this run would use backend wasm \(rerun with --backend cpu, use --out for another folder, or --allow-mixed to continue here/,
    );
    assert.equal(await Deno.readTextFile(`${out}/runs/wgan-gp/seed-0/steps.csv`), kept);

    // the interrupted run's rows say they were made on another machine: that run refuses to continue here
    const rows = parseCsv(kept);
    const columns = Object.keys(rows[0]);
    const elsewhere = toCsv(rows.map((r) => ({ ...r, hardware_id: "other-machine-2c-0000" })), columns);
    await Deno.writeTextFile(`${out}/runs/wgan-gp/seed-0/steps.csv`, elsewhere);
    const moved = await run([...args, "--backend", "cpu", "--out", out]);
    assert.equal(moved.code, 2, moved.stderr);
    assert.match(
      moved.stderr,
      /error: Cannot resume wgan-gp seed 0 in ".*": its rows were computed with hardware_id "other-machine-2c-0000", this process has "[^"]+" \(.*--allow-mixed/,
    );
    assert.ok(await exists(ckpt), "the refused resume kept the checkpoint");
    await Deno.writeTextFile(`${out}/runs/wgan-gp/seed-0/steps.csv`, kept);

    const resumed = await run([...args, "--backend", "cpu", "--out", out]);
    assert.equal(resumed.code, 0, resumed.stderr);
    for (const t of ["steps.csv", "summary.csv"]) {
      assert.deepEqual(await table(`${out}/${t}`), await table(`${base}/straight/${t}`), t);
    }
  },
});

Deno.test({
  name: "SIGTERM to a --jobs 2 run stops its workers with checkpoints: exit 143, no worker or lock left",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const out = `${base}/jobs`;
    const child = cli(["toy-8gaussians", ...TINY, "--backend", "cpu", "--jobs", "2", "--out", out]).spawn();
    await waitFor(`${out}/runs/wgan-div/seed-0/checkpoint.bin`);
    const workers = (await lockFiles(`${out}/runs`)).flatMap((l) => l.pid ? [l.pid] : []);
    child.kill("SIGTERM");
    const stopped = await child.output();
    assert.equal(stopped.code, 143, new TextDecoder().decode(stopped.stderr));
    assert.deepEqual(workers.filter(processAlive), [], "every worker has exited");
    assert.deepEqual(await locks(out), []);
    const resumed = await run(["toy-8gaussians", ...TINY, "--backend", "cpu", "--jobs", "2", "--out", out]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await table(`${out}/steps.csv`)).length, 4 * 8, "4 arms × 8 logged steps, none twice");
  },
});

Deno.test({
  name: "native: a resume under another thread count (--jobs) is refused, with the --jobs that matches",
  ignore: !HAS_NATIVE || cpus().length < 2,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const args = ["toy-8gaussians", ...TINY, "--backend", "native", "--out", `${base}/native`];
    const first = await run([...args, "--jobs", "1"]);
    assert.equal(first.code, 0, first.stderr);
    const cores = cpus().length;
    const more = await run([...args, "--seeds", "0-1", "--jobs", "2"]);
    assert.equal(more.code, 2, more.stderr);
    assert.match(
      more.stderr,
      new RegExp(
        `Cannot continue in ".*": its runs were computed with threads ${cores}; this run would use threads ` +
          `${Math.floor(cores / 2)} \\(rerun with --jobs 1,`,
      ),
    );
    // with nothing left to train nothing can mix: the tables are rebuilt under any setting
    const same = await run([...args, "--jobs", "2"]);
    assert.equal(same.code, 0, same.stderr);
    // accepted on request, and recorded
    const mixed = await run([...args, "--seeds", "0-1", "--jobs", "2", "--allow-mixed"]);
    assert.equal(mixed.code, 0, mixed.stderr);
    const config = JSON.parse(await Deno.readTextFile(`${base}/native/config.json`));
    assert.deepEqual(
      config.mixed.map((m: { from: { threads: number }; to: { threads: number } }) => [
        m.from.threads,
        m.to.threads,
      ]),
      [[cores, Math.floor(cores / 2)]],
    );
    const devices = new Set((await table(`${base}/native/steps.csv`)).map((r) => `${r.seed}: ${r.device}`));
    assert.equal(devices.size, 2, [...devices].join("\n"));
  },
});

Deno.test({
  name: "a figure that cannot be written fails the run in one line naming it; the rerun writes it",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const out = `${base}/figures`;
    const args = ["toy-8gaussians", ...TINY, "--backend", "cpu", "--jobs", "64", "--out", out];
    const first = await run(args);
    assert.equal(first.code, 0, first.stderr);
    const cores = cpus().length;
    if (cores < 64) {
      assert.ok(
        first.stderr.includes(`--jobs 64: this machine has ${cores} cores; running ${cores} worker processes`),
        first.stderr,
      );
    }
    // quality_curves.png cannot be replaced (a folder stands in its way, as a full disk would stop the write)
    await Deno.remove(`${out}/quality_curves.png`);
    await Deno.mkdir(`${out}/quality_curves.png/x`, { recursive: true });
    const failed = await run(args);
    assert.equal(failed.code, 1, failed.stderr);
    const errors = lines(failed.stderr).filter((l) => l.startsWith("error:"));
    assert.equal(errors.length, 1, failed.stderr);
    assert.match(
      errors[0],
      /^error: Cannot write 1 figure\(s\) in ".*" \(quality_curves\.png\): Cannot write ".*quality_curves\.png": .*; the tables are written, and rerunning the same command writes the figures$/,
    );
    for (const png of ["loss_curves.png", "quality_vs_time.png", "loss_vs_quality.png"]) {
      assert.ok(await exists(`${out}/${png}`), png);
    }
    await Deno.remove(`${out}/quality_curves.png`, { recursive: true });
    const again = await run(args);
    assert.equal(again.code, 0, again.stderr);
    const bytes = await Deno.readFile(`${out}/quality_curves.png`);
    assert.deepEqual([...bytes.subarray(1, 4)], [80, 78, 71], "a PNG");
  },
});

Deno.test({
  name: "a custom OpenBLAS outside the system folders loads through `deno task repro` (WGAN_BENCH_BLAS)",
  ignore: !HAS_NATIVE,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const system = findLibrary("WGAN_BENCH_BLAS", ["libopenblas.so.0", "libopenblas.so"]).path!;
    await Deno.mkdir(`${base}/my-blas`);
    const mine = `${base}/my-blas/libopenblas.so.0`;
    await Deno.copyFile(await Deno.realPath(system), mine);
    const task = async (blas: string) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "repro", "toy-8gaussians", ...TINY, "--set", "iterations=4", "--set", "evalEvery=4"]
          .concat(["--backend", "native", "--jobs", "1", "--out", `${base}/out-${blas.length}`]),
        cwd: ROOT,
        env: { NO_COLOR: "1", WGAN_BENCH_BLAS: blas },
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
    };
    const ok = await task(mine);
    assert.equal(ok.code, 0, ok.stderr);
    const missing = await task(`${base}/nowhere/libopenblas.so`);
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(
      missing.stderr,
      /Cannot use backend "native": WGAN_BENCH_BLAS=.*\/nowhere\/libopenblas\.so does not exist/,
    );
  },
});
