// Stage 9 graded suite: the chat server and client, tested from outside as programs over real
// loopback TCP. The server is started as a process; the suite speaks raw JSON lines to it as
// several users at once, and also runs the student's client as Alice, Bob and Carol. Only TCP,
// stdin, stdout, stderr, signals and exit codes are used, so SERVER_CMD / CLIENT_CMD can grade a
// chat written in any language (guide/09-chat.md § How it is graded).
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { patient } from '../kit/harness/patience.ts';
import { rule } from '../kit/harness/rule.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import type { Program } from '../kit/harness/program.ts';
import { showDuration, showText } from '../kit/harness/show.ts';
import { closedPort, scriptedServer } from './06-final/peers.ts';
import { expectExit, launch, startClient, startServer, startWithin, type RunningServer } from './06-final/programs.ts';
import {
  GOODBYE, GREETING, JsonPeer, MAX_LINE_BYTES, SHUTDOWN, chat, joined, left, names, seeded, text, welcome, type Json,
} from './09-chat/peers.ts';

const GUIDE = 'guide/09-chat.md';
const STAGE = '09-chat';

const server = (t: TestKit, startedAt = Date.now()): Promise<RunningServer> => startServer(t, { stage: STAGE, startedAt });

/** Signs in each name in turn, so every peer's welcome has been read before the next one joins. */
async function room(t: TestKit, port: number, who: string[]): Promise<JsonPeer[]> {
  const peers: JsonPeer[] = [];
  for (const name of who) peers.push(await JsonPeer.join(t, port, name));
  return peers;
}

/** Waits for an exact stdout line of a client program (other lines are skipped). */
const prints = (client: Program, line: string, within?: number): Promise<string> =>
  client.waitForLine('stdout', `exactly ${showText(line)}`, (l) => l === line, within);

describe('09 client-to-client chat', () => {
  // ---------------------------------------------------------------- the server, raw JSON peers

  graded('server: the greeting, the welcome that lists who is online, and "joined" for the others', {
    points: 2,
    hint: 'Greet each connection with the notice {"status":"0","sender":"server","text":"Connection established. …"}; after a sign-in send "Welcome, <name>! Online: <sorted names>" and tell everyone else "<name> joined".',
    guide: `${GUIDE} § Signing in`,
  }, async (t) => {
    const random = seeded(t);
    // Signed in out of order on purpose: the lists are sorted by code point (capitals first).
    const [zed, amy, bea] = names(random, 'Zed', 'Amy', 'bea');
    const { port } = await server(t);
    const z = await JsonPeer.greeted(t, port, zed);
    z.send({ status: '0', sender: zed });
    await z.expect({ status: '0', sender: 'server', text: welcome(zed, [zed]) }, 'the welcome notice');
    const a = await JsonPeer.greeted(t, port, amy);
    a.send({ status: '0', sender: amy });
    await a.expect({ status: '0', sender: 'server', text: welcome(amy, [amy, zed]) }, 'the welcome notice, with the names sorted');
    await z.expect({ status: '0', sender: 'server', text: joined(amy) });
    const b = await JsonPeer.greeted(t, port, bea);
    b.send({ status: '0', sender: bea });
    await b.expect({ status: '0', sender: 'server', text: welcome(bea, [amy, zed, bea]) }, 'the welcome notice, with the names sorted');
    await z.expect({ status: '0', sender: 'server', text: joined(bea) });
    await a.expect({ status: '0', sender: 'server', text: joined(bea) });
  });

  graded('server: /who answers with the sorted list of signed-in users, to the asker only', {
    points: 1,
    hint: 'Answer {"status":"2","sender":"<name>"} with {"status":"2","sender":"server","receiver":"<name>","users":[…]}: every signed-in name, sorted by code point; connections that have not signed in are not users.',
    guide: `${GUIDE} § The client registry`,
  }, async (t) => {
    const random = seeded(t);
    const [carol, alice, bob] = names(random, 'Carol', 'alice', 'Bob');
    const { port } = await server(t);
    const [c, a] = await room(t, port, [carol, alice]);
    await (await JsonPeer.connect(t, port, 'not signed in')).accepted();
    const b = await JsonPeer.join(t, port, bob);
    a.send({ status: '2', sender: alice });
    await a.expect({ status: '2', sender: 'server', receiver: alice, users: [bob, carol, alice] });
    // Carol's next message must be Bob's, not a copy of Alice's list.
    b.send(chat(bob, carol, 'after the list'));
    await c.expect(chat(bob, carol, 'after the list'), `Bob's message, not a user list meant for ${alice}`);
  });

  graded("server: chat messages reach their receiver whole and in order; the course's example works byte for byte", {
    points: 2.5,
    hint: 'Find the receiver by name (ignoring case) and write the object to that connection only, one line each, in the order they came.',
    guide: `${GUIDE} § Routing`,
  }, async (t) => {
    const random = seeded(t);
    const { port } = await server(t);
    const [a, b, c] = await room(t, port, ['Alice', 'Bob', 'Carol']);
    // The course's example, spaces and all (without the trailing comma it was printed with).
    a.wire.sendLine('{"status": "1", "sender": "Alice", "receiver": "Bob", "text": "Hi, do you know how TCP works?"}');
    await b.expect(chat('Alice', 'Bob', 'Hi, do you know how TCP works?'), "the course's example message");
    // Receivers are found ignoring case.
    b.send(chat('Bob', 'alice', 'found you'));
    await rule({ hint: 'Key the registry by the lower-cased name, so "alice" finds Alice.', guide: `${GUIDE} § The client registry` },
      () => a.expect(chat('Bob', 'alice', 'found you'), 'a message sent to "alice", which is Alice ignoring case'));
    // Two senders write to Bob at once: each one's messages arrive in the order they were sent.
    const fromAlice = Array.from({ length: 12 }, (_, i) => `${i + 1}: ${text(random)}`);
    const fromCarol = Array.from({ length: 12 }, (_, i) => `${i + 1}: ${text(random)}`);
    for (let i = 0; i < 12; i++) {
      a.send(chat('Alice', 'Bob', fromAlice[i]));
      c.send(chat('Carol', 'Bob', fromCarol[i]));
    }
    const got: Record<string, string[]> = { Alice: [], Carol: [] };
    for (let i = 0; i < 24; i++) {
      const m = await b.expect({ status: '1', receiver: 'Bob' }, `message ${i + 1} of 24 for Bob`);
      const sender = String(m.sender);
      check(sender in got && typeof m.text === 'string', 'a message from Alice or Carol with its text', () => showText(JSON.stringify(m)), t.transcript);
      got[sender].push(String(m.text));
    }
    for (const [sender, sent] of [['Alice', fromAlice], ['Carol', fromCarol]] as const) {
      check(JSON.stringify(got[sender]) === JSON.stringify(sent), `${sender}'s 12 texts, whole and in order`,
        () => showText(JSON.stringify(got[sender]), 400), t.transcript);
    }
    // Nothing was copied to anyone else: Alice's next message is Carol's, sent now.
    c.send(chat('Carol', 'Alice', 'only this'));
    await a.expect(chat('Carol', 'Alice', 'only this'), "Carol's message (no copy of what Bob was sent)");
  });

  graded('server: objects glued in one write, split across writes, cut inside a character, or ended by CRLF; blank lines', {
    points: 2,
    hint: "Frame with stage 4's LineDecoder(4096): one JSON object per line, never one object per 'data' event; blank lines get no answer.",
    guide: `${GUIDE} § Framing JSON with the stage 4 decoder`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, bob] = names(random, 'Alice', 'Bob');
    const { port } = await server(t);
    const [a, b] = await room(t, port, [alice, bob]);
    const texts = Array.from({ length: 4 }, () => text(random));
    a.wire.send(texts.slice(0, 3).map((x) => `${JSON.stringify(chat(alice, bob, x))}\n`).join(''));
    for (const x of texts.slice(0, 3)) await b.expect(chat(alice, bob, x), 'each of three objects sent in one write');
    // A whole line and the first half of the next, cut inside "é": Bob's message proves the
    // server has read that chunk before the rest is sent.
    const split = Buffer.from(`${JSON.stringify(chat(alice, bob, `café ${texts[3]}`))}\n`);
    const cut = split.indexOf(0xc3) + 1;
    a.wire.sendBytes(Buffer.concat([Buffer.from(`${JSON.stringify(chat(alice, bob, 'first'))}\n`), split.subarray(0, cut)]), 'a whole line and half an object, cut inside "é"');
    await b.expect(chat(alice, bob, 'first'));
    a.wire.sendBytes(split.subarray(cut), 'the rest of the object');
    await b.expect(chat(alice, bob, `café ${texts[3]}`), 'the object that came in two pieces');
    a.wire.send(`\n   \r\n${JSON.stringify(chat(alice, bob, 'after blank lines, with CRLF'))}\r\n`);
    await b.expect(chat(alice, bob, 'after blank lines, with CRLF'), 'the object after two blank lines, ended by "\\r\\n"');
    // Blank lines get no answer: Alice's next message is Bob's, not an error.
    b.send(chat(bob, alice, 'no answer to blank lines'));
    await a.expect(chat(bob, alice, 'no answer to blank lines'), `${bob}'s message, and no error about the blank lines before it`);
  });

  graded('server: an unknown receiver is reported to the sender, and nothing else happens', {
    points: 2.5,
    hint: 'When the receiver is not signed in, answer the sender with {"status":"3","sender":"server","receiver":<sender>,"error":"unknown-receiver","text":…}; deliver nothing, keep the connection open.',
    guide: `${GUIDE} § The unknown receiver`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, bob, carol, nobody] = names(random, 'Alice', 'Bob', 'Carol', 'Nobody');
    const { port } = await server(t);
    const [a, b, c] = await room(t, port, [alice, bob, carol]);
    a.send(chat(alice, nobody, text(random)));
    await a.expectError('unknown-receiver');
    a.send(chat(alice, 'server', 'to the server itself'));
    await a.expectError('unknown-receiver');
    // Carol leaves; she is unknown from then on.
    c.send({ status: '9', sender: carol });
    await b.expect({ status: '0', sender: 'server', text: left(carol) });
    a.send(chat(alice, carol, 'are you still there?'));
    await a.expectError('unknown-receiver');
    // Still usable, and nobody else got anything: Bob's next message is this one.
    const after = text(random);
    a.send(chat(alice, bob, after));
    await b.expect(chat(alice, bob, after), `${alice}'s message after the errors (and nothing before it)`);
  });

  graded('server: a message whose sender is not the connection\'s name is refused', {
    points: 2,
    hint: 'Compare "sender" with the name this connection signed in with; if they differ answer "wrong-sender" and deliver nothing.',
    guide: `${GUIDE} § Routing`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, bob, carol] = names(random, 'Alice', 'Bob', 'Carol');
    const { port } = await server(t);
    const [a, b, c] = await room(t, port, [alice, bob, carol]);
    a.send(chat(bob, carol, 'I am Bob, trust me'));
    await a.expectError('wrong-sender');
    a.send(chat(alice.toLowerCase() === alice ? alice.toUpperCase() : alice.toLowerCase(), carol, 'my name in another case'));
    await a.expectError('wrong-sender');
    a.send({ status: '2', sender: bob });
    await a.expectError('wrong-sender');
    const real = text(random);
    a.send(chat(alice, carol, real));
    await c.expect(chat(alice, carol, real), `${alice}'s real message, and no spoofed one before it`);
    b.send(chat(bob, alice, 'still here'));
    await a.expect(chat(bob, alice, 'still here'));
  });

  graded('server: names are checked, unique ignoring case, and a refused name can be retried', {
    points: 1.5,
    hint: 'A name is 1-32 of A-Z a-z 0-9 _ -, not "server" or "all" in any case ("bad-name"), and not already signed in ignoring case ("name-taken"); the connection stays open.',
    guide: `${GUIDE} § Signing in`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, other] = names(random, 'Alice', 'Other');
    const { port } = await server(t);
    const a = await JsonPeer.join(t, port, alice);
    const p = await JsonPeer.connect(t, port, 'newcomer');
    for (const bad of ['', 'two words', 'x'.repeat(33), 'Zoë', 'a.b', 'server', 'ALL']) {
      p.send({ status: '0', sender: bad });
      await p.expectError('bad-name', null);
    }
    for (const same of [alice.toUpperCase(), alice.toLowerCase(), alice]) {
      p.send({ status: '0', sender: same });
      await p.expectError('name-taken', null);
    }
    const longest = `${other}${'_'.repeat(32 - other.length)}`;
    p.send({ status: '0', sender: longest });
    await p.expect({ status: '0', sender: 'server', text: welcome(longest, [alice, longest].sort()) }, 'the welcome for a 32-character name');
    p.name = longest;
    await a.expect({ status: '0', sender: 'server', text: joined(longest) });
    p.send({ status: '0', sender: longest });
    await rule({ hint: 'A second sign-in on a signed-in connection is a "bad-message".', guide: `${GUIDE} § Bad input` }, () => p.expectError('bad-message'));
  });

  graded('server: before signing in, only a sign-in is accepted', {
    points: 1,
    hint: 'A connection with no name yet answers chat, who and exit with "not-signed-in" (receiver null) and stays open for its sign-in.',
    guide: `${GUIDE} § Signing in`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, bob] = names(random, 'Alice', 'Bob');
    const { port } = await server(t);
    const a = await JsonPeer.join(t, port, alice);
    const p = await JsonPeer.connect(t, port, bob);
    p.send(chat(bob, alice, 'let me in'));
    await p.expectError('not-signed-in', null);
    p.send({ status: '2', sender: bob });
    await p.expectError('not-signed-in', null);
    p.send({ status: '9', sender: bob });
    await p.expectError('not-signed-in', null);
    p.send({ status: '0', sender: bob });
    await p.expectWelcome('the welcome, after the errors');
    p.send(chat(bob, alice, 'in at last'));
    await a.expect(chat(bob, alice, 'in at last'), `${bob}'s first message, and none before it`);
  });

  graded("server: bad JSON and bad messages get an error each, and the connection goes on (the course's trailing comma too)", {
    points: 2,
    hint: 'Parse each line inside try/catch: invalid JSON is "bad-json"; a non-object, a missing or non-string field, or an unknown status is "bad-message". One error per line, in order.',
    guide: `${GUIDE} § Bad input`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, bob] = names(random, 'Alice', 'Bob');
    const { port } = await server(t);
    const [a, b] = await room(t, port, [alice, bob]);
    const lines: Array<[string, 'bad-json' | 'bad-message']> = [
      // The course printed its example with a comma before the "}": that is not JSON.
      [`{"status": "1", "sender": "${alice}", "receiver": "${bob}", "text": "Hi, do you know how TCP works?",}`, 'bad-json'],
      ['{"status":"1"', 'bad-json'],
      [`${alice}`, 'bad-json'],
      ['[1, 2, 3]', 'bad-message'],
      ['"just a string"', 'bad-message'],
      ['42', 'bad-message'],
      [JSON.stringify({ sender: alice, receiver: bob, text: 'no status' }), 'bad-message'],
      [JSON.stringify({ status: 1, sender: alice, receiver: bob, text: 'status as a number' }), 'bad-message'],
      [JSON.stringify({ status: '7', sender: alice }), 'bad-message'],
      [JSON.stringify({ status: '1', sender: alice, receiver: bob }), 'bad-message'],
      [JSON.stringify({ status: '1', sender: alice, receiver: bob, text: 42 }), 'bad-message'],
      [JSON.stringify({ status: '1', sender: alice, receiver: [bob], text: 'receiver as a list' }), 'bad-message'],
    ];
    // All in one write: each line is answered on its own, in order.
    a.wire.send(lines.map(([line]) => `${line}\n`).join(''));
    for (const [, code] of lines) await a.expectError(code);
    const fine = text(random);
    a.send(chat(alice, bob, fine));
    await b.expect(chat(alice, bob, fine), 'the first good message, and nothing before it');
  });

  graded('server: a line of 4096 bytes is delivered, a 4097-byte line gets "too-long", and the connection goes on', {
    points: 1.5,
    hint: "Give stage 4's LineDecoder a limit of 4096: count bytes, not characters; a longer line gets one \"too-long\" error and is dropped up to its \"\\n\".",
    guide: `${GUIDE} § Framing JSON with the stage 4 decoder`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, bob] = names(random, 'Alice', 'Bob');
    const { port } = await server(t);
    const [a, b] = await room(t, port, [alice, bob]);
    const padded = (bytes: number, unit: string): Json => {
      const frame = Buffer.byteLength(JSON.stringify(chat(alice, bob, '')));
      const count = (bytes - frame) / Buffer.byteLength(unit);
      check(Number.isInteger(count), 'the suite to build an exact line', () => `${bytes}`, t.transcript);
      return chat(alice, bob, unit.repeat(count));
    };
    const exact = padded(MAX_LINE_BYTES, 'a');
    a.send(exact);
    await b.expect(exact, 'the 4096-byte message, whole');
    a.send(padded(MAX_LINE_BYTES + 1, 'a'));
    await a.expectError('too-long');
    // 4097 bytes again, in characters of 2 and 3 bytes: a character count would let it through.
    const wide = chat(alice, bob, '');
    const room2 = MAX_LINE_BYTES + 1 - Buffer.byteLength(JSON.stringify(wide));
    const threes = Math.floor(room2 / 3) - ((room2 - 3 * Math.floor(room2 / 3)) % 2);
    const twos = (room2 - 3 * threes) / 2;
    a.send(chat(alice, bob, '✓'.repeat(threes) + 'é'.repeat(twos)));
    await a.expectError('too-long');
    const after = text(random);
    a.send(chat(alice, bob, after));
    await b.expect(chat(alice, bob, after), 'the next message, and no part of the long lines before it');
  });

  graded('server: exit, a hang-up and a crash mid-message all count as leaving; the name is free again', {
    points: 2.5,
    hint: 'On {"status":"9"} send the goodbye notice, close, and tell the others "<name> left"; do the same on a plain close or reset, and drop the half line a crashed client left behind.',
    guide: `${GUIDE} § The client registry`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, bob, carol, dave] = names(random, 'Alice', 'Bob', 'Carol', 'Dave');
    const { program, port } = await server(t);
    const [a, b, c, d] = await room(t, port, [alice, bob, carol, dave]);
    // Exit and a message after it in one write: the message after exit is not read.
    a.wire.send(`${JSON.stringify({ status: '9', sender: alice })}\n${JSON.stringify(chat(alice, bob, 'after exit'))}\n`);
    await a.expect({ status: '0', sender: 'server', text: GOODBYE }, 'the goodbye notice');
    await rule({ hint: 'After {"status":"9"} send the goodbye notice, then end() the connection and read nothing more from it.', guide: `${GUIDE} § The client registry` },
      () => a.wire.expectClose(`the server to close ${alice}'s connection after the goodbye`));
    await b.expect({ status: '0', sender: 'server', text: left(alice) });
    // Carol crashes halfway through a message: the server must not wait for its end.
    c.wire.send(`${JSON.stringify(chat(carol, bob, 'this never')).slice(0, 30)}`);
    c.wire.reset();
    await b.expect({ status: '0', sender: 'server', text: left(carol) });
    d.wire.end();
    await b.expect({ status: '0', sender: 'server', text: left(dave) });
    b.send({ status: '2', sender: bob });
    await b.expect({ status: '2', sender: 'server', receiver: bob, users: [bob] }, 'a user list with only Bob left');
    // Carol's name is free again, and her new connection starts clean.
    const c2 = await JsonPeer.join(t, port, carol);
    const back = text(random);
    b.send(chat(bob, carol, back));
    await c2.expect(chat(bob, carol, back));
    check(!program.hasExited, 'the server to keep running', () => 'it exited', t.transcript);
  });

  graded('server: a receiver that stops reading is cut off past 1 MiB queued, and everyone else carries on', {
    points: 2.5,
    hint: "Check the socket's writableLength after each write; past 1 MiB disconnect that receiver (\"SendQ exceeded\"), tell the others \"<name> left\", and keep serving everyone else.",
    guide: `${GUIDE} § SendQ: a receiver that does not read`,
  }, async (t) => {
    const random = seeded(t);
    const [slow, fast, watcher] = names(random, 'Slow', 'Fast', 'Watch');
    const { port } = await server(t);
    const [s, f, w] = await room(t, port, [slow, fast, watcher]);
    // Slow stops reading: what is sent to it piles up in the kernel's buffers, then in the server.
    s.wire.socket.pause();
    t.transcript.note(`${slow} stops reading its connection`);
    let sawLeft = false;
    let seen = '';
    w.wire.socket.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-200);
      if (seen.includes(`"${left(slow)}"`)) sawLeft = true;
    });
    const line = Buffer.from(`${JSON.stringify(chat(fast, slow, `${text(random)} ${'z'.repeat(3900)}`))}\n`);
    const limitMiB = 48;
    const lines = Math.ceil((limitMiB * 1024 * 1024) / line.length);
    t.transcript.note(`${fast} sends ${slow} messages of ${line.length} bytes, up to ${limitMiB} MiB, until ${watcher} hears that ${slow} left`);
    let sent = 0;
    for (; sent < lines && !sawLeft; sent++) {
      if (f.wire.socket.write(line)) continue;
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), patient(5000));
        f.wire.socket.once('drain', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      check(drained, `the server to keep reading ${fast}'s messages while ${slow} does not read`,
        () => `it stopped reading after ${(sent * line.length / 1024 / 1024).toFixed(1)} MiB for ${showDuration(5000)}: one slow receiver must not stall the senders`, t.transcript);
    }
    t.transcript.note(`${fast} sent ${(sent * line.length / 1024 / 1024).toFixed(1)} MiB`);
    await w.expect({ status: '0', sender: 'server', text: left(slow) }, `"${left(slow)}" once ${slow} has more than 1 MiB waiting`);
    // Everyone else carries on.
    const after = text(random);
    f.send(chat(fast, watcher, after));
    await w.expect(chat(fast, watcher, after), `${fast}'s message to ${watcher} after ${slow} was cut off`);
    w.send({ status: '2', sender: watcher });
    await w.expect({ status: '2', sender: 'server', receiver: watcher, users: [fast, watcher].sort() });
  });

  graded('server: SIGTERM sends the shutdown notice to every connection, closes them and exits 0', {
    points: 1,
    hint: 'On SIGINT/SIGTERM send {"status":"0","sender":"server","text":"Server shutting down. Goodbye!"} to every connection, signed in or not, close them all and the listener, exit 0.',
    guide: `${GUIDE} § Shutting down`,
  }, async (t) => {
    const random = seeded(t);
    const [alice, bob] = names(random, 'Alice', 'Bob');
    const { program, port } = await server(t);
    const peers = [...await room(t, port, [alice, bob]), await (await JsonPeer.connect(t, port, 'not signed in')).accepted()];
    program.signal('SIGTERM');
    for (const p of peers) {
      await p.expect({ status: '0', sender: 'server', text: SHUTDOWN }, 'the shutdown notice');
      await p.wire.expectClose(`the server to close ${p.wire.who}'s connection after the shutdown notice`);
    }
    await expectExit(t, program, 0, 'it got SIGTERM');
  });

  // ---------------------------------------------------------------- the programs together

  graded('server and client programs: Alice, Bob and Carol chat, ask who is online, meet an unknown receiver and leave', {
    points: 2,
    hint: 'Print "[Alice] text" for chat, "* text" for notices, "! text" for errors and "* Online: A, B" for the list; "@Bob text" sends, "/who" asks, "exit" leaves with exit code 0.',
    guide: `${GUIDE} § The chat client`,
  }, async (t) => {
    const random = seeded(t);
    const startedAt = Date.now();
    const { port } = await server(t, startedAt);
    const [alice, bob, carol] = ['Alice', 'Bob', 'Carol'].map((name) =>
      startClient(t, port, { stage: STAGE, who: name, args: ['--name', name] }));
    for (const [client, name] of [[alice, 'Alice'], [bob, 'Bob'], [carol, 'Carol']] as const) {
      await prints(client, `* ${GREETING}`, startWithin(startedAt));
      await client.waitForLine('stdout', `"* Welcome, ${name}! Online: …"`, (l) => l.startsWith(`* Welcome, ${name}! Online: `), startWithin(startedAt));
    }
    alice.typeLine('/who');
    await rule({ hint: 'The server answers "2" with the sorted names; the client prints them as "* Online: Alice, Bob, Carol".', guide: `${GUIDE} § The client registry` },
      () => prints(alice, '* Online: Alice, Bob, Carol'));
    const hello = text(random);
    alice.typeLine(`@Bob ${hello}`);
    await prints(bob, `[Alice] ${hello}`);
    const answer = text(random);
    bob.typeLine(`@Alice ${answer}`);
    await prints(alice, `[Bob] ${answer}`);
    carol.typeLine('@Dave are you there?');
    await rule({ hint: 'The server answers an unknown receiver with a "3" error; the client prints it as "! <text>".', guide: `${GUIDE} § The unknown receiver` },
      () => carol.waitForLine('stdout', 'an error line starting with "! "', (l) => l.startsWith('! ')));
    carol.typeLine('@Alice still here');
    await prints(alice, '[Carol] still here');
    alice.typeLine('exit');
    await rule({ hint: '"exit" sends {"status":"9"}; the server answers with the goodbye notice and closes; the client exits 0, and the others hear "Alice left".', guide: `${GUIDE} § The client registry` }, async () => {
      await prints(alice, `* ${GOODBYE}`);
      await expectExit(t, alice, 0, 'after the goodbye');
      await prints(bob, '* Alice left');
    });
    carol.endInput();
    await prints(carol, `* ${GOODBYE}`);
    await expectExit(t, carol, 0, 'stdin ended, which counts as exit');
    await prints(bob, '* Carol left');
  });

  // ---------------------------------------------------------------- the client, against a scripted server

  graded('client: the JSON it sends, and one stdout line per message it receives', {
    points: 2.5,
    hint: 'Sign in with {"status":"0","sender":name}; "@Bob text" → status "1", "/who" → "2", exit → "9"; print "[sender] text", "* text", "! text", "* Online: A, B" and nothing else on stdout.',
    guide: `${GUIDE} § The chat client`,
  }, async (t) => {
    const random = seeded(t);
    const [me, bob] = names(random, 'Me', 'Bob');
    const scripted = await scriptedServer(t);
    const client = startClient(t, scripted.port, { stage: STAGE, who: 'client', args: ['--name', me] });
    const s = new JsonPeer(await scripted.nextConnection(client, startWithin(Date.now())), t, 'test server');
    s.send({ status: '0', sender: 'server', text: GREETING });
    await s.expect({ status: '0', sender: me }, 'the sign-in');
    const said = text(random, 5);
    client.typeLine(`@${bob} ${said}`);
    await s.expect(chat(me, bob, said), `the chat message for "@${bob} ${said}"`);
    // Quotes, a backslash and a tab must be escaped: JSON.stringify does it, a template string does not.
    const tricky = 'she said "hi" \\ then\tleft';
    client.typeLine(`@${bob} ${tricky}`);
    await s.expect(chat(me, bob, tricky), `the chat message for ${showText(`@${bob} ${tricky}`)}, quotes escaped`);
    client.typeLine('/who');
    await s.expect({ status: '2', sender: me }, 'the who request for "/who"');
    // Four messages in one write, then one split inside a character, then one ended by CRLF.
    const heard = text(random);
    const glued = [
      { status: '0', sender: 'server', text: welcome(me, [bob, me]) },
      chat(bob, me, heard),
      { status: '2', sender: 'server', receiver: me, users: [bob, me] },
      { status: '3', sender: 'server', receiver: me, error: 'unknown-receiver', text: '"Dave" is not online.' },
    ];
    s.wire.send(glued.map((m) => `${JSON.stringify(m)}\n`).join(''));
    const split = Buffer.from(`${JSON.stringify(chat(bob, me, 'café au lait'))}\n`);
    const cut = split.indexOf(0xc3) + 1;
    s.wire.sendBytes(split.subarray(0, cut), 'half a chat message, cut inside "é"');
    const expected = [`* ${GREETING}`, `* ${welcome(me, [bob, me])}`, `[${bob}] ${heard}`, `* Online: ${bob}, ${me}`, '! "Dave" is not online.'];
    for (const line of expected.slice(1)) await prints(client, line);
    s.wire.sendBytes(split.subarray(cut), 'the rest of it');
    await prints(client, `[${bob}] café au lait`);
    s.wire.send(`${JSON.stringify({ status: '0', sender: 'server', text: joined('Carol') })}\r\n`);
    await prints(client, `* ${joined('Carol')}`);
    client.typeLine('exit');
    await s.expect({ status: '9', sender: me }, 'the exit message for "exit"');
    s.send({ status: '0', sender: 'server', text: GOODBYE });
    s.wire.end();
    await expectExit(t, client, 0, 'after the goodbye notice and the close');
    const stdout = client.out.stdout.captured().split('\n').filter((l) => l !== '');
    const all = [...expected, `[${bob}] café au lait`, `* ${joined('Carol')}`, `* ${GOODBYE}`];
    check(JSON.stringify(stdout) === JSON.stringify(all), 'stdout to hold exactly one line per message, nothing else (prompts go to stderr)',
      () => showText(stdout.join('\n'), 600), t.transcript);
  });

  graded('client: asks for a name on stderr, leaves at end of input, exits 1 on a refused name or lost server, 2 on bad usage', {
    points: 1.5,
    hint: 'Without --name, prompt on stderr and read the name from stdin; EOF sends status "9"; "name-taken"/"bad-name" and a lost connection exit 1; a bad flag exits 2.',
    guide: `${GUIDE} § The chat client`,
  }, async (t) => {
    const random = seeded(t);
    const [asked, taken] = names(random, 'Asked', 'Taken');
    const startedAt = Date.now();
    const [one, two, three, nowhere] = await Promise.all([scriptedServer(t), scriptedServer(t), scriptedServer(t), closedPort()]);
    const ask = startClient(t, one.port, { stage: STAGE, who: 'client A' });
    ask.typeLine(asked);
    ask.endInput();
    const refused = startClient(t, two.port, { stage: STAGE, who: 'client B', args: ['--name', taken] });
    const lost = startClient(t, three.port, { stage: STAGE, who: 'client C', args: ['--name', 'Lost'] });
    const unreachable = startClient(t, nowhere, { stage: STAGE, who: 'client D', args: ['--name', 'Nowhere'] });
    const bogus = launch(t, 'client', { stage: STAGE, who: 'client E', args: ['--port', String(nowhere), '--name', 'X', '--bogus'] });

    const a = new JsonPeer(await one.nextConnection(ask, startWithin(startedAt)), t, 'test server A');
    a.send({ status: '0', sender: 'server', text: GREETING });
    await a.expect({ status: '0', sender: asked }, 'the sign-in with the name typed on stdin');
    await a.expect({ status: '9', sender: asked }, 'the exit message once stdin ended');
    a.send({ status: '0', sender: 'server', text: GOODBYE });
    a.wire.end();
    await expectExit(t, ask, 0, 'after the goodbye');
    const firstLine = ask.out.stdout.captured().split('\n')[0];
    check(firstLine === `* ${GREETING}`, 'the greeting as the first stdout line (the name prompt belongs on stderr)', () => showText(firstLine), t.transcript);

    const b = new JsonPeer(await two.nextConnection(refused, startWithin(startedAt)), t, 'test server B');
    b.send({ status: '0', sender: 'server', text: GREETING });
    await b.expect({ status: '0', sender: taken }, 'the sign-in');
    b.send({ status: '3', sender: 'server', receiver: null, error: 'name-taken', text: `The name "${taken}" is taken.` });
    await prints(refused, `! The name "${taken}" is taken.`);
    await expectExit(t, refused, 1, 'the server refused its name');

    const c = new JsonPeer(await three.nextConnection(lost, startWithin(startedAt)), t, 'test server C');
    c.send({ status: '0', sender: 'server', text: GREETING });
    await c.expect({ status: '0', sender: 'Lost' }, 'the sign-in');
    c.wire.reset();
    await expectExit(t, lost, 1, 'the connection was lost');

    await expectExit(t, unreachable, 1, 'the server is unreachable', startWithin(startedAt));
    await expectExit(t, bogus, 2, 'unknown flag --bogus', startWithin(startedAt));
  });
});
