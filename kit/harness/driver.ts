// Stages 1-5 never load the student's module into the process that runs the tests. A small driver
// per stage (`tests/0N-slug/driver.ts`) loads it in a process of its own (started with Program, so
// the grader's sandbox, the group kill and the output cap apply) and exposes the stage's functions
// over a loopback socket; the suite drives it and judges only what comes back, plus the bytes on
// the wire. Both sides of that conversation live here.
//
// The protocol is newline-delimited JSON on a TCP connection the driver opens to the test's
// loopback listener (so the student's own stdout and stderr cannot corrupt it):
//   test → driver   {id, call, args}
//   driver → test   {id, ok: true, value} | {id, ok: false, error}   one reply per request
//   driver → test   {event, data}                                    logs, callbacks, crashes
// The driver's first line is {hello: token}, the token the test passed it: no other process can
// take the driver's place.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ExpectationFailure } from './failure.ts';
import { patientTimer } from './patience.ts';
import { describeExit, Program, START_WITHIN } from './program.ts';
import { showDuration, showText } from './show.ts';
import { Transcript } from './transcript.ts';

/** `port:token` of the test's listener, for the driver. */
export const DRIVER_VAR = 'CLASSCHAT_DRIVER';
/** One protocol line may hold this much; more means something is flooding the channel. */
const MAX_LINE_BYTES = 32 * 1024 * 1024;
/** A call into the student's code that has not returned after this long (idle) is an endless loop. */
export const CALL_WITHIN = 10_000;

type Request = { id: number; call: string; args: unknown[] };
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
type Event = { event: string; data: unknown };

/** A thrown value as one line. */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Splits a byte stream into lines and calls `onLine` with each parsed JSON value. */
function readJsonLines(socket: Socket, onLine: (value: unknown) => void, onFlood: () => void): void {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      pending.push(chunk.subarray(start, nl));
      const text = Buffer.concat(pending).toString('utf8');
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue; // not a protocol line: ignored
      }
      onLine(value);
    }
    pending.push(chunk.subarray(start));
    pendingBytes += chunk.length - start;
    if (pendingBytes > MAX_LINE_BYTES) onFlood();
  });
}

// ---------------------------------------------------------------- the driver's side

/** What a handler gets besides its arguments. */
export interface DriverContext {
  /** Sends an event to the test (a log line, a callback, a connection). */
  emit(event: string, data?: unknown): void;
  /** Registers cleanup that runs when the test ends (the built-in `cleanup` call). */
  defer(cleanup: () => unknown): void;
  /**
   * Reports how a student's promise ends, whenever it does, as a `settled` event; returns its
   * number for Driver.settled(). `start` is the student's call: a synchronous throw is a rejection.
   */
  track(start: () => unknown): number;
}

/** How a tracked promise ended: its value as JSON (absent for undefined), or the message it rejected with. */
export type Settlement = { promise: number; ok: true; json?: string } | { promise: number; ok: false; error: string };

export type Handler = (ctx: DriverContext, ...args: never[]) => unknown;

/**
 * Runs in the driver process: connects to the test, answers its calls with `handlers`, reports
 * uncaught exceptions as `crash` events (a client's failure must never stop the server), and
 * exits when the test hangs up.
 */
export async function serveDriver(handlers: Record<string, Handler>): Promise<void> {
  const [port, token] = (process.env[DRIVER_VAR] ?? '').split(':');
  if (!port || !token) throw new Error(`${DRIVER_VAR} is not set: a driver is started by its suite, not by hand.`);
  const socket = netConnect(Number(port), '127.0.0.1');
  socket.setNoDelay(true);
  socket.on('error', () => process.exit(70));
  socket.on('close', () => process.exit(0));
  const send = (msg: Reply | Event | { hello: string }): void => {
    socket.write(`${JSON.stringify(msg)}\n`);
  };
  let cleanups: Array<() => unknown> = [];
  let promises = 0;
  const ctx: DriverContext = {
    emit: (event, data) => send({ event, data }),
    defer: (cleanup) => cleanups.push(cleanup),
    track: (start) => {
      const promise = ++promises;
      let running: Promise<unknown>;
      try {
        running = Promise.resolve(start());
      } catch (err) {
        running = Promise.reject(err);
      }
      running.then(
        (value) => ctx.emit('settled', value === undefined ? { promise, ok: true } : { promise, ok: true, json: JSON.stringify(value) } satisfies Settlement),
        (err: unknown) => ctx.emit('settled', { promise, ok: false, error: errorText(err) } satisfies Settlement),
      );
      return promise;
    },
  };
  process.on('uncaughtException', (err: Error) => {
    const code = (err as NodeJS.ErrnoException).code;
    ctx.emit('crash', code ? `${code} (${err.message})` : err.message);
  });
  const builtIn: Record<string, Handler> = {
    // Closes what the last test opened, last first, so the next test starts clean.
    async cleanup() {
      const run = cleanups.reverse();
      cleanups = [];
      for (const c of run) {
        try {
          await c();
        } catch {
          // A half-broken socket must not keep the next test from starting.
        }
      }
    },
  };
  readJsonLines(socket, (msg) => {
    const { id, call, args } = msg as Request;
    const handler = builtIn[call] ?? handlers[call];
    void (async () => {
      try {
        if (!handler) throw new Error(`the driver has no call "${call}"`);
        const value = await (handler as (ctx: DriverContext, ...a: unknown[]) => unknown)(ctx, ...(args ?? []));
        send({ id, ok: true, value: value ?? null });
      } catch (err) {
        send({ id, ok: false, error: errorText(err) });
      }
    })();
  }, () => process.exit(71));
  await once(socket, 'connect');
  send({ hello: token });
}

// ---------------------------------------------------------------- the test's side

/** The student's code threw or rejected: the message, as the student wrote it. */
export class StudentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StudentError';
  }
}

/** One running driver, as the suite sees it. */
export class Driver {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Set<(data: unknown) => void>>();
  private gone: string | undefined;
  private readonly settlements = new Map<number, Settlement>();
  private readonly settling = new Map<number, () => void>();

  private constructor(private readonly program: Program, private readonly channel: Socket) {
    readJsonLines(channel, (msg) => this.receive(msg), () => this.fail('it flooded the channel to the tests'));
    channel.on('close', () => this.fail('it closed the channel to the tests'));
    channel.on('error', () => {});
    void program.exited.then((exit) => this.fail(`it exited (${describeExit(exit)})`));
    this.on('settled', (data) => {
      const s = data as Settlement;
      this.settlements.set(s.promise, s);
      this.settling.get(s.promise)?.();
    });
  }

  /**
   * The promise the driver tracked as number `promise` (DriverContext.track), mirrored here: it
   * resolves with the same value and rejects with a StudentError carrying the same message. It
   * never settles if the student's promise never does (wrap it in a deadline).
   */
  settled<T = unknown>(promise: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (): void => {
        const s = this.settlements.get(promise)!;
        this.settling.delete(promise);
        if (s.ok) resolve((s.json === undefined ? undefined : JSON.parse(s.json)) as T);
        else reject(new StudentError(s.error));
      };
      if (this.settlements.has(promise)) finish();
      else this.settling.set(promise, finish);
    });
  }

  /** Starts `driverFile` (with node --import tsx) and waits until it has said hello. */
  static async start(driverFile: string): Promise<Driver> {
    const token = randomBytes(16).toString('hex');
    const listener = createServer();
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const { port } = listener.address() as AddressInfo;
    const program = Program.start(process.execPath, ['--import', 'tsx', driverFile], {
      who: 'driver',
      transcript: new Transcript(),
      env: { ...process.env, [DRIVER_VAR]: `${port}:${token}` },
    });
    try {
      const channel = await new Promise<Socket>((resolve, reject) => {
        const cancel = patientTimer(START_WITHIN, (waited) => reject(new Error(`the driver that runs your code did not start within ${showDuration(waited)}`)));
        void program.exited.then((exit) => {
          cancel();
          reject(new Error(`the driver that runs your code exited (${describeExit(exit)}) before it started${tail(program)}`));
        });
        // Only a connection that opens with the token is the driver; anything else is dropped.
        listener.on('connection', (socket) => {
          socket.on('error', () => {});
          socket.once('data', (chunk: Buffer) => {
            const nl = chunk.indexOf(0x0a);
            let hello: unknown;
            try {
              hello = JSON.parse(chunk.subarray(0, nl === -1 ? chunk.length : nl).toString('utf8'));
            } catch {
              hello = undefined;
            }
            if ((hello as { hello?: string } | undefined)?.hello !== token) {
              socket.destroy();
              return;
            }
            cancel();
            const rest = chunk.subarray(nl + 1);
            if (rest.length > 0) socket.unshift(rest);
            resolve(socket);
          });
        });
      });
      channel.setNoDelay(true);
      return new Driver(program, channel);
    } catch (err) {
      await program.stop();
      throw err;
    } finally {
      listener.close();
    }
  }

  /** False once the driver has exited or its channel broke: start a new one. */
  get alive(): boolean {
    return this.gone === undefined;
  }

  /**
   * Calls `name(...args)` in the driver. Resolves with what it returned; rejects with a
   * StudentError carrying the student's message when their code threw, and with an
   * ExpectationFailure when the driver died or did not answer within CALL_WITHIN (load-scaled).
   */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T> {
    if (this.gone !== undefined) return Promise.reject(this.deadFailure(name));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const cancel = patientTimer(CALL_WITHIN, (waited) => {
        this.pending.delete(id);
        reject(new ExpectationFailure({ expected: `your code to return from ${name}()`, got: `no answer within ${showDuration(waited)} (an endless loop?)` }));
        // A driver stuck in a loop is of no use to the next test.
        void this.stop();
      });
      this.pending.set(id, {
        resolve: (v) => { cancel(); resolve(v as T); },
        reject: (e) => { cancel(); reject(e); },
      });
      this.channel.write(`${JSON.stringify({ id, call: name, args })}\n`);
    });
  }

  /** Calls `fn` with the data of every `event` until the returned function is called. */
  on(event: string, fn: (data: unknown) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Ends the driver (and everything the student's code started in its process group). */
  async stop(): Promise<void> {
    this.fail('it was stopped');
    this.channel.destroy();
    await this.program.stop(500);
  }

  private receive(msg: unknown): void {
    const m = msg as { event?: unknown; data?: unknown; id?: number; ok?: boolean; value?: unknown; error?: unknown };
    if (typeof m.event === 'string') {
      for (const fn of this.listeners.get(m.event) ?? []) fn(m.data);
      return;
    }
    const waiting = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
    if (!waiting) return;
    this.pending.delete(m.id!);
    if (m.ok) waiting.resolve(m.value);
    else waiting.reject(new StudentError(String(m.error)));
  }

  private fail(why: string): void {
    if (this.gone !== undefined) return;
    this.gone = why;
    for (const [, waiting] of this.pending) waiting.reject(this.deadFailure());
    this.pending.clear();
    for (const fn of this.listeners.get('gone') ?? []) fn(why);
  }

  private deadFailure(name?: string): ExpectationFailure {
    return new ExpectationFailure({
      expected: name ? `the process running your code to answer ${name}()` : 'the process running your code to keep running',
      got: `${this.gone}${tail(this.program)}`,
    });
  }
}

// What the student's code printed last, for a driver that died.
function tail(program: Program): string {
  const err = program.out.stderr.captured().trimEnd();
  const out = program.out.stdout.captured().trimEnd();
  const text = err || out;
  return text ? `; the end of its ${err ? 'stderr' : 'stdout'}: ${showText(text.slice(-400), 400)}` : '';
}

/**
 * The driver of one suite: `tests/0N-slug/driver.ts` beside `tests/0N-slug.test.ts`. Started at
 * once (so it loads while vitest collects the tests), shared by the file's tests, started again
 * if a test ended it (a crash, an endless loop), and stopped after the last test.
 */
export interface SuiteDriver {
  get(): Promise<Driver>;
  /**
   * The driver for one test: what the test opened in it is closed when the test ends (the
   * built-in `cleanup` call), and so are the test's event listeners.
   */
  forTest(t: { defer(cleanup: () => unknown): void }): Promise<TestDriver>;
  stop(): Promise<void>;
}

export interface TestDriver {
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
  settled<T = unknown>(promise: number): Promise<T>;
  on(event: string, fn: (data: unknown) => void): void;
}

export function suiteDriver(suiteUrl: string, stageFolder: string): SuiteDriver {
  const file = fileURLToPath(new URL(`./${stageFolder}/driver.ts`, suiteUrl));
  let current: Promise<Driver> | undefined;
  const get = (): Promise<Driver> => {
    current ??= Driver.start(file);
    return current.then((d) => {
      if (d.alive) return d;
      current = Driver.start(file);
      return current;
    });
  };
  void get().catch(() => {});
  return {
    get,
    forTest: async (t) => {
      const d = await get();
      const offs: Array<() => void> = [];
      t.defer(async () => {
        for (const off of offs) off();
        if (d.alive) await d.call('cleanup');
      });
      return {
        call: (name, ...args) => d.call(name, ...args),
        settled: (promise) => d.settled(promise),
        on: (event, fn) => { offs.push(d.on(event, fn)); },
      };
    },
    stop: async () => {
      const d = await current?.catch(() => undefined);
      await d?.stop();
    },
  };
}
