// Stage 5's driver: runs the student's session.ts and shutdown.ts in a process of its own and
// answers the suite's calls (kit/harness/driver.ts): servers whose connections go to
// serveSession(), runClient() on sockets to the suite's servers, and a server with
// trackClients() for shutdown(). The suite connects over loopback, judges the bytes, and judges
// what this driver reports (how promises ended, sockets, timers, open file descriptors).
import { readdirSync } from 'node:fs';
import { createServer, connect as netConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { errorText, serveDriver, type DriverContext } from '../../kit/harness/driver-protocol.ts';
import { studentModule } from '../../kit/harness/target.ts';

type SessionModule = typeof import('../../solutions/05-exit/session.ts');
type ShutdownModule = typeof import('../../solutions/05-exit/shutdown.ts');
type LineReader = import('../../solutions/05-exit/session.ts').LineReader;
const session = studentModule<SessionModule>('05-exit', 'session.ts');
const shutdownModule = studentModule<ShutdownModule>('05-exit', 'shutdown.ts');

/** The reply a session gets from the suite (stage 4's job, so not graded here). */
const reply = (line: string): string | undefined => (line.trim() === '' ? undefined : `Server received: ${line}`);

/** The suite's own LineReader: splits at "\n" and remembers that it was used. */
function suiteReader(): { reader: LineReader; used: () => boolean } {
  let used = false;
  const reader: LineReader = (socket, onLine) => {
    used = true;
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      pending += text;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        onLine(pending.slice(0, nl).replace(/\r$/, ''));
        pending = pending.slice(nl + 1);
      }
    });
  };
  return { reader, used: () => used };
}

/** A server of the driver, its connections in order, and the suite's reader when one was used. */
interface Served {
  server: Server;
  sockets: Socket[];
  clients?: Set<Socket>;
  readerUsed?: () => boolean;
}

interface Client {
  input: PassThrough;
  readerUsed?: () => boolean;
}

const servers = new Map<number, Served>();
const clients = new Map<number, Client>();
let nextId = 1;

async function listening(ctx: DriverContext, served: Served): Promise<number> {
  ctx.defer(() => {
    for (const s of served.sockets) s.destroy();
    served.server.close();
  });
  served.server.listen(0, '127.0.0.1');
  await new Promise((resolve) => served.server.once('listening', resolve));
  return (served.server.address() as AddressInfo).port;
}

// Loaded at once, while the suite is still starting; a failure to load is what the first call reports.
void serveDriver({
  /** isExit() of each line: true, false, or how another value shows. */
  async isExit(_ctx: DriverContext, lines: string[]): Promise<Array<boolean | string>> {
    const { isExit } = await session();
    return lines.map((line) => {
      const v: unknown = isExit(line);
      return typeof v === 'boolean' ? v : String(v);
    });
  },

  // A loopback server that hands every connection to the student's serveSession(), with the
  // suite's reader when `ownReader`. Each session is reported as a `session` event with the
  // number of its tracked promise; log lines and rejections as `note` events.
  async serveSessions(ctx: DriverContext, ownReader: boolean): Promise<{ id: number; port: number }> {
    const { serveSession } = await session();
    const id = nextId++;
    const own = ownReader ? suiteReader() : undefined;
    const served: Served = { server: createServer(), sockets: [], readerUsed: own?.used };
    servers.set(id, served);
    served.server.on('connection', (socket) => {
      const i = served.sockets.push(socket) - 1;
      const parts = { reply, log: (line: string) => ctx.emit('note', `server log: ${line}`), ...(own && { readLines: own.reader }) };
      let run: Promise<void>;
      try {
        run = Promise.resolve(serveSession(socket, parts));
      } catch (err) {
        run = Promise.reject(err);
      }
      run.catch((err: unknown) => {
        ctx.emit('note', `serveSession() rejected: ${errorText(err)}`);
        socket.destroy();
      });
      ctx.emit('session', { server: id, i, promise: ctx.track(() => run) });
    });
    return { id, port: await listening(ctx, served) };
  },

  readerUsed(_ctx: DriverContext, kind: 'server' | 'client', id: number): boolean {
    return (kind === 'server' ? servers.get(id)?.readerUsed : clients.get(id)?.readerUsed)?.() ?? false;
  },

  /** Open file descriptors of this process (the one running the student's sessions), or null without /proc. */
  fds(): number | null {
    try {
      return readdirSync('/proc/self/fd').length;
    } catch {
      return null;
    }
  },

  // runClient() on a socket connected to the suite's server on `port`; what it prints comes back
  // as `output` events {id, chunk}. Returns the client's id and its tracked promise.
  async startClient(ctx: DriverContext, port: number, ownReader: boolean): Promise<{ id: number; promise: number }> {
    const { runClient } = await session();
    const socket = netConnect(port, '127.0.0.1');
    ctx.defer(() => socket.destroy());
    // Connected, with no listener of ours left behind: a missing 'error' listener must show.
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => reject(err);
      socket.once('error', failed);
      socket.once('connect', () => {
        socket.off('error', failed);
        resolve();
      });
    });
    const id = nextId++;
    const input = new PassThrough();
    const output = new PassThrough();
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => ctx.emit('output', { id, chunk }));
    const own = ownReader ? suiteReader() : undefined;
    clients.set(id, { input, readerUsed: own?.used });
    const promise = ctx.track(() => (own ? runClient(socket, input, output, own.reader) : runClient(socket, input, output)));
    return { id, promise };
  },

  type(_ctx: DriverContext, id: number, text: string): void {
    clients.get(id)!.input.write(text);
  },

  endInput(_ctx: DriverContext, id: number): void {
    clients.get(id)!.input.end();
  },

  // Whether the input is still read shows in what happens to a line typed now: it must stay
  // unread in the input (readline closed or the input paused) or the input must be gone.
  async probeInput(_ctx: DriverContext, id: number, line: string): Promise<{ destroyed: boolean; readableLength: number; typed: boolean }> {
    const { input } = clients.get(id)!;
    let typed = false;
    if (!input.destroyed) {
      input.on('error', () => {});
      input.write(line);
      typed = true;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { destroyed: input.destroyed, readableLength: input.readableLength, typed };
  },

  // A server whose clients are kept by the student's trackClients(); it greets each with
  // "Welcome" and reports it as a `served` event.
  async trackingServer(ctx: DriverContext): Promise<{ id: number; port: number }> {
    const { trackClients } = await shutdownModule();
    const id = nextId++;
    const server = createServer();
    const served: Served = { server, sockets: [], clients: trackClients(server) };
    servers.set(id, served);
    server.on('connection', (s) => {
      served.sockets.push(s);
      s.on('error', () => {});
      s.resume();
      s.write('Welcome\n');
      ctx.emit('served', id);
    });
    return { id, port: await listening(ctx, served) };
  },

  /** A tracked promise that resolves when the server's socket number `i` has closed. */
  socketClosed(ctx: DriverContext, id: number, i: number): number {
    const socket = servers.get(id)!.sockets[i];
    return ctx.track(() => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve()))));
  },

  /** The server's state: listening, the size of the tracked set, and its sockets (in the set? destroyed?). */
  serverState(_ctx: DriverContext, id: number): { listening: boolean; size: number; sockets: Array<{ tracked: boolean; destroyed: boolean }> } {
    const { server, sockets, clients: tracked } = servers.get(id)!;
    return {
      listening: server.listening,
      size: tracked?.size ?? 0,
      sockets: sockets.map((s) => ({ tracked: tracked?.has(s) ?? false, destroyed: s.destroyed })),
    };
  },

  /** Timers running in this process (where shutdown() runs). */
  timers(): number {
    return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  },

  async shutdown(ctx: DriverContext, id: number): Promise<number> {
    const { shutdown } = await shutdownModule();
    const { server, clients: tracked } = servers.get(id)!;
    return ctx.track(() => shutdown(server, tracked!));
  },
}, [session(), shutdownModule()]);
