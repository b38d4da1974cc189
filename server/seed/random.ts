/**
 * Deterministic randomness for generated data. In TypeScript: a seedable
 * PRNG (mulberry32). In SQL: a uniform draw from hashing a row's generator
 * index, so a row's values depend only on (seed, index, draw number), never on
 * the order PostgreSQL evaluates rows in.
 */

export type Random = () => number;

/** mulberry32: small, fast, seedable; uniform in [0, 1). */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
export function normal(random: Random): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * SQL for a uniform draw in [0, 1) from the bigint expression `index`: the low
 * 52 bits of `hashint8extended(index, seed * 1000 + draw)` (exact in float8).
 * `seedParam` is the placeholder of the bigint seed (`$1`).
 */
export function sqlUniform(index: string, seedParam: string, draw: number): string {
  return `((hashint8extended(${index}, ${seedParam}::bigint * 1000 + ${draw}) & 4503599627370495)::float8 / 4503599627370496.0)`;
}

/** Cumulative lower bounds [0, w1, w1 + w2, ...] / total, for `width_bucket(u, bounds)` (1-based). */
export function lowerBounds(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0)) throw new Error('weights must have a positive sum');
  const bounds: number[] = [];
  let running = 0;
  for (const w of weights) {
    bounds.push(running / total);
    running += w;
  }
  return bounds;
}
