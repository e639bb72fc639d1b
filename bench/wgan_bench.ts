/**
 * `deno bench`: one critic step and one generator step for each model × algorithm at batch 64.
 * Backend: WGAN_BENCH_BACKEND (default auto). Models: WGAN_BENCH_MODELS (comma list, default all).
 * Each group's baseline is the clipped WGAN, so `deno bench` prints every algorithm's cost relative to it.
 */
import { type BackendName, selectBackend } from "../mod.ts";
import { BENCH_ALGORITHMS, BENCH_MODELS, type BenchModel, stepFixture } from "./fixtures.ts";

const backend = await selectBackend((Deno.env.get("WGAN_BENCH_BACKEND") ?? "auto") as BackendName);
const wanted = (Deno.env.get("WGAN_BENCH_MODELS")?.split(",") ?? BENCH_MODELS) as BenchModel[];
console.log(`backend: ${backend.name} (${backend.device})`);

for (const model of BENCH_MODELS.filter((m) => wanted.includes(m))) {
  // heavy steps get fewer timed iterations (Deno.bench's own default targets many iterations)
  const n = model === "mlp-28" ? 20 : model === "dcgan-32" ? 3 : 2;
  for (const kind of ["critic", "generator"] as const) {
    for (const alg of BENCH_ALGORITHMS) {
      const fixture = stepFixture(model, alg, kind);
      await fixture.run(); // warm-up outside the timing: kernels compiled, slots allocated
      Deno.bench({
        name: `${alg} ${kind} step`,
        group: `${model} ${kind} (batch 64, ${backend.name})`,
        baseline: alg === "wgan",
        n,
        warmup: 1,
        async fn() {
          await fixture.run();
        },
      });
    }
  }
}
