// The other ends the stage 6 tests play: a scripted server for testing the client program alone,
// and raw TCP clients for testing the server program alone.
import { once } from 'node:events';
import { unusedPort } from '../../kit/harness/ports.ts';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { ExpectationFailure } from '../../kit/harness/failure.ts';
import type { TestKit } from '../../kit/harness/graded.ts';
import { closeWaitOn, openSockets } from '../../kit/harness/proc.ts';
import type { Program } from '../../kit/harness/program.ts';
import { showDuration, showText, showWithBytes } from '../../kit/harness/show.ts';
import { Waiters } from '../../kit/harness/waiters.ts';
import { patient, patientTimer, slowness } from '../../kit/harness/patience.ts';
import type { Transcript } from '../../kit/harness/transcript.ts';
import { REPLY_WITHIN, WireClient } from '../../kit/harness/wire.ts';
import { HOST } from './programs.ts';

export const ACK = 'Connection established. Welcome to ClassChat Server!';
export const BUSY = 'Server busy: another client is connected. Try again later.';
export const GOODBYE = 'Goodbye! Connection closing...';
export const TOO_LONG = 'Error: message too long (max 1024 bytes)';
export const SHUTDOWN = 'Server shutting down. Goodbye!';
export const received = (line: string): string => `Server received: ${line}`;

// The scripted server wraps each socket it accepts like a test's own client, for the same
// transcript and deadlines.
const wrap = (socket: Socket, who: string, transcript: Transcript): WireClient => WireClient.wrap(socket, { who, transcript });

export interface ScriptedServer {
  port: number;
  /**
   * Resolves with the next connection, seen from the server's side ("test server" in the
   * transcript). Gives up early if `client`, the program expected to connect, exits first.
   */
  nextConnection(client: Program, within?: number): Promise<WireClient>;
}

/** A loopback server the test drives line by line, standing in for the ClassChat server. */
export async function scriptedServer(t: TestKit): Promise<ScriptedServer> {
  const server = createServer();
  const waiting: WireClient[] = [];
  const arrivals = new Waiters();
  server.on('connection', (socket) => {
    socket.setNoDelay(true);
    t.defer(() => socket.destroy());
    waiting.push(wrap(socket, 'test server', t.transcript));
    arrivals.wake();
  });
  t.defer(() => server.close());
  server.listen(0, HOST);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  t.transcript.note(`test server listening on ${HOST}:${port}`);
  return {
    port,
    async nextConnection(client, within = REPLY_WITHIN) {
      void client.exited.then(() => arrivals.wake());
      const waited = await arrivals.until(() => waiting.length > 0 || client.hasExited, within);
      const peer = waiting.shift();
      if (peer) return peer;
      const got = client.hasExited
        ? `${client.who} exited first${tailOf(client)}`
        : `no connection within ${showDuration(waited)}`;
      throw new ExpectationFailure({ expected: `${client.who} to connect to ${HOST}:${port}`, got, transcript: t.transcript });
    },
  };
}

// The end of a program's stderr, for a failure message.
function tailOf(program: Program): string {
  const text = program.out.stderr.captured().trim();
  return text ? `; its stderr: ${showText(text.slice(-300), 300)}` : '';
}

/** A port with nothing listening (kit/harness/ports.ts: one no other test can take meanwhile). */
export const closedPort = unusedPort;

/** A port that is surely taken: the test listens on it until it ends. */
export async function takenPort(t: TestKit): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  t.defer(() => server.close());
  server.listen(0, HOST);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/**
 * At most this many tries while the server has not yet noticed that its last client left. The
 * deadline bounds the time, this the connections a server stuck on busy gets: a try takes about
 * 0.5 ms on loopback, so a server (or a starved thread of one) has about half a second to notice.
 */
const BUSY_TRIES = 1000;

/**
 * Connects and expects the greeting. The server learns that its last client left a moment after
 * that client sees the close, so a busy line right then is retried, within `within` in all. Each
 * retry waits for an event first: the server closing the busy connection, then one turn of the
 * test's event loop. By then the server has run its own loop at least once more.
 */
export async function connectWhenFree(t: TestKit, port: number, who: string, within = REPLY_WITHIN): Promise<WireClient> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const client = await t.connect(port, { who });
    const line = await client.nextLine(showWithBytes(`${ACK}\n`));
    if (line === ACK) return client;
    // In idle milliseconds, like `within`: expectClose stretches it again with the load.
    const left = within - (Date.now() - started) / slowness();
    if (line === BUSY && attempt < BUSY_TRIES && left > 0) {
      if (attempt === 1) t.transcript.note(`${who} tries again each time the server closes a busy connection: it may not have noticed yet that the last client left`);
      await client.expectClose(`the server to close ${who} after the busy line`, { within: left });
      client.destroy();
      await new Promise((resolve) => setImmediate(resolve));
      continue;
    }
    const why = line === BUSY ? ` (still busy after ${attempt} tries over ${showDuration(Date.now() - started)}, though the last client had left)` : '';
    throw new ExpectationFailure({ expected: `${who} to receive ${showWithBytes(`${ACK}\n`)}`, got: `${showWithBytes(`${line}\n`)}${why}`, transcript: t.transcript });
  }
}

/** Everything a connection receives, byte for byte (WireClient hides a trailing "\r"). */
export function recordRaw(client: WireClient): () => string {
  const chunks: Buffer[] = [];
  client.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

/**
 * Sends `mib` MiB of "x" with no newline, 64 KiB at a time, each piece once the server has taken the
 * last: a server that stops reading (takes nothing for `within`, stretched with the load) fails
 * here instead of filling the test's memory.
 */
export async function flood(t: TestKit, client: WireClient, mib: number, within = 5000): Promise<void> {
  const piece = Buffer.alloc(64 * 1024, 'x');
  const pieces = mib * 16;
  t.transcript.note(`${client.who} sends ${mib} MiB of "x" with no newline, 64 KiB at a time`);
  let waited = within;
  for (let i = 0; i < pieces; i++) {
    if (client.socket.write(piece)) continue;
    const drained = await new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        cancel();
        client.socket.off('drain', onDrain);
        client.socket.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      const cancel = patientTimer(within, (ms) => {
        waited = ms;
        done(false);
      });
      client.socket.on('drain', onDrain);
      client.socket.on('close', onClose);
    });
    if (!drained) {
      const why = client.isClosed ? 'the connection was closed' : `it took nothing more for ${showDuration(waited)}`;
      throw new ExpectationFailure({ expected: `the server to keep reading a line with no end (${mib} MiB sent)`, got: `${why} after ${((i + 1) / 16).toFixed(1)} MiB`, transcript: t.transcript });
    }
  }
}

/**
 * A client that is turned away as busy, sends a line anyway, then resets or closes its side.
 * Resolves once its own socket is closed.
 */
export async function busyVisitor(t: TestKit, port: number, leave: 'reset' | 'close'): Promise<void> {
  const socket = netConnect({ port, host: HOST });
  t.defer(() => socket.destroy());
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { text += chunk; });
  await Promise.race([once(socket, 'connect'), closed]);
  await waitFor(socket, ['data', 'close'], () => text.includes('\n') || socket.destroyed);
  socket.write('a line nobody will read\n');
  if (leave === 'reset') socket.resetAndDestroy();
  else socket.end();
  await closed;
}

// Resolves once `ready()` holds, checking again on each event, or after REPLY_WITHIN regardless.
function waitFor(emitter: Socket, events: string[], ready: () => boolean): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      if (!ready()) return;
      cancel();
      for (const e of events) emitter.off(e, done);
      resolve();
    };
    const cancel = patientTimer(REPLY_WITHIN, () => {
      for (const e of events) emitter.off(e, done);
      resolve();
    });
    for (const e of events) emitter.on(e, done);
  });
}

export interface SocketCount {
  /** Sockets all the server's processes hold open now. */
  open: number;
  /** Of those, the ones opened since the watch began. */
  opened: number;
  /** Connections on the server's port that the client closed and the server still has not. */
  closeWait: number;
  /** What the server kept of the connections since: the larger of the last two. */
  kept: number;
}

export interface SocketWatch {
  /** Sockets the server's processes held when the watch began. */
  before: number;
  now(): SocketCount;
}

/**
 * Watches the sockets of a server listening on `port`, from now on (Linux /proc); undefined where
 * they cannot be read. What counts as kept is what only a leak keeps, whatever else the server
 * does with its descriptors: sockets opened since that all its processes together still hold
 * (closing spare files or sockets held from the start cannot offset them), and the kernel's own
 * view of its port, connections its clients closed that it never closed (CLOSE_WAIT: they show
 * whichever process holds them, even one outside the server's processes).
 */
export function watchSockets(server: Program, port: number): SocketWatch | undefined {
  const start = openSockets(server.programPids());
  if (start === undefined) return undefined;
  return {
    before: start.size,
    now() {
      const held = openSockets(server.programPids()) ?? new Set<string>();
      const opened = [...held].filter((s) => !start.has(s)).length;
      const closeWait = closeWaitOn(port);
      return { open: held.size, opened, closeWait, kept: Math.max(opened, closeWait) };
    },
  };
}

/**
 * Counts until what the server kept is down to `limit` or a few seconds have passed: the server
 * closes a socket a moment after its client did. Returns the last count.
 */
export async function socketsSettle(watch: SocketWatch, limit: number, within = REPLY_WITHIN): Promise<SocketCount> {
  const started = Date.now();
  let count = watch.now();
  while (count.kept > limit && Date.now() - started < patient(within)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    count = watch.now();
  }
  return count;
}
