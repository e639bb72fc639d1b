import type { ArmSummary } from "../../repro/analysis/arm_summary.ts";

/** The per-arm medians and counts rules v1 never read: neutral values for hand-built v1 summaries. */
export function unreadByV1(spearman: number, endQuality: number): Pick<
  ArmSummary,
  | "spearmanMedian"
  | "endQuality"
  | "stillImprovingRuns"
  | "coverageMedian"
  | "throughputMedian"
  | "relapsedRuns"
  | "spikesMedian"
  | "negativeCosineShareMedian"
> {
  return {
    spearmanMedian: spearman,
    endQuality: { median: endQuality, min: endQuality, max: endQuality },
    stillImprovingRuns: 0,
    coverageMedian: 8,
    throughputMedian: 10,
    relapsedRuns: 0,
    spikesMedian: 0,
    negativeCosineShareMedian: NaN,
  };
}
