// Which feature stages a page may use: the control flag (KV pl-control, read through the stage
// runtime's ControlPlane and cached briefly) AND the request's own switches, which can only turn off.
import { FEATURES, type DocOptions, type FeatureName } from '@paperline/contracts';

export type FeatureSet = Record<FeatureName, boolean>;

/** What layout needs of the control plane (ControlPlane from @paperline/stage fits). */
export interface FeatureSource {
  features(): Promise<FeatureSet>;
}

export const DEFAULT_FEATURE_CACHE_MS = 2000;

/** Reads the flags at most once per `ttlMs`; concurrent callers share one read. */
export class CachedFeatures implements FeatureSource {
  private value: Promise<FeatureSet> | undefined;
  private readAt = 0;

  constructor(
    private readonly source: () => Promise<FeatureSource>,
    private readonly ttlMs = DEFAULT_FEATURE_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  features(): Promise<FeatureSet> {
    if (!this.value || this.now() - this.readAt >= this.ttlMs) {
      this.readAt = this.now();
      const read = this.source().then((s) => s.features());
      // a failed read is not cached: the next page asks again
      read.catch(() => {
        if (this.value === read) this.value = undefined;
      });
      this.value = read;
    }
    return this.value;
  }
}

export function effectiveFeatures(flags: FeatureSet, options: Pick<DocOptions, 'features'>): FeatureSet {
  return Object.fromEntries(FEATURES.map((f) => [f, flags[f] && options.features[f] !== false])) as FeatureSet;
}
