// The reference server holds its own rules (issue 7): a server that runs all semester must not
// leak a file descriptor per client that vanished. This starts solutions/06-final/server.ts,
// counts its open fds (/proc/<pid>/fd), lets 1,000 clients reset, hang up mid-line or half-close
// (many of them while another is served, so they are turned away as busy), and counts again.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, test } from 'vitest';
import { kitRoot } from './stages.ts';

const HOST = '127.0.0.1';
const CLIENTS = 1000;
/**
 * Clients at a time. One: the server listens with a backlog of 1, so connections opened together
 * can wait a second for a SYN retry. Many still arrive before the server has seen the previous
 * client's close, and are turned away as busy.
 */
const AT_ONCE = 1;
/** Fds the server may hold beyond the start (a socket whose close is still on its way). */
const SLACK = 3;
/** How long the server may take to close the last sockets once every client is gone. */
const SETTLE_MS = 10_000;

let server: ChildProcess | undefined;
afterAll(() => {
  try {
    if (server?.pid) process.kill(-server.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
});

async function startReference(): Promise<{ pid: number; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(kitRoot(), 'solutions/06-final/server.ts'), '--host', HOST, '--port', '0'], {
    cwd: kitRoot(),
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  server = child;
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit').then(() => [''])])) as [string];
  lines.on('line', () => {}); // its log lines: one per client
  const port = Number(/:(\d+)$/.exec(first)?.[1]);
  if (!(port > 0) || child.pid === undefined) throw new Error(`the reference server did not start (first line ${JSON.stringify(first)})`);
  return { pid: child.pid, port };
}

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

// One client that leaves abruptly, in the way `i` picks; resolves once its socket is closed.
async function abruptClient(port: number, i: number): Promise<void> {
  const socket: Socket = connect({ port, host: HOST, allowHalfOpen: true });
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  // The first line (greeting or busy) shows the server has handled the connection.
  await once(socket, 'data');
  socket.resume();
  switch (i % 3) {
    case 0: // reset, with a line the server has not read
      socket.write('a line nobody reads\n');
      socket.resetAndDestroy();
      break;
    case 1: // hang up in the middle of a line
      socket.end('half a li');
      break;
    default: // half-close: our side ends; the server reads the line and closes its own
      socket.end('hello\n');
  }
  await closed;
}

/** Polls until the server holds at most `limit` fds, or the deadline passes; returns the last count. */
async function settle(pid: number, limit: number): Promise<number> {
  const until = Date.now() + SETTLE_MS;
  let count = openFds(pid);
  while (count > limit && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    count = openFds(pid);
  }
  return count;
}

test.skipIf(!existsSync('/proc/self/fd'))(`the reference server holds no more fds after ${CLIENTS} clients reset, hang up mid-line or half-close`, { timeout: 90_000 }, async () => {
  const { pid, port } = await startReference();
  await abruptClient(port, 1);
  const before = await settle(pid, 0);
  for (let i = 0; i < CLIENTS; i += AT_ONCE) {
    await Promise.all(Array.from({ length: AT_ONCE }, (_, k) => abruptClient(port, i + k)));
  }
  const after = await settle(pid, before + SLACK);
  expect(after, `open fds of the reference server: ${before} before, ${after} after ${CLIENTS} abrupt clients`).toBeLessThanOrEqual(before + SLACK);
});
