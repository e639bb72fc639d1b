/**
 * How generated samples spread over the classes a classifier assigns them to.
 *
 * @module
 */

/**
 * Class statistics of generated samples: how many classes receive at least a
 * fifth of a uniform share, and KL(histogram ‖ uniform) in nats (0 for a
 * perfectly balanced generator, log(classes) for total collapse).
 *
 * @example
 * ```ts
 * import { classCoverage } from "wgan-bench";
 * const c = classCoverage(new Int32Array(100).fill(3), 10);
 * if (c.classesCovered !== 1 || Math.abs(c.klToUniform - Math.log(10)) > 1e-12) throw new Error("collapse");
 * ```
 */
export function classCoverage(predicted: Int32Array, classes: number): { classesCovered: number; klToUniform: number } {
  const counts = new Array(classes).fill(0);
  predicted.forEach((c) => counts[c]++);
  const n = predicted.length;
  let kl = 0;
  for (const c of counts) if (c > 0) kl += (c / n) * Math.log((c / n) * classes);
  return { classesCovered: counts.filter((c) => c >= 0.2 * n / classes).length, klToUniform: kl };
}
