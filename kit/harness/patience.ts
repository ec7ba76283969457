// Deadlines decide only that nothing arrived. A correct program on a busy machine answers late,
// never wrongly, so every silence window here stretches with how loaded the machine is: the
// window is `ms × slowness()`, where slowness is how many runnable tasks compete for each core
// (at least 1). Wrong bytes never wait for a window: they fail the moment they arrive.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

/** An extra factor an instructor can set for a slow grading host (e.g. 2). */
export const TIME_SCALE_VAR = 'CLASSCHAT_TIME_SCALE';
/**
 * A test's own limit: only reached if student code blocks the event loop or awaits forever. Here,
 * not beside graded(), so that the processes that only read it (the runner's watchdog) do not load
 * vitest: that costs a third of a second of every `make stage-N`.
 */
export const TEST_LIMIT_MS = 15_000;
/** A window never stretches past this many times its idle length. */
const MAX_SLOWNESS = 8;
const CORES = Math.max(1, availableParallelism());

/** Tasks wanting a CPU: the larger of the 1-minute load and the runnable tasks right now. */
function demand(): number {
  try {
    // "0.52 0.58 0.59 3/412 12345": the 4th field counts runnable tasks, this reader included.
    const [one, , , running] = readFileSync('/proc/loadavg', 'utf8').split(' ');
    return Math.max(Number(one), Number(running.split('/')[0]) - 1);
  } catch {
    return loadavg()[0];
  }
}

function timeScale(): number {
  const scale = Number(process.env[TIME_SCALE_VAR]);
  return Number.isFinite(scale) && scale > 0 ? scale : 1;
}

/** How long a peak of load is remembered. */
const PEAK_MS = 60_000;
let peak = { value: 1, at: 0 };

/**
 * How many times slower than idle the machine is now: 1 on an idle machine. The highest value of
 * the last minute counts, so a window measured later never ends before one measured earlier in
 * the same test just because the load fell meanwhile (a test's own limit must outlast the waits
 * inside it).
 */
export function slowness(): number {
  const now = Date.now();
  const value = Math.min(MAX_SLOWNESS, Math.max(1, demand() / CORES));
  if (value >= peak.value || now - peak.at > PEAK_MS) peak = { value, at: now };
  return peak.value * timeScale();
}

/**
 * How slow the machine is for everyone but `own` tasks (a run's own sandboxed processes): the
 * grader stretches a submission's whole run with this, so that load the submission makes itself
 * does not buy it more time. Not remembered as a peak: the caller keeps its own.
 */
export function slownessWithout(own: number): number {
  return Math.min(MAX_SLOWNESS, Math.max(1, (demand() - own) / CORES)) * timeScale();
}

/** The most a window can stretch: `ms` at the highest slowness there is. */
export const longest = (ms: number): number => Math.round(ms * MAX_SLOWNESS * timeScale());

/** `ms` stretched for the machine's load as it is now (for limits fixed up front). */
export const patient = (ms: number): number => Math.round(ms * slowness());

/**
 * Calls `onExpire(waited)` once `ms` of silence have passed on an idle machine, or proportionally
 * more on a busy one (re-measured when the window ends). Returns a function that cancels it.
 * The last step runs after one more turn of the event loop, so data that reached the socket
 * while this process itself was starved is read before anyone calls it silence.
 */
export function patientTimer(ms: number, onExpire: (waited: number) => void): () => void {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const arm = (delay: number): void => {
    timer = setTimeout(() => {
      const waited = Date.now() - start;
      const needed = ms * slowness();
      if (waited + 10 < needed) arm(needed - waited);
      else immediate = setImmediate(() => onExpire(Date.now() - start));
    }, delay);
  };
  arm(ms);
  return () => {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  };
}
