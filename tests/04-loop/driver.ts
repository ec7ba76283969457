// Stage 4's driver: runs the student's framing.ts and loop.ts in a process of its own and answers
// the suite's calls (kit/harness/driver.ts): decoders fed the bytes the suite chooses, a loopback
// server whose connections go to serveMessages(), and runClientLoop() on a socket to the suite's
// server. It reports what happened; the suite judges it and the bytes on the wire.
import { createServer, Socket, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { errorText, serveDriver, type DriverContext } from '../../kit/harness/driver-protocol.ts';
import { studentModule } from '../../kit/harness/target.ts';

type Framing = typeof import('../../solutions/04-loop/framing.ts');
type Loop = typeof import('../../solutions/04-loop/loop.ts');
type Decoder = InstanceType<Framing['LineDecoder']>;
const framing = studentModule<Framing>('04-loop', 'framing.ts');
const loop = studentModule<Loop>('04-loop', 'loop.ts');

/** A frame as push() returned it: `kind` and `text` when they are strings, and how it shows. */
export interface WireFrame {
  kind: string | null;
  text: string | null;
  shown: string;
}

/** What one push() returned, and the decoder's `buffered` afterwards (a number, or how it shows). */
export interface Pushed {
  frames: WireFrame[] | null;
  /** What push() returned when it was not an array. */
  notArray: string | null;
  buffered: number | string;
}

/** A connection of the server: how many bytes its socket has read, and whether it is destroyed. */
export interface ConnState {
  bytesRead: number;
  destroyed: boolean;
}

const toWire = (f: unknown): WireFrame => {
  const kind: unknown = (f as { kind?: unknown } | null | undefined)?.kind;
  const text: unknown = (f as { text?: unknown } | null | undefined)?.text;
  const isObject = typeof f === 'object' && f !== null;
  return { kind: isObject && typeof kind === 'string' ? kind : null, text: isObject && typeof text === 'string' ? text : null, shown: String(kind) };
};

const decoders = new Map<number, Decoder>();
const conns = new Map<number, Socket>();
const clients = new Map<number, { input: PassThrough }>();
let nextId = 1;

const state = (socket: Socket): ConnState => ({ bytesRead: socket.bytesRead, destroyed: socket.destroyed });

// Loaded at once, while the suite is still starting; a failure to load is what the first call reports.
void serveDriver({
  async newDecoder(ctx: DriverContext, maxBytes: number | null): Promise<number> {
    const { LineDecoder } = await framing();
    const id = nextId++;
    decoders.set(id, maxBytes === null ? new LineDecoder() : new LineDecoder(maxBytes));
    ctx.defer(() => decoders.delete(id));
    return id;
  },

  push(_ctx: DriverContext, id: number, base64: string): Pushed {
    const decoder = decoders.get(id)!;
    const out: unknown = decoder.push(Buffer.from(base64, 'base64'));
    const buffered: unknown = decoder.buffered;
    return {
      frames: Array.isArray(out) ? out.map(toWire) : null,
      notArray: Array.isArray(out) ? null : String(out),
      buffered: typeof buffered === 'number' ? buffered : String(buffered),
    };
  },

  // A loopback server whose connections are handed to the student's serveMessages().
  async serve(ctx: DriverContext): Promise<number> {
    const { serveMessages } = await loop();
    const server = createServer();
    const all: Socket[] = [];
    server.on('connection', (socket) => {
      const id = nextId++;
      all.push(socket);
      conns.set(id, socket);
      // Errors are stage 5's subject: here a reset must not crash the driver.
      socket.on('error', (err: NodeJS.ErrnoException) => ctx.emit('note', `server socket error ${err.code ?? err.message}`));
      try {
        serveMessages(socket);
      } catch (err) {
        ctx.emit('note', `serveMessages() threw: ${errorText(err)}`);
        socket.destroy();
      }
      ctx.emit('accepted', id);
    });
    ctx.defer(() => {
      for (const s of all) s.destroy();
      server.close();
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return (server.address() as AddressInfo).port;
  },

  conn(_ctx: DriverContext, id: number): ConnState {
    return state(conns.get(id)!);
  },

  /** Resolves once the connection's socket has read `total` bytes (or is destroyed). */
  waitRead(_ctx: DriverContext, id: number, total: number): Promise<ConnState> {
    const socket = conns.get(id)!;
    const ready = (): boolean => socket.bytesRead >= total || socket.destroyed;
    if (ready()) return Promise.resolve(state(socket));
    return new Promise((resolve) => {
      const onEvent = (): void => {
        if (!ready()) return;
        socket.off('data', onEvent);
        socket.off('close', onEvent);
        resolve(state(socket));
      };
      socket.on('data', onEvent);
      socket.on('close', onEvent);
    });
  },

  // runClientLoop() on a socket connected to `port`, paused the way readAck() leaves it; what it
  // prints comes back as `output` events. Returns the client's id and its tracked promise.
  async clientLoop(ctx: DriverContext, port: number): Promise<{ id: number; promise: number }> {
    const { runClientLoop } = await loop();
    const socket = new Socket();
    ctx.defer(() => socket.destroy());
    socket.connect(port, '127.0.0.1');
    // Connected, with no listener of ours left behind: a missing 'error' listener must show.
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error): void => reject(err);
      socket.once('error', failed);
      socket.once('connect', () => {
        socket.off('error', failed);
        resolve();
      });
    });
    socket.pause();
    const id = nextId++;
    const input = new PassThrough();
    const output = new PassThrough();
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => ctx.emit('output', chunk));
    clients.set(id, { input });
    ctx.defer(() => clients.delete(id));
    return { id, promise: ctx.track(() => runClientLoop(socket, input, output)) };
  },

  type(_ctx: DriverContext, id: number, text: string): void {
    clients.get(id)!.input.write(text);
  },
}, [framing(), loop()]);
