/**
 * Experiments as files (issue #28): the built-in experiments are `experiments/*.toml`, and a user's study is a
 * file of the same fields — TOML, YAML or JSON — that `deno task repro path/to/study.toml` runs like a built-in one.
 *
 * A file gives an `id`, a `title`, its `data` (a toy, or images: any data set, MNIST by default, or one named
 * `dataset`), its `[[arms]]` (an algorithm, its `overrides`, a generator and a critic), and optionally `noiseDim`,
 * `[profiles]` (changes to the standard quick / default / paper settings of its data kind),
 * `[secondsPerIteration]` (the up-front estimate's cost per arm) and, for a user's study, `[protocol]`: the verdict
 * seeds, horizon, cadence and claims, fixed in the file before the runs (the built-in experiments' are
 * `repro/protocol.toml`'s). Keys are the ones `--set` and `config.json` use.
 *
 * One schema checks a file — built from the library's own (`lib/config/schema.ts`), as `--set` is — and every arm is
 * resolved under every profile before anything runs. A bad file gets one line naming the file, the line and the key,
 * with the closest valid key for a misspelt one.
 *
 * `experimentToml` writes a resolved configuration back as such a file (`--print-config`), which runs as it is.
 *
 * @module
 */
import { parse as parseToml, stringify as stringifyToml, TomlError } from "smol-toml";
import { LineCounter, parseDocument } from "yaml";
import { isDeepStrictEqual } from "node:util";
import { rules, z } from "../../lib/config/schema.ts";
import { configIssues, issueText } from "../../lib/config/schema.ts";
import { fnv1a } from "../../lib/hash.ts";
import {
  lipschitzSpecSchema,
  lossNameSchema,
  optimizerSpecSchema,
  scheduleSchema,
} from "../../lib/algorithms/schema.ts";
import { dcganCriticConfigSchema, dcganGeneratorConfigSchema, mlpConfigSchema } from "../../lib/models/schema.ts";
import { ALGORITHMS } from "../../lib/algorithms/mod.ts";
import { TOY_NAMES } from "../../lib/data/toys.ts";
import {
  type ArmSpec,
  type ClaimId,
  DATASET_KINDS,
  DEFAULT_SECONDS_PER_ITERATION,
  type ExperimentSpec,
  IMAGE_PROFILES,
  type ModelSpec,
  type ProfileName,
  type Settings,
  TOY_PROFILES,
} from "./experiments.ts";
import { settingsSchema } from "./schema.ts";
import { CLAIM_IDS, CLAIM_ROLES, compactSeeds, protocolEntry, type ProtocolExperiment, seedList } from "./protocol.ts";
import { PROFILES, resolveConfig, type RunConfig } from "./resolve.ts";
import { closest, suggestion, UsageError } from "../errors.ts";

/** The file formats, by the name's ending. */
export const EXPERIMENT_FILE_EXTENSIONS = [".toml", ".yaml", ".yml", ".json"] as const;

/** Whether a command-line name is a file (by its ending or a path separator) rather than a built-in id. */
export function looksLikeExperimentFile(name: string): boolean {
  return name.includes("/") || EXPERIMENT_FILE_EXTENSIONS.some((x) => name.toLowerCase().endsWith(x));
}

const says = (expected: string) => ({ error: `must be ${expected}` });

// a network: the library's model options, every one optional but the kind (a file states what differs from the
// defaults; `hidden` and `width` default to the run's settings)
const mlpSpec = mlpConfigSchema.partial().required({ kind: true });
const dcganGeneratorSpec = dcganGeneratorConfigSchema.partial().required({ kind: true });
const dcganCriticSpec = dcganCriticConfigSchema.partial().required({ kind: true });
const noisyDataSpec = z.strictObject({ kind: z.literal("noisy-data"), sigma: rules.nonNegative() });
const generatorSpec = z.discriminatedUnion("kind", [mlpSpec, dcganGeneratorSpec, noisyDataSpec], {
  error: 'must be a generator of kind "mlp", "dcgan" or "noisy-data" (the data plus noise, held fixed)',
});
const criticSpec = z.discriminatedUnion("kind", [mlpSpec.omit({ outputActivation: true }), dcganCriticSpec], {
  error: 'must be a critic of kind "mlp" or "dcgan"',
});

/** An arm's changes to its algorithm's defaults: nested objects (optimizer, Lipschitz term) replace whole. */
const overridesSchema = scheduleSchema.extend({
  loss: lossNameSchema,
  lipschitz: lipschitzSpecSchema,
  optimizer: optimizerSpecSchema,
}).partial();

const seedsSchema = z.string(says('a seed list like "0-5" or "0,2,5"')).regex(
  /^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/,
  says('a seed list like "0-5" or "0,2,5"'),
);

const claimSchema = z.enum(CLAIM_IDS, says(`one of the claims ${CLAIM_IDS.join(", ")}`));

/** The schema of an experiment file. */
export const experimentFileSchema = z.strictObject({
  id: z.string(says("text")).regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    says("letters, digits, '.', '_' and '-', starting with a letter or digit (it names the result folder)"),
  ),
  title: z.string(says("text")).min(1, says("a line saying what the experiment compares")),
  source: z.string(says("text")).optional(),
  data: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("toy"), toy: z.enum(TOY_NAMES, says(`one of ${TOY_NAMES.join(", ")}`)) }),
    z.strictObject({
      kind: z.literal("image"),
      dataset: z.enum(DATASET_KINDS, says(`one of ${DATASET_KINDS.join(", ")}`)).optional(),
    }),
  ], { error: 'must be { kind = "toy", toy = NAME } or { kind = "image" } (optionally with dataset = KIND)' }),
  noiseDim: rules.integer(1).optional(),
  profiles: z.strictObject({
    quick: settingsSchema.partial().optional(),
    default: settingsSchema.partial().optional(),
    paper: settingsSchema.partial().optional(),
  }).optional(),
  secondsPerIteration: z.record(z.string(), rules.positive()).optional(),
  arms: z.array(
    z.strictObject({
      id: z.string(says("text")).regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        says("letters, digits, '.', '_' and '-', starting with a letter or digit (it names folders)"),
      ),
      algorithm: rules.choice(["wgan", "wgan-gp", "wgan-div", "gan"]),
      overrides: overridesSchema.optional(),
      generator: generatorSpec,
      critic: criticSpec,
    }),
    says("a list of arms ([[arms]] tables)"),
  ).min(1, says("at least one arm ([[arms]])")),
  protocol: z.strictObject({
    seeds: seedsSchema,
    iterations: rules.integer(1),
    evalEvery: rules.integer(1),
    claims: z.array(claimSchema),
    instances: z.array(z.strictObject({
      claim: claimSchema,
      arms: z.record(z.string(), z.string()),
      title: z.string().optional(),
    })).optional(),
  }).optional(),
});

/** An experiment file as parsed (before defaults). */
export type ExperimentFile = z.infer<typeof experimentFileSchema>;

type Path = readonly (string | number)[];

/** Where each key of a text sits: the line of a dotted path, or of its longest located prefix. */
type Locate = (path: Path) => number | undefined;

/**
 * Lines of a TOML text's keys, by dotted path (array-of-tables elements by index): `[a.b]` and `[[arms]]` headers,
 * `key = value` lines (dotted and quoted keys too), and the keys of inline tables on the line of their parent.
 */
export function tomlKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const arrays = new Map<string, number>();
  let table: (string | number)[] = [];
  let depth = 0;
  let inMultiline: string | null = null;
  const keyParts = (raw: string) =>
    [...raw.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  const record = (path: (string | number)[], line: number) => {
    const key = path.join(".");
    if (!lines.has(key)) lines.set(key, line);
  };
  const inline = (prefix: (string | number)[], value: string, line: number) => {
    // keys inside { … } on this line, nested tables followed by their braces
    const stack: (string | number)[][] = [prefix];
    let last: string | null = null;
    const re = /("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=|[{}]/g;
    for (const m of value.matchAll(re)) {
      if (m[0] === "{") stack.push(last !== null ? [...stack[stack.length - 1], ...keyParts(last)] : stack.at(-1)!);
      else if (m[0] === "}") stack.length > 1 && stack.pop();
      else {
        last = m[1];
        record([...stack[stack.length - 1], ...keyParts(m[1])], line);
      }
    }
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (inMultiline) {
      if (raw.includes(inMultiline)) inMultiline = null;
      return;
    }
    const stripped = raw.replace(/^\s+/, "");
    if (depth > 0) {
      depth += (stripped.match(/[[{]/g) ?? []).length - (stripped.match(/[\]}]/g) ?? []).length;
      return;
    }
    if (!stripped || stripped.startsWith("#")) return;
    const header = /^\[\[\s*([^\]]+?)\s*\]\]/.exec(stripped) ?? /^\[\s*([^\]]+?)\s*\]/.exec(stripped);
    if (header) {
      const parts = keyParts(header[1]);
      if (stripped.startsWith("[[")) {
        const at = parts.join(".");
        const n = arrays.get(at) ?? 0;
        arrays.set(at, n + 1);
        table = [...parts, n];
      } else table = parts;
      record(table, line);
      return;
    }
    const kv = /^("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(stripped);
    if (!kv) return;
    const path = [...table, ...keyParts(kv[1])];
    record(path, line);
    const value = kv[2];
    for (const quote of ['"""', "'''"]) {
      if (value.startsWith(quote) && value.indexOf(quote, 3) < 0) inMultiline = quote;
    }
    if (inMultiline) return;
    const body = value.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""').replace(/#.*$/, "");
    if (body.includes("{")) inline(path, value, line);
    depth = (body.match(/[[{]/g) ?? []).length - (body.match(/[\]}]/g) ?? []).length;
    if (depth < 0) depth = 0;
  });
  return lines;
}

/** A line finder over a located map: the path's own line, else its longest located prefix's. */
function byPrefix(lines: Map<string, number>): Locate {
  return (path) => {
    for (let k = path.length; k >= 0; k--) {
      const line = lines.get(path.slice(0, k).join("."));
      if (line !== undefined) return line;
    }
    return undefined;
  };
}

/** A line finder for YAML (and JSON, which YAML reads): the line of each node. */
function yamlLocator(text: string): Locate {
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter });
  } catch {
    return () => undefined;
  }
  return (path) => {
    for (let k = path.length; k >= 0; k--) {
      const node = k === 0 ? doc.contents : doc.getIn(path.slice(0, k), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) return lineCounter.linePos(range[0]).line;
    }
    return undefined;
  };
}

/** The keys an object at `path` may have, by walking the schema (for "did you mean"). */
function keysAt(schema: z.ZodType, path: Path, root: unknown): string[] {
  let s: z.ZodType | undefined = schema;
  let value: unknown = root;
  const unwrap = (t: z.ZodType, v: unknown): z.ZodType => {
    for (;;) {
      const def = (t as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
      if (def.type === "optional" || def.type === "default" || def.type === "nullable") t = def.innerType as z.ZodType;
      else if (def.type === "pipe") t = def.in as z.ZodType;
      else if (def.type === "union") {
        const options = def.options as z.ZodType[];
        const kind = (v as { kind?: unknown } | undefined)?.kind;
        const match = options.find((o) => {
          const shape = (o as unknown as { shape?: Record<string, z.ZodType> }).shape;
          return shape?.kind && (shape.kind as unknown as { _zod: { def: { values: unknown[] } } })._zod.def.values
            ?.includes(kind);
        });
        if (match) t = match;
        else {
          // no option matches: every option's keys
          const all = options.flatMap((o) => Object.keys((o as unknown as { shape?: object }).shape ?? {}));
          return z.strictObject(Object.fromEntries(all.map((k) => [k, z.unknown()])));
        }
      } else return t;
    }
  };
  for (const key of path) {
    if (!s) return [];
    s = unwrap(s, value);
    const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === "object") s = (def.shape as Record<string, z.ZodType>)[key as string];
    else if (def.type === "array") s = def.element as z.ZodType;
    else if (def.type === "record") s = def.valueType as z.ZodType;
    else return [];
    value = (value as Record<string | number, unknown> | undefined)?.[key];
  }
  if (!s) return [];
  s = unwrap(s, value);
  const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  return def.type === "object" ? Object.keys(def.shape as object) : [];
}

/** "arm "wgan-gp" (the 2nd [[arms]]): critic.norm" or "profiles.quick.width" for a path in the parsed file. */
function describePath(path: Path, raw: unknown): string {
  if (path[0] === "arms" && typeof path[1] === "number") {
    const n = path[1] + 1;
    const id = (raw as { arms?: { id?: unknown }[] })?.arms?.[path[1]]?.id;
    const nth = `${n}${
      n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th"
    }`;
    const arm = typeof id === "string" ? `arm "${id}" (the ${nth} [[arms]])` : `the ${nth} [[arms]]`;
    return path.length > 2 ? `${arm}: ${path.slice(2).join(".")}` : arm;
  }
  return path.join(".");
}

/** A bad experiment file: one line naming the file, the line and the key. */
function fileError(path: string, line: number | undefined, what: string): UsageError {
  return new UsageError(`Cannot use experiment file ${path}${line ? `, line ${line}` : ""}: ${what}`);
}

/** The parsed value of an experiment file's text, and where its keys are. */
function parseText(text: string, path: string): { raw: unknown; locate: Locate } {
  const lower = path.toLowerCase();
  if (lower.endsWith(".toml")) {
    try {
      return { raw: parseToml(text), locate: byPrefix(tomlKeyLines(text)) };
    } catch (e) {
      const line = e instanceof TomlError ? e.line : undefined;
      const why = String((e as Error).message).split("\n")[0].replace(/^Invalid TOML document: /, "");
      throw fileError(path, line, `not valid TOML (${why})`);
    }
  }
  if (lower.endsWith(".json")) {
    try {
      return { raw: JSON.parse(text), locate: yamlLocator(text) };
    } catch (e) {
      // JSON.parse names a position; YAML (which reads JSON) names the line
      const doc = parseDocument(text, { lineCounter: new LineCounter() });
      const line = doc.errors[0]?.linePos?.[0]?.line;
      throw fileError(path, line, `not valid JSON (${String((e as Error).message).split("\n")[0]})`);
    }
  }
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
    const doc = parseDocument(text, { lineCounter: new LineCounter() });
    if (doc.errors.length) {
      const err = doc.errors[0];
      throw fileError(
        path,
        err.linePos?.[0]?.line,
        `not valid YAML (${err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")})`,
      );
    }
    return { raw: doc.toJS(), locate: yamlLocator(text) };
  }
  throw new UsageError(
    `Cannot read experiment file ${path}: expected a name ending in ${EXPERIMENT_FILE_EXTENSIONS.join(", ")}`,
  );
}

const sortIssues = (issues: z.core.$ZodIssue[]) =>
  // a misspelt key explains the missing one it was meant to be: name it first
  [...issues].sort((a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"));

/** The standard profiles of a data kind. */
export function standardProfiles(data: ExperimentSpec["data"]): Record<ProfileName, Settings> {
  return data.kind === "toy" ? TOY_PROFILES : IMAGE_PROFILES;
}

/**
 * Parses and checks an experiment file's text (`path` names it in errors and picks the format by its ending) into an
 * experiment. Throws a UsageError naming the file, the line and the key at the first problem.
 */
export function parseExperimentText(text: string, path: string, opts: { builtIn?: boolean } = {}): ExperimentSpec {
  const { raw, locate } = parseText(text, path);
  const r = experimentFileSchema.safeParse(raw, { reportInput: true });
  if (!r.success) {
    const issue = sortIssues(r.error.issues)[0];
    const where = issue.path as Path;
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0];
      const known = keysAt(experimentFileSchema, where, raw);
      const near = closest(key, known);
      const inside = where.length ? ` in ${describePath(where, raw)}` : "";
      throw fileError(
        path,
        locate([...where, key]),
        `unknown key "${key}"${inside}${near ? ` (did you mean "${near}"?)` : ` (known: ${known.join(", ")})`}`,
      );
    }
    let [first] = configIssues(new z.ZodError([issue]), raw);
    // an unknown kind: the union names the object; say the kind given
    const kind = (first.input as { kind?: unknown } | null)?.kind;
    if (where.at(-1) === "kind" && kind !== undefined) first = { ...first, input: kind };
    const text = issueText({ ...first, path: "" }).replace(/^ /, "");
    throw fileError(path, locate(where), `${describePath(where, raw) || "the file"} ${text}`);
  }
  const file = r.data;
  const at = (p: Path, what: string) => fileError(path, locate(p), what);
  // ids: unique arms; a timing or a claim naming an arm names one of them
  const ids = file.arms.map((a) => a.id);
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) throw at(["arms", i, "id"], `arm id "${id}" is used twice`);
  });
  file.arms.forEach((a, i) => {
    if (a.generator.kind === "noisy-data" && file.data.kind !== "toy") {
      throw at(
        ["arms", i, "generator"],
        `${describePath(["arms", i, "generator"], raw)}: a generator held fixed at the data plus noise ` +
          `("noisy-data") needs toy data`,
      );
    }
  });
  for (const id of Object.keys(file.secondsPerIteration ?? {})) {
    if (!ids.includes(id)) {
      throw at(
        ["secondsPerIteration", id],
        `secondsPerIteration.${id} names no arm${suggestion(id, ids)} (arms: ${ids.join(", ")})`,
      );
    }
  }
  if (opts.builtIn && file.protocol) {
    throw at(
      ["protocol"],
      "a built-in experiment's seeds, horizon and claims are repro/protocol.toml's, not its file's",
    );
  }
  const experiment: ExperimentSpec = {
    id: file.id,
    title: file.title,
    source: file.source ?? (opts.builtIn ? "" : `experiment file ${path}`),
    data: file.data.kind === "toy"
      ? { kind: "toy", toy: file.data.toy }
      : { kind: "image", ...(file.data.dataset ? { dataset: file.data.dataset } : {}) },
    noiseDim: file.noiseDim ?? (file.data.kind === "toy" ? 2 : 100),
    arms: file.arms.map((a): ArmSpec => ({
      id: a.id,
      algorithm: a.algorithm,
      ...(a.overrides && Object.keys(a.overrides).length ? { overrides: a.overrides } : {}),
      generator: modelSpec(a.generator),
      critic: modelSpec(a.critic),
    })),
    profiles: Object.fromEntries(
      PROFILES.map((p) => [p, { ...standardProfiles(file.data)[p], ...file.profiles?.[p] }]),
    ) as Record<ProfileName, Settings>,
    secondsPerIteration: Object.fromEntries(
      file.arms.map((a) => [
        a.id,
        file.secondsPerIteration?.[a.id] ?? DEFAULT_SECONDS_PER_ITERATION[file.data.kind][a.algorithm],
      ]),
    ),
    ...(opts.builtIn ? {} : { file: { path, fingerprint: fnv1a(text).toString(16).padStart(8, "0") } }),
  };
  if (file.protocol) experiment.protocol = checkProtocol(file.protocol, experiment, at);
  // every arm resolved under every profile, by the schema a run uses (combinations the library cannot train too)
  for (const profile of PROFILES) {
    try {
      resolveConfig(experiment, profile);
    } catch (e) {
      const message = String((e as Error).message);
      const arm = /^Cannot use arm (\S+): (.*)$/.exec(message);
      const index = arm ? ids.indexOf(arm[1]) : -1;
      const why = arm ? arm[2] : message.replace(/^Cannot use these settings: /, "");
      throw index >= 0
        ? at(["arms", index], `${describePath(["arms", index], raw)}, under profile ${profile}: ${why}`)
        : at(["profiles", profile], `profile ${profile}: ${why}`);
    }
  }
  return experiment;
}

/** A network's spec from the file's (the MLP's depth defaults to the official 3 hidden layers). */
function modelSpec(m: Record<string, unknown> & { kind: string }): ModelSpec {
  const defined = Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined));
  return (m.kind === "mlp" ? { hiddenLayers: 3, ...defined } : defined) as ModelSpec;
}

/** A file's protocol section, checked against its arms and the claims' roles. */
function checkProtocol(
  p: NonNullable<ExperimentFile["protocol"]>,
  experiment: ExperimentSpec,
  at: (path: Path, what: string) => UsageError,
): ProtocolExperiment & { instances: NonNullable<ExperimentSpec["protocol"]>["instances"] } {
  const seeds = seedList(p.seeds.replace(/\s+/g, ""));
  const ids = experiment.arms.map((a) => a.id);
  const instances = (p.instances ?? []).map((inst, i) => {
    const where = ["protocol", "instances", i];
    if (!p.claims.includes(inst.claim)) {
      throw at([...where, "claim"], `protocol.instances: claim "${inst.claim}" is not in protocol.claims`);
    }
    const roles = CLAIM_ROLES[inst.claim];
    const given = Object.keys(inst.arms);
    const missing = roles.filter((r) => !given.includes(r));
    const extra = given.filter((r) => !roles.includes(r));
    if (missing.length || extra.length) {
      throw at(
        [...where, "arms"],
        `protocol.instances: claim "${inst.claim}" reads the arms ${roles.map((r) => `${r} = ARM`).join(", ")}` +
          (extra.length ? `; "${extra[0]}" is not one of them${suggestion(extra[0], roles)}` : ""),
      );
    }
    for (const [role, arm] of Object.entries(inst.arms)) {
      if (!ids.includes(arm)) {
        throw at(
          [...where, "arms", role],
          `protocol.instances: ${role} = "${arm}" names no arm${suggestion(arm, ids)}`,
        );
      }
    }
    return { claim: inst.claim as ClaimId, arms: inst.arms, ...(inst.title ? { title: inst.title } : {}) };
  });
  return { seeds, iterations: p.iterations, evalEvery: p.evalEvery, claims: p.claims as ClaimId[], instances };
}

/** Reads and checks an experiment file; a missing or unreadable file is one line. */
export async function readExperimentFile(path: string): Promise<ExperimentSpec> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.IsADirectory
      ? "it is a folder"
      : String((e as Error).message).split("\n")[0];
    throw new UsageError(`Cannot read experiment file ${path}: ${why}`);
  }
  return parseExperimentText(text, path);
}

/** Drops `undefined` values (TOML has no null) from an object's first level. */
const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/**
 * The protocol entry a printed configuration carries: the experiment's (its file's, or repro/protocol.toml's), but
 * only when the configuration is the experiment's own default run unchanged — a file that differs from it is another
 * study, whose seeds, horizon and claims are for its author to fix (and the entry would replace its horizon).
 */
export function printedProtocol(experiment: ExperimentSpec, config: RunConfig): ProtocolExperiment | null {
  const entry = protocolEntry(experiment);
  return entry && isDeepStrictEqual(config, resolveConfig(experiment, "default")) ? entry : null;
}

/**
 * The experiment file of a resolved run: its settings as the default profile, every arm's algorithm and networks in
 * full (a network's width only where it differs from the run's), the data and the protocol entry it was judged
 * under. Run as it is (`deno task repro FILE`), it resolves to `config` again.
 */
export function experimentToml(
  experiment: ExperimentSpec,
  config: RunConfig,
  protocolEntry: { entry: ProtocolExperiment; from: string } | null,
  note: string,
): string {
  const s = config.settings;
  const arms = config.arms.map((a) => {
    const { name, ...algorithm } = a.algorithm;
    const { batchSize, dItersSchedule, ...rest } = algorithm;
    const overrides = {
      ...rest,
      ...(batchSize !== s.batchSize ? { batchSize } : {}),
      ...(dItersSchedule !== (s.dItersSchedule && ALGORITHMS[name].dItersSchedule) ? { dItersSchedule } : {}),
    };
    const { noiseDim: _noise, ...generator } = a.generator;
    const network = (n: object) => {
      const out: Record<string, unknown> = defined({ ...n } as Record<string, unknown>);
      if (out.kind === "mlp" && out.hidden === s.hidden) delete out.hidden;
      if (out.kind === "dcgan" && out.width === s.width) delete out.width;
      return out;
    };
    return { id: a.id, algorithm: name, overrides, generator: network(generator), critic: network(a.critic) };
  });
  const file: Record<string, unknown> = {
    id: experiment.id,
    title: experiment.title,
    ...(experiment.source ? { source: experiment.source } : {}),
    data: experiment.data,
    noiseDim: config.arms[0]?.generator.noiseDim ?? experiment.noiseDim,
    profiles: { default: { ...s } },
    secondsPerIteration: Object.fromEntries(
      config.arms.map((a) => [a.id, experiment.secondsPerIteration[a.id]]).filter(([, v]) => v !== undefined),
    ),
    arms,
  };
  if (protocolEntry) {
    const { entry } = protocolEntry;
    file.protocol = {
      seeds: compactSeeds(entry.seeds),
      iterations: entry.iterations,
      evalEvery: entry.evalEvery,
      claims: entry.claims,
      ...(experiment.protocol?.instances.length ? { instances: experiment.protocol.instances } : {}),
    };
  }
  const header = [
    `# ${note}`,
    `# Run it as it is: deno task repro FILE (its default profile is the configuration printed; quick and paper are`,
    `# the standard ones of its data kind). Keys: see docs/experiment-files.md.`,
    protocolEntry
      ? `# [protocol]: ${protocolEntry.from}.`
      : "# No [protocol]: no claim is judged until you fix its seeds, horizon and claims in one (before the runs).",
    "",
  ];
  return header.join("\n") + stringifyToml(file) + "\n";
}
