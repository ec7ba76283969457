// Silence windows stretch on a busy machine and never call data that already arrived "silence".
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { patientTimer, slowness, TIME_SCALE_VAR } from './patience.ts';
import { WireClient } from './wire.ts';

afterEach(() => {
  delete process.env[TIME_SCALE_VAR];
});

const fired = (ms: number): Promise<number> => new Promise((resolve) => patientTimer(ms, resolve));

test('slowness is at least 1 and honours the instructor\'s time scale', () => {
  expect(slowness()).toBeGreaterThanOrEqual(1);
  process.env[TIME_SCALE_VAR] = '3';
  expect(slowness()).toBeGreaterThanOrEqual(3);
});

test('a window never ends early, and stretches with the time scale', async () => {
  expect(await fired(100)).toBeGreaterThanOrEqual(100);
  process.env[TIME_SCALE_VAR] = '4';
  expect(await fired(100)).toBeGreaterThanOrEqual(400);
});

test('a cancelled window never fires', async () => {
  let called = false;
  const cancel = patientTimer(20, () => {
    called = true;
  });
  cancel();
  await new Promise((resolve) => setTimeout(resolve, 80));
  expect(called).toBe(false);
});

test('a reply that arrived while the tester itself was starved is read, not called silence', async () => {
  const server = createServer((s) => s.end('late but here\n'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const client = await WireClient.connect((server.address() as AddressInfo).port);
    const line = client.expectLine('late but here', { within: 50 });
    // Block this process past the window while the reply sits in the socket buffer.
    const until = Date.now() + 300;
    while (Date.now() < until);
    await line;
    client.destroy();
  } finally {
    server.close();
  }
});
