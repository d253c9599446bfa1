// The seeded pseudo-random numbers behind `prob=` rules: mulberry32, a 32-bit generator that is small, fast
// and good enough to decide "fail this request or not". Never Math.random: the same seed gives the same
// sequence on every machine and every run, so a fault run can be repeated.

/** A generator of numbers in [0, 1), from a 32-bit seed. */
export type Prng = () => number;

export function mulberry32(seed: number): Prng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of rule number `index` under the run's seed: mixed (murmur3's finalizer) so that neighbouring
 * rules and neighbouring seeds start far apart, and adding a rule at the end changes no earlier rule.
 */
export function ruleSeed(runSeed: number, index: number): number {
  let h = (runSeed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
