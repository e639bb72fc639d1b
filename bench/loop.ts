/**
 * `deno task bench:loop`: what a user waits for (issue #27) — whole training loops, ours against the PyTorch port of
 * the reference code (`bench/reference/fidelity.py`) on the same resolved configuration and training images, in
 * alternating rounds on one machine.
 *
 * Each case is one arm of an experiment (optionally with `--set` changes). Ours runs through the harness itself
 * (`repro/cli.ts` on a one-arm experiment file, the user's command), the reference through the port; both train the
 * arm's full loop — batch sampling, the critic steps with their clipping or penalty, the generator step, logging —
 * at its steady state (the Diters warm-up off), and the time per generator iteration is read from both sides' logged
 * training clocks between two iterations away from the first ones and from any evaluation (`--from`, `--to`). Two settings, as users run them:
 *
 * - `1x2`: two processes side by side, one thread each (the harness's `--jobs 2` on a 2-core machine), seeds 0 and 1;
 * - `2`: one process with two threads, seed 0.
 *
 * Rows go to `--out` (default `results/bench/<hardware-id>-loop.csv`) in the bench CSV schema: `model` the case,
 * `step` "generator-iteration", `backend` native or pytorch, `device` the thread setting; `median_ms` over rounds (and
 * the two processes of `1x2`), `p25_ms`/`p75_ms`/`min_ms` over the same values; ours / PyTorch's median per case and
 * setting is printed at the end.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { findExperiment } from "../repro/config/registry.ts";
import { resolveConfig } from "../repro/config/resolve.ts";
import { experimentToml } from "../repro/config/experiment_file.ts";
import { loadExperimentData } from "../repro/run/data.ts";
import { parseCsv, toCsv, writeAtomic } from "../repro/folder/files.ts";
import { describeEnvironment } from "../repro/folder/environment.ts";
import { runMain, UsageError } from "../repro/errors.ts";
import { selectBackend } from "../mod.ts";
import { BENCH_COLUMNS } from "./schema.ts";
import { quantile } from "./export.ts";

const quantileOf = (xs: readonly number[], q: number) => quantile([...xs].sort((a, b) => a - b), q);

/** The suite name of loop rows (step rows are `wgan-bench-step-v1`). */
export const LOOP_SUITE = "wgan-bench-loop-v1";

/** The cases issue #27 names: mnist-mlp (DCGAN and MLP critic), mnist-dcgan, mnist-gp-vs-clip's three arms. */
export const DEFAULT_CASES = [
  "mnist-mlp:wgan",
  "mnist-mlp:wgan@critic.kind=mlp",
  "mnist-dcgan:wgan",
  "mnist-gp-vs-clip:wgan",
  "mnist-gp-vs-clip:wgan-gp",
  "mnist-gp-vs-clip:wgan-div",
];

const HELP = `wgan-bench bench:loop: whole training loops, ours against the PyTorch port, alternating rounds

Usage:
  deno task bench:loop [options]

Options:
  --cases LIST       EXPERIMENT:ARM[@KEY=VALUE[+KEY=VALUE...]], comma-separated (default:
                     ${DEFAULT_CASES.join(",")})
  --iterations N     generator iterations per run (default 100; the Diters warm-up off: the steady state)
  --from A --to B    the timed window of iterations (default 20 and 80: past the first ones, before the evaluation)
  --rounds R         alternating rounds (default 3)
  --settings LIST    1x2 (two one-thread processes) and/or 2 (one two-thread process) (default 1x2,2)
  --profile NAME     the experiment's profile the arm is resolved under (default default)
  --python PATH      Python with torch (default /usr/bin/python3)
  --out FILE         the CSV (default results/bench/<hardware-id>-loop.csv)`;

/** One case: an experiment's arm, with `--set` changes. */
export interface LoopCase {
  name: string;
  experiment: string;
  arm: string;
  set: string[];
}

/** Parses "mnist-mlp:wgan@critic.kind=mlp+lr=1e-4". */
export function parseCase(text: string): LoopCase {
  const m = /^([^:@]+):([^@]+)(?:@(.+))?$/.exec(text.trim());
  if (!m) throw new UsageError(`Cannot parse case "${text}": expected EXPERIMENT:ARM[@KEY=VALUE[+KEY=VALUE...]]`);
  return { name: text.trim(), experiment: m[1], arm: m[2], set: m[3] ? m[3].split("+") : [] };
}

/** Milliseconds per generator iteration between iterations `from` and `to`, from a steps.csv's training clock. */
export function msPerIteration(rows: readonly Record<string, string>[], from: number, to: number): number {
  const at = (step: number) => {
    const row = rows.find((r) => Number(r.step) === step);
    if (!row) throw new Error(`no row at iteration ${step} (log every divisor of both ends)`);
    return Number(row.wall_time_s);
  };
  return (at(to) - at(from)) * 1000 / (to - from);
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    throw new Error(`Cannot run ${cmd.split("/").pop()} ${args.slice(0, 2).join(" ")}: exit ${out.code}: ${err}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      cases: { type: "string" },
      iterations: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      rounds: { type: "string" },
      settings: { type: "string" },
      profile: { type: "string" },
      python: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (v.help) {
    console.log(HELP);
    return;
  }
  const iterations = Number(v.iterations ?? 100), from = Number(v.from ?? 20), to = Number(v.to ?? 80);
  const rounds = Number(v.rounds ?? 3);
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 < from && from < to && to < iterations)) {
    throw new UsageError(`Cannot time iterations ${from} to ${to} of ${iterations}: need 0 < from < to < iterations`);
  }
  const settingsWanted = (v.settings ?? "1x2,2").split(",");
  for (const s of settingsWanted) {
    if (!["1x2", "2"].includes(s)) throw new UsageError(`Cannot use setting "${s}": choose 1x2 and/or 2`);
  }
  const python = v.python ?? "/usr/bin/python3";
  const probe = await new Deno.Command(python, {
    args: ["-c", "import sys, torch; print(sys.version.split()[0], torch.__version__)"],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => null);
  if (!probe?.success) {
    throw new UsageError(`Cannot run the PyTorch port: ${python} cannot import torch (apt-get install python3-torch)`);
  }
  const [pyVersion, torchV] = new TextDecoder().decode(probe.stdout).trim().split(" ");
  const torchVersion = { python: pyVersion, torch: torchV };
  const cases = (v.cases?.split(",") ?? DEFAULT_CASES).map(parseCase);
  const logEvery = gcd(from, to);
  const work = await Deno.makeTempDir({ prefix: "wgan-bench-loop-" });
  const backend = await selectBackend("native");
  const env = await describeEnvironment(backend);
  const out = v.out ?? `results/bench/${env.hardware_id}-loop.csv`;
  const cli = new URL("../repro/cli.ts", import.meta.url).pathname;
  const port = new URL("./reference/fidelity.py", import.meta.url).pathname;
  console.error(`bench:loop: ${cases.length} case(s) × ${settingsWanted.join(", ")} × ${rounds} rounds → ${out}`);

  // per case: a one-arm experiment file for ours, a job for the port, the training images once
  const prepared = [];
  for (const [i, c] of cases.entries()) {
    const full = findExperiment(c.experiment);
    const arm = full.arms.find((a) => a.id === c.arm);
    if (!arm) throw new UsageError(`Cannot bench case "${c.name}": ${full.id} has no arm "${c.arm}"`);
    const experiment = { ...full, id: `loop-${i}`, arms: [arm] };
    const profile = (v.profile ?? "default") as "default";
    const config = resolveConfig(experiment, profile, [
      ...c.set,
      `iterations=${iterations}`,
      `evalEvery=${iterations}`,
      `logEvery=${logEvery}`,
      "evalSamples=64",
      // the steady state: every generator iteration its arm's nCritic critic steps (the Diters warm-up's 100-step
      // iterations are the same steps, more of them)
      "dItersSchedule=false",
    ]);
    const dir = `${work}/case-${i}`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/case.toml`, experimentToml(experiment, config, null, `bench:loop ${c.name}`));
    const data = await loadExperimentData(experiment, config.settings, undefined);
    const job: Record<string, unknown> = {
      experiment: experiment.id,
      profile,
      arms: config.arms,
      settings: config.settings,
      seeds: [0],
      data: { kind: "toy" },
    };
    if (experiment.data.kind === "image") {
      const images = (data.fit as unknown as { images: Float32Array }).images;
      await Deno.writeFile(`${dir}/train.f32`, new Uint8Array(images.buffer, images.byteOffset, images.byteLength));
      const per = data.sampleShape.reduce((a, b) => a * b, 1);
      const probe = data.heldOut!.images.subarray(0, config.settings.batchSize * per);
      await Deno.writeFile(`${dir}/probe.f32`, new Uint8Array(probe.buffer, probe.byteOffset, probe.byteLength));
      job.data = {
        kind: "image",
        sampleShape: data.sampleShape,
        trainImages: `${dir}/train.f32`,
        probeImages: `${dir}/probe.f32`,
      };
    } else job.data = { kind: "toy", toy: experiment.data.toy };
    prepared.push({ c, dir, job, config, algorithm: arm.algorithm });
  }

  const times = new Map<string, number[]>();
  const add = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
  for (let r = 1; r <= rounds; r++) {
    for (const p of prepared) {
      for (const setting of settingsWanted) {
        const seeds = setting === "1x2" ? [0, 1] : [0];
        const threads = setting === "1x2" ? 1 : 2;
        // ours: the harness, as a user runs it (--jobs 2 gives each worker one thread)
        const oursOut = `${p.dir}/ours-${setting}-${r}`;
        await run(Deno.execPath(), [
          "run",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "--allow-sys",
          "--allow-run",
          "--allow-ffi",
          cli,
          `${p.dir}/case.toml`,
          "--backend",
          "native",
          "--seeds",
          seeds.join(","),
          "--jobs",
          String(seeds.length),
          "--quiet",
          "--out",
          oursOut,
        ]);
        for (const seed of seeds) {
          const rows = parseCsv(
            await Deno.readTextFile(`${oursOut}/runs/${p.config.arms[0].id}/seed-${seed}/steps.csv`),
          );
          add(`${p.c.name}|native|${setting}`, msPerIteration(rows, from, to));
        }
        // the reference: one process per seed, side by side
        await Promise.all(seeds.map(async (seed) => {
          const jobPath = `${p.dir}/job-${setting}-${r}-${seed}.json`;
          await Deno.writeTextFile(jobPath, JSON.stringify({ ...p.job, seeds: [seed], threads }));
          const dir = `${p.dir}/pytorch-${setting}-${r}-${seed}`;
          await run(python, [port, jobPath, dir], { OPENBLAS_NUM_THREADS: String(threads) });
          add(
            `${p.c.name}|pytorch|${setting}`,
            msPerIteration(parseCsv(await Deno.readTextFile(`${dir}/steps.csv`)), from, to),
          );
        }));
        const ours = times.get(`${p.c.name}|native|${setting}`)!, ref = times.get(`${p.c.name}|pytorch|${setting}`)!;
        console.error(
          `round ${r}/${rounds} ${p.c.name} [${setting}]: ours ${
            ours.slice(-seeds.length).map((x) => x.toFixed(1)).join(", ")
          } ms, ` +
            `pytorch ${ref.slice(-seeds.length).map((x) => x.toFixed(1)).join(", ")} ms per generator iteration`,
        );
      }
    }
  }
  const rows: Record<string, string | number>[] = [];
  for (const p of prepared) {
    for (const setting of settingsWanted) {
      for (const side of ["native", "pytorch"]) {
        const xs = times.get(`${p.c.name}|${side}|${setting}`)!;
        const median = quantileOf(xs, 0.5);
        rows.push({
          suite: LOOP_SUITE,
          model: p.c.name,
          algorithm: p.algorithm,
          step: "generator-iteration",
          batch: p.config.settings.batchSize,
          backend: side,
          device: setting === "1x2" ? "2 processes x 1 thread" : "1 process x 2 threads",
          median_ms: median.toFixed(2),
          p25_ms: quantileOf(xs, 0.25).toFixed(2),
          p75_ms: quantileOf(xs, 0.75).toFixed(2),
          min_ms: Math.min(...xs).toFixed(2),
          reps: xs.length,
          steps_per_s: (1000 / median).toFixed(3),
          images_per_s: (p.config.settings.batchSize * 1000 / median).toFixed(1),
          est_gflop: "",
          gflop_per_s: "",
          cpu: env.cpu,
          cores: env.cores,
          memory_gb: env.memory_gb,
          gpu: "",
          hardware_id: env.hardware_id,
          runtime: side === "native" ? `deno ${env.deno}` : `python3 ${torchVersion.python}`,
          library: side === "native" ? `tfjs ${env.tfjs}` : `torch ${torchVersion.torch}`,
          commit: env.commit,
        });
      }
      const ours = quantileOf(times.get(`${p.c.name}|native|${setting}`)!, 0.5);
      const ref = quantileOf(times.get(`${p.c.name}|pytorch|${setting}`)!, 0.5);
      console.log(
        `${p.c.name.padEnd(34)} ${setting.padEnd(4)} ours/pytorch ${(ours / ref).toFixed(2)} (${ours.toFixed(1)} / ${
          ref.toFixed(1)
        } ms)`,
      );
    }
  }
  await Deno.mkdir(out.replace(/\/[^/]*$/, ""), { recursive: true });
  await writeAtomic(out, toCsv(rows, [...BENCH_COLUMNS]));
  await Deno.remove(work, { recursive: true });
  console.error(`wrote ${rows.length} rows to ${out}`);
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

if (import.meta.main) await runMain(() => main(Deno.args));
