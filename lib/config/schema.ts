/**
 * The one way configuration values are declared and checked, shared by the library's own validation and the
 * harness's `--set`, `--print-config` and configuration files: each value's type and range is a
 * [zod](https://zod.dev) schema built from the rules here, declared next to the spec it belongs to
 * (`lib/algorithms/schema.ts`, `lib/models/schema.ts`, the harness's run settings), and a failed check reads the
 * same wherever it happens: `optimizer.lr must be a number > 0, got -1`.
 *
 * @module
 */
import { z } from "npm:zod@4.6.7";

export { z };

const says = (expected: string) => ({ error: `must be ${expected}` });

/** Rules for single values; each failure says what was expected. */
export const rules = {
  /** A finite number > 0. */
  positive: () => z.number(says("a number > 0")).positive(says("a number > 0")),
  /** A finite number ≥ 0. */
  nonNegative: () => z.number(says("a number ≥ 0")).min(0, says("a number ≥ 0")),
  /** A number in [0, 1) (decay rates, momentum). */
  unit: () => z.number(says("a number in [0, 1)")).min(0, says("a number in [0, 1)")).lt(1, says("a number in [0, 1)")),
  /** An integer ≥ `min`, ≤ `max` when given. */
  integer: (min: number, max?: number) => {
    const expected = max === undefined ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    const base = z.int(says(expected)).min(min, says(expected));
    return max === undefined ? base : base.max(max, says(expected));
  },
  /** true or false. */
  boolean: () => z.boolean(says("true or false")),
  /** One of the strings `values`. */
  choice: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, says(`one of ${values.join(", ")}`)),
  /** One of the numbers `values`. */
  numberChoice: <const T extends readonly [number, ...number[]]>(values: T) =>
    z.union(
      values.map((v) => z.literal(v)) as unknown as [z.ZodLiteral<T[number]>],
      says(`one of ${values.join(", ")}`),
    ),
};

/** One failed check: where (a dotted path, empty for the value itself), what was expected, what was given. */
export interface ConfigIssue {
  path: string;
  message: string;
  input: unknown;
}

/**
 * The failures of a check of `root`. A rule about several values (a refinement) names the value at its path as
 * what was given, not the whole object it read.
 */
export function configIssues(error: z.ZodError, root: unknown): ConfigIssue[] {
  const at = (path: readonly PropertyKey[]) =>
    path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k], root);
  return error.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
    input: i.code === "custom" ? at(i.path) : (i as { input?: unknown }).input,
  }));
}

/** "`path` must be …, got `input`" for one issue (`prefix` goes before the path, e.g. an arm's id). */
export function issueText(issue: ConfigIssue, prefix = ""): string {
  const path = [prefix, issue.path].filter(Boolean).join(".");
  const got = issue.input === undefined ? "nothing" : JSON.stringify(issue.input);
  return `${path ? `${path} ` : ""}${issue.message}, got ${got}`;
}

/**
 * Checks `value` against `schema`; throws a RangeError "`what`: path must be …, got …" (every failure, separated by
 * semicolons; `prefix` names where `value` sits, e.g. "optimizer") when it does not hold. Returns the value as the
 * schema reads it.
 */
export function checked<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix = ""): z.output<S> {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data;
  throw new RangeError(`${what}: ${configIssues(r.error, value).map((i) => issueText(i, prefix)).join("; ")}`);
}
