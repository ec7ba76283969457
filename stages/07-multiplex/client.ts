// Stage 7: the multiplexed client. Read guide/07-multiplex.md, then run `make stage-7`.
// main() is your stage 6 start-up, given; you write the session: one wait for two sources.
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { createClientSocket, resolveEndpoint } from '../01-socket/endpoint.ts';
import { connect } from '../02-listen/listen.ts';
import { readAck } from '../03-accept/accept.ts';
import { readReplies } from '../04-loop/loop.ts';
import { CONNECTION_LOST, EXIT, GOODBYE, SHUTTING_DOWN, type ClientEnd } from '../05-exit/session.ts';
import { EXIT_CODES, usage } from '../05-exit/usage.ts';
import { readCommandLine } from '../06-final/command-line.ts';

const PROGRAM = 'client.ts';

export const HELP = `${usage(PROGRAM)}

Connects to a ClassChat server, sends each line you type, and prints each line the server sends,
whichever comes first. Type exit (or press Ctrl-D) to leave.
  --host   the server's IPv4 address (default 127.0.0.1, or $CLASSCHAT_HOST)
  --port   the server's TCP port (default 12345, or $CLASSCHAT_PORT)
  --help   show this help
Exit codes: 0 after the goodbye or the server's shutdown line, 1 if the server is unreachable,
busy or lost, 2 for bad usage.`;

/** What one wake-up brings, like the ready set select() returns: which source, and what it had. */
export type ClientEvent =
  | { kind: 'server-line'; line: string }
  | { kind: 'server-closed' }
  | { kind: 'typed-line'; line: string }
  | { kind: 'input-ended' };

/** Both sources as one stream of events, in the order they happened. */
export async function* events(socket: Socket, input: Readable): AsyncGenerator<ClientEvent> {
  // TODO(stage 7): push an event into a queue from each callback: server lines from your stage 4
  // readReplies(socket, …), 'close' of the socket, 'line' and 'close' of
  // createInterface({ input, crlfDelay: Infinity }). Guide § One wait for two sources.

  // TODO(stage 7): then loop: yield the queued events; when none is left, await a promise that the
  // next push resolves (never a timer, never a loop that checks again). Close the readline
  // interface when the loop ends. Guide § Nothing busy-waits.
}

/** The session: each event handled as soon as it happens. Resolves with how it ended. */
export async function session(socket: Socket, input: Readable, output: Writable): Promise<ClientEnd> {
  // TODO(stage 7): for await over events(socket, input): print a server line on output, send a
  // typed line with "\n", send EXIT when the input ends, and when the server closes return
  // 'goodbye' if the last line was GOODBYE or SHUTTING_DOWN, else 'lost'. Guide § The loop.
  console.error('The session is not written yet: see the TODO(stage 7) comments in stages/07-multiplex/client.ts.');
  return 'lost';
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

  const socket = createClientSocket();
  try {
    await connect(socket, endpoint);
  } catch (err) {
    console.error((err as Error).message);
    return EXIT_CODES.unreachable;
  }
  try {
    console.log(await readAck(socket));
  } catch (err) {
    console.error((err as Error).message);
    socket.destroy();
    return EXIT_CODES.busy;
  }

  const end = await session(socket, process.stdin, process.stdout);
  if (end === 'lost') console.error(CONNECTION_LOST);
  // The user may be in the middle of a line: stop reading stdin, or the process would wait for it.
  process.stdin.destroy();
  socket.destroy();
  return EXIT_CODES[end];
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
