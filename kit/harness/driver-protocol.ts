// The protocol between a suite and its stage's driver (see driver.ts), and the driver's side of
// it. Kept apart from the test's side so a driver process loads only this, node:net and the
// student's module: it starts faster.
//
// Newline-delimited JSON on a TCP connection the driver opens to the test's loopback listener (so
// the student's own stdout and stderr cannot corrupt it):
//   test → driver   {id, call, args}
//   driver → test   {id, ok: true, value} | {id, ok: false, error}   one reply per request
//   driver → test   {event, data}                                    logs, callbacks, crashes
// The driver's first line is {hello: token}, the token the test passed it: no other process can
// take the driver's place.
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';

/** `port:token` of the test's listener, for the driver. */
export const DRIVER_VAR = 'CLASSCHAT_DRIVER';
/**
 * One protocol line may hold this much; more means something is flooding the channel. (The
 * largest line of a whole suite is a few KB. JSON can take 15 times its size once parsed, so a
 * cap in bytes is also a cap on what one line can cost the tests' memory.)
 */
export const MAX_LINE_BYTES = 1024 * 1024;

export type Request = { id: number; call: string; args: unknown[] };
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };
export type Event = { event: string; data: unknown };

/** A thrown value as one line. */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Splits a byte stream into lines and calls `onLine` with each parsed JSON value. */
export function readJsonLines(socket: Socket, onLine: (value: unknown) => void, onFlood: () => void): void {
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
 * Runs in the driver process: connects to the test, says hello once `loading` (the student's
 * modules, already being imported) has settled, answers the suite's calls with `handlers`, reports
 * uncaught exceptions as `crash` events (a client's failure must never stop the server), and
 * exits when the test hangs up.
 */
export async function serveDriver(handlers: Record<string, Handler>, loading: Array<Promise<unknown>> = []): Promise<void> {
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
  // Hello only once the student's modules have loaded (or failed to: the first call reports it),
  // so a module that never finishes loading fails the suite's start once, not every call.
  await Promise.all([once(socket, 'connect'), Promise.allSettled(loading)]);
  send({ hello: token });
}

