// Starts the programs stage 6 grades: the student's server and client (or any other program named
// by SERVER_CMD / CLIENT_CMD), each as a child process with `--host` and `--port` appended.
import { existsSync, readFileSync } from 'node:fs';
import { ExpectationFailure } from '../../kit/harness/failure.ts';
import type { TestKit } from '../../kit/harness/graded.ts';
import { Program, START_WITHIN, describeExit } from '../../kit/harness/program.ts';
import { showText } from '../../kit/harness/show.ts';
import { REPLY_WITHIN } from '../../kit/harness/wire.ts';
import { shortPath, targetFile } from '../../kit/harness/target.ts';
import { kitRoot } from '../../kit/stages.ts';

export const HOST = '127.0.0.1';
export const LISTENING = /^ClassChat server listening on (\d{1,3}(?:\.\d{1,3}){3}):(\d+)$/;
/** Time a test gives all its programs to start, so start-up waits plus 2 s replies stay under the 15 s limit. */
const START_BUDGET_MS = 11_000;

export type Kind = 'server' | 'client';

interface Command {
  command: string;
  args: string[];
}

/** Splits a command line into words like a POSIX shell: quotes and backslashes, no variables or globs. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) word += line[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`Unclosed ${quote} quote in the command ${showText(line)}.`);
  if (inWord) words.push(word);
  return words;
}

/** The command for the server or client: SERVER_CMD / CLIENT_CMD if set, else the stage 6 file run by tsx. */
export function commandFor(kind: Kind, env: NodeJS.ProcessEnv = process.env): Command {
  const variable = kind === 'server' ? 'SERVER_CMD' : 'CLIENT_CMD';
  const custom = env[variable]?.trim();
  if (custom) {
    const [command, ...args] = shellWords(custom);
    if (!command) throw new Error(`${variable} is set but empty.`);
    return { command, args };
  }
  const file = targetFile('06-final', `${kind}.ts`);
  if (!existsSync(file)) throw new Error(`${shortPath(file)} is missing: the stage's code must be in that file.`);
  // node --import tsx, not the tsx CLI: the CLI starts a second process that a kill would orphan.
  return { command: process.execPath, args: ['--import', 'tsx', file] };
}

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
}

/** Starts one program; it is stopped (its whole process group) when the test ends. */
export function launch(t: TestKit, kind: Kind, opts: Launch = {}): Program {
  const { command, args } = commandFor(kind);
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
  const budget = Math.max(2000, Math.min(START_WITHIN, START_BUDGET_MS - (Date.now() - startedAt)));
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
  return { program, port: Number(m[2]) };
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

/** The most memory the process has used so far (VmHWM), in MiB; undefined where /proc is missing. */
export function peakMemoryMiB(program: Program): number | undefined {
  try {
    const status = readFileSync(`/proc/${program.pid}/status`, 'utf8');
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return kib ? Number(kib[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
