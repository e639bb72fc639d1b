import assert from "node:assert/strict";
import {
  compactSeeds,
  parseProtocol,
  pilotSeedWarning,
  protocol,
  PROTOCOL_URL,
  protocolStanding,
} from "../../repro/config/protocol.ts";

import { defaultSeeds, profileSettings, resolveConfig } from "../../repro/config/resolve.ts";
import { verdictMarkdown } from "../../repro/analysis/verdict_markdown.ts";
import { experiments, findExperiment } from "../../repro/config/registry.ts";

const text = Deno.readTextFileSync(PROTOCOL_URL);

/** Experiments registered before their protocol entry: pilots only until a protocol version adds them. */
/** Experiments without a protocol entry yet (pilots only), and those on data the repository does not have. */
const PILOTS_ONLY = ["cifar10-dcgan", "gtsrb-dcgan"];

Deno.test("the protocol: every experiment has an entry (or is pilots-only); verdict seeds below the pilot seeds", () => {
  const p = protocol();
  assert.equal(p.rules, "v2");
  assert.match(p.fingerprint, /^[0-9a-f]{8}$/);
  for (const e of experiments()) {
    const entry = p.experiments[e.id];
    if (PILOTS_ONLY.includes(e.id)) {
      assert.equal(entry, undefined, `${e.id} has an entry now: take it off PILOTS_ONLY`);
      continue;
    }
    assert.ok(entry, `${e.id} has no protocol entry`);
    assert.ok(entry.seeds.every((s) => s < p.pilotSeedsFrom), e.id);
    // a claim needs min_runs runs per arm, and one seed left out must still leave enough for the tests to decide
    if (entry.claims.length) assert.ok(entry.seeds.length >= p.statistics.min_runs, `${e.id}: too few seeds`);
  }
  assert.deepEqual(
    Object.keys(p.experiments).sort(),
    experiments().map((e) => e.id).filter((id) => !PILOTS_ONLY.includes(id)).sort(),
  );
});

Deno.test("parseProtocol(): a wrong file gets one line naming the key", () => {
  assert.throws(() => parseProtocol("version = "), /^SyntaxError: Cannot read the protocol repro\/protocol.toml: /);
  assert.throws(
    () => parseProtocol(text.replace('seeds = "20-25"\niterations = 8000', 'seeds = "20-25,150"\niterations = 8000')),
    /experiments.mnist-mlp.seeds includes 150, a pilot seed \(verdict seeds are below pilot_seeds_from = 100\)/,
  );
  assert.throws(
    () => parseProtocol(text.replace('claims = ["adam-less-stable"]', 'claims = ["adam-is-bad"]')),
    /Cannot use the protocol repro\/protocol.toml: experiments.mnist-adam-vs-rmsprop.claims.0 .*"adam-is-bad"/,
  );
  assert.throws(() => parseProtocol(text.replace("alpha = 0.05", "alpha = 5")), /statistics.alpha/);
  assert.throws(() => parseProtocol(text + "\nsurprise = 1\n"), /surprise/);
  // the same text, the same fingerprint; any change, another
  assert.equal(parseProtocol(text).fingerprint, protocol().fingerprint);
  assert.notEqual(parseProtocol(text.replace("alpha = 0.05", "alpha = 0.01")).fingerprint, protocol().fingerprint);
});

Deno.test("the default profile runs the protocol's verdict seeds to its horizon at its cadence; others do not", () => {
  const e = findExperiment("mnist-mlp");
  const entry = protocol().experiments["mnist-mlp"];
  const d = profileSettings(e, "default");
  assert.equal(d.iterations, entry.iterations);
  assert.equal(d.evalEvery, entry.evalEvery);
  assert.deepEqual(defaultSeeds(e, "default", d), entry.seeds);
  assert.equal(resolveConfig(e, "default").settings.iterations, entry.iterations);
  const q = profileSettings(e, "quick");
  assert.deepEqual(q, e.profiles.quick);
  assert.deepEqual(defaultSeeds(e, "quick", q), [0, 1]);
  // --set seeds=3 on the default profile: three seeds from 0, not the verdict seeds
  assert.deepEqual(defaultSeeds(e, "default", { ...d, seeds: 3 }), [0, 1, 2]);
});

Deno.test("protocolStanding(): under the protocol, a pilot, or exploratory with the differences named", () => {
  const entry = protocol().experiments["mnist-dcgan"];
  const under = protocolStanding("mnist-dcgan", { ...entry, seeds: [...entry.seeds].reverse() });
  assert.equal(under.kind, "protocol");
  assert.deepEqual(under.differences, []);
  const pilot = protocolStanding("mnist-dcgan", { seeds: [100, 101], iterations: 3000, evalEvery: 100 });
  assert.equal(pilot.kind, "pilot");
  assert.deepEqual(pilot.differences, [
    `seeds 100-101 (the protocol's: ${compactSeeds(entry.seeds)})`,
    `3000 iterations (${entry.iterations})`,
  ]);
  const explore = protocolStanding("mnist-dcgan", { seeds: [20, 21], iterations: entry.iterations, evalEvery: 50 });
  assert.equal(explore.kind, "exploratory");
  assert.match(
    pilotSeedWarning(findExperiment("mnist-dcgan"), explore, [20, 21, 150])!,
    /seeds 20-21 are mnist-dcgan's verdict seeds/,
  );
  assert.equal(pilotSeedWarning(findExperiment("mnist-dcgan"), explore, [0, 1]), null);
  assert.equal(compactSeeds([5, 1, 2, 3, 9, 8]), "1-3,5,8-9");
  // an experiment not yet in the protocol: pilots and exploratory runs only, no claim judged, no verdict-seed warning
  const p = protocol();
  const without = {
    ...p,
    experiments: Object.fromEntries(Object.entries(p.experiments).filter(([k]) => k !== "mnist-dcgan")),
  };
  const early = protocolStanding("mnist-dcgan", { seeds: [20, 21], iterations: 100, evalEvery: 10 }, without);
  assert.equal(early.kind, "exploratory");
  assert.deepEqual(early.differences, [`no entry in protocol v${p.version} (${p.path}): no claim is judged`]);
  assert.equal(
    protocolStanding("mnist-dcgan", { seeds: [100], iterations: 100, evalEvery: 10 }, without).kind,
    "pilot",
  );
});

Deno.test("verdict.md states the folder's standing: the protocol it was judged under, or what differs from it", () => {
  const e = findExperiment("toy-deep-critic");
  const base = {
    iterations: 1000,
    seeds: 6,
    hardwareId: "h",
    backend: "native",
    commit: "c",
    arms: [],
    primary: "w1",
    coverage: null,
    statistics: protocol().statistics,
  };
  const under = verdictMarkdown(e, "default", [], {
    ...base,
    standing: { kind: "protocol", version: 4, fingerprint: "0123abcd", differences: [] },
  });
  assert.match(under, /Judged under protocol v4 \(repro\/protocol.toml, fingerprint 0123abcd\): its verdict seeds/);
  assert.match(under, /a folder rebuilt later is judged under the protocol of its rebuild/);
  const off = verdictMarkdown(e, "default", [], {
    ...base,
    standing: { kind: "exploratory", version: 4, fingerprint: "0123abcd", differences: ["500 iterations (1000)"] },
  });
  assert.match(off, /Exploratory: not under protocol v4 \(500 iterations \(1000\)\)/);
});
