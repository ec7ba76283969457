// Stage 5 graded suite: the exit rule, the server session's ends, the client's ends and shutdown,
// through the stage's exports over real loopback TCP. Nothing here needs stages 1-4: lines are
// read with node:readline (the session's default) or with the suite's own reader.
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { createServer, connect as netConnect, Socket, type AddressInfo, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { rule } from '../kit/harness/rule.ts';
import { showText } from '../kit/harness/show.ts';
import { studentModule } from '../kit/harness/target.ts';
import { watchCrashes } from '../kit/harness/crashes.ts';
import { Printed } from '../kit/harness/printed.ts';
import { WireClient } from '../kit/harness/wire.ts';
import { describeError, settleWithin, waitUntil } from '../kit/harness/wait.ts';

type SessionModule = typeof import('../solutions/05-exit/session.ts');
type ShutdownModule = typeof import('../solutions/05-exit/shutdown.ts');
type LineReader = import('../solutions/05-exit/session.ts').LineReader;
const session = studentModule<SessionModule>('05-exit', 'session.ts');
const shutdownModule = studentModule<ShutdownModule>('05-exit', 'shutdown.ts');
const GUIDE = 'guide/05-exit.md';
const GOODBYE = 'Goodbye! Connection closing...';
const SHUTTING_DOWN = 'Server shutting down. Goodbye!';

/** The reply a session gets from the suite (stage 4's job, so not graded here). */
const reply = (line: string): string | undefined => (line.trim() === '' ? undefined : `Server received: ${line}`);


// ---- waiting with deadlines ----

/** Calls a student function that returns a promise; a synchronous throw becomes a rejection. */
function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

async function listening(t: TestKit, server: Server, sockets: Socket[]): Promise<number> {
  t.defer(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Records the first error of a test's own socket (ECONNRESET means the peer reset it). */
function watchSocketError(socket: Socket): () => string | undefined {
  let code: string | undefined;
  socket.on('error', (err: NodeJS.ErrnoException) => { code ??= err.code ?? err.message; });
  return () => code;
}

/** Open file descriptors of this process (the one running the student's session), or undefined without /proc. */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

// ---- the server session ----

/** The suite's own LineReader: splits at "\n" and remembers that it was used. */
function suiteReader(): { reader: LineReader; used: () => boolean } {
  let used = false;
  const reader: LineReader = (socket, onLine) => {
    used = true;
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      pending += text;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        onLine(pending.slice(0, nl).replace(/\r$/, ''));
        pending = pending.slice(nl + 1);
      }
    });
  };
  return { reader, used: () => used };
}

interface Sessions {
  port: number;
  /** How each session's promise ended so far, by connection order ("pending" until it does). */
  ends: string[];
  /** Resolves with how session `i` ended, or says it is still pending after REPLY_WITHIN. */
  ended(i: number): Promise<string>;
}

// A loopback server that hands every connection to the student's serveSession().
async function serveSessions(t: TestKit, readLines?: LineReader): Promise<Sessions> {
  const { serveSession } = await session();
  const server = createServer();
  const sockets: Socket[] = [];
  const promises: Array<Promise<void>> = [];
  const ends: string[] = [];
  server.on('connection', (socket) => {
    const i = sockets.push(socket) - 1;
    ends[i] = 'pending';
    const parts = { reply, log: (line: string) => t.transcript.note(`server log: ${line}`), ...(readLines && { readLines }) };
    const run = call(() => serveSession(socket, parts));
    run.then(() => { ends[i] = 'resolved'; }, (err: unknown) => {
      ends[i] = `rejected: ${describeError(err)}`;
      t.transcript.note(`serveSession() rejected: ${describeError(err)}`);
      socket.destroy();
    });
    promises[i] = run;
    t.failOnReject(run, 'serveSession()');
    server.emit('session');
  });
  const port = await listening(t, server, sockets);
  return {
    port,
    ends,
    ended: async (i) => {
      await waitUntil(server, ['session'], () => promises[i] !== undefined, `session ${i + 1} to start`, () => 'no connection', t.transcript);
      return settleWithin(promises[i]);
    },
  };
}

// ---- the client ----

type ServerMove = (socket: Socket, line: string) => void;

/**
 * A small ClassChat-like server for the client tests: it answers each line, says goodbye to
 * exit, and does `onLine` first (which may hang up). Returns the lines it heard.
 */
async function fakeServer(t: TestKit, onLine: ServerMove = () => {}): Promise<{ port: number; heard: string[] }> {
  const heard: string[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('error', () => {});
    const lines = createInterface({ input: s, crlfDelay: Infinity });
    lines.on('error', () => {});
    lines.on('line', (line) => {
      heard.push(line);
      t.transcript.add('received', 'test server', `${line}\n`);
      onLine(s, line);
      if (s.destroyed || !s.writable) return;
      const answer = line.trim().toLowerCase() === 'exit' ? GOODBYE : `Server received: ${line}`;
      t.transcript.add('sent', 'test server', `${answer}\n`);
      if (answer === GOODBYE) s.end(`${answer}\n`);
      else s.write(`${answer}\n`);
    });
  });
  const port = await listening(t, server, sockets);
  return { port, heard };
}

interface ClientRun {
  input: PassThrough;
  printed: Printed;
  socket: Socket;
  run: Promise<unknown>;
  type(line: string): void;
}

async function startClient(t: TestKit, port: number, readLines?: LineReader): Promise<ClientRun> {
  const { runClient } = await session();
  const socket = netConnect(port, '127.0.0.1');
  t.defer(() => socket.destroy());
  await once(socket, 'connect');
  const input = new PassThrough();
  const output = new PassThrough();
  const printed = new Printed(output, t.transcript);
  const run = call(() => (readLines ? runClient(socket, input, output, readLines) : runClient(socket, input, output)));
  t.failOnReject(run, 'runClient()');
  const type = (line: string): void => {
    t.transcript.add('sent', 'client input', `${line}\n`);
    input.write(`${line}\n`);
  };
  return { input, printed, socket, run, type };
}

describe('05 exit and errors', () => {
  graded('isExit() accepts exit in any case with spaces around it, and nothing else', {
    points: 0.5,
    hint: "Compare line.trim().toLowerCase() with 'exit'.",
    guide: `${GUIDE} § Ending on purpose`,
  }, async () => {
    const { isExit } = await session();
    const yes = ['exit', 'EXIT', 'Exit', '  exit  ', '\texit', 'eXiT \r'];
    const no = ['', '   ', 'exit now', 'exits', 'quit', 'e xit', 'exit.', 'please exit'];
    const wrong = [...yes.filter((l) => isExit(l) !== true), ...no.filter((l) => isExit(l) !== false)];
    check(wrong.length === 0, `isExit() true for ${yes.map((l) => showText(l)).join(', ')} and false for ${no.map((l) => showText(l)).join(', ')}`,
      () => `wrong for ${wrong.map((l) => showText(l)).join(', ')}`);
  });

  graded('exit gets the goodbye line, the server closes the connection and the session resolves', {
    points: 1,
    hint: 'On exit write GOODBYE + "\\n" with client.end(), ignore later lines, and resolve on the socket\'s \'close\'.',
    guide: `${GUIDE} § The session`,
  }, async (t) => {
    const sessions = await serveSessions(t);
    const first = await t.connect(sessions.port, { who: 'client 1' });
    first.sendLine('hello');
    await first.expectLine('Server received: hello');
    first.sendLine('  EXIT  ');
    await first.expectLine(GOODBYE);
    await first.expectClose('the server to close the connection after the goodbye');
    const end = await sessions.ended(0);
    check(end === 'resolved', 'serveSession() to resolve once the connection is closed', () => end, t.transcript);

    // Same again with the suite's own line reader, as stage 6 passes yours from stage 4.
    const own = suiteReader();
    const next = await serveSessions(t, own.reader);
    const second = await t.connect(next.port, { who: 'client 2' });
    second.send('hi\nExit\nafter exit\n');
    await second.expectLine('Server received: hi');
    await second.expectLine(GOODBYE);
    await second.expectClose('the server to close the connection, without answering "after exit"');
    check(own.used(), 'serveSession() to read lines with parts.readLines when one is given', () => 'it never called parts.readLines', t.transcript);
    const end2 = await next.ended(0);
    check(end2 === 'resolved', 'serveSession() to resolve once the connection is closed', () => end2, t.transcript);

    // A client that keeps sending after the goodbye: the server has ended its side but still
    // reads, so the late line is dropped quietly and the connection closes normally (FIN). A
    // socket destroy()ed after the goodbye (or by a write after end()) answers it with a reset.
    const raw = netConnect({ port: next.port, host: '127.0.0.1', allowHalfOpen: true });
    t.defer(() => raw.destroy());
    await once(raw, 'connect');
    const third = WireClient.wrap(raw, { who: 'client 3', transcript: t.transcript });
    const failed = watchSocketError(raw);
    await rule({
      hint: "Answer exit with client.end(GOODBYE + '\\n'), not write() then destroy(); answer no line after it, and keep reading until the client closes.",
      guide: `${GUIDE} § The session`,
    }, async () => {
      third.send('exit\nafter exit\n');
      await third.expectLine(GOODBYE);
      await waitUntil(raw, ['end', 'close'], () => raw.readableEnded || raw.destroyed, 'the server to end its side of the connection (FIN) after the goodbye',
        () => 'nothing', t.transcript);
      third.send('one more line, after the goodbye\n');
      // A closed socket answers that line with a reset, which the next write runs into (EPIPE).
      await new Promise((resolve) => setImmediate(resolve));
      third.send('and another\n');
      third.end();
      await third.expectClose('the server to read the late line, answer nothing and close normally');
      check(failed() === undefined, 'a normal close (FIN) after the goodbye: end() the socket with the goodbye, answer nothing after exit, and keep reading until the client closes',
        () => `the connection was reset (${failed()}): the server's socket was already destroyed when the late line came`, t.transcript);
    });
    const end3 = await next.ended(1);
    check(end3 === 'resolved', 'serveSession() to resolve once the connection is closed', () => end3, t.transcript);
  });

  graded('a client that resets or hangs up without exit ends its session, never the server', {
    points: 0.5,
    hint: "Add client.on('error', …) in serveSession and resolve on 'close': a reset is the client's problem.",
    guide: `${GUIDE} § When the other side disappears`,
  }, async (t) => {
    const crashes = watchCrashes(t);
    // The suite's reader adds no 'error' listener of its own (readline would): the session must.
    const sessions = await serveSessions(t, suiteReader().reader);
    const a = await t.connect(sessions.port, { who: 'client 1' });
    a.sendLine('hello');
    await a.expectLine('Server received: hello');
    // Data the server has not answered yet makes the reset land on a busy connection.
    a.sendLine('unread');
    a.reset();
    const endA = await sessions.ended(0);
    check(endA === 'resolved', 'serveSession() to resolve (not reject) after the client reset the connection', () => endA, t.transcript);
    const b = await t.connect(sessions.port, { who: 'client 2' });
    b.sendLine('hello');
    await b.expectLine('Server received: hello');
    b.end();
    await b.expectClose('the server to close after the client closed its side');
    const endB = await sessions.ended(1);
    check(endB === 'resolved', 'serveSession() to resolve after the client hung up without exit', () => endB, t.transcript);
    const c = await t.connect(sessions.port, { who: 'client 3' });
    c.sendLine('still serving?');
    await c.expectLine('Server received: still serving?');
    check(crashes().length === 0, 'no uncaught exception in the server', () => crashes().join('; '), t.transcript);
  });

  graded('200 clients that reset, hang up mid-line, half-close or leave after exit leave no socket open', {
    points: 0.5,
    hint: "Keep reading the socket until it closes (never pause() it after the goodbye), and resolve only on its 'close': a socket that is not read never sees the client's FIN or reset.",
    guide: `${GUIDE} § When the other side disappears`,
  }, async (t) => {
    const crashes = watchCrashes(t);
    const sessions = await serveSessions(t);
    const before = openFds();
    const moves: Array<[string, (c: Socket) => void]> = [
      ['resets with a line unread', (c) => { c.write('unread line\n'); c.resetAndDestroy(); }],
      ['hangs up in the middle of a line', (c) => c.end('half a li')],
      ['half-closes after a line', (c) => c.end('hello\n')],
      ['says exit, sends more and resets', (c) => { c.write(`exit\n${'more\n'.repeat(4096)}`); c.once('data', () => c.resetAndDestroy()); }],
      ['says exit, sends more and closes', (c) => c.end(`exit\n${'more\n'.repeat(4096)}`)],
    ];
    const CLIENTS = 200;
    const BATCH = 10;
    t.transcript.note(`${CLIENTS} clients in batches of ${BATCH}; each one: ${moves.map(([what]) => what).join('; ')} (in turn)`);
    const visit = async (i: number): Promise<void> => {
      const [, move] = moves[i % moves.length];
      const c = netConnect({ port: sessions.port, host: '127.0.0.1', allowHalfOpen: true });
      t.defer(() => c.destroy());
      c.on('error', () => {});
      c.resume();
      await once(c, 'connect');
      const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
      move(c);
      // A half-closed client waits for the server's side to close, then lets go of its own.
      c.once('end', () => c.destroy());
      await closed;
    };
    for (let i = 0; i < CLIENTS; i += BATCH) {
      await Promise.all(Array.from({ length: BATCH }, (_, k) => visit(i + k)));
    }
    const pending = (): number => sessions.ends.filter((e) => e === 'pending').length;
    for (let i = 0; i < CLIENTS; i++) {
      const end = await sessions.ended(i);
      check(end === 'resolved', `every session to resolve once its client is gone (session ${i + 1}: ${moves[i % moves.length][0]})`,
        () => `${end}; ${pending()} of ${CLIENTS} sessions still pending`, t.transcript);
    }
    const after = openFds();
    if (before !== undefined && after !== undefined) {
      check(after - before <= 10, `the test process (which runs your sessions) to hold about as many open file descriptors as before ${CLIENTS} clients came and went`,
        () => `${before} before, ${after} after: ${after - before} sockets of clients long gone are still open`, t.transcript);
    }
    check(crashes().length === 0, 'no uncaught exception in the server', () => crashes().join('; '), t.transcript);
  });

  graded('runClient() prints server lines, sends typed lines, and treats the end of input as exit', {
    points: 1,
    hint: "When the input's readline interface closes, send \"exit\\n\"; resolve 'goodbye' when the last line was GOODBYE.",
    guide: `${GUIDE} § The client's side`,
  }, async (t) => {
    const server = await fakeServer(t);
    const client = await startClient(t, server.port);
    client.type('hello');
    await client.printed.toBe('Server received: hello\n');
    t.transcript.note('client input ends (EOF, like Ctrl-D)');
    client.input.end();
    await client.printed.toBe(`Server received: hello\n${GOODBYE}\n`);
    const end = await settleWithin(client.run);
    check(end === 'resolved with "goodbye"', 'runClient() to resolve with "goodbye"', () => end, t.transcript);
    check(server.heard.join('|') === 'hello|exit', 'the server to receive "hello" then "exit"', () => server.heard.map((l) => showText(l)).join(', '), t.transcript);

    // Typing exit works too, and lines are read with the reader given (stage 6 passes stage 4's).
    const own = suiteReader();
    const again = await startClient(t, server.port, own.reader);
    again.type('EXIT');
    await again.printed.toBe(`${GOODBYE}\n`);
    const end2 = await settleWithin(again.run);
    check(end2 === 'resolved with "goodbye"', 'runClient() to resolve with "goodbye" after typing EXIT', () => end2, t.transcript);
    check(own.used(), 'runClient() to read server lines with the readLines it was given', () => 'it never called readLines', t.transcript);

    // The server's shutdown line, then its close, is a clean end too.
    const stopping = await fakeServer(t, (s, line) => {
      if (line !== 'stop') return;
      t.transcript.add('sent', 'test server', `${SHUTTING_DOWN}\n`);
      s.end(`${SHUTTING_DOWN}\n`);
    });
    const third = await startClient(t, stopping.port);
    third.type('stop');
    await third.printed.toBe(`${SHUTTING_DOWN}\n`);
    const end3 = await settleWithin(third.run);
    await rule({ hint: "Resolve 'goodbye' when the last line was GOODBYE or SHUTTING_DOWN: both are a clean end.", guide: `${GUIDE} § The client's side` },
      () => check(end3 === 'resolved with "goodbye"', "runClient() to resolve with \"goodbye\" after the server's shutdown line and close", () => end3, t.transcript));
  });

  graded("runClient() resolves 'lost' when the server vanishes, and lets go of the input", {
    points: 0.5,
    hint: "Listen for the socket's 'error' and 'close'; on close without a goodbye resolve 'lost' and close the input's readline.",
    guide: `${GUIDE} § The client's side`,
  }, async (t) => {
    const crashes = watchCrashes(t);
    const server = await fakeServer(t, (s, line) => {
      if (line === 'hang up') {
        t.transcript.note('test server closes the connection without a goodbye');
        s.destroy();
      } else if (line === 'crash') {
        t.transcript.note('test server resets the connection (RST)');
        s.resetAndDestroy();
      }
    });
    for (const move of ['hang up', 'crash']) {
      // The suite's reader adds no 'error' listener (readline would): the client must have its own.
      const client = await startClient(t, server.port, suiteReader().reader);
      client.type('hello');
      await client.printed.toBe('Server received: hello\n');
      client.type(move);
      const end = await settleWithin(client.run);
      check(end === 'resolved with "lost"', `runClient() to resolve with "lost" after "${move}", with the input still open`, () => end, t.transcript);
      // Whether the input is still read shows in what happens to a line typed now: it must stay
      // unread in the input (readline closed or the input paused) or the input must be gone.
      if (!client.input.destroyed) {
        client.input.on('error', () => {});
        client.type('typed after the end');
        await new Promise((resolve) => setImmediate(resolve));
      }
      await rule({ hint: "On the socket's 'close', close the input's readline interface (or destroy the input): the session is over.", guide: `${GUIDE} § The client's side` },
        () => check(client.input.destroyed || client.input.readableLength > 0, 'runClient() to stop reading its input once the session is over',
          () => 'a line typed after the end was still read from the input', t.transcript));
    }
    check(crashes().length === 0, 'no uncaught exception in the client', () => crashes().join('; '), t.transcript);
  });

  graded('shutdown() tells the client, closes every connection and the listener, and leaves no timer', {
    points: 1,
    hint: "trackClients() adds on 'connection' and deletes on 'close'; shutdown() ends each client with the line, destroys lingerers, clears its timers.",
    guide: `${GUIDE} § Shutting down`,
  }, async (t) => {
    const { trackClients, shutdown } = await shutdownModule();
    const start = async (): Promise<{ server: Server; port: number; clients: Set<Socket>; sockets: Socket[] }> => {
      const server = createServer();
      const sockets: Socket[] = [];
      const clients = trackClients(server);
      server.on('connection', (s) => {
        sockets.push(s);
        s.on('error', () => {});
        s.resume();
        s.write('Welcome\n');
        server.emit('served');
      });
      const port = await listening(t, server, sockets);
      return { server, port, clients, sockets };
    };
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

    const one = await start();
    const stays = await t.connect(one.port, { who: 'client 1' });
    await stays.expectLine('Welcome');
    const leaves = await t.connect(one.port, { who: 'client 2' });
    await leaves.expectLine('Welcome');
    leaves.end();
    await leaves.expectClose();
    await waitUntil(one.sockets[1], ['close'], () => one.sockets[1].closed, "the server's side of client 2 to close", () => 'still open', t.transcript);
    check(one.clients.size === 1 && one.clients.has(one.sockets[0]), 'trackClients() to hold client 1 only, once client 2 has left',
      () => `a set of ${one.clients.size} sockets`, t.transcript);
    const before = timers();
    const stopping = call(() => shutdown(one.server, one.clients));
    await stays.expectLine(SHUTTING_DOWN);
    await stays.expectClose('the server to close the connection after the shutdown line');
    const end = await settleWithin(stopping);
    check(end === 'resolved', 'shutdown() to resolve once every connection is closed', () => end, t.transcript);
    check(!one.server.listening && one.clients.size === 0, 'the listener closed and no client left in the set',
      () => `listening: ${one.server.listening}, clients: ${one.clients.size}`, t.transcript);
    check(timers() <= before, 'no timer left running once shutdown() has resolved', () => `${timers() - before} more timer(s) than before`, t.transcript);

    // A client that never closes its side must not keep the server from exiting.
    const two = await start();
    const lingering = new Socket({ allowHalfOpen: true });
    t.defer(() => lingering.destroy());
    let heard = '';
    lingering.setEncoding('utf8');
    lingering.on('data', (text: string) => { heard += text; });
    lingering.on('error', () => {});
    lingering.connect(two.port, '127.0.0.1');
    await waitUntil(lingering, ['data'], () => heard === 'Welcome\n', 'the lingering client to be greeted', () => showText(heard), t.transcript);
    t.transcript.note('a client that keeps its side open after the server closes its own');
    const cutOff = await settleWithin(call(() => shutdown(two.server, two.clients)));
    check(cutOff === 'resolved', 'shutdown() to resolve within 2 s even though the client keeps its side open', () => cutOff, t.transcript);
    check(heard === `Welcome\n${SHUTTING_DOWN}\n`, 'the lingering client to receive the shutdown line', () => showText(heard), t.transcript);
    check(two.sockets[0].destroyed && !two.server.listening, "the lingering client's connection destroyed and the listener closed",
      () => `destroyed: ${two.sockets[0].destroyed}, listening: ${two.server.listening}`, t.transcript);
  });
});
