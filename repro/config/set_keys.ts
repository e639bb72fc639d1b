/**
 * `--set KEY=VALUE`: every key of the resolved configuration is settable.
 *
 * - a run setting: `iterations=2000`, `evalEvery=100`, `width=32`, … (the
 *   profile's settings; `batchSize`, `width`, `hidden` and `dItersSchedule`
 *   are defaults of every arm, applied before the arm keys);
 * - an arm key, for one arm (`wgan.lr=1e-4`, `adam-b1-0.5.beta1=0.9`) or for
 *   every arm that has it (`lr=1e-4`, `critic.init=he`): the dotted path of a
 *   value in the arm's resolved object, or any dot-separated ending of it that
 *   names one value (`lr` = `algorithm.optimizer.lr`; `init` alone is ambiguous
 *   between `generator.init` and `critic.init`).
 *
 * - a network's kind: `critic.kind=mlp` (or `wgan.generator.kind=dcgan`)
 *   replaces that network with the experiment's default of the kind (an MLP
 *   of 3 hidden layers of `hidden` units, or a DCGAN model of `width`), whose
 *   keys later assignments can then set.
 *
 * Values are typed by the key (integers, numbers in range, booleans, choices);
 * unknown keys are rejected with the closest known one.
 *
 * @module
 */
import { type ArmConfig, modelConfig } from "./arms.ts";
import { INIT_RULES } from "../../lib/models/model.ts";
import type { Settings } from "./experiments.ts";
import { suggestion, UsageError } from "../errors.ts";

type Leaf = number | boolean | string;

/** A value's rule, by the last segment of its key. */
interface Rule {
  type: "int" | "number" | "boolean" | "choice" | "init";
  min?: number;
  /** Exclusive upper bound. */
  below?: number;
  /** Inclusive upper bound of an integer. */
  max?: number;
  /** Lower bound is exclusive. */
  positive?: boolean;
  choices?: readonly string[];
}

const RULES: Record<string, Rule> = {
  // run settings
  iterations: { type: "int", min: 1 },
  evalEvery: { type: "int", min: 1 },
  logEvery: { type: "int", min: 1 },
  evalSamples: { type: "int", min: 2 },
  seeds: { type: "int", min: 1, max: 10_000 },
  imageSize: { type: "choice", choices: ["28", "32"] },
  resizeTo32: { type: "choice", choices: ["bilinear", "pad"] },
  trainOnHeldOut: { type: "boolean" },
  quantize8bit: { type: "boolean" },
  // arm keys (batchSize, width, hidden, dItersSchedule are also run settings)
  batchSize: { type: "int", min: 1 },
  width: { type: "int", min: 1 },
  hidden: { type: "int", min: 1 },
  hiddenLayers: { type: "int", min: 0 },
  noiseDim: { type: "int", min: 1 },
  nCritic: { type: "int", min: 1 },
  dItersSchedule: { type: "boolean" },
  constrainBeforeUpdate: { type: "boolean" },
  epochBursts: { type: "boolean" },
  batchNorm: { type: "boolean" },
  lr: { type: "number", positive: true },
  eps: { type: "number", positive: true },
  alpha: { type: "number", min: 0, below: 1 },
  beta1: { type: "number", min: 0, below: 1 },
  beta2: { type: "number", min: 0, below: 1 },
  c: { type: "number", positive: true },
  lambda: { type: "number", min: 0 },
  k: { type: "number", min: 0 },
  p: { type: "number", positive: true },
  loss: { type: "choice", choices: ["wasserstein", "standard"] },
  activation: { type: "choice", choices: ["relu", "leaky-relu", "tanh", "none"] },
  norm: { type: "choice", choices: ["batch", "layer", "none"] },
  filters: { type: "choice", choices: ["pyramid", "constant"] },
  init: { type: "init" },
};

/** Keys that name an arm's structure rather than a hyperparameter. */
const STRUCTURAL = new Set(["id", "name", "kind"]);

/** The dotted paths and values of an object's leaves. */
function leaves(obj: unknown, prefix = ""): [string, Leaf][] {
  const out: [string, Leaf][] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object") out.push(...leaves(v, path));
    else out.push([path, v as Leaf]);
  }
  return out;
}

function setPath(obj: unknown, path: string, value: Leaf): void {
  const parts = path.split(".");
  let o = obj as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) o = o[p] as Record<string, unknown>;
  o[parts[parts.length - 1]] = value;
}

function parseValue(key: string, raw: string): Leaf {
  const name = key.split(".").pop()!;
  const rule = RULES[name];
  if (!rule) throw new UsageError(`Cannot set "${key}": no rule for values of "${name}"`);
  const fail = (expected: string) => new UsageError(`Cannot set "${key}": expected ${expected}, got "${raw}"`);
  switch (rule.type) {
    case "boolean":
      if (raw !== "true" && raw !== "false") throw fail("true or false");
      return raw === "true";
    case "choice":
      if (!rule.choices!.includes(raw)) throw fail(`one of ${rule.choices!.join(", ")}`);
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case "init": {
      if ((INIT_RULES as readonly string[]).includes(raw)) return raw;
      const v = Number(raw);
      if (raw === "" || !Number.isFinite(v) || v <= 0) {
        throw fail(`${INIT_RULES.join(", ")} or a positive standard deviation`);
      }
      return v;
    }
    case "int": {
      const v = Number(raw);
      if (raw === "" || !Number.isSafeInteger(v) || v < rule.min! || (rule.max !== undefined && v > rule.max)) {
        throw fail(rule.max === undefined ? `an integer ≥ ${rule.min}` : `an integer from ${rule.min} to ${rule.max}`);
      }
      return v;
    }
    case "number": {
      const v = Number(raw);
      const ok = raw !== "" && Number.isFinite(v) && (rule.positive ? v > 0 : v >= rule.min!) &&
        (rule.below === undefined || v < rule.below);
      if (!ok) {
        throw fail(
          rule.positive
            ? "a number > 0"
            : rule.below !== undefined
            ? `a number in [${rule.min}, ${rule.below})`
            : `a number ≥ ${rule.min}`,
        );
      }
      return v;
    }
  }
}

/** One `KEY=VALUE` assignment, split. */
interface Assignment {
  key: string;
  raw: string;
  text: string;
}

function split(text: string): Assignment {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`Cannot parse --set "${text}": expected key=value`);
  return { key: text.slice(0, eq).trim(), raw: text.slice(eq + 1).trim(), text };
}

/** Every key a user can write, for suggestions: settings, full arm paths, their endings, arm-prefixed forms. */
function knownKeys(settings: Settings, arms: readonly ArmConfig[]): string[] {
  const keys = new Set<string>(Object.keys(settings));
  for (const arm of arms) {
    for (const [path] of leaves(arm)) {
      const parts = path.split(".");
      if (STRUCTURAL.has(parts[parts.length - 1])) continue;
      for (let i = 0; i < parts.length; i++) {
        const ending = parts.slice(i).join(".");
        keys.add(ending);
        keys.add(`${arm.id}.${ending}`);
      }
    }
  }
  return [...keys];
}

/** The run-setting assignments applied to the profile's settings (before the arms are resolved). */
export function applyRunSettings(base: Settings, assignments: readonly string[]): Settings {
  const out: Settings = { ...base };
  for (const a of assignments.map(split)) {
    if (!(a.key in base)) continue;
    (out as unknown as Record<string, Leaf>)[a.key] = parseValue(a.key, a.raw);
  }
  return out;
}

/**
 * The arm assignments (every key that is not a run setting) applied to the
 * resolved arms, in order. Returns new objects; unknown, ambiguous or
 * structural keys throw a {@linkcode UsageError}.
 */
export function applyArmSettings(
  settings: Settings,
  arms: readonly ArmConfig[],
  assignments: readonly string[],
): ArmConfig[] {
  const out = arms.map((a) => structuredClone(a));
  const ids = [...out.map((a) => a.id)].sort((a, b) => b.length - a.length);
  for (const a of assignments.map(split)) {
    if (a.key in settings) continue;
    const armId = ids.find((id) => a.key.startsWith(`${id}.`));
    const path = armId ? a.key.slice(armId.length + 1) : a.key;
    const targets = armId ? out.filter((x) => x.id === armId) : out;
    const last = path.split(".").pop()!;
    if (path === "generator.kind" || path === "critic.kind") {
      const role = path.split(".")[0] as "generator" | "critic";
      if (a.raw !== "mlp" && a.raw !== "dcgan") {
        throw new UsageError(`Cannot set "${a.key}": expected mlp or dcgan, got "${a.raw}"`);
      }
      for (const arm of targets) {
        const spec = a.raw === "mlp" ? { kind: "mlp" as const, hiddenLayers: 3 } : { kind: "dcgan" as const };
        const model = modelConfig(spec, role, settings);
        if (role === "generator") arm.generator = { ...model, noiseDim: arm.generator.noiseDim } as never;
        else arm.critic = model as ArmConfig["critic"];
      }
      continue;
    }
    if (STRUCTURAL.has(last)) {
      throw new UsageError(
        `Cannot set "${a.key}": it names the arm's structure, not a hyperparameter (add an arm in repro/config/experiments.ts)`,
      );
    }
    let applied = 0;
    for (const arm of targets) {
      const matches = leaves(arm).filter(([p]) => p === path || p.endsWith(`.${path}`)).map(([p]) => p);
      if (matches.length > 1) {
        throw new UsageError(`Cannot set "${a.key}": ambiguous in arm ${arm.id} (${matches.join(" or ")}; say which)`);
      }
      if (matches.length === 1) {
        setPath(arm, matches[0], parseValue(a.key, a.raw));
        applied++;
      }
    }
    if (applied === 0) {
      const where = armId ? `arm ${armId} has no such key` : "unknown key";
      throw new UsageError(
        `Cannot set "${a.key}": ${where}${suggestion(a.key, knownKeys(settings, out))} (see --print-config)`,
      );
    }
  }
  return out;
}
