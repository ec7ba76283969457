// Stage 8: the multi-client ClassChat server. Stage 6's server with the busy rule lifted: every
// connection gets its own session at the same time as the others. See guide/08-multiserver.md.
// Run it with `node --import tsx solutions/08-multiserver/server.ts --port 0`, graded: `make stage-8`.
import type { Server, Socket } from 'node:net';
import { createServerSocket, resolveEndpoint } from '../01-socket/endpoint.ts';
import { listen, listeningLine } from '../02-listen/listen.ts';
import { ACK, describePeer } from '../03-accept/accept.ts';
import { readMessages, replyTo } from '../04-loop/loop.ts';
import { serveSession, type LineReader } from '../05-exit/session.ts';
import { shutdown, trackClients } from '../05-exit/shutdown.ts';
import { EXIT_CODES, usage } from '../05-exit/usage.ts';
import { readCommandLine } from '../06-final/command-line.ts';

const PROGRAM = 'server.ts';

export const HELP = `${usage(PROGRAM)}

Serves any number of ClassChat clients over TCP at the same time, until Ctrl-C (SIGINT) or SIGTERM.
  --host   IPv4 address to listen on (default 127.0.0.1, or $CLASSCHAT_HOST)
  --port   TCP port, 0 for any free one (default 12345, or $CLASSCHAT_PORT)
  --help   show this help`;

/** Exit codes of the server: stopped cleanly, could not listen, bad command line. */
const STOPPED = 0;
const CANNOT_LISTEN = 1;

/**
 * Connections the kernel may hold until the server accepts them. Stage 2's backlog of 1 suits one
 * client at a time; a class connecting at once needs room for all of them, or the kernel drops
 * their handshakes and they wait for TCP's retries (1 s, 2 s, 4 s …). 511 is Node's own default.
 */
export const BACKLOG = 511;

/** What the server does with each client once it is greeted. */
export type Session = (client: Socket) => void;

/**
 * Stage 3's accept without the busy rule: every connection is logged, greeted and handed to its
 * own session. Nothing here is shared between clients, so no client waits for another.
 */
export function acceptEveryone(server: Server, session: Session, log: (line: string) => void = console.log): void {
  server.on('connection', (client: Socket) => {
    const peer = describePeer(client);
    log(`Client connected from ${peer}`);
    client.once('close', () => log(`Client ${peer} disconnected`));
    client.write(`${ACK}\n`);
    session(client);
  });
}

/**
 * Backpressure: stops reading from a client while its replies are piling up unsent, and reads
 * again once they have drained. A client that sends without reading then fills its own socket
 * buffers and waits, instead of filling the server's memory with replies it never collects.
 */
export function pauseWhileUndrained(client: Socket): void {
  // Added after the reader's 'data' listener, so it runs once that chunk has been answered.
  client.on('data', () => {
    if (!client.writableNeedDrain || client.isPaused()) return;
    client.pause();
    client.once('drain', () => client.resume());
  });
}

/** Stage 4's reader, one LineDecoder per connection, with backpressure on the replies. */
export const readLinesWithBackpressure: LineReader = (client, onLine) => {
  readMessages(client, onLine);
  pauseWhileUndrained(client);
};

/** Resolves on the first SIGINT (Ctrl-C) or SIGTERM; with no listener left, a second one ends the process. */
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
  // Every open connection, so a shutdown says goodbye to all of them, not just the latest.
  const clients = trackClients(server);
  acceptEveryone(server, (client) => {
    // serveSession never rejects and keeps its state per call: one session per client.
    void serveSession(client, { reply: replyTo, readLines: readLinesWithBackpressure });
  });

  let bound;
  try {
    bound = await listen(server, endpoint, BACKLOG);
  } catch (err) {
    console.error((err as Error).message);
    return CANNOT_LISTEN;
  }
  console.log(listeningLine(bound));

  const signal = await stopRequested();
  console.log(`${signal}: shutting down ${clients.size} connection(s)`);
  await shutdown(server, clients);
  return STOPPED;
}

// exitCode, not process.exit(): output still on its way is written before the process ends.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
