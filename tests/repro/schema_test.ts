import assert from "node:assert/strict";
import { algorithm, mlpCritic } from "../../mod.ts";
import { resolveConfig } from "../../repro/config/resolve.ts";
import { type ProfileName } from "../../repro/config/experiments.ts";
import { experiments, findExperiment } from "../../repro/config/registry.ts";

/** The non-structural leaves of an object, as `path=value` assignments (what --print-config shows, written back). */
function assignments(obj: unknown, prefix: string): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object") out.push(...assignments(v, path));
    else if (!["id", "name", "kind"].includes(k)) out.push(`${path}=${v}`);
  }
  return out;
}

Deno.test("every value --print-config prints is accepted back by --set, and changes nothing", () => {
  let checked = 0;
  for (const e of experiments()) {
    for (const profile of ["quick", "default", "paper"] as ProfileName[]) {
      const config = resolveConfig(e, profile);
      const sets = [
        ...assignments(config.settings, ""),
        ...config.arms.flatMap((arm) => assignments(arm, arm.id)),
      ];
      assert.deepEqual(resolveConfig(e, profile, sets), config, `${e.id} ${profile}`);
      checked += sets.length;
    }
  }
  assert.ok(checked > 500, `${checked} values`);
});

Deno.test("an out-of-range value gets the same message from the library and from --set", () => {
  const e = findExperiment("mnist-mlp");
  const both = (library: () => unknown, set: string, tail: string) => {
    const message = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as Error).message;
      }
      assert.fail(`${set}: no error`);
    };
    const fromLibrary = message(library), fromCli = message(() => resolveConfig(e, "quick", [set]));
    assert.ok(fromLibrary.endsWith(tail), `library: ${fromLibrary}`);
    assert.ok(fromCli.endsWith(tail), `--set ${set}: ${fromCli}`);
  };
  both(
    () => algorithm("wgan", { optimizer: { kind: "rmsprop", lr: -1, alpha: 0.99, eps: 1e-8 } }),
    "wgan.lr=-1",
    "optimizer.lr must be a number > 0, got -1",
  );
  both(
    () => algorithm("gan", { optimizer: { kind: "adam", lr: 2e-4, beta1: 1, beta2: 0.999, eps: 1e-8 } }),
    "gan.beta1=1",
    "optimizer.beta1 must be a number in [0, 1), got 1",
  );
  both(() => algorithm("wgan", { nCritic: 0 }), "wgan.nCritic=0", "nCritic must be an integer ≥ 1, got 0");
  both(
    () => mlpCritic({ seed: 0, inputShape: [2], hidden: 0 }),
    "generator.hidden=0",
    "hidden must be an integer ≥ 1, got 0",
  );
  both(
    () => mlpCritic({ seed: 0, inputShape: [2], init: "xavier" as never }),
    "wgan.critic.init=xavier",
    `init must be dcgan, torch-default, gan-toy, he or a positive standard deviation, got "xavier"`,
  );
});

Deno.test("a combination the library cannot train is refused when the configuration is resolved, naming the key", () => {
  assert.throws(
    () => resolveConfig(findExperiment("mnist-gp-vs-clip"), "quick", ["wgan-gp.critic.norm=batch"]),
    /^UsageError: Cannot use arm wgan-gp: critic\.norm must be layer or none under a gradient penalty \(.*\), got "batch"$/,
  );
  assert.throws(
    () => resolveConfig(findExperiment("mnist-gp-vs-clip"), "quick", ["wgan-div.critic.norm=batch"]),
    /Cannot use arm wgan-div: critic\.norm must be layer or none under a gradient penalty/,
  );
  // clipping and the standard GAN keep their batch-norm critics
  assert.equal(resolveConfig(findExperiment("mnist-dcgan"), "quick").arms[0].critic.kind, "dcgan");
});
