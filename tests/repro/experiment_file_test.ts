/**
 * Experiments as files (issue #28): the built-in files, the schema's one-line errors (file, line, key, the closest
 * valid key) in TOML, YAML and JSON, `--print-config`'s round trip, and a user's file run end to end through the CLI
 * (workers, resume, its own protocol's verdicts, merge and rebuild from the folder's record).
 */
import assert from "node:assert/strict";
import { stringify as stringifyYaml } from "yaml";
import { parse as parseToml } from "smol-toml";
import { BUILT_IN_ORDER, experimentIds, experiments, findExperiment } from "../../repro/config/registry.ts";
import {
  experimentToml,
  parseExperimentText,
  printedProtocol,
  readExperimentFile,
  tomlKeyLines,
} from "../../repro/config/experiment_file.ts";
import { PROFILES, resolveConfig } from "../../repro/config/resolve.ts";
import { protocol, protocolEntry } from "../../repro/config/protocol.ts";
import { tempDir } from "../temp.ts";
import { runCli, timelessTable } from "./cli_helpers.ts";

const STUDY = `# WGAN-GP at λ = 5 beside the method's λ = 10, on Fashion-MNIST
id = "fashion-gp-lambda"
title = "WGAN-GP: λ = 5 vs λ = 10 on Fashion-MNIST"
data = { kind = "image", dataset = "fashion-mnist" }

[profiles]
default = { iterations = 3000 }

[[arms]]
id = "wgan-gp"
algorithm = "wgan-gp"
generator = { kind = "dcgan" }
critic = { kind = "dcgan", norm = "layer" }

[[arms]]
id = "wgan-gp-lambda5"
algorithm = "wgan-gp"
overrides.lipschitz = { kind = "gp", lambda = 5 }
generator = { kind = "dcgan" }
critic = { kind = "dcgan", norm = "layer" }

[protocol]
seeds = "0-5"
iterations = 3000
evalEvery = 100
claims = ["better-end-quality"]

[[protocol.instances]]
claim = "better-end-quality"
arms = { better = "wgan-gp-lambda5", other = "wgan-gp" }
`;

/** The error a text gets, as the CLI would print it. */
function errorOf(text: string, path = "study.toml"): string {
  try {
    parseExperimentText(text, path);
  } catch (e) {
    return String((e as Error).message);
  }
  throw new Error("expected the file to be refused");
}

Deno.test("every built-in experiment is a file in experiments/, named by its id, listed in order", () => {
  const ids = experimentIds();
  assert.deepEqual(ids, [...BUILT_IN_ORDER]);
  const files = [...Deno.readDirSync(new URL("../../experiments/", import.meta.url))].map((e) => e.name).sort();
  assert.deepEqual(files, ids.map((id) => `${id}.toml`).sort());
  for (const e of experiments()) {
    assert.equal(e.file, undefined, `${e.id}: a built-in has no file record`);
    assert.equal(e.protocol, undefined, `${e.id}: a built-in's protocol is repro/protocol.toml's`);
    for (const p of PROFILES) resolveConfig(e, p);
  }
});

Deno.test("a built-in file may not carry its own [protocol]", () => {
  const text = Deno.readTextFileSync(new URL("../../experiments/mnist-dcgan.toml", import.meta.url)) +
    '\n[protocol]\nseeds = "0-5"\niterations = 10\nevalEvery = 5\nclaims = []\n';
  assert.throws(() => parseExperimentText(text, "experiments/mnist-dcgan.toml", { builtIn: true }), /repro\/protocol/);
});

Deno.test("a user's file: defaults of its data kind, its own protocol, the claim's arms bound by role", () => {
  const e = parseExperimentText(STUDY, "/home/me/study.toml");
  assert.equal(e.id, "fashion-gp-lambda");
  assert.deepEqual(e.data, { kind: "image", dataset: "fashion-mnist" });
  assert.equal(e.noiseDim, 100);
  assert.equal(e.profiles.default.iterations, 3000);
  assert.equal(e.profiles.default.width, 16, "the image profile's other settings");
  assert.equal(e.profiles.quick.iterations, 6);
  assert.deepEqual(e.secondsPerIteration, { "wgan-gp": 1, "wgan-gp-lambda5": 1 });
  assert.equal(e.file?.path, "/home/me/study.toml");
  assert.match(e.file!.fingerprint, /^[0-9a-f]{8}$/);
  assert.deepEqual(e.protocol, {
    seeds: [0, 1, 2, 3, 4, 5],
    iterations: 3000,
    evalEvery: 100,
    claims: ["better-end-quality"],
    instances: [{ claim: "better-end-quality", arms: { better: "wgan-gp-lambda5", other: "wgan-gp" } }],
  });
  // the default profile runs the file's protocol: its seeds, horizon and cadence
  assert.deepEqual(protocolEntry(e), e.protocol);
  const config = resolveConfig(e, "default");
  assert.equal(config.settings.evalEvery, 100);
  assert.equal(config.settings.seeds, 6);
  const lambdas = config.arms.map((a) => a.algorithm.lipschitz);
  assert.deepEqual(lambdas, [{ kind: "gp", lambda: 10 }, { kind: "gp", lambda: 5 }]);
});

Deno.test("the same experiment in TOML, YAML and JSON", () => {
  const raw = parseToml(STUDY);
  const toml = parseExperimentText(STUDY, "s.toml");
  const yaml = parseExperimentText(stringifyYaml(raw), "s.yaml");
  const json = parseExperimentText(JSON.stringify(raw, null, 2), "s.json");
  const strip = (e: typeof toml) => ({ ...e, file: undefined, source: undefined });
  assert.deepEqual(strip(yaml), strip(toml));
  assert.deepEqual(strip(json), strip(toml));
  assert.throws(() => parseExperimentText(STUDY, "s.txt"), /expected a name ending in \.toml, \.yaml, \.yml, \.json/);
});

Deno.test("tomlKeyLines(): headers, dotted and quoted keys, inline tables, arrays of tables", () => {
  const lines = tomlKeyLines(
    [
      'id = "x"', // 1
      "[profiles]", // 2
      "quick = { iterations = 4, hidden = 8 }", // 3
      "[[arms]]", // 4
      'id = "a"', // 5
      'overrides.lipschitz = { kind = "clip", c = 0.1 }', // 6
      "[[arms]]", // 7
      'critic = { kind = "mlp", init = "he" } # a comment = not a key', // 8
      "claims = [", // 9
      '  "x = y",', // 10
      "]", // 11
      '"quoted.key" = 1', // 12
    ].join("\n"),
  );
  assert.equal(lines.get("id"), 1);
  assert.equal(lines.get("profiles.quick.hidden"), 3);
  assert.equal(lines.get("arms.0"), 4);
  assert.equal(lines.get("arms.0.overrides.lipschitz.c"), 6);
  assert.equal(lines.get("arms.1"), 7);
  assert.equal(lines.get("arms.1.critic.init"), 8);
  assert.equal(lines.get("arms.1.claims"), 9);
  assert.equal(lines.get("arms.1.x"), undefined, "inside a multi-line array");
  assert.equal(lines.get("arms.1.quoted.key"), 12);
});

Deno.test("a bad file gets one line naming the file, the line and the key (the closest valid key for a typo)", () => {
  const edit = (from: string, to: string) => {
    assert.ok(STUDY.includes(from), from);
    return STUDY.replace(from, to);
  };
  const cases: [string, RegExp][] = [
    [
      edit("lambda = 5", "lamda = 5"),
      /^Cannot use experiment file study\.toml, line 18: unknown key "lamda" in arm "wgan-gp-lambda5" \(the 2nd \[\[arms\]\]\): overrides\.lipschitz \(did you mean "lambda"\?\)$/,
    ],
    [edit('title = "', 'titel = "'), /, line 3: unknown key "titel" \(did you mean "title"\?\)$/],
    [edit("iterations = 3000 }", "iteratons = 3000 }"), /, line 7: unknown key "iteratons" in profiles\.default/],
    [
      edit('norm = "layer" }\n\n[[arms]]', 'norm = "batch" }\n\n[[arms]]'),
      /, line 9: arm "wgan-gp" \(the 1st \[\[arms\]\]\), under profile quick: critic\.norm must be layer or none under a gradient penalty/,
    ],
    [
      edit('kind = "dcgan" }', 'kind = "dcgn" }'),
      /, line 12: .*generator\.kind must be a generator of kind .* got "dcgn"$/,
    ],
    [edit("lambda = 5", "lambda = -5"), /, line 18: .*overrides\.lipschitz\.lambda must be a number ≥ 0, got -5$/],
    [edit('id = "wgan-gp-lambda5"', 'id = "wgan-gp"'), /, line 16: arm id "wgan-gp" is used twice$/],
    [
      edit('other = "wgan-gp" }', 'other = "wgan-gpp" }'),
      /, line 30: .*other = "wgan-gpp" names no arm \(did you mean "wgan-gp"\?\)$/,
    ],
    [
      edit("arms = { better", "arms = { best"),
      /, line 30: .*reads the arms better = ARM, other = ARM; "best" is not one of them/,
    ],
    [
      edit('claims = ["better-end-quality"]', "claims = []"),
      /, line 29: .*claim "better-end-quality" is not in protocol\.claims/,
    ],
    [edit('seeds = "0-5"', 'seeds = "zero"'), /, line 23: protocol\.seeds must be a seed list/],
    [edit('data = { kind = "image"', 'data = { kind = "images"'), /, line 4: data\.kind must be \{ kind = "toy"/],
    [edit("[profiles]", "[profiles\n"), /, line 6: not valid TOML/],
    [
      edit('generator = { kind = "dcgan" }', 'generator = { kind = "noisy-data", sigma = 1 }'),
      /, line 12: .*"noisy-data"\) needs toy data$/,
    ],
    [
      STUDY + "\n[secondsPerIteration]\nwgan-gp-lambda = 1\n",
      /, line 33: secondsPerIteration\.wgan-gp-lambda names no arm \(did you mean "wgan-gp-lambda5"\?\)/,
    ],
  ];
  for (const [text, want] of cases) {
    const message = errorOf(text);
    assert.match(message, want);
    assert.ok(!message.includes("\n"), `one line: ${message}`);
  }
  // YAML and JSON name the line too
  const raw = parseToml(STUDY) as { arms: { overrides?: { lipschitz?: Record<string, unknown> } }[] };
  raw.arms[1].overrides!.lipschitz = { kind: "gp", lamda: 5 };
  const yaml = stringifyYaml(raw);
  const yamlLine = yaml.split("\n").findIndex((l) => l.includes("lamda")) + 1;
  assert.match(errorOf(yaml, "s.yaml"), new RegExp(`, line ${yamlLine}: unknown key "lamda" .*did you mean "lambda"`));
  const json = JSON.stringify(raw, null, 2);
  const jsonLine = json.split("\n").findIndex((l) => l.includes("lamda")) + 1;
  assert.match(errorOf(json, "s.json"), new RegExp(`, line ${jsonLine}: unknown key "lamda"`));
  assert.match(
    errorOf('{ "id": "x",\n  "title": }', "s.json"),
    /^Cannot use experiment file s\.json(, line 2)?: not valid JSON \(Unexpected token/,
  );
  assert.match(errorOf("id: x\ntitle: [a\n", "s.yaml"), /s\.yaml, line \d: not valid YAML/);
});

Deno.test("readExperimentFile(): a missing file or a folder is one line", async () => {
  const dir = await tempDir();
  await assert.rejects(
    readExperimentFile(`${dir}/nope.toml`),
    /^UsageError: Cannot read experiment file .*nope\.toml: no such file$/,
  );
  await Deno.mkdir(`${dir}/d.toml`);
  await assert.rejects(readExperimentFile(`${dir}/d.toml`), /d\.toml: it is a folder/);
});

Deno.test("--print-config's file resolves to the same configuration, for every built-in experiment and profile", () => {
  const sets = [[], ["critic.width=8", "lr=3e-4", "batchSize=32", "evalEvery=7"]];
  for (const e of experiments()) {
    for (const profile of PROFILES) {
      for (const set of sets) {
        let config;
        try {
          config = resolveConfig(e, profile, set);
        } catch {
          continue; // a --set key this experiment lacks (an MLP critic has no width)
        }
        // the protocol entry goes with the file only when the configuration is the experiment's own default run
        const entry = printedProtocol(e, config);
        if (profile !== "default" || set.length) assert.equal(entry, null, `${e.id} ${profile} ${set.join(" ")}`);
        const text = experimentToml(e, config, entry ? { entry, from: "test" } : null, "test");
        const back = parseExperimentText(text, `${e.id}.toml`);
        assert.deepEqual(resolveConfig(back, "default"), config, `${e.id} ${profile} ${set.join(" ")}`);
        assert.deepEqual(back.arms.map((a) => a.id), e.arms.map((a) => a.id));
        assert.deepEqual(back.data, e.data);
        if (entry) {
          assert.deepEqual(
            { ...back.protocol, instances: undefined },
            { ...entry, instances: undefined },
            `${e.id}: the protocol entry travels with the file`,
          );
        }
        // printed again: the same text
        assert.equal(
          experimentToml(back, resolveConfig(back, "default"), null, "test"),
          experimentToml(e, config, null, "test"),
        );
      }
    }
  }
  assert.ok(protocol().experiments["mnist-dcgan"]);
  assert.equal(findExperiment("mnist-dcgan").arms.length, 2);
});

Deno.test({
  name: "a TOML experiment file outside the repository runs end to end: workers, resume, its verdicts, merge, rebuild",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await tempDir();
    const file = `${dir}/toy-study.toml`;
    await Deno.writeTextFile(
      file,
      `id = "toy-study"
title = "8 Gaussians: the penalty at λ = 1 vs λ = 0.1"
data = { kind = "toy", toy = "8gaussians" }

[profiles]
quick = { iterations = 20, evalEvery = 10 }

[[arms]]
id = "gp-0.1"
algorithm = "wgan-gp"
overrides.lipschitz = { kind = "gp", lambda = 0.1 }
generator = { kind = "mlp", hidden = 16 }
critic = { kind = "mlp" }

[[arms]]
id = "gp-1"
algorithm = "wgan-gp"
overrides = { lipschitz = { kind = "gp", lambda = 1 } }
generator = { kind = "mlp", hidden = 16 }
critic = { kind = "mlp" }

[protocol]
seeds = "0-1"
iterations = 20
evalEvery = 10
claims = ["better-end-quality"]

[[protocol.instances]]
claim = "better-end-quality"
arms = { better = "gp-1", other = "gp-0.1" }
title = "the penalty at λ = 1 fits 8 Gaussians better than at 0.1"
`,
    );
    const args = [file, "--profile", "quick", "--backend", "cpu", "--jobs", "2", "--seeds", "0-1"];
    const first = await runCli([...args, "--out", `${dir}/out`]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /\[inconclusive\] the penalty at λ = 1 fits 8 Gaussians better than at 0\.1: /);
    const verdict = await Deno.readTextFile(`${dir}/out/verdict.md`);
    assert.match(
      verdict,
      /Judged under the \[protocol\] of the experiment file .*toy-study\.toml \(fingerprint [0-9a-f]{8}\)/,
    );
    const stored = JSON.parse(await Deno.readTextFile(`${dir}/out/config.json`));
    assert.equal(stored.tables.experiment, "toy-study");
    assert.equal(stored.tables.experimentSpec.file.path, file);
    assert.equal(stored.config.arms[0].generator.hidden, 16, "a network's own width");
    assert.equal(stored.config.arms[0].critic.hidden, 64, "the profile's width");
    const rows = await timelessTable(`${dir}/out/steps.csv`);
    assert.deepEqual([...new Set(rows.map((r) => `${r.arm}/${r.seed}`))], ["gp-0.1/0", "gp-0.1/1", "gp-1/0", "gp-1/1"]);
    assert.ok(rows.every((r) => r.experiment === "toy-study"));
    // the same command again: everything finished, nothing trains, the same tables
    const again = await runCli([...args, "--out", `${dir}/out`]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await timelessTable(`${dir}/out/steps.csv`), rows);
    // an edited file (another arm setting) does not continue the folder
    await Deno.writeTextFile(file, (await Deno.readTextFile(file)).replace("lambda = 1 }", "lambda = 2 }"));
    const edited = await runCli([...args, "--out", `${dir}/out`]);
    assert.equal(edited.code, 2, edited.stderr);
    assert.match(edited.stderr, /^error: Cannot .*lambda: 1 vs 2|^error: Cannot .*lambda/m);
    // merge and rebuild read the experiment from the folder (the file has changed since)
    const merged = await runCli(["merge", `${dir}/out`, "--out", `${dir}/merged`]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.deepEqual(await timelessTable(`${dir}/merged/steps.csv`), rows);
    const rebuilt = await runCli(["rebuild", `${dir}/out`, "--out", `${dir}/rebuilt`]);
    assert.equal(rebuilt.code, 0, rebuilt.stderr);
    assert.equal(
      await Deno.readTextFile(`${dir}/rebuilt/summary.csv`),
      await Deno.readTextFile(`${dir}/out/summary.csv`),
    );
    // a misspelt key: one line, exit 2, nothing written
    await Deno.writeTextFile(
      `${dir}/bad.toml`,
      (await Deno.readTextFile(file)).replace("evalEvery = 10 }", "evalEvry = 10 }"),
    );
    const bad = await runCli([`${dir}/bad.toml`, "--profile", "quick", "--out", `${dir}/bad-out`]);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr.trim(),
      `error: Cannot use experiment file ${dir}/bad.toml, line 6: unknown key "evalEvry" in profiles.quick (did you mean "evalEvery"?)`,
    );
    await assert.rejects(Deno.stat(`${dir}/bad-out`));
  },
});

Deno.test("the documented study (docs/experiment-files.md) is a valid experiment file", () => {
  const doc = Deno.readTextFileSync(new URL("../../docs/experiment-files.md", import.meta.url));
  const block = /```toml\n([\s\S]*?)```/.exec(doc)![1];
  const e = parseExperimentText(block, "fashion-gp-lambda.toml");
  assert.deepEqual(e.arms.map((a) => a.id), ["wgan-gp", "wgan-gp-lambda5"]);
  assert.equal(resolveConfig(e, "default").settings.iterations, 3000);
  assert.equal(resolveConfig(e, "quick").settings.iterations, 20);
  assert.deepEqual(e.protocol?.instances[0].arms, { better: "wgan-gp-lambda5", other: "wgan-gp" });
});
