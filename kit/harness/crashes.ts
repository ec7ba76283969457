// Records uncaught exceptions while a test runs: a client's failure must never reach the process.
// (vitest would report them only as "unhandled errors" beside a passing test.)
import type { TestKit } from './graded.ts';

/** Starts recording; the returned function lists what was caught so far. */
export function watchCrashes(t: TestKit): () => string[] {
  const crashes: string[] = [];
  const onCrash = (err: Error): void => {
    const code = (err as NodeJS.ErrnoException).code;
    crashes.push(code ? `${code} (${err.message})` : err.message);
    t.transcript.note(`uncaught exception: ${err.message}`);
  };
  process.on('uncaughtException', onCrash);
  t.defer(() => process.off('uncaughtException', onCrash));
  return () => crashes;
}
