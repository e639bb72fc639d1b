/**
 * The protocol the verdicts are judged under (`repro/protocol.toml`, issue #25): per experiment the verdict seeds,
 * the horizon, the evaluation cadence and the claims, and the statistics every rule uses. Read once, checked by one
 * schema; a folder is "under the protocol" only when its seeds, horizon and cadence are the protocol's.
 *
 * @module
 */
import { parse } from "smol-toml";
import { rules, z } from "../../lib/config/schema.ts";
import { configIssues, issueText } from "../../lib/config/schema.ts";
import { fnv1a } from "../../lib/hash.ts";
import type { ClaimId, ExperimentSpec } from "./experiments.ts";

/** Every claim id a protocol may name. */
export const CLAIM_IDS = [
  "loss-tracks-quality",
  "gan-loss-does-not",
  "wgan-trains-where-gan-fails",
  "adam-less-stable",
  "clipping-gradients-explode-or-vanish",
  "penalty-gradients-level",
  "clipping-piles-weights-at-c",
  "both-losses-train",
  "wgan-no-mode-collapse",
  "penalty-critic-fits-closer",
  "penalty-beats-clipping-per-iteration",
  "penalty-beats-clipping-per-second",
  "gan-faster-in-wall-clock",
  "div-beats-penalty",
  "better-end-quality",
] as const satisfies readonly ClaimId[];

/**
 * The arms each claim reads, by role: what an experiment file's `protocol.instances` binds (a claim's rule picks its
 * arms by itself otherwise, from the arm ids and algorithms of the papers' experiments).
 */
export const CLAIM_ROLES: Record<ClaimId, readonly string[]> = {
  "loss-tracks-quality": ["critic"],
  "gan-loss-does-not": ["gan"],
  "wgan-trains-where-gan-fails": ["wgan", "gan"],
  "adam-less-stable": ["stable", "momentum"],
  "clipping-gradients-explode-or-vanish": ["clip", "penalty"],
  "penalty-gradients-level": ["penalty"],
  "clipping-piles-weights-at-c": ["clip", "penalty"],
  "both-losses-train": ["arm"],
  "wgan-no-mode-collapse": ["arm"],
  "penalty-critic-fits-closer": ["clip", "penalty"],
  "penalty-beats-clipping-per-iteration": ["penalty", "clip"],
  "penalty-beats-clipping-per-second": ["penalty", "clip"],
  "gan-faster-in-wall-clock": ["gan", "penalty"],
  "div-beats-penalty": ["div", "penalty"],
  "better-end-quality": ["better", "other"],
};

const fraction = () => z.number().gt(0).lt(1);

/** The statistics block. */
export const statisticsSchema = z.strictObject({
  alpha: fraction(),
  min_runs: rules.integer(2),
  min_evaluations: rules.integer(3),
  quality_moved: fraction(),
  tracks_levels_min: z.number().gt(-1).lt(1),
  no_tracking_below: z.number().gt(-1).lt(1),
  last_fraction: fraction(),
  still_improving_gain: fraction(),
  still_changing_share: fraction(),
  relapse_factor: z.number().gt(1),
  spike_mads: z.number().gt(0),
  permutation_exact_max: rules.integer(2, 10),
  permutation_draws: rules.integer(100),
  layer_growth_min: z.number().gt(0),
  extreme_share_min: fraction(),
  trains_share_min: fraction(),
  collapse_evidence_runs: rules.integer(1),
});

/** The statistics every rule uses. */
export type ProtocolStatistics = z.infer<typeof statisticsSchema>;

const experimentSchema = z.strictObject({
  seeds: z.string().regex(/^\d+(-\d+)?(,\d+(-\d+)?)*$/, { error: "must be a seed list like 20-25 or 20,22" }),
  iterations: rules.integer(1),
  eval_every: rules.integer(1),
  claims: z.array(z.enum(CLAIM_IDS)),
});

/** The protocol file's schema. */
export const protocolSchema = z.strictObject({
  version: rules.integer(1),
  rules: z.enum(["v2"]),
  pilot_seeds_from: rules.integer(1),
  statistics: statisticsSchema,
  experiments: z.record(z.string(), experimentSchema),
});

/** One experiment's entry. */
export interface ProtocolExperiment {
  seeds: number[];
  iterations: number;
  evalEvery: number;
  claims: ClaimId[];
}

/** The protocol, parsed. */
export interface Protocol {
  version: number;
  rules: "v2";
  pilotSeedsFrom: number;
  statistics: ProtocolStatistics;
  experiments: Record<string, ProtocolExperiment>;
  /** FNV-1a of the file's text, hex (folders record it: the verdicts name the exact protocol text). */
  fingerprint: string;
  /** Where it was read from, relative to the repository. */
  path: string;
}

/** Where the protocol lives. */
export const PROTOCOL_URL = new URL("../protocol.toml", import.meta.url);

/** Expands "20-25" or "20,22" (already checked by the schema). */
export function seedList(text: string): number[] {
  return text.split(",").flatMap((part) => {
    const [lo, hi] = part.split("-").map(Number);
    return Array.from({ length: (hi ?? lo) - lo + 1 }, (_, i) => lo + i);
  });
}

/** Parses and checks a protocol's text; one clear error naming the key when it is wrong. */
export function parseProtocol(text: string, path = "repro/protocol.toml"): Protocol {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new SyntaxError(`Cannot read the protocol ${path}: ${String((e as Error).message).split("\n")[0]}`);
  }
  const r = protocolSchema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    throw new RangeError(`Cannot use the protocol ${path}: ${issueText(configIssues(r.error, raw)[0])}`);
  }
  const p = r.data;
  const experiments: Record<string, ProtocolExperiment> = {};
  for (const [id, e] of Object.entries(p.experiments)) {
    const seeds = seedList(e.seeds);
    const pilots = seeds.filter((s) => s >= p.pilot_seeds_from);
    if (pilots.length) {
      throw new RangeError(
        `Cannot use the protocol ${path}: experiments.${id}.seeds includes ${pilots[0]}, a pilot seed (verdict seeds ` +
          `are below pilot_seeds_from = ${p.pilot_seeds_from})`,
      );
    }
    experiments[id] = { seeds, iterations: e.iterations, evalEvery: e.eval_every, claims: e.claims };
  }
  return {
    version: p.version,
    rules: p.rules,
    pilotSeedsFrom: p.pilot_seeds_from,
    statistics: p.statistics,
    experiments,
    fingerprint: fnv1a(text).toString(16).padStart(8, "0"),
    path,
  };
}

let cached: Protocol | null = null;

/** The repository's protocol (read on first use). */
export function protocol(): Protocol {
  cached ??= parseProtocol(Deno.readTextFileSync(PROTOCOL_URL));
  return cached;
}

/**
 * The protocol entry an experiment is judged under: its file's own (a user's study), else the repository protocol's
 * (the built-in experiments'), else none.
 */
export function protocolEntry(experiment: ExperimentSpec, p: Protocol = protocol()): ProtocolExperiment | undefined {
  return experiment.file ? experiment.protocol : p.experiments[experiment.id];
}

/** An experiment's protocol entry, or a clear error when the protocol has none. */
export function protocolFor(experimentId: string, p: Protocol = protocol()): ProtocolExperiment {
  const e = p.experiments[experimentId];
  if (!e) throw new RangeError(`The protocol ${p.path} has no entry for experiment "${experimentId}"`);
  return e;
}

/** How a folder stands against the protocol. */
export interface ProtocolStanding {
  /** "protocol": the verdict seeds, horizon and cadence; "pilot": every seed a pilot seed; else "exploratory". */
  kind: "protocol" | "pilot" | "exploratory";
  version: number;
  fingerprint: string;
  /** What differs from the protocol (empty under it). */
  differences: string[];
  /**
   * The experiment file whose own `[protocol]` the folder is judged under (a user's study; `fingerprint` is then the
   * file's); absent for the repository protocol.
   */
  file?: string;
}

/**
 * Where a run stands: under the protocol when its seeds are exactly the verdict seeds and its horizon and cadence
 * the protocol's; a pilot when every seed is a pilot seed; else exploratory (its verdicts are computed by the same
 * rules, but are not the protocol's).
 */
export function protocolStanding(
  experiment: ExperimentSpec | string,
  run: { seeds: readonly number[]; iterations: number; evalEvery: number },
  p: Protocol = protocol(),
): ProtocolStanding {
  const file = typeof experiment === "string" ? undefined : experiment.file;
  const e = typeof experiment === "string" ? p.experiments[experiment] : protocolEntry(experiment, p);
  const pilot = run.seeds.length > 0 && run.seeds.every((s) => s >= p.pilotSeedsFrom);
  const own = file ? { fingerprint: file.fingerprint, file: file.path } : { fingerprint: p.fingerprint };
  if (!e) {
    // an experiment enters the protocol (its seeds, horizon and claims) before its verdict runs; until then every run
    // of it is a pilot or exploratory, and no claim is judged
    const differences = [
      file
        ? `no [protocol] in the experiment file ${file.path}: no claim is judged`
        : `no entry in protocol v${p.version} (${p.path}): no claim is judged`,
    ];
    return { kind: pilot ? "pilot" : "exploratory", version: p.version, ...own, differences };
  }
  const differences: string[] = [];
  const list = (s: readonly number[]) => s.join(",");
  if (list([...run.seeds].sort((a, b) => a - b)) !== list(e.seeds)) {
    differences.push(`seeds ${compactSeeds(run.seeds)} (the protocol's: ${compactSeeds(e.seeds)})`);
  }
  if (run.iterations !== e.iterations) differences.push(`${run.iterations} iterations (${e.iterations})`);
  if (run.evalEvery !== e.evalEvery) differences.push(`evaluated every ${run.evalEvery} (${e.evalEvery})`);
  return {
    kind: differences.length === 0 ? "protocol" : pilot ? "pilot" : "exploratory",
    version: p.version,
    ...own,
    differences,
  };
}

/** "20-25", "0,3,7-9". */
export function compactSeeds(seeds: readonly number[]): string {
  const s = [...new Set(seeds)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : `${s[i]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/**
 * The one-line warning for a run that uses verdict seeds without being under the protocol (a pilot should use
 * seeds from `pilot_seeds_from` up), or null.
 */
export function pilotSeedWarning(experiment: ExperimentSpec, standing: ProtocolStanding, seeds: readonly number[]) {
  const entry = protocolEntry(experiment);
  if (standing.kind !== "exploratory" || !entry) return null;
  const verdict = new Set(entry.seeds);
  const used = seeds.filter((s) => verdict.has(s));
  const under = experiment.file ? `its file's protocol (${experiment.file.path})` : `protocol v${standing.version}`;
  return used.length
    ? `Note: seeds ${compactSeeds(used)} are ${experiment.id}'s verdict seeds under ${under}, ` +
      `and this run is not under the protocol (${standing.differences.join("; ")}); pilots use seeds ≥ ` +
      `${protocol().pilotSeedsFrom}`
    : null;
}
