// Stage 1 graded suite: the endpoint rules and the two sockets, through the stage's exports.
// The student's code runs in a driver process of its own (01-socket/driver.ts); this file only
// judges what the driver reports. Ports, hosts and bad values are drawn from the seed
// (kit/harness/seed.ts), so a hard-coded answer cannot pass and a failure can be replayed with SEED=.
import { EventEmitter, once } from 'node:events';
import { connect as connectTo, createServer, type AddressInfo } from 'node:net';
import { afterAll, describe } from 'vitest';
import { suiteDriver } from '../kit/harness/driver.ts';
import { check } from '../kit/harness/failure.ts';
import { graded } from '../kit/harness/graded.ts';
import { rule } from '../kit/harness/rule.ts';
import { pick, randomInt, shuffled } from '../kit/harness/seed.ts';
import { showText } from '../kit/harness/show.ts';
import { patientTimer } from '../kit/harness/patience.ts';
import { waitUntil } from '../kit/harness/wait.ts';
import { REPLY_WITHIN } from '../kit/harness/wire.ts';
import type { Outcome, Sockets } from './01-socket/driver.ts';

const driver = suiteDriver(import.meta.url, '01-socket');
afterAll(() => driver.stop());
const GUIDE = 'guide/01-socket.md';

const show = (value: unknown): string => JSON.stringify(value);

/** Connects to `port` on loopback; resolves with the connection's own port once connected, or null. */
function connectFrom(port: number | null): Promise<number | null> {
  if (port === null) return Promise.resolve(null);
  const socket = connectTo(port, '127.0.0.1');
  return new Promise<number | null>((resolve) => {
    const cancel = patientTimer(REPLY_WITHIN, () => resolve(null));
    socket.once('connect', () => { cancel(); resolve(socket.localPort ?? null); });
    socket.once('error', () => { cancel(); resolve(null); });
  }).finally(() => socket.destroy());
}

const someHost = (): string => `127.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;
const somePort = (): number => randomInt(1024, 65535);
const anyHost = (): string => `${randomInt(1, 223)}.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;
const DEFAULT = { host: '127.0.0.1', port: 12345 };

// Calls resolveEndpoint in the driver; `processEnv` is set in the driver's own environment meanwhile.
async function resolveIn(flags: Record<string, string>, env: Record<string, string>, processEnv: Record<string, string> = {}): Promise<Outcome> {
  return (await driver.get()).call<Outcome>('resolveEndpoint', flags, env, processEnv);
}

// Calls resolveEndpoint and describes the outcome in one line, whatever it was.
async function outcome(flags: Record<string, string>, env: Record<string, string>, processEnv?: Record<string, string>): Promise<string> {
  const got = await resolveIn(flags, env, processEnv);
  return 'returned' in got ? `returned ${got.returned}` : `threw ${showText(got.threw)}`;
}

async function expectEndpoint(flags: Record<string, string>, env: Record<string, string>, host: string, port: number, processEnv?: Record<string, string>) {
  const got = await outcome(flags, env, processEnv);
  const want = `returned ${show({ host, port })}`;
  check(got === want, `resolveEndpoint(${show(flags)}, ${show(env)}) ${want}`, () => got);
}

/** One call to resolveEndpoint: the flags, the env argument, and what it must do. */
type Case =
  | { flags: Record<string, string>; env: Record<string, string>; want: { host: string; port: number } }
  | { flags: Record<string, string>; env: Record<string, string>; bad: string; source: string };

// Runs the cases in an order drawn from the seed: valid values are mixed with the ones to reject,
// so neither a reply that ignores its arguments nor one that throws for every value can pass.
async function runCases(cases: Case[]): Promise<void> {
  for (const c of shuffled(cases)) {
    if ('want' in c) await expectEndpoint(c.flags, c.env, c.want.host, c.want.port);
    else await expectRejected(c.flags, c.env, c.bad, c.source);
  }
}

// The message must quote the value as typed, name its source, and fit on one line.
async function expectRejected(flags: Record<string, string>, env: Record<string, string>, bad: string, source: string) {
  const got = await resolveIn(flags, env);
  const message = 'threw' in got ? got.threw : undefined;
  const call = `resolveEndpoint(${show(flags)}, ${show(env)})`;
  check(message !== undefined, `${call} to throw an Error`, () => 'it returned without an error');
  const quoted = ['""', "''", '“”', '``'].some(([open, close]) => message!.includes(`${open}${bad}${close}`));
  check(quoted && message!.includes(source), `${call} to throw a message that quotes ${showText(bad)} and names ${source}`, () => showText(message!));
  check(!message!.includes('\n'), `${call} to throw a message on one line`, () => `${message!.split('\n').length} lines: ${showText(message!)}`);
}

describe('01 socket creation', () => {
  graded('uses 127.0.0.1:12345 when nothing is given', {
    points: 0.5,
    hint: 'Export DEFAULT_HOST = "127.0.0.1" and DEFAULT_PORT = 12345 and fall back to them.',
    guide: `${GUIDE} § Where to connect`,
  }, async () => {
    // Nothing given at all, and calls that give one half only (seeded): the other half must fall
    // back to its own default, so a reply that never looks at its arguments cannot pass.
    const [host, port] = [someHost(), somePort()];
    await runCases([
      { flags: {}, env: {}, want: DEFAULT },
      { flags: {}, env: { CLASSCHAT_PORT: '' }, want: DEFAULT },
      { flags: {}, env: { CLASSCHAT_HOST: '', CLASSCHAT_PORT: '' }, want: DEFAULT },
      { flags: { port: String(port) }, env: {}, want: { host: DEFAULT.host, port } },
      { flags: {}, env: { CLASSCHAT_HOST: host }, want: { host, port: DEFAULT.port } },
      { flags: { host }, env: { CLASSCHAT_PORT: '' }, want: { host, port: DEFAULT.port } },
      { flags: {}, env: { CLASSCHAT_HOST: '', CLASSCHAT_PORT: String(port) }, want: { host: DEFAULT.host, port } },
    ]);
  });

  graded('flags win over CLASSCHAT_HOST/CLASSCHAT_PORT, which win over the defaults', {
    points: 1,
    hint: 'Check the flag first, then the environment variable (from the env argument, not process.env), then the default, for host and port separately.',
    guide: `${GUIDE} § Where to connect`,
  }, async () => {
    const [envHost, flagHost] = [someHost(), someHost()];
    const [envPort, flagPort] = [somePort(), somePort()];
    const env = { CLASSCHAT_HOST: envHost, CLASSCHAT_PORT: String(envPort) };
    await expectEndpoint({}, env, envHost, envPort);
    await expectEndpoint({ port: String(flagPort) }, env, envHost, flagPort);
    await expectEndpoint({ host: flagHost }, env, flagHost, envPort);
    await expectEndpoint({ host: flagHost, port: '0' }, { CLASSCHAT_PORT: String(envPort) }, flagHost, 0);
    await expectEndpoint({ port: String(flagPort) }, { CLASSCHAT_HOST: envHost }, envHost, flagPort);
    await expectEndpoint({ host: 'localhost' }, {}, '127.0.0.1', 12345);
    await expectEndpoint({ port: '65535' }, {}, '127.0.0.1', 65535);
    // The environment comes from the argument: variables of the process running the code do not count.
    await rule({ hint: 'Read CLASSCHAT_HOST and CLASSCHAT_PORT from the env argument, never from process.env: the caller decides the environment.', guide: `${GUIDE} § Where to connect` },
      () => expectEndpoint({}, {}, '127.0.0.1', 12345, { CLASSCHAT_HOST: someHost(), CLASSCHAT_PORT: String(somePort()) }));
  });

  graded('rejects a bad port with a message naming the value and where it came from', {
    points: 1,
    hint: 'Accept only digits, 0 to 65535; throw new Error(...) on one line that quotes the value and says --port or CLASSCHAT_PORT.',
    guide: `${GUIDE} § Validating input`,
  }, async () => {
    const bad = [
      pick(['abc', 'http', 'port', 'eighty']),
      String(randomInt(65536, 99999)),
      `-${randomInt(1, 9999)}`,
      `${randomInt(1, 9999)}.5`,
      `${randomInt(1, 9)}e3`,
      `0x${randomInt(16, 255).toString(16)}`,
      `${randomInt(1, 9999)}abc`,
      '',
    ];
    const fromEnv = pick(['http', `${randomInt(1, 9)}e2`, String(randomInt(65536, 99999))]);
    // Good ports, mixed in: a port that is valid must still be returned, not refused.
    const [flagPort, envPort] = [randomInt(1, 65535), randomInt(1, 65535)];
    await runCases([
      ...bad.map((value): Case => ({ flags: { port: value }, env: {}, bad: value, source: '--port' })),
      { flags: {}, env: { CLASSCHAT_PORT: fromEnv }, bad: fromEnv, source: 'CLASSCHAT_PORT' },
      { flags: { port: String(flagPort) }, env: {}, want: { host: DEFAULT.host, port: flagPort } },
      { flags: {}, env: { CLASSCHAT_PORT: String(envPort) }, want: { host: DEFAULT.host, port: envPort } },
    ]);
  });

  graded('rejects a host that is not an IPv4 address, naming it', {
    points: 0.5,
    hint: "net.isIPv4() tells a valid dotted address; 'localhost' stands for 127.0.0.1.",
    guide: `${GUIDE} § Validating input`,
  }, async () => {
    const bad = [`${randomInt(256, 999)}.1.2.3`, pick(['chat server', 'example.com', '127.0.0'])];
    // Good addresses, mixed in: a valid IPv4 address must still be returned, not refused.
    const [flagHost, envHost] = [anyHost(), anyHost()];
    await runCases([
      ...bad.map((value): Case => ({ flags: { host: value }, env: {}, bad: value, source: '--host' })),
      { flags: {}, env: { CLASSCHAT_HOST: '::1' }, bad: '::1', source: 'CLASSCHAT_HOST' },
      { flags: { host: flagHost }, env: {}, want: { host: flagHost, port: DEFAULT.port } },
      { flags: {}, env: { CLASSCHAT_HOST: envHost }, want: { host: envHost, port: DEFAULT.port } },
    ]);
  });

  graded('creates a fresh, unbound server socket and an unconnected client socket', {
    points: 1,
    hint: 'Return new net.Server(...) and new net.Socket() on every call: creating a socket does not bind or connect it.',
    guide: `${GUIDE} § Two kinds of socket`,
  }, async (t) => {
    const d = await driver.forTest(t);
    // The test's own server, for the client socket to connect to once the report is made.
    const arrivals = createServer((socket) => socket.destroy());
    t.defer(() => arrivals.close());
    arrivals.listen(0, '127.0.0.1');
    await once(arrivals, 'listening');
    const arrivalsPort = (arrivals.address() as AddressInfo).port;
    let arrived = 0;
    arrivals.on('connection', () => { arrived++; });
    const accepted = new Set<number>();
    const acceptedNow = new EventEmitter();
    d.on('accepted', (port) => { accepted.add(Number(port)); acceptedNow.emit('accepted'); });
    const got = await d.call<Sockets>('sockets', arrivalsPort);
    check(got.isServer, 'createServerSocket() to return a net.Server', () => `a ${got.server}`);
    check(!got.serverTwiceSame, 'a new server on every call', () => 'the same object twice');
    check(got.isSocket, 'createClientSocket() to return a net.Socket', () => `a ${got.client}`);
    check(!got.clientTwiceSame, 'a new client socket on every call', () => 'the same object twice');
    // A bind or connect started in the create function shows up after a turn of the event loop.
    check(!got.serverListening && got.serverAddress === 'null', 'a server that is not listening yet (binding is stage 2)', () => `a server bound to ${got.serverAddress}`);
    check(got.clientRemotePort === null && !got.clientConnecting && !got.clientDestroyed, 'a socket that is not connected yet (connecting is stage 2)',
      () => `a socket connected, connecting or already failed (to port ${got.clientRemotePort ?? undefined})`);
    // Then the two are used as stage 2 will, and the wire has the last word: the client's connection
    // reaches this test's server, and a connection from this test reaches the student's server
    // (which names the peer's port: only a connection that really arrived there can be named).
    await waitUntil(arrivals, ['connection'], () => arrived > 0, "the client socket's connection to reach the test's server",
      () => 'no connection arrived', t.transcript);
    check(typeof got.listeningPort === 'number' && got.listeningPort !== arrivalsPort, 'the server to listen once listen() is called on it', () => 'it could not listen', t.transcript);
    const from = await connectFrom(got.listeningPort);
    check(from !== null, `a connection to the server, listening on port ${got.listeningPort}`, () => 'the connection was refused', t.transcript);
    await waitUntil(acceptedNow, ['accepted'], () => accepted.has(from!), `the server listening on port ${got.listeningPort} to accept the test's connection`,
      () => 'it never accepted it', t.transcript);
  });
});

