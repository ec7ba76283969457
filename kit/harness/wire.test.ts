// The test client's own behaviour: lines across chunks, deadlines that fail with a readable
// message, and the close.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { ExpectationFailure } from './failure.ts';
import { WireClient } from './wire.ts';

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
