// Stage 6: the ClassChat server, assembled from your stages 1 to 5. See guide/06-final.md.
// Run it with `make server` (PORT=, HOST= to choose), or graded: `make stage-6`.
import { createServerSocket, resolveEndpoint } from '../01-socket/endpoint.ts';
import { listen, listeningLine } from '../02-listen/listen.ts';
import { acceptClients } from '../03-accept/accept.ts';
import { readMessages, replyTo } from '../04-loop/loop.ts';
import { serveSession } from '../05-exit/session.ts';
import { shutdown, trackClients } from '../05-exit/shutdown.ts';
import { EXIT_CODES, usage } from '../05-exit/usage.ts';
import { readCommandLine } from './command-line.ts';

const PROGRAM = 'server.ts';

export const HELP = `${usage(PROGRAM)}

Serves ClassChat clients over TCP, one at a time, until Ctrl-C (SIGINT) or SIGTERM.
  --host   IPv4 address to listen on (default 127.0.0.1, or $CLASSCHAT_HOST)
  --port   TCP port, 0 for any free one (default 12345, or $CLASSCHAT_PORT)
  --help   show this help`;

/** Exit codes of the server: stopped cleanly, could not listen, bad command line. */
const STOPPED = 0;
const CANNOT_LISTEN = 1;

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
    // A bad --port or --host is a usage error too: stage 1 says which value was wrong.
    endpoint = resolveEndpoint(line.flags, process.env);
  } catch (err) {
    console.error((err as Error).message);
    return EXIT_CODES.usage;
  }

  const server = createServerSocket();
  // Tracked from the first connection on, so a shutdown reaches every open socket.
  const clients = trackClients(server);
  acceptClients(server, (client) => {
    // serveSession never rejects: a client's failure ends its session, not the server.
    void serveSession(client, { reply: replyTo, readLines: readMessages });
  });

  let bound;
  try {
    bound = await listen(server, endpoint);
  } catch (err) {
    console.error((err as Error).message);
    return CANNOT_LISTEN;
  }
  // The first stdout line: people read the port here, and so do the graders.
  console.log(listeningLine(bound));

  const signal = await stopRequested();
  console.log(`${signal}: shutting down`);
  await shutdown(server, clients);
  return STOPPED;
}

// exitCode, not process.exit(): output still on its way is written before the process ends.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
