// Stage 8: the multi-client ClassChat server, built on your stages 1 to 6. Read
// guide/08-multiserver.md, then run `make stage-8`. It starts as your stage 6 server: one client
// at a time. Lift the busy rule and add backpressure; main() below is already assembled.
import type { Server, Socket } from 'node:net';
import { createServerSocket, resolveEndpoint } from '../01-socket/endpoint.ts';
import { listen, listeningLine } from '../02-listen/listen.ts';
import { acceptClients } from '../03-accept/accept.ts';
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

/** What the server does with each client once it is greeted. */
export type Session = (client: Socket) => void;

/** Greets every connection and hands it to its own session. */
export function acceptEveryone(server: Server, session: Session, log: (line: string) => void = console.log): void {
  // TODO(stage 8): serve every connection at once: log it, greet it with ACK (stage 3) and call
  // session(client), with no busy line and no "current client". Guide § One session per connection.
  acceptClients(server, session, log); // stage 3: one client at a time, the others are busy
}

/** Stops reading from `client` while its replies are not drained; reads again on 'drain'. */
export function pauseWhileUndrained(client: Socket): void {
  // TODO(stage 8): after each 'data' chunk, if client.writableNeedDrain, pause the socket and
  // resume it on the next 'drain'. Guide § Backpressure.
  void client;
}

/** Stage 4's reader, one LineDecoder per connection, with backpressure on the replies. */
export const readLinesWithBackpressure: LineReader = (client, onLine) => {
  readMessages(client, onLine);
  pauseWhileUndrained(client);
};

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
  const clients = trackClients(server);
  acceptEveryone(server, (client) => {
    void serveSession(client, { reply: replyTo, readLines: readLinesWithBackpressure });
  });
  let bound;
  try {
    bound = await listen(server, endpoint);
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
  console.log(listeningLine(bound));
  await stopRequested();
  // Your stage 5 shutdown says goodbye to every connection in `clients`. Guide § Shutting down many clients.
  await shutdown(server, clients);
  return 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
