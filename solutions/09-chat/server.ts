// Stage 9: the ClassChat chat server. Many clients sign in with a name and write to each other
// through it, one JSON object per line. See guide/09-chat.md.
// Run it with `make stage-9` (graded) or by hand: node --import tsx solutions/09-chat/server.ts --port 0
import type { Socket } from 'node:net';
import { createServerSocket, resolveEndpoint } from '../01-socket/endpoint.ts';
import { listen, listeningLine } from '../02-listen/listen.ts';
import { ACK, describePeer } from '../03-accept/accept.ts';
import { LineDecoder } from '../04-loop/framing.ts';
import { GOODBYE, SHUTTING_DOWN } from '../05-exit/session.ts';
import { EXIT_CODES, usage } from '../05-exit/usage.ts';
import { readCommandLine } from '../06-final/command-line.ts';
import {
  MAX_CHAT_LINE_BYTES, chatError, encode, nameProblem, notice, parseClientMessage,
  type Chat, type ServerMessage,
} from './messages.ts';

const PROGRAM = 'server.ts';

export const HELP = `${usage(PROGRAM)}

Serves ClassChat chat clients over TCP, many at once, until Ctrl-C (SIGINT) or SIGTERM.
Clients sign in with a name and send each other JSON messages through it (guide/protocol.md, Part 2).
  --host   IPv4 address to listen on (default 127.0.0.1, or $CLASSCHAT_HOST)
  --port   TCP port, 0 for any free one (default 12345, or $CLASSCHAT_PORT)
  --help   show this help`;

/** Past this many bytes waiting to be sent to one client, it is not reading: cut it off (SendQ). */
export const SENDQ_LIMIT = 1024 * 1024;
/** How long a cut-off client gets to read its last notice before its queue is thrown away. */
const SENDQ_GRACE_MS = 1000;
/** How long a client may keep its side open after the shutdown notice. */
const SHUTDOWN_GRACE_MS = 1000;
/** Many clients now: let the system queue connections that arrive together. */
const BACKLOG = 511;

const STOPPED = 0;
const CANNOT_LISTEN = 1;

/** One client's connection, and the name it signed in with. */
interface Connection {
  socket: Socket;
  peer: string;
  name?: string;
  /** Said exit, or was cut off: nothing more is read from it or queued for it. */
  done: boolean;
}

/** Who is signed in, found by name ignoring case: "bob" reaches Bob, and "BOB" cannot sign in too. */
class Registry {
  private readonly byName = new Map<string, Connection>();

  find(name: string): Connection | undefined {
    return this.byName.get(name.toLowerCase());
  }

  add(conn: Connection, name: string): void {
    conn.name = name;
    this.byName.set(name.toLowerCase(), conn);
  }

  /** Removes `conn` if it is the one signed in under its name; says whether it was. */
  remove(conn: Connection): boolean {
    if (conn.name === undefined || this.find(conn.name) !== conn) return false;
    this.byName.delete(conn.name.toLowerCase());
    return true;
  }

  /** The names, sorted the same way in every language: by code point. */
  names(): string[] {
    return [...this.byName.values()].map((c) => c.name ?? '').sort();
  }

  everyoneBut(conn: Connection): Connection[] {
    return [...this.byName.values()].filter((c) => c !== conn);
  }
}

const registry = new Registry();
const connections = new Set<Connection>();
const log = (line: string): void => console.log(line);

/**
 * Queues one message for a client. A client that does not read makes its queue grow: past
 * SENDQ_LIMIT it is cut off, so one stuck reader can never make the server hold unbounded data.
 */
function send(conn: Connection, message: ServerMessage): void {
  if (conn.done || !conn.socket.writable) return;
  conn.socket.write(encode(message));
  if (conn.socket.writableLength > SENDQ_LIMIT) cutOff(conn);
}

function broadcast(from: Connection, text: string): void {
  for (const other of registry.everyoneBut(from)) send(other, notice(text));
}

/** The client is gone from the chat (exit, hang-up, reset or cut off): tell the others once. */
function leave(conn: Connection): void {
  if (!registry.remove(conn)) return;
  log(`${conn.name} left (${conn.peer})`);
  broadcast(conn, `${conn.name} left`);
}

// What IRC servers call "SendQ exceeded": the notice goes at the end of the queue, and a client
// that still does not read loses the queue with its connection a moment later.
function cutOff(conn: Connection): void {
  conn.done = true;
  log(`${conn.name ?? conn.peer} cut off: more than ${SENDQ_LIMIT} bytes waiting to be sent`);
  leave(conn);
  conn.socket.end(encode(notice('Disconnected: you were not reading your messages (more than 1 MiB waiting).')));
  const timer = setTimeout(() => conn.socket.destroy(), SENDQ_GRACE_MS);
  conn.socket.once('close', () => clearTimeout(timer));
}

function signIn(conn: Connection, name: string): void {
  const problem = nameProblem(name);
  if (problem) return send(conn, chatError(null, 'bad-name', problem));
  if (registry.find(name)) return send(conn, chatError(null, 'name-taken', `The name "${name}" is taken: choose another one.`));
  registry.add(conn, name);
  log(`${name} signed in from ${conn.peer}`);
  send(conn, notice(`Welcome, ${name}! Online: ${registry.names().join(', ')}`));
  broadcast(conn, `${name} joined`);
}

/** Forwards a chat message as it came; an unknown receiver is the sender's to hear about. */
function route(conn: Connection, chat: Chat, me: string): void {
  const receiver = registry.find(chat.receiver);
  if (!receiver) {
    return send(conn, chatError(me, 'unknown-receiver', `"${chat.receiver}" is not online: your message was not delivered.`));
  }
  send(receiver, chat);
}

/** Handles one complete line from a client. Every mistake gets an error; none ends the connection. */
function handleLine(conn: Connection, line: string): void {
  if (line.trim() === '') return; // someone pressing Enter in nc
  const parsed = parseClientMessage(line);
  if (!parsed.ok) return send(conn, chatError(conn.name ?? null, parsed.error, parsed.why));
  const message = parsed.message;
  const me = conn.name;
  if (me === undefined) {
    if (message.status !== '0') return send(conn, chatError(null, 'not-signed-in', 'Sign in first: {"status":"0","sender":"<your name>"}.'));
    return signIn(conn, message.sender);
  }
  // The name on the message must be the one this connection signed in with: no one writes as Bob but Bob.
  if (message.sender !== me) return send(conn, chatError(me, 'wrong-sender', `You are signed in as "${me}", not "${message.sender}".`));
  switch (message.status) {
    case '0':
      return send(conn, chatError(me, 'bad-message', `You are already signed in as "${me}".`));
    case '1':
      return route(conn, message, me);
    case '2':
      return send(conn, { status: '2', sender: 'server', receiver: me, users: registry.names() });
    case '9':
      // Lines after exit are not read; the others hear about it before the connection closes.
      conn.done = true;
      leave(conn);
      conn.socket.end(encode(notice(GOODBYE)));
      return;
  }
}

/** Serves one connection: greeting, then each line in order, until it closes. */
function serve(socket: Socket): void {
  const conn: Connection = { socket, peer: describePeer(socket), done: false };
  connections.add(conn);
  // A reset arrives here rather than crashing the server; 'close' follows it.
  socket.on('error', (err: NodeJS.ErrnoException) => log(`Client ${conn.peer} error: ${err.code ?? err.message}`));
  // A client that just drops (a crash, a closed laptop) leaves like one that said exit.
  socket.once('close', () => {
    connections.delete(conn);
    leave(conn);
  });
  log(`Client connected from ${conn.peer}`);
  send(conn, notice(ACK));
  // Stage 4's decoder: glued objects come apart, split ones wait for their "\n", and a line past
  // 4096 bytes is reported once without being stored.
  const decoder = new LineDecoder(MAX_CHAT_LINE_BYTES);
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      if (conn.done) return;
      if (frame.kind === 'line') handleLine(conn, frame.text);
      else send(conn, chatError(conn.name ?? null, 'too-long', `A line may have at most ${MAX_CHAT_LINE_BYTES} bytes; that one was not read.`));
    }
  });
}

/** Tells every client the server is going, closes every connection, and resolves when all are closed. */
async function shutdown(server: ReturnType<typeof createServerSocket>): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  await Promise.all([...connections].map(({ socket }) => new Promise<void>((resolve) => {
    if (socket.closed) return resolve();
    const timer = setTimeout(() => socket.destroy(), SHUTDOWN_GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (!socket.writableEnded) socket.end(encode(notice(SHUTTING_DOWN)));
  })));
  await stopped;
}

function stopRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

async function main(argv: string[]): Promise<number> {
  let endpoint;
  try {
    const line = readCommandLine(PROGRAM, argv);
    if (line.help) {
      console.log(HELP);
      return STOPPED;
    }
    endpoint = resolveEndpoint(line.flags, process.env);
  } catch (err) {
    console.error((err as Error).message);
    return EXIT_CODES.usage;
  }

  const server = createServerSocket();
  server.on('connection', serve);
  let bound;
  try {
    bound = await listen(server, endpoint, BACKLOG);
  } catch (err) {
    console.error((err as Error).message);
    return CANNOT_LISTEN;
  }
  // The first stdout line, as in stage 6: graders read the port here.
  console.log(listeningLine(bound));

  const signal = await stopRequested();
  log(`${signal}: shutting down`);
  await shutdown(server);
  return STOPPED;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
