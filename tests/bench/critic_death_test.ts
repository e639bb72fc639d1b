import assert from "node:assert/strict";
import { compareSides, criticDeath, DEAD_MIN_ITERATIONS, readSwitch } from "../../bench/critic_death.ts";

const logged = (estimates: number[], every = 10) =>
  estimates.map((estimate, i) => ({ step: (i + 1) * every, estimate }));

Deno.test("critic death: a final stretch of exact zeros over at least DEAD_MIN_ITERATIONS, to the last step", () => {
  assert.equal(DEAD_MIN_ITERATIONS, 100);
  // alive: no zero at all
  assert.deepEqual(criticDeath(logged([3, 2, 1, 0.5])), { firstZero: null, deadFrom: null, lastStep: 40 });
  // a zero that the critic recovers from is recorded, not a death
  const transient = criticDeath(logged([3, 0, 0, 1, 0.5]));
  assert.equal(transient.firstZero, 20);
  assert.equal(transient.deadFrom, null);
  // zeros from step 40 to 160 (120 iterations): dead from 40, first zero at 20 (a transient one before)
  const dead = criticDeath(logged([3, 0, 0.2, ...Array(13).fill(0)]));
  assert.deepEqual(dead, { firstZero: 20, deadFrom: 40, lastStep: 160 });
  // a final stretch of 90 iterations is too short to call
  assert.equal(criticDeath(logged([1, 1, 1, ...Array(10).fill(0)])).deadFrom, null);
  // exactly 100 iterations (11 logged zeros 10 apart) is enough; -0 is zero (the port writes -Loss_D)
  assert.equal(criticDeath(logged([1, -0, ...Array(10).fill(0)])).deadFrom, 20);
  // step 0 (no estimate) and NaN rows are ignored; order does not matter
  const rows = [{ step: 0, estimate: NaN }, ...logged([1, ...Array(11).fill(0)])].reverse();
  assert.equal(criticDeath(rows).deadFrom, 20);
  assert.throws(() => criticDeath([]), /without logged estimates/);
});

Deno.test("critic death: two sides agree when counts differ by ≤ 1 and medians by ≤ 750 iterations", () => {
  const c = compareSides([1000, null, 2000, null, null], [1500, 2200, null, null, null]);
  assert.deepEqual(c, { deadA: 2, deadB: 2, medianA: 1500, medianB: 1850, agree: true });
  // counts 3 against 1: differ
  assert.equal(compareSides([1000, 1100, 1200, null, null], [1000, null, null, null, null]).agree, false);
  // counts agree, medians 800 apart: differ
  assert.equal(compareSides([1000, null], [1800, null]).agree, false);
  // no death on one side, one on the other: agree (counts within 1, no median to compare)
  assert.deepEqual(compareSides([null, null], [2100, null]), {
    deadA: 0,
    deadB: 1,
    medianA: null,
    medianB: 2100,
    agree: true,
  });
});

Deno.test("critic death: a switch is decisive only when it kills all seeds against at most one, or saves all against all but one", () => {
  const x = null;
  assert.equal(readSwitch([1000, x, x, x, x], [900, 1200, 800, 2000, 2500]), "kills");
  assert.equal(readSwitch([1000, 1200, x, x, x], [900, 1200, 800, 2000, 2500]), "not decisive");
  assert.equal(readSwitch([1000, 1200, 900, 800, x], [x, x, x, x, x]), "saves");
  assert.equal(readSwitch([1000, 1200, 900, x, x], [x, x, x, x, x]), "not decisive");
  assert.equal(readSwitch([1000, 1200, x, x, x], [1000, 1200, 1300, x, x]), "not decisive");
});
