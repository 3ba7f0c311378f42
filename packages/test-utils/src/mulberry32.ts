/**
 * mulberry32: a tiny seeded PRNG (32-bit state) returning floats in [0, 1). Same seed, same
 * sequence, so a failing randomized test can be replayed from its printed seed.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over a PRNG: an integer in [0, n), one element of a list, a boolean with probability p. */
export function randomTools(random: () => number) {
  const int = (n: number) => Math.floor(random() * n);
  return {
    random,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    chance: (p: number) => random() < p,
  };
}

/**
 * A PRNG for stream `stream` of test seed `seed`. The pair goes through murmur3's finalizer first:
 * mulberry32's first outputs for small neighbouring seeds (1, 2, 3) are strongly correlated.
 */
export function seededRandom(seed: number, stream = 0): () => number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ stream) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return mulberry32((h ^ (h >>> 16)) >>> 0);
}
