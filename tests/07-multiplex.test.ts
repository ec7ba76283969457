// Stage 7 graded suite: the multiplexed client, started as a program and driven by test servers
// that push lines whenever they like, while the test types on its stdin. Only TCP, stdin, stdout,
// stderr, exit codes and /proc are used, so CLIENT_CMD can grade a client in any language.
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import type { Program } from '../kit/harness/program.ts';
import { rule } from '../kit/harness/rule.ts';
import { showText, showWithBytes } from '../kit/harness/show.ts';
import type { WireClient } from '../kit/harness/wire.ts';
import { ACK, BUSY, GOODBYE, SHUTDOWN, closedPort, received, recordRaw, scriptedServer } from './06-final/peers.ts';
import { HOST, expectExit, launch, startClient, startWithin, stderrLines } from './06-final/programs.ts';
import { SEED, nextStdoutLine, programCpuMs, seeded, sendAndMark } from './07-multiplex/measure.ts';

const GUIDE = 'guide/07-multiplex.md';
const STAGE = '07-multiplex';
/** The issue's numbers: an unsolicited line printed within this, while stdin is idle… */
const PRINT_WITHIN_MS = 200;
/** …and at most this much CPU time over IDLE_MS with nothing to do. */
const IDLE_CPU_MS = 50;
const IDLE_MS = 3000;
/** Unsolicited lines sent one at a time; most of them must make the 200 ms. */
const PROBES = 5;
const PROBES_ON_TIME = 3;

const WORDS = ['ping', 'café', 'naïve ✓', 'über', 'tab\there', '🎉 party', 'x', '  spaced  ', 'done'];

/** Random input for this test, from the suite's seed and the test's own number. */
function inputs(t: TestKit, test: number): () => number {
  t.transcript.note(`seed ${SEED} (CLASSCHAT_SEED=${SEED} repeats these inputs)`);
  return seeded(SEED * 31 + test);
}

const pick = <T>(random: () => number, from: readonly T[]): T => from[Math.floor(random() * from.length)];

/** Starts the student's stage 7 client against `port`. */
const client = (t: TestKit, port: number, who = 'client'): Program => startClient(t, port, { stage: STAGE, who });

/** Waits for the client's next stdout line and fails unless it is exactly `expected`. */
async function expectPrinted(t: TestKit, c: Program, expected: string): Promise<void> {
  const line = await nextStdoutLine(c, `exactly ${showText(expected)}`);
  check(line === expected, `${c.who} stdout to print exactly ${showText(expected)} next`, () => showText(line), t.transcript);
}

/** A client connected to a fresh test server, past the greeting. */
async function connected(t: TestKit, who = 'client'): Promise<{ program: Program; peer: WireClient }> {
  const startedAt = Date.now();
  const server = await scriptedServer(t);
  const program = client(t, server.port, who);
  const peer = await server.nextConnection(program, startWithin(startedAt));
  peer.sendLine(ACK);
  await expectPrinted(t, program, ACK);
  return { program, peer };
}

describe('07 the multiplexed client', () => {
  graded('a line the server pushes is printed within 200 ms while nobody types', {
    points: 4,
    hint: 'Wait for the socket and stdin together (one event loop, no blocking read of stdin); print a server line the moment it is complete.',
    guide: `${GUIDE} § Why a blocking read breaks it`,
  }, async (t) => {
    const random = inputs(t, 1);
    const { program, peer } = await connected(t);
    const late: string[] = [];
    const times: number[] = [];
    for (let i = 1; i <= PROBES; i++) {
      // A pause of the server's choosing, so the client is asleep when the line comes.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(random() * 100)));
      const line = `Notice ${i}: ${pick(random, WORDS)}, nobody asked for this line`;
      const sentAt = await sendAndMark(peer, line);
      await expectPrinted(t, program, line);
      const ms = Math.round(performance.now() - sentAt);
      times.push(ms);
      if (ms > PRINT_WITHIN_MS) late.push(`line ${i} after ${ms} ms`);
    }
    t.transcript.note(`from the server's write to the client's stdout: ${times.join(', ')} ms`);
    check(PROBES - late.length >= PROBES_ON_TIME,
      `at least ${PROBES_ON_TIME} of ${PROBES} unsolicited lines printed within ${PRINT_WITHIN_MS} ms of the server's write, with stdin idle`,
      () => `only ${PROBES - late.length} were (${late.join('; ')}): the client prints server lines late, perhaps only when it wakes up for something else`, t.transcript);
  });

  graded('the idle client sleeps: under 50 ms of CPU time in 3 s with nothing to do', {
    points: 4,
    hint: 'Never loop to check for input (no setImmediate/setInterval polling, no retry on EAGAIN): let the event loop wake you when the socket or stdin has data.',
    guide: `${GUIDE} § Nothing busy-waits`,
  }, async (t) => {
    const random = inputs(t, 2);
    const { program, peer } = await connected(t);
    const warmUp = `warm up ${pick(random, WORDS)}`;
    program.typeLine(warmUp);
    await peer.expectLine(warmUp);
    peer.sendLine(received(warmUp));
    await expectPrinted(t, program, received(warmUp));
    // Two windows at most: one-off work such as a garbage collection may fall into the first.
    const used: number[] = [];
    for (let window = 1; window <= 2; window++) {
      const before = programCpuMs(program);
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
      const after = programCpuMs(program);
      check(!program.hasExited, `${program.who} to keep running while idle`, () => 'it exited', t.transcript);
      if (before === undefined || after === undefined) {
        t.transcript.note('CPU time cannot be read here (no /proc): not measured');
        break;
      }
      used.push(after - before);
      t.transcript.note(`${program.who} used ${after - before} ms of CPU time in ${IDLE_MS / 1000} s idle (window ${window})`);
      if (after - before < IDLE_CPU_MS) break;
    }
    check(used.length === 0 || Math.min(...used) < IDLE_CPU_MS,
      `under ${IDLE_CPU_MS} ms of CPU time in ${IDLE_MS / 1000} s with no input and no server line`,
      () => `${used.join(' ms, then ')} ms: the client keeps working while there is nothing to do (a polling loop)`, t.transcript);
    // Still awake to both sources after the nap.
    peer.sendLine('Still there?');
    await expectPrinted(t, program, 'Still there?');
    program.typeLine('yes');
    await peer.expectLine('yes');
  });

  graded('both directions at once: thousands of typed lines go out while the server streams thousands back, none lost or reordered', {
    points: 4,
    hint: 'Send each typed line when it is read and print each server line when it is complete, independently: never wait for a reply before reading the next typed line.',
    guide: `${GUIDE} § The loop`,
  }, async (t) => {
    const random = inputs(t, 3);
    const { program, peer } = await connected(t);
    // Different counts each way, so a client that pairs each typed line with one reply fails.
    const typedCount = 2000 + Math.floor(random() * 1000);
    const pushedCount = typedCount + 100 + Math.floor(random() * 400);
    const typed = Array.from({ length: typedCount }, (_, i) => `typed ${i + 1} ${pick(random, WORDS)}`);
    const pushed = Array.from({ length: pushedCount }, (_, i) => `pushed ${i + 1} ${pick(random, WORDS)}`);
    t.transcript.note(`the test types ${typedCount} lines while the server pushes ${pushedCount}, in two halves; stdin stays open`);
    for (const half of [0, 1]) {
      const mine = typed.slice(half * Math.ceil(typedCount / 2), (half + 1) * Math.ceil(typedCount / 2));
      const theirs = pushed.slice(half * Math.ceil(pushedCount / 2), (half + 1) * Math.ceil(pushedCount / 2));
      // Both start before either is checked: typing and streaming overlap. The stream goes out
      // in writes of random sizes, so chunks end inside lines and inside characters.
      const stream = Buffer.from(theirs.map((l) => `${l}\n`).join(''));
      const streaming = (async () => {
        for (let at = 0; at < stream.length;) {
          const size = 1 + Math.floor(random() * 2048);
          const piece = stream.subarray(at, at + size);
          peer.sendBytes(piece, piece.toString('utf8'));
          at += size;
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      for (const line of mine) program.typeLine(line);
      await streaming;
      // The server hears every typed line, in order, and the client prints every pushed one.
      await Promise.all([
        rule({ hint: 'Keep reading stdin while server lines arrive, and send each typed line once, in order, with "\\n".', guide: `${GUIDE} § The loop` }, async () => {
          for (const line of mine) await peer.expectLine(line);
        }),
        rule({ hint: 'Print every server line exactly once, in order: frame them with your stage 4 decoder, not one chunk = one line.', guide: `${GUIDE} § The loop` }, async () => {
          for (const line of theirs) await expectPrinted(t, program, line);
        }),
      ]);
    }
    check(!program.hasExited, `${program.who} to keep running (stdin is still open)`, () => 'it exited', t.transcript);
  });

  graded('the connection lost (reset) while the user is typing: exit code 1 and a message', {
    points: 2,
    hint: 'When the socket closes without a goodbye, stop reading stdin (the user may be mid-line), print one line on stderr and exit 1.',
    guide: `${GUIDE} § When the server goes away`,
  }, async (t) => {
    await lostWhileTyping(t, inputs(t, 4), (peer) => peer.reset());
  });

  graded('the server closes without a goodbye while the user is typing: exit code 1 and a message', {
    points: 1,
    hint: 'A close (FIN) without the goodbye or shutdown line before it is a lost connection too: exit 1, not 0.',
    guide: `${GUIDE} § When the server goes away`,
  }, async (t) => {
    await lostWhileTyping(t, inputs(t, 5), (peer) => peer.end());
  });

  graded('Task-1 rules: server lines printed verbatim (split, CRLF, UTF-8), typed lines sent exactly, nothing else on stdout', {
    points: 2,
    hint: 'Frame server lines with your stage 4 decoder and print each as it came, nothing added; send each typed line followed by "\\n" only.',
    guide: `${GUIDE} § Every Task-1 rule still holds`,
  }, async (t) => {
    const random = inputs(t, 6);
    const { program, peer } = await connected(t);
    const raw = recordRaw(peer);
    const notice = Buffer.from(`Notice:  two spaces,\ta tab, ${pick(random, WORDS)}, café\n`);
    const cut = notice.indexOf(0xc3, notice.indexOf('caf')) + 1;
    peer.sendBytes(notice.subarray(0, cut), 'the first half of a line, cut inside "é"');
    const words = `  ${pick(random, WORDS)}  and ${pick(random, WORDS)}  `;
    program.typeLine(words);
    await peer.expectLine(words);
    peer.sendBytes(Buffer.concat([notice.subarray(cut), Buffer.from('sent with CRLF\r\n')]), 'the rest of that line + "sent with CRLF\\r\\n"');
    await expectPrinted(t, program, notice.toString('utf8').trimEnd());
    await expectPrinted(t, program, 'sent with CRLF');
    program.typeLine('second');
    await peer.expectLine('second');
    const bytes = raw();
    check(bytes === `${words}\nsecond\n`, `the server to receive exactly ${showWithBytes(`${words}\nsecond\n`)}`, () => showWithBytes(bytes), t.transcript);
    const extra = program.out.stdout.lines;
    check(extra.length === 0, `nothing else on ${program.who} stdout`, () => showText(extra.join('\n')), t.transcript);
  });

  graded('Task-1 rules: end of input sends exit; exit code 0 after the goodbye, and after the shutdown line', {
    points: 1.5,
    hint: 'At the end of stdin send "exit" and keep printing until the server closes; exit 0 when the last line was the goodbye or the shutdown line.',
    guide: `${GUIDE} § Every Task-1 rule still holds`,
  }, async (t) => {
    const [leaving, stopping] = await Promise.all([connected(t, 'client A'), connected(t, 'client B')]);
    leaving.program.typeLine('last words');
    await leaving.peer.expectLine('last words');
    leaving.program.endInput();
    const eof = (await leaving.peer.nextLine('"exit\\n" after stdin was closed')).trim();
    check(eof.toLowerCase() === 'exit', 'the client to send "exit" when stdin is closed', () => showText(eof), t.transcript);
    leaving.peer.send(`${received('last words')}\nGoodbye! Conn`);
    await new Promise((resolve) => setImmediate(resolve));
    leaving.peer.send('ection closing...\n');
    leaving.peer.end();
    await expectPrinted(t, leaving.program, received('last words'));
    await expectPrinted(t, leaving.program, GOODBYE);
    await expectExit(t, leaving.program, 0, 'after the goodbye');

    stopping.peer.send(`${SHUTDOWN}\n`);
    stopping.peer.end();
    await expectPrinted(t, stopping.program, SHUTDOWN);
    await expectExit(t, stopping.program, 0, "after the server's shutdown line and close");
  });

  graded('Task-1 rules: --help exits 0, bad usage 2, no server 1 naming host:port, busy 1 (once a session works)', {
    points: 1.5,
    hint: 'Keep your stage 6 start-up: usage errors exit 2, an unreachable or busy server exits 1 with one line on stderr.',
    guide: `${GUIDE} § Every Task-1 rule still holds`,
  }, async (t) => {
    const startedAt = Date.now();
    const [busyServer, nowhere] = await Promise.all([scriptedServer(t), closedPort()]);
    const help = launch(t, 'client', { stage: STAGE, who: 'client B', args: ['--help'] });
    const bogus = launch(t, 'client', { stage: STAGE, who: 'client C', args: ['--host', HOST, '--port', String(nowhere), '--bogus'] });
    const badPort = launch(t, 'client', { stage: STAGE, who: 'client D', args: ['--host', HOST, '--port', '70000'] });
    const unreachable = client(t, nowhere, 'client E');
    const busy = client(t, busyServer.port, 'client F');
    // First a session that works, so these points go to a client that is written.
    const { program, peer } = await connected(t, 'client A');
    program.typeLine('ping');
    await peer.expectLine('ping');
    peer.sendLine(received('ping'));
    await expectPrinted(t, program, received('ping'));

    await expectExit(t, help, 0, 'it printed its usage for --help', startWithin(startedAt));
    const usage = help.out.stdout.captured() + help.out.stderr.captured();
    check(usage.includes('--port') && usage.includes('--host'), 'usage text that mentions --host and --port', () => (usage.trim() ? showText(usage.trim(), 300) : 'no output'), t.transcript);
    await expectExit(t, bogus, 2, 'unknown flag --bogus', startWithin(startedAt));
    await expectExit(t, badPort, 2, 'bad port 70000', startWithin(startedAt));
    await expectExit(t, unreachable, 1, 'the server is unreachable', startWithin(startedAt));
    const said = stderrLines(unreachable).join('\n');
    const address = `${HOST}:${nowhere}`;
    check(said.includes(address), `a message on stderr that names ${address}`, () => (said ? showText(said, 300) : 'nothing on stderr'), t.transcript);
    const b = await busyServer.nextConnection(busy, startWithin(startedAt));
    b.sendLine(BUSY);
    b.end();
    await expectExit(t, busy, 1, 'the server is busy');
    const busyOutput = busy.out.stdout.captured() + busy.out.stderr.captured();
    check(/busy/i.test(busyOutput), 'the client to say the server is busy', () => showText(busyOutput.trim(), 300), t.transcript);
  });
});

/**
 * The user types a few lines (the server hears them) and goes on typing while the server goes
 * away: the client must notice at once, though stdin is still open.
 */
async function lostWhileTyping(t: TestKit, random: () => number, goAway: (peer: WireClient) => void): Promise<void> {
  const { program, peer } = await connected(t);
  const count = 2 + Math.floor(random() * 3);
  for (let i = 1; i <= count; i++) {
    const line = `line ${i} of ${count}: ${pick(random, WORDS)}`;
    program.typeLine(line);
    await peer.expectLine(line);
  }
  check(!program.hasExited, `${program.who} to keep running while the user types`, () => 'it exited', t.transcript);
  goAway(peer);
  // The user has not noticed and goes on typing.
  program.typeLine(`and one more: ${pick(random, WORDS)}`);
  await expectExit(t, program, 1, 'the connection was lost');
  const said = stderrLines(program);
  check(said.length > 0, `${program.who} to say on stderr that the connection was lost`, () => 'nothing on stderr', t.transcript);
}
