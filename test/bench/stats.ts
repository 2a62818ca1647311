// Order statistics for the benchmarks' figures.

/** The p-th percentile of `values` (the nearest rank at or below it); the median is p = 50. NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
