// Stages 1-5 never load the student's module into the process that runs the tests. A small driver
// per stage (`tests/0N-slug/driver.ts`) loads it in a process of its own (started with Program, so
// the grader's sandbox, the group kill and the output cap apply) and exposes the stage's functions
// over a loopback socket (driver-protocol.ts); the suite drives it and judges only what comes
// back, plus the bytes on the wire. This is the test's side.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildDriver } from './driver-build.ts';
import { DRIVER_VAR, readJsonLines, type Event, type Reply, type Settlement } from './driver-protocol.ts';
import { ExpectationFailure } from './failure.ts';
import { patientTimer } from './patience.ts';
import { describeExit, Program, START_WITHIN } from './program.ts';
import { showDuration, showText } from './show.ts';
import { Transcript } from './transcript.ts';

/** A call into the student's code that has not returned after this long (idle) is an endless loop. */
export const CALL_WITHIN = 10_000;
/**
 * Bytes a driver may send the tests over its life: a whole suite's traffic is under 40 KB. More
 * is a flood of the tests' process, and the driver is stopped.
 */
export const CHANNEL_CAP_BYTES = 8 * 1024 * 1024;
/** Connections to a driver's listener that have not said hello, kept at most while it starts. */
const MAX_STRANGERS = 16;
/** Settlements kept for promises no test has asked about yet (a suite tracks a few dozen). */
const MAX_SETTLEMENTS = 10_000;

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
    // Counted before the lines are read, so the chunk that passes the cap is not delivered.
    let received = 0;
    channel.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > CHANNEL_CAP_BYTES) this.flooded();
    });
    readJsonLines(channel, (msg) => this.receive(msg), () => this.flooded());
    channel.on('close', () => this.fail('it closed the channel to the tests'));
    channel.on('error', () => {});
    void program.exited.then((exit) => this.fail(`it exited (${describeExit(exit)})`));
    this.on('settled', (data) => {
      const s = data as Settlement;
      if (typeof s?.promise !== 'number' || (this.settlements.size >= MAX_SETTLEMENTS && !this.settling.has(s.promise))) return;
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

  /**
   * Starts `driverFile` for the stage in `stageFolder` (bundled with the student's modules, or
   * with node --import tsx if even the driver alone cannot be bundled) and waits until it has said hello.
   */
  static async start(driverFile: string, stageFolder: string): Promise<Driver> {
    const token = randomBytes(16).toString('hex');
    const built = await buildDriver(driverFile, stageFolder);
    const listener = createServer();
    // A student's process may connect here too: a few silent ones are kept at most (the oldest goes
    // first), none after the start.
    const strangers = new Set<Socket>();
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    const { port } = listener.address() as AddressInfo;
    const program = Program.start(process.execPath, built?.args ?? ['--import', 'tsx', driverFile], {
      who: 'driver',
      transcript: new Transcript(),
      env: { ...process.env, ...built?.env, [DRIVER_VAR]: `${port}:${token}` },
    });
    if (built) void program.exited.then(built.remove);
    try {
      const channel = await new Promise<Socket>((resolve, reject) => {
        const cancel = patientTimer(START_WITHIN, (waited) => reject(new Error(`your code did not finish loading within ${showDuration(waited)} (an endless loop at the top level of a module?)`)));
        void program.exited.then((exit) => {
          cancel();
          reject(new Error(`the driver that runs your code exited (${describeExit(exit)}) before it started${tail(program)}`));
        });
        // Only a connection that opens with the token is the driver; anything else is dropped, and
        // whatever has not spoken by the time the driver is in goes too (see finally).
        listener.on('connection', (socket) => {
          strangers.add(socket);
          if (strangers.size > MAX_STRANGERS) {
            const [oldest] = strangers;
            strangers.delete(oldest);
            oldest.destroy();
          }
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
            strangers.delete(socket);
            // Bytes after the hello belong to the protocol: give them back to the stream.
            const after = chunk.subarray(nl + 1);
            if (after.length) socket.unshift(after);
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
      for (const socket of strangers) socket.destroy();
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
    if (this.hasFlooded) return; // nothing more from a driver that flooded the channel
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

  private hasFlooded = false;

  private flooded(): void {
    this.hasFlooded = true;
    this.fail('it flooded the channel to the tests');
    this.channel.destroy();
    void this.program.stop(500);
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
    current ??= Driver.start(file, stageFolder);
    return current.then((d) => {
      if (d.alive) return d;
      current = Driver.start(file, stageFolder);
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
