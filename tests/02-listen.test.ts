// Stage 2 graded suite: binding, the listening line, clear errors, restart, and connecting.
import { once } from 'node:events';
import { connect as connectTo, createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { rule } from '../kit/harness/rule.ts';
import { randomInt } from '../kit/harness/seed.ts';
import { patientTimer } from '../kit/harness/patience.ts';
import { showDuration, showText } from '../kit/harness/show.ts';
import { studentModule } from '../kit/harness/target.ts';
import { REPLY_WITHIN } from '../kit/harness/wire.ts';

type Stage2 = typeof import('../solutions/02-listen/listen.ts');
const stage2 = studentModule<Stage2>('02-listen', 'listen.ts');
const GUIDE = 'guide/02-listen.md';

const show = (value: unknown): string => JSON.stringify(value);

// A server of our own, for the student's code to bind (stage 1's code is not needed here).
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

// A server that keeps every connection open until the client closes its side.
function keepingServer(t: TestKit): { server: Server; accepted: Promise<Socket> } {
  const server = createServer();
  const open = new Set<Socket>();
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  server.on('connection', (socket) => {
    open.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => open.delete(socket));
  });
  t.defer(() => {
    for (const s of open) s.destroy();
    server.close();
  });
  return { server, accepted };
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
    const { listen } = await stage2();
    const server = freshServer(t);
    const result = await settle(() => listen(server, { host: '127.0.0.1', port: 0 }));
    check(result.ok, 'listen(server, {host: "127.0.0.1", port: 0}) to resolve', () => (result.ok ? '' : `it rejected: ${showText(result.message)}`));
    const bound = server.address() as AddressInfo | null;
    check(server.listening && bound !== null, 'the server to be listening', () => 'server.listening is false');
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
  }, async () => {
    const { listeningLine } = await stage2();
    for (const endpoint of [{ host: '127.0.0.1', port: randomInt(1024, 65535) }, { host: `127.0.${randomInt(0, 255)}.${randomInt(1, 254)}`, port: randomInt(1, 65535) }]) {
      const got = listeningLine(endpoint);
      const want = `ClassChat server listening on ${endpoint.host}:${endpoint.port}`;
      check(got === want, `listeningLine(${show(endpoint)}) to be ${showText(want)}`, () => showText(String(got)));
    }
  });

  graded('a port already in use rejects with a one-line message naming the port', {
    points: 1,
    hint: "Wait for 'error' as well as 'listening'; for EADDRINUSE throw your own one-line Error: the port, \"in use\", and what to do about it.",
    guide: `${GUIDE} § When the port is taken`,
  }, async (t) => {
    const { listen } = await stage2();
    const port = await takenPort(t);
    const result = await settle(() => listen(freshServer(t), { host: '127.0.0.1', port }));
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
    const { listen, stopListening } = await stage2();
    const { server, accepted } = keepingServer(t);
    const bound = await settle(() => listen(server, { host: '127.0.0.1', port: 0 }));
    await rule({ hint: "listen() must resolve once 'listening' fires: stopListening() is tested on a server it started.", guide: `${GUIDE} § Binding and listening` },
      () => check(bound.ok, 'listen() on port 0 to resolve', () => (bound.ok ? '' : `it rejected: ${showText(bound.message)}`)));
    const port = bound.ok ? bound.value.port : 0;
    const client = await t.connect(port);
    await accepted;
    t.transcript.note('stopListening() is called while the client is still connected');
    const stopping = stopListening(server);
    const state = watch(stopping);
    // Once close() has been called, new connections are refused; the open one keeps 'close' away.
    const attempt = await tryConnect(t, port);
    check(attempt === 'ECONNREFUSED', 'stopListening() to call server.close(): a new connection refused', () => `a new connection: ${attempt}`, t.transcript);
    check(state() === 'pending', "stopListening() to wait for 'close', which cannot come while a client is still connected", () => `it had already ${state()}`, t.transcript);
    client.end();
    const stopped = await settle(() => stopping);
    check(stopped.ok && !server.listening, "stopListening() to resolve once the last connection ended ('close')", () => (stopped.ok ? 'server.listening is still true' : showText(stopped.message)), t.transcript);
    const again = await settle(() => listen(freshServer(t), { host: '127.0.0.1', port }));
    check(again.ok, `listen() on port ${port} right after stopListening() to succeed`, () => (again.ok ? '' : `it rejected: ${showText(again.message)}`));
  });

  graded('connect() reaches a listening server, and explains a refused connection', {
    points: 1,
    hint: "Wait for 'connect' or 'error'; for ECONNREFUSED say the server may not be running and how to start it.",
    guide: `${GUIDE} § Connecting`,
  }, async (t) => {
    const { connect } = await stage2();
    const server = freshServer(t);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const good = new Socket();
    t.defer(() => good.destroy());
    const ok = await settle(() => connect(good, { host: '127.0.0.1', port }));
    check(ok.ok && good.remotePort === port, `connect() to a listening server on port ${port} to resolve connected`, () => (ok.ok ? `remotePort ${good.remotePort}` : `it rejected: ${showText(ok.message)}`));

    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = new Socket();
    t.defer(() => refused.destroy());
    const bad = await settle(() => connect(refused, { host: '127.0.0.1', port }));
    const message = bad.ok ? '' : bad.message;
    check(!bad.ok, `connect() to port ${port} with no server to reject`, () => 'it resolved');
    const clear = message.includes(`127.0.0.1:${port}`) && /server/i.test(message) && /running|start/i.test(message);
    check(clear, `a message naming 127.0.0.1:${port} that says to start the server`, () => showText(message));
  });
});
