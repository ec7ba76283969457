// Stage 1's driver: runs the student's endpoint.ts in a process of its own and answers the
// suite's calls (kit/harness/driver.ts). It reports what the code did; the suite judges it.
import { Server, Socket } from 'node:net';
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
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
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

  async sockets(ctx: DriverContext): Promise<Sockets> {
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
    return {
      ...report,
      serverListening: a instanceof Server && a.listening,
      serverAddress: a instanceof Server ? JSON.stringify(a.address()) : 'null',
      clientRemotePort: c instanceof Socket ? (c.remotePort ?? null) : null,
      clientConnecting: c instanceof Socket && c.connecting,
      clientDestroyed: c instanceof Socket && c.destroyed,
    };
  },
}, [stage1()]);
