// Inputs that vary from run to run, reproducibly: SEED=<n> replays a run, and every failure of a
// test that drew from the seed names it (see failure.ts).
const given = Number.parseInt(process.env.SEED ?? '', 10);
export const SEED = Number.isSafeInteger(given) && given >= 0 ? given : Math.floor(Math.random() * 1_000_000);

let state = SEED >>> 0;
let used = false;

/**
 * Starts the stream again from the seed: every test file draws the same inputs whether it runs in
 * a process of its own (make stage-N) or after other files in a shared one (the grader).
 */
export function restartSeedStream(): void {
  state = SEED >>> 0;
  used = false;
}

/** A number in [0, 1) from the seed (mulberry32). */
export function random(): number {
  used = true;
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** A whole number from `min` to `max`, both included. */
export const randomInt = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

/** One element of `items`. */
export const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** A copy of `items` in an order drawn from the seed (Fisher-Yates), so position reveals nothing. */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The line a failure adds once the suite has drawn from the seed: how to replay the same inputs. */
export const seedNote = (): string => (used ? `Inputs from seed ${SEED} (SEED=${SEED} repeats them).` : '');
