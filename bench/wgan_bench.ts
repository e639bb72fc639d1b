/**
 * `deno bench`: one critic step and one generator step for each model × algorithm at batch 64; each group's
 * baseline is the clipped WGAN, so it prints every algorithm's cost relative to it.
 *
 * Three ways to run it:
 * - `deno task bench` (= `deno bench -P=bench`, the permission set in deno.json): the fastest backend here
 *   (`auto`), every model; WGAN_BENCH_BACKEND and WGAN_BENCH_MODELS (comma list) choose;
 * - `deno bench -A`: the same;
 * - plain `deno bench`: no permissions, so no OpenBLAS (FFI), no wasm files (read) and no environment: the pure
 *   JavaScript `cpu` backend on the MLP steps, and one line saying so and how to get the fast backends.
 */
import { type BackendName, selectBackend } from "../mod.ts";
import { BENCH_ALGORITHMS, BENCH_MODELS, type BenchModel, stepFixture } from "./fixtures.ts";

const granted = (d: Deno.PermissionDescriptor) => {
  try {
    return Deno.permissions.querySync(d).state === "granted";
  } catch {
    return false;
  }
};
const env = (name: string) => granted({ name: "env", variable: name }) ? Deno.env.get(name) : undefined;
const fast = ["read", "env", "sys", "ffi"].every((name) => granted({ name } as Deno.PermissionDescriptor));
const backend = await selectBackend((env("WGAN_BENCH_BACKEND") ?? (fast ? "auto" : "cpu")) as BackendName);
const models = env("WGAN_BENCH_MODELS")?.split(",") ?? (fast ? BENCH_MODELS : ["mlp-28"]);
const wanted = models as BenchModel[];
console.log(`backend: ${backend.name} (${backend.device})`);
if (!fast) {
  console.log(
    "without permissions: the cpu backend (pure JavaScript) on the MLP steps only; `deno task bench` (or " +
      "`deno bench -P=bench`) times the fastest backend here (OpenBLAS/oneDNN, wasm or WebGPU) on every model",
  );
}

for (const model of BENCH_MODELS.filter((m) => wanted.includes(m))) {
  // heavy steps get fewer timed iterations (Deno.bench's own default targets many iterations); the pure-JS cpu
  // backend is ~10× slower than the others
  const n = backend.name === "cpu" ? 2 : model === "mlp-28" ? 20 : model === "dcgan-32" ? 3 : 2;
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
