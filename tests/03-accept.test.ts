// Stage 3 graded suite: the ACK line, the logged address, the busy rule, resets, and the client's
// readAck(). Everything is checked on the wire: the bytes that arrive, whether a connection ends
// with a clean close, and whether the lines after the greeting still reach the next reader.
import { once } from 'node:events';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { Worker } from 'node:worker_threads';
import { describe } from 'vitest';
import { check, ExpectationFailure } from '../kit/harness/failure.ts';
import { watchCrashes } from '../kit/harness/crashes.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { patient, patientTimer } from '../kit/harness/patience.ts';
import { rule } from '../kit/harness/rule.ts';
import { pick, randomInt } from '../kit/harness/seed.ts';
import { showDuration, showText, showWithBytes } from '../kit/harness/show.ts';
import { studentModule } from '../kit/harness/target.ts';
import { settleWithin } from '../kit/harness/wait.ts';
import { REPLY_WITHIN, type WireClient } from '../kit/harness/wire.ts';

type Stage3 = typeof import('../solutions/03-accept/accept.ts');
const stage3 = studentModule<Stage3>('03-accept', 'accept.ts');
const GUIDE = 'guide/03-accept.md';
const ACK = 'Connection established. Welcome to ClassChat Server!';
const BUSY = 'Server busy: another client is connected. Try again later.';

const BUSY_RULE = {
  hint: 'Keep the served socket in a variable; while it is set, end() newcomers with the BUSY line, and clear it only when the served socket closes.',
  guide: `${GUIDE} § The busy rule`,
};
const VANISH_RULE = {
  hint: "Add client.on('error', …) first thing in the 'connection' handler, for every socket, busy ones too: an unhandled ECONNRESET ends the process.",
  guide: `${GUIDE} § When a client vanishes`,
};

/** The server's end of one connection, as seen from outside the student's code. */
interface Conn {
  socket: Socket;
  /** Resolves when the server's socket has closed. */
  closed: Promise<void>;
  /** True once the server sent its FIN (end()); false at 'close' means the socket was destroyed. */
  ended: () => boolean;
}

interface Served {
  port: number;
  logs: string[];
  /** The sockets the student's code handed to the session, in order. */
  sessions: Socket[];
  /** The server's end of the connection whose client side has local port `port`. */
  conn(clientPort: number | undefined): Promise<Conn>;
}

// Starts a loopback server driven by the student's acceptClients(); the session keeps the client
// open and answers "pong" to anything, so tests can tell a served client from a waiting one.
// Its own listeners only watch: they add no 'error' listener that would hide a missing one.
async function serve(t: TestKit): Promise<Served> {
  const { acceptClients } = await stage3();
  // Keyed by the client's port; a connection reset before it was accepted has no port any more.
  const conns: Array<{ port: number | undefined; conn: Conn }> = [];
  const find = (port: number | undefined) => conns.find((c) => c.port === port) ?? conns.find((c) => c.port === undefined);
  const server: Server = createServer();
  server.on('connection', (s) => {
    let finished = false;
    s.once('finish', () => { finished = true; });
    const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
    conns.push({ port: s.remotePort, conn: { socket: s, closed, ended: () => finished } });
  });
  t.defer(() => {
    for (const c of conns) c.conn.socket.destroy();
    server.close();
  });
  const served: Served = {
    port: 0,
    logs: [],
    sessions: [],
    conn: async (clientPort) => {
      await waitFor(() => find(clientPort) !== undefined, `the server to accept the connection from port ${clientPort}`, t);
      return find(clientPort)!.conn;
    },
  };
  acceptClients(server, (client) => {
    served.sessions.push(client);
    client.on('data', () => client.write('pong\n'));
  }, (line) => served.logs.push(line));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  served.port = (server.address() as AddressInfo).port;
  return served;
}

// Waits, one event-loop turn at a time, until `ready()` holds; fails after a (load-scaled) silence.
function waitFor(ready: () => boolean, what: string, t: TestKit): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopped = false;
    const cancel = patientTimer(REPLY_WITHIN, (waited) => {
      stopped = true;
      reject(new ExpectationFailure({ expected: what, got: `nothing within ${showDuration(waited)}`, transcript: t.transcript }));
    });
    const poll = (): void => {
      if (stopped) return;
      if (ready()) {
        cancel();
        resolve();
      } else setTimeout(poll, 2);
    };
    poll();
    t.defer(() => { stopped = true; cancel(); });
  });
}

// A client's own port, remembered while connected (a closed socket forgets it).
const localPorts = new WeakMap<WireClient, number | undefined>();
async function connectAs(t: TestKit, port: number, who: string): Promise<WireClient> {
  const client = await t.connect(port, { who });
  localPorts.set(client, client.socket.localPort);
  return client;
}

// Waits for the server's end of a client's connection to close (after a busy line, an exit, a reset).
async function serverClosed(served: Served, client: WireClient | number, t: TestKit): Promise<Conn> {
  const port = typeof client === 'number' ? client : localPorts.get(client);
  const who = typeof client === 'number' ? `the client on port ${client}` : client.who;
  const conn = await served.conn(port);
  const outcome = await settleWithin(conn.closed);
  check(outcome === 'resolved', `the server to close its end of ${who}'s connection`, () => `it is ${outcome}`, t.transcript);
  return conn;
}

// Waits until the server has either sent its FIN on a connection ('finish') or destroyed it.
async function serverDone(served: Served, client: WireClient, t: TestKit): Promise<Conn> {
  const conn = await served.conn(localPorts.get(client));
  const finished = new Promise<void>((resolve) => {
    if (conn.ended()) resolve();
    else conn.socket.once('finish', () => resolve());
  });
  const outcome = await settleWithin(Promise.race([finished, conn.closed]));
  check(outcome === 'resolved', `the server to end or close ${client.who}'s connection`, () => `it is ${outcome}`, t.transcript);
  return conn;
}

// A client in a worker thread connects, sends a line and resets while this thread waits, so the
// server accepts a connection that is already gone (a client that gave up while the server was busy).
const RESETTER = `
const { workerData } = require('node:worker_threads');
const net = require('node:net');
const flag = new Int32Array(workerData.flag);
const done = (port) => { Atomics.store(flag, 1, port); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
const s = net.connect(workerData.port, '127.0.0.1');
s.on('error', () => done(0));
s.on('connect', () => {
  const port = s.localPort;
  s.write('gave up\\n', () => s.resetAndDestroy());
  s.on('close', () => done(port));
});
`;
async function resetBeforeAccept(t: TestKit, port: number): Promise<number> {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(RESETTER, { eval: true, workerData: { port, flag: flag.buffer } });
  t.defer(() => worker.terminate());
  // Blocking on purpose: this thread must not accept before the client has reset.
  Atomics.wait(flag, 0, 0, patient(REPLY_WITHIN));
  const clientPort = Atomics.load(flag, 1);
  t.transcript.note(clientPort ? `a client on port ${clientPort} connects, sends "gave up\\n" and resets before the server accepts it` : 'the resetting client could not connect');
  return clientPort;
}

describe('03 accept and ACK', () => {
  graded('a connecting client receives the ACK line', {
    points: 0.5,
    hint: 'Write the ACK constant followed by "\\n" to the accepted socket, before anything else.',
    guide: `${GUIDE} § The ACK line`,
  }, async (t) => {
    const { port } = await serve(t);
    const client = await t.connect(port);
    await client.expectLine(ACK);
  });

  graded("the server logs the client's address and hands the client to the session", {
    points: 0.5,
    hint: 'Log "Client connected from " + describePeer(client) through the log parameter, then call session(client).',
    guide: `${GUIDE} § Accepting a client`,
  }, async (t) => {
    const served = await serve(t);
    const client = await t.connect(served.port);
    await client.expectLine(ACK);
    const peer = `127.0.0.1:${client.socket.localPort}`;
    check(served.logs.some((l) => l.includes(`Client connected from ${peer}`)), `a log line containing "Client connected from ${peer}"`,
      () => (served.logs.length ? served.logs.map((l) => showText(l)).join(', ') : 'no log lines (console.log instead of the log parameter?)'));
    const word = pick(['ping', 'hello', 'are you there?']);
    client.sendLine(word);
    await client.expectLine('pong');
  });

  graded('a second client gets the busy line and a clean close; the first is still served', {
    points: 1,
    hint: BUSY_RULE.hint,
    guide: BUSY_RULE.guide,
  }, async (t) => {
    const served = await serve(t);
    const first = await connectAs(t, served.port, 'client 1');
    await first.expectLine(ACK);
    const second = await connectAs(t, served.port, 'client 2');
    await second.expectLine(BUSY);
    await second.expectClose('the server to close client 2 after the busy line');
    await serverClosed(served, second, t);
    // Client 2 has gone: that must not end client 1's turn.
    const third = await connectAs(t, served.port, 'client 3');
    await rule({ hint: "Clear the served client only in the served socket's own 'close' handler: a busy client's close must not end the first client's turn.", guide: BUSY_RULE.guide },
      () => third.expectLine(BUSY));
    // Client 4 speaks before it reads. With unread bytes, destroy() answers with a reset (RST) and
    // the busy line can be lost on the way; end() sends the line, then a clean close (FIN).
    const fourth = await connectAs(t, served.port, 'client 4');
    fourth.sendLine(`hello from client 4 #${randomInt(1, 999)}`);
    await fourth.expectLine(BUSY);
    await fourth.expectClose('the server to close client 4 after the busy line');
    const conn = await serverDone(served, fourth, t);
    check(conn.ended(), 'the server to end() the busy connection: the line, then a clean close (FIN)',
      () => 'it destroyed the socket instead, which resets (RST) a connection with unread bytes: the busy line may never arrive', t.transcript);
    // Client 4 has closed too: the server's end of that connection must go, or every such visit
    // costs the server a file descriptor.
    await rule({ hint: 'After end(BUSY), call client.resume(): a socket nobody reads never sees the FIN of a client that sent something, and stays open.', guide: BUSY_RULE.guide },
      () => serverClosed(served, fourth, t));
    first.sendLine('still there?');
    await first.expectLine('pong');
    check(served.sessions.length === 1, 'only the first client handed to the session', () => `${served.sessions.length} sessions started`, t.transcript);
  });

  graded('after the served client leaves, the next client is greeted', {
    points: 0.5,
    hint: "Forget the served client in its 'close' handler, so the next connection is accepted.",
    guide: `${GUIDE} § The busy rule`,
  }, async (t) => {
    const served = await serve(t);
    const rounds = randomInt(2, 4);
    for (let i = 1; i <= rounds; i++) {
      const client = await connectAs(t, served.port, `client ${i}`);
      await client.expectLine(ACK);
      client.sendLine('ping');
      await client.expectLine('pong');
      client.end();
      await serverClosed(served, client, t);
    }
  });

  graded('clients that reset their connection do not crash the server', {
    points: 1,
    hint: VANISH_RULE.hint,
    guide: VANISH_RULE.guide,
  }, async (t) => {
    const served = await serve(t);
    const crashes = watchCrashes(t);
    const first = await connectAs(t, served.port, 'client 1');
    await first.expectLine(ACK);
    first.sendLine('ping');
    await first.expectLine('pong');
    // A busy client that resets before the server accepts it: its socket needs an 'error' listener too.
    const gone = await resetBeforeAccept(t, served.port);
    if (gone) await serverClosed(served, gone, t);
    check(crashes().length === 0, 'no uncaught exception in the server after a busy client reset', () => crashes().join('; '), t.transcript);
    // Unread data in the server's receive buffer makes the kernel answer our close with a reset.
    first.sendLine('unread');
    first.reset();
    await serverClosed(served, first, t);
    const next = await connectAs(t, served.port, 'client 3');
    await rule({ hint: "Clear the served client on 'close', which follows a reset too ('end' does not).", guide: BUSY_RULE.guide }, () => next.expectLine(ACK));
    check(crashes().length === 0, 'no uncaught exception in the server', () => crashes().join('; '), t.transcript);
  });

  graded('readAck() resolves with the greeting and rejects busy or silent servers', {
    points: 0.75,
    hint: 'Collect bytes up to the first "\\n"; BUSY and an early close are errors the user must read.',
    guide: `${GUIDE} § Reading the greeting`,
  }, async (t) => {
    const { readAck } = await stage3();
    const outcome = async (greeting: (s: Socket) => void): Promise<string> => {
      const { socket } = await fakeServer(t, greeting);
      const result = await settleWithin(readAck(socket));
      return result.startsWith('resolved with ') ? `resolved ${showText(JSON.parse(result.slice('resolved with '.length)) as string)}` : result;
    };
    // The greeting arrives in two pieces (cut at a seeded place): the second is sent only once the
    // client has read the first, and it carries the next line along.
    const cut = randomInt(1, ACK.length - 1);
    let serverSide: Socket | undefined;
    const { socket } = await fakeServer(t, (s) => {
      serverSide = s;
      s.write(ACK.slice(0, cut));
    });
    const pending = settleWithin(readAck(socket));
    await waitFor(() => socket.bytesRead >= cut || socket.destroyed, 'the first piece to reach the client', t);
    serverSide?.write(`${ACK.slice(cut)}\nServer received: x\n`);
    const result = await pending;
    const split = result.startsWith('resolved with ') ? `resolved ${showText(JSON.parse(result.slice('resolved with '.length)) as string)}` : result;
    check(split === `resolved ${showText(ACK)}`, `readAck() to resolve with ${showText(ACK)} when it arrives in two pieces (cut after ${cut} bytes)`, () => split);
    const crlf = await outcome((s) => s.write(`${ACK}\r\n`));
    check(crlf === `resolved ${showText(ACK)}`, `readAck() to drop the "\\r" of a greeting ending in "\\r\\n"`, () => crlf);
    const busy = await outcome((s) => s.end(`${BUSY}\n`));
    check(busy.startsWith('rejected') && /busy/i.test(busy), 'readAck() to reject with a message saying the server is busy', () => busy);
    const silent = await outcome((s) => s.end());
    check(silent.startsWith('rejected'), 'readAck() to reject when the server closes without a greeting', () => silent);
    let resetter: Socket | undefined;
    const { socket: resetSocket } = await fakeServer(t, (s) => { resetter = s; });
    const resetting = settleWithin(readAck(resetSocket));
    await waitFor(() => resetter !== undefined, 'the test server to accept the connection', t);
    resetter?.resetAndDestroy();
    const reset = await resetting;
    check(reset.startsWith('rejected'), 'readAck() to reject when the connection is reset before the greeting', () => reset);
  });

  graded('readAck() leaves the bytes after the greeting, whole, for the next reader', {
    points: 0.75,
    hint: 'Put the bytes after the "\\n" back with socket.unshift() (as bytes, not re-encoded text), remove your listeners and pause() the socket.',
    guide: `${GUIDE} § Reading the greeting`,
  }, async (t) => {
    const { readAck } = await stage3();
    // The greeting, then a reply whose "é" (0xc3 0xa9) is split between this write and the next.
    const word = pick(['café', 'naïve', 'résumé', 'señor']);
    const at = Buffer.from(word).findIndex((b) => b >= 0x80);
    const reply = Buffer.from(`Server received: ${word}\n`);
    const splitAt = Buffer.byteLength('Server received: ') + at + 1;
    const after = Buffer.concat([reply, Buffer.from(`Server received: ${randomInt(1, 99)} more\n`)]);
    const first = Buffer.concat([Buffer.from(`${ACK}\n`), after.subarray(0, splitAt)]);
    const second = after.subarray(splitAt);
    let serverSide: Socket | undefined;
    const { socket } = await fakeServer(t, (s) => {
      serverSide = s;
      s.write(first);
    });
    t.transcript.note(`server sends ${showWithBytes(first.toString('latin1'))} in one write (the last byte is half of a character)`);
    const result = await settleWithin(readAck(socket));
    check(result === `resolved with ${JSON.stringify(ACK)}`, `readAck() to resolve with ${showText(ACK)}`, () => result, t.transcript);
    // Only now does the rest arrive: a socket left flowing with nobody listening would drop it.
    t.transcript.note(`server sends the remaining ${second.length} bytes and closes`);
    serverSide?.end(second);
    await waitFor(() => socket.bytesRead >= first.length + second.length || socket.destroyed, 'the rest of the bytes to reach the client socket', t);
    const decoder = new StringDecoder('utf8');
    let text = '';
    socket.on('data', (chunk: Buffer) => { text += decoder.write(chunk); });
    socket.resume();
    await settleWithin(new Promise<void>((resolve) => { if (socket.readableEnded || socket.destroyed) resolve(); else socket.once('end', () => resolve()); socket.once('close', () => resolve()); }));
    const expected = after.toString('utf8');
    check(text === expected, `the next reader of the socket to get ${showWithBytes(expected)}`, () => showWithBytes(text), t.transcript);
  });
});

// A server of the test's own that greets with `greet`; returns a client socket connected to it.
async function fakeServer(t: TestKit, greet: (s: Socket) => void): Promise<{ socket: Socket }> {
  const accepted = new Set<Socket>();
  const server = createServer((s) => {
    accepted.add(s);
    s.on('error', () => {});
    greet(s);
  });
  t.defer(() => {
    for (const s of accepted) s.destroy();
    server.close();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = new Socket();
  t.defer(() => socket.destroy());
  socket.on('error', () => {});
  socket.connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  return { socket };
}
