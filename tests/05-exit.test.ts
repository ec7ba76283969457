// Stage 5 graded suite: the exit rule, the server session's ends, the client's ends and shutdown,
// through the stage's exports over real loopback TCP. Nothing here needs stages 1-4: lines are
// read with node:readline (the session's default) or with the suite's own reader.
import { EventEmitter, once } from 'node:events';
import { createServer, connect as netConnect, Socket, type AddressInfo, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { afterAll, describe } from 'vitest';
import { suiteDriver, type TestDriver } from '../kit/harness/driver.ts';
import { check } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { rule } from '../kit/harness/rule.ts';
import { pick, random, randomInt, shuffled } from '../kit/harness/seed.ts';
import { showDuration, showText } from '../kit/harness/show.ts';
import { Printed } from '../kit/harness/printed.ts';
import { REPLY_WITHIN, WireClient } from '../kit/harness/wire.ts';
import { patientTimer } from '../kit/harness/patience.ts';
import { describeError, settleWithin, waitUntil } from '../kit/harness/wait.ts';

// The student's code runs in a driver process of its own (05-exit/driver.ts): the sessions, the
// client and shutdown() run there; this file judges the bytes on the wire and what it reports.
const driver = suiteDriver(import.meta.url, '05-exit');
afterAll(() => driver.stop());
const GUIDE = 'guide/05-exit.md';

/** The ordinary line a test sends first, drawn from the seed (SEED= replays it): a session that hard-codes the suite's inputs cannot pass. */
const someLine = (): string => `${pick(['hello', 'hi there', 'good morning', 'ping', 'anyone here?', 'ClassChat'])} #${pick(['1', '7', '42', '99', '2024'])}`;
const GOODBYE = 'Goodbye! Connection closing...';
const SHUTTING_DOWN = 'Server shutting down. Goodbye!';

// ---- exit and not exit, drawn from the seed ----

/** `word` with the case of each letter drawn from the seed; `upper` is a letter forced upper-case. */
const someCase = (word: string, upper = -1): string =>
  [...word].map((ch, i) => (i === upper || random() < 0.5 ? ch.toUpperCase() : ch.toLowerCase())).join('');
/** Whitespace that trim() removes, drawn from the seed: at least `min` characters, \r only at the end (a CRLF line). */
const someSpace = (min: number, end = false): string =>
  Array.from({ length: randomInt(min, 3) }, () => pick(end ? [' ', ' ', '\t', '\r'] : [' ', ' ', '\t'])).join('');
const spaced = (text: string, min = 0): string => `${someSpace(min)}${text}${someSpace(min, true)}`;

/**
 * Lines isExit() must accept: `exit` in a case with at least one capital, lower-case `exit` with
 * whitespace around it, and three drawn freely (case and whitespace).
 */
const exitLines = (): string[] => [
  someCase('exit', randomInt(0, 3)),
  spaced('exit', 1),
  ...Array.from({ length: 3 }, () => spaced(someCase('exit'))),
];

/**
 * Lines isExit() must refuse: an empty or blank line, exit with something after it, something
 * before it, a space inside it, and two other words; each in a drawn case with drawn whitespace.
 */
const notExitLines = (): string[] => [
  pick(['', someSpace(1, true)]),
  spaced(`${someCase('exit')}${pick(['s', '.', '!', ' now', 'ed', ' please', '2', ' exit'])}`),
  spaced(`${pick(['please ', 'I will ', 'no ', 'e', 'do not '])}${someCase('exit')}`),
  spaced(someCase(pick(['e xit', 'ex it', 'exi t', 'e\txit']))),
  ...Array.from({ length: 2 }, () => spaced(someCase(pick(['quit', 'bye', 'leave', 'stop', 'exi', 'xit', 'exot', 'ext', 'logout', 'hello'])))),
];

// ---- waiting with deadlines ----

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

/** Open file descriptors of the driver (the process running the student's sessions), or undefined without /proc. */
async function openFds(d: TestDriver): Promise<number | undefined> {
  return (await d.call<number | null>('fds')) ?? undefined;
}

/** Records the uncaught exceptions of the driver, where the student's code runs. */
function watchCrashes(t: TestKit, d: TestDriver): () => string[] {
  const crashes: string[] = [];
  d.on('crash', (what) => {
    crashes.push(String(what));
    t.transcript.note(`uncaught exception: ${String(what)}`);
  });
  return () => crashes;
}

// ---- the server session ----

interface Sessions {
  port: number;
  /** How each session's promise ended so far, by connection order ("pending" until it does). */
  ends: string[];
  /** Resolves with how session `i` ended, or says it is still pending after REPLY_WITHIN. */
  ended(i: number): Promise<string>;
  /** Whether the sessions read lines with the suite's own LineReader (given when `ownReader`). */
  readerUsed(): Promise<boolean>;
}

// A loopback server in the driver that hands every connection to the student's serveSession();
// with `ownReader`, parts.readLines is the suite's own reader (splits at "\n", adds no 'error'
// listener of its own, remembers that it was used).
async function serveSessions(t: TestKit, ownReader = false): Promise<Sessions> {
  const d = await driver.forTest(t);
  const promises: Array<Promise<unknown>> = [];
  const ends: string[] = [];
  const started = new EventEmitter();
  let server = 0;
  d.on('note', (data) => {
    const note = data as { server: number; text: string };
    if (note.server === server) t.transcript.note(note.text);
  });
  d.on('session', (data) => {
    const { server: from, i, promise } = data as { server: number; i: number; promise: number };
    if (from !== server) return;
    ends[i] = 'pending';
    const run = d.settled(promise);
    run.then(() => { ends[i] = 'resolved'; }, (err: unknown) => { ends[i] = `rejected: ${describeError(err)}`; });
    promises[i] = run;
    t.failOnReject(run, 'serveSession()');
    started.emit('session');
  });
  const made = await d.call<{ id: number; port: number }>('serveSessions', ownReader);
  server = made.id;
  return {
    port: made.port,
    ends,
    ended: async (i) => {
      await waitUntil(started, ['session'], () => promises[i] !== undefined, `session ${i + 1} to start`, () => 'no connection', t.transcript);
      return settleWithin(promises[i]);
    },
    readerUsed: () => d.call<boolean>('readerUsed', 'server', server),
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
  printed: Printed;
  run: Promise<unknown>;
  type(line: string): void;
  /** Ends the client's input (EOF, like Ctrl-D). */
  endInput(): void;
  /** Types `line` if the input is still there; then whether it is destroyed and what it holds unread. */
  probeInput(line: string): Promise<{ destroyed: boolean; readableLength: number }>;
  /** Whether runClient() read server lines with the suite's own LineReader (given when `ownReader`). */
  readerUsed(): Promise<boolean>;
}

// runClient() in the driver, on a socket connected to `port`; with `ownReader`, its readLines is
// the suite's own reader. What it prints comes back into an output stream of this process.
async function startClient(t: TestKit, port: number, ownReader = false): Promise<ClientRun> {
  const d = await driver.forTest(t);
  const output = new PassThrough();
  const printed = new Printed(output, t.transcript);
  let id: number | undefined;
  const early: Array<{ id: number; chunk: string }> = [];
  d.on('output', (data) => {
    const out = data as { id: number; chunk: string };
    if (id === undefined) early.push(out);
    else if (out.id === id) output.write(out.chunk);
  });
  const started = await d.call<{ id: number; promise: number }>('startClient', port, ownReader);
  id = started.id;
  for (const out of early) if (out.id === id) output.write(out.chunk);
  const run = d.settled(started.promise);
  t.failOnReject(run, 'runClient()');
  const type = (line: string): void => {
    t.transcript.add('sent', 'client input', `${line}\n`);
    d.call('type', id, `${line}\n`).catch(() => {});
  };
  return {
    printed,
    run,
    type,
    endInput: () => { d.call('endInput', id).catch(() => {}); },
    probeInput: async (line) => {
      const got = await d.call<{ destroyed: boolean; readableLength: number; typed: boolean }>('probeInput', id, `${line}\n`);
      if (got.typed) t.transcript.add('sent', 'client input', `${line}\n`);
      return got;
    },
    readerUsed: () => d.call<boolean>('readerUsed', 'client', id),
  };
}

describe('05 exit and errors', () => {
  graded('isExit() accepts exit in any case with spaces around it, and nothing else', {
    points: 0.5,
    hint: "Compare line.trim().toLowerCase() with 'exit'.",
    guide: `${GUIDE} § Ending on purpose`,
  }, async (t) => {
    const d = await driver.forTest(t);
    // Drawn from the seed and asked in one shuffled call: neither the lines nor their order are fixed.
    const yes = exitLines();
    const no = notExitLines();
    const cases = shuffled([...yes.map((line) => ({ line, exit: true })), ...no.map((line) => ({ line, exit: false }))]);
    const answers = await d.call<unknown>('isExit', cases.map((c) => c.line));
    const said = (i: number): unknown => (Array.isArray(answers) ? answers[i] : undefined);
    const wrong = cases.flatMap((c, i) => (said(i) === c.exit ? [] : [`${showText(c.line)} (it said ${String(said(i))})`]));
    check(wrong.length === 0, `isExit() true for ${yes.map((l) => showText(l)).join(', ')} and false for ${no.map((l) => showText(l)).join(', ')}`,
      () => `wrong for ${wrong.join(', ')}`);
  });

  graded('exit gets the goodbye line, the server closes the connection and the session resolves', {
    points: 1,
    hint: 'On exit write GOODBYE + "\\n" with client.end(), ignore later lines, and resolve on the socket\'s \'close\'.',
    guide: `${GUIDE} § The session`,
  }, async (t) => {
    const said = someLine();
    const sessions = await serveSessions(t);
    const first = await t.connect(sessions.port, { who: 'client 1' });
    first.sendLine(said);
    await first.expectLine(`Server received: ${said}`);
    first.sendLine('  EXIT  ');
    await first.expectLine(GOODBYE);
    await first.expectClose('the server to close the connection after the goodbye');
    const end = await sessions.ended(0);
    check(end === 'resolved', 'serveSession() to resolve once the connection is closed', () => end, t.transcript);

    // Same again with the suite's own line reader, as stage 6 passes yours from stage 4.
    const next = await serveSessions(t, true);
    const second = await t.connect(next.port, { who: 'client 2' });
    second.send('hi\nExit\nafter exit\n');
    await second.expectLine('Server received: hi');
    await second.expectLine(GOODBYE);
    await second.expectClose('the server to close the connection, without answering "after exit"');
    check(await next.readerUsed(), 'serveSession() to read lines with parts.readLines when one is given', () => 'it never called parts.readLines', t.transcript);
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
    const said = someLine();
    const crashes = watchCrashes(t, await driver.forTest(t));
    // The suite's reader adds no 'error' listener of its own (readline would): the session must.
    const sessions = await serveSessions(t, true);
    const a = await t.connect(sessions.port, { who: 'client 1' });
    a.sendLine(said);
    await a.expectLine(`Server received: ${said}`);
    // Data the server has not answered yet makes the reset land on a busy connection.
    a.sendLine('unread');
    a.reset();
    const endA = await sessions.ended(0);
    check(endA === 'resolved', 'serveSession() to resolve (not reject) after the client reset the connection', () => endA, t.transcript);
    const b = await t.connect(sessions.port, { who: 'client 2' });
    b.sendLine(said);
    await b.expectLine(`Server received: ${said}`);
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
    const said = someLine();
    const d = await driver.forTest(t);
    const crashes = watchCrashes(t, d);
    const sessions = await serveSessions(t);
    const before = await openFds(d);
    const more = 'more\n'.repeat(4096);
    // Each client sends `sends`, then resets at once, half-closes, or resets once a line came back.
    // Where the server owes an answer, it is checked on the wire: the suite's end of the socket
    // must receive `reply` (exactly, unless the client resets after it). A session that was
    // never served (its connection just closed) gets no reply and fails there.
    const moves: Array<{ what: string; sends: string; then: 'reset' | 'end' | 'reset after a line'; reply?: string }> = [
      { what: 'resets with a line unread', sends: 'unread line\n', then: 'reset' },
      { what: 'hangs up in the middle of a line', sends: 'half a li', then: 'end' },
      { what: 'half-closes after a line', sends: `${said}\n`, then: 'end', reply: `Server received: ${said}\n` },
      { what: 'says exit, sends more and resets', sends: `exit\n${more}`, then: 'reset after a line', reply: `${GOODBYE}\n` },
      { what: 'says exit, sends more and closes', sends: `exit\n${more}`, then: 'end', reply: `${GOODBYE}\n` },
    ];
    const CLIENTS = 200;
    const BATCH = 10;
    t.transcript.note(`${CLIENTS} clients in batches of ${BATCH}; each one: ${moves.map(({ what }) => what).join('; ')} (in turn)`);
    // One client's visit: what it received and, if the server did not close within the patient
    // 2 s, how long the connection stayed open.
    type Visit = { i: number; received: string; openFor?: number };
    const visit = async (i: number): Promise<Visit> => {
      const { sends, then } = moves[i % moves.length];
      const c = netConnect({ port: sessions.port, host: '127.0.0.1', allowHalfOpen: true });
      t.defer(() => c.destroy());
      c.on('error', () => {});
      let received = '';
      c.setEncoding('utf8');
      c.on('data', (text: string) => { received += text; });
      await once(c, 'connect');
      const closed = new Promise<number | undefined>((resolve) => {
        const cancel = patientTimer(REPLY_WITHIN, (waited) => resolve(waited));
        c.once('close', () => { cancel(); resolve(undefined); });
      });
      if (then === 'end') c.end(sends);
      else c.write(sends);
      if (then === 'reset') c.resetAndDestroy();
      if (then === 'reset after a line') c.on('data', () => { if (received.includes('\n') && !c.destroyed) c.resetAndDestroy(); });
      // A half-closed client waits for the server's side to close, then lets go of its own.
      c.once('end', () => c.destroy());
      const openFor = await closed;
      return { i, received, openFor };
    };
    // Judged in client order once a batch is done, so a seed replays the same report.
    const judge = ({ i, received, openFor }: Visit): void => {
      const { what, sends, then, reply } = moves[i % moves.length];
      const ok = reply === undefined || (then === 'end' ? received === reply : received.startsWith(reply));
      if (openFor === undefined && ok) return;
      // This client's steps join the conversation only when something went wrong with it.
      const who = `client ${i + 1}`;
      t.transcript.note(`${who} ${what}`);
      t.transcript.add('sent', who, sends);
      if (received) t.transcript.add('received', who, received);
      const got = received ? showText(received) : 'nothing';
      check(openFor === undefined, `the server to close the connection of ${who}, which ${what}`,
        () => `${got}, and the connection still open after ${showDuration(openFor ?? 0)}`, t.transcript);
      check(ok, `${who}, which ${what}, to receive ${showText(reply ?? '')}${then === 'end' ? ' and then the close' : ''}`,
        () => `${got} before the connection closed`, t.transcript);
    };
    for (let i = 0; i < CLIENTS; i += BATCH) {
      const visits = await Promise.all(Array.from({ length: BATCH }, (_, k) => visit(i + k)));
      for (const v of visits) judge(v);
    }
    const pending = (): number => sessions.ends.filter((e) => e === 'pending').length;
    for (let i = 0; i < CLIENTS; i++) {
      const end = await sessions.ended(i);
      check(end === 'resolved', `every session to resolve once its client is gone (session ${i + 1}: ${moves[i % moves.length].what})`,
        () => `${end}; ${pending()} of ${CLIENTS} sessions still pending`, t.transcript);
    }
    const after = await openFds(d);
    if (before !== undefined && after !== undefined) {
      check(after - before <= 10, `the process that runs your sessions to hold about as many open file descriptors as before ${CLIENTS} clients came and went`,
        () => `${before} before, ${after} after: ${after - before} sockets of clients long gone are still open`, t.transcript);
    }
    check(crashes().length === 0, 'no uncaught exception in the server', () => crashes().join('; '), t.transcript);
  });

  graded('runClient() prints server lines, sends typed lines, and treats the end of input as exit', {
    points: 1,
    hint: "When the input's readline interface closes, send \"exit\\n\"; resolve 'goodbye' when the last line was GOODBYE.",
    guide: `${GUIDE} § The client's side`,
  }, async (t) => {
    const said = someLine();
    const server = await fakeServer(t);
    const client = await startClient(t, server.port);
    client.type(said);
    await client.printed.toBe(`Server received: ${said}\n`);
    t.transcript.note('client input ends (EOF, like Ctrl-D)');
    client.endInput();
    await client.printed.toBe(`Server received: ${said}\n${GOODBYE}\n`);
    const end = await settleWithin(client.run);
    check(end === 'resolved with "goodbye"', 'runClient() to resolve with "goodbye"', () => end, t.transcript);
    check(server.heard.join('|') === `${said}|exit`, `the server to receive ${showText(said)} then "exit"`, () => server.heard.map((l) => showText(l)).join(', '), t.transcript);

    // Typing exit works too, and lines are read with the reader given (stage 6 passes stage 4's).
    const again = await startClient(t, server.port, true);
    again.type('EXIT');
    await again.printed.toBe(`${GOODBYE}\n`);
    const end2 = await settleWithin(again.run);
    check(end2 === 'resolved with "goodbye"', 'runClient() to resolve with "goodbye" after typing EXIT', () => end2, t.transcript);
    check(await again.readerUsed(), 'runClient() to read server lines with the readLines it was given', () => 'it never called readLines', t.transcript);

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
    const said = someLine();
    const crashes = watchCrashes(t, await driver.forTest(t));
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
      const from = server.heard.length;
      const heard = (): string => (server.heard.length > from ? server.heard.slice(from).map((l) => showText(l)).join(', ') : 'nothing');
      const client = await startClient(t, server.port, true);
      client.type(said);
      await client.printed.toBe(`Server received: ${said}\n`);
      // What it printed is the client's report; what the test server heard is the wire's.
      check(server.heard.slice(from).includes(said), `the test server to receive ${showText(said)}, typed into the client`, heard, t.transcript);
      client.type(move);
      const end = await settleWithin(client.run);
      check(end === 'resolved with "lost"', `runClient() to resolve with "lost" after "${move}", with the input still open`, () => end, t.transcript);
      check(server.heard.slice(from).includes(move), `the test server to receive "${move}" (its cue to ${move === 'crash' ? 'reset' : 'close'} the connection) before runClient() resolved`,
        heard, t.transcript);
      // Whether the input is still read shows in what happens to a line typed now: it must stay
      // unread in the input (readline closed or the input paused) or the input must be gone.
      const input = await client.probeInput('typed after the end');
      await rule({ hint: "On the socket's 'close', close the input's readline interface (or destroy the input): the session is over.", guide: `${GUIDE} § The client's side` },
        () => check(input.destroyed || input.readableLength > 0, 'runClient() to stop reading its input once the session is over',
          () => 'a line typed after the end was still read from the input', t.transcript));
    }
    check(crashes().length === 0, 'no uncaught exception in the client', () => crashes().join('; '), t.transcript);
  });

  graded('shutdown() tells the client, closes every connection and the listener, and leaves no timer', {
    points: 1,
    hint: "trackClients() adds on 'connection' and deletes on 'close'; shutdown() ends each client with the line, destroys lingerers, clears its timers.",
    guide: `${GUIDE} § Shutting down`,
  }, async (t) => {
    const d = await driver.forTest(t);
    // A server in the driver whose clients the student's trackClients() keeps; it greets each with "Welcome".
    const start = (): Promise<{ id: number; port: number }> => d.call<{ id: number; port: number }>('trackingServer');
    type State = { listening: boolean; size: number; sockets: Array<{ tracked: boolean; destroyed: boolean }> };
    const state = (server: { id: number }): Promise<State> => d.call<State>('serverState', server.id);
    const shutdown = async (server: { id: number }): Promise<unknown> => d.settled(await d.call<number>('shutdown', server.id));
    // Timers running in the driver, where shutdown() runs.
    const timers = (): Promise<number> => d.call<number>('timers');

    const one = await start();
    const stays = await t.connect(one.port, { who: 'client 1' });
    await stays.expectLine('Welcome');
    const leaves = await t.connect(one.port, { who: 'client 2' });
    await leaves.expectLine('Welcome');
    leaves.end();
    await leaves.expectClose();
    const secondClosed = await settleWithin(d.settled(await d.call<number>('socketClosed', one.id, 1)));
    check(secondClosed === 'resolved', "the server's side of client 2 to close", () => 'still open', t.transcript);
    const held = await state(one);
    check(held.size === 1 && held.sockets[0].tracked, 'trackClients() to hold client 1 only, once client 2 has left',
      () => `a set of ${held.size} sockets`, t.transcript);
    const before = await timers();
    const stopping = shutdown(one);
    await stays.expectLine(SHUTTING_DOWN);
    await stays.expectClose('the server to close the connection after the shutdown line');
    const end = await settleWithin(stopping);
    check(end === 'resolved', 'shutdown() to resolve once every connection is closed', () => end, t.transcript);
    const stopped = await state(one);
    check(!stopped.listening && stopped.size === 0, 'the listener closed and no client left in the set',
      () => `listening: ${stopped.listening}, clients: ${stopped.size}`, t.transcript);
    const left = await timers();
    check(left <= before, 'no timer left running once shutdown() has resolved', () => `${left - before} more timer(s) than before`, t.transcript);

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
    const cutOff = await settleWithin(shutdown(two));
    check(cutOff === 'resolved', 'shutdown() to resolve within 2 s even though the client keeps its side open', () => cutOff, t.transcript);
    check(heard === `Welcome\n${SHUTTING_DOWN}\n`, 'the lingering client to receive the shutdown line', () => showText(heard), t.transcript);
    const after = await state(two);
    check(after.sockets[0].destroyed && !after.listening, "the lingering client's connection destroyed and the listener closed",
      () => `destroyed: ${after.sockets[0].destroyed}, listening: ${after.listening}`, t.transcript);
  });
});
