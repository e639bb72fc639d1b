/**
 * The harness end to end, as a user runs it: real subprocesses of the CLI.
 */
import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { processAlive } from "../../repro/folder/lock.ts";
import { tempDir, tempFile } from "../temp.ts";
import { cliCommand, lockFiles, runCli, timelessTable as table } from "./cli_helpers.ts";

const PERMS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--allow-run",
  "--allow-ffi=./node_modules",
];
const TINY = ["--profile", "quick", "--backend", "cpu", "--quiet", "--set", "iterations=24", "--set", "evalEvery=8"];

/** The CLI under the permissions above (FFI scoped: the cpu backend needs none). */
const cli = (args: string[]) => cliCommand(args, { permissions: PERMS });
const run = (args: string[]) => runCli(args, { permissions: PERMS });

Deno.test({
  name:
    "a run killed with SIGKILL mid-way, or stopped by a full disk, resumes to the same tables as an uninterrupted run",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const straight = await run(["toy-8gaussians", ...TINY, "--seeds", "0", "--jobs", "1", "--out", `${base}/straight`]);
    assert.equal(straight.code, 0, straight.stderr);

    const child = cli(["toy-8gaussians", ...TINY, "--seeds", "0", "--jobs", "1", "--out", `${base}/killed`]).spawn();
    // wait until the second arm has checkpointed mid-run, then kill without warning
    const ckpt = `${base}/killed/runs/wgan-gp/seed-0/checkpoint.bin`;
    for (let i = 0; i < 600; i++) {
      if (await Deno.stat(ckpt).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    assert.notEqual(status.code, 0, "the first attempt was killed");
    assert.ok(await Deno.stat(`${base}/killed/runs/wgan/seed-0/done.json`).then(() => true, () => false));
    assert.ok(!(await Deno.stat(`${base}/killed/runs/gan/seed-0/done.json`).then(() => true, () => false)));

    const resumed = await run(["toy-8gaussians", ...TINY, "--seeds", "0", "--out", `${base}/killed`]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(await table(`${base}/killed/steps.csv`), await table(`${base}/straight/steps.csv`));
    assert.deepEqual(await table(`${base}/killed/summary.csv`), await table(`${base}/straight/summary.csv`));
    // each arm logs step 0, every 5th step (quick profile) and every evaluation (8, 16, 24): nothing lost or twice
    const rows = await table(`${base}/killed/steps.csv`);
    const expectedSteps = [0, 5, 8, 10, 15, 16, 20, 24];
    for (const arm of ["wgan", "wgan-gp", "wgan-div", "gan"]) {
      assert.deepEqual(rows.filter((r) => r.arm === arm).map((r) => Number(r.step)), expectedSteps, arm);
    }

    // a full disk at the first checkpoint: one line, exit 1, no temporary file; the rerun ends with the same tables
    const full = cli(["toy-8gaussians", ...TINY, "--seeds", "0", "--jobs", "1", "--out", `${base}/full`]).spawn();
    const first = `${base}/full/runs/wgan/seed-0/samples-000000.png`;
    for (let i = 0; i < 4000 && !(await Deno.stat(first).then(() => true, () => false)); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    // the checkpoint's temporary file becomes a link to /dev/full: an injected write failure (under the task's
    // permissions Deno refuses the device outright; with -A the write fails with ENOSPC, see write_atomic_test.ts)
    await Deno.symlink("/dev/full", `${base}/full/runs/wgan/seed-0/checkpoint.bin.tmp-${full.pid}`);
    const failed = await full.output();
    const stderr = new TextDecoder().decode(failed.stderr);
    assert.equal(failed.code, 1, stderr);
    const errors = stderr.split("\n").filter((l) => l.startsWith("error:"));
    assert.equal(errors.length, 1, stderr);
    assert.match(
      errors[0],
      /^error: Cannot write ".*checkpoint\.bin": .*(No space left|os error 28|Requires all access)/,
    );
    assert.ok(!stderr.includes("    at "), "no stack trace");
    const left = [...Deno.readDirSync(`${base}/full/runs/wgan/seed-0`)].map((e) => e.name);
    assert.ok(!left.some((n) => n.includes(".tmp-")), left.join());
    const again = await run(["toy-8gaussians", ...TINY, "--seeds", "0", "--jobs", "1", "--out", `${base}/full`]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await table(`${base}/full/steps.csv`), await table(`${base}/straight/steps.csv`));
  },
});

/** Pids named in the lock files under `dir`. */
async function lockHolders(dir: string): Promise<number[]> {
  return (await lockFiles(dir)).flatMap((l) => l.pid ? [l.pid] : []);
}

/** Which of `pids` still run. */
function alive(pids: readonly number[]): number[] {
  return pids.filter(processAlive);
}

/** The pids of `pids` still alive after waiting up to `timeoutMs` for all of them to exit. */
async function stillAlive(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = alive(pids);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = alive(pids);
  }
  return left;
}

Deno.test({
  name:
    "--jobs 2 gives the same tables as --jobs 1; kill -9 of the parent leaves no worker behind, and a rerun resumes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const args = ["toy-8gaussians", ...TINY, "--seeds", "0"];
    const one = await run([...args, "--jobs", "1", "--out", `${base}/one`]);
    assert.equal(one.code, 0, one.stderr);
    const two = await run([...args, "--jobs", "2", "--out", `${base}/two`]);
    assert.equal(two.code, 0, two.stderr);
    for (const t of ["steps.csv", "summary.csv"]) {
      assert.deepEqual(await table(`${base}/two/${t}`), await table(`${base}/one/${t}`), t);
    }

    // kill -9 the parent while its workers train: they notice and stop; the rerun finishes with the same tables
    const child = cli([...args, "--jobs", "2", "--out", `${base}/killed`]).spawn();
    const ckpt = `${base}/killed/runs/wgan-div/seed-0/checkpoint.bin`;
    for (let i = 0; i < 1200; i++) {
      if (await Deno.stat(ckpt).then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const workers = (await lockHolders(`${base}/killed/runs`)).filter((pid) => pid !== child.pid);
    assert.ok(alive(workers).length > 0, "workers were running");
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    const left = await stillAlive(workers, 10_000);
    assert.deepEqual(left, [], "no orphaned worker 10 s after the parent was killed");
    const resumed = await run([...args, "--jobs", "2", "--out", `${base}/killed`]);
    assert.equal(resumed.code, 0, resumed.stderr);
    for (const t of ["steps.csv", "summary.csv"]) {
      assert.deepEqual(await table(`${base}/killed/${t}`), await table(`${base}/one/${t}`), t);
    }
  },
});

Deno.test({
  name: "two shards merged give the same tables as one run; a finished run is skipped on rerun",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const args = ["toy-25gaussians", ...TINY, "--seeds", "0-1"];
    for (const shard of ["1/2", "2/2"]) {
      const r = await run([...args, "--shard", shard, "--out", `${base}/shard-${shard[0]}`]);
      assert.equal(r.code, 0, r.stderr);
    }
    const merged = await run(["merge", `${base}/shard-1`, `${base}/shard-2`, "--out", `${base}/merged`]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, /merged 8 runs/);
    const whole = await run([...args, "--out", `${base}/whole`]);
    assert.equal(whole.code, 0, whole.stderr);
    assert.deepEqual(await table(`${base}/merged/steps.csv`), await table(`${base}/whole/steps.csv`));
    assert.deepEqual(await table(`${base}/merged/summary.csv`), await table(`${base}/whole/summary.csv`));
    const verdict = await Deno.readTextFile(`${base}/merged/verdict.md`);
    assert.match(verdict, /\| claim \| paper \| ours/);
    for (
      const png of [
        "loss_curves.png",
        "quality_curves.png",
        "quality_vs_time.png",
        "loss_vs_quality.png",
        "runs/wgan/seed-0/samples-000024.png",
      ]
    ) {
      const bytes = await Deno.readFile(`${base}/merged/${png}`);
      assert.deepEqual([...bytes.subarray(1, 4)], [80, 78, 71], `${png} is a PNG`);
    }
    const before = await Deno.readTextFile(`${base}/whole/runs/gan/seed-1/done.json`);
    const again = await run([...args, "--out", `${base}/whole`]);
    assert.equal(again.code, 0);
    assert.equal(await Deno.readTextFile(`${base}/whole/runs/gan/seed-1/done.json`), before);
    // a profile with more seeds grows the folder: only the new seed runs
    const grown = await run(["toy-25gaussians", ...TINY, "--set", "seeds=3", "--out", `${base}/whole`]);
    assert.equal(grown.code, 0, grown.stderr);
    assert.equal(await Deno.readTextFile(`${base}/whole/runs/gan/seed-1/done.json`), before);
    const seeds = new Set((await table(`${base}/whole/steps.csv`)).map((r) => r.seed));
    assert.deepEqual([...seeds].sort(), ["0", "1", "2"]);
    // other settings are still refused
    const other = await run(["toy-25gaussians", ...TINY, "--set", "batchSize=32", "--out", `${base}/whole`]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /holds a run with other settings/);
  },
});

Deno.test({
  name: "bad input: one line on stderr, a non-zero exit, and no result folder",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const cases: [string[], RegExp, number][] = [
      [["mnist-mpl"], /unknown name \(did you mean "mnist-mlp"\?\)/, 2],
      [["toy-8gaussians", "--seeds", "5-1"], /range 5-1 is empty/, 2],
      [["toy-8gaussians", "--set", "iteratons=5"], /did you mean "iterations"/, 2],
      [
        ["toy-8gaussians", "--set", "wgan-gp.lamda=5"],
        /arm wgan-gp has no such key \(did you mean "wgan-gp\.lambda"\?\)/,
        2,
      ],
      [["toy-8gaussians", "--profle", "quick"], /Unknown option '--profle'.*did you mean "--profile"/, 2],
      // node's message goes on about '-- "--seed"' with an unbalanced quote: only its first sentence is shown
      [
        ["toy-8gaussians", "--seed", "3"],
        /^error: Unknown option '--seed' \(did you mean "--seeds"\?\) \(see --help\)$/,
        2,
      ],
      [["toy-8gaussians", "--seeds", "4294967296"], /seed 4294967296 is out of range \(seeds are 0 to 4294967295/, 2],
      [["toy-8gaussians", "--seeds", "9007199254740993"], /seed 9007199254740993 is out of range/, 2],
      [["toy-8gaussians", "--seeds", "0-9999,10000-19999"], /20,000 seeds, more than the 10,000 one command runs/, 2],
      [["toy-8gaussians", "--set", "seeds=10001"], /seeds must be an integer from 1 to 10000, got 10001/, 2],
      [["toy-8gaussians", "--backend", "cuda"], /Cannot use backend "cuda": unknown/, 2],
      [["toy-8gaussians", "--backend", "tensorflow"], /Cannot use backend "tensorflow": neither/, 1],
      [
        ["mnist-mlp", "--dataset", "idx:/nonexistent/images.gz"],
        /Cannot read IDX file "\/nonexistent\/images.gz": no such file/,
        1,
      ],
      [["mnist-mlp", "--dataset", "cifar100:x"], /Cannot use --dataset "cifar100:x"/, 2],
      [[], /name an experiment/, 2],
    ];
    for (const [args, pattern, code] of cases) {
      const out = `${base}/out-${code}-${args.join("_").replace(/[^\w]/g, "")}`;
      const r = await run([...args, "--out", out]);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n").filter((l) => !/XDG_RUNTIME_DIR/.test(l));
      assert.equal(lines.length, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(lines[0], pattern);
      assert.ok(!(await Deno.stat(out).then(() => true, () => false)), `${args.join(" ")} created ${out}`);
    }
  },
});

Deno.test("--list and --help describe every experiment and option", async () => {
  const list = await run(["--list"]);
  for (
    const id of [
      "toy-8gaussians",
      "toy-25gaussians",
      "toy-swissroll",
      "mnist-mlp",
      "mnist-dcgan",
      "mnist-dcgan-nobn",
      "mnist-adam-vs-rmsprop",
      "mnist-gp-vs-clip",
    ]
  ) {
    assert.match(list.stdout, new RegExp(`^  ${id} `, "m"));
  }
  const printed = await run([
    "mnist-gp-vs-clip",
    "--print-config",
    "--set",
    "wgan-gp.lr=3e-4",
    "--set",
    "critic.init=he",
  ]);
  assert.equal(printed.code, 0, printed.stderr);
  // an experiment file (TOML) of the resolved configuration: every arm's optimizer and networks in full
  const file = parseToml(printed.stdout) as {
    arms: { overrides: { optimizer: { lr: number } }; critic: { init: unknown } }[];
    profiles: { default: Record<string, unknown> };
  };
  assert.deepEqual(file.arms.map((a) => a.overrides.optimizer.lr), [5e-5, 3e-4, 2e-4]);
  assert.ok(file.arms.every((a) => a.critic.init === "he"));
  const config = { settings: file.profiles.default };
  const help = await run(["--help"]);
  for (
    const flag of [
      "--seeds",
      "--profile",
      "--backend",
      "--set",
      "--out",
      "--shard",
      "--fresh",
      "--dataset",
      "--print-config",
      "--allow-mixed",
      "SIGTERM",
    ]
  ) {
    assert.ok(help.stdout.includes(flag), flag);
  }
  // every run setting --set accepts is listed (resizeTo32 was missing)
  for (const key of Object.keys(config.settings)) assert.ok(help.stdout.includes(key), `--help lists ${key}`);
});

Deno.test({
  name: "an image experiment runs on user IDX files given with --dataset (fixture written by the test)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await tempDir();
    // 200 digits of two classes: bright top half (0) or bright bottom half (1)
    const n = 200,
      header = (dims: number[]) => {
        const h = new Uint8Array(4 + 4 * dims.length);
        h.set([0, 0, 8, dims.length]);
        dims.forEach((d, i) => new DataView(h.buffer).setUint32(4 + 4 * i, d, false));
        return h;
      };
    const pixels = new Uint8Array(n * 784), labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (let p = 0; p < 784; p++) pixels[i * 784 + p] = (p < 392) === (i % 2 === 0) ? 200 + (p % 50) : (p * 7) % 40;
    }
    await Deno.writeFile(`${dir}/img`, new Uint8Array([...header([n, 28, 28]), ...pixels]));
    await Deno.writeFile(`${dir}/lab`, new Uint8Array([...header([n]), ...labels]));
    const idxRun = (labelFile: string, out: string) =>
      run([
        "mnist-mlp",
        ...["--profile", "quick", "--backend", "wasm", "--seeds", "0", "--set", "iterations=4", "--set", "evalEvery=2"],
        ...["--dataset", `idx:${dir}/img,${dir}/${labelFile}`, "--out", `${dir}/${out}`],
      ]);
    const r = await idxRun("lab", "out");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /classifier_heldout_accuracy: /);
    const rows = await table(`${dir}/out/steps.csv`);
    assert.deepEqual(rows.map((x) => x.step), Array(3).fill(["0", "1", "2", "3", "4"]).flat()); // three arms
    assert.ok(rows.every((x) => x.dataset === "idx"));
    assert.ok(
      rows.filter((x) => x.fd_lenet !== "").every((x) => Number(x.fd_lenet) >= 0 && Number(x.classes_covered) <= 2),
    );

    // labels that do not match the images: the classifier cannot learn them, and the harness refuses to score
    const shuffled = labels.map((_, i) => (i * 7919 + (i >> 3)) % 2);
    await Deno.writeFile(`${dir}/bad-lab`, new Uint8Array([...header([n]), ...shuffled]));
    const bad = await idxRun("bad-lab", "bad-out");
    assert.equal(bad.code, 1);
    const errorLines = bad.stderr.split("\n").filter((l) => l.startsWith("error:"));
    assert.equal(errorLines.length, 1, bad.stderr);
    assert.match(
      errorLines[0],
      /Cannot evaluate on "idx": the harness's classifier gets only \d+\.\d% .* at least 75\.0%/,
    );
    assert.ok(!bad.stderr.includes("    at "), "no stack trace");
  },
});

Deno.test({
  name: "--backend webgpu on a software adapter warns up front and estimates from its own timed iterations",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await tempDir();
    const r = await run([
      "toy-8gaussians",
      "--profile",
      "quick",
      "--backend",
      "webgpu",
      "--seeds",
      "0",
      "--jobs",
      "1",
      "--set",
      "iterations=2",
      "--set",
      "evalEvery=2",
      "--out",
      `${dir}/out`,
    ]);
    if (r.code !== 0 && /Cannot use backend "webgpu"/.test(r.stderr)) return; // no Vulkan driver on this machine
    assert.equal(r.code, 0, r.stderr);
    const device = JSON.parse(await Deno.readTextFile(`${dir}/out/config.json`)).environment.device as string;
    if (!/llvmpipe|lavapipe|software/i.test(device)) return; // a real GPU: nothing to warn about
    assert.match(r.stderr, /warning: webgpu is running on a software adapter \(.*\): it computes on the CPU/);
    assert.match(r.stderr, /estimated training time here with webgpu \(two iterations per arm timed just now\)/);
  },
});

Deno.test({
  name: "an --out that is a file, or under one, is refused in one line before any work",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const file = await tempFile();
    for (const [out, pattern] of [[file, /it is a file, not a folder/], [`${file}/sub`, /" is a file$/]] as const) {
      const r = await run(["toy-8gaussians", ...TINY, "--seeds", "0", "--out", out]);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trim().split("\n").filter((l) => !/XDG_RUNTIME_DIR/.test(l));
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^error: Cannot write results to ".*":/);
      assert.match(lines[0], pattern);
    }
  },
});

Deno.test({
  name: "one run per result folder: a live holder's lock refuses a second process; a dead one's is taken over",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await tempDir();
    const host = (await import("node:os")).default.hostname();
    const lock = (pid: number) => Deno.writeTextFile(`${out}/.lock`, JSON.stringify({ pid, host, started: "then" }));
    await lock(Deno.pid); // this test process: alive
    const refused = await run(["toy-8gaussians", ...TINY, "--seeds", "0", "--out", out]);
    assert.equal(refused.code, 2, refused.stderr);
    const lines = refused.stderr.trim().split("\n").filter((l) => !/XDG_RUNTIME_DIR/.test(l));
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0], new RegExp(`process ${Deno.pid} on .* has been using it since then`));
    assert.ok(!(await Deno.stat(`${out}/runs`).then(() => true, () => false)), "nothing was run");

    await lock(2 ** 22 + 12345); // above Linux's pid_max: no such process on this host
    const taken = await run(["toy-8gaussians", ...TINY, "--seeds", "0", "--set", "iterations=8", "--out", out]);
    assert.equal(taken.code, 0, taken.stderr);
    assert.ok(await Deno.stat(`${out}/summary.csv`).then(() => true, () => false));
    assert.ok(!(await Deno.stat(`${out}/.lock`).then(() => true, () => false)), "released at the end");

    // another host's lock: live while touched, stale after 10 minutes without a touch
    await Deno.writeTextFile(`${out}/.lock`, JSON.stringify({ pid: 1, host: "elsewhere", started: "then" }));
    const busy = await run(["toy-8gaussians", ...TINY, "--seeds", "0", "--set", "iterations=8", "--out", out]);
    assert.equal(busy.code, 2, busy.stderr);
    assert.match(busy.stderr, /process 1 on elsewhere has been using it/);
    const hourAgo = new Date(Date.now() - 3600_000);
    await Deno.utime(`${out}/.lock`, hourAgo, hourAgo);
    const again = await run(["toy-8gaussians", ...TINY, "--seeds", "0", "--set", "iterations=8", "--out", out]);
    assert.equal(again.code, 0, again.stderr);
  },
});

Deno.test({
  name: "kill -9 of the `deno task` process stops the run it started (checkpointed), instead of leaving an orphan",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const root = new URL("../..", import.meta.url).pathname;
    const task = new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "repro",
        "toy-8gaussians",
        "--profile",
        "quick",
        "--backend",
        "cpu",
        "--jobs",
        "1",
        "--seeds",
        "0-3",
        "--set",
        "iterations=400",
        "--set",
        "evalEvery=50",
        "--out",
        `${base}/out`,
      ],
      cwd: root,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const ckpt = `${base}/out/runs/wgan/seed-0/checkpoint.bin`;
    for (let i = 0; i < 2400 && !(await Deno.stat(ckpt).then(() => true, () => false)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // the run's own process (the task runner's child) holds the result folder's lock
    const running = (await lockHolders(`${base}/out`)).filter((pid) => pid !== task.pid);
    assert.ok(alive(running).length > 0, "the task started a deno run process");
    task.kill("SIGKILL");
    await task.status;
    const left = await stillAlive(running, 10_000);
    assert.deepEqual(left, [], "the orphaned run stopped within 10 s");
    // it stopped cleanly: the lock was released and a rerun resumes
    assert.ok(!(await Deno.stat(`${base}/out/.lock`).then(() => true, () => false)), "lock released");
  },
});

Deno.test({
  name: "evaluation does not touch training: the same seed's training rows are equal at any evaluation cadence",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const training = ["critic_loss", "wasserstein_estimate", "d_real", "d_fake", "generator_loss", "critic_iterations"];
    const rowsAt = async (evalEvery: number) => {
      const out = `${base}/every-${evalEvery}`;
      const r = await run([
        "mnist-mlp",
        ...["--profile", "quick", "--backend", "wasm", "--quiet", "--seeds", "0", "--jobs", "1"],
        ...["--set", "iterations=12", "--set", `evalEvery=${evalEvery}`, "--out", out],
      ]);
      assert.equal(r.code, 0, r.stderr);
      return await table(`${out}/steps.csv`);
    };
    const [often, once] = [await rowsAt(3), await rowsAt(12)];
    const key = (r: Record<string, string>) => `${r.arm}/${r.step}`;
    const byKey = new Map(often.map((r) => [key(r), r]));
    let compared = 0;
    for (const r of once.filter((r) => r.critic_loss !== "")) {
      const other = byKey.get(key(r));
      assert.ok(other, `step ${key(r)} logged at both cadences`);
      for (const c of training) assert.equal(r[c], other[c], `${key(r)} ${c}`);
      compared++;
    }
    assert.ok(compared >= 4, `${compared} training rows compared`);
    // and the final evaluation, at the same step, scores the same generator the same
    const last = (rows: Record<string, string>[], arm: string) =>
      rows.filter((r) => r.arm === arm && r.fd_lenet !== "").pop()!;
    for (const arm of ["wgan", "gan"]) {
      assert.equal(last(once, arm).fd_lenet, last(often, arm).fd_lenet, `${arm} final fd_lenet`);
    }
  },
});
