/**
 * The experiment registry: the built-in experiments are the files in `experiments/` (one per experiment, named by
 * its id), read and checked on first use; `findExperiment` takes a built-in id or the path of a user's experiment
 * file. `--list` shows the built-in ones in {@linkcode BUILT_IN_ORDER}, then any other file the folder holds.
 *
 * @module
 */
import type { ExperimentSpec } from "./experiments.ts";
import { looksLikeExperimentFile, parseExperimentText, readExperimentFile } from "./experiment_file.ts";
import { suggestion, UsageError } from "../errors.ts";

/** Where the built-in experiment files live. */
export const EXPERIMENTS_DIR = new URL("../../experiments/", import.meta.url);

/** The order `--list` shows the built-in experiments in: the toys, then the image experiments, then other data. */
export const BUILT_IN_ORDER = [
  "toy-8gaussians",
  "toy-25gaussians",
  "toy-swissroll",
  "toy-deep-critic",
  "toy-critic-fit-8gaussians",
  "toy-critic-fit-25gaussians",
  "toy-critic-fit-swissroll",
  "mnist-mlp",
  "mnist-dcgan",
  "mnist-dcgan-nobn",
  "mnist-adam-vs-rmsprop",
  "mnist-gp-vs-clip",
  "mnist-gp-fig3",
  "mnist-div-vs-gp",
  "cifar10-dcgan",
  "gtsrb-dcgan",
] as const;

let cached: readonly ExperimentSpec[] | null = null;

/** Every built-in experiment (`experiments/*.toml`), in `--list` order; each file's id must be its name. */
export function experiments(): readonly ExperimentSpec[] {
  if (cached) return cached;
  const names = [...Deno.readDirSync(EXPERIMENTS_DIR)]
    .filter((e) => e.isFile && e.name.endsWith(".toml"))
    .map((e) => e.name.slice(0, -".toml".length));
  const rank = (id: string) => {
    const i = (BUILT_IN_ORDER as readonly string[]).indexOf(id);
    return i < 0 ? BUILT_IN_ORDER.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  cached = names.map((name) => {
    const path = `experiments/${name}.toml`;
    const e = parseExperimentText(Deno.readTextFileSync(new URL(`${name}.toml`, EXPERIMENTS_DIR)), path, {
      builtIn: true,
    });
    if (e.id !== name) throw new UsageError(`Cannot use experiment file ${path}: its id is "${e.id}", not "${name}"`);
    return e;
  });
  return cached;
}

/** The built-in experiments' ids, in `--list` order. */
export function experimentIds(): string[] {
  return experiments().map((e) => e.id);
}

/** The built-in experiment with this id, or a UsageError suggesting the closest one. */
export function findExperiment(id: string): ExperimentSpec {
  const e = experiments().find((x) => x.id === id);
  if (!e) {
    throw new UsageError(`Cannot run experiment "${id}": unknown name${suggestion(id, experimentIds())} (see --list)`);
  }
  return e;
}

/**
 * The experiment a command names: a built-in id, or the path of an experiment file (a name with a `/` or ending in
 * .toml, .yaml, .yml or .json).
 */
export async function experimentNamed(name: string): Promise<ExperimentSpec> {
  return looksLikeExperimentFile(name) ? await readExperimentFile(name) : findExperiment(name);
}

/**
 * The experiment a result folder was made from: the spec its config.json recorded (a user's file), else the
 * built-in experiment of its id.
 */
export function storedExperiment(tables: { experiment: string; experimentSpec?: ExperimentSpec }): ExperimentSpec {
  return tables.experimentSpec ?? findExperiment(tables.experiment);
}
