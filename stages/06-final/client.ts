// Stage 6: the ClassChat client program, assembled from your stages 1 to 5. Read
// guide/06-final.md, then run `make stage-6`; try it with `make client` next to `make server`.
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
  // TODO(stage 6): --help prints HELP (0); a bad flag, port or host prints its message on
  // stderr (EXIT_CODES.usage). Guide § Reading the command line.

  // TODO(stage 6): connect, then print the greeting from readAck on stdout; when the server is
  // unreachable or busy, print the message on stderr and return 1. Guide § Assembling the client.

  // TODO(stage 6): run the session with runClient and your stage 4 readReplies, say so on stderr
  // if the connection was lost, stop reading stdin, and return EXIT_CODES for how it ended.
  // Guide § Exit codes.
  console.error('The client is not assembled yet: see the TODO(stage 6) comments in stages/06-final/client.ts.');
  return 1;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
