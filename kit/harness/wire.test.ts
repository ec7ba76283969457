// The test client's own behaviour: lines across chunks, deadlines that fail with a readable
// message, and the close.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { ExpectationFailure } from './failure.ts';
import { UNREAD_CAP_CHARS, UNREAD_CAP_LINES, UNREAD_TOTAL_CAP_CHARS, WireClient } from './wire.ts';

let server: Server;
let client: WireClient | undefined;

async function serve(onConnect: (s: Socket) => void): Promise<number> {
  server = createServer(onConnect);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

afterEach(() => {
  client?.destroy();
  server?.close();
});

test('a line split over writes, with a multi-byte character cut in half, arrives whole', async () => {
  const bytes = Buffer.from('héllo wörld\r\nnext\n');
  const port = await serve((s) => {
    let i = 0;
    const drip = () => (i < bytes.length ? s.write(bytes.subarray(i, ++i), () => setImmediate(drip)) : undefined);
    drip();
  });
  client = await WireClient.connect(port);
  await client.expectLine('héllo wörld');
  await client.expectLine('next');
});

test('silence fails within the deadline, saying "nothing within" and showing the conversation', async () => {
  const port = await serve(() => {});
  client = await WireClient.connect(port);
  client.sendLine('Hello, Server!');
  const started = Date.now();
  const err = await client.expectLine('Server received: Hello, Server!', { within: 300 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ExpectationFailure);
  const message = (err as Error).message;
  // 300 ms on an idle machine; a busy one stretches the window (patience.ts), up to 8 times.
  expect(message).toMatch(/nothing within ([\d.]+ s|\d+ ms) \(no response\)/);
  expect(message).toContain('"Hello, Server!\\n"');
  expect(message).toContain('(32 bytes)');
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  expect(Date.now() - started).toBeLessThan(8 * 300 + 1000);
});

test('a wrong line is shown byte for byte next to the expected one', async () => {
  const port = await serve((s) => s.write('Server received: hi \n'));
  client = await WireClient.connect(port);
  const err = await client.expectLine('Server received: hi').catch((e: unknown) => e as Error);
  expect((err as Error).message).toMatch(/Expected: .*"Server received: hi\\n" \(20 bytes\)/);
  expect((err as Error).message).toMatch(/Got: +"Server received: hi \\n" \(21 bytes\)/);
});

test('expectClose passes on a close and fails on a connection left open', async () => {
  const port = await serve((s) => s.end('bye\n'));
  client = await WireClient.connect(port);
  await client.expectLine('bye');
  await client.expectClose();
  client.destroy();
  server.close();
  const open = await serve(() => {});
  client = await WireClient.connect(open);
  await expect(client.expectClose('a close', { within: 200 })).rejects.toThrow(/still open/);
});

test('a refused connection fails with a sentence, not a stack', async () => {
  const port = await serve(() => {});
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await expect(WireClient.connect(port)).rejects.toThrow(/connection refused/);
});

test('a last line without "\\n" before the close is not a line, and the failure says so', async () => {
  const port = await serve((s) => s.end('Server busy: another client is connected. Try again later.'));
  client = await WireClient.connect(port);
  const err = await client.expectLine('Server busy: another client is connected. Try again later.').catch((e: unknown) => e as Error);
  expect((err as Error).message).toMatch(/Got: +"Server busy: .*" \(58 bytes\) with no "\\n" at the end, then the connection was closed/);
});

test('a peer that floods is held back by TCP once the unread text passes the cap; reading lets it go on', async () => {
  const line = `${'x'.repeat(1023)}\n`;
  const total = (UNREAD_CAP_CHARS / line.length) * 4; // four times the cap, as fast as it can
  let written = 0;
  let sender: Socket | undefined;
  const port = await serve((s) => {
    sender = s;
    s.on('error', () => {});
    const pump = (): void => {
      while (written < total) {
        written++;
        if (!s.write(line)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  client = await WireClient.connect(port);
  // The test stops reading, and the sender waits for room that does not come: far short of the whole.
  await expect.poll(() => client!.socket.isPaused() && sender?.writableNeedDrain, { timeout: 10_000 }).toBe(true);
  expect(written).toBeLessThan(total);
  // Reading it all lets every line through.
  for (let i = 0; i < total; i++) await client.nextLine('a line of the flood');
  expect(written).toBe(total);
});

test('more than the cap without a newline fails with what arrived, not "no response"', async () => {
  const port = await serve((s) => {
    s.on('error', () => {});
    s.write('y'.repeat(UNREAD_CAP_CHARS + 1024));
  });
  client = await WireClient.connect(port);
  await expect(client.nextLine('a line', { within: 300 })).rejects.toThrow(/more than 8 MiB with no "\\n"/);
});

/** A server whose every connection pumps `line` as fast as TCP lets it, up to `count` times. */
async function pumping(line: string, count: number): Promise<{ port: number; senders: Socket[] }> {
  const senders: Socket[] = [];
  const port = await serve((s) => {
    senders.push(s);
    s.on('error', () => {});
    let written = 0;
    const pump = (): void => {
      while (written < count) {
        written++;
        if (!s.write(line)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  return { port, senders };
}

test('a flood of empty lines is held back by their number, not only their bytes', async () => {
  const { port, senders } = await pumping('\n'.repeat(1024), 4096); // 4 million empty lines
  client = await WireClient.connect(port);
  await expect.poll(() => client!.socket.isPaused() && senders[0]?.writableNeedDrain, { timeout: 10_000 }).toBe(true);
  // One chunk (at most 64 KiB, so 64 Ki lines) may arrive past the cap before the pause.
  expect(client.unreadLines).toBeGreaterThan(UNREAD_CAP_LINES);
  expect(client.unreadLines).toBeLessThan(UNREAD_CAP_LINES + 70_000);
});

test('many connections share one budget of unread text; reading one lets it go on', async () => {
  const { port, senders } = await pumping(`${'w'.repeat(1023)}\n`, 16 * 1024); // 16 MiB each
  const clients: WireClient[] = [];
  try {
    for (let i = 0; i < 12; i++) clients.push(await WireClient.connect(port));
    // Twelve would hold 96 MiB at 8 MiB each: the shared budget stops them first.
    await expect.poll(() => clients.every((c) => c.socket.isPaused() || c.isClosed) && senders.every((s) => s.writableNeedDrain), { timeout: 20_000 }).toBe(true);
    expect(WireClient.unreadEverywhere).toBeLessThanOrEqual(UNREAD_TOTAL_CAP_CHARS + 12 * 64 * 1024);
    // Reading one connection to its end frees the budget for it: all 16 MiB arrive.
    const first = clients[0];
    for (let i = 0; i < 16 * 1024; i++) await first.nextLine('a line of the flood', { within: 10_000 });
  } finally {
    for (const c of clients) c.destroy();
  }
}, 60_000);
