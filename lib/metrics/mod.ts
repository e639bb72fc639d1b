/**
 * Sample-quality metrics that need no downloaded weights: exact W1 and mode
 * coverage for the toys; a self-trained LeNet-like classifier's feature
 * space for Fréchet and kernel distances (the FID and KID formulas, not
 * Inception FID/KID) and class coverage on images.
 *
 * @module
 */
export { exactW1, optimalAssignment } from "./exact_w1.ts";
export { type ModeCoverage, modeCoverage } from "./toy_modes.ts";
export { frechetDistance, meanAndCovariance } from "./frechet.ts";
export { kernelDistance } from "./kernel_distance.ts";
export { classCoverage } from "./class_coverage.ts";
export { inactiveUnitShares } from "./inactive_units.ts";
export { lipschitzScaledShare, pairLipschitz, valueSurface } from "./critic_fit.ts";
export { activationGradientNorms, type WeightStatistics, weightStatistics } from "./layer_diagnostics.ts";
export {
  calibrateRecognisability,
  type Recognisability,
  type RecognisableJudgements,
  type RecognisableStats,
} from "./recognisable.ts";
export { matMul, sqrtPsd, symmetricEigen } from "./linalg.ts";
export {
  CLASSIFIER_BATCH,
  CLASSIFIER_IMAGES,
  classifierAccuracyFloor,
  type ClassifierOptions,
  FEATURE_DIM,
  FEATURE_NET,
  type FeatureClassifier,
  trainClassifier,
} from "./classifier.ts";
