/**
 * `--sbatch N`: the array script. No Slurm runs here: the script is checked by bash, and its tasks are run as Slurm
 * would run them (each with its SLURM_ARRAY_TASK_* variables), then merged.
 */
import assert from "node:assert/strict";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { sbatchScript, shardTimeLimit } from "../../repro/run/sbatch.ts";
import { tempDir } from "../temp.ts";
import { runCli, timelessTable } from "./cli_helpers.ts";
import { findExperiment } from "../../repro/config/registry.ts";

Deno.test("sbatchScript(): one array task per shard, a time limit from the measured cost, the merge to run after", () => {
  const experiment = findExperiment("mnist-dcgan");
  const config = resolveConfig(experiment, "default", []);
  const seeds = [20, 21, 22, 23];
  const script = sbatchScript({
    experiment,
    profile: "default",
    config,
    seeds,
    set: ["wgan.lr=1e-4"],
    backend: "native",
    out: "/scratch/dcgan/",
    shards: 4,
    root: "/home/me/wgan bench",
    deno: "/usr/bin/deno",
  });
  assert.match(script, /^#SBATCH --array=1-4$/m);
  assert.match(script, /^#SBATCH --cpus-per-task=1$/m);
  assert.match(script, /^cd '\/home\/me\/wgan bench'$/m);
  assert.match(
    script,
    /^"\$\{DENO:-\/usr\/bin\/deno\}" task repro mnist-dcgan --profile default --seeds 20-23 --set wgan\.lr=1e-4 --backend native --jobs 1 --out \/scratch\/dcgan\/shard\$\{SLURM_ARRAY_TASK_ID\}$/m,
  );
  assert.match(script, /repro merge \/scratch\/dcgan\/shard\* --out \/scratch\/dcgan\/merged/);
  // 8 runs in 4 shards: each shard a WGAN and a GAN run (~0.31 and 0.08 s per wasm iteration, × 0.35 on native, ×
  // the Diters warm-up) × 3, rounded up to 5 minutes
  const limit = shardTimeLimit({ experiment, config, seeds, shards: 4 });
  assert.ok(limit >= 15 * 60 && limit % 300 === 0, `${limit}`);
  const [h, m] = /--time=(\d\d):(\d\d):00/.exec(script)!.slice(1).map(Number);
  assert.equal(h * 3600 + m * 60, limit);
  assert.throws(
    () =>
      sbatchScript({
        experiment,
        profile: "default",
        config,
        seeds,
        set: [],
        backend: "native",
        out: "o",
        shards: 9,
        root: "/",
        deno: "deno",
      }),
    /Cannot write an array of 9 shards: mnist-dcgan has 8 \(arm, seed\) runs for seeds 20-23 \(give 1 to 8\)/,
  );
});

Deno.test("sbatchScript(): a user's experiment file is named by its absolute path (the tasks run from the repository)", () => {
  const experiment = { ...findExperiment("mnist-dcgan"), file: { path: "studies/mine.toml", fingerprint: "0" } };
  const script = sbatchScript({
    experiment,
    profile: "default",
    config: resolveConfig(experiment, "default", []),
    seeds: [0, 1],
    set: [],
    backend: "native",
    out: "o",
    shards: 2,
    root: "/",
    deno: "deno",
  });
  assert.ok(script.includes(`${Deno.cwd()}/studies/mine.toml`), script);
});

Deno.test({
  name: "--sbatch: bash accepts the script, and its tasks run as Slurm would run them merge into one process's tables",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base = await tempDir();
    const tiny = ["--profile", "quick", "--set", "iterations=4", "--set", "evalEvery=2", "--seeds", "0"];
    const printed = await runCli([
      "toy-8gaussians",
      ...tiny,
      "--backend",
      "cpu",
      "--sbatch",
      "2",
      "--out",
      `${base}/a`,
    ]);
    assert.equal(printed.code, 0, printed.stderr);
    const script = `${base}/job.sh`;
    await Deno.writeTextFile(script, printed.stdout);
    const syntax = await new Deno.Command("bash", { args: ["-n", script], stderr: "piped" }).output();
    assert.equal(syntax.code, 0, new TextDecoder().decode(syntax.stderr));
    // each array task, with the variables Slurm sets (quiet, so the test's output stays short)
    for (const id of ["1", "2"]) {
      const task = await new Deno.Command("bash", {
        args: [script],
        env: {
          SLURM_ARRAY_TASK_ID: id,
          SLURM_ARRAY_TASK_MIN: "1",
          SLURM_ARRAY_TASK_MAX: "2",
          SLURM_ARRAY_TASK_COUNT: "2",
          DENO: Deno.execPath(),
          NO_COLOR: "1",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(task.code, 0, new TextDecoder().decode(task.stderr));
      assert.match(new TextDecoder().decode(task.stderr), new RegExp(`shard ${id}/2, from SLURM_ARRAY_TASK_ID`));
    }
    const merged = await runCli(["merge", `${base}/a/shard1`, `${base}/a/shard2`, "--out", `${base}/a/merged`]);
    assert.equal(merged.code, 0, merged.stderr);
    const one = await runCli([
      "toy-8gaussians",
      ...tiny,
      ...["--backend", "cpu", "--jobs", "1", "--quiet", "--out", `${base}/one`],
    ], { env: { WGAN_BENCH_THREADS: "1" } });
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(await timelessTable(`${base}/a/merged/steps.csv`), await timelessTable(`${base}/one/steps.csv`));
    // --sbatch with a per-task option is refused
    const both = await runCli(["toy-8gaussians", "--sbatch", "2", "--shard", "1/2"]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /Cannot combine --sbatch with --shard, --jobs or --fresh/);
  },
});
