// Stage 6: the ClassChat client, assembled from your stages 1 to 5. See guide/06-final.md.
// Run it with `make client` (PORT=, HOST= to choose) while `make server` runs in another terminal.
import { createClientSocket, resolveEndpoint } from '../01-socket/endpoint.ts';
import { connect } from '../02-listen/listen.ts';
import { readAck } from '../03-accept/accept.ts';
import { readReplies } from '../04-loop/loop.ts';
import { CONNECTION_LOST, runClient } from '../05-exit/session.ts';
import { EXIT_CODES, usage } from '../05-exit/usage.ts';
import { readCommandLine } from './command-line.ts';

const PROGRAM = 'client.ts';

export const HELP = `${usage(PROGRAM)}

Connects to a ClassChat server, sends each line you type, and prints each line it sends back.
Type exit (or press Ctrl-D) to leave.
  --host   the server's IPv4 address (default 127.0.0.1, or $CLASSCHAT_HOST)
  --port   the server's TCP port (default 12345, or $CLASSCHAT_PORT)
  --help   show this help
Exit codes: 0 after the goodbye or the server's shutdown line, 1 if the server is unreachable,
busy or lost, 2 for bad usage.`;

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

  const socket = createClientSocket();
  try {
    await connect(socket, endpoint);
  } catch (err) {
    // Stage 2's message says the server may not be running and how to start it.
    console.error((err as Error).message);
    return EXIT_CODES.unreachable;
  }
  try {
    // Server lines go to stdout exactly as they came, the greeting first.
    console.log(await readAck(socket));
  } catch (err) {
    // Busy, or closed before greeting: either way this run is over.
    console.error((err as Error).message);
    socket.destroy();
    return EXIT_CODES.busy;
  }

  const end = await runClient(socket, process.stdin, process.stdout, readReplies);
  if (end === 'lost') console.error(CONNECTION_LOST);
  // Input may still be open (a terminal, or a pipe with more to come): stop reading it, or the
  // process would wait for it before exiting.
  process.stdin.destroy();
  return EXIT_CODES[end];
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
