/**
 * A user's own project imports the library by path, with no import map of ours: every npm dependency of lib/ is a
 * full `npm:` specifier, so nothing resolves through this repository's deno.json.
 */
import assert from "node:assert/strict";
import { lastJsonLine, runDeno } from "./subprocess.ts";
import { tempDir } from "./temp.ts";

Deno.test({
  name: "the library trains from a project outside this repository (no deno.json of ours)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await tempDir({ prefix: "wgan-bench-user-" });
    const mod = new URL("../mod.ts", import.meta.url).href;
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { algorithm, mlpCritic, mlpGenerator, selectBackend, toyDataset, train, Trainer } from "${mod}";
const info = await selectBackend("cpu");
const trainer = new Trainer({
  generator: mlpGenerator({ seed: 1, noiseDim: 2, outputShape: [2], hidden: 16, hiddenLayers: 2 }),
  critic: mlpCritic({ seed: 2, inputShape: [2], hidden: 16, hiddenLayers: 2, activation: "leaky-relu" }),
  algorithm: algorithm("wgan-gp", { batchSize: 32 }),
  data: toyDataset("8gaussians"),
  seed: 0,
});
const r = await train(trainer, { iterations: 2 });
console.log(JSON.stringify({ backend: info.name, iterations: r.iterations, estimate: r.stats?.wassersteinEstimate }));
`,
    );
    const out = await runDeno(["run", "--quiet", "--allow-read", "--allow-env", "--allow-sys", "main.ts"], {
      cwd: dir,
    });
    assert.equal(out.code, 0, out.stderr);
    const r = lastJsonLine<{ backend: string; iterations: number; estimate: number }>(out.stdout);
    assert.equal(r.backend, "cpu");
    assert.equal(r.iterations, 2);
    assert.ok(Number.isFinite(r.estimate));
  },
});
