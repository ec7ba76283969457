// Starts a student's program as a child process in its own process group, reads its output line
// by line with deadlines, and always kills the whole group at the end (SIGTERM, then SIGKILL).
// Output kept in memory is capped, so a program that floods stdout cannot exhaust the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { sandboxed, sandboxEnv, sandboxSpec } from '../grader/sandbox.ts';
import { ExpectationFailure } from './failure.ts';
import { descendants, processTable } from './proc.ts';
import { showDuration, showText } from './show.ts';
import type { Transcript } from './transcript.ts';
import { Waiters } from './waiters.ts';

export const KILL_GRACE_MS = 2000;
export const OUTPUT_CAP_BYTES = 64 * 1024;
/** Complete lines kept until a test reads them: a flood past this is dropped, never stored. */
export const UNREAD_LINES_CAP = { lines: 10_000, chars: 4 * 1024 * 1024 };
/** How long a program may take to start and print its first line (tsx transpiles on start). */
export const START_WITHIN = 8000;

export interface StartOptions {
  /** Name in the transcript, e.g. "server" or "client". */
  who: string;
  transcript: Transcript;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

type Stream = 'stdout' | 'stderr';

/**
 * One output stream: the first 64 KiB as text, and complete lines not yet read. Lines are cut at
 * newline bytes before decoding (a newline byte never sits inside a UTF-8 character), and bytes
 * past the cap are only scanned for newlines, so a 100 MB flood costs a memchr, not a copy.
 */
export class Output {
  text = '';
  truncated = false;
  readonly lines: string[] = [];
  private linesChars = 0;
  private textBytes = 0;
  private readonly textDecoder = new StringDecoder('utf8');
  private partial: Buffer[] = [];
  private partialBytes = 0;

  push(chunk: Buffer): string[] {
    if (this.textBytes < OUTPUT_CAP_BYTES) {
      const kept = chunk.subarray(0, OUTPUT_CAP_BYTES - this.textBytes);
      this.text += this.textDecoder.write(kept);
      this.textBytes += kept.length;
      if (kept.length < chunk.length) this.truncated = true;
    } else if (chunk.length > 0) {
      this.truncated = true;
    }
    const complete: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      if (this.full()) {
        // Nobody reads them: past the cap, a line costs a newline search, not a string.
        this.partial = [];
        this.partialBytes = 0;
      } else {
        this.keep(chunk.subarray(start, nl));
        const line = this.takeLine();
        complete.push(line);
        this.store(line);
      }
      start = nl + 1;
    }
    this.keep(chunk.subarray(start));
    return complete;
  }

  flush(): string[] {
    if (this.partialBytes === 0) return [];
    const rest = this.takeLine();
    this.store(rest);
    return [rest];
  }

  /** Removes and returns the first `count` unread lines. */
  take(count: number): string[] {
    const taken = this.lines.splice(0, count);
    for (const line of taken) this.linesChars -= line.length;
    return taken;
  }

  private full(): boolean {
    return this.lines.length >= UNREAD_LINES_CAP.lines || this.linesChars >= UNREAD_LINES_CAP.chars;
  }

  private store(line: string): void {
    if (this.full() || this.linesChars + line.length > UNREAD_LINES_CAP.chars) return;
    this.lines.push(line);
    this.linesChars += line.length;
  }

  /** Everything captured, with a marker when the cap cut it. */
  captured(): string {
    return this.truncated ? `${this.text}\n… [output truncated at ${OUTPUT_CAP_BYTES / 1024} KiB]` : this.text;
  }

  // A line longer than the cap keeps its first 64 KiB.
  private keep(bytes: Buffer): void {
    const room = OUTPUT_CAP_BYTES - this.partialBytes;
    if (room <= 0 || bytes.length === 0) return;
    const kept = bytes.subarray(0, room);
    this.partial.push(kept);
    this.partialBytes += kept.length;
  }

  private takeLine(): string {
    const line = Buffer.concat(this.partial).toString('utf8').replace(/\r$/, '');
    this.partial = [];
    this.partialBytes = 0;
    return line;
  }
}

export class Program {
  readonly out = { stdout: new Output(), stderr: new Output() };
  private exitInfo: Exit | undefined;
  private readonly waiters = new Waiters();
  readonly exited: Promise<Exit>;

  private constructor(
    private readonly child: ChildProcess,
    readonly who: string,
    readonly commandLine: string,
    private readonly transcript: Transcript,
    /** Processes between the one started and the program (the sandbox's): sandboxed() says how many. */
    private readonly wrappers: number,
  ) {
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]?.on('data', (chunk: Buffer) => this.onOutput(stream, this.out[stream].push(chunk)));
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        // Output can still be in the pipes at 'exit'; 'close' says it has all been read. A child
        // that inherited the pipes may keep them open, so 'close' gets a moment, not forever.
        const settle = () => {
          if (this.exitInfo) return;
          for (const stream of ['stdout', 'stderr'] as const) this.onOutput(stream, this.out[stream].flush());
          this.exitInfo = { code, signal };
          this.transcript.note(`${who} exited with ${describeExit(this.exitInfo)}`);
          this.waiters.wake();
          resolve(this.exitInfo);
        };
        child.once('close', settle);
        setTimeout(settle, 250).unref();
      });
      child.once('error', (err) => {
        this.exitInfo = { code: null, signal: null };
        this.transcript.note(`${who} could not start: ${err.message}`);
        this.waiters.wake();
        resolve(this.exitInfo);
      });
    });
  }

  /** Starts `command args…` in a new process group, with stdin, stdout and stderr piped. */
  static start(command: string, args: readonly string[], opts: StartOptions): Program {
    // Under the grader, inside the submission's sandbox; as is everywhere else.
    const run = sandboxed(command, args, opts.cwd);
    const env = withoutSeeds(opts.env ?? process.env);
    const child = spawn(run.command, run.args, {
      cwd: run.cwd,
      uid: run.uid,
      gid: run.gid,
      env: sandboxSpec() ? sandboxEnv(env) : env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group: one kill reaches the program and every child it started.
      detached: true,
    });
    // Writing to a program that already exited must fail the test, not crash the runner.
    child.stdin?.on('error', () => {});
    const commandLine = [command, ...args].join(' ');
    opts.transcript.note(`start ${opts.who}: ${commandLine}`);
    return new Program(child, opts.who, commandLine, opts.transcript, run.wrappers);
  }

  /** The pid of what was started: under the grader's sandbox, that is the sandbox (its process group leader). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * The pid of the program itself, for what the tests read of it in /proc (memory, open files).
   * Under the grader's sandbox that is two levels down: bwrap, then bwrap as the sandbox's init,
   * then the program, the init's oldest child (anything the program leaves behind is younger).
   * Found by position, never by name: a program can call itself anything. Undefined while the
   * sandbox is still starting it.
   */
  get programPid(): number | undefined {
    let pid = this.child.pid;
    for (let level = 0; level < this.wrappers && pid !== undefined; level++) pid = oldestChild(pid);
    return pid;
  }

  /**
   * Every live process of the program, for what the tests measure of it as a whole in /proc
   * (memory, sockets, CPU time): a program may run its work in a child, a grandchild, a new
   * session. Under the grader's sandbox, every process in its pid namespace: the sandbox's init
   * and all that descend from it (an orphan is reparented to that init, so none escapes).
   * Unsandboxed, the program, its process group, and everything descended from either. Never the
   * tests' own processes, nor the sandbox's bwrap outside. Empty while the sandbox is starting, or
   * without /proc.
   */
  programPids(): number[] {
    const pid = this.child.pid;
    if (!pid) return [];
    if (this.wrappers > 0) {
      let init: number | undefined = pid;
      for (let level = 1; level < this.wrappers && init !== undefined; level++) init = oldestChild(init);
      return init === undefined ? [] : descendants(processTable(), [init]);
    }
    const table = processTable();
    return descendants(table, [pid, ...table.filter((p) => p.pgrp === pid).map((p) => p.pid)]);
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Types a line on the program's stdin. */
  typeLine(line: string): void {
    this.transcript.add('sent', `${this.who} stdin`, `${line}\n`);
    this.child.stdin?.write(`${line}\n`);
  }

  /** Closes stdin (Ctrl-D at a terminal). */
  endInput(): void {
    this.transcript.note(`${this.who} stdin closed (EOF, like Ctrl-D)`);
    this.child.stdin?.end();
  }

  /** Sends a signal to the whole process group. */
  signal(sig: NodeJS.Signals): void {
    this.transcript.note(`send ${sig} to ${this.who}`);
    killGroup(this.child.pid, sig);
  }

  /** Waits for the next stdout (or stderr) line matching `test`; other lines are skipped. */
  async waitForLine(stream: Stream, what: string, test: (line: string) => boolean, within = 2000): Promise<string> {
    const output = this.out[stream];
    const lines = output.lines;
    const found = (): number => lines.findIndex(test);
    const waited = await this.waiters.until(() => found() !== -1 || this.hasExited, within);
    const at = found();
    if (at !== -1) {
      const [line] = output.take(at + 1).slice(-1);
      return line;
    }
    const why = this.hasExited ? `${this.who} exited (${describeExit(this.exitInfo)}) first` : `nothing like it within ${showDuration(waited)}`;
    throw new ExpectationFailure({ expected: `${this.who} ${stream} to print ${what}`, got: `${why}${this.tailOf(stream)}`, transcript: this.transcript });
  }

  /** Waits for the program to exit within `within`; fails the test if it keeps running. */
  async waitForExit(what: string, within = 2000): Promise<Exit> {
    const waited = await this.waiters.until(() => this.hasExited, within);
    if (!this.exitInfo) {
      throw new ExpectationFailure({ expected: `${this.who} to ${what}`, got: `still running after ${showDuration(waited)}`, transcript: this.transcript });
    }
    return this.exitInfo;
  }

  /** SIGTERM to the group, SIGKILL after the grace period; resolves when the process is gone. */
  async stop(grace = KILL_GRACE_MS): Promise<void> {
    if (this.hasExited) {
      killGroup(this.child.pid, 'SIGKILL'); // children it left behind in its group
      return;
    }
    killGroup(this.child.pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.child.pid, 'SIGKILL'), grace);
    await this.exited;
    clearTimeout(timer);
    killGroup(this.child.pid, 'SIGKILL');
  }

  private tailOf(stream: Stream): string {
    const text = this.out[stream].captured().trimEnd();
    if (!text) return `; its ${stream} was empty`;
    return `; the end of its ${stream}: ${showText(text.slice(-300), 300)}`;
  }

  private onOutput(stream: Stream, lines: string[]): void {
    for (const line of lines) this.transcript.add('received', `${this.who} ${stream}`, `${line}\n`);
    if (lines.length > 0) this.waiters.wake();
  }
}

/**
 * The environment less the suites' seeds: given the seed of a replay (SEED=…), code under test
 * could work out every input the suite is going to send it.
 */
function withoutSeeds(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { SEED: _seed, CLASSCHAT_SEED: _classchatSeed, ...rest } = env;
  return rest;
}

/** The child of a process that started first, or undefined. */
function oldestChild(pid: number): number | undefined {
  let oldest: { pid: number; start: number } | undefined;
  try {
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean).map(Number)) {
      // Field 22 of stat, the start time; the fields after the command name (which may hold spaces) from 3 on.
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      if (!oldest || start < oldest.start) oldest = { pid: child, start };
    }
  } catch {
    // gone, or no /proc
  }
  return oldest?.pid;
}

/** "exit code 0", "signal SIGKILL". */
export function describeExit(exit: Exit | undefined): string {
  if (!exit) return 'still running';
  if (exit.signal) return `signal ${exit.signal}`;
  return exit.code === null ? 'no exit code (it could not start)' : `exit code ${exit.code}`;
}

/** Signals a whole process group; a group that is already gone is fine. */
export function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: nothing left to kill.
  }
}
