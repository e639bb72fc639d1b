/**
 * Algorithms as data: loss + Lipschitz term + optimizer + schedule.
 *
 * @module
 */
export {
  algorithm,
  ALGORITHM_NAMES,
  type AlgorithmName,
  type AlgorithmOverrides,
  ALGORITHMS,
  type AlgorithmSpec,
  criticIterations,
} from "./algorithm.ts";
