// Stage 2 graded suite: binding, the listening line, clear errors, restart, and connecting.
import { once } from 'node:events';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { showText } from '../kit/harness/show.ts';
import { studentModule } from '../kit/harness/target.ts';

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

// Runs a promise-returning student call and describes how it ended.
async function settle<T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; message: string }> {
  try {
    return { ok: true, value: await call() };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
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
    const got = listeningLine({ host: '127.0.0.1', port: 40123 });
    const want = 'ClassChat server listening on 127.0.0.1:40123';
    check(got === want, `listeningLine({host: "127.0.0.1", port: 40123}) to be ${showText(want)}`, () => showText(String(got)));
  });

  graded('a port already in use rejects with a one-line message naming the port', {
    points: 1,
    hint: "Wait for 'error' as well as 'listening'; for EADDRINUSE throw an Error that says the port is in use.",
    guide: `${GUIDE} § When the port is taken`,
  }, async (t) => {
    const { listen } = await stage2();
    const port = await takenPort(t);
    const result = await settle(() => listen(freshServer(t), { host: '127.0.0.1', port }));
    const message = result.ok ? '' : result.message;
    check(!result.ok, `listen() on taken port ${port} to reject`, () => `it resolved with ${show(result.ok && result.value)}`);
    const ok = message.includes(String(port)) && /in use/i.test(message) && !message.includes('\n');
    check(ok, `one line that names port ${port} and says it is "in use"`, () => showText(message));
  });

  graded('stopListening() frees the port so the server can listen on it again at once', {
    points: 1,
    hint: "Call server.close() and wait for its 'close' event before resolving.",
    guide: `${GUIDE} § Restarting at once`,
  }, async (t) => {
    const { listen, stopListening } = await stage2();
    const first = freshServer(t);
    const bound = await listen(first, { host: '127.0.0.1', port: 0 });
    const client = await t.connect(bound.port);
    client.end();
    const stopped = await settle(() => stopListening(first));
    check(stopped.ok && !first.listening, 'stopListening() to resolve with the server closed', () => (stopped.ok ? 'server.listening is still true' : `it rejected: ${showText(stopped.message)}`));
    const again = await settle(() => listen(freshServer(t), { host: '127.0.0.1', port: bound.port }));
    check(again.ok, `listen() on port ${bound.port} right after stopListening() to succeed`, () => (again.ok ? '' : `it rejected: ${showText(again.message)}`));
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
