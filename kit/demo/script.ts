// What `make demo-N` plays: a short scripted session of a stage's programs, written per stage in
// `tests/0N-slug/demo.ts` (`export const demo: DemoScript = { … }`). Steps run in order; each
// waits for what it names, so the recording shows what really happened, in the order it happened.
import type { ProgramKind } from '../stages.ts';

export type DemoStep =
  /** A caption in the recording, e.g. the course's name of the case that follows. */
  | { caption: string }
  /** Starts a program of the stage. A server gets `--host 127.0.0.1 --port 0` and must print its
   *  listening line; a client gets the last server's host and port (even once that server has
   *  stopped, which shows the "server down" case). `args` are appended. `stage` starts another
   *  stage's program (e.g. stage 6's server for a client-only stage): `'06-final'`. */
  | { start: ProgramKind; as?: string; args?: string[]; stage?: string }
  /** Types a line on a program's stdin. */
  | { type: string; line: string }
  /** Waits until a program prints a line that contains `text` (on stdout unless `stream` says). */
  | { expect: string; text: string; stream?: 'stdout' | 'stderr' }
  /** Closes a program's stdin (Ctrl-D). */
  | { eof: string }
  /** Sends a signal (SIGINT = Ctrl-C) to a program. */
  | { signal: string; sig: NodeJS.Signals }
  /** Waits until a program exits; with `code`, the demo fails on any other exit code. */
  | { exit: string; code?: number };

export interface DemoScript {
  /** The window title of the screenshot, e.g. "ClassChat Task 1: the course's five test cases". */
  title: string;
  steps: DemoStep[];
}
