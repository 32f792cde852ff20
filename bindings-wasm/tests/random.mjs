// A seeded random number generator (mulberry32) for the randomised tests: `rng(seed)()` is a
// float in [0, 1); AGENTRULES_RANDOM_SEED replays a run.
export function rng(s) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const seedOr = (fallback) => Number(process.env.AGENTRULES_RANDOM_SEED ?? fallback);
