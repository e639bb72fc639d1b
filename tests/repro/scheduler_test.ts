/**
 * Shards on real schedulers: a one-node Slurm cluster brought up for the test (Debian's slurmctld, slurmd and munge,
 * as CI installs them) runs the `--sbatch` array, and GNU parallel runs the shards side by side; each merged folder
 * must hold the tables one process writes. Both need their programs (and Slurm needs root, to run its daemons): where
 * they are missing the test says so and is skipped; CI installs them.
 */
import assert from "node:assert/strict";
import { tempDir } from "../temp.ts";
import { runCli, timelessTable } from "./cli_helpers.ts";

const has = (cmd: string) =>
  new Deno.Command("bash", { args: ["-c", `command -v ${cmd}`], stdout: "null" }).outputSync().success;
const root = Deno.uid() === 0;
const SLURM = ["slurmctld", "slurmd", "sbatch", "sinfo", "munged", "munge", "unmunge"].every(has) && root;
const PARALLEL = has("parallel");
if (!SLURM) {
  console.warn("scheduler_test: no Slurm here (slurmctld, slurmd, munge and root needed): its test is skipped");
}
if (!PARALLEL) console.warn("scheduler_test: no GNU parallel here: its test is skipped");

const TINY = [
  "--profile",
  "quick",
  "--set",
  "iterations=4",
  "--set",
  "evalEvery=2",
  "--seeds",
  "0",
  "--backend",
  "cpu",
];

/** Runs a command to its end; fails the test with its output when it fails. */
async function sh(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  const out = await new Deno.Command(cmd, { args, ...opts, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}):\n${text}`);
  return text;
}

/** Merges the shards into `<dir>/merged` and requires the tables one process running the command writes. */
async function mergedEqualsOneProcess(shards: string[], dir: string) {
  const merged = await runCli(["merge", ...shards, "--out", `${dir}/merged`]);
  assert.equal(merged.code, 0, merged.stderr);
  const one = await runCli(["toy-8gaussians", ...TINY, "--jobs", "1", "--quiet", "--out", `${dir}/one`], {
    env: { WGAN_BENCH_THREADS: "1" },
  });
  assert.equal(one.code, 0, one.stderr);
  for (const table of ["steps.csv", "summary.csv"]) {
    assert.deepEqual(await timelessTable(`${dir}/merged/${table}`), await timelessTable(`${dir}/one/${table}`), table);
  }
}

Deno.test({
  name: "Slurm: the --sbatch array, submitted to a running one-node cluster, merges into one process's tables",
  ignore: !SLURM,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await tempDir();
    const host = (await sh("hostname", ["-s"])).trim();
    const cpus = navigator.hardwareConcurrency;
    // ports of its own, so that a cluster already on this machine is left alone
    const port = 20000 + (Deno.pid % 20000);
    const conf = `${dir}/slurm.conf`;
    await Deno.mkdir(`${dir}/state`);
    await Deno.mkdir(`${dir}/spool`);
    await Deno.writeTextFile(
      conf,
      [
        "ClusterName=wganbenchtest",
        `SlurmctldHost=${host}`,
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        `StateSaveLocation=${dir}/state`,
        `SlurmdSpoolDir=${dir}/spool`,
        `SlurmctldPidFile=${dir}/slurmctld.pid`,
        `SlurmdPidFile=${dir}/slurmd.pid`,
        `SlurmctldLogFile=${dir}/slurmctld.log`,
        `SlurmdLogFile=${dir}/slurmd.log`,
        `SlurmctldPort=${port}`,
        `SlurmdPort=${port + 1}`,
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "JobAcctGatherType=jobacct_gather/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_CPU",
        "MpiDefault=none",
        "ReturnToService=2",
        `NodeName=${host} CPUs=${cpus} State=UNKNOWN`,
        `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
        "",
      ].join("\n"),
    );
    const env = { SLURM_CONF: conf };
    // munge authenticates the daemons: started when it is not running
    const mungeUp = await new Deno.Command("bash", {
      args: ["-c", "munge -n | unmunge"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    if (!mungeUp.success) {
      await sh("bash", ["-c", "mkdir -p /run/munge && chown munge:munge /run/munge && runuser -u munge -- munged"]);
    }
    try {
      await sh("slurmctld", ["-f", conf], { env });
      await sh("slurmd", ["-f", conf], { env });
      let state = "";
      for (let i = 0; i < 150 && state !== "idle"; i++) {
        state = await sh("sinfo", ["-h", "-o", "%T"], { env }).then((s) => s.trim(), () => "");
        if (state !== "idle") await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(state, "idle", `the node did not come up:\n${await Deno.readTextFile(`${dir}/slurmd.log`)}`);

      const printed = await runCli(["toy-8gaussians", ...TINY, "--sbatch", "2", "--out", `${dir}/runs`]);
      assert.equal(printed.code, 0, printed.stderr);
      await Deno.writeTextFile(`${dir}/job.sh`, printed.stdout);
      // the script as printed, unchanged; sbatch passes this environment on (the Deno to use, the cluster's config)
      await sh("sbatch", ["--wait", `${dir}/job.sh`], {
        env: { ...env, DENO: Deno.execPath(), NO_COLOR: "1" },
        cwd: dir,
      });
      const logs = [...Deno.readDirSync(dir)].filter((e) => /^wgan-toy-8gaussians-\d+_[12]\.log$/.test(e.name));
      assert.equal(logs.length, 2, "one log per array task");
      for (const id of [1, 2]) {
        const stored = JSON.parse(await Deno.readTextFile(`${dir}/runs/shard${id}/config.json`));
        assert.deepEqual(stored.shard, { index: id, count: 2, from: "SLURM_ARRAY_TASK_ID" });
      }
      await mergedEqualsOneProcess([`${dir}/runs/shard1`, `${dir}/runs/shard2`], dir);
    } finally {
      for (const pid of ["slurmd.pid", "slurmctld.pid"]) {
        const text = await Deno.readTextFile(`${dir}/${pid}`).catch(() => "");
        if (/^\d+/.test(text.trim())) {
          try {
            Deno.kill(Number(text.trim()), "SIGTERM");
          } catch { /* already gone */ }
        }
      }
    }
  },
});

Deno.test({
  name: "GNU parallel: the shards run side by side and merge into one process's tables",
  ignore: !PARALLEL,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await tempDir();
    const cli = new URL("../../repro/cli.ts", import.meta.url).pathname;
    const args = ["run", "-A", cli, "toy-8gaussians", ...TINY, "--jobs", "1", "--quiet"];
    await sh(
      "parallel",
      [
        "-j2",
        "--halt",
        "now,fail=1",
        Deno.execPath(),
        ...args,
        "--shard",
        "{}/2",
        "--out",
        `${dir}/shard{}`,
        ":::",
        "1",
        "2",
      ],
      { env: { WGAN_BENCH_THREADS: "1", NO_COLOR: "1" } },
    );
    await mergedEqualsOneProcess([`${dir}/shard1`, `${dir}/shard2`], dir);
  },
});
