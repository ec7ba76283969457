// Stage 4 graded suite: the line decoder through its exports, then the server's reply loop and
// the client's loop over real loopback TCP. Nothing here needs stages 1-3.
import { once } from 'node:events';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { graded, type TestKit } from '../kit/harness/graded.ts';
import { rule } from '../kit/harness/rule.ts';
import { showText } from '../kit/harness/show.ts';
import { studentModule } from '../kit/harness/target.ts';
import { Printed } from '../kit/harness/printed.ts';
import { settleWithin, waitUntil } from '../kit/harness/wait.ts';

type Framing = typeof import('../solutions/04-loop/framing.ts');
type Loop = typeof import('../solutions/04-loop/loop.ts');
type Frame = import('../solutions/04-loop/framing.ts').Frame;
const framing = studentModule<Framing>('04-loop', 'framing.ts');
const loop = studentModule<Loop>('04-loop', 'loop.ts');
const GUIDE = 'guide/04-loop.md';
const TOO_LONG = 'Error: message too long (max 1024 bytes)';

// ---- the decoder, driven directly ----

/** `"Hello"` for a line, `too-long` for the other frame: how failures show what push() returned. */
function showFrames(frames: readonly unknown[]): string {
  if (frames.length === 0) return '[] (no frames)';
  return `[${frames.map((f) => (isLine(f) ? showText(f.text, 60) : String((f as Partial<Frame> | undefined)?.kind))).join(', ')}]`;
}

function isLine(f: unknown): f is { kind: 'line'; text: string } {
  return typeof f === 'object' && f !== null && (f as Frame).kind === 'line' && typeof (f as { text?: unknown }).text === 'string';
}

/** Exact comparison, whatever the length of the lines (showText shortens long ones). */
function sameFrames(got: readonly unknown[], want: readonly Frame[]): boolean {
  return got.length === want.length && got.every((f, i) => {
    const w = want[i];
    return w.kind === 'line' ? isLine(f) && f.text === w.text : (f as Partial<Frame> | undefined)?.kind === 'too-long';
  });
}

/** Pushes `chunks` one by one into a fresh decoder and returns every frame, in order. */
async function decode(chunks: Array<string | Buffer>, maxBytes?: number): Promise<unknown[]> {
  const { LineDecoder } = await framing();
  const decoder = maxBytes === undefined ? new LineDecoder() : new LineDecoder(maxBytes);
  const frames: unknown[] = [];
  for (const chunk of chunks) {
    const out: unknown = decoder.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    check(Array.isArray(out), 'push() to return an array of frames', () => showText(String(out)));
    frames.push(...(out as unknown[]));
  }
  return frames;
}

function showChunks(chunks: Array<string | Buffer>): string {
  return chunks.map((c) => (typeof c === 'string' ? showText(c, 60) : `<${c.toString('hex')}>`)).join(' + ');
}

async function expectFrames(chunks: Array<string | Buffer>, want: Frame[], maxBytes?: number): Promise<void> {
  const got = await decode(chunks, maxBytes);
  const decoder = maxBytes === undefined ? 'new LineDecoder()' : `new LineDecoder(${maxBytes})`;
  check(sameFrames(got, want), `${decoder} fed ${showChunks(chunks)} to return ${showFrames(want)}`, () => showFrames(got));
}

const line = (text: string): Frame => ({ kind: 'line', text });
const TOO_LONG_FRAME: Frame = { kind: 'too-long' };


// ---- the server loop, over TCP ----

interface Served {
  port: number;
  /** The server's end of the next connection (the one a client just opened). */
  accepted(): Promise<Socket>;
}

// A loopback server whose connections are handed to the student's serveMessages().
async function serve(t: TestKit): Promise<Served> {
  const { serveMessages } = await loop();
  const server = createServer();
  const queue: Socket[] = [];
  const all: Socket[] = [];
  server.on('connection', (socket) => {
    all.push(socket);
    queue.push(socket);
    // Errors are stage 5's subject: here a reset must not crash the suite.
    socket.on('error', (err: NodeJS.ErrnoException) => t.transcript.note(`server socket error ${err.code ?? err.message}`));
    try {
      serveMessages(socket);
    } catch (err) {
      t.transcript.note(`serveMessages() threw: ${err instanceof Error ? err.message : String(err)}`);
      socket.destroy();
    }
    server.emit('queued');
  });
  t.defer(() => {
    for (const s of all) s.destroy();
    server.close();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    accepted: async () => {
      await waitUntil(server, ['queued'], () => queue.length > 0, 'the server to accept the connection', () => 'no connection', t.transcript);
      return queue.shift()!;
    },
  };
}

/** Resolves once the server's socket has read `total` bytes: each piece then arrives on its own. */
function serverHasRead(t: TestKit, socket: Socket, total: number): Promise<void> {
  return waitUntil(socket, ['data', 'close'], () => socket.bytesRead >= total || socket.destroyed,
    `the server to read ${total} bytes`, () => `${socket.bytesRead} bytes read`, t.transcript);
}

// ---- the client loop ----

describe('04 message loop', () => {
  graded('the decoder returns complete lines only, however the bytes are chunked', {
    points: 1,
    hint: 'Keep the bytes after the last "\\n" for the next push(); a line is complete only when its "\\n" arrives.',
    guide: `${GUIDE} § The line decoder`,
  }, async () => {
    await expectFrames(['Hel', 'lo, Ser', 'ver!'], []);
    await expectFrames([...'Hello, Server!\n'], [line('Hello, Server!')]);
    await expectFrames(['one\ntwo\nthr', 'ee\n'], [line('one'), line('two'), line('three')]);
    await expectFrames(['\n', 'a\n\n'], [line(''), line('a'), line('')]);
    const { LineDecoder } = await framing();
    const decoder = new LineDecoder();
    const frames = decoder.push(Buffer.from('abc'));
    check(decoder.buffered === 3, 'decoder.buffered to be 3 after push("abc") with no newline', () => `${decoder.buffered} (push returned ${showFrames(frames)})`);
    decoder.push(Buffer.from('\n'));
    check(decoder.buffered === 0, 'decoder.buffered to be 0 once the line is complete', () => String(decoder.buffered));
  });

  graded('the decoder drops the \\r of \\r\\n and decodes UTF-8 only when a line is complete', {
    points: 1,
    hint: 'Work on Buffers and call toString("utf8") on a whole line: half a character is not a character yet.',
    guide: `${GUIDE} § Bytes before characters`,
  }, async () => {
    await expectFrames(['hi\r\n', 'there\r', '\n'], [line('hi'), line('there')]);
    await expectFrames(['a\rb\n'], [line('a\rb')]);
    const cafe = Buffer.from('café ☕\n');
    // Split inside "é" (2 bytes) and inside "☕" (3 bytes).
    await expectFrames([cafe.subarray(0, 4), cafe.subarray(4, 8), cafe.subarray(8)], [line('café ☕')]);
    await expectFrames([Buffer.from([0x61, 0xff, 0x62, 0x0a])], [line('a\uFFFDb')]);
  });

  graded('a line over 1024 bytes gives one too-long frame, with bounded memory', {
    points: 1,
    hint: 'Count bytes, not characters; past the limit report too-long once and skip to the next "\\n" without storing.',
    guide: `${GUIDE} § Lines that are too long`,
  }, async () => {
    const at = 'a'.repeat(1024);
    await expectFrames([`${at}\n`, `${at}\r\n`], [line(at), line(at)]);
    await expectFrames([`${'é'.repeat(513)}\nok\n`], [TOO_LONG_FRAME, line('ok')]);
    await expectFrames([`${'x'.repeat(2000)}\nnext\n`], [TOO_LONG_FRAME, line('next')]);
    await expectFrames(['abcd\nabcde\nab', 'cdef\n'], [line('abcd'), TOO_LONG_FRAME, TOO_LONG_FRAME], 4);

    const { LineDecoder } = await framing();
    const decoder = new LineDecoder();
    const frames: Frame[] = [];
    const piece = Buffer.alloc(64 * 1024, 'z');
    let most = 0;
    for (let i = 0; i < 16; i++) {
      frames.push(...decoder.push(piece));
      most = Math.max(most, decoder.buffered);
    }
    check(most <= 2048, 'decoder.buffered to stay under 2 KiB while a 1 MiB line without "\\n" arrives', () => `${most} bytes held`);
    frames.push(...decoder.push(Buffer.from('\nok\n')));
    check(sameFrames(frames, [TOO_LONG_FRAME, line('ok')]), 'one too-long frame for the 1 MiB line, then the line "ok"', () => showFrames(frames));
  });

  graded('the server answers a line sent one byte at a time once, and each line of one write', {
    points: 0.5,
    hint: "One 'data' event is not one message: answer a line only when its \"\\n\" has arrived.",
    guide: `${GUIDE} § One data event is not one message`,
  }, async (t) => {
    const served = await serve(t);
    const client = await t.connect(served.port);
    const socket = await served.accepted();
    const bytes = Buffer.from('Hello, Server!\n');
    for (let i = 0; i < bytes.length && !socket.destroyed; i++) {
      client.sendBytes(bytes.subarray(i, i + 1), bytes.subarray(i, i + 1).toString());
      // Wait until the server has read this byte, so every byte is a 'data' event of its own.
      await serverHasRead(t, socket, i + 1);
    }
    await client.expectLine('Server received: Hello, Server!');
    client.send('one\ntwo\nthree\n');
    await client.expectLine('Server received: one');
    await client.expectLine('Server received: two');
    await client.expectLine('Server received: three');
  });

  graded('replies quote each line exactly as it came, and two connections never mix their bytes', {
    points: 0.5,
    hint: 'Quote the line untouched (no trim()) and create the LineDecoder inside readMessages(), one per connection.',
    guide: `${GUIDE} § The reply loop`,
  }, async (t) => {
    const served = await serve(t);
    const one = await t.connect(served.port, { who: 'client 1' });
    const first = await served.accepted();
    one.send('  two spaces before, one after \n\tand a tab\t\n');
    await one.expectLine('Server received:   two spaces before, one after ');
    await one.expectLine('Server received: \tand a tab\t');
    // Client 1 leaves half a line with the server; client 2's line must not be glued to it.
    await rule({
      hint: 'Create the LineDecoder inside readMessages(), so each connection keeps its own unfinished line.',
      guide: `${GUIDE} § The reply loop`,
    }, async () => {
      one.send('half a line from client 1, ');
      await serverHasRead(t, first, first.bytesRead + 'half a line from client 1, '.length);
      const two = await t.connect(served.port, { who: 'client 2' });
      await served.accepted();
      two.send('a line from client 2\n');
      await two.expectLine('Server received: a line from client 2');
      one.send('the rest of it\n');
      await one.expectLine('Server received: half a line from client 1, the rest of it');
    });
  });

  graded('1,000 messages in one burst are all answered, in order; blank lines are not', {
    points: 0.5,
    hint: 'Answer every line the decoder returns from a chunk, in a loop; skip lines that are empty after trim().',
    guide: `${GUIDE} § The reply loop`,
  }, async (t) => {
    const served = await serve(t);
    const client = await t.connect(served.port);
    client.send('\n   \n\t\r\nfirst\n');
    await client.expectLine('Server received: first');
    const burst = Array.from({ length: 1000 }, (_, i) => `message ${i + 1}\n`).join('');
    client.send(burst);
    for (let i = 1; i <= 1000; i++) await client.expectLine(`Server received: message ${i}`);
  });

  graded('a 1 MB line gets one error line; split characters, \\r\\n and bad bytes work over TCP', {
    points: 0.5,
    hint: 'Answer a too-long frame with the error line, then keep serving: the connection stays open.',
    guide: `${GUIDE} § Lines that are too long`,
  }, async (t) => {
    const served = await serve(t);
    const client = await t.connect(served.port);
    const socket = await served.accepted();
    client.sendBytes(Buffer.alloc(1024 * 1024, 'x'), '<1 MiB of x, no newline>');
    client.sendLine('');
    client.sendLine('after');
    await client.expectLine(TOO_LONG);
    await client.expectLine('Server received: after');
    await rule({
      hint: 'Feed every chunk to the decoder as bytes and decode a line only once its "\\n" has arrived; drop the "\\r" of "\\r\\n".',
      guide: `${GUIDE} § Bytes before characters`,
    }, async () => {
      const cafe = Buffer.from('café\r\n');
      client.sendBytes(cafe.subarray(0, 4), 'caf + the first byte of é');
      await serverHasRead(t, socket, socket.bytesRead + 4);
      client.sendBytes(cafe.subarray(4), 'the second byte of é + \\r\\n');
      await client.expectLine('Server received: café');
      client.sendBytes(Buffer.from([0xff, 0x41, 0x0a]), '<ff 41 0a>');
      await client.expectLine('Server received: \uFFFDA');
    });
  });

  graded('the client loop sends typed lines and prints server lines verbatim until the server closes', {
    points: 1,
    hint: 'Feed socket chunks to a LineDecoder with a larger limit, write each line + "\\n" to output, and resume() the socket.',
    guide: `${GUIDE} § The client loop`,
  }, async (t) => {
    const { runClientLoop } = await loop();
    const heard: string[] = [];
    const long = `Server received: ${'y'.repeat(1024)}`;
    const server = createServer((s) => {
      s.on('error', () => {});
      const write = (data: string | Buffer, label = data.toString()): void => {
        t.transcript.add('sent', 'test server', label);
        s.write(data);
      };
      // The greeting comes in two writes, the second with a lone \r inside the line.
      write('Welc');
      setImmediate(() => write('ome\r here\n'));
      let pending = '';
      s.setEncoding('utf8');
      s.on('data', (text: string) => {
        pending += text;
        for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
          const got = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          heard.push(got);
          t.transcript.add('received', 'test server', `${got}\n`);
          if (got === 'bye') {
            write('Goodbye\n');
            s.end();
          } else if (got === 'long') write(`${long}\n`);
          else {
            // The reply is cut inside "é": the client must not print it in two pieces.
            const reply = Buffer.from(`Server received: ${got}\n`);
            const cut = reply.indexOf(0xc3) + 1 || 5;
            write(reply.subarray(0, cut), `${reply.subarray(0, cut - 1).toString()} + the first byte of é`);
            setImmediate(() => write(reply.subarray(cut), `the second byte of é + ${reply.subarray(cut + 1).toString()}`));
          }
        }
      });
    });
    t.defer(() => server.close());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = new Socket();
    t.defer(() => socket.destroy());
    socket.connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    // readAck() (stage 3) hands the socket over paused; the loop must start the flow itself.
    socket.pause();
    t.transcript.note('client socket connected and paused, the way readAck() leaves it');
    const input = new PassThrough();
    const output = new PassThrough();
    const printed = new Printed(output, t.transcript);
    let ran: Promise<void>;
    try {
      ran = runClientLoop(socket, input, output);
    } catch (err) {
      ran = Promise.reject(err);
    }
    // A loop that fails shows up in the conversation, next to what it had printed.
    t.failOnReject(ran, 'runClientLoop()');
    await printed.toBe('Welcome\r here\n');
    const type = (text: string): void => {
      t.transcript.add('sent', 'client input', `${text}\n`);
      input.write(`${text}\n`);
    };
    type('héllo');
    await printed.toBe('Welcome\r here\nServer received: héllo\n');
    type('long');
    await printed.toBe(`Welcome\r here\nServer received: héllo\n${long}\n`);
    type('bye');
    await printed.toBe(`Welcome\r here\nServer received: héllo\n${long}\nGoodbye\n`);
    check(heard.join('|') === 'héllo|long|bye', 'the server to receive the typed lines "héllo", "long", "bye"', () => heard.map((h) => showText(h)).join(', '));
    const outcome = await settleWithin(ran);
    check(outcome === 'resolved', 'runClientLoop() to resolve once the server closed the connection', () => outcome, t.transcript);
  });
});
