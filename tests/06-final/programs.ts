// Starts the programs stage 6 grades: the student's server and client (or any other program named
// by SERVER_CMD / CLIENT_CMD), each as a child process with `--host` and `--port` appended.
import { readFileSync } from 'node:fs';
import { ExpectationFailure } from '../../kit/harness/failure.ts';
import type { TestKit } from '../../kit/harness/graded.ts';
import { slowness } from '../../kit/harness/patience.ts';
import { Program, START_WITHIN, describeExit } from '../../kit/harness/program.ts';
import { watchPeakMemory, type PeakMemory } from '../../kit/harness/proc.ts';
import { showText } from '../../kit/harness/show.ts';
import { REPLY_WITHIN } from '../../kit/harness/wire.ts';
import { commandFor } from '../../kit/harness/program-commands.ts';
import { kitRoot, type ProgramKind } from '../../kit/stages.ts';
export { shellWords } from '../../kit/harness/shell-words.ts';

export const HOST = '127.0.0.1';
export const LISTENING = /^ClassChat server listening on (\d{1,3}(?:\.\d{1,3}){3}):(\d+)$/;
/** Time a test gives all its programs to start, so start-up waits plus 2 s replies stay under the 15 s limit. */
const START_BUDGET_MS = 11_000;

export type Kind = ProgramKind;
/** The stage whose programs this suite starts (06-final unless a later stage's suite says otherwise). */
const DEFAULT_STAGE = '06-final';

// The student's shell may set these; the tests pass flags, and a stray value must not interfere.
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1', ...extra };
  for (const name of ['CLASSCHAT_HOST', 'CLASSCHAT_PORT'] as const) if (!(name in extra)) delete env[name];
  return env;
}

export interface Launch {
  /** Arguments after the command; default `--host 127.0.0.1 --port <port>`. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  who?: string;
  /** The stage folder whose program to start, e.g. `08-multi`; default `06-final`. */
  stage?: string;
}

/** Starts one program; it is stopped (its whole process group) when the test ends. */
export function launch(t: TestKit, kind: Kind, opts: Launch = {}): Program {
  const { command, args } = commandFor(opts.stage ?? DEFAULT_STAGE, kind);
  const program = Program.start(command, [...args, ...(opts.args ?? [])], {
    who: opts.who ?? kind,
    transcript: t.transcript,
    env: childEnv(opts.env),
    cwd: kitRoot(),
  });
  t.defer(() => program.stop());
  return program;
}

/**
 * What this suite has seen of start-up times: the slowest server that printed its first line, and
 * whether one never did. A program that starts in 0.3 s and then stays silent fails in about
 * 4 s instead of the full START_WITHIN, and a server that never starts costs the full wait once.
 */
const seen = { slowestStartMs: undefined as number | undefined, startTimedOut: false };

/** The shortest start-up wait once a start was seen; a lone server start is measured, not the worst case. */
const MIN_SEEN_START_MS = 4000;
/**
 * How much slower than the slowest start seen a start may be: a test starts up to seven programs
 * at once, and the grader runs two submissions side by side on two cores.
 */
const START_SLOWDOWN = 4;

/** How long a start-up wait may take: START_WITHIN, less what the test has used of its budget. */
export function startWithin(startedAt: number): number {
  // In idle milliseconds, like the budget: the wait and the test's own limit both stretch with the load.
  const used = (Date.now() - startedAt) / slowness();
  const budget = Math.max(2000, Math.min(START_WITHIN, START_BUDGET_MS - used));
  if (seen.slowestStartMs !== undefined) {
    return Math.min(budget, Math.max(MIN_SEEN_START_MS, REPLY_WITHIN + START_SLOWDOWN * seen.slowestStartMs));
  }
  return seen.startTimedOut ? Math.min(budget, 3000) : budget;
}

export interface RunningServer {
  program: Program;
  port: number;
}

/**
 * Starts the server on a free port and reads the port from its first stdout line, which must be
 * the listening line. Later stdout lines are the student's to use.
 */
export async function startServer(t: TestKit, opts: Launch & { startedAt?: number } = {}): Promise<RunningServer> {
  const program = launch(t, 'server', { ...opts, args: opts.args ?? ['--host', HOST, '--port', '0'] });
  const within = startWithin(opts.startedAt ?? Date.now());
  const spawned = Date.now();
  const first = await program
    .waitForLine('stdout', 'its first line, "ClassChat server listening on 127.0.0.1:<port>"', () => true, within)
    .catch((err: unknown) => {
      if (!program.hasExited) seen.startTimedOut = true;
      throw err;
    });
  seen.slowestStartMs = Math.max(seen.slowestStartMs ?? 0, Date.now() - spawned);
  const m = LISTENING.exec(first);
  if (!m || m[1] !== HOST || Number(m[2]) === 0) {
    throw new ExpectationFailure({
      expected: `the server's first stdout line to be "ClassChat server listening on ${HOST}:<port>" with the real port (not 0)`,
      got: showText(first),
      transcript: t.transcript,
    });
  }
  const port = Number(m[2]);
  const range = ephemeralPorts();
  if (opts.args === undefined && range && (port < range[0] || port > range[1])) {
    // With --port 0 the system picks a port from its ephemeral range; any other port means the
    // server ignored --port (a port written into the code).
    throw new ExpectationFailure({
      expected: `a port the system chose for --port 0 (from ${range[0]}-${range[1]} on this machine)`,
      got: `port ${port}: the server did not use the --port it was given`,
      transcript: t.transcript,
    });
  }
  return { program, port };
}

/** The ports the system hands out for port 0 (Linux), or undefined where it cannot tell. */
function ephemeralPorts(): [number, number] | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low > 0 && high >= low ? [low, high] : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the client against `port` (plus any extra arguments). */
export function startClient(t: TestKit, port: number, opts: Launch = {}): Program {
  return launch(t, 'client', { ...opts, args: ['--host', HOST, '--port', String(port), ...(opts.args ?? [])] });
}

/** A stdout line that ends with `expected`: tolerates a prompt such as "> " printed before it. */
export const endsWithLine = (expected: string) => (line: string): boolean => line.endsWith(expected);

/** Waits for the client to print `expected` (after an optional prompt) on stdout. */
export async function clientPrints(client: Program, expected: string, within?: number): Promise<void> {
  await client.waitForLine('stdout', showText(expected), endsWithLine(expected), within);
}

const CRASH = /^\s+at .+[:(]|Traceback \(most recent call last\)|^Exception in thread/m;

/** Waits for the program to exit with `code`; a stack trace on stderr counts as a crash, not a message. */
export async function expectExit(t: TestKit, program: Program, code: number, why: string, within = 2000): Promise<void> {
  const exit = await program.waitForExit(`exit with code ${code} (${why})`, within);
  const { transcript } = t;
  const stderr = program.out.stderr.captured();
  const tail = stderr.trim() ? `; its stderr: ${showText(stderr.trim(), 300)}` : '';
  if (exit.code !== code || exit.signal) {
    throw new ExpectationFailure({ expected: `${program.who} to exit with code ${code} (${why})`, got: `${describeExit(exit)}${tail}`, transcript });
  }
  if (CRASH.test(stderr)) {
    throw new ExpectationFailure({ expected: `${program.who} to explain in one line (${why}), not crash`, got: `a stack trace on stderr: ${showText(stderr.trim(), 300)}`, transcript });
  }
}

/** The stderr lines that are not blank. */
export const stderrLines = (program: Program): string[] => program.out.stderr.captured().split('\n').filter((l) => l.trim() !== '');

/**
 * Watches the peak memory of all the program's processes from now on (kit/harness/proc.ts says
 * how); undefined where /proc is missing.
 */
export const peakMemory = (program: Program): PeakMemory | undefined => watchPeakMemory(() => program.programPids());
