// Stage 4 graded suite: the line decoder through its exports, then the server's reply loop and
// the client's loop over real loopback TCP. Nothing here needs stages 1-3. The student's code
// runs in a driver process of its own (04-loop/driver.ts); this file judges what it reports and
// the bytes on the wire.
import { EventEmitter, once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, describe } from 'vitest';
import { suiteDriver, type TestDriver } from '../kit/harness/driver.ts';
import { check, ExpectationFailure } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { patientTimer } from '../kit/harness/patience.ts';
import { rule } from '../kit/harness/rule.ts';
import { pick, randomInt } from '../kit/harness/seed.ts';
import { showText } from '../kit/harness/show.ts';
import { Printed } from '../kit/harness/printed.ts';
import { settleWithin, waitUntil } from '../kit/harness/wait.ts';
import { REPLY_WITHIN } from '../kit/harness/wire.ts';
import type { ConnState, Pushed, WireFrame } from './04-loop/driver.ts';

type Frame = import('../solutions/04-loop/framing.ts').Frame;
const driver = suiteDriver(import.meta.url, '04-loop');
afterAll(() => driver.stop());
const GUIDE = 'guide/04-loop.md';
const TOO_LONG = 'Error: message too long (max 1024 bytes)';

// ---- the decoder, driven directly ----

/** `"Hello"` for a line, `too-long` for the other frame: how failures show what push() returned. */
function showFrames(frames: readonly WireFrame[]): string {
  if (frames.length === 0) return '[] (no frames)';
  return `[${frames.map((f) => (isLine(f) ? showText(f.text, 60) : f.shown)).join(', ')}]`;
}

function isLine(f: WireFrame): f is WireFrame & { text: string } {
  return f.kind === 'line' && f.text !== null;
}

/** Exact comparison, whatever the length of the lines (showText shortens long ones). */
function sameFrames(got: readonly WireFrame[], want: readonly Frame[]): boolean {
  return got.length === want.length && got.every((f, i) => {
    const w = want[i];
    return w.kind === 'line' ? isLine(f) && f.text === w.text : f.kind === 'too-long';
  });
}

/** A LineDecoder in the driver: push() sends the bytes and returns the frames and `buffered`. */
async function newDecoder(d: TestDriver, maxBytes?: number): Promise<{ push(chunk: string | Buffer): Promise<Pushed> }> {
  const id = await d.call<number>('newDecoder', maxBytes ?? null);
  return {
    push: (chunk) => d.call<Pushed>('push', id, (typeof chunk === 'string' ? Buffer.from(chunk) : chunk).toString('base64')),
  };
}

/** What push() returned, which must be an array of frames. */
function framesOf(pushed: Pushed): WireFrame[] {
  check(pushed.frames !== null, 'push() to return an array of frames', () => showText(String(pushed.notArray)));
  return pushed.frames!;
}

/** `decoder.buffered` as a number (NaN when it is not one). */
const bufferedOf = (pushed: Pushed): number => (typeof pushed.buffered === 'number' ? pushed.buffered : NaN);

/** Pushes `chunks` one by one into a fresh decoder and returns every frame, in order. */
async function decode(d: TestDriver, chunks: Array<string | Buffer>, maxBytes?: number): Promise<WireFrame[]> {
  const decoder = await newDecoder(d, maxBytes);
  const frames: WireFrame[] = [];
  for (const chunk of chunks) frames.push(...framesOf(await decoder.push(chunk)));
  return frames;
}

// A shortened chunk says how many bytes it had: the limit counts them.
const showChunk = (c: string | Buffer): string => {
  if (typeof c !== 'string') return `<${c.toString('hex')}>`;
  return c.length > 60 ? `${showText(c, 60)} [${Buffer.byteLength(c)} bytes]` : showText(c);
};
const showChunks = (chunks: Array<string | Buffer>): string => chunks.map(showChunk).join(' + ');

async function expectFrames(d: TestDriver, chunks: Array<string | Buffer>, want: Frame[], maxBytes?: number): Promise<void> {
  const got = await decode(d, chunks, maxBytes);
  const decoder = maxBytes === undefined ? 'new LineDecoder()' : `new LineDecoder(${maxBytes})`;
  const wanted = want.map((f): WireFrame => ({ kind: f.kind, text: f.kind === 'line' ? f.text : null, shown: f.kind }));
  check(sameFrames(got, want), `${decoder} fed ${showChunks(chunks)} to return ${showFrames(wanted)}`, () => showFrames(got));
}

const line = (text: string): Frame => ({ kind: 'line', text });

// Messages and the places they are cut come from the seed (SEED= replays them): a decoder or a
// loop that hard-codes the suite's inputs cannot pass.
const WORDS = ['Hello', 'Server', 'chat', 'ping', 'socket', 'message', 'loop', 'frame', 'byte', 'stream'];
const someText = (): string => `${Array.from({ length: randomInt(2, 4) }, () => pick(WORDS)).join(' ')}${pick(['', '!', '?', '.'])}`;
/** `text` cut into `pieces` non-empty pieces at seeded places. */
function cutInto(text: string, pieces: number): string[] {
  const cuts = new Set<number>();
  while (cuts.size < pieces - 1) cuts.add(randomInt(1, text.length - 1));
  const at = [0, ...[...cuts].sort((a, b) => a - b), text.length];
  return at.slice(1).map((end, i) => text.slice(at[i], end));
}
const TOO_LONG_FRAME: Frame = { kind: 'too-long' };

// Characters of two to four UTF-8 bytes. WIDE stays in the BMP (one UTF-16 unit each), so a line
// of them has far fewer characters than bytes.
const WIDE = ['é', 'ü', 'ñ', 'ø', 'ß', 'Ж', 'π', '€', '☕', '中', '✓', '♫'];
const MULTI_BYTE = [...WIDE, '😀', '🎉', '𝄞'];
// Bytes that are never valid UTF-8 where they stand (between ASCII letters): each becomes one U+FFFD.
const INVALID_BYTES = [0xff, 0xfe, 0xc0, 0xc1, 0xf5, 0xf8, 0x80, 0x9f, 0xbf];

/** One to three seeded spaces and tabs. */
const blanks = (): string => Array.from({ length: randomInt(1, 3) }, () => pick([' ', '\t'])).join('');

/** `word` with `ch` put in at a seeded place. */
const withChar = (word: string, ch: string): string => {
  const at = randomInt(0, word.length);
  return `${word.slice(0, at)}${ch}${word.slice(at)}`;
};

/** ASCII text of exactly `bytes` bytes, from seeded words. */
function asciiOfBytes(bytes: number): string {
  let text = '';
  while (text.length < bytes) text += `${pick(WORDS)} `;
  return text.slice(0, bytes);
}

/** A seeded run of WIDE characters worth more than limit + 1 bytes, yet at most limit characters. */
function wideOver(limit: number): string {
  const target = randomInt(limit + 2, 2 * limit - 48);
  const unit = Array.from({ length: randomInt(1, 3) }, () => pick(WIDE)).join('');
  let text = '';
  for (const ch of unit.repeat(target)) {
    if (Buffer.byteLength(text) >= target) break;
    text += ch;
  }
  return text;
}

/** A seeded line with two multi-byte characters, in three chunks cut inside each of them. */
function splitInsideCharacters(): { text: string; chunks: Buffer[] } {
  const [first, second] = [pick(MULTI_BYTE), pick(MULTI_BYTE)];
  const head = `${withChar(pick(WORDS), first)} `;
  const text = `${head}${withChar(pick(WORDS), second)}${pick(['', '!', '?'])}`;
  const bytes = Buffer.from(`${text}\n`);
  // Where each character starts, in bytes, plus a seeded offset strictly inside it.
  const inside = (start: number, ch: string): number => start + randomInt(1, Buffer.byteLength(ch) - 1);
  const cut1 = inside(Buffer.byteLength(head.slice(0, head.indexOf(first))), first);
  const cut2 = inside(Buffer.byteLength(head) + Buffer.byteLength(text.slice(head.length, text.indexOf(second, head.length))), second);
  return { text, chunks: [bytes.subarray(0, cut1), bytes.subarray(cut1, cut2), bytes.subarray(cut2)] };
}


// ---- the server loop, over TCP ----

interface Served {
  d: TestDriver;
  port: number;
  /** The server's end of the next connection (the one a client just opened), by its id in the driver. */
  accepted(): Promise<number>;
}

// A loopback server in the driver whose connections are handed to the student's serveMessages().
async function serve(t: TestKit): Promise<Served> {
  const d = await driver.forTest(t);
  const queue: number[] = [];
  const queued = new EventEmitter();
  d.on('accepted', (id) => {
    queue.push(id as number);
    queued.emit('queued');
  });
  d.on('note', (text) => t.transcript.note(String(text)));
  const port = await d.call<number>('serve');
  return {
    d,
    port,
    accepted: async () => {
      await waitUntil(queued, ['queued'], () => queue.length > 0, 'the server to accept the connection', () => 'no connection', t.transcript);
      return queue.shift()!;
    },
  };
}

/** How many bytes the server's socket of connection `id` has read, and whether it is destroyed. */
const conn = (served: Served, id: number): Promise<ConnState> => served.d.call<ConnState>('conn', id);

/** Resolves once the server's socket has read `total` bytes: each piece then arrives on its own. */
async function serverHasRead(t: TestKit, served: Served, id: number, total: number): Promise<ConnState> {
  let cancel = (): void => {};
  const late = new Promise<never>((_, reject) => {
    cancel = patientTimer(REPLY_WITHIN, () => {
      void conn(served, id).then((now) => now.bytesRead, () => 'an unknown number of').then((read) =>
        reject(new ExpectationFailure({ expected: `the server to read ${total} bytes`, got: `${read} bytes read`, transcript: t.transcript })));
    });
  });
  try {
    return await Promise.race([served.d.call<ConnState>('waitRead', id, total), late]);
  } finally {
    cancel();
  }
}

// ---- the client loop ----

describe('04 message loop', () => {
  graded('the decoder returns complete lines only, however the bytes are chunked', {
    points: 1,
    hint: 'Keep the bytes after the last "\\n" for the next push(); a line is complete only when its "\\n" arrives.',
    guide: `${GUIDE} § The line decoder`,
  }, async (t) => {
    const d = await driver.forTest(t);
    await expectFrames(d, cutInto(someText(), 3), []);
    const whole = someText();
    await expectFrames(d, [...`${whole}\n`], [line(whole)]);
    const [one, two, three] = [pick(WORDS), pick(WORDS), someText()];
    const k = randomInt(1, three.length - 1);
    await expectFrames(d, [`${one}\n${two}\n${three.slice(0, k)}`, `${three.slice(k)}\n`], [line(one), line(two), line(three)]);
    const word = pick(WORDS);
    await expectFrames(d, ['\n', `${word}\n\n`], [line(''), line(word), line('')]);
    const decoder = await newDecoder(d);
    const start = someText();
    const held = await decoder.push(start);
    check(held.buffered === start.length, `decoder.buffered to be ${start.length} after push(${showText(start)}) with no newline`, () => `${held.buffered} (push returned ${showFrames(held.frames ?? [])})`);
    const nl = await decoder.push('\n');
    check(nl.buffered === 0, 'decoder.buffered to be 0 once the line is complete', () => String(nl.buffered));
  });

  graded('the decoder drops the \\r of \\r\\n and decodes UTF-8 only when a line is complete', {
    points: 1,
    hint: 'Work on Buffers and call toString("utf8") on a whole line: half a character is not a character yet.',
    guide: `${GUIDE} § Bytes before characters`,
  }, async (t) => {
    const d = await driver.forTest(t);
    await rule({
      hint: 'Drop one "\\r" right before the "\\n", once the line is complete (it may come in the chunk before), and keep every other "\\r".',
      guide: `${GUIDE} § The line decoder`,
    }, async () => {
      const [one, two] = [someText(), someText()];
      await expectFrames(d, [`${one}\r\n`, `${two}\r`, '\n'], [line(one), line(two)]);
      // A lone \r with text on both sides: it stays.
      const text = someText();
      const at = randomInt(1, text.length - 1);
      const lone = `${text.slice(0, at)}\r${text.slice(at)}`;
      await expectFrames(d, [`${lone}\n`], [line(lone)]);
    });
    const split = splitInsideCharacters();
    await expectFrames(d, split.chunks, [line(split.text)]);
    const [before, after] = [pick(WORDS), pick(WORDS)];
    const bad = Buffer.concat([Buffer.from(before), Buffer.from([pick(INVALID_BYTES)]), Buffer.from(`${after}\n`)]);
    await expectFrames(d, [bad], [line(`${before}\uFFFD${after}`)]);
  });

  graded('a line over 1024 bytes gives one too-long frame, with bounded memory', {
    points: 1,
    hint: 'Count bytes, not characters; past the limit report too-long once and skip to the next "\\n" without storing.',
    guide: `${GUIDE} § Lines that are too long`,
  }, async (t) => {
    const d = await driver.forTest(t);
    // Exactly the limit, with \n and with \r\n: both are lines.
    const [full, fullCr] = [asciiOfBytes(1024), asciiOfBytes(1024)];
    await expectFrames(d, [...cutInto(`${full}\n`, 2), `${fullCr}\r\n`], [line(full), line(fullCr)]);
    // Over the limit in bytes, though not in characters.
    const wide = wideOver(1024);
    const ok = someText();
    await expectFrames(d, cutInto(`${wide}\n${ok}\n`, randomInt(1, 3)), [TOO_LONG_FRAME, line(ok)]);
    const over = asciiOfBytes(randomInt(1025, 4096));
    const next = someText();
    await expectFrames(d, cutInto(`${over}\n${next}\n`, randomInt(1, 3)), [TOO_LONG_FRAME, line(next)]);
    // A small limit: exactly it, one byte over, and a longer line that spans two pushes.
    const max = randomInt(3, 12);
    const [exact, oneOver, longer] = [asciiOfBytes(max), asciiOfBytes(max + 1), asciiOfBytes(max + randomInt(2, max))];
    const k = randomInt(1, longer.length - 1);
    await expectFrames(d, [`${exact}\n${oneOver}\n${longer.slice(0, k)}`, `${longer.slice(k)}\n`], [line(exact), TOO_LONG_FRAME, TOO_LONG_FRAME], max);

    const decoder = await newDecoder(d);
    const frames: WireFrame[] = [];
    const filler = `${pick(WORDS)}${pick([' ', '-', '_', ''])}`;
    let most = 0;
    for (let left = 1024 * 1024; left > 0;) {
      const size = Math.min(left, randomInt(48 * 1024, 80 * 1024));
      left -= size;
      const pushed = await decoder.push(Buffer.alloc(size, filler));
      frames.push(...framesOf(pushed));
      most = Math.max(most, bufferedOf(pushed));
    }
    check(most <= 2048, 'decoder.buffered to stay under 2 KiB while a 1 MiB line without "\\n" arrives', () => `${most} bytes held`);
    const after = pick(WORDS);
    frames.push(...framesOf(await decoder.push(`\n${after}\n`)));
    check(sameFrames(frames, [TOO_LONG_FRAME, line(after)]), `one too-long frame for the 1 MiB line, then the line ${showText(after)}`, () => showFrames(frames));
  });

  graded('the server answers a line sent one byte at a time once, and each line of one write', {
    points: 0.5,
    hint: "One 'data' event is not one message: answer a line only when its \"\\n\" has arrived.",
    guide: `${GUIDE} § One data event is not one message`,
  }, async (t) => {
    const served = await serve(t);
    const client = await t.connect(served.port);
    const socket = await served.accepted();
    const message = someText();
    const bytes = Buffer.from(`${message}\n`);
    let destroyed = false;
    for (let i = 0; i < bytes.length && !destroyed; i++) {
      client.sendBytes(bytes.subarray(i, i + 1), bytes.subarray(i, i + 1).toString());
      // Wait until the server has read this byte, so every byte is a 'data' event of its own.
      ({ destroyed } = await serverHasRead(t, served, socket, i + 1));
    }
    await client.expectLine(`Server received: ${message}`);
    const lines = [someText(), someText(), someText()];
    client.send(lines.map((l) => `${l}\n`).join(''));
    for (const l of lines) await client.expectLine(`Server received: ${l}`);
  });

  graded('replies quote each line exactly as it came, and two connections never mix their bytes', {
    points: 0.5,
    hint: 'Quote the line untouched (no trim()) and create the LineDecoder inside readMessages(), one per connection.',
    guide: `${GUIDE} § The reply loop`,
  }, async (t) => {
    const served = await serve(t);
    const one = await t.connect(served.port, { who: 'client 1' });
    const first = await served.accepted();
    // Spaces and tabs on both sides of each line: the reply keeps them.
    const padded = [`${blanks()}${someText()}${blanks()}`, `${blanks()}${someText()}${blanks()}`];
    one.send(padded.map((l) => `${l}\n`).join(''));
    for (const l of padded) await one.expectLine(`Server received: ${l}`);
    // Client 1 leaves half a line with the server; client 2's line must not be glued to it.
    await rule({
      hint: 'Create the LineDecoder inside readMessages(), so each connection keeps its own unfinished line.',
      guide: `${GUIDE} § The reply loop`,
    }, async () => {
      const [half, other, rest] = [`${someText()} `, someText(), someText()];
      const before = (await conn(served, first)).bytesRead;
      one.send(half);
      await serverHasRead(t, served, first, before + half.length);
      const two = await t.connect(served.port, { who: 'client 2' });
      await served.accepted();
      two.send(`${other}\n`);
      await two.expectLine(`Server received: ${other}`);
      one.send(`${rest}\n`);
      await one.expectLine(`Server received: ${half}${rest}`);
    });
  });

  graded('1,000 messages in one burst are all answered, in order; blank lines are not', {
    points: 0.5,
    hint: 'Answer every line the decoder returns from a chunk, in a loop; skip lines that are empty after trim().',
    guide: `${GUIDE} § The reply loop`,
  }, async (t) => {
    const served = await serve(t);
    const client = await t.connect(served.port);
    // An empty line, then lines of only spaces and tabs (one ended by \r\n), then a real one.
    const first = someText();
    client.send(`\n${blanks()}\n${blanks()}\r\n${first}\n`);
    await client.expectLine(`Server received: ${first}`);
    const word = pick(WORDS);
    const burst = Array.from({ length: 1000 }, (_, i) => `${word} ${i + 1}\n`).join('');
    client.send(burst);
    for (let i = 1; i <= 1000; i++) await client.expectLine(`Server received: ${word} ${i}`);
  });

  graded('a 1 MB line gets one error line; split characters, \\r\\n and bad bytes work over TCP', {
    points: 0.5,
    hint: 'Answer a too-long frame with the error line, then keep serving: the connection stays open.',
    guide: `${GUIDE} § Lines that are too long`,
  }, async (t) => {
    const served = await serve(t);
    const client = await t.connect(served.port);
    const socket = await served.accepted();
    const filler = pick(WORDS);
    client.sendBytes(Buffer.alloc(1024 * 1024, filler), `<1 MiB of ${filler.repeat(3)}…, no newline>`);
    client.sendLine('');
    const after = someText();
    client.sendLine(after);
    await client.expectLine(TOO_LONG);
    await client.expectLine(`Server received: ${after}`);
    await rule({
      hint: 'Feed every chunk to the decoder as bytes and decode a line only once its "\\n" has arrived; drop the "\\r" of "\\r\\n".',
      guide: `${GUIDE} § Bytes before characters`,
    }, async () => {
      // A word cut inside its multi-byte character, then sent with \r\n.
      const wide = pick(MULTI_BYTE);
      const word = withChar(pick(WORDS), wide);
      const bytes = Buffer.from(`${word}\r\n`);
      const start = Buffer.byteLength(word.slice(0, word.indexOf(wide)));
      const cut = start + randomInt(1, Buffer.byteLength(wide) - 1);
      const before = (await conn(served, socket)).bytesRead;
      const some = cut - start === 1 ? 'the first byte' : `the first ${cut - start} bytes`;
      client.sendBytes(bytes.subarray(0, cut), `${word.slice(0, word.indexOf(wide))} + ${some} of ${wide}`);
      await serverHasRead(t, served, socket, before + cut);
      client.sendBytes(bytes.subarray(cut), `the rest of ${wide} + ${bytes.subarray(start + Buffer.byteLength(wide)).toString()}`);
      await client.expectLine(`Server received: ${word}`);
      const bad = Buffer.concat([Buffer.from([pick(INVALID_BYTES)]), Buffer.from(`${after}\n`)]);
      client.sendBytes(bad, `<${[...bad].map((b) => b.toString(16).padStart(2, '0')).join(' ')}>`);
      await client.expectLine(`Server received: \uFFFD${after}`);
    });
  });

  graded('the client loop sends typed lines and prints server lines verbatim until the server closes', {
    points: 1,
    hint: 'Feed socket chunks to a LineDecoder with a larger limit, write each line + "\\n" to output, and resume() the socket.',
    guide: `${GUIDE} § The client loop`,
  }, async (t) => {
    const d = await driver.forTest(t);
    const heard: string[] = [];
    // What the test server says and what is typed come from the seed; so do the two words that
    // ask the server for a long line and for goodbye.
    const greeting = `${pick(WORDS)}\r ${someText()}`;
    const greetingCut = randomInt(1, greeting.indexOf('\r'));
    const wide = pick(MULTI_BYTE);
    const typed = withChar(pick(WORDS), wide);
    const askLong = pick(WORDS);
    const askBye = pick(WORDS.filter((w) => w !== askLong));
    const long = `Server received: ${asciiOfBytes(randomInt(1024, 2000))}`;
    const goodbye = someText();
    const server = createServer((s) => {
      s.on('error', () => {});
      const write = (data: string | Buffer, label = data.toString()): void => {
        t.transcript.add('sent', 'test server', label);
        s.write(data);
      };
      // The greeting comes in two writes, the second with a lone \r inside the line.
      write(greeting.slice(0, greetingCut));
      setImmediate(() => write(`${greeting.slice(greetingCut)}\n`));
      // A reply is cut after the first byte of its multi-byte character: the client must not
      // print it in two pieces.
      const writeCut = (reply: Buffer): void => {
        const cut = reply.findIndex((b) => b >= 0xc0) + 1 || 5;
        const width = Buffer.byteLength(wide);
        write(reply.subarray(0, cut), `${reply.subarray(0, cut - 1).toString()} + the first byte of ${wide}`);
        const rest = width === 2 ? 'the second byte' : `the last ${width - 1} bytes`;
        setImmediate(() => write(reply.subarray(cut), `${rest} of ${wide} + ${reply.subarray(cut - 1 + width).toString()}`));
      };
      let pending = '';
      s.setEncoding('utf8');
      s.on('data', (text: string) => {
        pending += text;
        for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
          const got = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          heard.push(got);
          t.transcript.add('received', 'test server', `${got}\n`);
          if (got === askBye) {
            write(`${goodbye}\n`);
            s.end();
          } else if (got === askLong) write(`${long}\n`);
          else writeCut(Buffer.from(`Server received: ${got}\n`));
        }
      });
    });
    t.defer(() => server.close());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    // What the loop prints in the driver comes back as events, into an output stream of ours.
    const output = new PassThrough();
    const printed = new Printed(output, t.transcript);
    d.on('output', (chunk) => output.write(String(chunk)));
    // readAck() (stage 3) hands the socket over paused; the loop must start the flow itself.
    const { id: client, promise } = await d.call<{ id: number; promise: number }>('clientLoop', (server.address() as AddressInfo).port);
    const ran = d.settled(promise);
    t.transcript.note('client socket connected and paused, the way readAck() leaves it');
    // A loop that fails shows up in the conversation, next to what it had printed.
    t.failOnReject(ran, 'runClientLoop()');
    let expected = `${greeting}\n`;
    await printed.toBe(expected);
    const type = (text: string, then: string): Promise<void> => {
      t.transcript.add('sent', 'client input', `${text}\n`);
      d.call('type', client, `${text}\n`).catch(() => {});
      expected += `${then}\n`;
      return printed.toBe(expected);
    };
    await type(typed, `Server received: ${typed}`);
    await type(askLong, long);
    await type(askBye, goodbye);
    const lines = [typed, askLong, askBye];
    check(heard.join('\n') === lines.join('\n'), `the server to receive the typed lines ${lines.map((l) => showText(l)).join(', ')}`, () => heard.map((h) => showText(h)).join(', '));
    const outcome = await settleWithin(ran);
    check(outcome === 'resolved', 'runClientLoop() to resolve once the server closed the connection', () => outcome, t.transcript);
  });
});
