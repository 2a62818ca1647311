import { GatewayError } from './errors.js';

/**
 * Counts uploads in progress, overall and per owner (an API key's id, or the client address on
 * an open gateway); take() refuses one past either cap with TOO_MANY_UPLOADS (429), before a
 * byte of the body is read.
 */
export class UploadSlots {
  private total = 0;
  private readonly perOwner = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerOwner: number,
  ) {}

  /** Takes a slot; the returned function gives it back (once). */
  take(owner: string): () => void {
    const mine = this.perOwner.get(owner) ?? 0;
    if (this.total >= this.maxTotal) throw new GatewayError('TOO_MANY_UPLOADS', `${this.maxTotal} uploads are in progress; retry later`);
    if (mine >= this.maxPerOwner) throw new GatewayError('TOO_MANY_UPLOADS', `${this.maxPerOwner} uploads of this key are in progress; retry later`);
    this.total++;
    this.perOwner.set(owner, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const left = (this.perOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.perOwner.set(owner, left);
      else this.perOwner.delete(owner);
    };
  }

  get inProgress(): number {
    return this.total;
  }
}
