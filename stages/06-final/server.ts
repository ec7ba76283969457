// Stage 6: the ClassChat server program, assembled from your stages 1 to 5. Read
// guide/06-final.md, then run `make stage-6`; try it by hand with `make server`.
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

async function main(argv: string[]): Promise<number> {
  // TODO(stage 6): print HELP for --help and return 0; for a bad flag, port or host print the
  // error's message on stderr and return EXIT_CODES.usage. Guide § Reading the command line.

  // TODO(stage 6): create the server socket, track its clients, accept them with serveSession
  // made of your stage 4 reader and replies, listen, and print the listening line before any
  // other stdout line; a failed listen prints its message and returns 1. Guide § Assembling the server.

  // TODO(stage 6): wait for SIGINT or SIGTERM, shut down, and return 0. Guide § Shutting down.
  console.error('The server is not assembled yet: see the TODO(stage 6) comments in stages/06-final/server.ts.');
  return 1;
}

// exitCode, not process.exit(): output still on its way is written before the process ends.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
