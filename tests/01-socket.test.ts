// Stage 1 graded suite: the endpoint rules and the two sockets, through the stage's exports.
import { Server, Socket } from 'node:net';
import { describe } from 'vitest';
import { check } from '../kit/harness/failure.ts';
import { graded } from '../kit/harness/graded.ts';
import { showText } from '../kit/harness/show.ts';
import { studentModule } from '../kit/harness/target.ts';

type Stage1 = typeof import('../solutions/01-socket/endpoint.ts');
const stage1 = studentModule<Stage1>('01-socket', 'endpoint.ts');
const GUIDE = 'guide/01-socket.md';

const show = (value: unknown): string => JSON.stringify(value);

// Calls resolveEndpoint and describes the outcome in one line, whatever it was.
async function outcome(flags: Record<string, string>, env: Record<string, string>): Promise<string> {
  const { resolveEndpoint } = await stage1();
  try {
    return `returned ${show(resolveEndpoint(flags, env))}`;
  } catch (err) {
    return `threw ${showText(err instanceof Error ? err.message : String(err))}`;
  }
}

async function expectEndpoint(flags: Record<string, string>, env: Record<string, string>, host: string, port: number) {
  const got = await outcome(flags, env);
  const want = `returned ${show({ host, port })}`;
  check(got === want, `resolveEndpoint(${show(flags)}, ${show(env)}) ${want}`, () => got);
}

async function expectRejected(flags: Record<string, string>, env: Record<string, string>, bad: string, source: string) {
  const got = await outcome(flags, env);
  const ok = got.startsWith('threw') && got.includes(bad) && got.includes(source);
  check(ok, `resolveEndpoint(${show(flags)}, ${show(env)}) to throw an Error naming ${showText(bad)} and ${source}`, () => got);
}

describe('01 socket creation', () => {
  graded('uses 127.0.0.1:12345 when nothing is given', {
    points: 0.5,
    hint: 'Export DEFAULT_HOST = "127.0.0.1" and DEFAULT_PORT = 12345 and fall back to them.',
    guide: `${GUIDE} § Where to connect`,
  }, async () => {
    await expectEndpoint({}, {}, '127.0.0.1', 12345);
    await expectEndpoint({}, { CLASSCHAT_PORT: '' }, '127.0.0.1', 12345);
  });

  graded('flags win over CLASSCHAT_HOST/CLASSCHAT_PORT, which win over the defaults', {
    points: 1,
    hint: 'Check the flag first, then the environment variable, then the default, for host and port separately.',
    guide: `${GUIDE} § Where to connect`,
  }, async () => {
    await expectEndpoint({}, { CLASSCHAT_HOST: '127.0.0.2', CLASSCHAT_PORT: '4000' }, '127.0.0.2', 4000);
    await expectEndpoint({ port: '5000' }, { CLASSCHAT_HOST: '127.0.0.2', CLASSCHAT_PORT: '4000' }, '127.0.0.2', 5000);
    await expectEndpoint({ host: '127.0.0.3', port: '0' }, { CLASSCHAT_PORT: '4000' }, '127.0.0.3', 0);
    await expectEndpoint({ host: 'localhost' }, {}, '127.0.0.1', 12345);
    await expectEndpoint({ port: '65535' }, {}, '127.0.0.1', 65535);
  });

  graded('rejects a bad port with a message naming the value and where it came from', {
    points: 1,
    hint: 'Accept only digits, 0 to 65535; throw new Error(...) that quotes the value and says --port or CLASSCHAT_PORT.',
    guide: `${GUIDE} § Validating input`,
  }, async () => {
    await expectRejected({ port: 'abc' }, {}, 'abc', '--port');
    await expectRejected({ port: '65536' }, {}, '65536', '--port');
    await expectRejected({ port: '-1' }, {}, '-1', '--port');
    await expectRejected({ port: '12.5' }, {}, '12.5', '--port');
    await expectRejected({ port: '1e3' }, {}, '1e3', '--port');
    await expectRejected({}, { CLASSCHAT_PORT: 'http' }, 'http', 'CLASSCHAT_PORT');
  });

  graded('rejects a host that is not an IPv4 address, naming it', {
    points: 0.5,
    hint: "net.isIPv4() tells a valid dotted address; 'localhost' stands for 127.0.0.1.",
    guide: `${GUIDE} § Validating input`,
  }, async () => {
    await expectRejected({ host: '300.1.2.3' }, {}, '300.1.2.3', '--host');
    await expectRejected({ host: 'chat server' }, {}, 'chat server', '--host');
    await expectRejected({}, { CLASSCHAT_HOST: '::1' }, '::1', 'CLASSCHAT_HOST');
  });

  graded('creates a fresh, unbound server socket and an unconnected client socket', {
    points: 1,
    hint: 'Return new net.Server(...) and new net.Socket(): creating a socket does not bind or connect it.',
    guide: `${GUIDE} § Two kinds of socket`,
  }, async (t) => {
    const { createServerSocket, createClientSocket } = await stage1();
    const a = createServerSocket();
    const b = createServerSocket();
    t.defer(() => { a.close(); b.close(); });
    check(a instanceof Server, 'createServerSocket() to return a net.Server', () => `a ${describeValue(a)}`);
    check(a !== b, 'a new server on every call', () => 'the same object twice');
    check(!a.listening && a.address() === null, 'a server that is not listening yet (binding is stage 2)', () => `a server bound to ${show(a.address())}`);
    const client = createClientSocket();
    t.defer(() => client.destroy());
    check(client instanceof Socket, 'createClientSocket() to return a net.Socket', () => `a ${describeValue(client)}`);
    check(client.remotePort === undefined && !client.connecting, 'a socket that is not connected yet (connecting is stage 2)', () => `a socket connected or connecting to port ${client.remotePort}`);
  });
});

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}
