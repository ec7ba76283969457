// `graded()` declares one test worth some points. It gives the test a transcript, a TCP client
// that writes into it, and cleanup that always runs, and it attaches points, hint and guide
// section as metadata that the reporter turns into the scored report.
import { test } from 'vitest';
import { ExpectationFailure } from './failure.ts';
import { longest, patient, patientTimer, TEST_LIMIT_MS } from './patience.ts';
import { showText } from './show.ts';
import { Transcript } from './transcript.ts';
import { WireClient, type ConnectOptions } from './wire.ts';

declare module 'vitest' {
  interface TaskMeta {
    points?: number;
    hint?: string;
    guide?: string;
  }
}

export interface GradedInfo {
  points: number;
  /** One sentence that points the student at the likely cause. */
  hint: string;
  /** The guide section to read, e.g. `guide/03-accept.md § The busy rule`. */
  guide: string;
}

export interface TestKit {
  transcript: Transcript;
  /** Opens a TCP connection whose traffic is logged in this test's transcript. */
  connect(port: number, opts?: Omit<ConnectOptions, 'transcript'>): Promise<WireClient>;
  /** Registers cleanup (close a server, kill a process); runs after the test, last first. */
  defer(cleanup: () => unknown): void;
  /**
   * Fails the test at once if a student's promise rejects, instead of letting the test wait for
   * lines that will never come: a starter that throws "TODO" fails in milliseconds, with its message.
   */
  failOnReject(promise: Promise<unknown>, label: string): void;
}

const CLEANUP_MS = 1000;

/** Runs `cleanup`, ignoring its errors and giving up after `ms`: it must not hide the real failure. */
async function withDeadline(cleanup: () => unknown, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([Promise.resolve().then(cleanup), late]);
  } catch {
    // Ignored on purpose, see above.
  } finally {
    clearTimeout(timer);
  }
}

export function graded(name: string, info: GradedInfo, body: (t: TestKit) => Promise<void>): void {
  // The limit is a patient window like the waits inside the test, measured when it ends (a limit
  // fixed when the suite was collected could end before a wait that the load has stretched since).
  // vitest's own timeout is only the backstop, at the longest any window can stretch.
  test(name, { meta: { ...info }, timeout: longest(TEST_LIMIT_MS) + 5000 }, async () => {
    const transcript = new Transcript();
    const cleanups: Array<() => unknown> = [];
    let abort: (err: Error) => void = () => {};
    const aborted = new Promise<never>((_, reject) => {
      abort = reject;
    });
    // The message the reporter turns into "The test did not finish in time: …".
    const cancelLimit = patientTimer(TEST_LIMIT_MS, (waited) => abort(new Error(`Test timed out in ${waited}ms`)));
    const kit: TestKit = {
      transcript,
      connect: async (port, opts) => {
        const client = await WireClient.connect(port, { ...opts, transcript });
        cleanups.push(() => client.destroy());
        return client;
      },
      defer: (cleanup) => cleanups.push(cleanup),
      failOnReject: (promise, label) => {
        promise.catch((err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          abort(new ExpectationFailure({ expected: `${label} to keep running`, got: `it rejected: ${showText(message)}`, transcript }));
        });
      },
    };
    try {
      // The body may still be waiting when an abort wins the race; cleanup below ends its waits.
      await Promise.race([body(kit), aborted]);
    } finally {
      cancelLimit();
      for (const cleanup of cleanups.reverse()) {
        // A student's half-closed server can make cleanup wait forever: give it a second.
        await withDeadline(cleanup, patient(CLEANUP_MS));
      }
    }
  });
}
