// Stage 9: the ClassChat chat server. Many clients sign in with a name and write to each other
// through it, one JSON object per line. Read guide/09-chat.md, then run `make stage-9`.
// Try it by hand: node --import tsx stages/09-chat/server.ts --port 0, then nc 127.0.0.1 <port>
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
/** Many clients now: let the system queue connections that arrive together. */
const BACKLOG = 511;

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

/** Queues one message for a client; a client with more than SENDQ_LIMIT bytes waiting is cut off. */
function send(conn: Connection, message: ServerMessage): void {
  if (conn.done || !conn.socket.writable) return;
  conn.socket.write(encode(message));
  // TODO(stage 9): past SENDQ_LIMIT bytes in conn.socket.writableLength, cut the client off: mark
  // it done, let it leave, end it with a notice and destroy it a second later.
  // Guide § SendQ: a receiver that does not read.
}

/** The client is gone from the chat (exit, hang-up, reset or cut off): tell the others once. */
function leave(conn: Connection): void {
  // TODO(stage 9): remove it from the registry and, if it was there, send "<name> left" to
  // everyone else. Guide § The client registry.
}

/** Handles one complete line from a client. Every mistake gets an error; none ends the connection. */
function handleLine(conn: Connection, line: string): void {
  // TODO(stage 9): skip blank lines; parseClientMessage, answering its error. Guide § Bad input.
  // TODO(stage 9): before a name, only "0" (sign in: nameProblem → "bad-name", a name in the
  // registry → "name-taken", else the welcome and "<name> joined"). Guide § Signing in.
  // TODO(stage 9): after it, "sender" must be the name ("wrong-sender"); then "1" is routed
  // (§ Routing, § The unknown receiver), "2" gets the sorted names, "9" the goodbye and the close.
  throw new Error(`TODO(stage 9): handleLine ${JSON.stringify(line)}`);
}

/** Serves one connection: greeting, then each line in order, until it closes. */
function serve(socket: Socket): void {
  const conn: Connection = { socket, peer: describePeer(socket), done: false };
  connections.add(conn);
  // TODO(stage 9): an 'error' listener, and on 'close' forget the connection and let it leave.
  // Guide § The client registry.
  // TODO(stage 9): greet with notice(ACK); feed each chunk to a LineDecoder(MAX_CHAT_LINE_BYTES),
  // handle each line, answer a too-long frame with "too-long". Guide § Framing JSON with the stage 4 decoder.
  throw new Error('TODO(stage 9): serve');
}

/** Tells every client the server is going, closes every connection, and resolves when all are closed. */
async function shutdown(server: ReturnType<typeof createServerSocket>): Promise<void> {
  // TODO(stage 9): as stage 5 did, but for every connection and with notice(SHUTTING_DOWN).
  // Guide § Shutting down.
  server.close();
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
      return 0;
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
    return 1;
  }
  // The first stdout line, as in stage 6: graders read the port here.
  console.log(listeningLine(bound));

  const signal = await stopRequested();
  log(`${signal}: shutting down`);
  await shutdown(server);
  return 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

