// Stage 3 graded suite: the ACK line, the logged address, the busy rule, resets, and the client's
// readAck(). Everything is checked on the wire: the bytes that arrive, whether a connection ends
// with a clean close, and whether the lines after the greeting still reach the next reader. The
// student's code runs in a driver process of its own (03-accept/driver.ts), which also watches
// the server's ends of the connections from outside the student's code and reports them.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, describe } from 'vitest';
import { suiteDriver, type TestDriver } from '../kit/harness/driver.ts';
import { check, ExpectationFailure } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { patient, patientTimer } from '../kit/harness/patience.ts';
import { rule } from '../kit/harness/rule.ts';
import { pick, randomInt, shuffled } from '../kit/harness/seed.ts';
import { showDuration, showText, showWithBytes } from '../kit/harness/show.ts';
import { settleWithin } from '../kit/harness/wait.ts';
import { REPLY_WITHIN, type WireClient } from '../kit/harness/wire.ts';

const driver = suiteDriver(import.meta.url, '03-accept');
afterAll(() => driver.stop());
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

interface Served {
  d: TestDriver;
  port: number;
  logs: string[];
  /** How many clients the student's code handed to the session. */
  sessions: () => number;
  /** The driver's id of the server's end of the connection whose client side has local port `port`. */
  conn(clientPort: number | undefined): Promise<number>;
}

// Starts a loopback server in the driver, driven by the student's acceptClients(); the session
// keeps the client open and answers "pong" to anything, so tests can tell a served client from a
// waiting one. The driver's own listeners only watch: they add no 'error' listener that would
// hide a missing one.
async function serve(t: TestKit): Promise<Served> {
  const d = await driver.forTest(t);
  // Keyed by the client's port; a connection reset before it was accepted has no port any more.
  const conns: Array<{ port: number | undefined; id: number }> = [];
  const find = (port: number | undefined) => conns.find((c) => c.port === port) ?? conns.find((c) => c.port === undefined);
  let sessions = 0;
  const logs: string[] = [];
  d.on('connection', (data) => {
    const { id, port } = data as { id: number; port: number | null };
    conns.push({ id, port: port ?? undefined });
  });
  d.on('session', () => { sessions++; });
  d.on('log', (line) => logs.push(String(line)));
  const port = await d.call<number>('serve');
  return {
    d,
    port,
    logs,
    sessions: () => sessions,
    conn: async (clientPort) => {
      await waitFor(() => find(clientPort) !== undefined, `the server to accept the connection from port ${clientPort}`, t);
      return find(clientPort)!.id;
    },
  };
}

/** Records the uncaught exceptions of the driver, where the student's server runs. */
function watchCrashes(t: TestKit, d: TestDriver): () => string[] {
  const crashes: string[] = [];
  d.on('crash', (what) => {
    crashes.push(String(what));
    t.transcript.note(`uncaught exception: ${String(what)}`);
  });
  return () => crashes;
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
async function serverClosed(served: Served, client: WireClient | number, t: TestKit): Promise<void> {
  const port = typeof client === 'number' ? client : localPorts.get(client);
  const who = typeof client === 'number' ? `the client on port ${client}` : client.who;
  const conn = await served.conn(port);
  const outcome = await settleWithin(served.d.settled(await served.d.call<number>('closed', conn)));
  check(outcome === 'resolved', `the server to close its end of ${who}'s connection`, () => `it is ${outcome}`, t.transcript);
}

// Waits until the server has either sent its FIN on a connection ('finish') or destroyed it;
// returns whether it sent its FIN (end()) rather than destroying the socket.
async function serverDone(served: Served, client: WireClient, t: TestKit): Promise<{ ended: boolean }> {
  const conn = await served.conn(localPorts.get(client));
  const outcome = await settleWithin(served.d.settled(await served.d.call<number>('done', conn)));
  check(outcome === 'resolved', `the server to end or close ${client.who}'s connection`, () => `it is ${outcome}`, t.transcript);
  return { ended: await served.d.call<boolean>('ended', conn) };
}

// A client (in a worker thread of the driver) connects, sends a line and resets while the driver
// waits, so the server accepts a connection that is already gone (a client that gave up while
// the server was busy).
async function resetBeforeAccept(t: TestKit, served: Served): Promise<number> {
  const clientPort = await served.d.call<number>('resetBeforeAccept', served.port, patient(REPLY_WITHIN));
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
    const logged = (): boolean => served.logs.some((l) => l.includes(`Client connected from ${peer}`));
    // The log line comes over the driver's channel, the ACK over the client's: either may be first.
    await waitFor(logged, 'the log line', t).catch(() => {});
    check(logged(), `a log line containing "Client connected from ${peer}"`,
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
    check(conn.ended, 'the server to end() the busy connection: the line, then a clean close (FIN)',
      () => 'it destroyed the socket instead, which resets (RST) a connection with unread bytes: the busy line may never arrive', t.transcript);
    // Client 4 has closed too: the server's end of that connection must go, or every such visit
    // costs the server a file descriptor.
    await rule({ hint: 'After end(BUSY), call client.resume(): a socket nobody reads never sees the FIN of a client that sent something, and stays open.', guide: BUSY_RULE.guide },
      () => serverClosed(served, fourth, t));
    first.sendLine('still there?');
    await first.expectLine('pong');
    check(served.sessions() === 1, 'only the first client handed to the session', () => `${served.sessions()} sessions started`, t.transcript);
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
    const crashes = watchCrashes(t, served.d);
    const first = await connectAs(t, served.port, 'client 1');
    await first.expectLine(ACK);
    first.sendLine('ping');
    await first.expectLine('pong');
    // A busy client that resets before the server accepts it: its socket needs an 'error' listener too.
    const gone = await resetBeforeAccept(t, served);
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
    const d = await driver.forTest(t);
    // The server greets only once readAck() is listening: a close that came first could end the
    // socket before readAck() was called in the driver, and nobody would ever hear it.
    const outcome = async (greeting: (s: Socket) => void): Promise<string> => {
      let greet = (): void => {};
      const accepted = new Promise<void>((resolve) => {
        greet = resolve;
      });
      let serverSide: Socket | undefined;
      const id = await ackClient(t, d, (s) => {
        serverSide = s;
        void accepted.then(() => greeting(s));
      });
      const { ended } = await readAckIn(d, id);
      await waitFor(() => serverSide !== undefined, 'the test server to accept the connection', t);
      greet();
      const result = await settleWithin(ended);
      return result.startsWith('resolved with ') ? `resolved ${showText(JSON.parse(result.slice('resolved with '.length)) as string)}` : result;
    };
    // The greeting arrives in two pieces (cut at a seeded place): the second is sent only once the
    // client has read the first, and it carries the next line along.
    const inTwoPieces = async (): Promise<void> => {
      const cut = randomInt(1, ACK.length - 1);
      let serverSide: Socket | undefined;
      const split = await ackClient(t, d, (s) => {
        serverSide = s;
        s.write(ACK.slice(0, cut));
      });
      const pending = settleWithin((await readAckIn(d, split)).ended);
      await clientHasRead(t, d, split, cut, 'the first piece to reach the client');
      serverSide?.write(`${ACK.slice(cut)}\nServer received: x\n`);
      const result = await pending;
      const inTwo = result.startsWith('resolved with ') ? `resolved ${showText(JSON.parse(result.slice('resolved with '.length)) as string)}` : result;
      check(inTwo === `resolved ${showText(ACK)}`, `readAck() to resolve with ${showText(ACK)} when it arrives in two pieces (cut after ${cut} bytes)`, () => inTwo);
    };
    const withCrlf = async (): Promise<void> => {
      const crlf = await outcome((s) => s.write(`${ACK}\r\n`));
      check(crlf === `resolved ${showText(ACK)}`, `readAck() to drop the "\\r" of a greeting ending in "\\r\\n"`, () => crlf);
    };
    const busyServer = async (): Promise<void> => {
      const busy = await outcome((s) => s.end(`${BUSY}\n`));
      check(busy.startsWith('rejected') && /busy/i.test(busy), 'readAck() to reject with a message saying the server is busy', () => busy);
    };
    const silentServer = async (): Promise<void> => {
      const silent = await outcome((s) => s.end());
      check(silent.startsWith('rejected'), 'readAck() to reject when the server closes without a greeting', () => silent);
    };
    const resetServer = async (): Promise<void> => {
      let resetter: Socket | undefined;
      const resetSocket = await ackClient(t, d, (s) => { resetter = s; });
      const resetting = settleWithin((await readAckIn(d, resetSocket)).ended);
      await waitFor(() => resetter !== undefined, 'the test server to accept the connection', t);
      resetter?.resetAndDestroy();
      const reset = await resetting;
      check(reset.startsWith('rejected'), 'readAck() to reject when the connection is reset before the greeting', () => reset);
    };
    // Every server once, then one to three more, in an order drawn from the seed: which call comes
    // when tells nothing about how it should end.
    const servers = [inTwoPieces, withCrlf, busyServer, silentServer, resetServer];
    const extra = Array.from({ length: randomInt(1, 3) }, () => pick(servers));
    for (const server of shuffled([...servers, ...extra])) await server();
  });

  graded('readAck() leaves the bytes after the greeting, whole, for the next reader', {
    points: 0.75,
    hint: 'Put the bytes after the "\\n" back with socket.unshift() (as bytes, not re-encoded text), remove your listeners and pause() the socket.',
    guide: `${GUIDE} § Reading the greeting`,
  }, async (t) => {
    const d = await driver.forTest(t);
    // The greeting, then a reply whose "é" (0xc3 0xa9) is split between this write and the next.
    const word = pick(['café', 'naïve', 'résumé', 'señor']);
    const at = Buffer.from(word).findIndex((b) => b >= 0x80);
    const reply = Buffer.from(`Server received: ${word}\n`);
    const splitAt = Buffer.byteLength('Server received: ') + at + 1;
    const after = Buffer.concat([reply, Buffer.from(`Server received: ${randomInt(1, 99)} more\n`)]);
    const first = Buffer.concat([Buffer.from(`${ACK}\n`), after.subarray(0, splitAt)]);
    const second = after.subarray(splitAt);
    let serverSide: Socket | undefined;
    const socket = await ackClient(t, d, (s) => {
      serverSide = s;
      s.write(first);
    });
    t.transcript.note(`server sends ${showWithBytes(first.toString('latin1'))} in one write (the last byte is half of a character)`);
    const result = await settleWithin((await readAckIn(d, socket)).ended);
    check(result === `resolved with ${JSON.stringify(ACK)}`, `readAck() to resolve with ${showText(ACK)}`, () => result, t.transcript);
    // Only now does the rest arrive: a socket left flowing with nobody listening would drop it.
    t.transcript.note(`server sends the remaining ${second.length} bytes and closes`);
    serverSide?.end(second);
    await clientHasRead(t, d, socket, first.length + second.length, 'the rest of the bytes to reach the client socket');
    // The next reader (in the driver) takes what is left, until the end.
    await settleWithin(d.settled(await d.call<number>('drain', socket)));
    const text = await d.call<string>('text', socket);
    const expected = after.toString('utf8');
    check(text === expected, `the next reader of the socket to get ${showWithBytes(expected)}`, () => showWithBytes(text), t.transcript);
  });
});

// A server of the test's own that greets with `greet`, and a client socket in the driver
// connected to it (for readAck()); returns the socket's id.
async function ackClient(t: TestKit, d: TestDriver, greet: (s: Socket) => void): Promise<number> {
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
  return d.call<number>('ackClient', (server.address() as AddressInfo).port);
}

/**
 * Calls the student's readAck() on client socket `id` of the driver; resolves, once it has been
 * called, with its promise (so a test acts on the connection only after readAck() is listening).
 */
async function readAckIn(d: TestDriver, id: number): Promise<{ ended: Promise<string> }> {
  const promise = await d.call<number>('readAck', id);
  return { ended: d.settled<string>(promise) };
}

/** Waits until client socket `id` of the driver has read `total` bytes (or is destroyed). */
async function clientHasRead(t: TestKit, d: TestDriver, id: number, total: number, what: string): Promise<void> {
  let state = { bytesRead: 0, destroyed: false };
  let asking = false;
  // One question to the driver at a time; waitFor checks the latest answer on every turn.
  const ask = (): void => {
    asking = true;
    d.call<typeof state>('socketState', id).then((now) => { state = now; }, () => { state.destroyed = true; }).finally(() => { asking = false; });
  };
  await waitFor(() => {
    if (state.bytesRead >= total || state.destroyed) return true;
    if (!asking) ask();
    return false;
  }, what, t);
}
