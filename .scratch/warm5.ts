import { selectBackend } from "../mod.ts";
import { stepFixture } from "../bench/fixtures.ts";
import { warmUp } from "../bench/export.ts";
await selectBackend("native");
const fx = stepFixture("mlp-28", "wgan", "critic", 32);
await warmUp(fx.run);
const t: number[] = [];
for (let i = 0; i < 600; i++) { const t0 = performance.now(); await fx.run(); t.push(performance.now() - t0); }
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
for (let c = 0; c < 600; c += 60) console.log(c, med(t.slice(c, c + 60)).toFixed(2), Math.min(...t.slice(c, c + 60)).toFixed(2), Math.max(...t.slice(c, c + 60)).toFixed(2));
console.log(t.slice(0, 40).map((x) => x.toFixed(1)).join(" "));
