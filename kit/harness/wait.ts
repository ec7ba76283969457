// Waiting on a student's code with a deadline, for the suites that call it in-process. Every wait
// ends within REPLY_WITHIN with a sentence, never a runner timeout.
import type { EventEmitter } from 'node:events';
import { ExpectationFailure } from './failure.ts';
import { patientTimer } from './patience.ts';
import { showDuration } from './show.ts';
import type { Transcript } from './transcript.ts';
import { REPLY_WITHIN } from './wire.ts';

/** A thrown value as one line for a report. */
export const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Waits until `ready()` holds, checking again on each of `events`; fails after REPLY_WITHIN. */
export function waitUntil(emitter: EventEmitter, events: string[], ready: () => boolean, expected: string, got: () => string, transcript: Transcript): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const stop = (): void => {
      cancel();
      for (const e of events) emitter.off(e, onEvent);
    };
    const onEvent = (): void => {
      if (!ready()) return;
      stop();
      resolve();
    };
    const cancel = patientTimer(REPLY_WITHIN, () => {
      stop();
      reject(new ExpectationFailure({ expected, got: got(), transcript }));
    });
    for (const e of events) emitter.on(e, onEvent);
  });
}

/** Waits up to REPLY_WITHIN for a student's promise: "resolved …", "rejected: …" or "still pending …". */
export async function settleWithin(promise: Promise<unknown>): Promise<string> {
  let cancel = (): void => {};
  const late = new Promise<string>((resolve) => {
    cancel = patientTimer(REPLY_WITHIN, (waited) => resolve(`still pending after ${showDuration(waited)}`));
  });
  const ended = promise.then((value) => (value === undefined ? 'resolved' : `resolved with ${JSON.stringify(value)}`),
    (err: unknown) => `rejected: ${describeError(err)}`);
  try {
    return await Promise.race([ended, late]);
  } finally {
    cancel();
  }
}
