// Stage 2 graded suite: binding, the listening line, clear errors, restart, and connecting.
import { once } from 'node:events';
import { connect as connectTo, createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, describe } from 'vitest';
import { suiteDriver, type TestDriver } from '../kit/harness/driver.ts';
import { check } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { rule } from '../kit/harness/rule.ts';
import { randomInt } from '../kit/harness/seed.ts';
import { patientTimer } from '../kit/harness/patience.ts';
import { unusedPort } from '../kit/harness/ports.ts';
import { showDuration, showText } from '../kit/harness/show.ts';
import { waitUntil } from '../kit/harness/wait.ts';
import { REPLY_WITHIN } from '../kit/harness/wire.ts';
import type { ServerState } from './02-listen/driver.ts';

type Endpoint = import('../solutions/01-socket/endpoint.ts').Endpoint;
// The student's code runs in a driver process of its own (02-listen/driver.ts): servers and
// sockets for it are made there, and this file judges what it reports and what the wire shows.
const driver = suiteDriver(import.meta.url, '02-listen');
afterAll(() => driver.stop());
const GUIDE = 'guide/02-listen.md';

const show = (value: unknown): string => JSON.stringify(value);

// A server of the driver's own, for the student's code to bind (stage 1's code is not needed here).
async function driverServer(d: TestDriver, kind: 'fresh' | 'keeping'): Promise<number> {
  return d.call<number>('server', kind);
}

// The student's listen() on server `id` of the driver, then its promise.
const listenIn = (d: TestDriver, id: number, endpoint: Endpoint) => async (): Promise<Endpoint> =>
  d.settled<Endpoint>(await d.call<number>('listen', id, endpoint));

// A server in this process (to hold a port, or for the student's connect()).
function freshServer(t: TestKit): Server {
  const server = createServer((socket) => socket.destroy());
  t.defer(() => server.close());
  return server;
}

// A port that is surely taken: the test listens on it first.
async function takenPort(t: TestKit): Promise<number> {
  const holder = freshServer(t);
  holder.listen(0, '127.0.0.1');
  await once(holder, 'listening');
  return (holder.address() as AddressInfo).port;
}

type Settled<T> = { ok: true; value: T } | { ok: false; message: string };

// Runs a promise-returning student call and describes how it ended; a promise still pending after
// REPLY_WITHIN (a 'listening' or 'close' event that was missed) ends as a failure that says so.
async function settle<T>(call: () => Promise<T>): Promise<Settled<T>> {
  let cancel = (): void => {};
  const late = new Promise<Settled<T>>((resolve) => {
    cancel = patientTimer(REPLY_WITHIN, (waited) => resolve({ ok: false, message: `still pending after ${showDuration(waited)}` }));
  });
  const ended = (async (): Promise<Settled<T>> => {
    try {
      return { ok: true, value: await call() };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  })();
  try {
    return await Promise.race([ended, late]);
  } finally {
    cancel();
  }
}

// Where a student's promise stands right now, without waiting for it.
function watch(promise: Promise<unknown>): () => string {
  let state = 'pending';
  promise.then(() => { state = 'resolved'; }, (err: unknown) => { state = `rejected: ${err instanceof Error ? err.message : String(err)}`; });
  return () => state;
}

// Resolves with how a connection attempt to `port` ended: "connected" or the error code.
function tryConnect(t: TestKit, port: number): Promise<string> {
  const socket = connectTo(port, '127.0.0.1');
  t.defer(() => socket.destroy());
  return new Promise((resolve) => {
    const cancel = patientTimer(REPLY_WITHIN, (waited) => resolve(`no answer within ${showDuration(waited)}`));
    socket.once('connect', () => { cancel(); resolve('connected'); });
    socket.once('error', (err: NodeJS.ErrnoException) => { cancel(); resolve(err.code ?? err.message); });
  });
}

describe('02 bind and listen', () => {
  graded('listen() on port 0 resolves with the real port, bound to 127.0.0.1', {
    points: 1,
    hint: "Call server.listen({ host, port, backlog }) and, once 'listening' fires, return server.address()'s address and port.",
    guide: `${GUIDE} § Binding and listening`,
  }, async (t) => {
    const d = await driver.forTest(t);
    const server = await driverServer(d, 'fresh');
    const result = await settle(listenIn(d, server, { host: '127.0.0.1', port: 0 }));
    check(result.ok, 'listen(server, {host: "127.0.0.1", port: 0}) to resolve', () => (result.ok ? '' : `it rejected: ${showText(result.message)}`));
    const state = await d.call<ServerState>('state', server);
    const bound = state.address;
    check(state.listening && bound !== null, 'the server to be listening', () => 'server.listening is false');
    check(bound!.address === '127.0.0.1', 'the server bound to 127.0.0.1 only', () => `bound to ${show(bound!.address)} (without a host Node binds every address)`);
    const value = result.ok ? result.value : undefined;
    check(value?.port === bound!.port && value?.port !== 0 && value?.host === '127.0.0.1',
      `listen() to resolve with ${show({ host: '127.0.0.1', port: bound!.port })}`, () => `it resolved with ${show(value)}`);
    const client = await t.connect(bound!.port);
    client.end();
  });

  graded('listeningLine() announces the address exactly as the protocol says', {
    points: 1,
    hint: 'The line is "ClassChat server listening on " followed by host:port, nothing else.',
    guide: `${GUIDE} § Announcing the port`,
  }, async (t) => {
    const d = await driver.forTest(t);
    for (const endpoint of [{ host: '127.0.0.1', port: randomInt(1024, 65535) }, { host: `127.0.${randomInt(0, 255)}.${randomInt(1, 254)}`, port: randomInt(1, 65535) }]) {
      const got = await d.call<{ text: string; isString: boolean }>('listeningLine', endpoint);
      const want = `ClassChat server listening on ${endpoint.host}:${endpoint.port}`;
      check(got.isString && got.text === want, `listeningLine(${show(endpoint)}) to be ${showText(want)}`, () => showText(got.text));
    }
  });

  graded('a port already in use rejects with a one-line message naming the port', {
    points: 1,
    hint: "Wait for 'error' as well as 'listening'; for EADDRINUSE throw your own one-line Error: the port, \"in use\", and what to do about it.",
    guide: `${GUIDE} § When the port is taken`,
  }, async (t) => {
    const d = await driver.forTest(t);
    // A free port first: listen() must bind it, so a listen() that refuses every port cannot pass.
    const free = await unusedPort();
    const first = await settle(listenIn(d, await driverServer(d, 'fresh'), { host: '127.0.0.1', port: free }));
    await rule({ hint: "Reject only when 'error' fires: on a free port, listen() resolves once 'listening' does.", guide: `${GUIDE} § Binding and listening` },
      () => check(first.ok && first.value?.port === free, `listen() on free port ${free} to resolve with port ${free}`,
        () => (first.ok ? `it resolved with ${show(first.value)}` : `it rejected: ${showText(first.message)}`)));
    const port = await takenPort(t);
    const result = await settle(listenIn(d, await driverServer(d, 'fresh'), { host: '127.0.0.1', port }));
    const message = result.ok ? '' : result.message;
    check(!result.ok, `listen() on taken port ${port} to reject`, () => `it resolved with ${show(result.ok && result.value)}`);
    const ok = message.includes(String(port)) && /in use/i.test(message) && !message.includes('\n');
    check(ok, `one line that names port ${port} and says it is "in use"`, () => showText(message));
    // Node's own "listen EADDRINUSE: address already in use …" names the port too, but tells nobody what to do.
    const wayOut = /\b(stop|another|other|different|choose|pick|free|kill|close|change|try)\b|--port/i.test(message);
    check(wayOut, 'the message to suggest a way out (stop the other program, or another --port), not just Node\'s own error', () => showText(message));
  });

  graded('stopListening() waits for the server to close, then the port is free again at once', {
    points: 1,
    hint: "Call server.close() and resolve on its 'close' event, which comes once the last connection has ended.",
    guide: `${GUIDE} § Restarting at once`,
  }, async (t) => {
    const d = await driver.forTest(t);
    const server = await driverServer(d, 'keeping');
    const accepted = new Promise<void>((resolve) => d.on('accepted', (id) => { if (id === server) resolve(); }));
    const bound = await settle(listenIn(d, server, { host: '127.0.0.1', port: 0 }));
    await rule({ hint: "listen() must resolve once 'listening' fires: stopListening() is tested on a server it started.", guide: `${GUIDE} § Binding and listening` },
      () => check(bound.ok, 'listen() on port 0 to resolve', () => (bound.ok ? '' : `it rejected: ${showText(bound.message)}`)));
    const port = bound.ok ? bound.value.port : 0;
    const client = await t.connect(port);
    await accepted;
    t.transcript.note('stopListening() is called while the client is still connected');
    const stopping = d.settled(await d.call<number>('stopListening', server));
    const state = watch(stopping);
    // Once close() has been called, new connections are refused; the open one keeps 'close' away.
    const attempt = await tryConnect(t, port);
    check(attempt === 'ECONNREFUSED', 'stopListening() to call server.close(): a new connection refused', () => `a new connection: ${attempt}`, t.transcript);
    check(state() === 'pending', "stopListening() to wait for 'close', which cannot come while a client is still connected", () => `it had already ${state()}`, t.transcript);
    client.end();
    const stopped = await settle(() => stopping);
    const listening = (await d.call<ServerState>('state', server)).listening;
    check(stopped.ok && !listening, "stopListening() to resolve once the last connection ended ('close')", () => (stopped.ok ? 'server.listening is still true' : showText(stopped.message)), t.transcript);
    const again = await settle(listenIn(d, await driverServer(d, 'fresh'), { host: '127.0.0.1', port }));
    check(again.ok, `listen() on port ${port} right after stopListening() to succeed`, () => (again.ok ? '' : `it rejected: ${showText(again.message)}`));
  });

  graded('connect() reaches a listening server, and explains a refused connection', {
    points: 1,
    hint: "Wait for 'connect' or 'error'; for ECONNREFUSED say the server may not be running and how to start it.",
    guide: `${GUIDE} § Connecting`,
  }, async (t) => {
    const d = await driver.forTest(t);
    // connect() on a new socket in the driver; it reports the socket's remotePort when connect() resolved.
    const connectIn = (endpoint: Endpoint) => async (): Promise<{ remotePort: number | null }> =>
      d.settled<{ remotePort: number | null }>((await d.call<{ promise: number }>('connect', endpoint)).promise);
    const server = freshServer(t);
    // The test's server counts the connections that reach it: resolving is not enough, one must arrive.
    let arrived = 0;
    server.on('connection', () => { arrived++; });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const ok = await settle(connectIn({ host: '127.0.0.1', port }));
    const remotePort = ok.ok ? ok.value.remotePort ?? undefined : undefined;
    check(ok.ok && remotePort === port, `connect() to a listening server on port ${port} to resolve connected`, () => (ok.ok ? `remotePort ${remotePort}` : `it rejected: ${showText(ok.message)}`));
    t.transcript.note(`connect() to 127.0.0.1:${port} resolved`);
    await waitUntil(server, ['connection'], () => arrived > 0, `the connection from connect() to reach the test's server on port ${port}`,
      () => 'no connection arrived (connect() resolved without connecting the socket?)', t.transcript);

    await new Promise<void>((resolve) => server.close(() => resolve()));
    const bad = await settle(connectIn({ host: '127.0.0.1', port }));
    const message = bad.ok ? '' : bad.message;
    check(!bad.ok, `connect() to port ${port} with no server to reject`, () => 'it resolved');
    const clear = message.includes(`127.0.0.1:${port}`) && /server/i.test(message) && /running|start/i.test(message);
    check(clear, `a message naming 127.0.0.1:${port} that says to start the server`, () => showText(message));
  });
});
