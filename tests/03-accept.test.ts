// Stage 3 graded suite: the ACK line, the logged address, the busy rule, and resets.
import { once } from 'node:events';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { watchCrashes } from '../kit/harness/crashes.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { showText } from '../kit/harness/show.ts';
import { studentModule } from '../kit/harness/target.ts';

type Stage3 = typeof import('../solutions/03-accept/accept.ts');
const stage3 = studentModule<Stage3>('03-accept', 'accept.ts');
const GUIDE = 'guide/03-accept.md';
const ACK = 'Connection established. Welcome to ClassChat Server!';
const BUSY = 'Server busy: another client is connected. Try again later.';

interface Served {
  port: number;
  logs: string[];
  /** The sockets the student's code handed to the session, in order. */
  sessions: Socket[];
}

// Starts a loopback server driven by the student's acceptClients(); the session keeps the client
// open and answers "pong" to anything, so tests can tell a served client from a waiting one.
async function serve(t: TestKit): Promise<Served> {
  const { acceptClients } = await stage3();
  const served: Served = { port: 0, logs: [], sessions: [] };
  const server = createServer();
  const open = new Set<Socket>();
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  t.defer(() => {
    for (const s of open) s.destroy();
    server.close();
  });
  acceptClients(server, (client) => {
    served.sessions.push(client);
    client.on('data', () => client.write('pong\n'));
  }, (line) => served.logs.push(line));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  served.port = (server.address() as AddressInfo).port;
  return served;
}

// Resolves when the server's side of a connection has closed. (events.once would also reject
// on the socket's 'error', which a reset produces and which is not this suite's business.)
function closed(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', () => resolve()));
}

describe('03 accept and ACK', () => {
  graded('a connecting client receives the ACK line', {
    points: 0.5,
    hint: 'Write the ACK text followed by "\\n" to the accepted socket, before anything else.',
    guide: `${GUIDE} § The ACK line`,
  }, async (t) => {
    const { port } = await serve(t);
    const client = await t.connect(port);
    await client.expectLine(ACK);
  });

  graded("the server logs the client's address and hands the client to the session", {
    points: 0.5,
    hint: 'Log "Client connected from " + describePeer(client), then call session(client).',
    guide: `${GUIDE} § Accepting a client`,
  }, async (t) => {
    const served = await serve(t);
    const client = await t.connect(served.port);
    await client.expectLine(ACK);
    const peer = `127.0.0.1:${client.socket.localPort}`;
    check(served.logs.some((l) => l.includes(`Client connected from ${peer}`)), `a log line containing "Client connected from ${peer}"`,
      () => (served.logs.length ? served.logs.map((l) => showText(l)).join(', ') : 'no log lines'));
    client.sendLine('ping');
    await client.expectLine('pong');
  });

  graded('a second client gets the busy line and is closed; the first is still served', {
    points: 1,
    hint: 'Keep the served socket in a variable; while it is set, end() newcomers with the BUSY line.',
    guide: `${GUIDE} § The busy rule`,
  }, async (t) => {
    const served = await serve(t);
    const first = await t.connect(served.port, { who: 'client 1' });
    await first.expectLine(ACK);
    const second = await t.connect(served.port, { who: 'client 2' });
    await second.expectLine(BUSY);
    await second.expectClose('the server to close client 2 after the busy line');
    first.sendLine('still there?');
    await first.expectLine('pong');
    check(served.sessions.length === 1, 'only the first client handed to the session', () => `${served.sessions.length} sessions started`);
  });

  graded('after the served client leaves, the next client is greeted', {
    points: 1,
    hint: "Forget the served client in its 'close' handler, so the next connection is accepted.",
    guide: `${GUIDE} § The busy rule`,
  }, async (t) => {
    const served = await serve(t);
    for (let i = 1; i <= 3; i++) {
      const client = await t.connect(served.port, { who: `client ${i}` });
      await client.expectLine(ACK);
      client.sendLine('ping');
      await client.expectLine('pong');
      client.end();
      if (served.sessions[i - 1]) await closed(served.sessions[i - 1]);
    }
  });

  graded('a client that resets its connection does not crash the server', {
    points: 1,
    hint: "Add client.on('error', …) to every accepted socket: an unhandled ECONNRESET ends the process.",
    guide: `${GUIDE} § When a client vanishes`,
  }, async (t) => {
    const served = await serve(t);
    const crashes = watchCrashes(t);
    const first = await t.connect(served.port, { who: 'client 1' });
    await first.expectLine(ACK);
    first.sendLine('ping');
    await first.expectLine('pong');
    // Unread data in the server's receive buffer makes the kernel answer our close with a reset.
    first.sendLine('unread');
    first.reset();
    if (served.sessions[0]) await closed(served.sessions[0]);
    const next = await t.connect(served.port, { who: 'client 2' });
    await next.expectLine(ACK);
    check(crashes().length === 0, 'no uncaught exception in the server', () => crashes().join('; '), t.transcript);
  });

  graded('readAck() resolves with the greeting and rejects busy or silent servers', {
    points: 1,
    hint: 'Collect bytes up to the first "\\n"; BUSY and an early close are errors the user must read.',
    guide: `${GUIDE} § Reading the greeting`,
  }, async (t) => {
    const { readAck } = await stage3();
    const outcome = async (greeting: (s: Socket) => void): Promise<string> => {
      const server = createServer(greeting);
      t.defer(() => server.close());
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const socket = new Socket();
      t.defer(() => socket.destroy());
      socket.connect((server.address() as AddressInfo).port, '127.0.0.1');
      await once(socket, 'connect');
      try {
        return `resolved ${showText(await readAck(socket))}`;
      } catch (err) {
        return `rejected ${showText(err instanceof Error ? err.message : String(err))}`;
      }
    };
    // The greeting arrives in two pieces and is followed by another line: only the first counts.
    const split = await outcome((s) => {
      s.write('Connection established. Welcome');
      setImmediate(() => s.write(' to ClassChat Server!\nServer received: x\n'));
    });
    check(split === `resolved ${showText(ACK)}`, `readAck() to resolve with ${showText(ACK)} when it arrives in two pieces`, () => split);
    const busy = await outcome((s) => s.end(`${BUSY}\n`));
    check(busy.startsWith('rejected') && /busy/i.test(busy), 'readAck() to reject with a message saying the server is busy', () => busy);
    const silent = await outcome((s) => s.end());
    check(silent.startsWith('rejected'), 'readAck() to reject when the server closes without a greeting', () => silent);
  });
});
