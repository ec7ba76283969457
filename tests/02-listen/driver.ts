// Stage 2's driver: runs the student's listen.ts in a process of its own and answers the suite's
// calls (kit/harness/driver.ts). Servers and sockets for the student's functions are made here;
// the suite connects to them over loopback and judges what this driver reports.
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { serveDriver, type DriverContext } from '../../kit/harness/driver-protocol.ts';
import { studentModule } from '../../kit/harness/target.ts';
import type { Endpoint } from '../../solutions/01-socket/endpoint.ts';

type Stage2 = typeof import('../../solutions/02-listen/listen.ts');
const stage2 = studentModule<Stage2>('02-listen', 'listen.ts');

/** A server as the suite sees it: listening or not, and where. */
export interface ServerState {
  listening: boolean;
  address: AddressInfo | null;
}

const servers = new Map<number, Server>();
const sockets = new Map<number, Socket>();
let nextId = 1;

// Loaded at once, while the suite is still starting; a failure to load is what the first call reports.
void serveDriver({
  /**
   * A server of the driver's own, for the student's code to bind: `fresh` drops every
   * connection; `keeping` keeps each open until the client closes its side, and reports it.
   */
  server(ctx: DriverContext, kind: 'fresh' | 'keeping'): number {
    const id = nextId++;
    const open = new Set<Socket>();
    const server = kind === 'fresh' ? createServer((socket) => socket.destroy()) : createServer();
    if (kind === 'keeping') {
      server.on('connection', (socket) => {
        open.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => open.delete(socket));
        ctx.emit('accepted', id);
      });
    }
    servers.set(id, server);
    ctx.defer(() => {
      for (const s of open) s.destroy();
      server.close();
      servers.delete(id);
    });
    return id;
  },

  state(_ctx: DriverContext, id: number): ServerState {
    const server = servers.get(id)!;
    return { listening: server.listening, address: server.address() as AddressInfo | null };
  },

  /** listen(server, endpoint): the number of the tracked promise. */
  async listen(ctx: DriverContext, id: number, endpoint: Endpoint): Promise<number> {
    const { listen } = await stage2();
    return ctx.track(() => listen(servers.get(id)!, endpoint));
  },

  async stopListening(ctx: DriverContext, id: number): Promise<number> {
    const { stopListening } = await stage2();
    return ctx.track(() => stopListening(servers.get(id)!));
  },

  /** listeningLine(endpoint), and whether it returned a string at all. */
  async listeningLine(_ctx: DriverContext, endpoint: Endpoint): Promise<{ text: string; isString: boolean }> {
    const { listeningLine } = await stage2();
    const got: unknown = listeningLine(endpoint);
    return { text: String(got), isString: typeof got === 'string' };
  },

  /**
   * connect(new Socket(), endpoint): the socket's id and the number of the tracked promise, which
   * resolves with the socket's remotePort at the moment connect() resolved.
   */
  async connect(ctx: DriverContext, endpoint: Endpoint): Promise<{ socket: number; promise: number }> {
    const { connect } = await stage2();
    const id = nextId++;
    const socket = new Socket();
    sockets.set(id, socket);
    ctx.defer(() => {
      socket.destroy();
      sockets.delete(id);
    });
    return { socket: id, promise: ctx.track(() => Promise.resolve(connect(socket, endpoint)).then(() => ({ remotePort: socket.remotePort ?? null }))) };
  },
}, [stage2()]);
