// `make bench`, Task 3 part: a chat server with 1, 100, 1,000 and 10,000 clients connected at once.
// For each count: how many clients the server held, how many chat messages per second went from
// one client to another through it, how long each took (p50, p99), and the server's memory per
// connection, each beside the same figure for a bare Node fan-out server (fanout-server.ts) in the
// same run. A benchmark, not a test: it prints figures and exits 0.
// Run: node --import tsx kit/bench/many-clients.ts [--server FILE] [--clients 1,100,1000,10000] [--seconds 1.5]
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { kitRoot } from '../stages.ts';
import { HOST, startServer, stopAllServers, stopServer } from './servers.ts';

const USAGE = 'Usage: node --import tsx kit/bench/many-clients.ts [--server FILE] [--clients 1,100,1000,10000] [--seconds S]';
/** At most this many clients sign in and send; the others are connected, greeted and idle. */
const SENDERS = 100;
/** Connections opened at once while filling a level, under the servers' backlog of 511. */
const CONNECT_BATCH = 250;
/** Messages flow this long before counting starts. */
const WARMUP_MS = 300;
/** A level gives up connecting after this long and reports the clients it got. */
const FILL_WITHIN_MS = 30_000;
const SETTLE_MS = 200;
/** From this many clients on, memory per connection is the growth from half of them to all. */
const MIN_FOR_SLOPE = 100;

interface Target {
  name: string;
  file: string;
}

interface LevelResult {
  held: number;
  delivered: number;
  seconds: number;
  /** Client-to-client delivery times in microseconds, sorted. */
  micros: Float64Array;
  /** Server memory per connection in KiB (VmRSS growth while the clients connected / clients). */
  kibPerConnection: number;
  note?: string;
}

function rssKiB(pid: number | undefined): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/** One bench client: a socket and the lines it receives. */
class BenchClient {
  private pending = '';
  onLine: (line: string) => void = () => {};
  closed = false;

  constructor(readonly socket: Socket, readonly name: string) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.pending += chunk;
      for (let nl = this.pending.indexOf('\n'); nl !== -1; nl = this.pending.indexOf('\n')) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.onLine(line);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
    });
  }

  send(message: object): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** Resolves with the next line for which `test` holds; undefined if the connection closes first. */
  waitFor(test: (line: string) => boolean): Promise<string | undefined> {
    return new Promise((resolve) => {
      const onClose = () => resolve(undefined);
      this.socket.once('close', onClose);
      this.onLine = (line) => {
        if (!test(line)) return;
        this.onLine = () => {};
        this.socket.off('close', onClose);
        resolve(line);
      };
    });
  }
}

/** Connects one client and waits for the server's greeting (its first line). */
async function openClient(port: number, name: string): Promise<BenchClient | undefined> {
  const socket = connect({ host: HOST, port, noDelay: true });
  const client = new BenchClient(socket, name);
  const greeted = client.waitFor(() => true);
  try {
    await once(socket, 'connect');
  } catch {
    return undefined;
  }
  return (await greeted) === undefined ? undefined : client;
}

interface Chat {
  status?: unknown;
  sender?: unknown;
  text?: unknown;
}

function parseChat(line: string): Chat | undefined {
  if (!line.includes('"status":"1"')) return undefined;
  try {
    const value = JSON.parse(line) as Chat;
    return value.status === '1' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Signs a client in and waits until a message to itself comes back: then the server knows its name. */
async function signIn(client: BenchClient): Promise<boolean> {
  const ready = client.waitFor((line) => parseChat(line)?.text === 'ready');
  client.send({ status: '0', sender: client.name });
  client.send({ status: '1', sender: client.name, receiver: client.name, text: 'ready' });
  return (await ready) !== undefined;
}

/**
 * The senders pass messages around a ring through the server (sender i writes to i + 1, a lone
 * sender to itself), each with one message in flight: the next leaves when the last arrived.
 */
function ring(senders: BenchClient[], seconds: number): Promise<{ delivered: number; seconds: number; micros: Float64Array }> {
  return new Promise((resolve) => {
    const index = new Map(senders.map((c, i) => [c.name, i]));
    const sentAt = new Float64Array(senders.length);
    const micros: number[] = [];
    let counting = false;
    let running = true;
    let delivered = 0;
    const now = (): number => Number(process.hrtime.bigint()) / 1000;
    const sendFrom = (i: number): void => {
      const from = senders[i];
      const to = senders[(i + 1) % senders.length];
      sentAt[i] = now();
      from.send({ status: '1', sender: from.name, receiver: to.name, text: `message from ${from.name}` });
    };
    for (const client of senders) {
      client.onLine = (line) => {
        const chat = parseChat(line);
        const i = typeof chat?.sender === 'string' ? index.get(chat.sender) : undefined;
        if (i === undefined) return; // a notice (someone joined), not a chat message
        if (counting) {
          micros.push(now() - sentAt[i]);
          delivered++;
        }
        if (running) sendFrom(i);
      };
    }
    senders.forEach((_, i) => sendFrom(i));
    let startedAt = 0;
    setTimeout(() => {
      counting = true;
      startedAt = now();
      setTimeout(() => {
        running = false;
        counting = false;
        resolve({ delivered, seconds: (now() - startedAt) / 1e6, micros: Float64Array.from(micros).sort() });
      }, seconds * 1000);
    }, WARMUP_MS);
  });
}

/** Fills one fresh server with `count` clients, measures, and tears everything down. */
async function runLevel(target: Target, count: number, seconds: number): Promise<LevelResult> {
  const { child, port } = await startServer(target.file, 'ignore');
  const clients: BenchClient[] = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const before = rssKiB(child.pid);
    const fillUntil = Date.now() + FILL_WITHIN_MS;
    let note: string | undefined;
    // Memory is read at half the clients and at all of them: the growth between the two is the
    // connections' cost alone, without what the server's start-up left to collect.
    let half = { rss: before, held: 0 };
    const halfway = Math.ceil(count / 2);
    for (let opened = 0; opened < count && !note; ) {
      // Batches stop at the halfway mark once, so the memory there is read with exactly half.
      const size = Math.min(CONNECT_BATCH, count - opened, opened < halfway ? halfway - opened : CONNECT_BATCH);
      const batch = await Promise.all(Array.from({ length: size }, (_, k) => openClient(port, `u${opened + k + 1}`)));
      opened += size;
      for (const c of batch) if (c) clients.push(c);
      if (count >= MIN_FOR_SLOPE && opened === halfway) {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        half = { rss: rssKiB(child.pid), held: clients.filter((c) => !c.closed).length };
      }
      if (Date.now() > fillUntil) note = `stopped connecting after ${FILL_WITHIN_MS / 1000} s`;
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const held = clients.filter((c) => !c.closed).length;
    const kibPerConnection = (rssKiB(child.pid) - half.rss) / Math.max(1, held - half.held);
    const senders = clients.filter((c) => !c.closed).slice(0, SENDERS);
    const signedIn = await Promise.all(senders.map(signIn));
    const active = senders.filter((_, i) => signedIn[i]);
    if (active.length < senders.length) note = `${senders.length - active.length} of ${senders.length} senders could not sign in`;
    const flow = active.length > 0 ? await ring(active, seconds) : { delivered: 0, seconds, micros: new Float64Array() };
    return { held: clients.filter((c) => !c.closed).length, ...flow, kibPerConnection, note };
  } finally {
    // The server goes first, so its side holds the closed connections' TIME_WAIT, not our ports.
    stopServer(child);
    for (const c of clients) c.socket.destroy();
  }
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
const whole = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const oneDecimal = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '–');
const pair = (a: string, b: string, width: number): string => `${a} / ${b}`.padStart(width);

function row(count: number, chat: LevelResult | undefined, bare: LevelResult): string {
  const rate = (r: LevelResult) => whole(r.delivered / r.seconds);
  const c = chat ?? { held: NaN, delivered: NaN, seconds: 1, micros: new Float64Array(), kibPerConnection: NaN };
  return [
    whole(count).padStart(8),
    pair(whole(c.held), whole(bare.held), 18),
    pair(rate(c), rate(bare), 20),
    pair(whole(percentile(c.micros, 50)), whole(percentile(bare.micros, 50)), 18),
    pair(whole(percentile(c.micros, 99)), whole(percentile(bare.micros, 99)), 20),
    pair(oneDecimal(c.kibPerConnection), oneDecimal(bare.kibPerConnection), 16),
  ].join('');
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      options: {
        server: { type: 'string', default: join(kitRoot(), 'solutions/09-chat/server.ts') },
        clients: { type: 'string', default: '1,100,1000,10000' },
        seconds: { type: 'string', default: '1.5' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const counts = values.clients.split(',').map(Number);
  const seconds = Number(values.seconds);
  if (!counts.every((n) => Number.isInteger(n) && n > 0 && n <= 15_000) || !(seconds > 0 && seconds <= 30)) {
    console.error(`--clients takes whole numbers from 1 to 15000, --seconds a number up to 30.\n${USAGE}`);
    return 2;
  }
  const chatFile = values.server;
  const chat: Target | undefined = existsSync(chatFile) ? { name: relative(kitRoot(), chatFile), file: chatFile } : undefined;
  const bare: Target = { name: 'bare Node fan-out server', file: join(kitRoot(), 'kit/bench/fanout-server.ts') };

  console.log();
  console.log(`Many clients at once over loopback ${HOST}: N clients connected, the first min(N, ${SENDERS}) signed in and passing chat messages`);
  console.log(`around a ring through the server (one in flight each) for ${seconds} s after ${WARMUP_MS} ms of warm-up; a fresh server per row.`);
  console.log(`Each cell: ${chat ? `ClassChat chat server (${chat.name})` : 'no chat server'} / ${bare.name}.`);
  if (!chat) console.log(`(${relative(kitRoot(), chatFile)} does not exist yet: only the fan-out server is measured.)`);
  console.log(`${'clients'.padStart(8)}${'held'.padStart(18)}${'messages/s'.padStart(20)}${'p50 µs'.padStart(18)}${'p99 µs'.padStart(20)}${'KiB/connection'.padStart(16)}`);
  const notes: string[] = [];
  for (const [i, count] of counts.entries()) {
    // Alternate which server goes first, so drift on the machine affects both alike.
    const order = i % 2 === 0 ? [chat, bare] : [bare, chat];
    const results = new Map<Target, LevelResult>();
    for (const target of order) {
      if (!target) continue;
      try {
        results.set(target, await runLevel(target, count, seconds));
      } catch (err) {
        notes.push(`${target.name} at ${count} clients: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const bareResult = results.get(bare) ?? { held: NaN, delivered: NaN, seconds: 1, micros: new Float64Array(), kibPerConnection: NaN };
    const chatResult = chat ? results.get(chat) : undefined;
    console.log(row(count, chatResult, bareResult));
    for (const [target, r] of results) if (r.note) notes.push(`${target.name} at ${count} clients: ${r.note}`);
  }
  for (const note of notes) console.log(`Note: ${note}`);
  console.log(`KiB/connection: the server's VmRSS growth from half the clients to all of them, per connection (below ${MIN_FOR_SLOPE} clients: from none, start-up noise included).`);
  return 0;
}

process.once('SIGINT', () => {
  stopAllServers();
  process.exit(130);
});
try {
  process.exitCode = await main();
} catch (err) {
  console.error(`Benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  stopAllServers();
}
