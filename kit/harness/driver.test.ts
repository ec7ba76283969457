// The tests' side of a driver holds its own against the driver: the process at the other end runs
// student code, which may flood the channel instead of answering.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CHANNEL_CAP_BYTES, Driver } from './driver.ts';
import { DRIVER_VAR } from './driver-protocol.ts';

const dir = mkdtempSync(join(tmpdir(), 'classchat-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A driver that says hello as a real one does, then runs `then` (plain JavaScript, `socket` in scope). */
function fakeDriver(then: string): string {
  const file = join(dir, `driver-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, `
    import { connect } from 'node:net';
    const [port, token] = process.env.${DRIVER_VAR}.split(':');
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(JSON.stringify({ hello: token }) + '\\n');
      ${then}
    });
    socket.on('error', () => {});
  `);
  return file;
}

test('a driver that floods the channel with events is stopped once it passes the cap', async () => {
  // Small, well-formed events without end: each one alone is harmless, together they are not.
  const file = fakeDriver(`
    const line = JSON.stringify({ event: 'log', data: 'x'.repeat(60_000) }) + '\\n';
    const pump = () => { while (socket.write(line)); socket.once('drain', pump); };
    pump();
  `);
  const driver = await Driver.start(file, 'not-a-stage');
  let received = 0;
  driver.on('log', (data) => { received += String(data).length; });
  const gone = await new Promise<string>((resolve) => driver.on('gone', (why) => resolve(String(why))));
  expect(gone).toBe('it flooded the channel to the tests');
  expect(driver.alive).toBe(false);
  expect(received).toBeLessThanOrEqual(CHANNEL_CAP_BYTES);
  await expect(driver.call('anything')).rejects.toThrow(/flooded the channel/);
  await driver.stop();
}, 60_000);

test('one line longer than a protocol line may be (1 MiB) stops the driver too', async () => {
  const file = fakeDriver(`
    const chunk = 'y'.repeat(1 << 20);
    const pump = () => { while (socket.write(chunk)); socket.once('drain', pump); };
    pump();
  `);
  const driver = await Driver.start(file, 'not-a-stage');
  const gone = await new Promise<string>((resolve) => driver.on('gone', (why) => resolve(String(why))));
  expect(gone).toBe('it flooded the channel to the tests');
  await driver.stop();
}, 60_000);

test('connections to the driver\'s listener that never say hello are few, and none outlives the start', async () => {
  // A process that first opens a crowd of silent connections to the listener, then says hello.
  const file = join(dir, 'crowd-driver.mjs');
  writeFileSync(file, `
    import { connect } from 'node:net';
    const [port, token] = process.env.${DRIVER_VAR}.split(':');
    const silent = [];
    let settled = 0, closed = 0;
    for (let i = 0; i < 200; i++) {
      const s = connect(Number(port), '127.0.0.1');
      silent.push(s);
      s.on('error', () => {});
      let done = false;
      const settle = () => { if (!done && (done = true) && ++settled === 200) hello(); };
      s.on('connect', settle);
      s.on('close', () => { settle(); if (++closed === 200) report(); });
    }
    let channel, ready = false, pendingReport = false;
    function report() {
      if (!ready) { pendingReport = true; return; }
      channel.write(JSON.stringify({ event: 'all-closed', data: closed }) + '\\n');
    }
    function hello() {
      channel = connect(Number(port), '127.0.0.1', () => {
        channel.write(JSON.stringify({ hello: token }) + '\\n');
        ready = true;
        if (pendingReport) report();
      });
      channel.on('error', () => {});
    }
  `);
  const driver = await Driver.start(file, 'not-a-stage');
  // Every silent one is closed: past the few the listener takes at once, or when the driver is in.
  expect(await new Promise((resolve) => driver.on('all-closed', resolve))).toBe(200);
  await driver.stop();
}, 60_000);
