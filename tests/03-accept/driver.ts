// Stage 3's driver: runs the student's accept.ts in a process of its own and answers the suite's
// calls (kit/harness/driver.ts): a loopback server driven by acceptClients(), whose connections it
// watches from outside the student's code, and client sockets for readAck(). The suite connects
// over loopback and judges the bytes, plus what this driver reports.
import { createServer, Socket, type AddressInfo } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { Worker } from 'node:worker_threads';
import { serveDriver, type DriverContext } from '../../kit/harness/driver-protocol.ts';
import { studentModule } from '../../kit/harness/target.ts';

type Stage3 = typeof import('../../solutions/03-accept/accept.ts');
const stage3 = studentModule<Stage3>('03-accept', 'accept.ts');

/** The server's end of one connection, watched from outside the student's code. */
interface Conn {
  socket: Socket;
  closed: Promise<void>;
  /** True once the server sent its FIN (end()); false at 'close' means the socket was destroyed. */
  ended: () => boolean;
}

/** A client socket for readAck(), and what was read from it after readAck() ended. */
interface AckClient {
  socket: Socket;
  text: string;
}

const conns = new Map<number, Conn>();
const clients = new Map<number, AckClient>();
let nextId = 1;

// A client in a worker thread connects, sends a line and resets while this thread waits, so the
// server accepts a connection that is already gone (a client that gave up while the server was busy).
const RESETTER = `
const { workerData } = require('node:worker_threads');
const net = require('node:net');
const flag = new Int32Array(workerData.flag);
const done = (port) => { Atomics.store(flag, 1, port); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); };
const s = net.connect(workerData.port, '127.0.0.1');
s.on('error', () => done(0));
s.on('connect', () => {
  const port = s.localPort;
  s.write('gave up\\n', () => s.resetAndDestroy());
  s.on('close', () => done(port));
});
`;

// Loaded at once, while the suite is still starting; a failure to load is what the first call reports.
void serveDriver({
  // A loopback server driven by the student's acceptClients(); the session keeps the client open
  // and answers "pong" to anything, so the suite can tell a served client from a waiting one. Its
  // own listeners only watch: they add no 'error' listener that would hide a missing one.
  // Events: `connection` {id, port} for each accepted socket, `session` when one is handed to
  // the session, `log` with each line the student logs.
  async serve(ctx: DriverContext): Promise<number> {
    const { acceptClients } = await stage3();
    const server = createServer();
    const mine: Socket[] = [];
    server.on('connection', (s) => {
      const id = nextId++;
      let finished = false;
      s.once('finish', () => { finished = true; });
      const closed = new Promise<void>((resolve) => s.once('close', () => resolve()));
      conns.set(id, { socket: s, closed, ended: () => finished });
      mine.push(s);
      ctx.emit('connection', { id, port: s.remotePort ?? null });
    });
    ctx.defer(() => {
      for (const s of mine) s.destroy();
      server.close();
    });
    acceptClients(server, (client) => {
      ctx.emit('session');
      client.on('data', () => client.write('pong\n'));
    }, (line) => ctx.emit('log', String(line)));
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return (server.address() as AddressInfo).port;
  },

  /** A promise (tracked) that resolves when the server's end of connection `id` has closed. */
  closed(ctx: DriverContext, id: number): number {
    return ctx.track(() => conns.get(id)!.closed);
  },

  /** A promise (tracked) that resolves once the server sent its FIN on connection `id`, or it closed. */
  done(ctx: DriverContext, id: number): number {
    const conn = conns.get(id)!;
    const finished = new Promise<void>((resolve) => {
      if (conn.ended()) resolve();
      else conn.socket.once('finish', () => resolve());
    });
    return ctx.track(() => Promise.race([finished, conn.closed]));
  },

  ended(_ctx: DriverContext, id: number): boolean {
    return conns.get(id)!.ended();
  },

  // Blocking on purpose: this process runs the server, which must not accept before the client has reset.
  resetBeforeAccept(ctx: DriverContext, port: number, waitMs: number): number {
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(RESETTER, { eval: true, workerData: { port, flag: flag.buffer } });
    ctx.defer(() => worker.terminate());
    Atomics.wait(flag, 0, 0, waitMs);
    return Atomics.load(flag, 1);
  },

  /** A client socket connected to `port` (the suite's own server), for readAck(). */
  async ackClient(ctx: DriverContext, port: number): Promise<number> {
    const id = nextId++;
    const socket = new Socket();
    ctx.defer(() => socket.destroy());
    socket.on('error', () => {});
    clients.set(id, { socket, text: '' });
    socket.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    return id;
  },

  async readAck(ctx: DriverContext, id: number): Promise<number> {
    const { readAck } = await stage3();
    return ctx.track(() => readAck(clients.get(id)!.socket));
  },

  socketState(_ctx: DriverContext, id: number): { bytesRead: number; destroyed: boolean } {
    const { socket } = clients.get(id)!;
    return { bytesRead: socket.bytesRead, destroyed: socket.destroyed };
  },

  // The next reader of the socket: decodes what still comes until the end (a tracked promise).
  drain(ctx: DriverContext, id: number): number {
    const client = clients.get(id)!;
    const { socket } = client;
    const decoder = new StringDecoder('utf8');
    socket.on('data', (chunk: Buffer) => { client.text += decoder.write(chunk); });
    socket.resume();
    return ctx.track(() => new Promise<void>((resolve) => {
      if (socket.readableEnded || socket.destroyed) resolve();
      else socket.once('end', () => resolve());
      socket.once('close', () => resolve());
    }));
  },

  text(_ctx: DriverContext, id: number): string {
    return clients.get(id)!.text;
  },
}, [stage3()]);
