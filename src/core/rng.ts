// A small seeded random generator whose whole state is one number, so the trainer can checkpoint it in JSON and a
// resumed run draws exactly the same batches as an uninterrupted one. Math.random cannot be seeded or saved.
// Algorithm: mulberry32 (public-domain 32-bit generator; plenty for shuffling rows and picking demonstrations).
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }

  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number { return Math.floor(this.next() * n); }

  /** Integer in [lo, hi], both ends included. */
  range(lo: number, hi: number): number { return lo + this.int(hi - lo + 1); }

  /** true with probability p. */
  chance(p: number): boolean { return this.next() < p; }

  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(xs: readonly T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) { const j = this.int(i + 1); [a[i], a[j]] = [a[j], a[i]]; }
    return a;
  }

  /** A 31-bit seed for the engine's sampler, derived from this stream. */
  seed(): number { return Math.floor(this.next() * 0x7fffffff); }

  get state(): number { return this.s; }
  set state(v: number) { this.s = v >>> 0; }
}
