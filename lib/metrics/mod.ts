/**
 * Sample-quality metrics that need no downloaded weights.
 *
 * @module
 */
export { exactW1, optimalAssignment } from "./exact_w1.ts";
