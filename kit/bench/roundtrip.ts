// `make bench`: how many lockstep round trips per second the reference ClassChat server answers
// over loopback, and how long each takes (p50, p99), next to a bare Node echo server measured in
// the same run; then how many lines per second each answers when the client pipelines them
// (sends blocks of lines without waiting). A benchmark, not a test: it prints figures and exits 0.
// Run: node --import tsx kit/bench/roundtrip.ts [--count 20000] [--seconds 10] [--server FILE]
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { kitRoot } from '../stages.ts';
import { HOST, startServer, stopAllServers } from './servers.ts';

const WARMUP = 1000;
/** The run alternates between the two servers in this many rounds. */
const ROUNDS = 10;
const ACK = 'Connection established. Welcome to ClassChat Server!';
const USAGE = 'Usage: node --import tsx kit/bench/roundtrip.ts [--count N] [--seconds S] [--server FILE]';

interface Target {
  name: string;
  file: string;
  /** The ClassChat server greets first; the echo server does not. */
  greets: boolean;
}

interface Result {
  count: number;
  seconds: number;
  /** Round-trip times in microseconds, sorted. */
  micros: Float64Array;
}

/** Reads the server's greeting line, if it sends one. */
async function readGreeting(socket: Socket): Promise<void> {
  let text = '';
  while (!text.includes('\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    text += chunk.toString('utf8');
  }
  if (!text.startsWith(ACK)) throw new Error(`Expected the greeting, got ${JSON.stringify(text.split('\n')[0])}.`);
}

/**
 * One client in lockstep: send a line, wait for the whole reply line, send the next. Stops after
 * `count` round trips or `limitMs`.
 */
function lockstep(socket: Socket, count: number, limitMs: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const micros = new Float64Array(count);
    let done = 0;
    let sentAt = 0n;
    const startedAt = process.hrtime.bigint();
    const deadline = Date.now() + limitMs;
    const send = () => {
      sentAt = process.hrtime.bigint();
      socket.write(`ping ${done}\n`);
    };
    const onClose = () => reject(new Error('The server closed the connection during the run.'));
    const onData = (chunk: Buffer) => {
      // Lockstep: exactly one reply is outstanding, so one newline completes it.
      if (chunk.indexOf(0x0a) === -1) return;
      micros[done++] = Number(process.hrtime.bigint() - sentAt) / 1000;
      if (done < count && Date.now() < deadline) return send();
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', reject);
      resolve({ count: done, seconds: Number(process.hrtime.bigint() - startedAt) / 1e9, micros: micros.slice(0, done) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', onClose);
    send();
  });
}

/** Lines per block in the pipelined run (one write each), and how many lines may be unanswered. */
const BLOCK_LINES = 1000;
const IN_FLIGHT_LINES = 64 * BLOCK_LINES;
/** The pipelined run aims for 500k lines/s from the ClassChat server (issue 8). */
const PIPELINED_TARGET = 500_000;

/**
 * One client, pipelined: writes blocks of BLOCK_LINES lines without waiting for the replies, up to
 * IN_FLIGHT_LINES unanswered, and counts reply lines. Stops after `lines` replies or `limitMs`.
 */
function pipelined(socket: Socket, lines: number, limitMs: number): Promise<{ count: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const block = Buffer.from(Array.from({ length: BLOCK_LINES }, (_, i) => `line ${i}\n`).join(''));
    let sent = 0;
    let answered = 0;
    const startedAt = process.hrtime.bigint();
    const deadline = Date.now() + limitMs;
    const refill = () => {
      while (sent < lines && sent - answered < IN_FLIGHT_LINES) {
        socket.write(block);
        sent += BLOCK_LINES;
      }
    };
    const onClose = () => reject(new Error('The server closed the connection during the run.'));
    const onData = (chunk: Buffer) => {
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, nl + 1)) answered++;
      if (answered < sent || (sent < lines && Date.now() < deadline)) {
        if (Date.now() < deadline) refill();
        return;
      }
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', reject);
      resolve({ count: answered, seconds: Number(process.hrtime.bigint() - startedAt) / 1e9 });
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', onClose);
    refill();
  });
}

/** Starts the target's server and returns a connected, greeted socket. */
async function open(target: Target): Promise<Socket> {
  const { port } = await startServer(target.file);
  const socket = connect({ host: HOST, port, noDelay: true });
  await once(socket, 'connect');
  if (target.greets) await readGreeting(socket);
  return socket;
}

/** Joins the rounds of one target: total rate, and all round-trip times sorted. */
function combine(rounds: Result[]): Result {
  const micros = new Float64Array(rounds.reduce((n, r) => n + r.count, 0));
  let at = 0;
  for (const r of rounds) {
    micros.set(r.micros, at);
    at += r.count;
  }
  return { count: micros.length, seconds: rounds.reduce((s, r) => s + r.seconds, 0), micros: micros.sort() };
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
const whole = (n: number): string => Math.round(n).toLocaleString('en-US');

function row(name: string, r: Result): string {
  const rate = r.count / r.seconds;
  return `${name.padEnd(50)}${whole(rate).padStart(14)}${whole(percentile(r.micros, 50)).padStart(10)}${whole(percentile(r.micros, 99)).padStart(10)}`;
}

async function main(): Promise<number> {
  let values;
  try {
    values = parseArgs({
      options: {
        count: { type: 'string', default: '20000' },
        seconds: { type: 'string', default: '10' },
        server: { type: 'string', default: join(kitRoot(), 'solutions/06-final/server.ts') },
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
  const count = Number(values.count);
  const seconds = Number(values.seconds);
  if (!(Number.isInteger(count) && count > 0 && seconds > 0)) {
    console.error(`--count must be a whole number above 0 and --seconds above 0.\n${USAGE}`);
    return 2;
  }
  const classchat: Target = { name: `ClassChat server (${relative(kitRoot(), values.server)})`, file: values.server, greets: true };
  const echo: Target = { name: 'bare Node echo server', file: join(kitRoot(), 'kit/bench/echo-server.ts'), greets: false };

  console.log(`Round trips over loopback ${HOST}: 1 client in lockstep, up to ${whole(count)} round trips or ${seconds} s per server, in ${ROUNDS} alternating rounds after ${whole(WARMUP)} warm-up.`);
  console.log(`${''.padEnd(50)}${'round trips/s'.padStart(14)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}`);
  // Both servers run side by side and take turns, so drift on the machine (CPU placement,
  // frequency) affects both alike.
  const targets = [echo, classchat];
  const sockets: Socket[] = [];
  for (const target of targets) sockets.push(await open(target));
  for (const socket of sockets) await lockstep(socket, WARMUP, seconds * 1000);
  const rounds: Result[][] = targets.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, socket] of sockets.entries()) rounds[i].push(await lockstep(socket, Math.ceil(count / ROUNDS), (seconds * 1000) / ROUNDS));
  }
  const [echoResult, chatResult] = rounds.map(combine);
  console.log(row(echo.name, echoResult));
  console.log(row(classchat.name, chatResult));
  const ratio = chatResult.count / chatResult.seconds / (echoResult.count / echoResult.seconds);
  const slower = percentile(chatResult.micros, 50) / percentile(echoResult.micros, 50);
  console.log(`ClassChat / echo: ${ratio.toFixed(2)} of the round trips per second; p50 ${slower.toFixed(2)}× as long.`);

  // Pipelined: the same two connections, each answering blocks of lines sent without waiting.
  const lines = count * 50;
  console.log('');
  console.log(`Pipelined: 1 client sends blocks of ${whole(BLOCK_LINES)} lines (one write each), up to ${whole(IN_FLIGHT_LINES)} unanswered, ${whole(lines)} lines or ${seconds} s per server, in ${ROUNDS} alternating rounds.`);
  console.log(`${''.padEnd(50)}${'lines/s'.padStart(14)}`);
  for (const socket of sockets) await pipelined(socket, 10 * BLOCK_LINES, seconds * 1000);
  const totals = targets.map(() => ({ count: 0, seconds: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, socket] of sockets.entries()) {
      const r = await pipelined(socket, Math.ceil(lines / ROUNDS), (seconds * 1000) / ROUNDS);
      totals[i].count += r.count;
      totals[i].seconds += r.seconds;
    }
  }
  for (const socket of sockets) socket.destroy();
  const [echoRate, chatRate] = totals.map((r) => r.count / r.seconds);
  console.log(`${echo.name.padEnd(50)}${whole(echoRate).padStart(14)}`);
  console.log(`${classchat.name.padEnd(50)}${whole(chatRate).padStart(14)}`);
  const verdict = chatRate >= PIPELINED_TARGET ? 'meets' : 'misses';
  console.log(`ClassChat / echo: ${(chatRate / echoRate).toFixed(2)} of the lines per second; ${verdict} the target of ${whole(PIPELINED_TARGET)} lines/s.`);
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
