// Stage 1's driver: runs the student's endpoint.ts in a process of its own and answers the
// suite's calls (kit/harness/driver.ts). It reports what the code did; the suite judges it.
import { once } from 'node:events';
import { Server, Socket, type AddressInfo } from 'node:net';
import { setImmediate as turn } from 'node:timers/promises';
import { errorText, serveDriver, type DriverContext } from '../../kit/harness/driver-protocol.ts';
import { studentModule } from '../../kit/harness/target.ts';

type Stage1 = typeof import('../../solutions/01-socket/endpoint.ts');
const stage1 = studentModule<Stage1>('01-socket', 'endpoint.ts');

/** How resolveEndpoint() ended: what it returned (as JSON) or the message it threw. */
export type Outcome = { returned: string } | { threw: string };

/** What the create functions made, before and after a turn of the event loop. */
export interface Sockets {
  server: string;
  isServer: boolean;
  serverTwiceSame: boolean;
  client: string;
  isSocket: boolean;
  clientTwiceSame: boolean;
  /** After a turn: a bind started in createServerSocket() shows up here. */
  serverListening: boolean;
  serverAddress: string;
  /** After a turn: a connect started in createClientSocket() shows up here. */
  clientRemotePort: number | null;
  clientConnecting: boolean;
  clientDestroyed: boolean;
  /**
   * Then both are used as stage 2 will use them: the server listens on a free loopback port (this
   * one), for the test to connect to (each connection it accepts is an `accepted` event with the
   * peer's port), and the client connects to the test's port.
   */
  listeningPort: number | null;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}

/**
 * Uses the sockets as stage 2 will: the server listens on a free loopback port (returned, or null
 * if it cannot), the client connects to the test's port. What the test then sees on the wire is
 * the proof, not this process's word.
 */
async function useSockets(ctx: DriverContext, server: unknown, client: unknown, testPort: number | undefined): Promise<number | null> {
  if (client instanceof Socket && testPort !== undefined && !client.connecting && !client.destroyed) {
    client.on('error', () => {});
    client.connect(testPort, '127.0.0.1');
  }
  if (!(server instanceof Server) || server.listening) return null;
  try {
    // Each connection it accepts is named by the peer's port: the test knows which one is its own.
    server.on('connection', (peer: Socket) => {
      ctx.emit('accepted', peer.remotePort ?? null);
      peer.destroy();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  } catch {
    return null;
  }
}

// Loaded at once, while the suite is still starting; a failure to load is what the first call reports.
void serveDriver({
  // `processEnv` is set in this process's environment while the call runs, to catch code that
  // reads process.env instead of its env argument.
  async resolveEndpoint(_ctx: DriverContext, flags: Record<string, string>, env: Record<string, string>, processEnv: Record<string, string> = {}): Promise<Outcome> {
    const { resolveEndpoint } = await stage1();
    const saved = Object.fromEntries(Object.keys(processEnv).map((k) => [k, process.env[k]]));
    Object.assign(process.env, processEnv);
    try {
      return { returned: JSON.stringify(resolveEndpoint(flags, env)) ?? 'undefined' };
    } catch (err) {
      return { threw: errorText(err) };
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  },

  async sockets(ctx: DriverContext, testPort?: number): Promise<Sockets> {
    const { createServerSocket, createClientSocket } = await stage1();
    const a = createServerSocket();
    const b = createServerSocket();
    ctx.defer(() => { a?.close?.(); b?.close?.(); });
    const c = createClientSocket();
    const d = createClientSocket();
    ctx.defer(() => { c?.destroy?.(); d?.destroy?.(); });
    const report = {
      server: describeValue(a), isServer: a instanceof Server, serverTwiceSame: a === b,
      client: describeValue(c), isSocket: c instanceof Socket, clientTwiceSame: c === d,
    };
    await turn();
    const state = {
      ...report,
      serverListening: a instanceof Server && a.listening,
      serverAddress: a instanceof Server ? JSON.stringify(a.address()) : 'null',
      clientRemotePort: c instanceof Socket ? (c.remotePort ?? null) : null,
      clientConnecting: c instanceof Socket && c.connecting,
      clientDestroyed: c instanceof Socket && c.destroyed,
    };
    return { ...state, listeningPort: await useSockets(ctx, a, c, testPort) };
  },
}, [stage1()]);
