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
 * - an optional value the schema allows but the arm leaves out (and so
 *   `--print-config` cannot show): a div term's `points=interpolates`, an MLP
 *   generator's `outputActivation=tanh` (a key an arm has always wins an
 *   ending over an absent one);
 *
 * - a network's kind: `critic.kind=mlp` (or `wgan.generator.kind=dcgan`)
 *   replaces that network with the experiment's default of the kind (an MLP
 *   of 3 hidden layers of `hidden` units, or a DCGAN model of `width`), whose
 *   keys later assignments can then set.
 *
 * A value is read as JSON would read it (true/false, a number, else text) and
 * checked by the configuration schema (`schema.ts`, built from the library's
 * own), so a bad value gets the library's message; unknown keys are rejected
 * with the closest known one.
 *
 * @module
 */
import { type ArmConfig, modelConfig } from "./arms.ts";
import { configIssues, issueText, type z } from "../../lib/config/schema.ts";
import { armConfigSchema, settingsSchema } from "./schema.ts";
import { dcgan, mlp, type Settings } from "./experiments.ts";
import { suggestion, UsageError } from "../errors.ts";

type Leaf = number | boolean | string;

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

/** A `--set` value as JSON would read it: true/false, a number, or else the text itself. */
function coerce(raw: string): Leaf {
  if (raw === "true" || raw === "false") return raw === "true";
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw)) return Number(raw);
  return raw;
}

/**
 * The schema of the value at `path` inside `value` (checked by `schema`): object fields by name, a discriminated
 * union's option by the value's own discriminator (an optimizer's `kind` decides whether `beta1` exists).
 */
function leafSchema(schema: z.ZodType, value: unknown, path: readonly string[]): z.ZodType | null {
  if (path.length === 0) return schema;
  const next = objectShape(schema, value)[path[0]];
  return next ? leafSchema(next, (value as Record<string, unknown>)?.[path[0]], path.slice(1)) : null;
}

/** The schema inside an `.optional()` wrapper (or the schema itself). */
function unwrapOptional(schema: z.ZodType): z.ZodType {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  return def.type === "optional" && def.innerType ? unwrapOptional(def.innerType) : schema;
}

/**
 * The fields of the object schema `schema` (a discriminated union: the option `value`'s own tag picks), or none.
 */
function objectShape(schema: z.ZodType | null, value: unknown): Record<string, z.ZodType> {
  if (!schema) return {};
  const def = (unwrapOptional(schema) as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === "object") return def.shape as Record<string, z.ZodType>;
  if (def.type === "union" && typeof def.discriminator === "string") {
    const tag = (value as Record<string, unknown>)?.[def.discriminator];
    for (const option of def.options as z.ZodType[]) {
      const shape = objectShape(option, value);
      if (shape[def.discriminator]?.safeParse(tag).success) return shape;
    }
  }
  return {};
}

/**
 * The dotted paths of optional single values the schema allows but `root` leaves out (a div term's `points`, a
 * generator's `outputActivation`): settable too, though `--print-config` cannot show them.
 */
function absentOptionalPaths(schema: z.ZodType, root: unknown, prefix = ""): string[] {
  const here = (prefix ? prefix.split(".") : []).reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root);
  const out: string[] = [];
  for (const [k, v] of Object.entries(here as Record<string, unknown>)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      out.push(...absentOptionalPaths(schema, root, prefix ? `${prefix}.${k}` : k));
    }
  }
  const shape = objectShape(prefix ? leafSchema(schema, root, prefix.split(".")) : schema, here);
  for (const [k, field] of Object.entries(shape)) {
    if ((here as Record<string, unknown>)[k] !== undefined) continue;
    const outer = (field as unknown as { _zod: { def: { type: string } } })._zod.def.type;
    const inner = (unwrapOptional(field) as unknown as { _zod: { def: { type: string } } })._zod.def.type;
    if (outer === "optional" && !["object", "union", "array"].includes(inner)) out.push(prefix ? `${prefix}.${k}` : k);
  }
  return out;
}

/** Checks one value by its schema; a failure is a UsageError naming the key the user wrote. */
function checkedValue(key: string, path: string, schema: z.ZodType | null, value: Leaf): Leaf {
  if (!schema) throw new UsageError(`Cannot set "${key}": no rule for values of "${path}"`);
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return value;
  const issue = configIssues(r.error, value)[0];
  throw new UsageError(
    `Cannot set "${key}": ${issueText({ ...issue, path: [path, issue.path].filter(Boolean).join(".") })}`,
  );
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
    for (const path of [...leaves(arm).map(([p]) => p), ...absentOptionalPaths(armConfigSchema, arm)]) {
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
    const schema = settingsSchema.shape[a.key as keyof typeof settingsSchema.shape];
    (out as unknown as Record<string, Leaf>)[a.key] = checkedValue(a.key, a.key, schema, coerce(a.raw));
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
        const spec = a.raw === "mlp" ? mlp() : dcgan();
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
      const named = (p: string) => p === path || p.endsWith(`.${path}`);
      // a value the arm has; else an optional one its schema allows (never making a present key ambiguous)
      let matches = leaves(arm).map(([p]) => p).filter(named);
      if (matches.length === 0) matches = absentOptionalPaths(armConfigSchema, arm).filter(named);
      if (matches.length > 1) {
        throw new UsageError(`Cannot set "${a.key}": ambiguous in arm ${arm.id} (${matches.join(" or ")}; say which)`);
      }
      if (matches.length === 1) {
        setPath(
          arm,
          matches[0],
          checkedValue(a.key, matches[0], leafSchema(armConfigSchema, arm, matches[0].split(".")), coerce(a.raw)),
        );
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
