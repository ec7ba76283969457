// unusedPort(): a port nothing listens on, outside the range listen(0) hands out.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { unusedPort } from './ports.ts';

const ephemeralLow = (): number => Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

test('the port is below the ephemeral range, and a connection to it is refused', async () => {
  const port = await unusedPort();
  expect(port).toBeLessThan(ephemeralLow());
  expect(port).not.toBe(12345);
  const socket = connect(port, '127.0.0.1');
  const [err] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
  expect(err.code).toBe('ECONNREFUSED');
});

test('a listen(0) never gets a port from where unusedPort() draws', async () => {
  const servers = await Promise.all(Array.from({ length: 50 }, async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return server;
  }));
  const port = await unusedPort();
  for (const server of servers) {
    expect((server.address() as AddressInfo).port).not.toBe(port);
    expect((server.address() as AddressInfo).port).toBeGreaterThanOrEqual(ephemeralLow());
    server.close();
  }
});
