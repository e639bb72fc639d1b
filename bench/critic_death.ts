/**
 * `deno task critic-death <folder>`: which seeds' clipped MLP critics die, and when — the table of issue #24, read
 * from the rows the runs wrote, by the rule fixed in `<folder>/PROTOCOL.md` before the runs.
 *
 * The folder holds one gzipped steps.csv per variant and side, `<side>-<variant>-steps.csv.gz` (side `ours`: a
 * harness result folder's steps.csv; side `port`: the PyTorch port's, from `deno task fidelity`), and for the port
 * `port-<variant>-quality.csv` (its samples scored by the harness's evaluator). Writes `deaths.csv` (a row per
 * variant, side and seed), `deaths.md` (the table, the counts and the pre-registered comparisons) and
 * `dead_units.png` (the last hidden layer's inactive share on real digits, every seed, every variant and side).
 *
 * Death (the rule of PROTOCOL.md): a critic is dead when its Wasserstein estimate is exactly 0 at every logged step
 * from some step to the last, over at least {@link DEAD_MIN_ITERATIONS} iterations; it died at the first step of that
 * final stretch. (Its last hidden ReLU layer is then inactive on every real and generated sample: the output is the
 * last bias whatever the input, no gradient reaches the weights or the generator, and nothing can revive it.)
 *
 * @module
 */
import { parseCsv, readTextFile, toCsv, writeAtomic } from "../repro/folder/files.ts";
import { renderPng } from "../repro/analysis/figures.ts";
import { median } from "../repro/analysis/stats.ts";
import { UsageError } from "../repro/errors.ts";

/** A final stretch of exact zeros shorter than this many iterations is not a death (a run that ends mid-stall). */
export const DEAD_MIN_ITERATIONS = 100;
/** Two sides agree on a variant when their dead-seed counts differ by at most this many seeds… */
export const AGREE_MAX_COUNT_DIFFERENCE = 1;
/** …and, when both sides have a death, their median death iterations differ by at most this many iterations. */
export const AGREE_MAX_MEDIAN_DIFFERENCE = 750;

/** The variants in table order, with what they switch on. */
export const VARIANTS: readonly { id: string; label: string }[] = [
  { id: "none", label: "none (Algorithm 1's loop)" },
  { id: "constrainBeforeUpdate", label: "constrainBeforeUpdate only" },
  { id: "epochBursts", label: "epochBursts only" },
  { id: "trainOnHeldOut", label: "trainOnHeldOut only" },
  { id: "quantize8bit", label: "quantize8bit only" },
  { id: "all", label: "all four (the official loop)" },
];
const SIDES = ["ours", "port"] as const;
type Side = typeof SIDES[number];

/** When one run's critic died: the first logged step with an estimate of exactly 0, and the death step. */
export interface Death {
  /** First logged step whose estimate is exactly 0 (null: never). */
  firstZero: number | null;
  /** First step of the final all-zero stretch when it lasts ≥ DEAD_MIN_ITERATIONS to the end (null: alive). */
  deadFrom: number | null;
  /** Last logged step. */
  lastStep: number;
}

/** Applies the death rule to one run's logged (step, estimate) rows, in any order. */
export function criticDeath(rows: readonly { step: number; estimate: number }[]): Death {
  const logged = rows.filter((r) => r.step > 0 && !Number.isNaN(r.estimate)).sort((a, b) => a.step - b.step);
  if (!logged.length) throw new RangeError("Cannot judge a critic's death without logged estimates");
  const lastStep = logged[logged.length - 1].step;
  const firstZero = logged.find((r) => r.estimate === 0)?.step ?? null;
  let i = logged.length;
  while (i > 0 && logged[i - 1].estimate === 0) i--;
  const start = i < logged.length ? logged[i].step : null;
  const deadFrom = start !== null && lastStep - start >= DEAD_MIN_ITERATIONS ? start : null;
  return { firstZero, deadFrom, lastStep };
}

/** The comparison of two sides' deaths on one variant, by the pre-registered rule. */
export function compareSides(
  a: readonly (number | null)[],
  b: readonly (number | null)[],
): { deadA: number; deadB: number; medianA: number | null; medianB: number | null; agree: boolean } {
  const dead = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);
  const da = dead(a), db = dead(b);
  const medianA = da.length ? median(da) : null, medianB = db.length ? median(db) : null;
  const countsAgree = Math.abs(da.length - db.length) <= AGREE_MAX_COUNT_DIFFERENCE;
  const timesAgree = medianA === null || medianB === null ||
    Math.abs(medianA - medianB) <= AGREE_MAX_MEDIAN_DIFFERENCE;
  return { deadA: da.length, deadB: db.length, medianA, medianB, agree: countsAgree && timesAgree };
}

/** What one switch does against "none" under the protocol's ablation rule. */
export type SwitchReading = "kills" | "saves" | "not decisive";

/**
 * The protocol's ablation rule: a switch is decisive only if it kills every seed while "none" kills at most one,
 * or saves every seed while "none" kills at least all but one (seed counts from the two variants' death lists).
 */
export function readSwitch(
  none: readonly (number | null)[],
  withSwitch: readonly (number | null)[],
): SwitchReading {
  const deaths = (xs: readonly (number | null)[]) => xs.filter((x) => x !== null).length;
  const n = deaths(none), s = deaths(withSwitch);
  if (s === withSwitch.length && n <= 1) return "kills";
  if (s === 0 && n >= none.length - 1) return "saves";
  return "not decisive";
}

async function readGzCsv(path: string): Promise<Record<string, string>[]> {
  return parseCsv(await readTextFile(path));
}

/** The last hidden layer's share of a space-separated per-layer list ("0.1 0.5 1.000" → 1), or null. */
function lastLayer(shares: string | undefined): number | null {
  const parts = (shares ?? "").trim().split(/\s+/).filter((s) => s !== "");
  return parts.length ? Number(parts[parts.length - 1]) : null;
}

const fmt = (x: number | null, digits = 0) => x === null ? "–" : x.toFixed(digits);

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    throw new UsageError(
      "usage: deno task critic-death <folder> (a folder of <ours|port>-<variant>-steps.csv.gz, see bench/critic_death.ts)",
    );
  }
  const dir = argv[0].replace(/\/$/, "");
  const names = [...Deno.readDirSync(dir)].map((e) => e.name);
  const table: Record<string, string | number>[] = [];
  const curves: Record<string, string | number>[] = [];
  const deathSteps = new Map<string, (number | null)[]>();
  let primary = "fid";
  for (const variant of VARIANTS) {
    for (const side of SIDES) {
      const name = `${side}-${variant.id}-steps.csv.gz`;
      if (!names.includes(name)) continue;
      const rows = (await readGzCsv(`${dir}/${name}`)).filter((r) => side === "port" || r.arm === "wgan");
      const quality = side === "port" && names.includes(`port-${variant.id}-quality.csv`)
        ? parseCsv(await Deno.readTextFile(`${dir}/port-${variant.id}-quality.csv`))
        : [];
      if (quality.length) primary = Object.keys(quality[0]).find((k) => !["arm", "seed", "step"].includes(k))!;
      const seeds = [...new Set(rows.map((r) => Number(r.seed)))].sort((a, b) => a - b);
      const steps: (number | null)[] = [];
      for (const seed of seeds) {
        const own = rows.filter((r) => Number(r.seed) === seed);
        const death = criticDeath(
          own.filter((r) => r.wasserstein_estimate !== "").map((r) => ({
            step: Number(r.step),
            estimate: Number(r.wasserstein_estimate),
          })),
        );
        steps.push(death.deadFrom);
        const last = own.filter((r) => (r.critic_inactive_real ?? "") !== "").sort((a, b) =>
          Number(a.step) - Number(b.step)
        );
        const end = last[last.length - 1];
        const finalQuality = side === "ours"
          ? own.filter((r) => r[primary] !== "" && r[primary] !== undefined).sort((a, b) =>
            Number(a.step) - Number(b.step)
          ).at(-1)?.[primary]
          : quality.filter((q) => Number(q.seed) === seed).sort((a, b) => Number(a.step) - Number(b.step)).at(-1)
            ?.[primary];
        table.push({
          variant: variant.id,
          side,
          seed,
          iterations: death.lastStep,
          first_zero: death.firstZero ?? "",
          dead_from: death.deadFrom ?? "",
          [`final_${primary}`]: finalQuality ?? "",
          last_layer_inactive_real: lastLayer(end?.critic_inactive_real) ?? "",
          last_layer_inactive_fake: lastLayer(end?.critic_inactive_fake) ?? "",
        });
        for (const r of last) {
          const v = lastLayer(r.critic_inactive_real);
          if (v !== null) curves.push({ variant: variant.label, side, seed, step: Number(r.step), share: v });
        }
      }
      deathSteps.set(`${side}/${variant.id}`, steps);
    }
  }
  if (!table.length) throw new UsageError(`Cannot find <ours|port>-<variant>-steps.csv.gz in "${dir}"`);
  await writeAtomic(`${dir}/deaths.csv`, toCsv(table, Object.keys(table[0])));

  const md: string[] = [
    "# Critic deaths per variant and seed (generated by `deno task critic-death`; rule in PROTOCOL.md)",
    "",
    `A critic is dead when its estimate is exactly 0 at every logged step from some step to the end, over at least ` +
    `${DEAD_MIN_ITERATIONS} iterations. Final quality is the harness's ${primary} (ours at the last evaluation; the ` +
    "port's samples scored by the same evaluator). Inactive: the share of the last hidden layer's units inactive on " +
    "a whole batch of held-out real / generated digits at the last evaluation.",
    "",
    "| variant | side | dead | median death iteration | per seed: dead from (first exact 0) |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const variant of VARIANTS) {
    for (const side of SIDES) {
      const rows = table.filter((r) => r.variant === variant.id && r.side === side);
      if (!rows.length) continue;
      const steps = deathSteps.get(`${side}/${variant.id}`)!;
      const dead = steps.filter((x): x is number => x !== null);
      const perSeed = rows.map((r) =>
        `${r.seed}: ${r.dead_from === "" ? "alive" : r.dead_from}${r.first_zero === "" ? "" : ` (${r.first_zero})`}`
      ).join("; ");
      md.push(
        `| ${variant.label} | ${side} | ${dead.length}/${steps.length} | ${
          fmt(dead.length ? median(dead) : null)
        } | ${perSeed} |`,
      );
    }
  }
  md.push("", "## Pre-registered comparisons (ours against the port, same variant)", "");
  md.push(
    `Agree when the dead-seed counts differ by at most ${AGREE_MAX_COUNT_DIFFERENCE} and, when both sides have a ` +
      `death, the median death iterations by at most ${AGREE_MAX_MEDIAN_DIFFERENCE}.`,
    "",
    "| variant | ours dead | port dead | ours median | port median | verdict |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const variant of VARIANTS) {
    const a = deathSteps.get(`ours/${variant.id}`), b = deathSteps.get(`port/${variant.id}`);
    if (!a || !b) continue;
    const c = compareSides(a, b);
    md.push(
      `| ${variant.label} | ${c.deadA}/${a.length} | ${c.deadB}/${b.length} | ${fmt(c.medianA)} | ${
        fmt(c.medianB)
      } | **${c.agree ? "agree" : "differ"}** |`,
    );
  }
  const none = deathSteps.get("ours/none");
  const switches = VARIANTS.filter((v) => v.id !== "none" && v.id !== "all" && deathSteps.has(`ours/${v.id}`));
  if (none && switches.length) {
    md.push(
      "",
      "## Ablation reading (ours; PROTOCOL.md's rule)",
      "",
      `A switch is decisive only if it kills ${none.length} of ${none.length} seeds while "none" kills at most 1, or ` +
        `saves all ${none.length} while "none" kills at least ${none.length - 1}; only a decisive switch may become ` +
        "the paper profile's default.",
      "",
      "| switch | dead with it | dead with none | reading |",
      "| --- | --- | --- | --- |",
      ...switches.map((v) => {
        const steps = deathSteps.get(`ours/${v.id}`)!;
        const dead = (xs: readonly (number | null)[]) => xs.filter((x) => x !== null).length;
        return `| ${v.label} | ${dead(steps)}/${steps.length} | ${dead(none)}/${none.length} | **${
          readSwitch(none, steps)
        }** |`;
      }),
    );
    const decisive = switches.filter((v) => readSwitch(none, deathSteps.get(`ours/${v.id}`)!) !== "not decisive");
    md.push(
      "",
      decisive.length
        ? `Decisive: ${decisive.map((v) => v.label).join(", ")}.`
        : "No switch is decisive: the paper profile keeps Algorithm 1's loop as its default, and critic death under " +
          "the official loop is reported as a property of some seeds, not of one difference.",
    );
  }
  md.push(
    "",
    "## Every run",
    "",
    `| variant | side | seed | dead from | first exact 0 | final ${primary} | last layer inactive (real / generated) |`,
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...table.map((r) =>
      `| ${r.variant} | ${r.side} | ${r.seed} | ${r.dead_from === "" ? "alive" : r.dead_from} | ${
        r.first_zero === "" ? "–" : r.first_zero
      } | ${r[`final_${primary}`] === "" ? "–" : Number(r[`final_${primary}`]).toFixed(1)} | ${
        r.last_layer_inactive_real === "" ? "–" : Number(r.last_layer_inactive_real).toFixed(3)
      } / ${r.last_layer_inactive_fake === "" ? "–" : Number(r.last_layer_inactive_fake).toFixed(3)} |`
    ),
    "",
    "Curves: dead_units.png (the last hidden layer's inactive share on held-out real digits at each evaluation).",
    "",
  );
  await writeAtomic(`${dir}/deaths.md`, md.join("\n"));
  if (curves.length) {
    await writeAtomic(
      `${dir}/dead_units.png`,
      await renderPng({
        title: "Last hidden layer of the MLP critic: share of units inactive on a batch of real digits",
        data: { values: curves },
        facet: {
          row: { field: "side", type: "nominal", title: null },
          column: { field: "variant", type: "nominal", title: null, sort: VARIANTS.map((v) => v.label) },
        },
        spec: {
          width: 200,
          height: 140,
          mark: { type: "line", point: { size: 12 }, opacity: 0.7 },
          encoding: {
            x: { field: "step", type: "quantitative" },
            y: { field: "share", type: "quantitative", title: "inactive share", scale: { domain: [0, 1] } },
            color: { field: "seed", type: "nominal" },
          },
        },
      }),
    );
  }
  console.log(md.join("\n"));
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`error: ${String((e as Error).message).split("\n")[0]}`);
    Deno.exit(e instanceof UsageError ? 2 : 1);
  }
}
